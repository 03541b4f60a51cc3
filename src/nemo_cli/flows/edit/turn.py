"""One message seen through: read the state, send once, follow the reply, read the state again, report.

A dropped connection is answered by watching the session's state (edit.recover_first, then every
edit.recover_interval, at most edit.recover_looks unchanged looks), never by sending the message again (it
would run and be charged twice). A question (every call left open at the end of the stream is
long-running, see nemo_cli.api.sse) ends the turn waiting for the user: the next given answer is sent as
one new message (the option's label), or the question is kept in the store for the session, so that the
next message can answer it by number (nemo_cli.flows.edit.questions), and the outcome says
awaiting_input.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from nemo_cli import errors
from nemo_cli.flows.edit.observer import EditObserver
from nemo_cli.flows.edit.outcome import EditOutcome
from nemo_cli.flows.edit.stream import Heard, Limits, Reply, listen

if TYPE_CHECKING:
    from nemo_cli.context import Context

SILENT = EditObserver()


def edit(ctx: "Context", session_id: str, instruction: str, observer: EditObserver = SILENT, *,
         answer: str | Sequence[str] | None = None, expect_change: bool = False, timeout: float | None = None,
         settle: float | None = None, show_cost: bool = False, before: dict[str, Any] | None = None) -> EditOutcome:
    """Send `instruction` to the session and see it through; see nemo_cli.flows.edit for the contract."""
    answers = [answer] if isinstance(answer, str) else list(answer or [])
    sent: list[bool] = []
    options = _Options(expect_change, timeout, settle, show_cost)
    try:
        outcome = _turn(ctx, session_id, instruction, observer, options, before, sent)
        answered: list[dict[str, Any]] = []
        first_before = outcome.before
        while outcome.reply_kind == "question":
            label = _answer(ctx, outcome, answers, observer)
            if label is None:
                break
            answered.append({"question": outcome.question, "answer": label})
            outcome = _turn(ctx, session_id, label, observer, options, outcome.before, sent, answering=True)
        outcome.answered = answered
        outcome.before = first_before
        if outcome.status == "done" and expect_change and not outcome.changed:
            raise errors.NoChange(
                "the edit changed nothing in the timeline",
                hint=("the service's reply above may say why; " if outcome.reply.strip() else "")
                + "say it differently, or look at the session with `nemo state`",
            )
        return outcome
    except KeyboardInterrupt:
        if not sent:
            raise errors.Interrupted("interrupted before the message was sent; nothing was sent", hint=None) from None
        raise errors.Interrupted(
            "stopped listening; the service keeps working on the message",
            hint="`nemo state` shows the outcome once it is done (sending it again would run it twice)",
        ) from None


@dataclass
class _Options:
    expect_change: bool
    timeout: float | None
    settle: float | None
    show_cost: bool


def _turn(ctx: "Context", sid: str, instruction: str, observer: EditObserver, opts: _Options,
          before: dict[str, Any] | None, sent: list[bool], answering: bool = False) -> EditOutcome:
    from nemo_cli import draft as timeline
    from nemo_cli.flows.edit.guitalk import translate
    from nemo_cli.flows.edit.questions import as_message, summary

    if not instruction.strip():
        raise errors.UsageError("the message is empty", hint='say what to do: nemo edit "add a title \'Hello\'"')
    limits = Limits.of(ctx, opts.timeout)
    pending = _pending(ctx, sid)
    if pending is not None and not answering:
        label = as_message(pending, instruction)
        if label is not None and label != instruction:
            observer.answering(summary(pending), label, None)
            instruction = label
    if before is None:
        before = _state(ctx, sid)
    credits_before = _credits(ctx, observer) if opts.show_cost else None
    started = time.monotonic()
    reply = Reply(observer)
    sent.append(True)
    try:
        heard = listen(ctx, sid, instruction, limits, reply, started)
    except BaseException:
        reply.end_line()  # what was shown stays readable above the error
        raise
    if pending is not None and (heard.opened or heard.ended != "error"):
        _forget_question(ctx, sid)  # the message reached the service: that question is answered (or passed over)
    reply.end_line()
    if heard.error is not None:
        raise heard.error
    outcome = EditOutcome(session_id=sid, before=before, reply=reply.text.rstrip("\n"), events=reply.events)
    if heard.waiting:
        # A clean end with only long-running calls open (or a cut after the question had arrived whole): the
        # turn waits for the user's answer. Recovering by state would watch an unchanging state for minutes.
        outcome.reply_kind, outcome.questions = "question", heard.questions
        outcome.question = heard.questions[0] if heard.questions else None
        outcome.seconds = round(time.monotonic() - started, 3)
        return outcome
    if heard.ended == "closed" and heard.open_calls and not heard.turn_complete:
        heard = Heard("dropped", reason="the stream ended in the middle of the service's work")
    text = reply.text.strip()
    if heard.ended == "dropped":
        outcome.after = _recover(ctx, sid, before, limits, observer, heard.reason)
        outcome.reply_kind = "recovered"
    else:
        outcome.reply_kind = "reply" if text else "silent"
        try:
            outcome.after = _state(ctx, sid)
        except errors.NemoError as exc:
            if not text or opts.expect_change:  # expect_change cannot be checked without the new state
                raise
            observer.warn(f"could not read the new state: {exc.message}")
    outcome.changes = _changes(before, outcome.after)
    if outcome.changes:
        reply.emit("state_change", {"source": "state", "changes": outcome.changes})
    outcome.hints = translate(text)
    observer.replied(outcome)
    if opts.settle is not None and outcome.after is not None:
        outcome.after, more = _settle(ctx, sid, outcome.after, opts.settle, started + limits.total, observer, reply)
        outcome.changes += more
        observer.settled(outcome.after)
    outcome.changed = outcome.after is not None and bool(timeline.diff(outcome.before, outcome.after))
    credits_after = _credits(ctx, observer) if credits_before is not None else None
    if credits_before is not None and credits_after is not None:
        b, a = credits_before.public(), credits_after.public()
        outcome.cost = {"before": b["available"], "after": a["available"], "spent": b["available"] - a["available"],
                        "frozen": a["frozen"]}
    outcome.seconds = round(time.monotonic() - started, 3)
    reply.emit("done", {
        "outcome": outcome.reply_kind,
        "text": outcome.reply,
        "changes": outcome.changes,
        "hints": [h.public() for h in outcome.hints],
        "summary": timeline.summary_lines(outcome.after) if outcome.after is not None else [],
        "cost": outcome.cost,
        "seconds": outcome.seconds,
    })
    return outcome


# -- the state ---------------------------------------------------------------------------------------


def _state(ctx: "Context", sid: str) -> dict[str, Any]:
    return ctx.client.state(sid).state


def _changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    from nemo_cli import draft as timeline

    if before is None or after is None or before == after:
        return []
    words = timeline.diff(before, after)
    return words or ["the session's state changed outside the timeline (see `nemo state --json`)"]


def _sleep(seconds: float, observer: EditObserver, label: str) -> None:
    """Wait, keeping the observer's clock moving."""
    end = time.monotonic() + seconds
    observer.waiting(label)
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, observer.tick_interval) if observer.tick_interval else left)
        observer.tick()


