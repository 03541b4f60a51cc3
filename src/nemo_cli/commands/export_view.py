"""What `nemo export` shows while the render flow works, and the record `--json` prints.

On a terminal a bar follows the render (the service's progress and the time left at its rate), then one
follows the download; elsewhere a line per change of the render's status or percent. Notes go to stderr
as info lines, warnings as warnings: stdout is left to the result (or to the video itself, with -o -).
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nemo_cli.flows.observe import Observer
from nemo_cli.flows.render.watch import Eta, duration

if TYPE_CHECKING:
    from nemo_cli.context import Context


class ExportView(Observer):
    """The render flow's observer for the terminal; use it as a context manager (it closes its bars)."""

    def __init__(self, ctx: "Context") -> None:
        self.out = ctx.out
        self.last: Any = None  # the last render state seen: a failed render's record is printed from it
        self._bars = ExitStack()
        self._bar: Any = None
        self._phase = ""
        self._shown: tuple[str, int] | None = None
        self._remaining = Remaining()

    def __enter__(self) -> "ExportView":
        return self

    def __exit__(self, *exc: Any) -> None:
        self._close()

    def _open(self, phase: str, description: str, total: int | None, unit: str = "bytes") -> None:
        self._close()
        self._bar = self._bars.enter_context(self.out.progress(description, total, unit=unit))
        self._phase = phase

    def _close(self) -> None:
        self._bars.close()
        self._bars = ExitStack()
        self._bar, self._phase = None, ""

    def event(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "render" and data.get("elapsed") is not None:
            self._looked(data)
        elif kind == "render":
            self.last = data.get("state")
        elif kind == "download":
            self._open("download", f"downloading {data['to']}", None)
        elif kind == "downloaded":
            self._close()

    def _looked(self, data: dict[str, Any]) -> None:
        render_id, status, progress, elapsed = data["render_id"], data["status"], data["progress"], data["elapsed"]
        self.last = data.get("state")
        if self._phase != "render":
            self._open("render", f"rendering {render_id}", 100, unit="percent")
        pct = progress if progress is not None else (100 if data["ended"] == "completed" else 0)
        if self._bar.active:
            left = self._remaining.update(elapsed, progress) if data["ended"] is None else None
            self._bar.update(completed=pct, description=f"rendering {render_id} ({status})", note=left_text(left), refresh=True)
            return
        seen = (status, int(pct))
        if seen != self._shown:
            self._shown = seen
            said = f" {pct:.0f}%" if progress is not None else ""
            self.out.info(f"render {render_id}: {status}{said} ({duration(elapsed)})")

    def progress(self, done: float, total: float | None = None, label: str = "") -> None:
        if label == "downloading" and self._phase == "download":
            self._bar.update(completed=done, total=total)

    def status(self, text: str) -> None:
        self._close()
        self.out.info(text)

    def warn(self, text: str, hint: str | None = None) -> None:
        self.out.warn(text)
        if hint:
            self.out.hint(hint)


@dataclass
class Remaining:
    """The time left that the progress bar shows: Eta's prediction each time the service's progress moves,
    counted down by the clock between moves (a render reports progress in steps); None before the first
    prediction or once the progress is unknown."""

    eta: Eta = field(default_factory=Eta)
    said: tuple[float, float] | None = None  # (when, seconds left) of the last prediction

    def update(self, when: float, progress: float | None) -> float | None:
        predicted = self.eta.update(when, progress)
        if predicted is not None:
            self.said = (when, predicted)
            return predicted
        if self.said is None or progress is None:
            return None
        at, left = self.said
        return max(0.0, left - (when - at))


def left_text(seconds: float | None) -> str:
    """`about 1m20s left`, `a few seconds left`, or nothing when there is no estimate."""
    if seconds is None:
        return ""
    if seconds < 5:
        return "a few seconds left"
    return f"about {duration(seconds)} left"


def document(render_id: str, status: Any, stored: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The render record `--json` prints: render_id, session_id, status, url, path, bytes, sha256, seconds,
    link… `id` and `session` repeat render_id and session_id: the names of earlier releases, kept for one.
    `status`: the render's state as last seen (None: the store's word only)."""
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
