"""The render poll engine on a simulated clock: what it returns, what it rides out, when it gives up,
and how few looks it needs to notice a finished render quickly. No wall-clock time is spent."""

from __future__ import annotations

import pytest

from nemo_cli import errors
from nemo_cli.api.models import RenderStatus
from nemo_cli.flows.render.watch import Eta, Schedule, Watch, check, outcome


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Scripted:
    """Answers render_poll from a list: RenderStatus, (RenderStatus, advice), None (a 5xx) or an exception."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.looks = 0

    def render_poll(self, render_id):
        self.looks += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, tuple):
            return answer
        return answer, None


class Simulated:
    """A render that is queued for `queued` s, then progresses linearly and completes at `done` s."""

    def __init__(self, clock: Clock, done: float, queued: float = 0.0) -> None:
        self.clock, self.done, self.queued = clock, done, queued
        self.looks = 0

    def render_poll(self, render_id):
        self.looks += 1
        t = self.clock.now
        if t >= self.done:
            return RenderStatus(id=render_id, status="completed", progress=100, url="https://cdn/x.mp4"), None
        if t < self.queued:
            return RenderStatus(id=render_id, status="pending", progress=0), None
        pct = int(100 * (t - self.queued) / (self.done - self.queued))
        return RenderStatus(id=render_id, status="processing", progress=pct), None


def st(status: str, progress=None, **kw) -> RenderStatus:
    return RenderStatus(id="render_1", status=status, progress=progress, **kw)


def run(client, clock: Clock, *, schedule=None, timeout=600.0, grace=60.0, resume="") -> RenderStatus:
    watch = Watch(
        client=client,
        render_id="render_1",
        schedule=schedule or Schedule(1.0, 3.0),
        timeout=timeout,
        error_grace=grace,
        resume=resume,
        clock=clock,
        sleep=clock.sleep,
    )
    return watch.run()


def test_pending_is_never_done_and_completed_ends_the_wait():
    clock = Clock()
    client = Scripted(st("pending", 0), st("pending", 0), st("processing", 50), st("completed", 100, url="u"))
    final = run(client, clock)
    assert final.status == "completed" and client.looks == 4
    assert outcome(st("pending")) is None and outcome(st("processing")) is None


@pytest.mark.parametrize("word, end", [("failed", "failed"), ("error", "failed"), ("cancelled", "cancelled"), ("canceled", "cancelled")])
def test_failed_and_cancelled_end_the_wait_and_check_raises(word, end):
    final = run(Scripted(st("processing", 10), st(word, error="codec exploded")), Clock())
    assert outcome(final) == end
    with pytest.raises(errors.RenderFailed) as caught:
        check(final)
    assert caught.value.exit_code == 11
    if end == "failed":
        assert "render failed: codec exploded" in caught.value.message


def test_passing_5xx_and_network_errors_are_ridden_out():
    clock = Clock()
    client = Scripted(
        st("processing", 10), None, errors.NetworkError("connection reset"), errors.RateLimited("slow down"), None, st("completed", 100)
    )
    assert run(client, clock).status == "completed"
    assert client.looks == 6


def test_failures_back_off():
    clock = Clock()
    client = Scripted(None, None, None, None, st("completed"))
    run(client, clock, schedule=Schedule(1.0, 3.0))
    assert clock.sleeps == sorted(clock.sleeps) and clock.sleeps[-1] > clock.sleeps[0]


def test_failures_past_the_grace_are_a_network_error_with_the_resume_command():
    clock = Clock()
    with pytest.raises(errors.NetworkError) as caught:
        run(Scripted(st("processing", 5), None), clock, grace=30.0, resume="nemo export wait render_1 -o /tmp/o.mp4")
    assert "for 30s" in caught.value.message
    assert "nemo export wait render_1 -o /tmp/o.mp4" in caught.value.hint
    assert 30.0 < clock.now < 60.0


def test_timeout_raises_with_the_resume_command():
    clock = Clock()
    with pytest.raises(errors.Timeout) as caught:
        run(Scripted(st("processing", 5)), clock, timeout=20.0, resume="nemo export wait render_1")
    assert caught.value.exit_code == 10 and "still processing" in caught.value.message
    assert "nemo export wait render_1" in caught.value.hint
    assert clock.now == pytest.approx(20.0)


def test_an_unknown_render_is_bad_input():
    with pytest.raises(errors.BadInput, match="knows no render"):
        run(Scripted(errors.NemoError("not found (HTTP 404)", status=404)), Clock())


def test_auth_and_plan_errors_are_not_ridden_out():
    with pytest.raises(errors.AuthError):
        run(Scripted(errors.AuthError("nope")), Clock())


def test_retry_after_is_honoured():
    clock = Clock()
    run(Scripted((st("processing", 10), 7.0), (None, 5.0), st("completed")), clock)
    assert clock.sleeps[:2] == [7.0, 5.0]


def test_a_fixed_interval_is_kept():
    clock = Clock()
    run(Scripted(st("pending"), st("processing", 10), st("processing", 60), st("completed")), clock, schedule=Schedule(1.0, 3.0, fixed=0.5))
    assert clock.sleeps == [0.5, 0.5, 0.5]


def test_without_progress_looks_start_quick_and_stay_within_poll_max():
    clock = Clock()
    client = Scripted(*[st("processing")] * 40, st("completed"))
    run(client, clock)
    assert clock.sleeps[0] == 3.0  # three times poll_min
    assert max(clock.sleeps) == 3.0 and clock.sleeps == sorted(clock.sleeps)


class Silent(Simulated):
    """The same render, but the service never reports progress."""

    def render_poll(self, render_id):
        status, advice = super().render_poll(render_id)
        status.progress = None
        return status, advice


def test_without_progress_the_default_schedule_notices_the_end_soon_with_few_looks():
    from nemo_cli.settings import SETTINGS

    schedule = Schedule(SETTINGS["export.poll_min"].default, SETTINGS["export.poll_max"].default)
    delays, looks = [], []
    for done in range(5, 91):
        clock = Clock()
        client = Silent(clock, done=done)
        run(client, clock, schedule=schedule)
        delays.append(clock.now - done)
        looks.append(client.looks)
    assert sorted(delays)[len(delays) // 2] < 3.0
    assert max(delays) < 6.0
    assert max(looks) < 20


@pytest.mark.parametrize("done", [5, 12, 30, 47, 61, 75, 90])
@pytest.mark.parametrize("queued", [0, 8])
def test_a_finished_render_is_noticed_within_seconds_with_few_looks(done, queued):
    clock = Clock()
    client = Simulated(clock, done=done + queued, queued=queued)
    run(client, clock)
    delay = clock.now - (done + queued)
    assert delay <= 3.0
    assert client.looks < 20 + queued / 3


def test_eta_waits_for_progress_to_move_and_ignores_a_stall():
    eta = Eta()
    assert eta.update(0, 0) is None  # queued
    assert eta.update(5, 0) is None  # still queued: the clock starts later
    assert eta.update(6, 10) == pytest.approx(9.0)  # 10% in 1 s → 90% in 9 s
    assert eta.update(7, 10) is None  # a stall predicts nothing
    assert eta.update(None or 8, None) is None


def test_schedule_stretches_far_from_the_end_and_tightens_near_it():
    s = Schedule(1.0, 3.0)
    assert s.interval(0) == 3.0 and s.interval(100) == 3.0
    assert s.interval(10, eta=100) == 9.0  # far: up to 3 × poll_max
    assert s.interval(10, eta=3) == 1.5  # near: half the remaining time
    assert s.interval(10, eta=0.5) == 1.0  # never below poll_min
    assert s.interval(10, advice=20) == 20  # the service's Retry-After wins
