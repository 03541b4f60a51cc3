"""The steps of a batch job, each one flow call with the job's session id given (never the session in
effect, never the environment): a new session, the upload, the edit (or the job's recipe) and the export.

`observe(kind)` makes the observer a step's flow reports to, of that flow's own kind (nemo_cli.flows.batch.run
makes them: they keep the warnings and carry the batch's stop). Each step returns what the job records,
or raises the flow's typed error; a question the service asked is `Asked`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from nemo_cli.errors import NemoError
from nemo_cli.flows.observe import Observer

if TYPE_CHECKING:
    from nemo_cli.context import Context
    from nemo_cli.flows.batch.plan import Job
    from nemo_cli.flows.edit import EditOutcome
    from nemo_cli.flows.render import Delivered

Observe = Callable[..., Observer]  # observe(kind=Observer) -> an observer of that kind for this step


class Asked(Exception):
    """The edit ended waiting for an answer: the error the edit command exits with (13), and the question
    (its prompt and option labels) for the job's record."""

    def __init__(self, error: NemoError, question: dict[str, Any] | None) -> None:
        super().__init__(error.message)
        self.error, self.question = error, question


def new_session(ctx: "Context", name: str) -> str:
    """A session of the job's own; the user's active session stays the active one."""
    from nemo_cli.flows import session

    return session.new(ctx, name=name, activate=False).session_id


def upload(ctx: "Context", session_id: str, files: Sequence[Path], observe: Observe) -> None:
    from nemo_cli.flows import upload as flow

    flow.upload(ctx, session_id, paths=[str(f) for f in files], observer=observe(flow.UploadObserver))


def edit(ctx: "Context", session_id: str, job: "Job", observe: Observe, finish: "Callable[[EditOutcome], None]") -> "EditOutcome":
    """The job's instruction, or its recipe (its workflow checked against the media, sent, verified), with
    the job's answers; then `finish`, what the edit command does after a turn (a question left waiting is
    its error, exit 13, raised here as Asked; a workflow's unseen change a warning)."""
    from nemo_cli.flows.edit import EditObserver

    answers = list(job.answers)
    if job.recipe:
        from nemo_cli.flows import workflows

        outcome = workflows.run(ctx, session_id, job.recipe_for, observe(EditObserver), answer=answers)
    else:
        from nemo_cli.flows.edit import edit as send

        outcome = send(ctx, session_id, job.instruction or "", observe(EditObserver), answer=answers)
    try:
        finish(outcome)
    except NemoError as exc:
        if outcome.status == "awaiting_input":
            raise Asked(exc, question(outcome.question)) from None
        raise
    return outcome


def question(asked: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a job's record says of a question: its prompt and its options' labels."""
    if not isinstance(asked, dict):
        return None
    options = [o.get("label") for o in asked.get("options") or [] if isinstance(o, dict)]
    return {"prompt": asked.get("prompt"), "options": options}


def export(ctx: "Context", session_id: str, output: Path, force: bool, observe: Observe) -> "Delivered":
    """`nemo export --wait -o OUTPUT` at the render settings' defaults."""
    from nemo_cli.flows import render

    destination = render.Destination.of(str(output), force)
    return render.export(ctx, session_id, render.Options(), destination, observe(Observer), force=force)
