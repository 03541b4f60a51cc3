"""The only writer to the terminal.

stdout carries data: the human rendering, one JSON document (`--json`), NDJSON for streams, or the one
value a script wants (`-q`). Everything else (progress, spinners, hints, warnings, errors) goes to stderr.
Colour, spinners and progress bars appear only on terminals and never with NO_COLOR / --no-color.
rich is imported only when a progress bar or spinner is actually drawn.
"""

from __future__ import annotations

import json
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any, Iterator

from nemo_cli.errors import UsageError


# A lone UTF-16 surrogate: JSON may carry one ("\\ud800") and json.loads keeps it, but no stream can encode it
_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_text(text: str) -> str:
    """JSON from json.dumps(ensure_ascii=False): a lone surrogate can only sit inside a string there, so it
    goes back to its escape, which is valid JSON and reads back as the same value."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _write(stream: IO[str], text: str) -> None:
    """Write text that came from the service: a lone surrogate becomes U+FFFD, and a character the
    stream's encoding lacks (a Latin-1 terminal) is replaced rather than failing the command."""
    text = _SURROGATE.sub("\ufffd", text)
    try:
        stream.write(text)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "utf-8"
        stream.write(text.encode(encoding, "replace").decode(encoding))


_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def _one_line(text: str) -> str:
    """An error, warning or hint stays one line whatever it quotes (a file name with a line break, a
    service message with a carriage return or a terminal escape): control characters are shown escaped."""
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], text)


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class Terminal:
    """Every terminal fact in one place, so tests can swap them."""

    stdout_tty: bool
    stderr_tty: bool
    stdin_tty: bool
    no_color: bool

    @classmethod
    def detect(cls, no_color: bool = False) -> "Terminal":
        return cls(
            stdout_tty=_isatty(sys.stdout),
            stderr_tty=_isatty(sys.stderr),
            stdin_tty=_isatty(sys.stdin),
            no_color=no_color or "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb",
        )

    @property
    def color(self) -> bool:
        return self.stderr_tty and not self.no_color

    @property
    def live(self) -> bool:
        """Progress bars and spinners: stderr is a terminal and decoration is allowed."""
        return self.stderr_tty and not self.no_color

    @property
    def can_prompt(self) -> bool:
        return self.stdin_tty and self.stderr_tty


def _dumps(doc: Any, pretty: bool = False) -> str:
    if pretty:
        return _json_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str))
    return _json_text(json.dumps(doc, ensure_ascii=False, default=str, separators=(",", ":")))


def _jq_line(value: Any) -> str:
    """A jq result as `gh --jq` prints it: a string raw, anything else as compact JSON; one a line."""
    return (value if isinstance(value, str) else _dumps(value)) + "\n"


# -- choosing what --json prints: --json-fields and --jq ------------------------------------------------

JQ_EXTRA = "nemo-cli[jq]"


@dataclass
class Selection:
    """What `--json-fields FIELDS` and `--jq EXPR` ask of a command's JSON: the keys to keep (in the order
    given) and a jq program run on the result. Both imply --json. A stream (NDJSON) gets them per event."""

    fields: list[str] | None = None
    expr: str | None = None
    program: Any = None  # the compiled jq program

    @staticmethod
    def parse_fields(text: str) -> list[str]:
        names = [name.strip() for name in text.split(",")]
        if not text.strip() or any(not name for name in names):
            raise UsageError(
                f"--json-fields takes key names separated by commas, not {text!r}",
                hint="e.g. --json-fields render_id,status (the README's \"JSON output\" lists each command's keys)",
            )
        return list(dict.fromkeys(names))

    @staticmethod
    def compile(expr: str) -> Any:
        try:
            import jq
        except ImportError:
            raise UsageError(
                "--jq needs the jq package, which is not installed",
                hint=f"install it: pip install '{JQ_EXTRA}' (or pipe --json into a jq program)",
            ) from None
        try:
            return jq.compile(expr)
        except ValueError as exc:
            raise UsageError(f"--jq: {_first_line(str(exc))}", hint="the expression is jq's syntax, e.g. --jq '.render_id'") from None

    def pick(self, doc: Any) -> Any:
        """Only the chosen keys of an object, or of each object of a list; a key the object lacks is null."""
        if self.fields is None:
            return doc
        if isinstance(doc, dict):
            return {name: doc.get(name) for name in self.fields}
        if isinstance(doc, list):
            return [self.pick(item) if isinstance(item, dict) else item for item in doc]
        return doc

    def missing(self, doc: Any) -> list[str]:
        """Chosen keys that no object of the document has (most likely a typo)."""
        objects = [doc] if isinstance(doc, dict) else [d for d in doc if isinstance(d, dict)] if isinstance(doc, list) else []
        if self.fields is None or not objects:
            return []
        return [name for name in self.fields if not any(name in obj for obj in objects)]

    def run(self, doc: Any) -> list[Any]:
        """The jq program's outputs for one input document."""
        try:
            return list(self.program.input_value(doc).all())
        except ValueError as exc:
            raise UsageError(f"--jq: {_first_line(str(exc))}", hint=None) from None


