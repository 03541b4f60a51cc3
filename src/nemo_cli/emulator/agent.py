"""The emulator's editing "agent": deterministic rules that turn an English instruction into a draft edit.

Pure: no I/O, no clock, no randomness. `respond(instruction, state)` reads the session state (never mutates
it) and returns a `Turn`: the reply text split into stream chunks, the tool steps it "ran", the new draft
(a modified deep copy, or None when nothing changed) and the credits the message costs.

The timeline is the first video track (`tt` 0): contiguous segments, each a span of a source (`src` from
`in` for `d` ms). Every cut is computed on timeline positions and mapped back to exact source offsets; the
other tracks (music, title, anything unknown) then follow the new length. Keys we do not know are copied
untouched. Several actions in one instruction are applied in the order they are written. Timestamps
the user writes ("remove 0:45-1:20") mean the timeline as it was when the message was sent, even after an
earlier action of the same message has cut it; lengths ("the last 5 seconds") mean the timeline as it is.
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from nemo_cli.recipes import format_timestamp as fmt_time

EDIT_COST = 10
GENERATE_COST = 100
TITLE_MS = 3000
GENERATED_MS = 10_000
DEFAULT_MUSIC_STYLE = "lo-fi"
DEFAULT_MUSIC_VOLUME = 30
VIDEO_EXTENSIONS = ("mp4", "mov", "avi", "webm", "mkv")


@dataclass
class ToolStep:
    name: str
    args: dict
    result: dict


@dataclass
class Turn:
    chunks: list[str]
    tools: list[ToolStep]
    draft: dict | None
    cost: int

    @property
    def text(self) -> str:
        return "".join(self.chunks)


# --------------------------------------------------------------------------------------------------------
# Timestamps and lengths

_NUM = r"\d+(?:\.\d+)?"
_H = r"(?:h|hrs?|hours?)"
_M = r"(?:m|mins?|minutes?)"
_S = r"(?:s|secs?|seconds?)"
_MS = r"(?:ms|millis(?:econds?)?|milliseconds?)"
# SS, M:SS, H:MM:SS (optional .mmm), and 45s / 45 seconds / 1m20s / 2 minutes / 1h5m / 500ms / 60-second.
TIME = (
    rf"(?:\d+:\d{{1,2}}:\d{{1,2}}(?:\.\d+)?"
    rf"|\d+:\d{{1,2}}(?:\.\d+)?"
    rf"|{_NUM}[\s-]*{_H}(?:\s*{_NUM}[\s-]*{_M})?(?:\s*{_NUM}[\s-]*{_S})?"
    rf"|{_NUM}[\s-]*{_M}(?:\s*{_NUM}[\s-]*{_S})?"
    rf"|{_NUM}[\s-]*{_MS}"
    rf"|{_NUM}(?:[\s-]*{_S})?)(?![\w:%])"
)
_SEP = r"\s*(?:-|to|and|until|till|through|thru)\s*"


def parse_time(text: str) -> int:
    """A timestamp or length as whole milliseconds ("1:20" → 80000, "1m20s" → 80000, "0:02.5" → 2500)."""
    t = text.strip().lower()
    if ":" in t:
        parts = t.split(":")
        seconds = float(parts[-1])
        minutes = int(parts[-2])
        hours = int(parts[-3]) if len(parts) == 3 else 0
        return round((hours * 3600 + minutes * 60 + seconds) * 1000)
    total = 0.0
    found = False
    for number, unit in re.findall(rf"({_NUM})[\s-]*([a-z]*)", t):
        found = True
        value = float(number)
        if re.fullmatch(_H, unit):
            total += value * 3_600_000
        elif re.fullmatch(_MS, unit):
            total += value
        elif re.fullmatch(_M, unit):
            total += value * 60_000
        else:  # seconds, or a bare number
            total += value * 1000
    if not found:
        raise ValueError(f"not a time: {text!r}")
    return round(total)


def fmt_adjective(ms: int) -> str:
    """A length before a noun: "60-second", "2-minute", else the timestamp form ("1:20")."""
    if ms % 1000 == 0 and ms < 60_000:
        return f"{ms // 1000}-second"
    if ms % 60_000 == 0 and ms < 3_600_000:
        return f"{ms // 60_000}-minute"
    return fmt_time(ms)


def fmt_length(ms: int) -> str:
    """A length in words: "10 seconds", "1 second", "2.5 seconds", "1 minute 20 seconds"."""
    def unit(value: float, word: str) -> str:
        number = f"{value:g}" if value != int(value) else str(int(value))
        return f"{number} {word}" + ("" if value == 1 else "s")

    minutes, rest = divmod(int(ms), 60_000)
    parts = []
    if minutes:
        parts.append(unit(minutes, "minute"))
    if rest or not minutes:
        parts.append(unit(round(rest / 1000, 3), "second"))
    return " ".join(parts)


# --------------------------------------------------------------------------------------------------------
# The timeline


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _seg_id(*parts: Any) -> str:
    return "seg_" + hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:10]


def _stem(filename: str) -> str:
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] if "." in base.strip(".") else base


def _is_video(info: dict) -> bool:
    kind = str(info.get("file_type") or "").lower()
    ext = str(info.get("filename") or "").rsplit(".", 1)[-1].lower()
    return "video" in kind or kind in VIDEO_EXTENSIONS or (not kind and ext in VIDEO_EXTENSIONS)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _slices(lengths: list[int], spans: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Items of these lengths laid end to end, cut to sorted spans: (item index, offset into it, length)."""
    out, pos = [], 0
    for i, d in enumerate(lengths):
        for a, b in spans:
            lo, hi = max(a, pos), min(b, pos + d)
            if hi > lo:
                out.append((i, lo - pos, hi - lo))
        pos += d
    return out


