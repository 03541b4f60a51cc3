"""Sending one message and seeing it through: what `nemo edit`, the workflow recipes and `nemo chat` share.

    outcome = edit_flow.run(ctx, "add lo-fi music at 35%", edit_flow.Options(session=sid), before=state)

One run: read the state (unless the caller has it), POST the message once, stream the reply (text to
stdout as it arrives, or NDJSON events with --json; see nemo_cli.api.sse for the event table), then read
the state again and report what changed. Typed errors come out (Ctrl-C as Interrupted), so `chat` can
catch them per line.

Why a reader thread: the stream is read in a thread that only parses and queues events; this thread waits
on the queue with a deadline, so the idle and total limits, the "still working" notices, the spinner and
Ctrl-C all work while the socket is silent (a blocking read cannot be interrupted by a clock).

The message is never sent twice. A dropped connection is answered by watching the session's state
(edit.recover_first, then every edit.recover_interval, at most edit.recover_looks unchanged looks).

A question: when every call left open at the end of the stream is long-running (the agent's
`ask_question`, see nemo_cli.api.sse), the turn is waiting for the user, not cut: the question is printed
(stdout; one `question` event with --json) and the run ends at once with errors.Question (exit 13), the
question kept in the store for the session so that the next message can answer it by number
(nemo_cli.questions). With `Options.answers` (`--answer`), the next answer is sent instead, as one new
message: the option's label. `Options.expect_change` (`--expect-change`) ends a run whose timeline did not
change with errors.NoChange (exit 14), after the usual output.
"""

from __future__ import annotations

import queue
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nemo_cli import errors

if TYPE_CHECKING:
    from nemo_cli.api.sse import Event
    from nemo_cli.context import Context
    from nemo_cli.guitalk import Hint


@dataclass
class Options:
    session: str | None = None
    verbose: bool = False  # tool calls and results on stderr
    timeout: float | None = None  # seconds in all (default: edit.timeout)
    show_cost: bool = False  # credits before and after, on stderr
    settle: float | None = None  # after the stream: wait until the state is unchanged for this long
    answers: list[str] = field(default_factory=list)  # --answer: each answers the next question asked
    expect_change: bool = False  # --expect-change: an unchanged timeline is an error (exit 14)


@dataclass
class Outcome:
    session: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    outcome: str = "reply"  # reply | silent | recovered (| question, only between run's turns)
    text: str = ""  # the reply as printed
    changes: list[str] = field(default_factory=list)  # what changed in the state, in words
    hints: list["Hint"] = field(default_factory=list)  # GUI talk, translated
    events: list["Event"] = field(default_factory=list)  # every normalised event, in order
    cost: dict[str, Any] | None = None  # {"before", "after", "spent"} with --show-cost
    seconds: float = 0.0
    questions: list["Event"] = field(default_factory=list)  # what the service asked, when it is waiting
    answered: list[dict[str, Any]] = field(default_factory=list)  # questions --answer answered: question, answer


@dataclass
class _Limits:
    total: float
    idle: float
    notice: float
    recover_first: float
    recover_interval: float
    recover_looks: int

    @classmethod
    def of(cls, ctx: "Context", opts: Options) -> "_Limits":
        s = ctx.settings
        return cls(
            total=opts.timeout if opts.timeout is not None else s.get("edit.timeout"),
            idle=s.get("edit.idle_timeout"),
            notice=s.get("edit.notice_interval"),
            recover_first=s.get("edit.recover_first"),
            recover_interval=s.get("edit.recover_interval"),
            recover_looks=s.get("edit.recover_looks"),
        )


def span(seconds: float) -> str:
    """12s, 2m 30s, 0.4s."""
    if seconds < 10 and seconds != int(seconds):
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}m {secs}s" if minutes and secs else f"{minutes}m" if minutes else f"{secs}s"


# -- what the user sees ------------------------------------------------------------------------------