def _first_line(text: str) -> str:
    """jq's message without its `jq: error: ` prefix and the source excerpt it adds below."""
    line = text.strip().splitlines()[0] if text.strip() else "the expression failed"
    return re.sub(r"^jq: error(?: \(at [^)]*\))?: ", "", line)


_requested: dict[str, Any] = {"fields": None, "expr": None, "program": None}


def request_fields(value: str | None) -> str | None:
    """The `--json-fields` option's callback: checked while the command line is parsed (before anything
    is sent), remembered for the Output the command then builds."""
    _requested["fields"] = Selection.parse_fields(value) if value is not None else None
    return value


def request_jq(value: str | None) -> str | None:
    """The `--jq` option's callback: the expression is compiled while the command line is parsed."""
    _requested["expr"] = value
    _requested["program"] = Selection.compile(value) if value is not None else None
    return value


def requested() -> Selection | None:
    if _requested["fields"] is None and _requested["program"] is None:
        return None
    return Selection(_requested["fields"], _requested["expr"], _requested["program"])


class Output:
    def __init__(
        self, terminal: Terminal, *, json_mode: bool = False, quiet: bool = False, selection: "Selection | None" = None
    ) -> None:
        self.terminal = terminal
        # what --json-fields / --jq chose on this command line (they imply --json)
        self.selection = selection if selection is not None else requested()
        self.json_mode = json_mode or self.selection is not None
        self.quiet = quiet

    # -- stdout: data ---------------------------------------------------------------------------
    def line(self, text: str = "") -> None:
        """One line of human data on stdout (suppressed in json/quiet mode)."""
        if not (self.json_mode or self.quiet):
            self._out(text + "\n")

    def value(self, text: str) -> None:
        """The one value `-q` prints (an id, a path); also printed in human mode when asked."""
        if not self.json_mode:
            self._out(text + "\n")

    def json(self, doc: Any) -> None:
        """One JSON document; --json-fields keeps only the chosen keys, --jq prints what its program makes."""
        select = self.selection
        if select is None:
            self._out(_dumps(doc, pretty=True) + "\n")
            return
        for name in select.missing(doc):
            self.warn(f"--json-fields: this output has no key {name!r} (it is printed as null)")
        doc = select.pick(doc)
        if select.program is None:
            self._out(_dumps(doc, pretty=True) + "\n")
            return
        for value in select.run(doc):
            self._out(_jq_line(value))

    def ndjson(self, doc: Any) -> None:
        """One event of a stream, one line; --json-fields and --jq apply to each event on its own."""
        select = self.selection
        if select is None:
            self._out(_dumps(doc) + "\n")
            return
        doc = select.pick(doc)
        if select.program is None:
            self._out(_dumps(doc) + "\n")
            return
        for value in select.run(doc):
            self._out(_jq_line(value))

    def chunk(self, text: str) -> None:
        """Streamed text: written and flushed as it arrives, no newline added."""
        self._out(text)

    def result(self, doc: Any, human: "list[str] | str", quiet: "str | list[str] | None" = None) -> None:
        """The usual ending of a command: one JSON document, the quiet value(s), or the human lines."""
        if self.json_mode:
            self.json(doc)
        elif self.quiet:
            if quiet is not None:
                for item in [quiet] if isinstance(quiet, str) else quiet:
                    self._out(item + "\n")
        else:
            for item in [human] if isinstance(human, str) else human:
                self._out(item + "\n")

    def binary(self) -> IO[bytes]:
        return sys.stdout.buffer

    def _out(self, text: str) -> None:
        _write(sys.stdout, text)
        sys.stdout.flush()

    # -- stderr: everything else ----------------------------------------------------------------
    def info(self, text: str) -> None:
        """Progress notes for people; silent with -q and --json (scripts read exit codes)."""
        if not (self.quiet or self.json_mode):
            self._err(text)

    def note(self, text: str) -> None:
        """Status lines that matter even to scripts (still on stderr, so stdout stays clean)."""
        if not self.quiet:
            self._err(text)

    def warn(self, text: str) -> None:
        self._err(self._style("warning: ", "yellow") + _one_line(text))

    def hint(self, text: str) -> None:
        if not self.quiet:
            self._err(self._style("hint: ", "cyan") + _one_line(text))

    def error(self, text: str, hint: str | None = None) -> None:
        self._err(self._style("error: ", "red") + _one_line(text))
        if hint:
            self._err(self._style("hint: ", "cyan") + _one_line(hint))

    def _style(self, text: str, color: str) -> str:
        if not self.terminal.color:
            return text
        codes = {"red": "31", "yellow": "33", "cyan": "36", "green": "32", "dim": "2"}
        return f"\033[{codes[color]}m{text}\033[0m"

    def _err(self, text: str) -> None:
        _write(sys.stderr, text + "\n")
        sys.stderr.flush()

    # -- live decoration on stderr --------------------------------------------------------------
    @contextmanager
    def progress(self, description: str, total: int | None, unit: str = "bytes") -> Iterator["Progress"]:
        """A progress bar on a terminal, of bytes (size, speed, time left) or of percent (percent, time
        elapsed); a no-op elsewhere."""
        if not self.terminal.live or self.quiet:
            yield Progress(None, None)
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress as RichProgress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        if unit == "percent":
            # the time left is the caller's estimate (a note), not rich's: a render's progress comes in
            # steps from polls, which rich's own speed estimate reads as stalls and bursts
            columns: list[Any] = [TaskProgressColumn(), TimeElapsedColumn(), TextColumn("{task.fields[note]}")]
        else:
            columns = [DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn(), TextColumn("{task.fields[note]}")]
        bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            *columns,
            console=Console(file=sys.stderr),
            transient=True,
        )
        with bar:
            task = bar.add_task(description, total=total, note="")
            yield Progress(bar, task)

    @contextmanager
    def spinner(self, text: str) -> Iterator["Spinner"]:
        """A spinner with elapsed time on a terminal; a no-op elsewhere (callers print lines instead)."""
        if not self.terminal.live or self.quiet:
            yield Spinner(None)
            return
        from rich.console import Console
        from rich.status import Status

        status = Status(text, console=Console(file=sys.stderr))
        with status:
            yield Spinner(status)

    @contextmanager
    def live_table(self, headers: list[str]) -> Iterator["LiveTable"]:
        """A table on stderr redrawn in place as its rows change, on a terminal; a no-op elsewhere (callers
        print a line per change instead). The last drawing stays on screen."""
        if not self.terminal.live or self.quiet:
            yield LiveTable(None, headers)
            return
        from rich.console import Console
        from rich.live import Live

        with Live(console=Console(file=sys.stderr), auto_refresh=False, transient=False) as live:
            yield LiveTable(live, headers)