class Timeline:
    """The draft being edited (a deep copy) and its main video track."""

    def __init__(self, state: dict) -> None:
        draft = state.get("draft") if isinstance(state, dict) else None
        self.draft: dict = copy.deepcopy(draft) if isinstance(draft, dict) else {}
        if not isinstance(self.draft.get("t"), list):
            self.draft["t"] = []
        self.infos = [i for i in (state.get("video_infos") or []) if isinstance(i, dict)] if isinstance(state, dict) else []
        canvas = state.get("canvas_config") if isinstance(state, dict) else None
        self.canvas = canvas if isinstance(canvas, dict) else {}
        self.video = next((t for t in self.draft["t"] if isinstance(t, dict) and t.get("tt") == 0), None)
        if self.video is not None and not isinstance(self.video.get("sg"), list):
            self.video["sg"] = []
        if not self.segments():
            self._from_media()
        if self.segments():
            self.draft["d"] = self.length
        # What is left of the timeline as it was when the message was sent, as [start there, length]
        # pieces in current order: timestamps the user writes refer to that timeline, not to the one the
        # instruction's earlier actions have already cut.
        self.original_length = self.length
        self.pieces: list[list[int]] = [[0, self.length]] if self.length else []

    def _from_media(self) -> None:
        """No video on the timeline yet but uploaded clips: lay them end to end, as the service does."""
        videos = [i for i in self.infos if _is_video(i) and (_num(i.get("duration")) or 0) > 0]
        if not videos:
            return
        segs, cursor = [], 0
        for info in videos:
            d = round(float(info["duration"]) * 1000)
            name = str(info.get("filename") or info.get("id") or "clip")
            meta = {"title": name}
            for key in ("width", "height"):
                if _num(info.get(key)) is not None:
                    meta[key] = int(info[key])
            src = info.get("id") or name
            segs.append({"id": _seg_id(src, 0, d, cursor), "st": cursor, "d": d, "src": src, "in": 0, "m": meta})
            cursor += d
        track = {"id": "trk_video", "tt": 0, "m": {"title": _stem(str(videos[0].get("filename") or "video"))}, "sg": segs}
        if self.video is None:
            self.draft["t"].insert(0, track)
            self.video = track
        else:
            self.video["sg"] = segs

    def segments(self) -> list[dict]:
        if self.video is None:
            return []
        return [s for s in self.video["sg"] if isinstance(s, dict) and (_num(s.get("d")) or 0) > 0]

    @property
    def length(self) -> int:
        return int(sum(_num(s.get("d")) or 0 for s in self.segments()))

    def first_file_stem(self) -> str:
        for seg in self.segments():
            title = (seg.get("m") or {}).get("title") if isinstance(seg.get("m"), dict) else None
            if isinstance(title, str) and title.strip():
                return _stem(title.strip())
        for info in self.infos:
            if info.get("filename"):
                return _stem(str(info["filename"]))
        meta = self.video.get("m") if self.video else None
        return str(meta.get("title")) if isinstance(meta, dict) and meta.get("title") else "Untitled"

    def current(self, a: int, b: int) -> list[tuple[int, int]]:
        """Where the original span a–b is on the current timeline (possibly in pieces, possibly nowhere)."""
        out, cursor = [], 0
        for start, d in self.pieces:
            lo, hi = max(a, start), min(b, start + d)
            if hi > lo:
                out.append((cursor + lo - start, cursor + hi - start))
            cursor += d
        return out

    def keep(self, spans: list[tuple[int, int]]) -> None:
        """Keep these current-timeline spans (clamped, merged), join them, and map to source offsets."""
        old_length = self.length
        merged = _merge([(max(0, a), min(old_length, b)) for a, b in spans if min(old_length, b) > max(0, a)])
        out, cursor = [], 0
        segs = self.segments()
        for i, skip, d in _slices([int(_num(s.get("d")) or 0) for s in segs], merged):
            seg = segs[i]
            offset = int(_num(seg.get("in")) or 0)
            piece = copy.deepcopy(seg)
            if (skip, d) != (0, int(_num(seg.get("d")) or 0)):
                piece["id"] = _seg_id(seg.get("src"), offset + skip, d, cursor)
            piece["st"], piece["d"], piece["in"] = cursor, d, offset + skip
            out.append(piece)
            cursor += d
        assert self.video is not None
        self.video["sg"] = out
        self.pieces = [[self.pieces[i][0] + skip, d] for i, skip, d in _slices([d for _, d in self.pieces], merged)]
        self.follow(old_length)

    def follow(self, old_length: int) -> None:
        """Other tracks follow the new length: full-length spans stretch to it, the rest are clamped."""
        new_length = self.length
        self.draft["d"] = new_length
        for track in self.draft["t"]:
            if track is self.video or not isinstance(track, dict) or not isinstance(track.get("sg"), list):
                continue
            kept = []
            for seg in track["sg"]:
                st, d = (_num(seg.get("st")), _num(seg.get("d"))) if isinstance(seg, dict) else (None, None)
                if st is None or d is None:
                    kept.append(seg)
                    continue
                if st >= new_length:
                    continue
                if st + d >= old_length or st + d > new_length:
                    seg["d"] = int(new_length - st)
                kept.append(seg)
            track["sg"] = kept

    def track(self, tt: int, track_id: str, kind: str | None = None) -> dict | None:
        for t in self.draft["t"]:
            if isinstance(t, dict) and t.get("tt") == tt and (
                t.get("id") == track_id or (kind and isinstance(t.get("m"), dict) and t["m"].get("kind") == kind)
            ):
                return t
        return None


# --------------------------------------------------------------------------------------------------------
# Actions: each knows where it was written in the instruction and how to apply itself.


class Refusal(Exception):
    """An action that cannot be done (it would leave nothing): the whole turn changes nothing."""


@dataclass
class Outcome:
    phrase: str          # what was done, for the reply ("removed 0:02–0:04 and joined the rest")
    changed: bool = True
    closing: str = ""    # a closing sentence (GUI talk, the way the real service's agent writes it)
    note: str = ""       # a remark when nothing changed ("0:45 is past the end…")
    extra: list[tuple[str, dict]] = field(default_factory=list)  # further tool steps it took (name, args)


