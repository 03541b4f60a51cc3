"""A batch plan: a TOML file of jobs, read and checked whole before any job starts.

    [[job]]
    file = "raw/intro.mp4"                 # or files = ["a.mp4", "b.mp4"]
    instruction = "add a title 'Intro'"    # or a recipe:
    output = "out/intro.mp4"

    [[job]]
    name = "talk"                          # optional: how the job is shown
    files = ["raw/talk.mov"]
    recipe = "trim"                        # trim | grade | film | demo-clip
    output = "out/talk.mp4"
    args = { remove = ["0:45-1:20"] }      # the recipe's options (or a [job.args] table, placed last)
    answer = "first"                       # optional: if the service asks a question, this answers it
                                           # (first, last, a number or a label; a list for several)

Relative paths resolve against the plan's directory. A bad plan is refused with one BadInput line that
names the job (exit 6). Each job has a fingerprint of everything that defines it, so a results file can
tell a job that was done from one that has since been changed. Pure apart from looking at the files.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from nemo_cli.flows import workflows
from nemo_cli.errors import BadInput, NemoError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

JOB_KEYS = ("name", "file", "files", "instruction", "recipe", "args", "output", "answer")

# recipe → its options (as `nemo <recipe> --option` takes them) → the type a plan gives them
_TEXT, _NUMBER, _WHOLE, _FLAG, _TEXTS = "text", "number", "whole number", "true or false", "text or a list of texts"
RECIPE_ARGS: dict[str, dict[str, str]] = {
    "trim": {"remove": _TEXTS, "keep": _TEXT},
    "grade": {"look": _TEXT, **{k: _NUMBER for k in workflows.GRADE_LIMITS}},
    "film": {"best_takes": _FLAG, "transitions": _TEXT, "music": _TEXT, "music_volume": _WHOLE},
    "demo-clip": {"length": _NUMBER, "music": _TEXT, "title": _TEXT},
}

# recipe → the pure builder that checks its parameters (and composes the instruction) before a credit is spent,
# called as the recipe's command calls it (trim checks its ranges against the media's length, when known)
_BUILD: dict[str, Callable[..., workflows.Recipe]] = {
    "trim": lambda a, media_ms=None: workflows.trim(_texts(a.get("remove")), a.get("keep"), media_ms),
    "grade": lambda a, media_ms=None: workflows.grade(a.get("look"), {k: a.get(k) for k in workflows.GRADE_LIMITS}),
    "film": lambda a, media_ms=None: workflows.film(bool(a.get("best_takes")), a.get("transitions"), a.get("music"), a.get("music_volume")),
    "demo-clip": lambda a, media_ms=None: workflows.demo_clip(float(a.get("length", 60)), a.get("music"), a.get("title")),
}


@dataclass(frozen=True)
class Job:
    index: int  # 1-based, in plan order
    name: str
    files: tuple[Path, ...]
    output: Path
    instruction: str | None = None
    recipe: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    answers: tuple[str, ...] = ()  # `answer`: what answers the edit's questions, in order (as --answer)

    @property
    def label(self) -> str:
        return f"job {self.index} ({self.name})"

    @property
    def what(self) -> str:
        """The instruction sent, or the recipe's composed one."""
        if self.recipe:
            return _BUILD[self.recipe](self.args).instruction
        return self.instruction or ""

    @property
    def workflow(self) -> str | None:
        """The recipe's workflow (its X-Skill-Source name); None for an instruction."""
        return _BUILD[self.recipe](self.args).workflow if self.recipe else None

    def recipe_for(self, media_ms: float | None) -> "workflows.Recipe":
        """The job's recipe as its command builds it from the same options, for media `media_ms` long (None:
        not known; the plan's check)."""
        if not self.recipe:
            raise ValueError(f"{self.label} has an instruction, not a recipe")
        return _BUILD[self.recipe](self.args, media_ms)

    def fingerprint(self) -> str:
        """Everything that defines the job's result; a changed job is a new job."""
        doc = {
            "files": [str(f) for f in self.files],
            "instruction": self.instruction,
            "recipe": self.recipe,
            "args": self.args,
            "output": str(self.output),
        }
        if self.answers:  # only when given: the jobs of older plans keep their fingerprints
            doc["answers"] = list(self.answers)
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]


