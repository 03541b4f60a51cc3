"""Starting a render and keeping its record: the output options, a fresh id, the submit (retried once with
a new id, as the contract asks), the store record that keeps it from being orphaned, one status look, a
cancel, and the command that picks a render up again (named in every hint that leaves it going on).

A render that could not be recorded is never started: a store whose renders table is malformed refuses
(its ConfigError) before a request is sent, and so does a cancel.
"""

from __future__ import annotations

import re
import secrets
import shlex
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from nemo_cli import errors
from nemo_cli.flows.observe import SILENT, Observer

if TYPE_CHECKING:
    from nemo_cli.api.models import RenderStatus
    from nemo_cli.context import Context

FORMATS = ("mp4",)
QUALITIES = ("low", "medium", "high")
RESOLUTIONS = ("1080p", "720p")
MAX_SIDE, MAX_SHORT_SIDE = 1920, 1080  # renders go up to 1080×1920
# Submit failures that a second try cannot fix
_DEFINITIVE = (errors.PlanLimit, errors.AuthError, errors.SessionNotFound, errors.OutOfCredits, errors.BadInput, errors.RateLimited)


def new_id() -> str:
    """`render_<epoch ms>_<random>`: unique per submit, sortable by time."""
    return f"render_{int(time.time() * 1000)}_{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Options:
    """What the video should be. Checked when made (a UsageError names the bad value), so a bad option
    stops before a request is sent."""

    format: str = "mp4"
    quality: str = "high"
    resolution: str | None = None  # 1080p, 720p or WIDTHxHEIGHT (default: the canvas)
    fps: float | None = None  # 1-120 (default: the canvas)

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise errors.UsageError(f"not a format: {self.format!r}", hint=f"use {', '.join(FORMATS)}")
        if self.quality not in QUALITIES:
            raise errors.UsageError(f"not a quality: {self.quality!r}", hint=f"use {', '.join(QUALITIES)}")
        self.output()

    def output(self) -> dict[str, Any]:
        """The render's `output`: format and quality as the contract shows, resolution and fps when asked."""
        out: dict[str, Any] = {"format": self.format, "quality": self.quality}
        if self.resolution is not None:
            out["resolution"] = _resolution(self.resolution)
            if "x" in out["resolution"]:
                width, height = (int(n) for n in out["resolution"].split("x"))
                out["width"], out["height"] = width, height
        if self.fps is not None:
            if not 1 <= self.fps <= 120:
                raise errors.UsageError(f"--fps must be between 1 and 120, not {self.fps:g}")
            out["fps"] = int(self.fps) if float(self.fps).is_integer() else self.fps
        return out


def _resolution(text: str) -> str:
    value = text.strip().lower().replace("×", "x")
    if value in RESOLUTIONS:
        return value
    match = re.fullmatch(r"(\d{2,4})x(\d{2,4})", value)
    if not match:
        raise errors.UsageError(f"not a resolution: {text!r}", hint="use 1080p, 720p or WIDTHxHEIGHT (e.g. 1080x1920)")
    width, height = int(match.group(1)), int(match.group(2))
    if width % 2 or height % 2 or min(width, height) < 16:
        raise errors.UsageError(f"{text}: width and height must be even and at least 16 (H.264)")
    if max(width, height) > MAX_SIDE or min(width, height) > MAX_SHORT_SIDE:
        raise errors.UsageError(f"{text}: renders go up to {MAX_SHORT_SIDE}x{MAX_SIDE} (either way round)")
    return f"{width}x{height}"


@dataclass
class Render:
    """A render this process started (and recorded)."""

    id: str
    session_id: str
    status: str  # as the service said at submit: usually pending
    state: "RenderStatus"
    submitted: float  # time.monotonic() just before the submit, to time the whole render


def can_record(ctx: "Context") -> None:
    """A store whose renders table is broken refuses (ConfigError) before a render is started or cancelled:
    the change would happen on the service with no record of it here."""
    ctx.profile().renders


