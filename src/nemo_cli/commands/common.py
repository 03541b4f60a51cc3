"""What every command module shares: the app factory, option aliases, the context accessor, the runner.

A leaf command takes its flags, calls `use(json=…, quiet=…)` for its Context, resolves what it names (the
session: `ctx.sessions.resolve`), makes one call of a flow (nemo_cli.flows) and hands its typed result to
`ctx.out`. It never prints directly and never imports nemo_cli.api. An error's hint is worded once, in
nemo_cli.errors (by the reason the API names), and shown here.
"""

from __future__ import annotations

import contextvars
import os
import sys
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from nemo_cli import __version__, options

# -- the factory -------------------------------------------------------------------------------


def new_app(**kwargs: Any) -> typer.Typer:
    """Every Typer app of the tree, with the same settings: plain help (fast, greppable, man-able), and
    every group and command of our own classes (readable metavars, the global options, "Learn more")."""
    kwargs.setdefault("no_args_is_help", False)
    kwargs.setdefault("cls", NemoGroup)
    return _App(
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
        **kwargs,
    )


class _App(typer.Typer):
    def command(self, name: Optional[str] = None, *, cls: Any = None, **kwargs: Any) -> Any:
        return super().command(name, cls=cls or NemoCommand, **kwargs)


class _Help:
    """What every command's help shares: words for metavars (`FILE...`, never `<list[str]>` or `{FILE}`),
    the global options, whole descriptions of subcommands, and a last pointer to the man page."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        from nemo_cli.completion.model import usage_word

        pieces = [self.options_metavar] if self.options_metavar else []  # type: ignore[attr-defined]
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if param.param_type_name == "argument" and not param.hidden:
                word = usage_word(param)
                pieces.append(word if param.required else f"[{word}]")
        if isinstance(self, TyperGroup):
            pieces.append(self.subcommand_metavar)
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        from nemo_cli.completion.model import metavar, usage_word

        arguments, own, shared = [], [], []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((usage_word(param), record[1]))
                continue
            if not (param.is_flag or param.count) and not param.metavar:
                short_first = sorted(param.opts, key=lambda o: o.startswith("--"))
                record = (", ".join(short_first) + " " + metavar(param), record[1])
            (shared if ctx.parent is None and param.name in options.DESTS else own).append(record)
        if ctx.parent is not None:
            shared = [(", ".join(o.flags) + (f" {o.metavar}" if o.metavar else ""), o.help) for o in options.GLOBAL_OPTIONS]
        sections = [("Arguments", arguments), ("Options", own), ("Global options (they go anywhere on the line)", shared)]
        for title, rows in sections:
            if title.startswith("Global") and isinstance(self, TyperGroup):
                self.format_commands(ctx, formatter)
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """Subcommands with their whole first sentence (click cuts them off with "…" to fit a line)."""
        rows = [(name, cmd.get_short_help_str(limit=10**6)) for name, cmd in visible_commands(self, ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        super().format_epilog(ctx, formatter)  # type: ignore[misc]
        with formatter.section("Learn more"):
            formatter.write_text(f"`man {man_page(ctx)}`: every option, the environment, exit codes and examples.")


def man_page(ctx: Any) -> str:
    """The man page of the command a context runs: `nemo`, or `nemo-export` for `nemo export status`."""
    if ctx.parent is None:
        return "nemo"
    while ctx.parent.parent is not None:
        ctx = ctx.parent
    return f"nemo-{ctx.info_name}"


def visible_commands(group: Any, ctx: Any) -> list[tuple[str, Any]]:
    found = [(name, group.get_command(ctx, name)) for name in group.list_commands(ctx)]
    return [(name, cmd) for name, cmd in found if cmd is not None and not cmd.hidden]


class NemoCommand(_Help, TyperCommand):
    pass


class NemoGroup(_Help, TyperGroup):
    pass


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

_globals = options.Globals()  # this invocation's, set by root_callback


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"nemo {__version__}\n")
        raise typer.Exit()


def _global(dest: str) -> Any:
    """The typer.Option of one global option, from its declaration in nemo_cli.options."""
    spec = next(o for o in options.GLOBAL_OPTIONS if o.dest == dest)
    return typer.Option(*reversed(spec.flags), metavar=spec.metavar or None, help=spec.help, show_default=False)


def root_callback(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", help="Print the version and exit.", callback=_version, is_eager=True),
    ] = False,
    debug: Annotated[bool, _global("debug")] = False,
    no_color: Annotated[bool, _global("no_color")] = False,
    profile: Annotated[Optional[str], _global("profile")] = None,
    api_url: Annotated[Optional[str], _global("api_url")] = None,
) -> None:
    """Global options; they go anywhere on the line: `nemo credits --debug` is `nemo --debug credits`."""
    global _globals
    _globals = options.Globals(debug=debug, no_color=no_color, profile=profile, api_url=api_url)


class Injected:
    """What a caller running the CLI in-process hands every command's Context, as the `obj` of the
    invocation (`run(…, transport=…)`, or `CliRunner().invoke(…, obj=Injected(transport=…))`): an httpx
    transport every client sends through instead of the network."""

    def __init__(self, transport: Any = None) -> None:
        self.transport = transport


# What this invocation was given: set by the root group for the length of one invocation and restored after
# it, never assigned from outside. A run inside another (a test driving `run` from within a command) is given
# what the outer one was, unless it was given its own.
_invocation: "contextvars.ContextVar[Injected]" = contextvars.ContextVar("nemo_invocation", default=Injected())


def use(*, json: bool = False, quiet: bool = False, skill_source: str | None = None) -> "Any":
    """The Context for this invocation, built from the global options and the command's own (and the
    transport the invocation was given, if any)."""
    from nemo_cli.context import Context

    debug_env = os.environ.get("NEMO_DEBUG", "")
    return Context(
        json_mode=json,
        quiet=quiet,
        debug=_globals.debug or debug_env not in ("", "0", "false"),
        no_color=_globals.no_color,
        profile=_globals.profile,
        api_url=_globals.api_url,
        skill_source=skill_source,
        transport=_invocation.get().transport,
    )


# -- the runner ---------------------------------------------------------------------------------


class RootGroup(NemoGroup):
    """The root group: global options taken from anywhere on the line, the menu of commands, and the one
    place an exception -- ours or the parser's -- becomes `error: …` on stderr and an exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from nemo_cli.commands.menu import MENU

        for heading, entries in MENU:
            for name, text in entries:
                cmd = self.commands.get(name)
                if cmd is not None:
                    cmd.rich_help_panel = getattr(cmd, "rich_help_panel", None) or heading
                    cmd.short_help = cmd.short_help or text

    def list_commands(self, ctx: Any) -> list[str]:
        """In the menu's order (menu.MENU), then any others as registered."""
        from nemo_cli.commands.menu import MENU

        order = [name for _, entries in MENU for name, _ in entries]
        listed = [name for name in order if name in self.commands]
        return listed + [name for name in self.commands if name not in listed]

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """One section per heading of the menu, every description whole, the columns aligned across them."""
        commands = visible_commands(self, ctx)
        if not commands:
            return
        width = max(len(name) for name, _ in commands)
        panels: dict[str, list[tuple[str, str]]] = {}
        for name, cmd in commands:
            panel = getattr(cmd, "rich_help_panel", None) or "Commands"
            panels.setdefault(panel, []).append((name.ljust(width), cmd.get_short_help_str(limit=10**6)))
        for panel, rows in panels.items():
            with formatter.section(panel):
                formatter.write_dl(rows)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """The global options are taken from wherever they stand and handed to the root (options.hoist)."""
        if not ctx.resilient_parsing:
            found, rest, _ = options.hoist(list(args), self, _shape)
            args = found.args() + rest
        return super().parse_args(ctx, args)

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None, standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            code = super().main(args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra)
            code = code if isinstance(code, int) else 0
        except Exception as exc:
            if not _is_click_exception(exc):
                raise
            code = _parser_error(exc, self, list(sys.argv[1:] if args is None else args))
        if standalone_mode:
            sys.exit(code)
        return code

    def invoke(self, ctx: Any) -> Any:
        given = _invocation.set(ctx.find_object(Injected) or _invocation.get())
        try:
            return self._invoke(ctx)
        finally:
            _invocation.reset(given)

    def _invoke(self, ctx: Any) -> Any:
        from nemo_cli.errors import NemoError

        try:
            return super().invoke(ctx)
        except NemoError as exc:
            from nemo_cli.settings import point_at_source

            report(exc.message, exc.hint and point_at_source(exc.hint, flags=_globals.as_dict()))
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
            if _globals.debug or os.environ.get("NEMO_DEBUG"):
                import traceback

                traceback.print_exc()
            report(
                f"internal error ({type(exc).__name__}: {exc})",
                "rerun with --debug for the details, and please report it",
            )
            raise typer.Exit(1) from None