class Progress:
    def __init__(self, bar: Any, task: Any) -> None:
        self._bar, self._task = bar, task

    @property
    def active(self) -> bool:
        return self._bar is not None

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def update(
        self,
        completed: float | None = None,
        total: float | None = None,
        description: str | None = None,
        note: str | None = None,
        refresh: bool = False,
    ) -> None:
        """Move the bar; `note` is the text after it (a time left), `refresh` draws it at once."""
        if self._bar is not None:
            kwargs: dict[str, Any] = {}
            if completed is not None:
                kwargs["completed"] = completed
            if total is not None:
                kwargs["total"] = total
            if description is not None:
                kwargs["description"] = description
            if note is not None:
                kwargs["note"] = note
            self._bar.update(self._task, refresh=refresh, **kwargs)

    def waiting(self, description: str) -> None:
        """The bar's work is done here and the other side is busy (the service digesting an upload): the
        bar pulses under `description` instead of sitting at 100%."""
        if self._bar is not None:
            for task in self._bar.tasks:
                if task.id == self._task:
                    task.total = None  # rich pulses a bar of unknown total; update(total=None) changes nothing
            self._bar.update(self._task, description=description, note="", refresh=True)


class Spinner:
    def __init__(self, status: Any) -> None:
        self._status = status

    @property
    def active(self) -> bool:
        return self._status is not None

    def update(self, text: str) -> None:
        if self._status is not None:
            self._status.update(text)


class LiveTable:
    def __init__(self, live: Any, headers: list[str]) -> None:
        self._live, self._headers = live, headers

    @property
    def active(self) -> bool:
        return self._live is not None

    def update(self, rows: list[list[str]]) -> None:
        if self._live is None:
            return
        from rich.table import Table
        from rich.text import Text

        table = Table(*self._headers, box=None, pad_edge=False, header_style="bold")
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))  # Text: a file name with [brackets] is not markup
        self._live.update(table, refresh=True)
