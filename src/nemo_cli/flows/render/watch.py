"""Following a render to its end: the poll schedule and the watch loop.

The service's own advice (a look every 30 s) notices a finished render half a minute late. Instead:
- looks start quick (three times `export.poll_min`) and slow down with the time waited, up to
  `export.poll_max`, so a finished render is noticed within a few seconds;
- when the service's progress moves, it predicts the end: far from it, looks may stretch to
  STRETCH × poll_max (fewer requests on long renders); near it, they tighten back to poll_min;
- a Retry-After from the service is honoured; an interval given by the caller fixes it instead;
- a passing network error or 5xx is ridden out with a growing interval (for `export.error_grace`
  seconds since the last good look), never reported as a failed render.

`wait(ctx, render_id, observer)` returns the final state (completed, failed or cancelled), recorded in
the store, and raises RenderFailed for a failed or cancelled one, Timeout when the render outlives the
wait. Each look is told to the observer: `progress(percent, 100, "rendering")` and an event "render".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from nemo_cli import errors
from nemo_cli.flows.observe import Observer
from nemo_cli.flows.render.submit import look, record, resume_command

if TYPE_CHECKING:
    from nemo_cli.api.models import RenderStatus
    from nemo_cli.context import Context

STRETCH = 3.0  # far from a predicted end, looks may be this many times poll_max apart
FAILED = ("failed", "error", "errored")
CANCELLED = ("cancelled", "canceled")


def outcome(status: "RenderStatus") -> str | None:
    """completed | failed | cancelled, or None while the render goes on (pending is never done)."""
    if status.status == "completed":
        return "completed"
    if status.status in FAILED:
        return "failed"
    if status.status in CANCELLED:
        return "cancelled"
    return None


def check(status: "RenderStatus") -> "RenderStatus":
    """A completed render passes; a failed or cancelled one raises RenderFailed (exit 11)."""
    end = outcome(status)
    if end == "failed":
        raise errors.RenderFailed(
            f"render failed: {status.error or 'the service gave no reason'}",
            hint="look at the timeline with `nemo state`, adjust it with `nemo edit`, and export again",
        )
    if end == "cancelled":
        raise errors.RenderFailed(f"render {status.id} was cancelled", hint=None)
    return status


@dataclass
class Eta:
    """Seconds to the end, predicted from the service's progress; None when it cannot be told."""

    anchor: tuple[float, float] | None = None  # (when, progress) just before progress first moved
    moved: bool = False
    last: float | None = None

    def update(self, when: float, progress: float | None) -> float | None:
        if progress is None:
            return None
        fresh = self.last is not None and progress > self.last
        self.last = progress
        if self.anchor is None or (not self.moved and progress <= self.anchor[1]):
            self.anchor = (when, progress)  # still queued or not started: the clock starts later
            return None
        self.moved = True
        t0, p0 = self.anchor
        if not fresh or progress <= p0 or progress >= 100 or when <= t0:
            return None  # a stalled progress predicts nothing
        return (100 - progress) * (when - t0) / (progress - p0)


@dataclass
class Schedule:
    poll_min: float
    poll_max: float
    fixed: float | None = None

    def interval(self, elapsed: float, eta: float | None = None, failures: int = 0, advice: float | None = None) -> float:
        floor = max(self.poll_min, 0.01)
        if self.fixed is not None:
            wait = self.fixed
        else:
            # quick at first, slower later: over renders of 5-90 s this notices the end in under 3 s
            # (median) with fewer than 20 looks each, even when the service reports no progress
            wait = min(max(self.poll_max, floor), 3 * floor + elapsed / 8)
            if eta is not None:
                wait = min(max(eta / 2, floor), max(wait, self.poll_max * STRETCH))
        if failures:
            wait = min(max(wait, floor * 2**failures), max(wait, self.poll_max * STRETCH))
        if advice:
            wait = max(wait, advice)
        return wait


