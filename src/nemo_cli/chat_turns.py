"""One line of `nemo chat` → the command lines that carry it out.

A line is routed by the contract's table (nemo_cli.routing) and becomes the very command a user would
type — `export -o . --resolution 1080p`, `edit "…"` then `state`, `upload clip.mp4` — which `nemo chat`
runs in-process through the command tree. So every action prints, fails and exits exactly as its one-shot
command does, and nothing here talks to the service. Pure: no I/O but looking at the paths a line names.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from nemo_cli.errors import UsageError
from nemo_cli.routing import Route, route

LEAVE = ("exit", "quit", "bye", ":q", "退出")
HELP = ("help", "?", "帮助")
# words that introduce where an export goes: "export to out.mp4", "download it into ~/Videos"
_TARGET_WORD = re.compile(r"^(to|into|as|at|in)$", re.I)
_NOT_A_TARGET = re.compile(r"^(mp4|it|the|video|file|\d{3,4}p|\d{3,4}x\d{3,4}|--?f(orce)?|overwrite)$", re.I)
_FORCE = re.compile(r"(^|\s)(--force|-f|overwrite|覆盖)(\s|$)", re.I)
_UPLOAD_WORDS = re.compile(r"^(please|pls|now|then|upload|上传|the|this|these|file|files|and)$", re.I)

HELP_LINES = [
    "Type what you want; each line is one turn:",
    "  export [1080p|720p] [to PATH]   render and download (导出, download, send me the video)",
    "  credits                         the balance (积分, balance, 余额)",
    "  status                          the track summary (状态, show tracks)",
    "  upload FILE… or just a path     upload media into the session (上传)",
    "  anything else                   an edit, sent to the service and streamed",
    "Ctrl-C cancels the current wait; Ctrl-D (or `exit`) leaves.",
]


@dataclass
class Turn:
    """What one line does: the route it took and the command lines to run, in order."""

    line: str
    route: Route
    commands: list[list[str]] = field(default_factory=list)
    needs_session: bool = False  # a session must be in effect first (chat starts one when there is none)


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def export_target(text: str) -> str | None:
    """Where a line asks the export to go: the word after to/into/as, or a word naming an .mp4 file."""
    words = _words(text)
    for before, word in zip(words, words[1:]):
        if _TARGET_WORD.match(before) and not _NOT_A_TARGET.match(word):
            return word
    for word in words:
        if word.lower().endswith(".mp4") and len(word) > 4:
            return word
    return None


def upload_paths(r: Route) -> list[str]:
    """The files an upload line names: those routing recognised, else every word that looks like a path
    (so `upload missing.mp4` reaches `nemo upload`, which says what is wrong with it)."""
    if r.paths:
        return r.paths
    return [w for w in _words(r.text) if not _UPLOAD_WORDS.match(w) and ("/" in w or Path(w).suffix)]


def plan(line: str, *, session: str | None = None, json: bool = False, quiet: bool = False,
         edit_args: list[str] | None = None, answer: bool = False) -> Turn:
    """The turn a line makes. Raises UsageError for a line that names no action's required part.

    `edit_args` go to the edit of an edit turn (--answer, --expect-change); `answer`: the line answers the
    service's question, so it is an edit whatever words it has ("export" may be an option's label)."""
    r = Route("edit", line.strip()) if answer else route(line)
    shown = (["--json"] if json else []) + (["-q"] if quiet else [])
    common = (["--session", session] if session else []) + shown
    if r.action == "credits":
        return Turn(line, r, [["credits", *shown]])
    if r.action == "state":
        return Turn(line, r, [["state", *common]])
    if r.action == "upload":
        paths = upload_paths(r)
        if not paths:
            raise UsageError("upload what? name the file: `upload clip.mp4` (or just type its path)")
        return Turn(line, r, [["upload", *common, "--", *paths]], needs_session=True)
    if r.action == "export":
        argv = ["export", "-o", export_target(r.text) or ".", *common]
        if "resolution" in r.options:
            argv += ["--resolution", r.options["resolution"]]
        if "format" in r.options:
            argv += ["--format", r.options["format"]]
        if _FORCE.search(r.text):
            argv.append("--force")
        return Turn(line, r, [argv])
    if r.text == "-":  # `nemo edit -` would read the message from stdin
        raise UsageError("say what to do, e.g. add a title 'Hello'")
    # an edit, then the track summary of the new timeline
    return Turn(line, r, [["edit", *common, *(edit_args or []), "--", r.text], ["state", *common]], needs_session=True)
