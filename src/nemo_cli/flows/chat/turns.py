"""One line of `nemo chat` → the steps that carry it out, each a verb of the flows with its values.

A line is routed by the contract's table (flows.chat.routing) and becomes steps: `upload clip.mp4` is one
upload, `export 1080p to cut.mp4` one export, an edit is the edit and then the timeline's state (its track
summary). Each step also says the one-shot command it stands for (`argv`): a turn's `--json` record names
its steps that way, and a person reads what chat did as the `nemo …` line they could type themselves.
Pure: no I/O but looking at the paths a line names.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

from nemo_cli.errors import UsageError
from nemo_cli.flows.chat.routing import Route, route

# words that introduce where an export goes: "export to out.mp4", "download it into ~/Videos"
_TARGET_WORD = re.compile(r"^(to|into|as|at|in)$", re.I)
_NOT_A_TARGET = re.compile(r"^(mp4|it|the|video|file|\d{3,4}p|\d{3,4}x\d{3,4}|--?f(orce)?|overwrite)$", re.I)
_FORCE = re.compile(r"(^|\s)(--force|-f|overwrite|覆盖)(\s|$)", re.I)
_UPLOAD_WORDS = re.compile(r"^(please|pls|now|then|upload|上传|the|this|these|file|files|and)$", re.I)


# -- the steps: one per verb ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NewSession:
    """Start a session and make it the active one (chat adds this when a step needs one and none is in effect)."""

    name: str


@dataclass(frozen=True)
class Upload:
    paths: tuple[str, ...]  # as the line names them: checked by the upload itself


@dataclass(frozen=True)
class Edit:
    instruction: str
    answers: tuple[str, ...] = ()  # --answer: each answers the next question the service asks
    expect_change: bool = False  # --expect-change: an unchanged timeline fails the step (exit 14)


@dataclass(frozen=True)
class State:
    """The session's timeline, summed up."""


@dataclass(frozen=True)
class Export:
    output: str  # where the video goes: a file or a directory ("." by default)
    resolution: str | None = None
    format: str | None = None  # asked for by name ("mp4"); the render's container either way
    force: bool = False  # overwrite an existing file


@dataclass(frozen=True)
class Credits:
    """The balance."""


Step = Union[NewSession, Upload, Edit, State, Export, Credits]


@dataclass
class Turn:
    """What one line does: the route it took and its steps, in order. `session`, `json`, `quiet`: the
    chat's own options, which each step's command line carries."""

    line: str
    route: Route
    steps: list[Step] = field(default_factory=list)
    needs_session: bool = False  # a session must be in effect first (chat starts one when there is none)
    session: str | None = None
    json: bool = False
    quiet: bool = False

    def start_session(self, name: str) -> None:
        """Begin with a new session (none is in effect and a step needs one)."""
        self.steps.insert(0, NewSession(name))

    @property
    def commands(self) -> list[list[str]]:
        """Each step as the command line a user would type for it."""
        return [argv(step, session=self.session, json=self.json, quiet=self.quiet) for step in self.steps]


def argv(step: Step, *, session: str | None = None, json: bool = False, quiet: bool = False) -> list[str]:
    """The one-shot command a step stands for (after `nemo`), with chat's output mode and --session."""
    shown = (["--json"] if json else []) + (["-q"] if quiet else [])
    common = (["--session", session] if session else []) + shown
    if isinstance(step, NewSession):
        return ["session", "new", "--name", step.name, *shown]
    if isinstance(step, Credits):
        return ["credits", *shown]
    if isinstance(step, State):
        return ["state", *common]
    if isinstance(step, Upload):
        return ["upload", *common, "--", *step.paths]
    if isinstance(step, Export):
        line = ["export", "-o", step.output, *common]
        line += ["--resolution", step.resolution] if step.resolution else []
        line += ["--format", step.format] if step.format else []
        return line + (["--force"] if step.force else [])
    edit_args = [f"--answer={a}" for a in step.answers] + (["--expect-change"] if step.expect_change else [])
    return ["edit", *common, *edit_args, "--", step.instruction]


# -- a line → its turn ---------------------------------------------------------------------------------


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
    (so `upload missing.mp4` reaches the upload, which says what is wrong with it)."""
    if r.paths:
        return r.paths
    return [w for w in _words(r.text) if not _UPLOAD_WORDS.match(w) and ("/" in w or Path(w).suffix)]


def plan(line: str, *, session: str | None = None, json: bool = False, quiet: bool = False,
         answers: tuple[str, ...] = (), expect_change: bool = False, answer: bool = False) -> Turn:
    """The turn a line makes. Raises UsageError for a line that names no action's required part.

    `answers` and `expect_change` go to the edit of an edit turn (--answer, --expect-change); `answer`: the
    line answers the service's question, so it is an edit whatever words it has ("export" may be an
    option's label)."""
    r = Route("edit", line.strip()) if answer else route(line)
    turn = Turn(line, r, session=session, json=json, quiet=quiet)
    if r.action == "credits":
        turn.steps = [Credits()]
    elif r.action == "state":
        turn.steps = [State()]
    elif r.action == "upload":
        paths = upload_paths(r)
        if not paths:
            raise UsageError("upload what? name the file: `upload clip.mp4` (or just type its path)")
        turn.steps, turn.needs_session = [Upload(tuple(paths))], True
    elif r.action == "export":
        turn.steps = [Export(export_target(r.text) or ".", r.options.get("resolution"), r.options.get("format"),
                             bool(_FORCE.search(r.text)))]
    else:
        if r.text == "-":  # `nemo edit -` would read the message from stdin: chat refuses it the same way
            raise UsageError("say what to do, e.g. add a title 'Hello'")
        # an edit, then the track summary of the new timeline
        turn.steps, turn.needs_session = [Edit(r.text, tuple(answers), expect_change), State()], True
    return turn
