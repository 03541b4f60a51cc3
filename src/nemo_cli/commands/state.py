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
    from nemo_cli import draft as timeline
    from nemo_cli.errors import BadInput

    ctx = common.use(json=json, quiet=quiet)
    current = ctx.client.state(ctx.sessions.resolve(session))
    if check_ready:
        if not timeline.is_ready(current.draft):
            raise BadInput("the draft is not ready for export (no track has segments)", hint="upload or generate first")
        return
    if draft:
        ctx.out.json(current.draft)
        return
    ctx.out.result(current.state, timeline.summary_lines(current.state), quiet=timeline.one_line(current.state))


def register(app: typer.Typer) -> None:
    app.command("state")(state)
