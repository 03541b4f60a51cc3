"""The root command: global options, the command tree, and the one place errors become exit codes.

`nemo --version` is answered before Typer is imported (start-up speed), and so is `nemo --help` once
its text is cached (helpcache.py); other help imports only Typer and the command modules, which import
nothing heavy at module level.
"""

from __future__ import annotations

import sys

from nemo_cli import __version__

# (module under nemo_cli.commands, name on the command line). Each module exposes `register(app)`.
COMMANDS = [
    "auth",
    "session",
    "upload",
    "edit",
    "workflows",
    "chat",
    "batch",
    "state",
    "credits",
    "export",
    "config",
    "completion",
    "emulator",
]


def build(only: str | None = None):
    """The Typer app with every command registered, or only the one module `only` (see `needed`)."""
    import importlib

    from nemo_cli.commands import common

    app = common.new_app(
        name="nemo",
        help=(
            "Edit videos with NemoVideo from your shell: upload footage, describe the edit in words, "
            "download the MP4.\n\n"
            "Start with `nemo auth`, then `nemo session new`, `nemo upload FILE`, "
            "`nemo edit \"…\"` and `nemo export --wait -o out.mp4`."
        ),
        no_args_is_help=True,
        cls=common.RootGroup,
    )
    app.callback()(common.root_callback)
    for name in COMMANDS if only is None else [only]:
        try:
            module = importlib.import_module(f"nemo_cli.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"nemo_cli.commands.{name}":
                raise
            continue  # a command group not built yet
        module.register(app)
    if only is not None:
        registered = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
        if only not in registered:  # the module registers under other names: take no chances
            return build()
    return app


def needed(args: list[str]) -> str | None:
    """The one command module an invocation needs (`nemo -p work credits --json` → credits), so the
    others are neither imported nor converted by Typer (a third of a networked command's start-up);
    None, to build the whole tree, whenever that is not certain."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        if args[i] in ("--debug", "--no-color") or args[i].startswith(("--profile=", "--api-url=")):
            i += 1
        elif args[i] in ("--profile", "-p", "--api-url"):
            i += 2
        else:
            return None  # --help, --version, an option we do not know: the whole tree answers
    return args[i] if i < len(args) and args[i] in COMMANDS else None


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