def results_path(plan: Path) -> Path:
    """`plan.toml` → `plan.results.json`, next to it."""
    return plan.with_name(plan.stem + ".results.json")


def load(plan: Path, shown: str | None = None) -> list[Job]:
    """Read and check a whole plan; the first problem found is raised as BadInput naming the job (and
    the plan as `shown`, the way the user wrote it)."""
    shown = shown or str(plan)
    try:
        # relative paths and the results file live next to the plan: a pipe (`<(…)`) has no such place,
        # and reading one that nobody writes would wait forever
        if plan.exists() and not plan.is_dir() and not plan.is_file():
            raise BadInput(f"the plan {shown} is not a regular file", hint="save the plan to a file and run that")
        text = plan.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"no such plan: {shown}") from None
    except IsADirectoryError:
        raise BadInput(f"the plan {shown} is a directory, not a TOML file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read the plan {shown}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{shown}: not valid TOML ({exc})") from None
    return parse(data, plan.parent, shown)


def parse(data: dict[str, Any], base: Path, shown: str = "the plan") -> list[Job]:
    extra = sorted(set(data) - {"job"})
    if extra:
        raise BadInput(f"{shown}: unknown top-level key {extra[0]!r}", hint="a plan is a list of [[job]] tables")
    raw = data.get("job")
    if not isinstance(raw, list) or not raw:
        raise BadInput(f"{shown}: no jobs", hint='add [[job]] tables: file = "…", instruction = "…", output = "…"')
    jobs = [_job(i, entry, base, shown) for i, entry in enumerate(raw, 1)]
    _distinct_outputs(jobs, shown)
    return jobs


def _job(index: int, entry: Any, base: Path, shown: str) -> Job:
    where = f"{shown}: job {index}"
    if not isinstance(entry, dict):
        raise BadInput(f"{where}: not a table", hint="write each job as a [[job]] table")
    files_given = _files_value(entry, where)
    name = entry.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise BadInput(f"{where}: name must be non-empty text")
    label = name.strip() if isinstance(name, str) else (Path(files_given[0]).name if files_given else "?")
    where = f"{shown}: job {index} ({label})"
    unknown = [k for k in entry if k not in JOB_KEYS]
    if unknown:
        raise BadInput(f"{where}: unknown key {unknown[0]!r}", hint="a job has: " + ", ".join(JOB_KEYS))
    files = tuple(_check_file(f, base, where) for f in files_given)
    instruction, recipe, args = _what(entry, where)
    output = _output(entry, base, where, files)
    answer = entry.get("answer")
    answers = [answer] if isinstance(answer, str) else answer if answer is not None else []
    if not isinstance(answers, list) or not all(isinstance(a, str) and a.strip() for a in answers):
        raise BadInput(f"{where}: answer must be non-empty text or a list of texts (first, last, a number or an option's label)")
    return Job(index, label, files, output, instruction, recipe, args, tuple(a.strip() for a in answers))


def _files_value(entry: dict[str, Any], where: str) -> list[str]:
    if "file" in entry and "files" in entry:
        raise BadInput(f"{where}: give file or files, not both")
    value = entry.get("files", entry.get("file"))
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise BadInput(f"{where}: needs file = \"PATH\" or files = [\"PATH\", …]")
    return value


def _check_file(given: str, base: Path, where: str) -> Path:
    from nemo_cli.media import check

    path = _resolve(given, base)
    try:
        check(str(path))
    except BadInput as exc:
        # media.check says "cannot upload PATH: rule"; name the file as the plan wrote it
        rule = exc.message.split(": ", 1)[-1]
        raise BadInput(f"{where}: {given}: {rule}", hint=exc.hint) from None
    return path


