"""The service's advertised workflows (`nemo trim`, `grade`, `film`, `demo-clip`): checked parameters →
one precise instruction → the edit flow.

A recipe builder (trim, grade, film, demo_clip) validates before a credit is spent, composes the
instruction the service works best with (exact timestamps, explicit values), names its workflow (sent as
X-Skill-Source by the caller's client) and knows how to check afterwards that the change it asked for is
visible in the new state. The builders are pure (no I/O); a builder's `media_ms` is the timeline's length,
None when unknown.

    build = lambda media_ms: workflows.trim(["0:02-0:04"], None, media_ms)
    recipe, before = workflows.prepare(ctx, session_id, build)             # what would be sent (--dry-run)
    outcome = workflows.run(ctx, session_id, build, observer, answer=None, expect_change=False, timeout=None)

`run` reads the session's state (an empty timeline is BadInput, exit 3), builds the recipe on the media's
length, sends it through nemo_cli.flows.edit.edit and returns its EditOutcome, with `warnings` listing each
asked-for change the new state does not show (only when status is "done"). Questions and failures come
back exactly as from edit(): status "awaiting_input", typed errors raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

from nemo_cli import draft as timeline
from nemo_cli.errors import BadInput, NemoError, UsageError

if TYPE_CHECKING:
    from nemo_cli.context import Context
    from nemo_cli.flows.edit import EditObserver, EditOutcome

# -- timestamps and ranges ----------------------------------------------------------------------

_TS = re.compile(r"^(?:(?:(\d+):)?(\d{1,2}):)?(\d+)(?:\.(\d{1,3}))?$")


def parse_timestamp(text: str) -> int:
    """`SS`, `MM:SS`, `HH:MM:SS`, each with optional `.mmm` → milliseconds."""
    match = _TS.match(text.strip())
    if not match:
        raise UsageError(f"not a timestamp: {text!r}", hint="use SS, MM:SS or HH:MM:SS, with optional .mmm (e.g. 1:20.5)")
    hours, minutes, secs, frac = match.groups()
    if (minutes is not None or hours is not None) and int(secs) >= 60:
        raise UsageError(f"not a timestamp: {text!r} (seconds must be below 60)")
    if hours is not None and int(minutes) >= 60:
        raise UsageError(f"not a timestamp: {text!r} (minutes must be below 60)")
    ms = int((frac or "0").ljust(3, "0"))
    return ((int(hours or 0) * 60 + int(minutes or 0)) * 60 + int(secs)) * 1000 + ms


def format_timestamp(ms: int) -> str:
    """The service's preferred form: M:SS (H:MM:SS past an hour), with .mmm only when needed."""
    secs, millis = divmod(int(ms), 1000)
    hours, rem = divmod(secs, 3600)
    minutes, seconds = divmod(rem, 60)
    text = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    return text + (f".{millis:03d}".rstrip("0") if millis else "")


def parse_range(text: str) -> tuple[int, int]:
    """`START-END` → (start ms, end ms); the end must come after the start."""
    start, sep, end = text.partition("-")
    if not sep or not start.strip() or not end.strip():
        raise UsageError(f"not a range: {text!r}", hint="write START-END, e.g. 0:45-1:20")
    a, b = parse_timestamp(start), parse_timestamp(end)
    if b <= a:
        raise UsageError(f"empty range {text!r}: the end must come after the start")
    return a, b


def check_ranges(ranges: list[tuple[int, int]], media_ms: float | None) -> list[tuple[int, int]]:
    """Sorted; overlapping ranges and ranges past the end of the media rejected."""
    ordered = sorted(ranges)
    for (a1, b1), (a2, b2) in zip(ordered, ordered[1:]):
        if a2 < b1:
            raise UsageError(
                f"ranges {format_timestamp(a1)}-{format_timestamp(b1)} and {format_timestamp(a2)}-{format_timestamp(b2)} overlap",
                hint="merge them into one range",
            )
    if media_ms is not None:
        for a, b in ordered:
            if b > media_ms + 1:
                raise BadInput(
                    f"range {format_timestamp(a)}-{format_timestamp(b)} goes past the end of the media "
                    f"({format_timestamp(int(media_ms))})",
                    hint="`nemo state` shows the timeline's length",
                )
    return ordered


# -- recipes ------------------------------------------------------------------------------------