def _recover(ctx: "Context", sid: str, before: dict[str, Any], limits: Limits, observer: EditObserver,
             reason: str) -> dict[str, Any]:
    """The stream broke before the reply ended. Never resend (it would run and be charged twice): watch
    the state until it changes, or give up after recover_looks unchanged looks."""
    observer.dropped(reason, limits.recover_first)
    looks = 0
    wait = limits.recover_first
    failed = ""
    while looks < max(1, limits.recover_looks):
        _sleep(wait, observer, "connection dropped; waiting to look at the state")
        looks += 1
        try:
            current = _state(ctx, sid)
        except errors.NetworkError as exc:
            failed = f"; the last look failed: {exc.message}"
            current = None
        if current is not None and current != before:
            observer.done_waiting()
            return current
        wait = limits.recover_interval
        if looks < limits.recover_looks:
            observer.no_change_yet(looks, limits.recover_looks, wait)
    observer.done_waiting()
    raise errors.NetworkError(
        f"the connection dropped and the session's state did not change in {looks} looks{failed}",
        hint="the service may still be working on it: check with `nemo state` later before sending the message again",
    )


def _settle(ctx: "Context", sid: str, state: dict[str, Any], quiet_for: float, deadline: float,
            observer: EditObserver, reply: Reply) -> tuple[dict[str, Any], list[str]]:
    """Watch the state until it has not changed for `quiet_for` seconds (the service's second stage adds
    music and a title on its own after a generation). Looks come four times per quiet period."""
    interval = min(max(quiet_for / 4, 0.05), 10.0)
    stable_since = time.monotonic()
    changes: list[str] = []
    observer.settling(quiet_for)
    while time.monotonic() - stable_since < quiet_for:
        if time.monotonic() >= deadline:
            raise errors.Timeout(
                "the timeline was still changing when the time ran out",
                hint="`nemo state` shows it now; `--timeout SECONDS` waits longer",
            )
        _sleep(min(interval, max(0.0, quiet_for - (time.monotonic() - stable_since))), observer, "settling")
        current = _state(ctx, sid)
        if current != state:
            step = _changes(state, current)
            changes += step
            observer.changed_again(step)
            reply.emit("state_change", {"source": "state", "changes": step})
            state, stable_since = current, time.monotonic()
    observer.done_waiting()
    return state, changes


def _credits(ctx: "Context", observer: EditObserver) -> Any:
    """The balance for show_cost; a failed look costs the figure, not the edit."""
    try:
        return ctx.client.credits()
    except errors.NemoError as exc:
        observer.warn(f"could not read the credits balance: {exc.message}")
        return None


# -- questions ---------------------------------------------------------------------------------------


def _pending(ctx: "Context", sid: str) -> dict[str, Any] | None:
    """The question this session's agent was last seen waiting on (kept by an earlier turn), if any."""
    question = ctx.profile().questions.get(sid)
    return question if isinstance(question, dict) else None


def _forget_question(ctx: "Context", sid: str) -> None:
    with ctx.store.edit() as prof:
        prof.clear_question(sid)


def _answer(ctx: "Context", outcome: EditOutcome, answers: list[str], observer: EditObserver) -> str | None:
    """The turn ended with a question: show it, then the label of the next given answer; None when there
    is none (or it matches no option): the outcome then waits for the user, the question kept."""
    from nemo_cli.flows.edit.questions import pick, summary

    question = outcome.question
    for q in outcome.questions:
        observer.question(q, outcome.seconds)
    given = answers.pop(0) if answers else None
    label = pick(question, given) if question is not None and given is not None else None
    if label is not None:
        observer.answering(summary(question), label, given)
        return label
    if question is not None:  # kept, so that the next message can answer it by number
        with ctx.store.edit() as prof:
            prof.set_question(outcome.session_id, {k: v for k, v in question.items() if k not in ("type", "at")})
    outcome.status, outcome.unmatched_answer = "awaiting_input", given
    return None
