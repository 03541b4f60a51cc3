"""The root command: global options, the command tree, and the one place errors become exit codes.

`nemo --version` is answered before Typer is imported (start-up speed); `--help` imports only Typer
and the command modules, which import nothing heavy at module level.
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


def build():
    """The Typer app with every command registered."""
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
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"nemo_cli.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"nemo_cli.commands.{name}":
                raise
            continue  # a command group not built yet
        module.register(app)
    return app


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        sys.stdout.write(f"nemo {__version__}\n")
        return
    if args[:1] == ["__complete"] and len(args) in (2, 4) and args[2:3] in ([], ["--profile"], ["-p"]):
        # Tab presses call this: answer from the store without building the command tree
        import os

        from nemo_cli.complete import lines

        profile = args[3] if len(args) == 4 else os.environ.get("NEMO_PROFILE") or "default"
        sys.stdout.write(lines(args[1], profile))
        return
    from nemo_cli.commands.common import run

    sys.exit(run(build(), args))
