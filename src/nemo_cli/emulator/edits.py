"""The edits the emulator's agent makes to a draft: the timeline (the draft's main video track, every other
track following its length), timestamps and lengths as users write them, and one function per tool the
agent "runs" (`remove`, `keep_range`, `trim`, `keep_length`, `best_takes`, `title`, `music`, `drop`,
`transitions`, `grade`, `speed`, `generate`), each returning an Outcome phrased in the session's language.

Shared by the English rules (nemo_cli.emulator.agent) and the Chinese ones (nemo_cli.emulator.agent_zh),
which only read instructions into these edits. Pure: no I/O, no clock, no randomness.
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Callable

TITLE_MS = 3000
GENERATED_MS = 10_000
DEFAULT_MUSIC_STYLE = "lo-fi"
DEFAULT_MUSIC_VOLUME = 30
VIDEO_EXTENSIONS = ("mp4", "mov", "avi", "webm", "mkv")


def fmt_time(ms: int) -> str:
    """M:SS (H:MM:SS past an hour), with .mmm only when needed: the form the service's agent writes.

    A copy of the client's nemo_cli.recipes.format_timestamp, on purpose: the emulator stands in for the
    service, a separate program, so it must not share the client's reading of the API (a change to the
    client's formatter must not silently change what the "service" says back)."""
    secs, millis = divmod(int(ms), 1000)
    hours, rem = divmod(secs, 3600)
    minutes, seconds = divmod(rem, 60)
    text = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    return text + (f".{millis:03d}".rstrip("0") if millis else "")


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
    return join_zh_nouns(items) if tl is not None and tl.zh else join_phrases(items)


def remove(tl: Timeline, spans: list[tuple[int, int]]) -> Outcome:
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


def keep_range(tl: Timeline, a: int, b: int) -> Outcome:
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


def trim(tl: Timeline, edge: str, n: int) -> Outcome:
    length = tl.length
    where = "开头" if edge == "first" else "结尾"
    if n <= 0:
        return Outcome("", changed=False, note=tl.say("trimming nothing leaves the video as it is", "剪掉0秒，视频保持不变"))
    if n >= length:
        raise Refusal(tl.say(f"trimming the {edge} {fmt_length(n)} would leave nothing of the {fmt_time(length)} video",
                             f"剪掉{where}{fmt_length_zh(n)}会让这段{fmt_time(length)}的视频什么都不剩"))
    tl.keep([(n, length)] if edge == "first" else [(0, length - n)])
    return Outcome(tl.say(f"trimmed the {edge} {fmt_length(n)}", f"剪掉了{where}{fmt_length_zh(n)}"))


def keep_length(tl: Timeline, n: int, highlights: bool) -> Outcome:
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


def best_takes(tl: Timeline) -> Outcome:
    length = tl.length
    keep = length * 4 // 5
    if keep <= 0 or keep == length:
        return Outcome("", changed=False, note=tl.say("the video is too short to pick takes from", "视频太短，挑不出镜头"))
    tl.keep([(0, keep)])
    return Outcome(tl.say(f"kept the best takes (the first {fmt_time(keep)}) and dropped the weaker "
                          f"{fmt_length(length - keep)} at the end",
                          f"保留了最好的镜头（前{fmt_time(keep)}），去掉了结尾较弱的{fmt_length_zh(length - keep)}"))


def title(tl: Timeline, text: str | None) -> Outcome:
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


def music(tl: Timeline, style: str | None, volume: int | None, only_volume: bool = False) -> Outcome:
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
    if CJK.search(style):
        return style if style.endswith("音乐") else f"{style}音乐"
    return f"{style[:1].upper()}{style[1:]} music"


CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def drop(tl: Timeline, music: bool) -> Outcome:
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


def transitions(tl: Timeline, style: str | None) -> Outcome:
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


def grade(tl: Timeline, look: str | None, values: dict[str, float]) -> Outcome:
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


def speed(tl: Timeline, factor: float) -> Outcome:
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


def generate(tl: Timeline, subject: str, n: int | None, explicit: set[str]) -> Outcome:
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
        added.append(music(tl, style, 40).phrase)
        outcome.extra.append(("music_add", {"style": style, "volume": 40}))
    if "title" not in explicit:
        text = label[:1].upper() + label[1:]
        added.append(title(tl, text).phrase)
        outcome.extra.append(("title_add", {"text": text}))
    if added and tl.zh:
        outcome.phrase += "，然后" + "，".join(added)
    elif added:
        outcome.phrase += " and then added " + " and ".join(p.replace("added ", "", 1) for p in added)
    return outcome


# --------------------------------------------------------------------------------------------------------
# Joining phrases


def join_phrases(phrases: list[str]) -> str:
    """"a", "a and b", "a, b and c"; ", then" before the last when a phrase has its own "and"."""
    if len(phrases) == 1:
        return phrases[0]
    last = ", then " if any(" and " in p for p in phrases) else " and "
    return ", ".join(phrases[:-1]) + last + phrases[-1]


def join_zh_nouns(items: list[str]) -> str:
    """"a", "a和b", "a、b和c"."""
    return items[0] if len(items) == 1 else "、".join(items[:-1]) + "和" + items[-1]
