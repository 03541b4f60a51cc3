"""`nemo credits`: the balance."""

from __future__ import annotations

import typer

from nemo_cli.commands import common
from nemo_cli.commands.json_options import Jq, JsonFields


def credits(json: common.Json = False, json_fields: JsonFields = None, jq: Jq = None, quiet: common.Quiet = False) -> None:
    """Show the credit balance: available, frozen (held by operations in flight) and total.

    Generating a clip costs about 100 credits, an editing session about 50; export is free.

    \b
    Examples:
      $ nemo credits
      $ nemo credits -q
      $ nemo credits --json-fields available,frozen
    """
    from nemo_cli.flows import account

    ctx = common.use(json=json, quiet=quiet)
    balance = account.credits(ctx).public()
    ctx.out.result(
        balance,
        [f"available: {balance['available']}", f"frozen:    {balance['frozen']}", f"total:     {balance['total']}"],
        quiet=str(balance["available"]),
    )


def register(app: typer.Typer) -> None:
    app.command("credits")(credits)
