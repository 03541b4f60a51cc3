"""The global options -- `--debug`, `--no-color`, `-p/--profile NAME`, `--api-url URL` -- declared once and
found anywhere on the command line, as in `gh` (`nemo credits --debug` is `nemo --debug credits`).

Everything that knows about them reads this module: the root command's option declarations and every
command's "Global options" help section (commands/common.py), the start-up fast paths and the choice of
the one command module to build (app.py, commands/tree.py), the completion scripts, and the options
`chat` and `batch` read back for their hints. The fast paths import this before (or instead
of) Typer, so it imports nothing at all (not even `typing` or `dataclasses`).

Where a word is global:
- anywhere before `--`; nothing after `--` is (`nemo edit -- --debug` sends the text "--debug");
- never as the value of an option that takes one (`nemo edit --file -p` reads a file named `-p`);
- never when the command itself has an option of that name (the command's own wins);
- never after the first argument of a command that passes the rest of its line on (`nemo emulator exec
  CMD …`): those words belong to CMD.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs more than `nemo --version`
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable


class GlobalOption:
    def __init__(self, dest: str, flags: tuple[str, ...], metavar: str, help: str) -> None:
        self.dest = dest  # the attribute of Globals
        self.flags = flags  # short first: ("-p", "--profile")
        self.metavar = metavar  # "" for a flag
        self.help = help

    @property
    def takes_value(self) -> bool:
        return bool(self.metavar)


GLOBAL_OPTIONS = (
    GlobalOption("debug", ("--debug",), "", "Log every request and response to stderr (tokens masked)."),
    GlobalOption("no_color", ("--no-color",), "", "No colour, spinners or progress bars."),
    GlobalOption("profile", ("-p", "--profile"), "NAME", "Store profile to use (default: NEMO_PROFILE or `default`)."),
    GlobalOption("api_url", ("--api-url",), "URL", "API base URL (default: NEMO_API_URL, config, built-in)."),
)
BY_FLAG = {flag: option for option in GLOBAL_OPTIONS for flag in option.flags}
DESTS = tuple(option.dest for option in GLOBAL_OPTIONS)


class Globals:
    """The global options of one invocation."""

    def __init__(self, debug: bool = False, no_color: bool = False, profile: str | None = None, api_url: str | None = None) -> None:
        self.debug = debug
        self.no_color = no_color
        self.profile = profile
        self.api_url = api_url

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> "Globals":
        """From the root command's parsed parameters (click's `ctx.params`)."""
        return cls(**{name: params[name] for name in DESTS if params.get(name)})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Globals) and self.as_dict() == other.as_dict()

    def __repr__(self) -> str:
        return f"Globals({', '.join(f'{k}={v!r}' for k, v in self.as_dict().items())})"

    def args(self) -> list[str]:
        """Back to command-line words (the root group re-reads a line with the globals hoisted to the front)."""
        words: list[str] = []
        for option in GLOBAL_OPTIONS:
            value = getattr(self, option.dest)
            if value and option.takes_value:
                words += [option.flags[-1], value]
            elif value:
                words.append(option.flags[-1])
        return words

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in DESTS}

    def _take(self, word: str, following: list[str]) -> int | None:
        """If `word` is a global option, record it and return how many of `following` it used as its
        value (0 or 1); None if it is not one (or its value is missing: left for the parser to report)."""
        name, eq, attached = word.partition("=") if word.startswith("--") else (word[:2], "", word[2:])
        option = BY_FLAG.get(name)
        if option is None or (attached and not eq and not option.takes_value):
            return None
        if not option.takes_value:
            if eq:
                return None  # `--debug=1`: not a form click accepts either
            setattr(self, option.dest, True)
            return 0
        if eq or attached:
            setattr(self, option.dest, attached)
            return 0
        if not following:
            return None
        setattr(self, option.dest, following[0])
        return 1


def leading(args: list[str]) -> tuple[Globals, int]:
    """The global options before the command (`nemo -p work --debug credits …`) and the index of the first
    other word (the command, or an option that is not a global one, or a global one without its value)."""
    found = Globals()
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] not in ("-", "--"):
        used = found._take(args[i], args[i + 1 :])
        if used is None:
            break
        i += 1 + used
    return found, i


class CommandShape:
    """What hoisting needs to know of one command: its own options (name → how many values follow it),
    its subcommands, and whether options may follow its arguments."""

    def __init__(self, options: dict[str, int], subcommands: dict[str, Any], interspersed: bool = True) -> None:
        self.options = options
        self.subcommands = subcommands
        self.interspersed = interspersed


def hoist(args: list[str], root: Any, shape: Callable[[Any], CommandShape]) -> tuple[Globals, list[str], list[str]]:
    """Take the global options out of a whole command line, wherever they are: (the globals, the other
    words in their order, the names of the (sub)commands the line reached). `shape(node)` describes a
    command; `root`'s subcommands are walked as their names appear. Words that are not understood are left
    for the parser to report."""
    found = Globals()
    rest: list[str] = []
    path: list[str] = []
    node = shape(root)
    at_root, positional = True, False  # the root's own options are the globals themselves
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--" or (positional and not node.interspersed):
            rest += args[i:]
            break
        if word.startswith("-") and word != "-":
            name = word.split("=", 1)[0] if word.startswith("--") else word[:2]
            if name in node.options and not (at_root and name in BY_FLAG):
                inline = "=" in word if word.startswith("--") else len(word) > 2
                takes = 0 if inline else node.options[name]
                rest += args[i : i + 1 + takes]
                i += 1 + takes
                continue
            used = found._take(word, args[i + 1 :])
            if used is None:
                rest.append(word)  # not ours: the parser says what is wrong with it
                i += 1
            else:
                i += 1 + used
            continue
        rest.append(word)
        if word in node.subcommands:
            node, at_root, positional = shape(node.subcommands[word]), False, False
            path.append(word)
        elif node.subcommands:
            rest += args[i + 1 :]  # an unknown command: the parser reports it, nothing more to find
            break
        else:
            positional = True
        i += 1
    return found, rest, path


def names(option_names: Iterable[str] = ()) -> list[str]:
    """Every global option's flags (for completion and help), skipping those in `option_names`."""
    taken = set(option_names)
    return [flag for option in GLOBAL_OPTIONS for flag in option.flags if flag not in taken]
