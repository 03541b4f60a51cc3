"""`nemo state`: the session's timeline."""

from __future__ import annotations

from typing import Annotated

import typer

from nemo_cli.commands import common
from nemo_cli.commands.json_options import Jq, JsonFields


def state(
    draft: Annotated[bool, typer.Option("--draft", help="Print only the draft JSON (input for `export --draft`).")] = False,
    check_ready: Annotated[
        bool, typer.Option("--check-ready", help="Print nothing; exit 0 if the draft can be exported, 6 if not.")
    ] = False,
    session: common.SessionOpt = None,
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Show the timeline of the active session: tracks, spans, volumes, titles, canvas and media.

    `--json` prints the whole state; `--draft` only the draft, ready to feed `nemo export --draft`.

    \b
    Examples:
      $ nemo state
      $ nemo state --draft > draft.json
      $ nemo state --check-ready && nemo export --wait -o out.mp4
      $ nemo state --jq '.draft.t | length'
    """
    from nemo_cli.flows import session as sessions

    ctx = common.use(json=json, quiet=quiet)
    current = sessions.state(ctx, ctx.sessions.resolve(session))
    if check_ready:
        sessions.require_ready(current)
        return
    if draft:
        ctx.out.json(current.draft)
        return
    ctx.out.result(current.state, current.lines, quiet=current.line)


def register(app: typer.Typer) -> None:
    app.command("state")(state)
