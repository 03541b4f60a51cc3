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


class Output:
    def __init__(self, terminal: Terminal, *, json_mode: bool = False, quiet: bool = False) -> None:
        self.terminal = terminal
        self.json_mode = json_mode
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
        self._out(_json_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str)) + "\n")

    def ndjson(self, doc: Any) -> None:
        self._out(_json_text(json.dumps(doc, ensure_ascii=False, default=str, separators=(",", ":"))) + "\n")

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
            columns = [TaskProgressColumn(), TimeElapsedColumn()]
        else:
            columns = [DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn()]
        bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            *columns,
            console=Console(file=sys.stderr),
            transient=True,
        )
        with bar:
            task = bar.add_task(description, total=total)
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

    def update(self, completed: int | None = None, total: int | None = None, description: str | None = None) -> None:
        if self._bar is not None:
            kwargs: dict[str, Any] = {}
            if completed is not None:
                kwargs["completed"] = completed
            if total is not None:
                kwargs["total"] = total
            if description is not None:
                kwargs["description"] = description
            self._bar.update(self._task, **kwargs)


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
