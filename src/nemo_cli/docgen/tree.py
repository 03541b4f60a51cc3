"""The whole command tree of `nemo`, as the plain data of nemo_cli.completion.model, for the generators."""

from __future__ import annotations

from nemo_cli.completion.model import HELP_WIDTH, Command, Param, from_click

__all__ = ["HELP_WIDTH", "Command", "Param", "from_click", "load"]


def load() -> Command:
    """The whole visible tree of `nemo` (hidden commands and options left out)."""
    from nemo_cli.commands.tree import root_command

    return from_click(root_command())
