"""What one edit comes to (nemo_cli.flows.edit.edit returns it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from nemo_cli.flows.edit.guitalk import Hint

Event = dict[str, Any]  # a normalised stream event (see nemo_cli.api.sse)


@dataclass
class EditOutcome:
    session_id: str
    status: Literal["done", "awaiting_input"] = "done"
    turn_id: str | None = None  # the service's stream names no turn today: always None
    reply: str = ""  # the reply's text, as shown (messages on lines of their own)
    reply_kind: str = "reply"  # reply | silent (no words) | recovered (from the state) | question
    changes: list[str] = field(default_factory=list)  # what changed in the state, in words (the draft diff)
    changed: bool = False  # the timeline changed (changes may also say the state changed outside it)
    question: "Event | None" = None  # awaiting_input: what the service asks (prompt, options [{id, label}])
    questions: list["Event"] = field(default_factory=list)  # every question of the last turn
    unmatched_answer: str | None = None  # awaiting_input: the given answer that matched no option (not sent)
    answered: list[dict[str, Any]] = field(default_factory=list)  # questions answered on the way: question, answer
    before: dict[str, Any] | None = None  # the session's state before the first message
    after: dict[str, Any] | None = None  # and after the last one (None: unknown)
    hints: list["Hint"] = field(default_factory=list)  # GUI talk in the reply, translated (nemo_cli.flows.edit.guitalk)
    events: list["Event"] = field(default_factory=list)  # every normalised event of the last turn, in order
    cost: dict[str, Any] | None = None  # show_cost: {"before", "after", "spent", "frozen"}
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # a workflow's asked-for changes the new state does not show
