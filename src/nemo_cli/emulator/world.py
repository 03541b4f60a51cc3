"""What the emulated service knows: users and their credits, tokens, sessions with their state, uploaded
media, renders. Plain data behind one lock (the event loop and the render threads both touch it); no HTTP
here, so tests can read and arrange it directly through `emu.world`."""

from __future__ import annotations

import copy
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

WEEK = 7 * 24 * 3600
SCOPES = ("read", "write", "upload", "render")


class Refused(Exception):
    """A request the service turns down: a service code and/or an HTTP status, and a message."""

    def __init__(self, message: str, *, code: int | None = None, status: int = 200, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.headers = headers or {}


@dataclass
class User:
    id: str
    available: int
    frozen: int = 0
    free_plan: bool = False
    client_id: str | None = None  # anonymous users are bound to the client id that asked


@dataclass
class Token:
    value: str
    user_id: str
    kind: str  # "anonymous" | "user"
    issued: float
    expires: float | None
    scopes: tuple[str, ...] = ("*",)
    revoked: bool = False

    def allows(self, scope: str) -> bool:
        return "*" in self.scopes or scope in self.scopes


@dataclass
class MediaFile:
    id: str
    user_id: str
    path: Path
    filename: str
    file_type: str
    duration: float | None
    width: int | None
    height: int | None
    fps: float | None
    hash: str
    has_audio: bool
    cdn_url: str

    def info(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "filename": self.filename,
            "file_type": self.file_type,
            "cdn_url": self.cdn_url,
            "duration": self.duration,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "hash": self.hash,
        }


@dataclass
class Session:
    id: str
    task_id: str
    user_id: str
    name: str
    language: str
    state: dict[str, Any]
    claim_tokens: list[str] = field(default_factory=list)
    question: dict[str, Any] | None = None  # what the agent asked and waits on (agent.Turn.pending)


@dataclass
class Render:
    id: str
    session_id: str
    user_id: str
    draft: dict[str, Any]
    output: dict[str, Any]
    created_ms: int
    status: str = "pending"  # pending | processing | completed | failed | cancelled
    started: float | None = None  # monotonic, when processing began
    completed_ms: int | None = None
    error: str | None = None
    progress_at_end: int = 0  # where a failed or cancelled render stopped
    path: Path | None = None
    fail_with: str | None = None  # an injected failure: the render fails with this text
    cancel: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)


def empty_state() -> dict[str, Any]:
    return {
        "draft": {"t": [], "d": 0, "x_emu": {"rev": 0}},
        "video_infos": [],
        "canvas_config": {"width": 1920, "height": 1080, "aspect_ratio": "16:9"},
        "generated_media": [],
        "x_emu_revision": 0,
    }


