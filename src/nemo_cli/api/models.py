"""Typed replies. Tolerant by rule: unknown fields are kept (extra="allow") or ignored, optional ones may
be missing, ids that come as numbers are treated as text."""

from __future__ import annotations

import math
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from nemo_cli.errors import NetworkError


class Model(BaseModel):
    # defer_build: a model's validator is built when it first validates, not when this module is imported
    # (a command reads one or two of these replies; building all eight up front cost `nemo credits` ~2 ms)
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    @classmethod
    def parse(cls, data: Any, what: str) -> Any:
        try:
            return cls.model_validate(data if data is not None else {})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "reply"
            raise NetworkError(
                f"the service sent a malformed {what} reply ({where}: {first.get('msg', 'invalid')})",
                hint="rerun with --debug to see the reply",
            ) from None

    def public(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def _text(value: Any) -> Any:
    """Ids may arrive as numbers: a long digit session id must stay exact, so keep text."""
    if isinstance(value, bool):
        raise ValueError("expected text")
    if isinstance(value, int):
        return str(value)
    return value


class AnonymousToken(Model):
    token: str
    user_id: Optional[str] = None
    expires_at: Optional[str] = None
    credits: Optional[float] = None

    _ids = field_validator("user_id", mode="before")(_text)


class NewSession(Model):
    session_id: str
    task_id: Optional[str] = None
    user_id: Optional[str] = None

    _ids = field_validator("session_id", "task_id", "user_id", mode="before")(_text)


class ClaimToken(Model):
    claim_token: str
    expires_in: Optional[float] = None


class Credits(Model):
    available: float = 0
    frozen: float = 0
    total: Optional[float] = None

    def public(self) -> dict[str, Any]:
        total = self.total if self.total is not None else self.available + self.frozen
        return {k: _num(v) for k, v in {"available": self.available, "frozen": self.frozen, "total": total}.items()}


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


class UploadedFile(Model):
    filename: Optional[str] = None
    file_type: Optional[str] = None
    cdn_url: Optional[str] = None
    duration: Optional[float] = None
    width: Optional[int] = None
    height: Optional[int] = None
    fps: Optional[float] = None
    hash: Optional[str] = None


class UploadResult(Model):
    files: list[UploadedFile] = []
    session_state_applied: Optional[bool] = None


class SessionState(Model):
    """The state reply: the state itself, and the ids the service files it under (a session adopted from
    elsewhere learns its task id here). An id that is not an id (a list, a bool) counts as not given."""

    state: dict[str, Any] = {}
    task_id: Optional[str] = None
    session_id: Optional[str] = None
    user_id: Optional[str] = None

    @field_validator("task_id", "session_id", "user_id", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        return _id(value)

    @field_validator("state", mode="before")
    @classmethod
    def _state(cls, value: Any) -> Any:
        return value if isinstance(value, dict) else {}

    @property
    def draft(self) -> dict[str, Any]:
        draft = self.state.get("draft")
        return draft if isinstance(draft, dict) else {}


class RenderStatus(Model):
    """One render's status, read from either documented shape."""

    id: Optional[str] = None
    status: str = "pending"
    progress: Optional[float] = None
    url: Optional[str] = None
    error: Optional[str] = None
    created_at: Optional[float] = None
    completed_at: Optional[float] = None

    @classmethod
    def from_reply(cls, body: Any, render_id: str | None = None) -> "RenderStatus":
        body = body if isinstance(body, dict) else {}
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        merged = {**body, **data}  # nested fields win over top-level ones
        output = merged.get("output") if isinstance(merged.get("output"), dict) else {}
        url = merged.get("outputUrl") or output.get("url") or merged.get("url")
        error = merged.get("error") or merged.get("errorMessage") or merged.get("message")
        if isinstance(error, dict):
            error = error.get("message")
        return cls.parse(
            {
                "id": _id(merged.get("id")) or render_id,
                "status": str(merged.get("status") or "pending").lower(),
                "progress": _percent(merged.get("progress")),
                "url": url if isinstance(url, str) and url else None,
                "error": error if isinstance(error, str) and error else None,
                "created_at": _epoch(merged.get("createdAt")),
                "completed_at": _epoch(merged.get("completedAt")),
            },
            "render status",
        )

    @property
    def done(self) -> bool:
        return self.status in ("completed", "failed", "cancelled", "canceled")


def _id(value: Any) -> str | None:
    """An id as text, or None when the reply's id is no id at all (a bool, a list…)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value) or None


def _percent(value: Any) -> float | None:
    """Progress as a finite 0-100, or None: a service may send anything, NaN and infinity included (and an
    integer beyond any float)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return min(max(number, 0.0), 100.0) if math.isfinite(number) else None


def _epoch(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
