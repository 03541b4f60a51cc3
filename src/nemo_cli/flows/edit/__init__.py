"""Editing by message: one instruction sent to a session's agent and seen through, for every front end.

    from nemo_cli.flows.edit import edit
    outcome = edit(ctx, session_id, "add lo-fi music at 35%", observer, answer=["first"], expect_change=True)

`edit(ctx, session_id, instruction, observer=SILENT, *, answer=None, expect_change=False, timeout=None,
settle=None, show_cost=False, before=None) -> EditOutcome`:

- reads the state (unless `before` is given), POSTs the message exactly once, follows the reply stream
  (see nemo_cli.api.sse), reads the state again and says what changed (`changes`, the draft diff in
  words; `changed`: the timeline differs). `settle` (seconds) then waits until the timeline has been still
  that long; `show_cost` reads the credits before and after (`cost`); `timeout` caps the whole turn
  (default: the edit.timeout setting).
- a dropped stream is never answered by a second POST: the flow watches the session's state instead.
- a question: `status == "awaiting_input"`, `question` = {prompt, options [{id, label}], allow_multiple…}
  (`questions`: all of them), the question kept in the store so that the next message answers it by
  number. `answer` (one string, or one per question in order: first, last, a number or a label) answers
  instead, as one new message each; an answer that matches no option is not sent and comes back as
  `unmatched_answer` with `status == "awaiting_input"`. A question is returned, never raised: the CLI
  turns it into errors.Question (exit 13) in nemo_cli.commands.edit_view.
- every failure raises a typed error of nemo_cli.errors (the CLI's exit codes): Timeout, NetworkError
  (also a drop the state never answered), Interrupted (Ctrl-C; says whether the message went out),
  NoChange (`expect_change` and the timeline did not change; raised after the turn was seen through),
  UsageError (an empty message), and whatever the API raises (auth, session not found, credits…).
  Callers that report a status (MCP) map a raised error to "failed".
- never prints: what a person should see reaches the EditObserver (nemo_cli.flows.edit.observer).
"""

from nemo_cli.flows.edit.observer import EditObserver
from nemo_cli.flows.edit.outcome import EditOutcome
from nemo_cli.flows.edit.turn import SILENT, edit

__all__ = ["SILENT", "EditObserver", "EditOutcome", "edit"]