def _shape(cmd: Any) -> options.CommandShape:
    """What options.hoist needs to know of a click command."""
    takes: dict[str, int] = {}
    for param in getattr(cmd, "params", []):
        if param.param_type_name == "option":
            count = 0 if (param.is_flag or param.count) else max(param.nargs, 1)
            takes.update({name: count for name in [*param.opts, *param.secondary_opts]})
    interspersed = (cmd.context_settings or {}).get("allow_interspersed_args", cmd.allow_interspersed_args)
    return options.CommandShape(takes, dict(getattr(cmd, "commands", None) or {}), interspersed)


def run(app: typer.Typer, args: list[str], *, transport: Any = None) -> int:
    """`nemo ARGS` in this process, its exit code; `transport` (an httpx transport) replaces the network
    for every client the command builds (default: the enclosing invocation's, if this run is inside one)."""
    command = typer.main.get_command(app)
    try:
        command.main(args=args, prog_name="nemo", standalone_mode=True, obj=Injected(transport) if transport else None)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def report(message: str, hint: str | None) -> None:
    from nemo_cli.output import Output, Terminal

    Output(Terminal.detect(no_color=_globals.no_color)).error(message, hint)


def _is_click_exception(exc: BaseException) -> bool:
    """click's own control-flow exceptions (Exit, Abort, UsageError…), recognised without importing
    Typer's private click module."""
    return type(exc).__module__.startswith(("click", "typer"))


