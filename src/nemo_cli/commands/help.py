"""`nemo help [COMMAND...]`: the help of a command, as `nemo COMMAND... --help` prints it."""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from nemo_cli.commands import common


def help_(
    command: Annotated[
        Optional[List[str]],
        typer.Argument(metavar="COMMAND", help="The command (and subcommand) to explain; none: nemo itself.", show_default=False),
    ] = None,
) -> None:
    """Show the help of a command: `nemo help export status` prints what `nemo export status --help` does.

    \b
    Examples:
      $ nemo help
      $ nemo help export status
    """
    import sys

    from nemo_cli.commands.tree import root_command
    from nemo_cli.errors import UsageError

    root = root_command()  # the whole tree, whichever modules this run built
    node, ctx = root, root.make_context("nemo", [], resilient_parsing=True)
    for word in command or []:
        sub = node.get_command(ctx, word) if hasattr(node, "get_command") else None
        if sub is None or sub.hidden:
            near = common.did_you_mean(word, [name for name, _ in common.visible_commands(node, ctx)] if hasattr(node, "list_commands") else [])
            see = f"see `{ctx.command_path} --help`"
            raise UsageError(f"no such command: {ctx.command_path} {word}", hint=f"{near} {see}" if near else see)
        node, ctx = sub, sub.make_context(word, [], parent=ctx, resilient_parsing=True)
    sys.stdout.write(node.get_help(ctx) + "\n")


def register(app: typer.Typer) -> None:
    app.command("help")(help_)