def submit(
    ctx: "Context",
    session_id: str,
    options: Options,
    *,
    draft: "dict[str, Any] | str | Path | None" = None,
    destination: Any = None,
    observer: Observer = SILENT,
) -> Render:
    """Start a render of `draft` (a dict, a file saved with `nemo state --draft` or "-" for stdin; default:
    the session's current draft) and record it, with where it will go (`destination`, a Destination); a
    failed submit is retried once, with a new id."""
    from nemo_cli import draft as timeline
    from nemo_cli.credentials import now_iso

    can_record(ctx)
    if draft is None:
        draft = ctx.client.state(session_id).draft
    elif not isinstance(draft, dict):
        draft = read_draft(Path(draft))
    if not timeline.is_ready(draft):
        raise errors.BadInput(
            "nothing to export yet: upload or generate first",
            hint="`nemo upload FILE` or `nemo edit \"…\"`, then check with `nemo state`",
        )
    output = options.output()
    submitted = time.monotonic()
    for attempt in (1, 2):
        render_id = new_id()
        body = {"id": render_id, "sessionId": session_id, "draft": draft, "output": output}
        try:
            started = ctx.client.render_start(body)
        except errors.PlanLimit as exc:
            raise errors.PlanLimit(
                "this plan cannot export: the service refused the render (HTTP 402)", status=exc.status
            ) from None
        except errors.NemoError as exc:
            if attempt == 2 or isinstance(exc, _DEFINITIVE):
                raise
            observer.warn(f"starting the render failed ({exc.message}); trying once more with a new id")
            continue
        started.id = started.id or render_id
        path = str(destination.path(started.id)) if destination is not None and not destination.stdout else None
        # what was asked of the picture, to compare with the file that comes back
        asked = {k: output.get(k) for k in ("resolution", "fps")}
        record(ctx, started.id, session=session_id, created=now_iso(), status=started.status, output=path, **asked)
        return Render(id=started.id, session_id=session_id, status=started.status, state=started, submitted=submitted)
    raise AssertionError("unreachable")


def read_draft(path: Path) -> dict[str, Any]:
    """A draft saved with `nemo state --draft > FILE` (or a whole `nemo state --json`); `-` reads stdin."""
    import json
    import sys

    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise errors.BadInput(f"cannot read the draft {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise errors.BadInput(f"the draft {path} is not text") from None
    try:
        draft = json.loads(text)
    except ValueError as exc:
        raise errors.BadInput(f"the draft {path} is not JSON ({exc})", hint="save one with `nemo state --draft > FILE`") from None
    if isinstance(draft, dict) and isinstance(draft.get("draft"), dict) and "t" not in draft:
        draft = draft["draft"]  # a whole state (`nemo state --json`) works too
    if not isinstance(draft, dict):
        raise errors.BadInput(f"the draft {path} is not a JSON object", hint="save one with `nemo state --draft > FILE`")
    return draft


# -- the record ------------------------------------------------------------------------------------


def record(ctx: "Context", render_id: str, **fields: Any) -> None:
    with ctx.store.edit() as prof:
        prof.record_render(render_id, **fields)


def stored(ctx: "Context", render_id: str) -> dict[str, Any]:
    """What the store knows of a render (empty for one started elsewhere)."""
    return ctx.profile().renders.get(render_id, {})


# -- one look, a cancel ----------------------------------------------------------------------------


def look(ctx: "Context", render_id: str, *, remember: bool = True) -> "RenderStatus":
    """One status look; with `remember`, the store's record is brought up to date with it."""
    with render_errors(render_id):
        current = ctx.client.render_status(render_id)
    if remember:
        record(ctx, render_id, status=current.status, url=current.url, error=current.error)
    return current


def cancel(ctx: "Context", render_id: str) -> "RenderStatus":
    """Cancel a render that has not ended, and record it (a render already ended is BadInput)."""
    from nemo_cli.api.models import RenderStatus

    can_record(ctx)
    with render_errors(render_id, ended=f"render {render_id} has already ended: nothing to cancel"):
        reply = ctx.client.render_cancel(render_id)
    if isinstance(reply, dict) and reply.get("status"):
        said = RenderStatus.from_reply(reply, render_id)
    else:
        said = RenderStatus(id=render_id, status="cancelled")
    record(ctx, render_id, status=said.status)
    return said


@contextmanager
def render_errors(render_id: str, *, ended: str | None = None) -> Iterator[None]:
    """The service's untyped answers about one render as bad input: 404 (no such render) and, where the
    caller says what it means, 409 (the render has already ended)."""
    try:
        yield
    except errors.NemoError as exc:
        if type(exc) is not errors.NemoError:
            raise
        if exc.status == 404:
            raise errors.BadInput(f"the service knows no render {render_id}", hint="`nemo export list` shows the renders started here") from None
        if exc.status == 409 and ended:
            raise errors.BadInput(ended, hint=f"`nemo export status {render_id}` shows how") from None
        raise


def resume_command(ctx: "Context", render_id: str, destination: Any) -> str:
    """The exact command that picks a render up again after Ctrl-C, a timeout or a broken download
    (`destination`: the Destination it was going to, or None)."""
    words = ["nemo"]
    if ctx.profile_name != "default":
        words += ["--profile", ctx.profile_name]
    words += ["export", "wait", render_id]
    if destination is not None:
        words += ["-o", "-" if destination.stdout else str(destination.path(render_id))]
        if destination.force:
            words.append("--force")
    return " ".join(shlex.quote(w) for w in words)