class _Spinner:
    """The terminal spinner, started and stopped at will: rich redirects stdout while it spins, so it is
    stopped before any stdout write and started again only while nothing is being printed."""

    def __init__(self, ctx: "Context", started: float) -> None:
        self._out = ctx.out
        self._enabled = ctx.out.terminal.live and not ctx.out.quiet and not ctx.out.json_mode
        self._started = started
        self._stack: ExitStack | None = None
        self._spinner: Any = None
        self.label = "working"

    @property
    def enabled(self) -> bool:
        return self._enabled

    def start(self, label: str | None = None) -> None:
        self.label = label or self.label
        if self._enabled and self._stack is None:
            self._stack = ExitStack()
            self._spinner = self._stack.enter_context(self._out.spinner(self._text()))
        self.tick()

    def tick(self) -> None:
        if self._spinner is not None:
            self._spinner.update(self._text())

    def _text(self) -> str:
        return f"{self.label}… {span(time.monotonic() - self._started)}"

    def stop(self) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = self._spinner = None


class _Printer:
    """Normalised events → the terminal: text to stdout as it comes (or NDJSON), the rest to stderr."""

    def __init__(self, ctx: "Context", verbose: bool, started: float) -> None:
        self.out = ctx.out
        self.json = ctx.out.json_mode
        self.verbose = verbose
        self.started = started
        self.spinner = _Spinner(ctx, started)
        self.events: list[Event] = []
        self.parts: list[str] = []
        self._boundary = False  # the next text starts a new message
        self._tty_pair = ctx.out.terminal.stdout_tty and ctx.out.terminal.stderr_tty

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def line_open(self) -> bool:
        return bool(self.parts) and not self.parts[-1].endswith("\n")

    def stamp(self, event: "Event") -> "Event":
        return {**event, "at": round(time.monotonic() - self.started, 3)}

    def event(self, event: "Event") -> None:
        kind = event["type"]
        if kind == "skipped":
            if self.verbose:
                self.note(f"skipped: {event.get('reason')}")
            return
        self.events.append(event)
        if kind == "question":
            return  # printed by the run once the turn has ended waiting for the answer
        if kind == "text" and event["text"]:
            if self._boundary and self.line_open:
                self._write("\n")
            self._boundary = False
            self._write(event["text"], json_event=event)
        elif self.json:
            self.out.ndjson(self.stamp(event))
        if kind == "text" and event.get("end"):
            self._boundary = True
        elif kind in ("tool_call", "tool_result"):
            self._boundary = bool(self.parts)
            if self.verbose:
                done = "" if kind == "tool_call" else (" → done" if event.get("ok") else " → failed")
                self.note(f"tool: {event.get('name')}{done}")

    def _write(self, text: str, json_event: "Event | None" = None) -> None:
        self.parts.append(text)
        if self.json:
            if json_event is not None:
                self.out.ndjson(self.stamp(json_event))
            return
        if self.out.quiet:
            return  # -q prints what changed in the timeline at the end, not the reply
        self.spinner.stop()
        self.out.chunk(text)

    def end_line(self) -> None:
        """The reply is over: close its line (stdout data ends with a newline)."""
        if self.line_open:
            if self.json:
                self.parts.append("\n")
            else:
                self._write("\n")

    def note(self, text: str) -> None:
        """A line on stderr that must not land in the middle of a half-printed line on the terminal."""
        if self._tty_pair and self.line_open and not self.json:
            self._write("\n")
        self.out.note(text)

    def info(self, text: str) -> None:
        if self._tty_pair and self.line_open and not self.json and not self.out.quiet:
            self._write("\n")
        self.out.info(text)

    def emit(self, event: "Event") -> None:
        """An event made here (state_change from the state, done): NDJSON only."""
        self.events.append(event)
        if self.json:
            self.out.ndjson(self.stamp(event))


# -- listening ---------------------------------------------------------------------------------------


@dataclass
class _Heard:
    ended: str  # "closed" (cleanly), "dropped", "error"
    error: errors.NemoError | None = None
    reason: str = ""
    open_calls: int = 0
    turn_complete: bool = False
    waiting: bool = False  # every call left open is long-running: a question waits for the user
    opened: bool = False  # the service accepted the message (its stream began)
    questions: list["Event"] = field(default_factory=list)


