"""What `nemo edit` and the workflow commands show while a turn runs: the reply streamed to stdout as it
arrives (or one NDJSON line per event with --json), notes on stderr, a spinner on a terminal, and at the
end the question, the changes or the cost. The edit flow (nemo_cli.flows.edit) calls it; it sends nothing."""

from __future__ import annotations

import time
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from nemo_cli import errors
from nemo_cli.flows.edit.observer import EditObserver
from nemo_cli.flows.edit.stream import span

if TYPE_CHECKING:
    from nemo_cli.flows.edit.outcome import EditOutcome, Event
    from nemo_cli.output import Output


class _Spinner:
    """The terminal spinner, started and stopped at will: rich redirects stdout while it spins, so it is
    stopped before any stdout write and started again only while nothing is being printed."""

    def __init__(self, out: "Output") -> None:
        self._out = out
        self.enabled = out.terminal.live and not out.quiet and not out.json_mode
        self.started = time.monotonic()
        self._stack: ExitStack | None = None
        self._spinner: Any = None
        self.label = "working"

    def start(self, label: str | None = None) -> None:
        self.label = label or self.label
        if self.enabled and self._stack is None:
            self._stack = ExitStack()
            self._spinner = self._stack.enter_context(self._out.spinner(self._text()))
        self.tick()

    def tick(self) -> None:
        if self._spinner is not None:
            self._spinner.update(self._text())

    def _text(self) -> str:
        return f"{self.label}… {span(time.monotonic() - self.started)}"

    def stop(self) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = self._spinner = None


