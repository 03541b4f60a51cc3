"""The emulator's editing "agent": deterministic rules that turn an instruction (English or Chinese) into a
draft edit.

Pure: no I/O, no clock, no randomness. `respond(instruction, state)` reads the session state (never mutates
it) and returns a `Turn`: the reply text split into stream chunks, the tool steps it "ran", the new draft
(a modified deep copy, or None when nothing changed) and the credits the message costs. Replies are in the
session's language (`language="zh-CN"`: Chinese; anything else: English), whatever the instruction's;
the Chinese phrasings are read by nemo_cli.emulator.agent_zh.

Questions: a message whose only request is background music of no named style ("add background music",
"加背景音乐") is not guessed at: the turn asks which style (`Turn.question`, the `ask_question` call's
arguments, sent as a long-running call the stream leaves open) and changes nothing. `Turn.pending` is what
the service remembers; the session's next message, given back as `asked=`, answers it when it is an
option's label (any case) or number, or words that are no instruction of their own (a style the options
did not list): the first instruction is then carried out with that style. A new instruction instead
drops the question.

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
    question: dict | None = None  # ask_question's arguments: the turn ends waiting for the answer
    pending: dict | None = None  # what the service keeps for the next message: the instruction asked about

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


def fmt_length_zh(ms: int) -> str:
    """A length in Chinese: "10秒", "2.5秒", "1分20秒", "2分钟"."""
    minutes, rest = divmod(int(ms), 60_000)
    secs = round(rest / 1000, 3)
    number = f"{secs:g}"
    if minutes and not rest:
        return f"{minutes}分钟"
    return (f"{minutes}分" if minutes else "") + f"{number}秒"


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
        self.zh = False  # the session speaks Chinese: phrases in Chinese

    def say(self, en: str, zh: str) -> str:
        return zh if self.zh else en

    def length_words(self, ms: int) -> str:
        return fmt_length_zh(ms) if self.zh else fmt_length(ms)

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
            rate = _speed_of(seg)  # a sped-up segment covers rate × its length of its source
            piece = copy.deepcopy(seg)
            if (skip, d) != (0, int(_num(seg.get("d")) or 0)):
                piece["id"] = _seg_id(seg.get("src"), offset + round(skip * rate), d, cursor)
            piece["st"], piece["d"], piece["in"] = cursor, d, offset + round(skip * rate)
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


def _speed_of(seg: dict) -> float:
    meta = seg.get("m") if isinstance(seg.get("m"), dict) else {}
    rate = _num(meta.get("speed"))
    return rate if rate and rate > 0 else 1.0


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
    unsure: str | None = None  # what the agent would have to guess ("music_style"): a question instead


def _ranges(spans: list[tuple[int, int]], tl: Timeline | None = None) -> str:
    items = [f"{fmt_time(a)}–{fmt_time(b)}" for a, b in spans]
    return _join_zh_nouns(items) if tl is not None and tl.zh else _join(items)


def _remove(tl: Timeline, spans: list[tuple[int, int]]) -> Outcome:
    """Remove ranges given in the message's timeline; join what is left."""
    end = tl.original_length
    wanted = [(min(a, b), min(max(a, b), end)) for a, b in spans]
    gone = [(a, b) for a, b in spans if min(a, b) >= end]
    wanted = [(a, b) for a, b in wanted if b > a]
    current = [c for a, b in wanted for c in tl.current(a, b)]
    note = tl.say(f"{_ranges(gone)} {'is' if len(gone) == 1 else 'are'} past the end of the {fmt_time(end)} video, "
                  "so there was nothing to remove there",
                  f"{_ranges(gone, tl)}超出了这段{fmt_time(end)}的视频，那里没有可删除的内容") if gone else ""
    if not current:
        return Outcome("", changed=False, note=note or tl.say(f"{_ranges(spans)} was already cut, so there was nothing to remove",
                                                              f"{_ranges(spans, tl)}已经剪掉了，没有可删除的内容"))
    removed = sum(b - a for a, b in _merge(current))
    if removed >= tl.length:
        raise Refusal(tl.say(f"removing {_ranges(spans)} would leave nothing of the {fmt_time(tl.length)} video",
                             f"删除{_ranges(spans, tl)}会让这段{fmt_time(tl.length)}的视频什么都不剩"))
    keep, cursor = [], 0
    for a, b in _merge(current):
        keep.append((cursor, a))
        cursor = b
    keep.append((cursor, tl.length))
    tl.keep(keep)
    phrase = tl.say(f"removed {_ranges(wanted)}", f"删除了{_ranges(wanted, tl)}")
    if any(min(a, b) < end < max(a, b) for a, b in spans):
        phrase += tl.say(f" (the video ended at {fmt_time(end)})", f"（视频在{fmt_time(end)}结束）")
    elif any(a > 0 and b < end for a, b in wanted):
        phrase += tl.say(" and joined the rest", "，并把其余部分接在一起")
    return Outcome(phrase, note=note)