def _reader(ctx: "Context", sid: str, instruction: str, read_timeout: float, q: "queue.Queue[tuple[str, Any]]") -> None:
    """The reader thread: POST once, then parse the stream into the queue. Never sends anything again."""
    import httpx

    from nemo_cli.api import sse

    norm = sse.Normaliser()
    put = q.put
    try:
        with ctx.client.run_stream(sid, instruction, read_timeout) as response:
            put(("open", response))
            ctype = response.headers.get("content-type", "")
            if "json" in ctype:
                _json_reply(ctx, response, norm, put)
            elif "html" in ctype:  # a web page where the stream should be: the API URL (or a proxy) is wrong
                from nemo_cli.api.http import not_the_api

                error = not_the_api(response, f"a web page ({ctype.split(';')[0]}), not a stream", {})
                error.hint = f"{error.hint}; `nemo state` shows whether the message arrived"
                raise error
            else:
                sse.pump(response.iter_bytes(), lambda event: put(("event", event)), norm)
        put(("end", norm))
    except httpx.TransportError as exc:  # while streaming: the connection broke
        put(("dropped", (norm, _reason(exc))))
    except errors.NetworkError as exc:
        cause = exc.__context__
        if isinstance(cause, httpx.TransportError) and not isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout)):
            put(("dropped", (norm, str(exc))))  # the request went out; its answer did not come back
        else:
            put(("error", exc))
    except errors.NemoError as exc:
        put(("error", exc))
    except BaseException as exc:  # noqa: BLE001  (handed to the waiting thread, which decides)
        put(("crash", exc))


def _json_reply(ctx: "Context", response: Any, norm: Any, put: Any) -> None:
    """A JSON answer instead of a stream: an error envelope (2001, 1002…), or a list of events."""
    import json

    response.read()
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, list):
        for item in body:
            for event in norm.message("", json.dumps(item)):
                put(("event", event))
        for event in norm.finish():
            put(("event", event))
        return
    ctx.client.http.unwrap(response)  # raises the envelope's typed error
    raise errors.NetworkError(
        "the service answered the message with JSON instead of a stream",
        hint="check the API URL (`nemo config get api_url`); rerun with --debug to see the reply",
    )


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _abort(response: Any) -> None:
    """Unblock the reader thread's socket read (closing alone does not interrupt a blocked recv)."""
    import socket

    try:
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except Exception:  # noqa: BLE001  (best effort: the thread is a daemon anyway)
        pass


def _listen(ctx: "Context", sid: str, instruction: str, limits: _Limits, printer: _Printer) -> _Heard:
    """Send the message and follow the stream to its end, enforcing the idle and total limits."""
    q: queue.Queue[tuple[str, Any]] = queue.Queue()
    started = printer.started
    thread = threading.Thread(
        target=_reader, args=(ctx, sid, instruction, limits.idle + 10.0, q), name="nemo-edit-stream", daemon=True
    )
    response = None
    last_activity = started
    next_notice = started + limits.notice
    spinner = printer.spinner
    spinner.start("sending")
    thread.start()
    try:
        while True:
            now = time.monotonic()
            if now >= started + limits.total:
                raise errors.Timeout(
                    f"no complete reply within {span(limits.total)}; stopped listening",
                    hint="the service may still be working on it: `nemo state` shows the outcome; "
                    "`--timeout SECONDS` waits longer",
                )
            if now >= last_activity + limits.idle:
                raise errors.Timeout(
                    f"nothing but keep-alives for {span(limits.idle)}; stopped listening",
                    hint="the service may still be working on it: `nemo state` shows the outcome "
                    "(`nemo config set edit.idle_timeout SECONDS` waits longer)",
                )
            if now >= next_notice:
                if spinner.enabled and not printer.line_open:
                    spinner.start("still working")
                else:
                    printer.info(f"still working… ({span(now - started)} so far; only keep-alives for {span(now - last_activity)})")
                next_notice = now + limits.notice
            wait = min(started + limits.total, last_activity + limits.idle, next_notice) - now
            if spinner.enabled:
                wait = min(wait, 0.25)  # keep the elapsed time moving
            try:
                kind, item = q.get(timeout=max(wait, 0.001))
            except queue.Empty:
                spinner.tick()
                continue
            if kind == "event":
                printer.event(item)
                if item["type"] == "error":
                    return _Heard("error", error=ctx.client.stream_error(item.get("code"), item.get("message") or ""), opened=True)
                if item["type"] != "heartbeat":
                    last_activity = time.monotonic()
                    next_notice = last_activity + limits.notice
                if spinner.enabled and not printer.line_open and item["type"] in ("heartbeat", "tool_call", "tool_result"):
                    spinner.start(None if item["type"] == "heartbeat" else "working")
            elif kind == "open":
                response = item
                spinner.label = "working"
            elif kind == "end":
                return _Heard("closed", open_calls=len(item.open_calls), turn_complete=item.turn_complete,
                              waiting=item.waiting, questions=list(item.questions))
            elif kind == "dropped":
                norm, reason = item
                return _Heard("dropped", reason=reason, open_calls=len(norm.open_calls), turn_complete=norm.turn_complete,
                              waiting=norm.waiting, questions=list(norm.questions))
            elif kind == "error":
                return _Heard("error", error=item, opened=response is not None)
            else:  # "crash": a bug in the reader; let it surface as one
                raise item
    finally:
        spinner.stop()
        if thread.is_alive() and response is not None:
            _abort(response)
            thread.join(timeout=0.5)