def _kinds(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


# -- the parser's errors, in our words ---------------------------------------------------------------


def _parser_error(exc: BaseException, root: Any, args: list[str]) -> int:
    """A usage error found while parsing (click's UsageError family) as one `error:` line and a hint, exit 2;
    a group called without a command prints its help (exit 0); click's Abort is exit 1. `args`: the
    command line, for what click's exception leaves out (the command, the whole word)."""
    kinds = _kinds(exc)
    ctx = getattr(exc, "ctx", None)
    if "NoArgsIsHelpError" in kinds and ctx is not None:
        sys.stdout.write(ctx.get_help() + "\n")
        return 0
    if "Abort" in kinds:
        report("aborted", None)
        return 1
    if "UsageError" not in kinds:  # another ClickException (FileError…)
        report(_sentence(getattr(exc, "message", str(exc))), None)
        return int(getattr(exc, "exit_code", 1))
    where = ctx.command_path if ctx is not None else " ".join(["nemo", *options.hoist(args, root, _shape)[2]])
    message, hint = _usage_message(exc, kinds, ctx, args)
    see = f"see `{where} --help`"
    hint = f"{hint}{' ' if hint.endswith('?') else '; '}{see}" if hint else see
    report(message, hint)
    return 2


def _usage_message(exc: Any, kinds: set[str], ctx: Any, args: list[str]) -> tuple[str, str | None]:
    """(our message, a hint or None) for one of click's usage errors."""
    import re

    command = ctx.command if ctx is not None else None
    if "NoSuchOption" in kinds:
        name = exc.option_name
        if not name.startswith("--"):  # click names the first letter of `-weird.mp4`: say the whole word
            name = next((w for w in args if w.startswith(name) and w != "--"), name)
        if len(name) > 2 and not name.startswith("--") and re.search(r"[./\\]", name):
            return f"no such option: {name}", f"a file whose name starts with - goes after --: `{ctx.command_path} -- {name}`"
        known = [n for p in getattr(command, "params", []) if not getattr(p, "hidden", False)
                 for n in getattr(p, "opts", []) + getattr(p, "secondary_opts", [])]
        if ctx is not None and ctx.parent is not None:
            known += options.names()
        return f"no such option: {name}", did_you_mean(name, known)
    if "BadOptionUsage" in kinds and exc.option_name and "requires an argument" in exc.message:
        return f"option {exc.option_name} needs a value", None
    param = getattr(exc, "param", None)
    if "MissingParameter" in kinds and param is not None:
        kind = "option" if param.param_type_name == "option" else "argument"
        return f"missing {kind} {_param_name(param)}" + _choices_note(param), None
    if "BadParameter" in kinds and param is not None:
        return _bad_value(exc, param)
    text = exc.message
    unknown = re.match(r"No such command '(.*?)'\.(?: Did you mean|$)", text)
    if unknown:
        word = unknown.group(1)
        return f"no such command: {word}", did_you_mean(word, [n for n, _ in visible_commands(command, ctx)] if command else [])
    extra = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)$", text)
    if extra:
        return f"unexpected argument: {extra.group(1)}", None
    return _sentence(text), None