@dataclass
class Action:
    start: int
    end: int
    tool: str
    args: dict
    run: Callable[[Timeline], Outcome] = field(repr=False)


def _ranges(spans: list[tuple[int, int]]) -> str:
    return _join([f"{fmt_time(a)}–{fmt_time(b)}" for a, b in spans])


def _remove(tl: Timeline, spans: list[tuple[int, int]]) -> Outcome:
    """Remove ranges given in the message's timeline; join what is left."""
    end = tl.original_length
    wanted = [(min(a, b), min(max(a, b), end)) for a, b in spans]
    gone = [(a, b) for a, b in spans if min(a, b) >= end]
    wanted = [(a, b) for a, b in wanted if b > a]
    current = [c for a, b in wanted for c in tl.current(a, b)]
    note = (f"{_ranges(gone)} {'is' if len(gone) == 1 else 'are'} past the end of the {fmt_time(end)} video, "
            "so there was nothing to remove there") if gone else ""
    if not current:
        return Outcome("", changed=False, note=note or f"{_ranges(spans)} was already cut, so there was nothing to remove")
    removed = sum(b - a for a, b in _merge(current))
    if removed >= tl.length:
        raise Refusal(f"removing {_ranges(spans)} would leave nothing of the {fmt_time(tl.length)} video")
    keep, cursor = [], 0
    for a, b in _merge(current):
        keep.append((cursor, a))
        cursor = b
    keep.append((cursor, tl.length))
    tl.keep(keep)
    phrase = f"removed {_ranges(wanted)}"
    if any(min(a, b) < end < max(a, b) for a, b in spans):
        phrase += f" (the video ended at {fmt_time(end)})"
    elif any(a > 0 and b < end for a, b in wanted):
        phrase += " and joined the rest"
    return Outcome(phrase, note=note)


def _keep_range(tl: Timeline, a: int, b: int) -> Outcome:
    a, b = sorted((a, b))
    end = tl.original_length
    b_clamped = min(b, end)
    current = tl.current(a, b_clamped)
    if not current:
        raise Refusal(f"{fmt_time(a)}–{fmt_time(b)} is not in the {fmt_time(end)} video, so keeping only it "
                      "would leave nothing")
    if sum(y - x for x, y in current) >= tl.length:
        return Outcome("", changed=False, note=f"{fmt_time(a)}–{fmt_time(b)} already covers the whole "
                       f"{fmt_time(tl.length)} video, so there was nothing to cut")
    tl.keep(current)
    phrase = f"kept {fmt_time(a)}–{fmt_time(b_clamped)} and cut the rest"
    if b_clamped < b:
        phrase += f" (the video ends at {fmt_time(end)})"
    return Outcome(phrase)


def _trim(tl: Timeline, edge: str, n: int) -> Outcome:
    length = tl.length
    if n <= 0:
        return Outcome("", changed=False, note="trimming nothing leaves the video as it is")
    if n >= length:
        raise Refusal(f"trimming the {edge} {fmt_length(n)} would leave nothing of the {fmt_time(length)} video")
    tl.keep([(n, length)] if edge == "first" else [(0, length - n)])
    return Outcome(f"trimmed the {edge} {fmt_length(n)}")


