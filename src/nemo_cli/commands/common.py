"""What every command module shares: the app factory, option aliases, the context accessor, the runner.

A leaf command takes its flags, calls `use(json=…, quiet=…)` for its Context, does its work through
`ctx.client` / `ctx.store`, and hands results to `ctx.out`. It never prints directly.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from nemo_cli import __version__

# -- the factory -------------------------------------------------------------------------------


def new_app(**kwargs: Any) -> typer.Typer:
    """Every Typer app of the tree, with the same settings: plain help (fast, greppable, man-able)."""
    kwargs.setdefault("no_args_is_help", False)
    return typer.Typer(
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
        **kwargs,
    )


# -- reusable options ---------------------------------------------------------------------------

Json = Annotated[bool, typer.Option("--json", help="Print one JSON document (NDJSON for streams) on stdout.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the essential value (an id, a path).")]
SessionOpt = Annotated[
    Optional[str],
    typer.Option(
        "--session",
        "-s",
        metavar="ID",
        help="Session to act on (default: NEMO_SESSION, then the active session).",
        show_default=False,
    ),
]

# what the edit-sending commands (edit, the workflows, chat) share
Answer = Annotated[
    Optional[list[str]],
    typer.Option(
        "--answer",
        metavar="CHOICE",
        help=(
            "If the service stops to ask a question, answer it with this option and go on: first, last, its "
            "number or its label (repeat for each further question). Without it a question ends the command "
            "with exit 13. No effect when nothing is asked."
        ),
        show_default=False,
    ),
]
ExpectChange = Annotated[
    bool,
    typer.Option("--expect-change", help="Exit 14 when the edit leaves the timeline as it was (the service did not understand it)."),
]

# -- global options and the context -------------------------------------------------------------

_globals: dict[str, Any] = {}


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"nemo {__version__}\n")
        raise typer.Exit()


def root_callback(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", help="Print the version and exit.", callback=_version, is_eager=True),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Log every request and response to stderr (tokens masked).")
    ] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour, spinners or progress bars.")] = False,
    profile: Annotated[
        Optional[str],
        typer.Option("--profile", "-p", metavar="NAME", help="Store profile to use (default: NEMO_PROFILE or `default`)."),
    ] = None,
    api_url: Annotated[
        Optional[str], typer.Option("--api-url", metavar="URL", help="API base URL (default: NEMO_API_URL, config, built-in).")
    ] = None,
) -> None:
    """Global options; they go before the command: `nemo --debug credits`."""
    _globals.clear()
    _globals.update(debug=debug, no_color=no_color, profile=profile, api_url=api_url)


def use(*, json: bool = False, quiet: bool = False, skill_source: str | None = None) -> "Any":
    """The Context for this invocation, built from the global options and the command's own."""
    from nemo_cli.context import Context

    debug_env = os.environ.get("NEMO_DEBUG", "")
    return Context(
        json_mode=json,
        quiet=quiet,
        debug=bool(_globals.get("debug")) or debug_env not in ("", "0", "false"),
        no_color=bool(_globals.get("no_color")),
        profile=_globals.get("profile"),
        api_url=_globals.get("api_url"),
        skill_source=skill_source,
    )


def global_args(params: dict[str, Any]) -> list[str]:
    """The root options this command was started with, as arguments: for the commands chat runs in-process
    and batch runs as subprocesses."""
    args: list[str] = []
    if params.get("debug"):
        args.append("--debug")
    if params.get("no_color"):
        args.append("--no-color")
    if params.get("profile"):
        args += ["--profile", params["profile"]]
    if params.get("api_url"):
        args += ["--api-url", params["api_url"]]
    return args


# -- the runner ---------------------------------------------------------------------------------


class RootGroup(TyperGroup):
    """The root group: the one place an exception becomes `error: …` on stderr and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        from nemo_cli.errors import NemoError

        try:
            return super().invoke(ctx)
        except NemoError as exc:
            from nemo_cli.settings import point_at_source

            report(exc.message, exc.hint and point_at_source(exc.hint, flags=_globals))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            report("interrupted", None)
            raise typer.Exit(130) from None
        except Exception as exc:
            if _is_click_exception(exc):
                raise
            if isinstance(exc, BrokenPipeError):
                # the reader went away (`nemo … | head`): nothing worth a message
                _silence_stdout()
                raise typer.Exit(0) from None
            if _globals.get("debug") or os.environ.get("NEMO_DEBUG"):
                import traceback

                traceback.print_exc()
            report(
                f"internal error ({type(exc).__name__}: {exc})",
                "rerun with --debug for the details, and please report it",
            )
            raise typer.Exit(1) from None


def run(app: typer.Typer, args: list[str]) -> int:
    command = typer.main.get_command(app)
    try:
        command.main(args=args, prog_name="nemo", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def report(message: str, hint: str | None) -> None:
    from nemo_cli.output import Output, Terminal

    Output(Terminal.detect(no_color=bool(_globals.get("no_color")))).error(message, hint)


def _is_click_exception(exc: Exception) -> bool:
    """click's own control-flow exceptions (Exit, Abort, UsageError…), recognised without importing
    Typer's private click module."""
    return type(exc).__module__.startswith(("click", "typer"))


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
