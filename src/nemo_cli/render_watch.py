"""Following a render to its end: the poll schedule, the watch loop, and what the user sees meanwhile.

The service's own advice (a look every 30 s) notices a finished render half a minute late. Instead:
- looks start quick (three times `export.poll_min`) and slow down with the time waited, up to
  `export.poll_max`, so a finished render is noticed within a few seconds;
- when the service's progress moves, it predicts the end: far from it, looks may stretch to
  STRETCH × poll_max (fewer requests on long renders); near it, they tighten back to poll_min;
- a Retry-After from the service is honoured; `--poll-interval` fixes the interval instead;
- a passing network error or 5xx is ridden out with a growing interval (for `export.error_grace`
  seconds since the last good look), never reported as a failed render.

`watch(ctx, render_id)` returns the final status (completed, failed or cancelled) and raises Timeout
when the render outlives the wait; `check(status)` turns a failed or cancelled one into RenderFailed.
`batch` and `chat` reuse both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from nemo_cli import errors

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
                    f"render {self.render_id} is not done after {_duration(self.timeout)}"
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
    return f"about {_duration(seconds)} left"


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


def watch(
    ctx: "Context",
    render_id: str,
    *,
    interval: float | None = None,
    timeout: float | None = None,
    on_update: Callable[["RenderStatus", float], None] | None = None,
    resume: str = "",
) -> "RenderStatus":
    """Follow a render until it completes, fails or is cancelled, showing progress on stderr: on a terminal
    a bar with the service's progress and the time left at its rate, elsewhere a line per change."""
    limits = Limits.of(ctx, interval, timeout)
    looker = Watch(
        client=ctx.client,
        render_id=render_id,
        schedule=limits.schedule,
        timeout=limits.timeout,
        error_grace=limits.error_grace,
        resume=resume,
    )
    with ctx.out.progress(f"rendering {render_id}", total=100, unit="percent") as bar:
        shown: list[Any] = [None]
        remaining = Remaining()

        def update(status: "RenderStatus", elapsed: float) -> None:
            if on_update is not None:
                on_update(status, elapsed)
            pct = status.progress if status.progress is not None else (100 if outcome(status) == "completed" else 0)
            if bar.active:
                left = remaining.update(elapsed, status.progress) if outcome(status) is None else None
                bar.update(completed=pct, description=f"rendering {render_id} ({status.status})", note=left_text(left), refresh=True)
                return
            seen = (status.status, int(pct))
            if seen != shown[0]:
                shown[0] = seen
                progress = f" {pct:.0f}%" if status.progress is not None else ""
                ctx.out.info(f"render {render_id}: {status.status}{progress} ({_duration(elapsed)})")

        looker.on_update = update
        return looker.run()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
