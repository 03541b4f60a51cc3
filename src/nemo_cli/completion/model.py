"""The command tree as plain data: the one place completion and the docs generator read click objects.

Typer keeps click private, so nothing here imports it. The tree comes from `typer.main.get_command`, and
commands and parameters are read duck-typed through the attributes click documents (`commands`, `params`,
`opts`, `secondary_opts`, `is_flag`, `help`, `get_help_record`, `get_help`). Help is rendered at a fixed
width so the generated files never depend on the terminal they were made in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterator

HELP_WIDTH = 80  # the width `--help` text is rendered at for the README


@dataclass
class Param:
    name: str
    is_option: bool
    opts: list[str]  # -s, --session
    secondary_opts: list[str]  # --no-wait
    takes_value: bool
    metavar: str  # ID, NAME; empty for flags
    help: str  # as `--help` shows it, with [default: …] / [required]
    required: bool
    variadic: bool  # an argument with nargs=-1, or an option given many times
    choices: list[str] | None
    path: str | None  # "file" or "dir" for path-typed values
    is_global: bool = False  # one of the global options (options.py), which every command takes

    @property
    def names(self) -> list[str]:
        return self.opts + self.secondary_opts

    @property
    def is_help(self) -> bool:
        return self.is_option and self.name == "help"


@dataclass
class Command:
    path: tuple[str, ...]  # () for the root, ("session", "new")
    help: str
    short_help: str
    params: list[Param]
    subcommands: list["Command"] = field(default_factory=list)
    help_text: str = ""  # the `--help` output
    own_help: str = ""  # a group's own callback docstring: what it does when called with no subcommand

    @property
    def name(self) -> str:
        return " ".join(("nemo",) + self.path)

    @property
    def options(self) -> list[Param]:
        return [p for p in self.params if p.is_option]

    @property
    def global_options(self) -> list[Param]:
        """The global options (declared on the root; valid after any command too)."""
        return [p for p in self.params if p.is_global]

    @property
    def arguments(self) -> list[Param]:
        return [p for p in self.params if not p.is_option]

    def synopsis(self) -> list[str]:
        """Usage words after the command name: [OPTIONS], COMMAND, the arguments."""
        words = ["[OPTIONS]"] if any(not p.is_help for p in self.options) else []
        if self.subcommands:
            words.append("COMMAND")
        for arg in self.arguments:
            word = arg.metavar + ("..." if arg.variadic else "")
            words.append(word if arg.required else f"[{word}]")
        return words

    def walk(self) -> Iterator["Command"]:
        yield self
        for sub in self.subcommands:
            yield from sub.walk()

    def find(self, path: tuple[str, ...]) -> "Command | None":
        node: Command | None = self
        for word in path:
            node = next((c for c in node.subcommands if c.path[-1] == word), None) if node else None
        return node

    def option(self, word: str) -> Param | None:
        return next((p for p in self.options if word in p.names), None)


def from_click(root: Any) -> Command:
    """The tree below a click root command, commands in the order the root's help lists them."""
    ctx = root.make_context("nemo", [], resilient_parsing=True, terminal_width=HELP_WIDTH)
    return _command(root, ctx, ())


def _command(cmd: Any, ctx: Any, path: tuple[str, ...]) -> Command:
    subs = []
    for name in cmd.list_commands(ctx) if hasattr(cmd, "list_commands") else []:
        sub = cmd.get_command(ctx, name)
        if sub is None or getattr(sub, "hidden", False):
            continue
        sub_ctx = sub.make_context(name, [], parent=ctx, resilient_parsing=True)
        subs.append(_command(sub, sub_ctx, path + (name,)))
    return Command(
        path=path,
        help=_clean(cmd.help or ""),
        short_help=cmd.get_short_help_str(limit=10**6),
        params=[p for p in (_param(p, ctx, root=not path) for p in cmd.get_params(ctx)) if p is not None],
        subcommands=subs,
        help_text=cmd.get_help(ctx).rstrip() + "\n",
        own_help=_clean(_callback_doc(cmd)) if subs else "",
    )


def _param(param: Any, ctx: Any, root: bool = False) -> Param | None:
    from nemo_cli.options import DESTS

    if getattr(param, "hidden", False):
        return None
    is_option = _is_option(param)
    record = param.get_help_record(ctx)
    if is_option and record is None:  # click's own hidden help options
        return None
    takes_value = not (is_option and (getattr(param, "is_flag", False) or getattr(param, "count", False)))
    opts = sorted(param.opts, key=lambda o: o.startswith("--")) if is_option else []  # -q before --quiet
    return Param(
        name=param.name,
        is_option=is_option,
        opts=opts,
        secondary_opts=list(getattr(param, "secondary_opts", []) or []) if is_option else [],
        takes_value=takes_value,
        metavar=metavar(param) if takes_value else "",
        help=(record[1] if record else "") or "",
        required=bool(param.required),
        variadic=param.nargs == -1 or bool(getattr(param, "multiple", False)),
        choices=choices(param),
        path=_path_kind(param),
        is_global=root and is_option and param.name in DESTS,
    )


def metavar(param: Any) -> str:
    """The word a person reads for a parameter's value (`FILE`, `NAME`, `low|medium|high`): its metavar,
    else its choices, else its name -- never a type (`<str>`, `<list[str]>`). The help text and the
    generated docs both use it."""
    if getattr(param, "metavar", None):
        return str(param.metavar)
    words = choices(param)
    if words:
        return "|".join(words)
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")] if _is_option(param) else []
    return (opts[0][2:] if opts else param.name).upper().replace("_", "-")


def usage_word(param: Any) -> str:
    """An argument as the usage line and the Arguments list show it: `FILE...`, `ID`."""
    return metavar(param) + ("..." if param.nargs != 1 else "")


def _is_option(param: Any) -> bool:
    return getattr(param, "param_type_name", "") == "option"


def choices(param: Any) -> list[str] | None:
    # Typer ≥ 0.25 describes types itself; plain click keeps them on `param.type`.
    desc = getattr(param, "type_descriptor", None)
    choices = getattr(desc, "choices", None) if desc is not None else getattr(getattr(param, "type", None), "choices", None)
    if not choices:
        return None
    return [str(c.value) if isinstance(c, Enum) else str(c) for c in choices]


def _path_kind(param: Any) -> str | None:
    desc = getattr(param, "type_descriptor", None)
    if desc is not None:
        if getattr(desc, "is_file", False):
            return "file"
        if not getattr(desc, "is_path", False):
            return None
        info = getattr(desc, "parameter_info", None)
    else:
        info = getattr(param, "type", None)
        if getattr(info, "name", None) not in ("path", "filename"):
            return None
    file_okay = getattr(info, "file_okay", True)
    dir_okay = getattr(info, "dir_okay", True)
    return "dir" if dir_okay and not file_okay else "file"


def _callback_doc(cmd: Any) -> str:
    callback = getattr(cmd, "callback", None)
    return getattr(getattr(callback, "__wrapped__", callback), "__doc__", None) or ""


def _clean(text: str) -> str:
    import inspect

    return inspect.cleandoc(text).strip()
