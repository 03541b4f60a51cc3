"""`nemo completion SHELL`: the shell completion script; and the hidden helper those scripts call."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from nemo_cli.commands import common


class Shell(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion(
    typer_ctx: typer.Context,
    shell: Annotated[Shell, typer.Argument(metavar="SHELL", help="bash, zsh or fish.", show_default=False)],
) -> None:
    """Print the completion script for SHELL: commands, options, session and render ids, media files.

    Save it where your shell looks (for zsh, a directory on $fpath, before compinit runs):

    \b
    nemo completion bash > ~/.local/share/bash-completion/completions/nemo
    nemo completion zsh > ~/.zfunc/_nemo
    nemo completion fish > ~/.config/fish/completions/nemo.fish
    """
    from nemo_cli.docgen import completions, tree

    ctx = common.use()
    ctx.out.chunk(completions.render(shell.value, tree.from_click(typer_ctx.find_root().command)))


def stored_values(
    kind: Annotated[str, typer.Argument()],
    profile: Annotated[Optional[str], typer.Option("--profile", "-p")] = None,
) -> None:
    """Completion candidates from the store (sessions, renders, profiles), one `value<TAB>note` a line."""
    from nemo_cli import complete

    ctx = common.use()
    ctx.out.chunk(complete.lines(kind, profile or ctx.profile_name))


def register(app: typer.Typer) -> None:
    app.command("completion")(completion)
    app.command("__complete", hidden=True)(stored_values)