@dataclass
class Watch:
    """The loop, with its clock and sleep injectable for tests."""

    client: Any  # NemoClient
    render_id: str
    schedule: Schedule
    timeout: float
    error_grace: float
    resume: str = ""  # the command that picks the render up again, for the hints
    on_update: Callable[["RenderStatus", float], None] = lambda status, elapsed: None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    looks: int = field(default=0, init=False)

    def run(self) -> "RenderStatus":
        started = self.clock()
        last_ok = started
        eta = Eta()
        failures = 0
        while True:
            now = self.clock()
            status, advice, problem = self._look()
            elapsed = self.clock() - started
            if status is not None:
                failures, last_ok = 0, self.clock()
                self.on_update(status, elapsed)
                if outcome(status):
                    return status
                predicted = eta.update(now - started, status.progress)
            else:
                failures += 1
                predicted = None
                if self.clock() - last_ok > self.error_grace:
                    raise errors.NetworkError(
                        f"could not read the status of render {self.render_id} for {self.error_grace:.0f}s ({problem})",
                        hint=f"the render may well go on: {self.resume or f'nemo export wait {self.render_id}'}",
                    )
            left = started + self.timeout - self.clock()
            if left <= 0:
                raise errors.Timeout(
                    f"render {self.render_id} is not done after {duration(self.timeout)}"
                    + (f" (still {status.status})" if status is not None else ""),
                    hint=f"it goes on: {self.resume or f'nemo export wait {self.render_id}'}",
                )
            self.sleep(min(self.schedule.interval(elapsed, predicted, failures, advice), left))

    def _look(self) -> tuple["RenderStatus | None", float | None, str]:
        self.looks += 1
        try:
            status, advice = self.client.render_poll(self.render_id)
        except (errors.NetworkError, errors.RateLimited) as exc:  # passing trouble: look again later
            return None, None, exc.message
        except errors.NemoError as exc:
            if exc.status == 404:
                raise errors.BadInput(
                    f"the service knows no render {self.render_id}", hint="`nemo export list` shows the renders started here"
                ) from None
            raise
        return status, advice, "" if status is not None else "the service failed (HTTP 5xx)"


@dataclass
class Limits:
    """Every setting a render wait reads, read (and so checked) in one go: `export --wait` does it before
    it submits, so a broken setting stops it before a render is started."""

    schedule: Schedule
    timeout: float
    error_grace: float

    @classmethod
    def of(cls, ctx: "Context", interval: float | None = None, timeout: float | None = None) -> "Limits":
        s = ctx.settings
        return cls(
            schedule=Schedule(s.get("export.poll_min"), s.get("export.poll_max"), interval),
            timeout=s.get("export.timeout") if timeout is None else timeout,
            error_grace=s.get("export.error_grace"),
        )


def wait(
    ctx: "Context",
    render_id: str,
    observer: Observer,
    *,
    timeout: float | None = None,
    interval: float | None = None,
    resume: str | None = None,
) -> "RenderStatus":
    """Follow a render until it completes, fails or is cancelled; record how it ended; a failed or cancelled
    one raises RenderFailed (after the observer heard of it). `resume` is the command the hints name
    (default: `nemo export wait ID`); `interval` fixes the time between looks."""
    resume = resume or resume_command(ctx, render_id, None)
    limits = Limits.of(ctx, interval, timeout)

    def update(status: "RenderStatus", elapsed: float) -> None:
        end = outcome(status)
        pct = status.progress if status.progress is not None else (100 if end == "completed" else 0)
        observer.event("render", {"render_id": render_id, "status": status.status, "progress": status.progress,
                                  "elapsed": elapsed, "ended": end, "state": status})
        observer.progress(pct, 100, "rendering")

    looker = Watch(
        client=ctx.client,
        render_id=render_id,
        schedule=limits.schedule,
        timeout=limits.timeout,
        error_grace=limits.error_grace,
        resume=resume,
        on_update=update,
    )
    try:
        final = looker.run()
    except KeyboardInterrupt:
        raise errors.Interrupted(f"stopped waiting; render {render_id} goes on", hint=f"pick it up again: {resume}") from None
    record(ctx, render_id, status=final.status, url=final.url, error=final.error)
    return check(final)


def duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def ready(ctx: "Context", render_id: str, observer: Observer, *, resume: str | None = None) -> "RenderStatus":
    """The state of a render about to be downloaded, from one look: a completed one is returned; a failed
    or cancelled one is recorded and raises RenderFailed; one still going is BadInput (the hint waits)."""
    current = look(ctx, render_id, remember=False)
    end = outcome(current)
    observer.event("render", {"render_id": render_id, "status": current.status, "progress": current.progress,
                              "elapsed": None, "ended": end, "state": current})
    if end is not None:
        record(ctx, render_id, status=current.status, url=current.url, error=current.error)
    check(current)
    if end is None:
        progress = f" ({current.progress:.0f}%)" if current.progress is not None else ""
        raise errors.BadInput(
            f"render {render_id} is not finished: {current.status}{progress}",
            hint=f"wait for it: {resume or resume_command(ctx, render_id, None)}",
        )
    return current