class EditView(EditObserver):
    """A turn → the terminal: text to stdout as it comes (or NDJSON), the rest to stderr."""

    def __init__(self, out: "Output", verbose: bool = False) -> None:
        self.out = out
        self.json = out.json_mode
        self.verbose = verbose  # tool calls and results on stderr
        self.started = time.monotonic()
        self.spinner = _Spinner(out)
        self._open = False  # a line of the reply is half printed
        self._tty_pair = out.terminal.stdout_tty and out.terminal.stderr_tty

    @property  # type: ignore[override]
    def tick_interval(self) -> float | None:
        return 0.25 if self.spinner.enabled else None  # keep the spinner's elapsed time moving

    def stamp(self, event: "Event") -> "Event":
        return {**event, "at": round(time.monotonic() - self.started, 3)}

    # -- the stream --------------------------------------------------------------------------------
    def sending(self, started: float) -> None:
        self.started = self.spinner.started = started
        self._open = False
        self.spinner.start("sending")

    def opened(self) -> None:
        self.spinner.label = "working"

    def text(self, chunk: str, event: "Event | None") -> None:
        if event is None and not self._open:
            return  # a line break where this view already broke the line (before a note)
        self._write(chunk, event)

    def _write(self, chunk: str, event: "Event | None") -> None:
        self._open = not chunk.endswith("\n")
        if self.json:
            if event is not None:
                self.out.ndjson(self.stamp(event))
            return
        if self.out.quiet:
            return  # -q prints what changed in the timeline at the end, not the reply
        self.spinner.stop()
        self.out.chunk(chunk)

    def stream_event(self, event: "Event") -> None:
        kind = event["type"]
        if kind == "skipped":
            if self.verbose:
                self.note(f"skipped: {event.get('reason')}")
            return
        if self.json:
            self.out.ndjson(self.stamp(event))
        if kind in ("tool_call", "tool_result") and self.verbose:
            done = "" if kind == "tool_call" else (" → done" if event.get("ok") else " → failed")
            self.note(f"tool: {event.get('name')}{done}")
        if self.spinner.enabled and not self._open and kind in ("heartbeat", "tool_call", "tool_result"):
            self.spinner.start(None if kind == "heartbeat" else "working")

    def still_working(self, elapsed: float, idle: float) -> None:
        if self.spinner.enabled and not self._open:
            self.spinner.start("still working")
        else:
            self.info(f"still working… ({span(elapsed)} so far; only keep-alives for {span(idle)})")

    def tick(self) -> None:
        self.spinner.tick()

    def waiting(self, label: str) -> None:
        if self.spinner.enabled:
            self.spinner.start(label)

    def stream_ended(self) -> None:
        self.spinner.stop()

    def done_waiting(self) -> None:
        self.spinner.stop()

    # -- after the stream --------------------------------------------------------------------------
    def dropped(self, reason: str, first_look: float) -> None:
        self.note(
            f"the connection dropped before the reply ended ({reason}); not sending the message again "
            f"(it would run and be charged twice): watching the session's state instead, first look in {span(first_look)}"
        )

    def no_change_yet(self, look: int, looks: int, wait: float) -> None:
        self.info(f"no change yet (look {look} of {looks}); next look in {span(wait)}")

    def question(self, question: "Event", seconds: float) -> None:
        from nemo_cli.flows.edit.questions import lines

        if self.json:
            self.out.ndjson({**question, "at": seconds})
        else:
            for line in lines(question):
                self.out.value(line)

    def answering(self, summary: str, label: str, given: str | None) -> None:
        self.out.note(f"answering {summary} with: {label}" + (f" (--answer {given})" if given is not None else ""))

    def replied(self, outcome: "EditOutcome") -> None:
        """No reply text (a silent edit), or a dropped stream: what changed is the answer, on stdout. Then
        the reply's GUI talk, translated."""
        out = self.out
        if outcome.reply_kind != "reply" and not out.quiet and not out.json_mode:
            if outcome.reply_kind == "recovered":
                head = "The connection dropped, but the service went on; what changed:"
            elif outcome.changes:
                head = "The service sent no reply text; what changed:"
            else:
                head = ""
                out.line("The service sent no reply text, and nothing changed in the session.")
            if head:
                out.line(head)
                for change in outcome.changes:
                    out.line(f"  - {change}")
        for hint in outcome.hints:
            out.hint(hint.line())

    def settling(self, quiet_for: float) -> None:
        self.info(f"waiting until the timeline has not changed for {span(quiet_for)}…")

    def changed_again(self, changes: list[str]) -> None:
        self.spinner.stop()
        self.info("the service changed the timeline again: " + "; ".join(changes))

    def settled(self, state: dict[str, Any]) -> None:
        from nemo_cli import draft as timeline

        for line in timeline.summary_lines(state):
            self.out.line(line)

    def event(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "done":
            if self.out.quiet and not self.json:
                for change in data.get("changes") or []:  # -q: what changed in the timeline, one a line
                    self.out.value(change)
            c = data.get("cost")
            if c:
                held = f", {c['frozen']:g} still reserved" if c["frozen"] else ""
                self.note(f"credits: {c['spent']:g} spent ({c['before']:g} → {c['after']:g} available{held})")
        if self.json:
            self.out.ndjson(self.stamp({"type": kind, **data}))

    # -- lines on stderr ---------------------------------------------------------------------------
    def warn(self, text: str, hint: str | None = None) -> None:
        self.out.warn(text)
        if hint:
            self.out.hint(hint)

    def note(self, text: str) -> None:
        """A line on stderr that must not land in the middle of a half-printed line on the terminal."""
        if self._tty_pair and self._open and not self.json:
            self._write("\n", None)
        self.out.note(text)

    def info(self, text: str) -> None:
        if self._tty_pair and self._open and not self.json and not self.out.quiet:
            self._write("\n", None)
        self.out.info(text)


def unanswered(outcome: "EditOutcome") -> errors.Question:
    """The error (exit 13) of a turn that ended waiting for the user's answer."""
    from nemo_cli.flows.edit.questions import labels, summary

    question = outcome.question
    shown = summary(question) if question else "a question"
    options = labels(question) if question else []
    given = outcome.unmatched_answer
    if given is None:
        example = f'nemo edit "{options[0]}" (or its number: nemo edit 1)' if options else 'nemo edit "your answer"'
        return errors.Question(
            f"the service asks {shown} and is waiting for your answer",
            hint=f"answer with the next message: {example}; a script can pass --answer first or --answer LABEL up front",
        )
    return errors.Question(
        f"--answer {given!r} matches none of the options of {shown}; no answer was sent",
        hint=(f"--answer takes first, last, an option's number or its label ({', '.join(options)}); "
              "or answer with the next message: nemo edit \"…\"" if options
              else "this question has no options: give the answer in words, --answer \"…\""),
    )


def finish(out: "Output", outcome: "EditOutcome") -> None:
    """After the turn: a question ends the command (exit 13); a workflow's unseen changes are warned of."""
    if outcome.status == "awaiting_input":
        raise unanswered(outcome)
    for warning in outcome.warnings:
        out.warn(warning + " — check with `nemo state`")