@dataclass
class Recipe:
    workflow: str  # the X-Skill-Source name of the workflow
    instruction: str
    checks: list[Callable[[Any, Any], str | None]] = field(default_factory=list)

    def verify(self, before: Any, after: Any) -> list[str]:
        """Warnings for each asked-for change that the new state does not show."""
        return [w for check in self.checks if (w := check(before, after))]


def _expect_duration(expected_ms: float, tolerance_ms: float = 1000) -> Callable[[Any, Any], str | None]:
    def check(before: Any, after: Any) -> str | None:
        got = timeline.duration_ms(_draft(after))
        if abs(got - expected_ms) > tolerance_ms:
            return f"expected the timeline to last {timeline.seconds(expected_ms)}s, it lasts {timeline.seconds(got)}s"
        return None

    return check


def _expect_track(tt: int, what: str, text: str | None = None) -> Callable[[Any, Any], str | None]:
    def check(before: Any, after: Any) -> str | None:
        found = [t for t in timeline.tracks(_draft(after)) if t.get("tt") == tt]
        if not found:
            return f"expected {what} on the timeline, none is there"
        if text and not any((timeline.name(t) or "") == text for t in found):
            return f"expected {what} {text!r}, found {', '.join(repr(timeline.name(t)) for t in found)}"
        return None

    return check


def _expect_segment_meta(key: str, what: str) -> Callable[[Any, Any], str | None]:
    def check(before: Any, after: Any) -> str | None:
        metas = [s.get("m") for t in timeline.tracks(_draft(after)) for s in timeline.segments(t)]
        if not any(isinstance(m, dict) and m.get(key) for m in metas):
            return f"expected {what} on the timeline, none is recorded"
        return None

    return check


def _draft(state: Any) -> Any:
    return state.get("draft", state) if isinstance(state, dict) else {}


def trim(remove: list[str], keep: str | None, media_ms: float | None) -> Recipe:
    if bool(remove) == bool(keep):
        raise UsageError("give either --remove START-END (repeatable) or --keep START-END")
    if keep:
        (a, b), = check_ranges([parse_range(keep)], media_ms)
        text = (
            f"Trim the video to keep only the part from {format_timestamp(a)} to {format_timestamp(b)} "
            "and remove everything before and after it."
        )
        return Recipe("video-trimmer-in-between", text, [_expect_duration(b - a)])
    ranges = check_ranges([parse_range(r) for r in remove], media_ms)
    spans = ", and ".join(f"between {format_timestamp(a)} and {format_timestamp(b)}" for a, b in ranges)
    noun = "section" if len(ranges) == 1 else "sections"
    text = f"Remove the {noun} {spans}{',' if len(ranges) > 1 else ''} and join the remaining parts smoothly."
    checks = []
    if media_ms is not None:
        checks.append(_expect_duration(media_ms - sum(b - a for a, b in ranges)))
    return Recipe("video-trimmer-in-between", text, checks)


GRADE_LIMITS = {
    "exposure": (-5.0, 5.0, "EV"),
    "contrast": (-100.0, 100.0, ""),
    "saturation": (-100.0, 100.0, ""),
    "temperature": (-100.0, 100.0, ""),
    "highlights": (-100.0, 100.0, ""),
    "shadows": (-100.0, 100.0, ""),
}
LOOKS = ["natural", "cinematic", "warm", "cool", "vintage", "moody", "vibrant", "black-and-white", "teal-orange", "film"]


def grade(look: str | None, adjustments: dict[str, float | None]) -> Recipe:
    parts = []
    for key, value in adjustments.items():
        if value is None:
            continue
        low, high, unit = GRADE_LIMITS[key]
        if not low <= value <= high:
            raise UsageError(f"--{key} must be between {low:+g} and {high:+g}{' ' + unit if unit else ''}, not {value:+g}")
        parts.append(f"{key} {value:+g}{' ' + unit if unit else ''}")
    if look is not None and look.lower() not in LOOKS:
        raise UsageError(f"unknown look {look!r}", hint="looks: " + ", ".join(LOOKS))
    if not parts and not look:
        raise UsageError("nothing to grade: give --look and/or an adjustment such as --exposure +0.5")
    text = "Apply Lightroom-style color grading across the whole clip"
    if look:
        text += f" with a {look.lower()} look"
    if parts:
        text += ", adjusting " + ", ".join(parts)
    return Recipe("video-editing-with-lightroom", text + ".", [_expect_segment_meta("grade", "a colour grade")])