# -- after the stream --------------------------------------------------------------------------------


def _state(ctx: "Context", sid: str) -> dict[str, Any]:
    return ctx.client.state(sid).state


def _changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    from nemo_cli import draft as timeline

    if before is None or after is None or before == after:
        return []
    words = timeline.diff(before, after)
    return words or ["the session's state changed outside the timeline (see `nemo state --json`)"]


def _sleep(seconds: float, spinner: _Spinner, label: str) -> None:
    """Wait, keeping the spinner's clock moving."""
    end = time.monotonic() + seconds
    if spinner.enabled:
        spinner.start(label)
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.25) if spinner.enabled else left)
        spinner.tick()


def _recover(ctx: "Context", sid: str, before: dict[str, Any], limits: _Limits, printer: _Printer, reason: str) -> dict[str, Any]:
    """The stream broke before the reply ended. Never resend (it would run and be charged twice): watch
    the state until it changes, or give up after recover_looks unchanged looks."""
    printer.end_line()
    printer.note(
        f"the connection dropped before the reply ended ({reason}); not sending the message again "
        f"(it would run and be charged twice): watching the session's state instead, first look in {span(limits.recover_first)}"
    )
    looks = 0
    wait = limits.recover_first
    failed = ""
    while looks < max(1, limits.recover_looks):
        _sleep(wait, printer.spinner, "connection dropped; waiting to look at the state")
        looks += 1
        try:
            current = _state(ctx, sid)
        except errors.NetworkError as exc:
            failed = f"; the last look failed: {exc.message}"
            current = None
        if current is not None and current != before:
            printer.spinner.stop()
            return current
        wait = limits.recover_interval
        if looks < limits.recover_looks:
            printer.info(f"no change yet (look {looks} of {limits.recover_looks}); next look in {span(wait)}")
    printer.spinner.stop()
    raise errors.NetworkError(
        f"the connection dropped and the session's state did not change in {looks} looks{failed}",
        hint="the service may still be working on it: check with `nemo state` later before sending the message again",
    )


def _settle(ctx: "Context", sid: str, state: dict[str, Any], quiet_for: float, deadline: float, printer: _Printer) -> tuple[dict[str, Any], list[str]]:
    """Watch the state until it has not changed for `quiet_for` seconds (the service's second stage adds
    music and a title on its own after a generation). Looks come four times per quiet period."""
    interval = min(max(quiet_for / 4, 0.05), 10.0)
    stable_since = time.monotonic()
    changes: list[str] = []
    printer.info(f"waiting until the timeline has not changed for {span(quiet_for)}…")
    while time.monotonic() - stable_since < quiet_for:
        if time.monotonic() >= deadline:
            raise errors.Timeout(
                "the timeline was still changing when the time ran out",
                hint="`nemo state` shows it now; `--timeout SECONDS` waits longer",
            )
        _sleep(min(interval, max(0.0, quiet_for - (time.monotonic() - stable_since))), printer.spinner, "settling")
        current = _state(ctx, sid)
        if current != state:
            step = _changes(state, current)
            changes += step
            printer.spinner.stop()
            printer.info("the service changed the timeline again: " + "; ".join(step))
            printer.emit({"type": "state_change", "source": "state", "changes": step})
            state, stable_since = current, time.monotonic()
    printer.spinner.stop()
    return state, changes


def _credits(ctx: "Context") -> Any:
    """The balance for --show-cost; a failed look costs the figure, not the edit."""
    try:
        return ctx.client.credits()
    except errors.NemoError as exc:
        ctx.out.warn(f"could not read the credits balance: {exc.message}")
        return None


# -- the whole run -----------------------------------------------------------------------------------