def _keep_range(tl: Timeline, a: int, b: int) -> Outcome:
    a, b = sorted((a, b))
    end = tl.original_length
    b_clamped = min(b, end)
    current = tl.current(a, b_clamped)
    if not current:
        raise Refusal(tl.say(f"{fmt_time(a)}–{fmt_time(b)} is not in the {fmt_time(end)} video, so keeping only it "
                             "would leave nothing",
                             f"{fmt_time(a)}–{fmt_time(b)}不在这段{fmt_time(end)}的视频里，只保留它会什么都不剩"))
    if sum(y - x for x, y in current) >= tl.length:
        return Outcome("", changed=False, note=tl.say(
            f"{fmt_time(a)}–{fmt_time(b)} already covers the whole {fmt_time(tl.length)} video, so there was nothing to cut",
            f"{fmt_time(a)}–{fmt_time(b)}已经覆盖了整段{fmt_time(tl.length)}的视频，没有需要剪掉的"))
    tl.keep(current)
    phrase = tl.say(f"kept {fmt_time(a)}–{fmt_time(b_clamped)} and cut the rest",
                    f"保留了{fmt_time(a)}–{fmt_time(b_clamped)}，剪掉了其余部分")
    if b_clamped < b:
        phrase += tl.say(f" (the video ends at {fmt_time(end)})", f"（视频在{fmt_time(end)}结束）")
    return Outcome(phrase)


def _trim(tl: Timeline, edge: str, n: int) -> Outcome:
    length = tl.length
    where = "开头" if edge == "first" else "结尾"
    if n <= 0:
        return Outcome("", changed=False, note=tl.say("trimming nothing leaves the video as it is", "剪掉0秒，视频保持不变"))
    if n >= length:
        raise Refusal(tl.say(f"trimming the {edge} {fmt_length(n)} would leave nothing of the {fmt_time(length)} video",
                             f"剪掉{where}{fmt_length_zh(n)}会让这段{fmt_time(length)}的视频什么都不剩"))
    tl.keep([(n, length)] if edge == "first" else [(0, length - n)])
    return Outcome(tl.say(f"trimmed the {edge} {fmt_length(n)}", f"剪掉了{where}{fmt_length_zh(n)}"))


