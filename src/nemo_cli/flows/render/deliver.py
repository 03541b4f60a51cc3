"""Delivering a finished render: where the file goes (`Destination`, built and checked once from `-o`),
the download (resuming a kept `.part`), the record of where it went with its size and sha256, what the
saved MP4 says of its size and frame rate, and the project's browser link (asked while the video
downloads, since it costs a request of its own).
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from nemo_cli import errors
from nemo_cli.flows.observe import Observer
from nemo_cli.flows.render.submit import record, resume_command, stored

if TYPE_CHECKING:
    from nemo_cli.api.models import RenderStatus
    from nemo_cli.context import Context


@dataclass(frozen=True)
class Destination:
    """`-o PATH`: a file, a directory (a file named after the render goes inside), or `-` (stdout). Made
    with `Destination.of`, which refuses (BadInput) what can be refused before a render is started or a
    byte is fetched; the file inside a directory is checked when its name is known, at delivery."""

    given: str
    force: bool = False
    file: Path | None = None  # -o named a file
    directory: Path | None = None  # -o named a directory

    @classmethod
    def of(cls, given: str, force: bool = False) -> "Destination":
        if given == "-":
            return cls(given, force)
        path = Path(given).expanduser()
        if given.endswith(("/", os.sep)) and not path.is_dir():
            raise errors.BadInput(f"no such directory: {path}", hint="create it first, or choose another path with -o")
        if path.is_dir():
            return cls(given, force, directory=Path(os.path.abspath(path)))
        if not path.parent.is_dir():
            raise errors.BadInput(f"no such directory: {path.parent}", hint="create it first, or choose another path with -o")
        from nemo_cli.files import check_target

        file = Path(os.path.abspath(path))
        check_target(file, force)
        return cls(given, force, file=file)

    @property
    def stdout(self) -> bool:
        return self.given == "-"

    def path(self, render_id: str, fmt: str = "mp4") -> Path:
        """The file to write; a directory gets `<render id>.<format>` inside it."""
        if self.directory is not None:
            return self.directory / f"{render_id}.{fmt}"
        if self.file is None:
            raise ValueError("stdout has no path")
        return self.file


@dataclass
class Delivered:
    """How a finished render was delivered. `path`: the file written, "-" for stdout, None when nothing
    was downloaded (no destination given)."""

    render_id: str
    state: "RenderStatus"
    path: str | None = None
    bytes: int | None = None
    sha256: str | None = None
    source: str | None = None  # "cdn" or "api"
    resumed_from: int = 0
    video: dict[str, Any] | None = None  # the saved MP4's size and frame rate
    mismatch: dict[str, Any] | None = None  # how they differ from what was asked
    link: str | None = None  # the project in the browser, when asked for and known
    seconds: float | None = None  # how long the render took, when known


def deliver(
    ctx: "Context",
    state: "RenderStatus",
    destination: Destination | None,
    observer: Observer,
    *,
    force: bool = False,
    link: bool = False,
    resume: str | None = None,
) -> Delivered:
    """Download a completed render to `destination` (None: download nothing), record where it went, and
    look at what arrived; with `link`, ask for the browser link meanwhile. `force` overwrites as
    `Destination.of(…, force=True)` does; `resume` is the command the hints name."""
    render_id = str(state.id)
    if force and destination is not None and not destination.force:
        destination = Destination(destination.given, True, destination.file, destination.directory)
    resume = resume or resume_command(ctx, render_id, destination)
    session = stored(ctx, render_id).get("session")
    link_of = _in_background(lambda: browser_link(ctx, session)) if link else lambda: (None, None)
    done = Delivered(render_id, state, seconds=_seconds(state))
    if destination is not None:
        try:
            result = _fetch(ctx, state, destination, observer, resume)
        except KeyboardInterrupt:
            kept = "" if destination.stdout else "; what arrived is kept"
            raise errors.Interrupted(f"stopped downloading render {render_id}{kept}", hint=f"resume: {resume}") from None
        done.path, done.bytes, done.sha256 = result.path, result.bytes, result.sha256
        done.source, done.resumed_from = result.source, result.resumed_from
    done.link, problem = link_of()
    if problem:
        observer.status(f"(no browser link: {problem})")
    if done.path is not None:
        observer.status(f"saved {'to stdout' if done.path == '-' else done.path} ({done.bytes / 1e6:.1f} MB)")
        if done.path != "-":
            done.video, done.mismatch = examine(ctx, render_id, done.path, observer)
    return done


def _fetch(ctx: "Context", status: "RenderStatus", dest: Destination, observer: Observer, resume: str) -> Any:
    """The download itself, resuming a kept `.part`; records the validator that lets a later run resume."""
    import sys

    from nemo_cli.api.download import Fetch
    from nemo_cli.files import FileTarget, StreamTarget, check_target

    render_id = str(status.id)
    target: Any
    if dest.stdout:
        target = StreamTarget(sys.stdout.buffer, sha256=True)
    else:
        path = dest.path(render_id)
        if dest.directory is not None:  # a file named -o was checked when the Destination was made
            check_target(path, dest.force)
        target = FileTarget(path, force=dest.force, sha256=True, mp4=True)  # recorded for every download (export list)
    prior = stored(ctx, render_id)
    observer.event("download", {"render_id": render_id, "to": "stdout" if dest.stdout else target.path.name})
    fetch = Fetch(
        ctx.client,
        render_id,
        status.url,
        target,
        validator=prior.get("validator") if not dest.stdout else None,
        remember=(lambda v: record(ctx, render_id, validator=v)) if not dest.stdout else (lambda v: None),
        progress=lambda done, total: observer.progress(done, total, "downloading"),
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
    observer.event("downloaded", {"render_id": render_id, "bytes": result.bytes})
    if result.resumed_from:
        observer.status(f"resumed after {result.resumed_from} bytes that were already there")
    if result.source == "api":
        observer.status("fetched from the API's download endpoint (the result URL could not be fetched)")
    record(ctx, render_id, output=None if dest.stdout else result.path, bytes=result.bytes, sha256=result.sha256)
    return result


def _seconds(state: "RenderStatus") -> float | None:
    if state.created_at and state.completed_at:
        return round((state.completed_at - state.created_at) / 1000, 1)
    return None


def examine(
    ctx: "Context", render_id: str, path: str, observer: Observer
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The saved video's size and frame rate, read from its MP4 header, and how they differ from the
    size and rate asked for at submit (None when nothing was asked or nothing differs). A difference is
    said in a warning: the service may render at its own size or rate whatever the request said."""
    from nemo_cli import mp4

    video = mp4.probe(path)
    if video is None:
        return None, None
    asked = stored(ctx, render_id)
    mismatch: dict[str, Any] = {}
    size, fps = asked.get("resolution"), asked.get("fps")
    if isinstance(size, str) and video.width and video.height and not _size_matches(size, video.width, video.height):
        mismatch["size"] = {"asked": size, "got": video.size}
    if _number(fps) and video.fps and abs(video.fps - float(fps)) > 0.01 * float(fps):
        mismatch["fps"] = {"asked": fps, "got": video.public()["fps"]}
    if mismatch:
        said = [f"{m['got']}, not {m['asked']}" for m in [mismatch.get("size")] if m]
        said += [f"{m['got']} fps, not {m['asked']}" for m in [mismatch.get("fps")] if m]
        observer.warn(f"the video differs from what was asked: {'; '.join(said)}")
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


def browser_link(ctx: "Context", session_id: Any) -> tuple[str | None, str | None]:
    """(the project's browser link, None) or (None, why there is none): it never fails a delivered render."""
    if not session_id or not isinstance(session_id, str):  # a store edited by hand may hold anything here
        return None, None
    try:
        from nemo_cli.credentials import browser_link as link_of

        return link_of(ctx.client, ctx.sessions.facts(session_id), session_id, ctx.web_url())[0], None
    except errors.NemoError as exc:
        return None, exc.message


def _in_background(work: Callable[[], Any]) -> Callable[[], Any]:
    """Start `work()` on a thread; the returned function waits for its value (or raises its error)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # handed to the caller, who decides
            box["error"] = exc

    thread = threading.Thread(target=run, name="nemo-link", daemon=True)
    thread.start()

    def result() -> Any:
        thread.join()
        if "error" in box:
            raise box["error"]
        return box.get("value")

    return result
