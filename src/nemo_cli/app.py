"""The root command: global options, the command tree, and the one place errors become exit codes.

`nemo --version` is answered before Typer is imported (start-up speed), and so is `nemo --help` once
its text is cached (helpcache.py); other help imports only Typer and the command modules, which import
nothing heavy at module level.
"""

from __future__ import annotations

import sys

from nemo_cli import __version__
from nemo_cli.commands.tree import COMMANDS, build, needed  # noqa: F401  (build: tests and docgen)

def render_root_help() -> str:
    """Exactly what `nemo --help` prints through Typer (click's help option echoes get_help())."""
    import typer

    command = typer.main.get_command(build())
    with command.make_context("nemo", [], resilient_parsing=True) as ctx:
        return command.get_help(ctx) + "\n"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        sys.stdout.write(f"nemo {__version__}\n")
        return
    if args in (["--help"], ["-h"]):
        # the root help as Typer rendered it last, unless the installed code changed since
        from nemo_cli.helpcache import root_help

        sys.stdout.write(root_help(render_root_help))
        return
    if args[:1] == ["__complete"] and len(args) in (2, 4) and args[2:3] in ([], ["--profile"], ["-p"]):
        # Tab presses call this: answer from the store without building the command tree
        import os

        from nemo_cli.complete import lines

        profile = args[3] if len(args) == 4 else os.environ.get("NEMO_PROFILE") or "default"
        sys.stdout.write(lines(args[1], profile))
        return
    from nemo_cli.commands.common import run

    sys.exit(run(build(needed(args)), args))