def did_you_mean(word: str, candidates: list[str]) -> str | None:
    near = _close(word, candidates)
    return f"did you mean {' or '.join(near)}?" if near else None


def _bad_value(exc: Any, param: Any) -> tuple[str, str | None]:
    """`--fps takes a number, not 'abc'`: from the validation error under click's message when there is
    one (its kind, input and limits), else click's own message."""
    name = _param_name(param)
    choices = _choice_list(param)
    cause = getattr(exc, "__cause__", None)
    details = cause.errors() if cause is not None and hasattr(cause, "errors") else []
    given = details[0].get("input") if details else None
    shown = f"{given!r}" if isinstance(given, str) else str(given)
    if choices and given is not None:
        return f"{name} must be {_or(choices)}, not {shown}", did_you_mean(str(given), choices)
    kind = details[0].get("type", "") if details else ""
    limits = details[0].get("ctx") or {} if details else {}
    bounds = {"greater_than_equal": ("at least", "ge"), "less_than_equal": ("at most", "le"),
              "greater_than": ("more than", "gt"), "less_than": ("less than", "lt")}
    if kind in bounds and bounds[kind][1] in limits:
        words, key = bounds[kind]
        limit = limits[key]
        limit = int(limit) if isinstance(limit, float) and limit.is_integer() else limit
        return f"{name} must be {words} {limit}, not {given}", None
    if kind.startswith(("float_", "decimal_")):
        return f"{name} takes a number, not {shown}", None
    if kind.startswith("int_"):
        return f"{name} takes a whole number, not {shown}", None
    text = exc.message.removeprefix("Value error, ")
    return f"bad {name}: {_sentence(text)}", None


def _param_name(param: Any) -> str:
    """How a message names a parameter: its longest flag (`--fps`), or an argument's word (`SHELL`)."""
    from nemo_cli.completion.model import metavar

    if param.param_type_name == "option":
        return max(param.opts, key=len)
    return metavar(param)


def _choice_list(param: Any) -> list[str]:
    from nemo_cli.completion.model import choices

    return choices(param) or []


def _choices_note(param: Any) -> str:
    choices = _choice_list(param)
    return f" ({_or(choices)})" if choices else ""


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _close(word: str, candidates: list[str]) -> list[str]:
    import difflib

    return difflib.get_close_matches(word, candidates, n=2, cutoff=0.6)


def _sentence(text: str) -> str:
    """click's sentence as our message: one line, lower-case start (unless a name), no final period."""
    text = " ".join(str(text).split()).rstrip(".")
    return text[:1].lower() + text[1:] if text[:2].isalpha() and not text[:2].isupper() else text


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