def run(ctx: "Context", instruction: str, options: Options | None = None, before: dict[str, Any] | None = None) -> Outcome:
    """Send one instruction and see it through (see the module docstring). Raises typed errors."""
    sent: list[bool] = []
    opts = options or Options()
    try:
        outcome = _run(ctx, instruction, opts, before, sent)
        answers = list(opts.answers)
        answered: list[dict[str, Any]] = []
        first_before = outcome.before
        while outcome.outcome == "question":
            label = _answer(ctx, outcome, answers)
            answered.append({"question": outcome.questions[0] if outcome.questions else None, "answer": label})
            outcome = _run(ctx, label, opts, outcome.before, sent, answering=True)
        outcome.answered = answered
        outcome.before = first_before
        if opts.expect_change:
            _expect_change(outcome)
        return outcome
    except KeyboardInterrupt:
        if not sent:
            raise errors.Interrupted("interrupted before the message was sent; nothing was sent", hint=None) from None
        raise errors.Interrupted(
            "stopped listening; the service keeps working on the message",
            hint="`nemo state` shows the outcome once it is done (sending it again would run it twice)",
        ) from None


def _run(ctx: "Context", instruction: str, opts: Options, before: dict[str, Any] | None, sent: list[bool],
         answering: bool = False) -> Outcome:
    from nemo_cli import draft as timeline
    from nemo_cli import guitalk

    if not instruction.strip():
        raise errors.UsageError("the message is empty", hint='say what to do: nemo edit "add a title \'Hello\'"')
    sid = ctx.sessions.resolve(opts.session)
    limits = _Limits.of(ctx, opts)
    pending = _pending(ctx, sid)
    if pending is not None and not answering:
        instruction = _as_answer(ctx, pending, instruction)
    if before is None:
        before = _state(ctx, sid)
    credits_before = _credits(ctx) if opts.show_cost else None
    started = time.monotonic()
    printer = _Printer(ctx, opts.verbose, started)
    sent.append(True)
    try:
        heard = _listen(ctx, sid, instruction, limits, printer)
    except BaseException:
        printer.end_line()  # what was printed stays readable above the error
        raise
    if pending is not None and (heard.opened or heard.ended != "error"):
        _forget_question(ctx, sid)  # the message reached the service: that question is answered (or passed over)
    if heard.error is not None:
        printer.end_line()
        raise heard.error
    printer.end_line()
    if heard.waiting:
        # A clean end with only long-running calls open (or a cut after the question had arrived whole): the
        # turn waits for the user's answer. Recovering by state would watch an unchanging state for minutes.
        return Outcome(session=sid, before=before, after=None, outcome="question", text=printer.text.rstrip("\n"),
                       events=printer.events, questions=heard.questions,
                       seconds=round(time.monotonic() - started, 3))
    if heard.ended == "closed" and heard.open_calls and not heard.turn_complete:
        heard = _Heard("dropped", reason="the stream ended in the middle of the service's work")
    reply = printer.text.strip()
    outcome = Outcome(session=sid, before=before, after=None, text=printer.text.rstrip("\n"), events=printer.events)
    if heard.ended == "dropped":
        outcome.after = _recover(ctx, sid, before, limits, printer, heard.reason)
        outcome.outcome = "recovered"
    else:
        outcome.outcome = "reply" if reply else "silent"
        try:
            outcome.after = _state(ctx, sid)
        except errors.NemoError as exc:
            if not reply or opts.expect_change:  # --expect-change cannot be checked without the new state
                raise
            ctx.out.warn(f"could not read the new state: {exc.message}")
    outcome.changes = _changes(before, outcome.after)
    if outcome.changes:
        printer.emit({"type": "state_change", "source": "state", "changes": outcome.changes})
    if outcome.outcome != "reply" and not ctx.out.quiet:
        _report_changes(ctx, outcome)
    outcome.hints = guitalk.translate(reply)
    for hint in outcome.hints:
        ctx.out.hint(hint.line())
    if opts.settle is not None and outcome.after is not None:
        outcome.after, more = _settle(ctx, sid, outcome.after, opts.settle, started + limits.total, printer)
        outcome.changes += more
        for line in timeline.summary_lines(outcome.after):
            ctx.out.line(line)
    if ctx.out.quiet and not ctx.out.json_mode:
        for change in outcome.changes:  # -q: what changed in the timeline, one a line (nothing if nothing did)
            ctx.out.value(change)
    credits_after = _credits(ctx) if credits_before is not None else None
    if credits_before is not None and credits_after is not None:
        b, a = credits_before.public(), credits_after.public()
        c = outcome.cost = {"before": b["available"], "after": a["available"], "spent": b["available"] - a["available"], "frozen": a["frozen"]}
        held = f", {c['frozen']:g} still reserved" if c["frozen"] else ""
        printer.note(f"credits: {c['spent']:g} spent ({c['before']:g} → {c['after']:g} available{held})")
    outcome.seconds = round(time.monotonic() - started, 3)
    printer.emit(
        {
            "type": "done",
            "outcome": outcome.outcome,
            "text": outcome.text,
            "changes": outcome.changes,
            "hints": [h.public() for h in outcome.hints],
            "summary": timeline.summary_lines(outcome.after) if outcome.after is not None else [],
            "cost": outcome.cost,
            "seconds": outcome.seconds,
        }
    )
    return outcome