def _keep_length(tl: Timeline, n: int, highlights: bool) -> Outcome:
    length = tl.length
    if n <= 0:
        raise Refusal(tl.say("a video of no length would be empty", "长度为0的视频是空的"))
    if n >= length:
        return Outcome("", changed=False, note=tl.say(
            f"the video is already {fmt_time(length)}, no longer than {fmt_length(n)}, so I kept all of it",
            f"视频已经是{fmt_time(length)}，不超过{fmt_length_zh(n)}，所以全部保留"))
    if highlights and 2 * n <= length:
        # Three evenly spaced moments, each in the middle of its third, starts on whole tenths of a second.
        sizes = [n // 3, n // 3, n - 2 * (n // 3)]
        spans = []
        for i, size in enumerate(sizes):
            start = ((i * length) // 3 + (length // 3 - size) // 2) // 100 * 100
            spans.append((start, start + size))
        tl.keep(spans)
        listed = tl.say(", ", "、").join(f"{fmt_time(a)}–{fmt_time(b)}" for a, b in spans)
        return Outcome(tl.say(f"compiled the best moments ({listed}) into a {fmt_adjective(n)} clip",
                              f"把精彩片段（{listed}）合成了一段{fmt_length_zh(n)}的短片"))
    tl.keep([(0, n)])
    return Outcome(tl.say(f"cut it down to the first {fmt_length(n)}", f"剪成了前{fmt_length_zh(n)}"))


def _best_takes(tl: Timeline) -> Outcome:
    length = tl.length
    keep = length * 4 // 5
    if keep <= 0 or keep == length:
        return Outcome("", changed=False, note=tl.say("the video is too short to pick takes from", "视频太短，挑不出镜头"))
    tl.keep([(0, keep)])
    return Outcome(tl.say(f"kept the best takes (the first {fmt_time(keep)}) and dropped the weaker "
                          f"{fmt_length(length - keep)} at the end",
                          f"保留了最好的镜头（前{fmt_time(keep)}），去掉了结尾较弱的{fmt_length_zh(length - keep)}"))


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
            return Outcome("", changed=False, note=tl.say(f'the title already reads "{text}"', f"标题已经是“{text}”"))
        first["m"]["text"] = text
    return Outcome(tl.say(f'added the title "{text}" ({fmt_time(0)}–{fmt_time(d)})',
                          f"添加了标题“{text}”（{fmt_time(0)}–{fmt_time(d)}）"),
                   closing=tl.say("You can preview it in the timeline, then click Export when you're ready.",
                                  "可以在时间线中预览，满意后点击导出。"))


def _music(tl: Timeline, style: str | None, volume: int | None, only_volume: bool = False) -> Outcome:
    track = tl.track(1, "trk_music", kind="music")
    if only_volume and track is not None:
        meta = track["m"] if isinstance(track.get("m"), dict) else track.setdefault("m", {})
        meta["volume"] = volume
        for seg in track.get("sg") or []:
            if isinstance(seg, dict) and isinstance(seg.get("m"), dict):
                seg["m"]["volume"] = volume
        return Outcome(tl.say(f"set the music volume to {volume}%", f"把音乐音量调到了{volume}%"))
    style = (style or DEFAULT_MUSIC_STYLE).strip()
    volume = DEFAULT_MUSIC_VOLUME if volume is None else volume
    title = music_title(style)
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
    return Outcome(tl.say(f"added {title[:-6] if title.endswith(' music') else title} background music at {volume}%",
                          f"添加了{style}背景音乐，音量{volume}%"),
                   closing=tl.say("Open the Audio panel if you want to fine-tune the volume.",
                                  "如需微调音量，可以打开音频面板。"))


def music_title(style: str) -> str:
    """The music track's name: "Lo-fi music", "Upbeat pop music"; a Chinese style: "欢快流行音乐"."""
    if _CJK.search(style):
        return style if style.endswith("音乐") else f"{style}音乐"
    return f"{style[:1].upper()}{style[1:]} music"


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _drop(tl: Timeline, music: bool) -> Outcome:
    track = tl.track(1, "trk_music", kind="music") if music else tl.track(7, "trk_title")
    what = "background music" if music else "title"
    what_zh = "背景音乐" if music else "标题"
    if track is None:
        return Outcome("", changed=False, note=tl.say(f"there was no {what} to remove", f"没有可删除的{what_zh}"))
    tl.draft["t"].remove(track)
    return Outcome(tl.say(f"removed the {what}", f"删除了{what_zh}"))


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
        return Outcome(tl.say("removed the transitions", "删除了转场")) if changed else Outcome(
            "", changed=False, note=tl.say("there were no transitions to remove", "没有可删除的转场"))
    style_zh = TRANSITION_NAMES_ZH.get(style, style)
    if all(isinstance(s.get("m"), dict) and s["m"].get("transition") == style for s in segs):
        return Outcome("", changed=False, note=tl.say(f"the clips already use {style} transitions", f"片段已经在用{style_zh}转场"))
    for seg in segs:
        if not isinstance(seg.get("m"), dict):
            seg["m"] = {}
        seg["m"]["transition"] = style
    joins = len(segs) - 1
    where = f" at the {joins} join{'s' if joins != 1 else ''}" if joins else " (they apply where clips join)"
    if tl.zh:
        return Outcome(f"在{joins}个衔接处添加了{style_zh}转场" if joins else f"添加了{style_zh}转场（在片段衔接处生效）")
    return Outcome(f"added {style} transitions{where}")


TRANSITION_NAMES_ZH = {
    "crossfade": "交叉淡化", "fade": "淡入淡出", "dissolve": "溶解", "wipe": "擦除", "slide": "滑动", "zoom": "缩放",
    "whip pan": "甩镜", "glitch": "故障", "spin": "旋转", "fade to black": "黑场", "blur": "模糊", "cut": "硬切",
}


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
        return Outcome("", changed=False, note=tl.say("that color grade is already applied", "这个调色已经应用过了"))
    if tl.zh:
        detail = "，".join(f"{GRADE_NAMES_ZH.get(k, k)}{v:+g}" for k, v in values.items())
        what = f"{LOOK_NAMES_ZH.get(look, look)}调色" if look else "调色"
        return Outcome(f"给所有片段应用了{what}" + (f"（{detail}）" if detail else ""),
                       closing="在调色面板里拖动强度滑块，可以让效果更强或更柔和。")
    detail = ", ".join(f"{k} {v:+g}" for k, v in values.items())
    what = f"a {look} color grade" if look else "color grading"
    return Outcome(f"applied {what}" + (f" ({detail})" if detail else "") + " to every clip",
                   closing="Drag the Intensity slider in the Color panel to make it stronger or softer.")


GRADE_NAMES_ZH = {"exposure": "曝光", "contrast": "对比度", "saturation": "饱和度", "brightness": "亮度",
                  "temperature": "色温", "tint": "色调", "highlights": "高光", "shadows": "阴影",
                  "vibrance": "自然饱和度", "sharpness": "锐度"}
LOOK_NAMES_ZH = {"cinematic": "电影感", "warm": "暖色调", "cool": "冷色调", "vintage": "复古", "black and white": "黑白",
                 "film": "胶片", "moody": "情绪", "vibrant": "鲜艳", "teal orange": "青橙", "natural": "自然", "fresh": "清新"}


def _speed(tl: Timeline, factor: float) -> Outcome:
    """Play every clip at `factor` × its speed (2: twice as fast, half as long); other tracks follow."""
    if not 0.1 <= factor <= 10:
        raise Refusal(tl.say(f"a speed of {factor:g}x is outside what I can do (0.1x to 10x)",
                             f"{factor:g}倍速超出了可调范围（0.1到10倍）"))
    segs = tl.segments()
    if all(abs(_speed_of(s) - factor) < 1e-9 for s in segs):
        return Outcome("", changed=False, note=tl.say(f"the video already plays at {factor:g}x", f"视频已经是{factor:g}倍速"))
    old_length, cursor = tl.length, 0
    for seg in segs:
        source = (_num(seg.get("d")) or 0) * _speed_of(seg)
        if not isinstance(seg.get("m"), dict):
            seg["m"] = {}
        if factor == 1:
            seg["m"].pop("speed", None)
        else:
            seg["m"]["speed"] = factor
        seg["st"], seg["d"] = cursor, max(1, round(source / factor))
        cursor += seg["d"]
    tl.follow(old_length)
    # timestamps later in the same message mean the timeline as it plays now
    tl.original_length, tl.pieces = tl.length, [[0, tl.length]]
    if factor > 1:
        return Outcome(tl.say(f"sped the video up to {factor:g}x", f"把视频加速到了{factor:g}倍速"))
    return Outcome(tl.say(f"slowed the video down to {factor:g}x", f"把视频放慢到了{factor:g}倍速"))


def _generate(tl: Timeline, subject: str, n: int | None, explicit: set[str]) -> Outcome:
    """Stage one: the raw clip; stage two: music and a title, unless the user asked for their own."""
    d = max(1000, min(n or GENERATED_MS, 300_000))
    width = int(_num(tl.canvas.get("width")) or 1280)
    height = int(_num(tl.canvas.get("height")) or 720)
    label = subject or tl.say("Generated clip", "生成的视频")
    seg = {"id": _seg_id("generated", 0, d, 0), "st": 0, "d": d, "src": "generated", "in": 0,
           "m": {"title": label, "width": width, "height": height}}
    if tl.video is None:
        tl.video = {"id": "trk_video", "tt": 0, "m": {"title": label}, "sg": [seg]}
        tl.draft["t"].insert(0, tl.video)
    else:
        tl.video["sg"] = [seg]
    tl.draft["d"] = d
    outcome = Outcome(tl.say(f"generated a {fmt_adjective(d)} clip" + (f" of {subject}" if subject else ""),
                             f"生成了一段{fmt_length_zh(d)}的视频" + (f"：{subject}" if subject else "")),
                      closing=tl.say("Click the Export button to download it.", "点击导出按钮即可下载。"))
    added = []
    if "music" not in explicit:
        style = tl.say("cinematic", "电影感")
        added.append(_music(tl, style, 40).phrase)
        outcome.extra.append(("music_add", {"style": style, "volume": 40}))
    if "title" not in explicit:
        text = label[:1].upper() + label[1:]
        added.append(_title(tl, text).phrase)
        outcome.extra.append(("title_add", {"text": text}))
    if added and tl.zh:
        outcome.phrase += "，然后" + "，".join(added)
    elif added:
        outcome.phrase += " and then added " + " and ".join(p.replace("added ", "", 1) for p in added)
    return outcome


# --------------------------------------------------------------------------------------------------------
# Reading the instruction

_QUOTE = re.compile(r"(?<![\w])'([^'\n]+?)'(?![\w])|\"([^\"\n]+)\"|“([^”\n]+)”|‘([^’\n]+)’|«([^»\n]+)»|「([^」\n]+)」|『([^』\n]+)』")
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

    def __init__(self, instruction: str, tl: Timeline, has_media: bool, music_style: str | None = None) -> None:
        self.music_style = music_style  # the answer to "which music style?", for a music request that names none
        self.original = instruction
        self.quotes: list[tuple[int, int, str]] = []
        # ASCII quotes (' and ") in a Chinese sentence sit right after a character, which \w counts as a word:
        # "加个标题'Hello'" quotes Hello all the same
        chars = [c.lower() if len(c.lower()) == 1 else c for c in instruction]
        for m in _quotes(instruction):
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

    def add_span(self, start: int, end: int, tool: str, args: dict, run: Callable[[Timeline], Outcome],
                 unsure: str | None = None) -> None:
        if self.free(start, end):
            self.taken.append((start, end))
            self.actions.append(Action(start, end, tool, args, run, unsure))

    def each(self, pattern: str) -> list[re.Match]:
        return [m for m in re.finditer(pattern, self.text) if self.free(m.start(), m.end())]

    def read(self) -> list[Action]:
        if not self.has_media:
            self._generate()
        self._keep_range()
        self._remove_range()
        self._trim()
        self._speed()
        self._keep_length()
        self._best_takes()
        self._drop_tracks()
        self._title()
        self._music()
        self._transitions()
        self._grade()
        if _CJK.search(self.text):
            from nemo_cli.emulator import agent_zh

            agent_zh.read(self)
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

    def _speed(self) -> None:
        x = r"(?P<f>\d+(?:\.\d+)?)\s*(?:x|×|times)"
        it = r"(?:\s+(?:it|the\s+(?:video|clip|footage)|everything))?"
        patterns = [  # (pattern, factor when the pattern names none)
            (rf"\bspeed{it}\s+up(?:\s+(?:by|to)\s+{x}(?:\s+speed)?)?", 2.0),
            (rf"\bslow{it}\s+down(?:\s+(?:to|by)\s+{x}(?:\s+speed)?)?", 0.5),
            (rf"\b(?:make|play)\s+(?:it|the\s+(?:video|clip))\s+(?:at\s+)?{x}(?:\s+(?:faster|speed|as\s+fast))?", None),
            (rf"\b(?:set|change)\s+(?:the\s+)?(?:playback\s+)?speed\s+to\s+{x}", None),
            (rf"\b(?:play(?:\s+it)?\s+)?at\s+{x}(?:\s+speed)?\b", None),
            (rf"\b{x}\s+speed\b", None),
            (r"\b(?:double|twice\s+the)\s+(?:the\s+)?speed\b|\btwice\s+as\s+fast\b", 2.0),
            (r"\b(?:half(?:\s+the)?\s+speed|slow[\s-]+motion|slow[\s-]?mo)\b", 0.5),
        ]
        for pattern, default in patterns:
            for m in self.each(pattern):
                f = float(m.group("f")) if "f" in m.groupdict() and m.group("f") else default
                if f is None:
                    continue
                self.add(m, "speed_set", {"factor": f}, lambda tl, f=f: _speed(tl, f))

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
            self.add_music(begin, m.end(), style, v)

    def add_music(self, start: int, end: int, style: str | None, volume: int | None) -> None:
        """A request for background music; with no style named (and no answer to "which style?" given) it is
        marked unsure: alone in a message, it makes the agent ask."""
        unsure = "music_style" if style is None and self.music_style is None else None
        style = style or self.music_style
        self.add_span(start, end, "music_add",
                      {"style": style or DEFAULT_MUSIC_STYLE, "volume": DEFAULT_MUSIC_VOLUME if volume is None else volume},
                      lambda tl, style=style, v=volume: _music(tl, style, v), unsure)

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


def _quotes(text: str) -> list[re.Match]:
    """The quoted parts of an instruction. An ASCII quote pair right after a CJK character counts too (the
    look-behind of _QUOTE takes a CJK character for a word character)."""
    found = list(_QUOTE.finditer(text))
    taken = [(m.start(), m.end()) for m in found]
    for m in re.finditer(r"(?<=[\u3400-\u9fff\uff0c\uff1a])'([^'\n]+?)'|(?<=[\u3400-\u9fff\uff0c\uff1a])\"([^\"\n]+)\"", text):
        if all(m.end() <= a or m.start() >= b for a, b in taken):
            found.append(m)
    return sorted(found, key=lambda m: m.start())


def _join_zh_nouns(items: list[str]) -> str:
    """"a", "a和b", "a、b和c"."""
    return items[0] if len(items) == 1 else "、".join(items[:-1]) + "和" + items[-1]


def _reply(text: str) -> Turn:
    return Turn(chunks=_chunks(text), tools=[], draft=None, cost=0)


HELP = ("I can remove a range (\"remove 0:10-0:20\"), keep one (\"cut from 0:30 to 1:45\"), trim the start "
        "or end (\"trim the first 5 seconds\"), shorten the video (\"make it 30 seconds long\"), change its "
        "speed (\"speed it up 2x\"), and add a title, background music, transitions or color grading.")
HELP_ZH = ("我可以删除一段（“删除0:10到0:20之间的部分”）、只保留一段（“保留0:30到1:45”）、剪掉开头或结尾"
           "（“剪掉开头5秒”）、缩短视频（“剪成30秒”）、调整速度（“加速2倍”），还可以添加标题、背景音乐、转场或调色。")

MUSIC_STYLES = {"en": ["Upbeat pop", "Calm piano", "Cinematic", "Lo-fi"], "zh": ["欢快流行", "舒缓钢琴", "电影感", "Lo-fi"]}
MUSIC_QUESTION = {"en": "Which music style do you want?", "zh": "你想要哪种风格的背景音乐？"}


def _question(instruction: str, zh: bool) -> Turn:
    """Ask which music style, instead of guessing one: the turn changes nothing and waits for the answer."""
    labels = MUSIC_STYLES["zh" if zh else "en"]
    options = [{"id": re.sub(r"[^a-z0-9]+", "_", en.lower()).strip("_"), "label": label}
               for en, label in zip(MUSIC_STYLES["en"], labels)]
    args = {"questions": [{"id": "music_style", "prompt": MUSIC_QUESTION["zh" if zh else "en"], "options": options,
                           "allow_multiple": False}]}
    return Turn(chunks=[], tools=[], draft=None, cost=0, question=args,
                pending={"instruction": instruction, "options": labels})


def _answer(asked: dict, text: str, state: dict) -> str | None:
    """The style the message chooses for the pending question: an option's label (any case) or number, or
    words that read as no instruction of their own. None: the message is a new instruction."""
    options = [str(o) for o in asked.get("options") or []]
    said = " ".join(text.split())
    for label in options:
        if label.casefold() == said.casefold():
            return label
    if re.fullmatch(r"\d+", said) and 1 <= int(said) <= len(options):
        return options[int(said) - 1]
    tl = Timeline(state if isinstance(state, dict) else {})
    if not said or len(said) > 40 or _Reader(text, tl, bool(tl.segments())).read():
        return None
    return re.sub(r"(?i)\s*(?:background\s+)?music$|\s*(?:的)?(?:背景)?音乐$", "", said) or None


def respond(instruction: str, state: dict, *, silent: bool = False, language: str = "en",
            asked: dict | None = None, music_style: str | None = None) -> Turn:
    """Apply an instruction to a copy of the session's draft. `silent` drops the text of an edit that changed
    something (the service ends about 30% of edits that way); replies that change nothing always have text.
    `language`: the session's (replies in Chinese for zh…). `asked`: the `pending` of the session's last
    turn, when it asked a question; `music_style`: the answer, used where a music request names no style."""
    zh = str(language or "").lower().startswith("zh")
    if asked and isinstance(asked.get("instruction"), str):
        style = _answer(asked, instruction or "", state)
        if style is not None:
            return respond(asked["instruction"], state, silent=silent, language=language, music_style=style)
    tl = Timeline(state if isinstance(state, dict) else {})
    tl.zh = zh
    before = copy.deepcopy(tl.draft)
    start_length = tl.length
    has_media = bool(tl.segments())
    actions = _Reader(instruction or "", tl, has_media, music_style).read()
    say = tl.say
    if not actions:
        shown = " ".join((instruction or "").split())
        shown = shown if len(shown) <= 60 else shown[:57] + "…"
        low = (instruction or "").lower()
        if has_media and (re.search(r"\b(?:how\s+long|length|duration|what'?s\s+(?:in|on)\s+the\s+timeline)\b", low)
                          or re.search(r"多长|多久|时长|长度", low)):
            n = len(tl.segments())
            return _reply(say(f"The video is {fmt_time(tl.length)} long, in {n} segment{'s' if n != 1 else ''}. "
                              "What would you like to change?",
                              f"视频长{fmt_time(tl.length)}，共{n}个片段。你想改什么？"))
        if has_media and (re.search(r"\b(?:generate|create|produce)\b", low) or re.search(r"生成", low)):
            return _reply(say("This session already has footage, so I edit it rather than generate a new clip. "
                              f"{HELP} Start a new session to generate from a description.",
                              f"这个会话里已经有素材了，所以我会剪辑它，而不是生成新的视频。{HELP_ZH}如需根据描述生成，请新建一个会话。"))
        return _reply(say(f"Sorry, I'm not sure what to change for \"{shown}\". {HELP} What would you like to do?",
                          f"抱歉，我不确定“{shown}”要改什么。{HELP_ZH}你想做什么？"))
    if not has_media and not any(a.tool == "video_generate" for a in actions):
        return _reply(say("There's no video in this session yet. Upload a clip first, or ask me to generate one "
                          "(for example \"generate a 10-second clip of a city at night\").",
                          "这个会话里还没有视频。请先上传一段素材，或者让我生成一段（例如“生成一段10秒的城市夜景视频”）。"))
    if len(actions) == 1 and actions[0].unsure == "music_style":
        return _question(instruction, zh)

    tools: list[ToolStep] = []
    outcomes: list[Outcome] = []
    generated = False
    for action in actions:
        try:
            outcome = action.run(tl)
        except Refusal as refusal:
            return _reply(say(f"I can't do that: {refusal}. Tell me which part to keep instead, for example "
                              f"\"keep 0:00-{fmt_time(max(1000, tl.length // 2))}\".",
                              f"这个做不到：{refusal}。告诉我要保留哪一部分，例如“保留0:00到{fmt_time(max(1000, tl.length // 2))}”。"))
        generated = generated or action.tool == "video_generate"
        outcomes.append(outcome)
        for name, args in [(action.tool, action.args), *outcome.extra]:
            tools.append(ToolStep(name, args, {"ok": True, "changed": outcome.changed, "duration_ms": tl.length}))

    tl.draft["d"] = tl.length
    changed = tl.draft != before
    done = [o.phrase for o in outcomes if o.changed and o.phrase]
    notes = [o.note for o in outcomes if o.note]
    if not changed or not done:
        text = say("I left the video as it was: " + "; ".join(notes or ["nothing needed changing"]) + ".",
                   "视频保持原样：" + "；".join(notes or ["没有需要修改的地方"]) + "。")
        return Turn(chunks=_chunks(text), tools=tools, draft=None, cost=0)

    shorter = tl.length != start_length and not generated
    if zh:
        text = "好的！我" + ("，然后".join(done) if len(done) > 1 else done[0])
        text += f"；视频现在长{fmt_time(tl.length)}。" if shorter else "。"
        if notes:
            text += "注意：" + "；".join(notes) + "。"
    else:
        text = "Done! I " + _join(done)
        text += f"; the video is now {fmt_time(tl.length)}." if shorter else "."
        if notes:
            text += " Note: " + "; ".join(notes) + "."
    # One closing sentence at most; a title's (preview + Export) wins, so GUI talk is predictable in tests.
    closings = [o.closing for o in outcomes if o.changed and o.closing]
    closing = next((c for c in closings if "Export" in c or "导出" in c), closings[0] if closings else "")
    if closing:
        text += ("" if zh else " ") + closing
    return Turn(chunks=[] if silent else _chunks(text), tools=tools, draft=tl.draft,
                cost=GENERATE_COST if generated else EDIT_COST)
