"""What the edit flow tells whoever watches a turn. Every method does nothing here; `nemo edit`'s terminal
view (nemo_cli.commands.edit_view) prints them, an MCP server may turn them into progress notifications.

The flow calls them in this order for one turn: `sending` → (`opened`) → `text` / `stream_event` (as the
stream arrives, with `still_working` and `tick` while it is silent) → `stream_ended`; then, depending on
how it ended, `dropped` / `waiting` / `no_change_yet` / `done_waiting` (recovery from the state), `question` (the turn
waits for an answer) and `answering`, or `event("state_change")`, `replied`, `settling` /
`changed_again` / `settled`, and last `event("done")`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nemo_cli.flows.observe import Observer

if TYPE_CHECKING:
    from nemo_cli.flows.edit.outcome import EditOutcome, Event


class EditObserver(Observer):
    # How often the flow should call `tick` while it waits (None: never). A view with a running clock
    # (a spinner) asks for it; the flow wakes up that often even when nothing arrives.
    tick_interval: float | None = None

    def sending(self, started: float) -> None:
        """A turn starts: the message is about to be POSTed (started: time.monotonic() of the turn)."""

    def opened(self) -> None:
        """The service accepted the message: its stream began."""

    def text(self, chunk: str, event: Event | None) -> None:
        """A piece of the reply, in order. `event` is the stream's text event; None for the line break the
        flow adds between two messages and at the end of the reply (so the reply ends with a newline)."""

    def stream_event(self, event: Event) -> None:
        """Any other event of the stream as it arrives: tool_call, tool_result, heartbeat (keep-alive),
        error, skipped (a frame the parser could not read), a text event without text."""

    def still_working(self, elapsed: float, idle: float) -> None:
        """Nothing but keep-alives for a while (elapsed: seconds since sending; idle: since the last event)."""

    def tick(self) -> None:
        """Time passes while the flow waits (every tick_interval seconds)."""

    def waiting(self, label: str) -> None:
        """The flow sleeps before looking at the state again (label: why)."""

    def stream_ended(self) -> None:
        """The stream is over (ended, dropped or failed); nothing more of the reply comes."""

    def dropped(self, reason: str, first_look: float) -> None:
        """The connection dropped before the reply ended: the message is not sent again; the flow watches
        the session's state instead, the first look in `first_look` seconds."""

    def no_change_yet(self, look: int, looks: int, wait: float) -> None:
        """A look at the state during recovery found no change; the next comes in `wait` seconds."""

    def done_waiting(self) -> None:
        """A wait on the state is over (recovery found a change or ran out of looks; settling ended)."""

    def question(self, question: Event, seconds: float) -> None:
        """The turn ended waiting for the user: the service asks `question` (prompt, options)."""

    def answering(self, summary: str, label: str, given: str | None) -> None:
        """The flow sends `label` as the answer to the question `summary` describes (given: the --answer
        value that picked it; None when the message itself answered by number or label)."""

    def replied(self, outcome: "EditOutcome") -> None:
        """The turn's reply is in and the new state read: outcome.reply_kind, changes and hints are known."""

    def settling(self, quiet_for: float) -> None:
        """The flow waits until the timeline has not changed for `quiet_for` seconds."""

    def changed_again(self, changes: list[str]) -> None:
        """While settling, the service changed the timeline again."""

    def settled(self, state: dict[str, Any]) -> None:
        """The timeline has been still long enough; `state` is the session's state now."""