def _what(entry: dict[str, Any], where: str) -> tuple[str | None, str | None, dict[str, Any]]:
    instruction, recipe, args = entry.get("instruction"), entry.get("recipe"), entry.get("args")
    if instruction is not None and recipe is not None:
        raise BadInput(f"{where}: give an instruction or a recipe, not both")
    if args is not None and recipe is None:
        raise BadInput(f"{where}: args belong to a recipe; add recipe = \"trim\" (or grade, film, demo-clip)")
    if instruction is not None:
        if not isinstance(instruction, str) or not instruction.strip():
            raise BadInput(f"{where}: instruction must be non-empty text")
        return instruction.strip(), None, {}
    if recipe is None:
        raise BadInput(f"{where}: needs an instruction = \"…\" or a recipe = \"…\"", hint="recipes: " + ", ".join(RECIPE_ARGS))
    if not isinstance(recipe, str) or recipe.strip().lower().replace("_", "-") not in RECIPE_ARGS:
        raise BadInput(f"{where}: unknown recipe {recipe!r}", hint="recipes: " + ", ".join(RECIPE_ARGS))
    recipe = recipe.strip().lower().replace("_", "-")
    checked = _recipe_args(recipe, args if args is not None else {}, where)
    try:
        _BUILD[recipe](checked)
    except NemoError as exc:
        raise BadInput(f"{where}: {exc.message}".replace("--", "args."), hint=exc.hint) from None
    return None, recipe, checked


def _recipe_args(recipe: str, args: Any, where: str) -> dict[str, Any]:
    if not isinstance(args, dict):
        raise BadInput(f"{where}: args must be a table, e.g. args = {{ remove = [\"0:45-1:20\"] }}")
    known = RECIPE_ARGS[recipe]
    checked: dict[str, Any] = {}
    for key, value in args.items():
        norm = key.replace("-", "_")
        if norm not in known:
            raise BadInput(f"{where}: {recipe} has no option {key!r}", hint=f"{recipe} takes: " + ", ".join(known))
        want = known[norm]
        ok = {
            _TEXT: isinstance(value, str),
            _NUMBER: isinstance(value, (int, float)) and not isinstance(value, bool),
            _WHOLE: isinstance(value, int) and not isinstance(value, bool),
            _FLAG: isinstance(value, bool),
            _TEXTS: isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)),
        }[want]
        if not ok:
            raise BadInput(f"{where}: args.{key} must be {want}, not {value!r}")
        checked[norm] = _texts(value) if want == _TEXTS else value
    return checked


def _output(entry: dict[str, Any], base: Path, where: str, files: tuple[Path, ...]) -> Path:
    value = entry.get("output")
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"{where}: needs output = \"PATH.mp4\" (where the video goes)")
    path = _resolve(value, base)
    if path.suffix.lower() != ".mp4":
        raise BadInput(f"{where}: output {value} must be an .mp4 file (renders are H.264 MP4)")
    if path.is_dir():
        raise BadInput(f"{where}: output {value} is a directory; name the file, e.g. {value.rstrip('/')}/video.mp4")
    if path in files:
        raise BadInput(f"{where}: output {value} is one of the job's own files")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise BadInput(f"{where}: output {value}: {parent} is not a directory")
            break
    return path


def _distinct_outputs(jobs: list[Job], shown: str) -> None:
    seen: dict[Path, Job] = {}
    inputs = {f: j for j in jobs for f in j.files}
    for job in jobs:
        if job.output in seen:
            raise BadInput(
                f"{shown}: {job.label}: output {job.output} is also {seen[job.output].label}'s",
                hint="give each job its own output",
            )
        if job.output in inputs:
            raise BadInput(f"{shown}: {job.label}: output {job.output} is an input of {inputs[job.output].label}")
        seen[job.output] = job


def _resolve(given: str, base: Path) -> Path:
    import os

    path = Path(given).expanduser()
    return Path(os.path.abspath(path if path.is_absolute() else base / path))


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)
