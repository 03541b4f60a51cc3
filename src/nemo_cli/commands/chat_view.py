"""What each step of a `nemo chat` turn calls and shows: the flow its verb names, called in-process with
the view its one-shot command uses (commands/edit_view for an edit, commands/export_view for an export…),
and the same lines, values and documents that command prints. With `chat --json` a step's documents are
kept (Kept) for the turn's record instead of printed.

    carry_out(ctx, step, session) -> the flow's typed result (NewSession, Uploaded, EditOutcome, State,
                                     Delivered, Credits); raises what the flow raises
    conclude(ctx, result)            what ends a step after its result is shown: a question the service
                                     asks is errors.Question (exit 13), as `nemo edit` says it
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from nemo_cli.output import Output

if TYPE_CHECKING:
    from nemo_cli.context import Context
    from nemo_cli.flows.chat import Credits, Edit, Export, NewSession, State, Step, Upload


class Kept(Output):
    """A step's output under `nemo chat --json`: the documents it would print (one, or a stream's events)
    are kept for the turn's record; stderr (bars, warnings, errors) reaches the terminal as usual. Chat's
    --json-fields / --jq choose from the record, not from these."""

    def __init__(self, out: Output) -> None:
        super().__init__(out.terminal, json_mode=True, quiet=out.quiet)
        self.selection = None
        self.docs: list[Any] = []

    def json(self, doc: Any) -> None:
        self.docs.append(doc)

    def ndjson(self, doc: Any) -> None:
        self.docs.append(doc)

    def _out(self, text: str) -> None:  # anything else a step writes to stdout: kept as text
        if text.strip():
            self.docs.append(text.rstrip("\n"))


def carry_out(ctx: "Context", step: "Step", session: str | None) -> Any:
    """Call the flow a step names and show its result; `session`: chat's --session (None: the one in effect)."""
    return _steps()[type(step)](ctx, step, session)


def asked(result: Any) -> "dict[str, Any] | None":
    """The question a step's result leaves open (an edit the service answered with a question), if any."""
    from nemo_cli.flows.edit import EditOutcome

    return result.question if isinstance(result, EditOutcome) and result.status == "awaiting_input" else None


def conclude(ctx: "Context", result: Any) -> None:
    """A step whose result is an unanswered question fails with errors.Question (exit 13), as `nemo edit`."""
    from nemo_cli.flows.edit import EditOutcome

    if isinstance(result, EditOutcome):
        from nemo_cli.commands import edit_view

        edit_view.finish(ctx.out, result)


# -- one function per verb: the flow call, then what its command shows ---------------------------------


def _new_session(ctx: "Context", step: "NewSession", session: str | None) -> Any:
    from nemo_cli.flows import session as sessions

    made = sessions.new(ctx, name=step.name)
    ctx.out.result(made.public(), f"Created session {made.session_id} ({made.name}); it is now active.", quiet=made.session_id)
    return made


def _credits(ctx: "Context", step: "Credits", session: str | None) -> Any:
    from nemo_cli.flows import account

    balance = account.credits(ctx)
    doc = balance.public()
    ctx.out.result(doc, [f"available: {doc['available']}", f"frozen:    {doc['frozen']}", f"total:     {doc['total']}"],
                   quiet=str(doc["available"]))
    return balance


def _state(ctx: "Context", step: "State", session: str | None) -> Any:
    from nemo_cli.flows import session as sessions

    current = sessions.state(ctx, ctx.sessions.resolve(session))
    ctx.out.result(current.state, current.lines, quiet=current.line)
    return current


def _edit(ctx: "Context", step: "Edit", session: str | None) -> Any:
    from nemo_cli.commands.edit_view import EditView
    from nemo_cli.flows.edit import edit

    return edit(ctx, ctx.sessions.resolve(session), step.instruction, EditView(ctx.out),
                answer=list(step.answers), expect_change=step.expect_change)


def _upload(ctx: "Context", step: "Upload", session: str | None) -> Any:
    from nemo_cli.commands import upload as command

    done = command.checked_upload(ctx, session, paths=step.paths)
    command.finish(ctx, done)
    return done


def _export(ctx: "Context", step: "Export", session: str | None) -> Any:
    from nemo_cli.commands import export as command
    from nemo_cli.flows import render

    options = render.Options(step.format or "mp4", "high", step.resolution)
    dest = command.destination(ctx, step.output, step.force)
    sid = ctx.sessions.resolve(session)
    return command.report(ctx, lambda view: render.export(ctx, sid, options, dest, view, link=not ctx.out.quiet))


def _steps() -> "dict[type, Callable[..., Any]]":
    from nemo_cli.flows import chat

    return {chat.NewSession: _new_session, chat.Credits: _credits, chat.State: _state, chat.Edit: _edit,
            chat.Upload: _upload, chat.Export: _export}
