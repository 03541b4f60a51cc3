"""The root command: global options, the command tree, and the one place errors become exit codes.

`nemo --version` is answered before Typer is imported (start-up speed), and so is the root help (`nemo`,
`nemo --help`, `nemo help`) once its text is cached (helpcache.py); other help imports only Typer and the
command modules, which import nothing heavy at module level. Global options may come first on these fast
paths too (options.leading): `nemo -p work --help` is answered from the cache.
"""

from __future__ import annotations

import sys

from nemo_cli import __version__
from nemo_cli.commands.tree import COMMANDS, build, needed  # noqa: F401  (build: tests and docgen)


def render_root_help() -> str:
    """Exactly what `nemo --help` prints through Typer (click's help option echoes get_help())."""
    from nemo_cli.commands.tree import root_command

    command = root_command()
    with command.make_context("nemo", [], resilient_parsing=True) as ctx:
        return command.get_help(ctx) + "\n"


def main(argv: list[str] | None = None) -> None:
    from nemo_cli.options import leading

    args = sys.argv[1:] if argv is None else argv
    found, start = leading(args)
    rest = args[start:]
    if rest in (["--version"], ["-V"]):
        sys.stdout.write(f"nemo {__version__}\n")
        return
    if not args or rest in (["--help"], ["-h"], ["help"]):
        # the root help as Typer rendered it last, unless the installed code changed since
        from nemo_cli.helpcache import root_help

        sys.stdout.write(root_help(render_root_help))
        return
    if rest and rest[0] == "__complete" and len(rest) in (2, 4) and rest[2:3] in ([], ["--profile"], ["-p"]):
        # Tab presses call this: answer from the store without building the command tree
        import os

        from nemo_cli.completion.stored import lines

        profile = (rest[3] if len(rest) == 4 else None) or found.profile or os.environ.get("NEMO_PROFILE") or "default"
        sys.stdout.write(lines(rest[1], profile))
        return
    from nemo_cli.commands.common import run

    sys.exit(run(build(needed(args)), args))
