"""The command tree: which modules make up `nemo`, how the root help groups them, and building the Typer
app from them (all of them, or only the one an invocation needs). The root (app.py), `nemo help`,
`nemo completion` and the docs generator all build it from here. Imports nothing heavy until `build` runs.
"""

from __future__ import annotations

from typing import Any

from nemo_cli.commands.menu import MENU  # noqa: F401  (the root help's menu; data the root group reads too)

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
    "doctor",
    "completion",
    "emulator",
    "mcp",
    "agent_skill",
    "help",
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


def root_command() -> Any:
    """The click command of the whole tree (for help, completion scripts and the docs)."""
    import typer

    return typer.main.get_command(build())


def needed(args: list[str]) -> str | None:
    """The one command module an invocation needs (`nemo -p work credits --json` → credits), so the
    others are neither imported nor converted by Typer (a third of a networked command's start-up);
    None, to build the whole tree, whenever that is not certain."""
    from nemo_cli.options import leading

    i = leading(args)[1]
    # not a command (--help, --version, an option we do not know, a typo): the whole tree answers
    return args[i] if i < len(args) and args[i] in COMMANDS else None
