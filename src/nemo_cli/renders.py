"""A render's life as the CLI sees it: the output options, a fresh id, the submit (retried once with a
new id, as the contract asks), the store record that keeps it from being orphaned, where the file goes,
its delivery, and the record `--json` prints. `export` uses all of it; `batch` and `chat` can too.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemo_cli import errors

if TYPE_CHECKING:
    from nemo_cli.api.download import Result
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


def output_options(fmt: str = "mp4", quality: str = "high", resolution: str | None = None, fps: float | None = None) -> dict[str, Any]:
    """The render's `output`: format and quality as the contract shows, resolution and fps when asked."""
    out: dict[str, Any] = {"format": fmt, "quality": quality}
    if resolution is not None:
        out["resolution"] = _resolution(resolution)
        if "x" in out["resolution"]:
            width, height = (int(n) for n in out["resolution"].split("x"))
            out["width"], out["height"] = width, height
    if fps is not None:
        if not 1 <= fps <= 120:
            raise errors.UsageError(f"--fps must be between 1 and 120, not {fps:g}")
        out["fps"] = int(fps) if float(fps).is_integer() else fps
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


def submit(
    ctx: "Context", session_id: str, draft: dict[str, Any], output: dict[str, Any], *, dest: "Destination | None" = None
) -> "RenderStatus":
    """Start a render and record it (with where it will go); a failed submit is retried once, with a new id."""
    from nemo_cli.credentials import now_iso

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
            ctx.out.warn(f"starting the render failed ({exc.message}); trying once more with a new id")
            continue
        started.id = started.id or render_id
        path = str(dest.path(started.id)) if dest is not None and not dest.stdout else None
        # what was asked of the picture, to compare with the file that comes back
        asked = {k: output.get(k) for k in ("resolution", "fps")}
        record(ctx, started.id, session=session_id, created=now_iso(), status=started.status, output=path, **asked)
        return started
    raise AssertionError("unreachable")


def record(ctx: "Context", render_id: str, **fields: Any) -> None:
    with ctx.store.edit() as prof:
        prof.record_render(render_id, **fields)


def known(ctx: "Context", render_id: str) -> dict[str, Any]:
    return ctx.profile().renders.get(render_id, {})


# -- where the file goes -------------------------------------------------------------------------


@dataclass
class Destination:
    """`-o PATH`: a file, a directory (a file named after the render goes inside), or `-` (stdout)."""

    given: str
    force: bool = False

    @property
    def stdout(self) -> bool:
        return self.given == "-"

    def check(self, ctx: "Context") -> None:
        """Everything that can be refused before a render is started or a byte is fetched."""
        if self.stdout:
            if ctx.out.json_mode:
                raise errors.UsageError("-o - writes the video to stdout, which --json needs for the record")
            if ctx.terminal.stdout_tty:
                raise errors.UsageError("refusing to write a video to the terminal", hint="pipe it (`-o - | …`) or give a file with -o")
            return
        path = Path(self.given).expanduser()
        if self._is_dir(path):
            return
        if not path.parent.is_dir():
            raise errors.BadInput(f"no such directory: {path.parent}", hint="create it first, or choose another path with -o")
        from nemo_cli.files import check_target

        check_target(path, self.force)

    def path(self, render_id: str, fmt: str = "mp4") -> Path:
        """The file to write; a directory gets `<render id>.<format>` inside it."""
        path = Path(self.given).expanduser()
        if self._is_dir(path):
            path = path / f"{render_id}.{fmt}"
        return Path(os.path.abspath(path))

    def _is_dir(self, path: Path) -> bool:
        if self.given.endswith(("/", os.sep)) and not path.is_dir():
            raise errors.BadInput(f"no such directory: {path}", hint="create it first, or choose another path with -o")
        return path.is_dir()