class World:
    def __init__(self, *, credits: int = 100, free_plan: bool = False, ip_limit: int | None = None) -> None:
        self.lock = threading.RLock()
        self.initial_credits = credits
        self.free_plan = free_plan
        self.ip_limit = ip_limit
        self.clear()

    def clear(self) -> None:
        """Forget every user, token, session, upload and render; the clock goes back to now."""
        self.offset = 0.0  # seconds added to the clock: `advance()` lets tests outlive a token
        self.users: dict[str, User] = {}
        self.tokens: dict[str, Token] = {}
        self.claims: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, Session] = {}
        self.media: dict[str, MediaFile] = {}
        self.renders: dict[str, Render] = {}
        self.issued_by_ip: dict[str, list[float]] = {}

    # -- time ----------------------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the service's clock forward (token expiry, rate windows)."""
        with self.lock:
            self.offset += seconds

    # -- tokens --------------------------------------------------------------------------------
    def anonymous_token(self, client_id: str, ip: str) -> tuple[Token, User]:
        """One token per client id per week (a new one once the last expired), and the per-IP limit. Past
        either: HTTP 429 with Retry-After, the seconds until a new token can be had."""
        with self.lock:
            now = self.now()
            user = next((u for u in self.users.values() if u.client_id == client_id), None)
            if user is not None:
                live = [t for t in self.tokens.values() if t.user_id == user.id and t.kind == "anonymous" and self._live(t, now)]
                if live:
                    raise Refused(
                        "this client id already has a token for this week; reuse it, or ask again once it expires",
                        code=429,
                        status=429,
                        headers=_retry_after(max(t.expires or now for t in live) - now),
                    )
            if self.ip_limit is not None:
                recent = [t for t in self.issued_by_ip.get(ip, []) if now - t < WEEK]
                if len(recent) >= self.ip_limit:
                    raise Refused(
                        f"too many anonymous tokens from this address ({self.ip_limit} per week)",
                        code=429,
                        status=429,
                        headers=_retry_after(min(recent) + WEEK - now),
                    )
                self.issued_by_ip[ip] = [*recent, now]
            if user is None:
                user = User(id=f"usr_{uuid.uuid4().hex[:16]}", available=self.initial_credits, free_plan=self.free_plan, client_id=client_id)
                self.users[user.id] = user
            token = Token(f"nmv_usr_{secrets.token_urlsafe(24)}", user.id, "anonymous", now, now + WEEK)
            self.tokens[token.value] = token
            return token, user

    def add_user(self, *, credits: int | None = None, free_plan: bool = False, scopes: tuple[str, ...] = ("*",)) -> str:
        """A registered user with a token of their own (what `nemo auth login TOKEN` is given)."""
        with self.lock:
            user = User(id=f"usr_{uuid.uuid4().hex[:16]}", available=self.initial_credits if credits is None else credits, free_plan=free_plan)
            self.users[user.id] = user
            token = Token(f"nmv_usr_{secrets.token_urlsafe(24)}", user.id, "user", self.now(), None, tuple(scopes))
            self.tokens[token.value] = token
            return token.value

    def expire(self, value: str) -> bool:
        """Make a token expired now (the 1001 fault); False if there is no such token."""
        with self.lock:
            token = self.tokens.get(value)
            if token is None:
                return False
            token.expires = self.now() - 1
            return True

    def _live(self, token: Token, now: float) -> bool:
        return not token.revoked and (token.expires is None or token.expires > now)

    def authenticate(self, header: str | None, scope: str) -> Token:
        """The token behind an Authorization header, or Refused (1001 / HTTP 401, or 403 for a scope)."""
        scheme, _, value = (header or "").partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value:
            raise Refused("missing bearer token", code=1001, status=401)
        with self.lock:
            if value in self.claims:
                raise Refused("a claim token has no API access", code=1001, status=401)
            token = self.tokens.get(value)
            if token is None:
                raise Refused("token invalid", code=1001, status=401)
            if not self._live(token, self.now()):
                raise Refused("token expired", code=1001, status=401)
            if not token.allows(scope):
                raise Refused(f"the token lacks the {scope} scope", code=403, status=403)
            return token

    def user(self, user_id: str) -> User:
        return self.users[user_id]

    # -- sessions ------------------------------------------------------------------------------
    def new_session(self, user_id: str, name: str, language: str) -> Session:
        with self.lock:
            sid = str(secrets.randbelow(9 * 10**18) + 10**18)  # 19 digits, like the service's
            session = Session(sid, f"task_{uuid.uuid4().hex[:20]}", user_id, name, language, empty_state())
            self.sessions[sid] = session
            return session

    def session(self, sid: str, user_id: str) -> Session:
        with self.lock:
            session = self.sessions.get(str(sid))
            if session is None or session.user_id != user_id:
                raise Refused("session not found", code=1002, status=200)
            return session

    def claim(self, session: Session) -> tuple[str, int]:
        with self.lock:
            value = f"clm_{secrets.token_urlsafe(18)}"
            self.claims[value] = {"session_id": session.id, "task_id": session.task_id, "expires": self.now() + WEEK}
            session.claim_tokens.append(value)
            return value, WEEK

    def state(self, session: Session) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(session.state)

    def set_question(self, session: Session, question: dict[str, Any] | None) -> None:
        """What the agent now waits on (None: nothing): the session's next message may answer it."""
        with self.lock:
            session.question = copy.deepcopy(question)

    def set_draft(self, session: Session, draft: dict[str, Any]) -> None:
        with self.lock:
            state = session.state
            state["x_emu_revision"] = int(state.get("x_emu_revision", 0)) + 1
            draft = copy.deepcopy(draft)
            draft.setdefault("x_emu", {})
            if isinstance(draft["x_emu"], dict):
                draft["x_emu"]["rev"] = state["x_emu_revision"]
            state["draft"] = draft

    # -- credits -------------------------------------------------------------------------------
    def hold(self, user_id: str, cost: int) -> None:
        """Reserve `cost` as frozen for a run, or refuse with 2001."""
        with self.lock:
            user = self.users[user_id]
            if cost > user.available:
                raise Refused(f"insufficient credits: this needs {cost}, {user.available} available", code=2001, status=200)
            user.available -= cost
            user.frozen += cost

    def charge(self, user_id: str, cost: int) -> None:
        with self.lock:
            self.users[user_id].frozen -= cost

    def balance(self, user_id: str) -> dict[str, int]:
        with self.lock:
            user = self.users[user_id]
            return {"available": user.available, "frozen": user.frozen, "total": user.available + user.frozen}

    # -- media ---------------------------------------------------------------------------------
    def add_media(self, session: Session, media: MediaFile) -> None:
        """Record an upload and put it on the session's timeline: a video or image at the end of the video
        track, a sound file on an audio track of its own."""
        with self.lock:
            self.media[media.id] = media
            state = session.state
            state["video_infos"].append(media.info())
            draft = copy.deepcopy(state["draft"])
            tracks = draft.setdefault("t", [])
            if media.file_type == "audio":
                ms = int(round((media.duration or 0) * 1000))
                tracks.append(
                    {
                        "id": f"trk_audio_{media.id[-6:]}",
                        "tt": 1,
                        "m": {"title": media.filename, "kind": "audio", "volume": 100},
                        "sg": [{"id": f"seg_{uuid.uuid4().hex[:10]}", "st": 0, "d": ms, "src": media.id, "in": 0, "m": {"title": media.filename}}],
                    }
                )
            else:
                video = next((t for t in tracks if isinstance(t, dict) and t.get("tt") == 0), None)
                if video is None:
                    video = {"id": "trk_video", "tt": 0, "m": {"title": Path(media.filename).stem}, "sg": []}
                    tracks.insert(0, video)
                    if media.width and media.height:
                        state["canvas_config"] = {"width": media.width, "height": media.height, "aspect_ratio": _aspect(media.width, media.height)}
                segments = video.setdefault("sg", [])
                start = sum(int(s.get("d", 0)) for s in segments)
                ms = int(round((media.duration or 3.0) * 1000)) if media.file_type == "video" else 3000
                segments.append(
                    {
                        "id": f"seg_{uuid.uuid4().hex[:10]}",
                        "st": start,
                        "d": ms,
                        "src": media.id,
                        "in": 0,
                        "m": {"title": media.filename, "width": media.width, "height": media.height},
                    }
                )
            draft["d"] = max([_end(t) for t in tracks if isinstance(t, dict)] or [0])
            self.set_draft(session, draft)

    # -- renders -------------------------------------------------------------------------------
    def add_render(self, render: Render) -> None:
        with self.lock:
            if render.id in self.renders:
                raise Refused(f"a render with id {render.id} exists already; use a new id", status=409)
            self.renders[render.id] = render

    def render(self, render_id: str, user_id: str) -> Render:
        with self.lock:
            render = self.renders.get(render_id)
            if render is None or render.user_id != user_id:
                raise Refused("render not found", status=404)
            return render

    def stamp(self) -> int:
        return int(self.now() * 1000)

    def iso(self, epoch: float) -> str:
        return datetime.fromtimestamp(epoch, timezone.utc).isoformat().replace("+00:00", "Z")


def _retry_after(seconds: float) -> dict[str, str]:
    import math

    return {"Retry-After": str(max(1, math.ceil(seconds)))}


def _end(track: dict[str, Any]) -> int:
    ends = [int(s.get("st", 0)) + int(s.get("d", 0)) for s in track.get("sg", []) if isinstance(s, dict)]
    return max(ends or [0])


def _aspect(width: int, height: int) -> str:
    from math import gcd

    g = gcd(width, height) or 1
    return f"{width // g}:{height // g}"