def _keep_length(tl: Timeline, n: int, highlights: bool) -> Outcome:
    length = tl.length
    if n <= 0:
        raise Refusal("a video of no length would be empty")
    if n >= length:
        return Outcome("", changed=False, note=f"the video is already {fmt_time(length)}, no longer than "
                       f"{fmt_length(n)}, so I kept all of it")
    if highlights and 2 * n <= length:
        # Three evenly spaced moments, each in the middle of its third, starts on whole tenths of a second.
        sizes = [n // 3, n // 3, n - 2 * (n // 3)]
        spans = []
        for i, size in enumerate(sizes):
            start = ((i * length) // 3 + (length // 3 - size) // 2) // 100 * 100
            spans.append((start, start + size))
        tl.keep(spans)
        listed = ", ".join(f"{fmt_time(a)}–{fmt_time(b)}" for a, b in spans)
        return Outcome(f"compiled the best moments ({listed}) into a {fmt_adjective(n)} clip")
    tl.keep([(0, n)])
    return Outcome(f"cut it down to the first {fmt_length(n)}")


def _best_takes(tl: Timeline) -> Outcome:
    length = tl.length
    keep = length * 4 // 5
    if keep <= 0 or keep == length:
        return Outcome("", changed=False, note="the video is too short to pick takes from")
    tl.keep([(0, keep)])
    return Outcome(f"kept the best takes (the first {fmt_time(keep)}) and dropped the weaker "
                   f"{fmt_length(length - keep)} at the end")


def _title(tl: Timeline, text: str | None) -> Outcome:
    text = (text or tl.first_file_stem()).strip()
    d = min(TITLE_MS, tl.length)
    track = tl.track(7, "trk_title")
    if track is None:
        tl.draft["t"].append({"id": "trk_title", "tt": 7, "sg": [{"id": "seg_title", "st": 0, "d": d, "m": {"text": text}}]})
    else:
        segs = [s for s in track.get("sg") or [] if isinstance(s, dict)]
        if not segs:
            track["sg"] = segs = [{"id": "seg_title", "st": 0, "d": d, "m": {}}]
        first = segs[0]
        if not isinstance(first.get("m"), dict):
            first["m"] = {}
        if first["m"].get("text") == text:
            return Outcome("", changed=False, note=f'the title already reads "{text}"')
        first["m"]["text"] = text
    return Outcome(f'added the title "{text}" ({fmt_time(0)}–{fmt_time(d)})',
                   closing="You can preview it in the timeline, then click Export when you're ready.")


def _music(tl: Timeline, style: str | None, volume: int | None, only_volume: bool = False) -> Outcome:
    track = tl.track(1, "trk_music", kind="music")
    if only_volume and track is not None:
        meta = track["m"] if isinstance(track.get("m"), dict) else track.setdefault("m", {})
        meta["volume"] = volume
        for seg in track.get("sg") or []:
            if isinstance(seg, dict) and isinstance(seg.get("m"), dict):
                seg["m"]["volume"] = volume
        return Outcome(f"set the music volume to {volume}%")
    style = (style or DEFAULT_MUSIC_STYLE).strip()
    volume = DEFAULT_MUSIC_VOLUME if volume is None else volume
    title = f"{style[:1].upper()}{style[1:]} music"
    length = tl.length
    if track is None:
        tl.draft["t"].append({
            "id": "trk_music", "tt": 1, "m": {"title": title, "volume": volume, "kind": "music"},
            "sg": [{"id": "seg_music", "st": 0, "d": length, "m": {"title": title, "volume": volume}}],
        })
    else:
        meta = track["m"] if isinstance(track.get("m"), dict) else track.setdefault("m", {})
        meta.update({"title": title, "volume": volume, "kind": "music"})
        segs = [s for s in track.get("sg") or [] if isinstance(s, dict)]
        if not segs:
            segs = [{"id": "seg_music", "st": 0, "d": length, "m": {}}]
        first = segs[0]
        first["st"], first["d"] = 0, length
        first["m"] = {**(first["m"] if isinstance(first.get("m"), dict) else {}), "title": title, "volume": volume}
        track["sg"] = [first]
    return Outcome(f"added {title[:-6]} background music at {volume}%",
                   closing="Open the Audio panel if you want to fine-tune the volume.")


def _drop(tl: Timeline, music: bool) -> Outcome:
    track = tl.track(1, "trk_music", kind="music") if music else tl.track(7, "trk_title")
    what = "background music" if music else "title"
    if track is None:
        return Outcome("", changed=False, note=f"there was no {what} to remove")
    tl.draft["t"].remove(track)
    return Outcome(f"removed the {what}")


TRANSITION_STYLES = {
    "crossfade": "crossfade", "cross-fade": "crossfade", "cross fade": "crossfade", "smooth": "crossfade",
    "fade": "fade", "dissolve": "dissolve", "wipe": "wipe", "slide": "slide", "zoom": "zoom",
    "whip": "whip pan", "whip-pan": "whip pan", "whip pan": "whip pan", "glitch": "glitch", "spin": "spin",
    "fade to black": "fade to black", "dip to black": "fade to black", "blur": "blur", "cut": "cut",
}


def _transitions(tl: Timeline, style: str | None) -> Outcome:
    segs = tl.segments()
    if style is None:
        changed = any("transition" in (s.get("m") or {}) for s in segs if isinstance(s.get("m"), dict))
        for seg in segs:
            if isinstance(seg.get("m"), dict):
                seg["m"].pop("transition", None)
        return Outcome("removed the transitions") if changed else Outcome(
            "", changed=False, note="there were no transitions to remove")
    if all(isinstance(s.get("m"), dict) and s["m"].get("transition") == style for s in segs):
        return Outcome("", changed=False, note=f"the clips already use {style} transitions")
    for seg in segs:
        if not isinstance(seg.get("m"), dict):
            seg["m"] = {}
        seg["m"]["transition"] = style
    joins = len(segs) - 1
    where = f" at the {joins} join{'s' if joins != 1 else ''}" if joins else " (they apply where clips join)"
    return Outcome(f"added {style} transitions{where}")


GRADE_KEYS = ("exposure", "contrast", "saturation", "brightness", "temperature", "tint", "highlights",
              "shadows", "vibrance", "sharpness")


def _grade(tl: Timeline, look: str | None, values: dict[str, float]) -> Outcome:
    segs = tl.segments()
    changed = False
    for seg in segs:
        if not isinstance(seg.get("m"), dict):
            seg["m"] = {}
        old = seg["m"].get("grade") if isinstance(seg["m"].get("grade"), dict) else {}
        grade = {"look": old.get("look"), "exposure": float(_num(old.get("exposure")) or 0.0),
                 "contrast": int(_num(old.get("contrast")) or 0), "saturation": int(_num(old.get("saturation")) or 0)}
        grade.update({k: v for k, v in old.items() if k not in grade})
        if look:
            grade["look"] = look
        grade.update(values)
        if grade != seg["m"].get("grade"):
            changed = True
        seg["m"]["grade"] = grade
    if not changed:
        return Outcome("", changed=False, note="that color grade is already applied")
    detail = ", ".join(f"{k} {v:+g}" for k, v in values.items())
    what = f"a {look} color grade" if look else "color grading"
    return Outcome(f"applied {what}" + (f" ({detail})" if detail else "") + " to every clip",
                   closing="Drag the Intensity slider in the Color panel to make it stronger or softer.")


def _generate(tl: Timeline, subject: str, n: int | None, explicit: set[str]) -> Outcome:
    """Stage one: the raw clip; stage two: music and a title, unless the user asked for their own."""
    d = max(1000, min(n or GENERATED_MS, 300_000))
    width = int(_num(tl.canvas.get("width")) or 1280)
    height = int(_num(tl.canvas.get("height")) or 720)
    label = subject or "Generated clip"
    seg = {"id": _seg_id("generated", 0, d, 0), "st": 0, "d": d, "src": "generated", "in": 0,
           "m": {"title": label, "width": width, "height": height}}
    if tl.video is None:
        tl.video = {"id": "trk_video", "tt": 0, "m": {"title": label}, "sg": [seg]}
        tl.draft["t"].insert(0, tl.video)
    else:
        tl.video["sg"] = [seg]
    tl.draft["d"] = d
    outcome = Outcome(f"generated a {fmt_adjective(d)} clip" + (f" of {subject}" if subject else ""),
                      closing="Click the Export button to download it.")
    added = []
    if "music" not in explicit:
        added.append(_music(tl, "cinematic", 40).phrase)
        outcome.extra.append(("music_add", {"style": "cinematic", "volume": 40}))
    if "title" not in explicit:
        text = label[:1].upper() + label[1:]
        added.append(_title(tl, text).phrase)
        outcome.extra.append(("title_add", {"text": text}))
    if added:
        outcome.phrase += " and then added " + " and ".join(p.replace("added ", "", 1) for p in added)
    return outcome


# --------------------------------------------------------------------------------------------------------
# Reading the instruction

_QUOTE = re.compile(r"(?<![\w])'([^'\n]+?)'(?![\w])|\"([^\"\n]+)\"|“([^”\n]+)”|‘([^’\n]+)’|«([^»\n]+)»")
_NEXT_ACTION = r"(?=\s*(?:[,.;!?]|$|\s(?:and|then)\s+(?:then\s+)?(?:add|remove|trim|cut|apply|make|keep|sync|delete|put|use|set)\b))"
_CLIP_NOUN = r"(?:clip|video|cut|version|demo|edit|reel|highlights?|short|montage|trailer|teaser|film|movie)"
_LOOK_WORDS = (r"warm(?:er)?|cool(?:er)?|cold|cinematic|vintage|retro|film|filmic|moody|dramatic|natural|bright|"
               r"dark|pastel|golden[\s-]hour|teal[\s-]and[\s-]orange|black[\s-]and[\s-]white|b&w|monochrome|"
               r"teal[\s-]orange|sepia|faded|vibrant|matte|noir|lightroom(?:[\s-]style)?|instagram(?:[\s-]style)?|hdr")
_STOP = {"a", "an", "the", "some", "me", "us", "nice", "background", "bg", "with", "in", "and", "of", "it",
         "to", "my", "our", "this", "that", "please", "also", "then", "new", "more", "soft", "light", "add",
         "sync", "put", "use", "play", "insert", "include", "lay", "set", "apply", "give", "across", "clip",
         "video", "whole", "entire", "color", "colour", "style", "on"}


class _Reader:
    """Finds every action in an instruction; quoted text is masked so its words are not read as commands."""

    def __init__(self, instruction: str, tl: Timeline, has_media: bool) -> None:
        self.original = instruction
        self.quotes: list[tuple[int, int, str]] = []
        chars = [c.lower() if len(c.lower()) == 1 else c for c in instruction]
        for m in _QUOTE.finditer(instruction):
            text = next(g for g in m.groups() if g is not None)
            self.quotes.append((m.start(), m.end(), text))
            chars[m.start():m.end()] = "\x00" * (m.end() - m.start())
        self.text = "".join(chars).replace("–", "-").replace("—", "-")
        self.tl = tl
        self.has_media = has_media
        self.taken: list[tuple[int, int]] = []
        self.actions: list[Action] = []

    def quote_at(self, pos: int) -> str | None:
        return next((q for a, b, q in self.quotes if a <= pos < b), None)

    def free(self, a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in self.taken)

    def add(self, m: re.Match, tool: str, args: dict, run: Callable[[Timeline], Outcome]) -> None:
        self.add_span(m.start(), m.end(), tool, args, run)

    def add_span(self, start: int, end: int, tool: str, args: dict, run: Callable[[Timeline], Outcome]) -> None:
        if self.free(start, end):
            self.taken.append((start, end))
            self.actions.append(Action(start, end, tool, args, run))

    def each(self, pattern: str) -> list[re.Match]:
        return [m for m in re.finditer(pattern, self.text) if self.free(m.start(), m.end())]

    def read(self) -> list[Action]:
        if not self.has_media:
            self._generate()
        self._keep_range()
        self._remove_range()
        self._trim()
        self._keep_length()
        self._best_takes()
        self._drop_tracks()
        self._title()
        self._music()
        self._transitions()
        self._grade()
        return sorted(self.actions, key=lambda a: a.start)

    # The rules, in priority order: a later rule never takes words an earlier one has read.

    def _generate(self) -> None:
        pattern = (rf"\b(?:generate|create|make|produce|render|film|shoot)\s+(?:me\s+|us\s+)?(?:a|an|one|some)?\s*"
                   rf"(?:(?P<n>{TIME})\s+(?:long\s+)?)?(?:(?:short|quick|little|new|cinematic)\s+)?"
                   r"(?:video|clip|film|movie|reel|short|animation|footage)\b"
                   r"(?:\s+(?:of|about|showing|with|featuring|that\s+shows|on)\s+(?P<subject>[^,.;!?\x00]+?)"
                   rf"(?:{_NEXT_ACTION}|(?=\s+(?:with|and)\s+(?:[a-z-]+\s+){{0,3}}(?:music|title|transitions)\b)))?")
        for m in self.each(pattern):
            subject = self.original[m.start("subject"):m.end("subject")].strip() if m.group("subject") else ""
            n = parse_time(m.group("n")) if m.group("n") else None
            explicit = {w for w in ("music", "title") if re.search(rf"\b{w}\b", self.text)}
            self.add(m, "video_generate", {"prompt": subject, "duration_ms": max(1000, min(n or GENERATED_MS, 300_000))},
                     lambda tl, subject=subject, n=n, explicit=explicit: _generate(tl, subject, n, explicit))

    def _keep_range(self) -> None:
        patterns = [
            rf"\b(?:keep(?:\s+only)?|only\s+keep|just\s+keep)\s+(?:(?:the\s+)?(?:part|section|segment|bit|portion|footage)\s+)?"
            rf"(?:from\s+|between\s+)?(?P<a>{TIME}){_SEP}(?P<b>{TIME})",
            rf"\b(?:cut|trim|crop)\s+(?:it\s+|the\s+(?:video|clip|footage)\s+)?(?:down\s+)?(?:to|from)\s+"
            rf"(?:the\s+(?:part|section)\s+)?(?:from\s+|between\s+)?(?P<a>{TIME}){_SEP}(?P<b>{TIME})",
        ]
        for pattern in patterns:
            for m in self.each(pattern):
                a, b = parse_time(m.group("a")), parse_time(m.group("b"))
                self.add(m, "timeline_keep_range", {"start_ms": min(a, b), "end_ms": max(a, b)},
                         lambda tl, a=a, b=b: _keep_range(tl, a, b))

    def _remove_range(self) -> None:
        pattern = (r"\b(?:remove|delete|cut(?:\s+out|\s+away)?|drop|erase|take\s+out|get\s+rid\s+of|skip|chop(?:\s+out)?)\s+"
                   r"(?:(?:the|a|that|those|everything|all)\s+)?(?:(?:sections?|parts?|segments?|bits?|portions?|pieces?|footage|"
                   r"stretch(?:es)?|scenes?)\s+)?"
                   rf"(?:(?:from|between|at)\s+)?(?P<a>{TIME}){_SEP}(?P<b>{TIME})")
        # "…, and between 0:04 and 0:05": more ranges for the same removal
        more = rf"\s*,?\s*(?:and\s+|&\s+)?(?:also\s+)?(?:(?:from|between)\s+)?(?P<a>{TIME}){_SEP}(?P<b>{TIME})"
        for m in self.each(pattern):
            spans = [(parse_time(m.group("a")), parse_time(m.group("b")))]
            end = m.end()
            while (extra := re.compile(more).match(self.text, end)) and self.free(extra.start(), extra.end()):
                spans.append((parse_time(extra.group("a")), parse_time(extra.group("b"))))
                end = extra.end()
            spans = [(min(a, b), max(a, b)) for a, b in spans]
            args = {"start_ms": spans[0][0], "end_ms": spans[0][1]} if len(spans) == 1 else {
                "ranges": [{"start_ms": a, "end_ms": b} for a, b in spans]}
            self.add_span(m.start(), end, "timeline_remove_range", args, lambda tl, spans=spans: _remove(tl, spans))

    def _trim(self) -> None:
        verbs = r"(?:trim|cut|remove|delete|drop|chop|lose|skip|shave|cut\s+out)"
        patterns = [
            rf"\b{verbs}(?:\s+off)?\s+(?:the\s+)?(?P<edge>first|last|opening|final|initial)\s+(?P<n>{TIME})",
            rf"\b{verbs}\s+(?:off\s+)?(?P<n>{TIME})\s+(?:off\s+)?(?:from\s+|of\s+|at\s+)?(?:the\s+)?"
            r"(?P<edge>start|beginning|front|end|ending)\b",
        ]
        for pattern in patterns:
            for m in self.each(pattern):
                edge = "first" if m.group("edge") in ("first", "opening", "initial", "start", "beginning", "front") else "last"
                n = parse_time(m.group("n"))
                self.add(m, "timeline_trim", {"edge": "start" if edge == "first" else "end", "duration_ms": n},
                         lambda tl, edge=edge, n=n: _trim(tl, edge, n))

    def _keep_length(self) -> None:
        highlights = bool(re.search(r"\b(?:best\s+(?:moments|parts|bits|scenes|shots)|highlights?|compile|montage)\b", self.text))
        patterns = [
            rf"\b(?:into|as|to)?\s*(?:a|an|one)\s+(?P<n>{TIME})\s+(?:long\s+)?{_CLIP_NOUN}\b",
            rf"\b(?:make|keep|get)\s+(?:it|the\s+(?:video|clip))\s+(?:only\s+|just\s+|under\s+|to\s+)?(?P<n>{TIME})(?:\s+long)?",
            rf"\b(?:shorten|cut|trim|reduce|condense|bring|edit)\s+(?:it\s+|the\s+(?:video|clip)\s+)?(?:down\s+)?"
            rf"to\s+(?:about\s+|around\s+|roughly\s+|just\s+)?(?P<n>{TIME})(?:\s+long)?",
        ]
        for pattern in patterns:
            for m in self.each(pattern):
                n = parse_time(m.group("n"))
                self.add(m, "timeline_keep_length", {"duration_ms": n, "mode": "highlights" if highlights else "first"},
                         lambda tl, n=n: _keep_length(tl, n, highlights))

    def _best_takes(self) -> None:
        for m in self.each(r"\b(?:(?:cut|keep|pick|select|use|choose|find)\s+(?:only\s+)?(?:the\s+)?)?"
                           r"(?:best|good|strongest)\s+takes?\b|\b(?:remove|drop|cut)\s+(?:the\s+)?(?:bad|weak|worst)\s+takes\b"):
            self.add(m, "timeline_best_takes", {"keep_ratio": 0.8}, _best_takes)

    def _title(self) -> None:
        verbs = r"(?:(?:add|put|insert|set|create|include|show|use|make)\s+(?:in\s+)?(?:a\s+|the\s+|an?\s+opening\s+)?)?"
        quoted = [
            rf"\b{verbs}(?:title(?:\s+card)?|heading)\b[^\x00.;!?]{{0,30}}?(?P<q>\x00+)",
            rf"(?:\b(?:add|put|use|set)\s+)?(?P<q>\x00+)\s+as\s+(?:the\s+|a\s+)?title\b",
        ]
        for pattern in quoted:
            for m in self.each(pattern):
                text = self.quote_at(m.start("q"))
                self.add(m, "title_add", {"text": text}, lambda tl, text=text: _title(tl, text))
        stem = (rf"\b{verbs}title\s+(?:with|using|from|showing|of)\s+(?:the\s+|its\s+)?(?:file\s*name|name\s+of\s+the\s+"
                r"(?:file|video|clip))|\buse\s+the\s+file\s*name\s+as\s+(?:the\s+|a\s+)?title\b")
        for m in self.each(stem):
            self.add(m, "title_add", {"from": "file_name"}, lambda tl: _title(tl, None))
        bare = (r"\b(?:add|put|insert)\s+(?:a\s+|the\s+)?title\b(?:\s*(?::|saying|called|reading)?\s+"
                rf"(?!(?:and|then|to|for|on|at|with|in)\b)(?P<t>[^,.;!?\x00]+?){_NEXT_ACTION})?")
        for m in self.each(bare):
            text = self.original[m.start("t"):m.end("t")].strip() if m.group("t") else None
            if text and re.match(r"(?i)(and|then|to|for|on|at)\b", text):
                text = None
            self.add(m, "title_add", {"text": text} if text else {"from": "file_name"},
                     lambda tl, text=text: _title(tl, text))

    def _drop_tracks(self) -> None:
        pattern = (r"\b(?:remove|delete|drop|take\s+out|get\s+rid\s+of|mute)\s+(?:the\s+|all\s+)?"
                   r"(?P<what>background\s+music|music|bgm|soundtrack|title(?:\s+card)?)\b")
        for m in self.each(pattern):
            music = "title" not in m.group("what")
            self.add(m, "track_remove", {"track": "music" if music else "title"},
                     lambda tl, music=music: _drop(tl, music))

    def clause_before(self, pos: int) -> int:
        """Where the clause ending at `pos` starts: after punctuation, a quote, "and"/"then", or read words."""
        start = 0
        for m in re.finditer(r"[,.;:!?\x00]|\b(?:and|then|but|also)\b", self.text[:pos]):
            start = m.end()
        for a, b in self.taken:
            if b <= pos:
                start = max(start, b)
        return start

    def _music(self) -> None:
        change = (r"\b(?:set|change|lower|raise|turn|make|put|adjust|reduce|increase|drop|bring)\s+(?:down\s+|up\s+)?"
                  r"(?:the\s+)?(?:background\s+)?(?:music|bgm|soundtrack)(?:'s)?(?:\s+volume)?\s+(?:down\s+|up\s+)?"
                  r"(?:to\s+)?(?P<v>\d{1,3})\s*(?:%|percent)")
        for m in self.each(change):
            v = max(0, min(100, int(m.group("v"))))
            self.add_span(m.start(), m.end(), "music_volume", {"volume": v},
                          lambda tl, v=v: _music(tl, None, v, only_volume=True))
        noun = (r"\b(?:background\s+music|music|soundtrack|bgm|score)\b(?:\s+(?:at|@|with|on|to)?\s*(?:a\s+)?"
                r"(?:volume\s+(?:of\s+|at\s+)?)?(?P<v>\d{1,3})\s*(?:%|percent)(?:\s+volume)?)?")
        for m in self.each(noun):
            start = self.clause_before(m.start())
            verbs = r"\b(?:add|sync|put|include|use|play|insert|lay|set|with|want|need|give)\b"
            verb = None
            for verb in re.finditer(verbs, self.text[start:m.start()]):
                pass
            if verb is None and not re.search(verbs, self.text[:start]):
                continue  # "the music is too loud" is not a request to add music
            begin = start + verb.start() if verb else start  # a verb shared with an earlier item is fine
            mid = self.text[start + verb.end() if verb else start:m.start()]
            words = [w for w in re.findall(r"[a-z0-9][a-z0-9&'/-]*", mid) if w not in _STOP]
            style = " ".join(words[-3:]) or None
            v = max(0, min(100, int(m.group("v")))) if m.group("v") else None
            self.add_span(begin, m.end(), "music_add",
                          {"style": style or DEFAULT_MUSIC_STYLE, "volume": DEFAULT_MUSIC_VOLUME if v is None else v},
                          lambda tl, style=style, v=v: _music(tl, style, v))

    def _transitions(self) -> None:
        for m in self.each(r"\b(?:remove|delete|clear|no)\s+(?:the\s+|all\s+|any\s+)?transitions?\b"):
            self.add(m, "transitions_set", {"style": None}, lambda tl: _transitions(tl, None))
        for m in self.each(r"\btransitions?\b"):
            start = self.clause_before(m.start())
            words = re.findall(r"[a-z][a-z-]*", self.text[start:m.start()])
            style = "crossfade"
            for k in (3, 2, 1):  # the longest known style name right before "transitions"
                if len(words) >= k and " ".join(words[-k:]) in TRANSITION_STYLES:
                    style = TRANSITION_STYLES[" ".join(words[-k:])]
                    break
            self.add_span(start, m.end(), "transitions_set", {"style": style},
                          lambda tl, style=style: _transitions(tl, style))

    def _grade(self) -> None:
        pieces: list[re.Match] = []
        look: str | None = None
        values: dict[str, float] = {}
        looks = rf"\b(?P<look>(?:(?:{_LOOK_WORDS})[\s-]+){{0,2}}(?:{_LOOK_WORDS}))[\s-]+(?:colou?r\s*)?(?:look|grade|grading|style|feel|tone|filter|lut)\b"
        for m in self.each(looks):
            pieces.append(m)
            written = self.original[m.start("look"):m.end("look")]  # as the user wrote it: "Lightroom"
            named = re.sub(r"(?i)[\s-]+style$", "", written).replace("-", " ")
            # "Lightroom-style grading with a warm look": the tool's name is not the look, the adjective is
            if look is None or re.match(r"(?i)(lightroom|instagram)", look):
                look = named
        for m in self.each(r"\bcolou?r[\s-]*(?:grad(?:e|ing)|correct(?:ion)?)\b"):
            pieces.append(m)
        keys = "|".join(GRADE_KEYS)
        value_after = rf"\b(?P<k>{keys})\s*(?:by|to|of|at|:|=)?\s*(?P<v>[+-]?\s*\d+(?:\.\d+)?)%?"
        value_before = rf"(?P<v>[+-]\s*\d+(?:\.\d+)?)\s+(?P<k>{keys})\b"
        for pattern in (value_after, value_before):
            for m in self.each(pattern):
                pieces.append(m)
                self.taken.append((m.start(), m.end()))
                v = float(m.group("v").replace(" ", ""))
                values[m.group("k")] = round(max(-5.0, min(5.0, v)), 2) if m.group("k") == "exposure" else int(max(-100, min(100, round(v))))
        nudges = {"exposure": 0.3, "contrast": 10, "saturation": 5, "brightness": 10, "temperature": 10,
                  "tint": 5, "highlights": -10, "shadows": 10, "vibrance": 10, "sharpness": 10}
        # A verb naming settings without values ("adjust exposure, contrast, and saturation"): a gentle nudge.
        adjust = (r"\b(?P<verb>adjust|tweak|fix|balance|boost|increase|raise|add|more|enhance|reduce|lower|decrease|"
                  r"less|drop|tone\s+down)\b(?=(?P<rest>[^.;!?\x00]{0,60}))")
        for m in self.each(adjust):
            named = [k for k in GRADE_KEYS if re.search(rf"\b{k}\b", m.group("rest")) and k not in values]
            if not named:
                continue
            sign = -1 if m.group("verb") in ("reduce", "lower", "decrease", "less", "drop") or m.group("verb").startswith("tone") else 1
            for k in named:
                values[k] = sign * nudges[k]
            pieces.append(m)
        if not pieces:
            return
        first = min(pieces, key=lambda p: p.start())
        for p in pieces:
            if self.free(p.start(), p.end()):
                self.taken.append((p.start(), p.end()))
        ordered = {k: values[k] for k in GRADE_KEYS if k in values}
        args = {"look": look, **ordered}
        self.actions.append(Action(first.start(), first.end(), "color_grade", args,
                                   lambda tl: _grade(tl, look, ordered)))


# --------------------------------------------------------------------------------------------------------
# The turn


def _chunks(text: str, words: int = 4) -> list[str]:
    """The reply in the pieces it is streamed in: a few words each, whitespace kept, joined = the text."""
    tokens = re.findall(r"\S+\s*", text)
    return ["".join(tokens[i:i + words]) for i in range(0, len(tokens), words)]


def _join(phrases: list[str]) -> str:
    """"a", "a and b", "a, b and c"; ", then" before the last when a phrase has its own "and"."""
    if len(phrases) == 1:
        return phrases[0]
    last = ", then " if any(" and " in p for p in phrases) else " and "
    return ", ".join(phrases[:-1]) + last + phrases[-1]


def _reply(text: str) -> Turn:
    return Turn(chunks=_chunks(text), tools=[], draft=None, cost=0)


HELP = ("I can remove a range (\"remove 0:10-0:20\"), keep one (\"cut from 0:30 to 1:45\"), trim the start "
        "or end (\"trim the first 5 seconds\"), shorten the video (\"make it 30 seconds long\"), and add a "
        "title, background music, transitions or color grading.")


def respond(instruction: str, state: dict, *, silent: bool = False) -> Turn:
    """Apply an instruction to a copy of the session's draft. `silent` drops the text of an edit that changed
    something (the service ends about 30% of edits that way); replies that change nothing always have text."""
    tl = Timeline(state if isinstance(state, dict) else {})
    before = copy.deepcopy(tl.draft)
    start_length = tl.length
    has_media = bool(tl.segments())
    actions = _Reader(instruction or "", tl, has_media).read()
    if not actions:
        shown = " ".join((instruction or "").split())
        shown = shown if len(shown) <= 60 else shown[:57] + "…"
        if re.search(r"\b(?:how\s+long|length|duration|what'?s\s+(?:in|on)\s+the\s+timeline)\b", (instruction or "").lower()) and has_media:
            n = len(tl.segments())
            return _reply(f"The video is {fmt_time(tl.length)} long, in {n} segment{'s' if n != 1 else ''}. "
                          "What would you like to change?")
        if has_media and re.search(r"\b(?:generate|create|produce)\b", (instruction or "").lower()):
            return _reply("This session already has footage, so I edit it rather than generate a new clip. "
                          f"{HELP} Start a new session to generate from a description.")
        return _reply(f"Sorry, I'm not sure what to change for \"{shown}\". {HELP} What would you like to do?")
    if not has_media and not any(a.tool == "video_generate" for a in actions):
        return _reply("There's no video in this session yet. Upload a clip first, or ask me to generate one "
                      "(for example \"generate a 10-second clip of a city at night\").")

    tools: list[ToolStep] = []
    outcomes: list[Outcome] = []
    generated = False
    for action in actions:
        try:
            outcome = action.run(tl)
        except Refusal as refusal:
            return _reply(f"I can't do that: {refusal}. Tell me which part to keep instead, for example "
                          f"\"keep 0:00-{fmt_time(max(1000, tl.length // 2))}\".")
        generated = generated or action.tool == "video_generate"
        outcomes.append(outcome)
        for name, args in [(action.tool, action.args), *outcome.extra]:
            tools.append(ToolStep(name, args, {"ok": True, "changed": outcome.changed, "duration_ms": tl.length}))

    tl.draft["d"] = tl.length
    changed = tl.draft != before
    done = [o.phrase for o in outcomes if o.changed and o.phrase]
    notes = [o.note for o in outcomes if o.note]
    if not changed or not done:
        text = "I left the video as it was: " + "; ".join(notes or ["nothing needed changing"]) + "."
        return Turn(chunks=_chunks(text), tools=tools, draft=None, cost=0)

    text = "Done! I " + _join(done)
    text += f"; the video is now {fmt_time(tl.length)}." if tl.length != start_length and not generated else "."
    if notes:
        text += " Note: " + "; ".join(notes) + "."
    # One closing sentence at most; a title's (preview + Export) wins, so GUI talk is predictable in tests.
    closings = [o.closing for o in outcomes if o.changed and o.closing]
    closing = next((c for c in closings if "Export" in c), closings[0] if closings else "")
    if closing:
        text += " " + closing
    return Turn(chunks=[] if silent else _chunks(text), tools=tools, draft=tl.draft,
                cost=GENERATE_COST if generated else EDIT_COST)