# -- questions and expected changes ------------------------------------------------------------------


def _pending(ctx: "Context", sid: str) -> dict[str, Any] | None:
    """The question this session's agent was last seen waiting on (kept by an earlier run), if any."""
    question = ctx.profile().questions.get(sid)
    return question if isinstance(question, dict) else None


def _forget_question(ctx: "Context", sid: str) -> None:
    with ctx.store.edit() as prof:
        prof.clear_question(sid)


def _as_answer(ctx: "Context", pending: dict[str, Any], instruction: str) -> str:
    """A message that answers the pending question by an option's number (or its label in another case)
    becomes that option's label; anything else goes as written."""
    from nemo_cli import questions

    label = questions.as_message(pending, instruction)
    if label is None or label == instruction:
        return instruction
    ctx.out.note(f"answering {questions.summary(pending)} with: {label}")
    return label


def _answer(ctx: "Context", outcome: Outcome, answers: list[str]) -> str:
    """The turn ended with a question: show it, then the label of the next --answer, or errors.Question."""
    from nemo_cli import questions

    question = outcome.questions[0] if outcome.questions else None
    printer_json = ctx.out.json_mode
    for q in outcome.questions:
        if printer_json:
            ctx.out.ndjson({**q, "at": outcome.seconds})
        else:
            for line in questions.lines(q):
                ctx.out.value(line)
    shown = questions.summary(question) if question else "a question"
    given = answers.pop(0) if answers else None
    label = questions.pick(question, given) if question is not None and given is not None else None
    if label is not None:
        ctx.out.note(f"answering {shown} with: {label} (--answer {given})")
        return label
    if question is not None:  # kept, so that the next message can answer it by number
        with ctx.store.edit() as prof:
            prof.set_question(outcome.session, {k: v for k, v in question.items() if k not in ("type", "at")})
    options = questions.labels(question) if question else []
    if given is None:
        example = f'nemo edit "{options[0]}" (or its number: nemo edit 1)' if options else 'nemo edit "your answer"'
        raise errors.Question(
            f"the service asks {shown} and is waiting for your answer",
            hint=f"answer with the next message: {example}; a script can pass --answer first or --answer LABEL up front",
        )
    raise errors.Question(
        f"--answer {given!r} matches none of the options of {shown}; no answer was sent",
        hint=(f"--answer takes first, last, an option's number or its label ({', '.join(options)}); "
              "or answer with the next message: nemo edit \"…\"" if options
              else "this question has no options: give the answer in words, --answer \"…\""),
    )


def _expect_change(outcome: Outcome) -> None:
    from nemo_cli import draft as timeline

    if outcome.after is not None and timeline.diff(outcome.before, outcome.after):
        return
    raise errors.NoChange(
        "the edit changed nothing in the timeline",
        hint=("the service's reply above may say why; " if outcome.text.strip() else "")
        + "say it differently, or look at the session with `nemo state`",
    )


def _report_changes(ctx: "Context", outcome: Outcome) -> None:
    """No reply text (a silent edit), or a dropped stream: what changed is the answer, on stdout."""
    out = ctx.out
    if out.json_mode or out.quiet:
        return
    if outcome.outcome == "recovered":
        head = "The connection dropped, but the service went on; what changed:"
    elif outcome.changes:
        head = "The service sent no reply text; what changed:"
    else:
        out.line("The service sent no reply text, and nothing changed in the session.")
        return
    out.line(head)
    for change in outcome.changes:
        out.line(f"  - {change}")