def deliver(ctx: "Context", status: "RenderStatus", dest: Destination, resume: str) -> "Result":
    """Download a completed render to its destination, resuming a kept `.part`, and record where it went.
    `resume` is the command that picks it up again if the download fails."""
    import sys

    from nemo_cli.api.download import Fetch
    from nemo_cli.files import FileTarget, StreamTarget, check_target

    render_id = str(status.id)
    target: Any
    if dest.stdout:
        target = StreamTarget(sys.stdout.buffer, sha256=True)
    else:
        path = dest.path(render_id)
        check_target(path, dest.force)
        target = FileTarget(path, force=dest.force, sha256=True, mp4=True)  # recorded for every download (export list)
    prior = known(ctx, render_id)
    label = "stdout" if dest.stdout else target.path.name
    with ctx.out.progress(f"downloading {label}", None) as bar:
        fetch = Fetch(
            ctx.client,
            render_id,
            status.url,
            target,
            validator=prior.get("validator") if not dest.stdout else None,
            remember=(lambda v: record(ctx, render_id, validator=v)) if not dest.stdout else (lambda v: None),
            progress=lambda done, total: bar.update(completed=done, total=total),
            attempts=max(1, int(ctx.settings.retries)),
            backoff=float(ctx.settings.retry_backoff),
            mp4=True,  # renders are MP4s: nothing else is ever saved under the video's name
        )
        try:
            result = fetch.run()
        except errors.NetworkError as exc:
            kept = target.have() if not dest.stdout else 0
            exc.hint = f"{kept} bytes are kept in {target.part}; `{resume}` resumes from there" if kept else f"try again: {resume}"
            raise
    if result.resumed_from:
        ctx.out.info(f"resumed after {result.resumed_from} bytes that were already there")
    if result.source == "api":
        ctx.out.info("fetched from the API's download endpoint (the result URL could not be fetched)")
    record(ctx, render_id, output=None if dest.stdout else result.path, bytes=result.bytes, sha256=result.sha256)
    return result


def examine(ctx: "Context", render_id: str, path: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The saved video's size and frame rate, read from its MP4 header, and how they differ from the
    size and rate asked for at submit (None when nothing was asked or nothing differs). A difference is
    said in a warning: the service may render at its own size or rate whatever the request said."""
    from nemo_cli import mp4

    video = mp4.probe(path)
    if video is None:
        return None, None
    asked = known(ctx, render_id)
    mismatch: dict[str, Any] = {}
    size, fps = asked.get("resolution"), asked.get("fps")
    if isinstance(size, str) and video.width and video.height and not _size_matches(size, video.width, video.height):
        mismatch["size"] = {"asked": size, "got": video.size}
    if _number(fps) and video.fps and abs(video.fps - float(fps)) > 0.01 * float(fps):
        mismatch["fps"] = {"asked": fps, "got": video.public()["fps"]}
    if mismatch:
        said = [f"{m['got']}, not {m['asked']}" for m in [mismatch.get("size")] if m]
        said += [f"{m['got']} fps, not {m['asked']}" for m in [mismatch.get("fps")] if m]
        ctx.out.warn(f"the video differs from what was asked: {'; '.join(said)}")
    return video.public(), mismatch or None


def _size_matches(asked: str, width: int, height: int) -> bool:
    """`1080p`/`720p` name the short side (either orientation); `WxH` is exact."""
    value = asked.strip().lower()
    if value.endswith("p") and value[:-1].isdigit():
        return min(width, height) == int(value[:-1])
    match = re.fullmatch(r"(\d+)x(\d+)", value)
    return match is None or (int(match.group(1)), int(match.group(2))) == (width, height)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def resume_command(ctx: "Context", render_id: str, dest: Destination | None) -> str:
    """The exact command that picks a render up again after Ctrl-C, a timeout or a broken download."""
    words = ["nemo"]
    if ctx.profile_name != "default":
        words += ["--profile", ctx.profile_name]
    words += ["export", "wait", render_id]
    if dest is not None:
        words += ["-o", "-" if dest.stdout else str(dest.path(render_id))]
        if dest.force:
            words.append("--force")
    return " ".join(shlex.quote(w) for w in words)


# -- the record --------------------------------------------------------------------------------


def document(render_id: str, status: "RenderStatus | None", stored: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The render record `--json` prints: render_id, session_id, status, url, path, bytes, sha256, seconds,
    link… `id` and `session` repeat render_id and session_id: the names of earlier releases, kept for one."""
    seconds = None
    if status is not None and status.created_at and status.completed_at:
        seconds = round((status.completed_at - status.created_at) / 1000, 1)
    doc = {
        "render_id": render_id,
        "session_id": stored.get("session"),
        "id": render_id,
        "session": stored.get("session"),
        "status": status.status if status is not None else stored.get("status"),
        "progress": status.progress if status is not None else None,
        "url": (status.url if status is not None else None) or stored.get("url"),
        "error": status.error if status is not None and status.error else None,
        "created": stored.get("created"),
        "path": stored.get("output"),
        "bytes": stored.get("bytes"),
        "sha256": stored.get("sha256"),
        "seconds": seconds,
        "link": None,
    }
    doc.update({k: v for k, v in extra.items() if v is not None})
    return doc


def link(ctx: "Context", session_id: str | None) -> str | None:
    """The project's browser link, or None when it cannot be had (it never fails a delivered export)."""
    if not session_id or not isinstance(session_id, str):  # a store edited by hand may hold anything here
        return None
    try:
        from nemo_cli.credentials import browser_link

        return browser_link(ctx.client, ctx.sessions.facts(session_id), session_id, ctx.web_url())[0]
    except errors.NemoError as exc:
        ctx.out.info(f"(no browser link: {exc.message})")
        return None
