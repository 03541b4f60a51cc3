"""`nemo edit`: send an instruction to the session and stream the reply."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from nemo_cli.commands import common
from nemo_cli.commands.json_options import Jq, JsonFields

DEFAULT_SETTLE = 30.0


def edit(
    message: Annotated[
        Optional[list[str]],
        typer.Argument(
            metavar="MESSAGE",
            help="The instruction, in words (quoted or not); - reads it from stdin.",
            show_default=False,
        ),
    ] = None,
    file: Annotated[
        Optional[Path],
        typer.Option("--file", "-f", metavar="PATH", help="Read the instruction from a file (- for stdin).", show_default=False),
    ] = None,
    settle: Annotated[
        bool,
        typer.Option(
            "--settle",
            help=(
                "After the reply, wait until the timeline has stopped changing (the service adds music and a "
                f"title on its own after a generation) for {DEFAULT_SETTLE:g}s, then print its summary."
            ),
        ),
    ] = False,
    settle_for: Annotated[
        Optional[float],
        typer.Option("--settle-for", metavar="SECONDS", min=0, help="--settle, with SECONDS of stillness instead.", show_default=False),
    ] = None,
    show_cost: Annotated[bool, typer.Option("--show-cost", help="Print the credits spent (balance before and after) on stderr.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show tool calls and results on stderr.")] = False,
    timeout: Annotated[
        Optional[float],
        typer.Option("--timeout", metavar="SECONDS", min=0, help="Give up after SECONDS in all (default: setting edit.timeout).", show_default=False),
    ] = None,
    answer: common.Answer = None,
    expect_change: common.ExpectChange = False,
    session: common.SessionOpt = None,
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Send an instruction to the session and stream the reply to stdout as it arrives.

    Tool calls stay hidden (--verbose shows them). When the service answers without words, the change it
    made to the timeline is printed instead. A dropped connection is never answered by sending the
    message again (it would run and be charged twice): nemo watches the session's state and reports the
    change. Ctrl-C stops listening; the service keeps working (`nemo state` shows the outcome).
    With --json, one event per line (text, tool_call, tool_result, heartbeat, state_change, question, done).

    The service may ask a question instead of editing ("Which music style do you want?"): the question and
    its numbered options are printed and nemo exits 13 at once. Answer with the next message: the option's
    label, or just its number (`nemo edit 2`), which nemo sends as the label; or pass --answer up front.
    --expect-change exits 14 when the timeline did not change.

    -q prints only what the edit changed in the timeline, one line per change (nothing when nothing
    changed), not the reply; a question is still printed (exit 13).

    \b
    Examples:
      $ nemo edit "remove the section between 0:02 and 0:04 and join the rest"
      $ nemo edit add lo-fi background music at 35% --show-cost
      $ nemo edit "add background music" --answer first --expect-change
      $ echo "add a title 'Hi'" | nemo edit - -q
      $ nemo edit "add a title 'Hi'" --jq 'select(.type == "done") | .changes[]'
      $ nemo edit --file instructions.txt --settle-for 2
    """
    from nemo_cli.commands import edit_view
    from nemo_cli.flows.edit import edit as send

    ctx = common.use(json=json, quiet=quiet)
    instruction = _instruction(message or [], file)
    outcome = send(
        ctx, ctx.sessions.resolve(session), instruction, edit_view.EditView(ctx.out, verbose),
        answer=list(answer or []), expect_change=expect_change, timeout=timeout, show_cost=show_cost,
        settle=settle_for if settle_for is not None else DEFAULT_SETTLE if settle else None,
    )
    edit_view.finish(ctx.out, outcome)


def _instruction(words: list[str], file: Path | None) -> str:
    """The message from exactly one place: the arguments, a file, or stdin (`-`)."""
    import sys

    from nemo_cli.errors import BadInput, UsageError

    if words and file is not None:
        raise UsageError("give the message as arguments or with --file, not both")
    if file is None and not words:
        raise UsageError("no message given", hint='nemo edit "what to do", nemo edit --file PATH, or pipe it: … | nemo edit -')
    stdin = words == ["-"] or (file is not None and str(file) == "-")
    try:
        if stdin:
            text = sys.stdin.read()
        elif file is not None:
            text = file.read_text(encoding="utf-8")
        else:
            text = " ".join(words)
    except OSError as exc:
        raise BadInput(f"cannot read the message from {file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BadInput(f"the message in {'stdin' if stdin else file} is not UTF-8 text") from None
    text = text.strip()
    if not text:
        source = "stdin" if stdin else str(file) if file is not None else "the argument"
        raise UsageError(f"the message from {source} is empty", hint='say what to do, e.g. nemo edit "add a title \'Hello\'"')
    return text


def register(app: typer.Typer) -> None:
    app.command("edit")(edit)