TRANSITIONS = ["crossfade", "fade", "dissolve", "wipe", "slide", "zoom", "cut"]


def _volume(value: int | None) -> None:
    if value is not None and not 0 <= value <= 100:
        raise UsageError(f"--music-volume must be between 0 and 100 (percent), not {value}")


def film(best_takes: bool, transitions: str | None, music: str | None, music_volume: int | None) -> Recipe:
    _volume(music_volume)
    if transitions is not None and transitions.lower() not in TRANSITIONS:
        raise UsageError(f"unknown transition style {transitions!r}", hint="styles: " + ", ".join(TRANSITIONS))
    if music_volume is not None and not music:
        raise UsageError("--music-volume needs --music STYLE")
    steps, checks = [], []
    if best_takes:
        steps.append("cut the best takes")
    if transitions:
        steps.append(f"add {transitions.lower()} transitions between the shots")
        checks.append(_expect_segment_meta("transition", "transitions"))
    if music:
        vol = f" at {music_volume}% volume" if music_volume is not None else ""
        steps.append(f"sync {music} background music{vol}")
        checks.append(_expect_track(1, "background music"))
    if not steps:
        raise UsageError("nothing to do: give --best-takes, --transitions STYLE and/or --music STYLE")
    text = ", ".join(steps[:-1]) + (", and " if len(steps) > 1 else "") + steps[-1]
    return Recipe("film-maker", text[0].upper() + text[1:] + ".", checks)


def demo_clip(length: float, music: str | None, title: str | None) -> Recipe:
    if not 1 <= length <= 600:
        raise UsageError(f"--length must be between 1 and 600 seconds, not {length:g}")
    if title is not None and not title.strip():
        raise UsageError("--title must not be empty")
    text = f"Trim the best moments and compile them into a {length:g}-second demo clip"
    def fits(before: Any, after: Any) -> str | None:
        # a clip cannot outlast its source: expect the shorter of the two
        source = timeline.duration_ms(_draft(before))
        return _expect_duration(min(length * 1000, source) if source else length * 1000)(before, after)

    checks = [fits]
    extras = []
    if music:
        extras.append(f"{music} background music")
        checks.append(_expect_track(1, "background music"))
    if title:
        extras.append(f"the title '{title.strip()}'")
        checks.append(_expect_track(7, "the title", title.strip()))
    if extras:
        text += " with " + " and ".join(extras)
    return Recipe("demo-clip-maker", text + ".", checks)


# -- running one --------------------------------------------------------------------------------

Build = Callable[[float | None], Recipe]  # the timeline's length in ms (None: unknown) → the recipe


def prepare(ctx: "Context", session_id: str | None, build: Build, *, dry_run: bool = False) -> tuple[Recipe, dict[str, Any] | None]:
    """The recipe for the session's media, and the state it was built on. With dry_run nothing needs to
    be there: no session (None), a state that cannot be read or an empty timeline only lose the checks
    against the media's length."""
    before = None
    if session_id is not None:
        try:
            before = ctx.client.state(session_id).state
        except NemoError:
            if not dry_run:
                raise
    elif not dry_run:
        raise UsageError("no session to run the workflow in")
    ready = before is not None and timeline.is_ready(before.get("draft"))
    if before is not None and not ready and not dry_run:
        raise BadInput("nothing to edit yet: the timeline is empty", hint="upload media first with `nemo upload FILE`")
    return build(timeline.duration_ms(before.get("draft")) if before and ready else None), before


def run(ctx: "Context", session_id: str, build: Build, observer: "EditObserver | None" = None, *,
        answer: str | Sequence[str] | None = None, expect_change: bool = False,
        timeout: float | None = None) -> "EditOutcome":
    """Validate, compose, send, verify: the one path every workflow takes (see the module docstring)."""
    from nemo_cli.flows.edit import SILENT, edit

    recipe, before = prepare(ctx, session_id, build)
    outcome = edit(ctx, session_id, recipe.instruction, observer or SILENT, answer=answer,
                   expect_change=expect_change, timeout=timeout, before=before)
    if outcome.status == "done":
        outcome.warnings = recipe.verify(outcome.before or before or {}, outcome.after or {})
    return outcome
