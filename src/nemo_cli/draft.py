"""The timeline model: summary lines, export-readiness, and what changed between two states.

A draft uses the service's short keys: `t` tracks, `tt` track type (0 video, 1 audio, 7 text), `sg`
segments, `d` duration in ms, `m` metadata. Other keys are undocumented: read what helps, keep the rest.
Everything here is tolerant of missing or wrongly-typed fields: a summary never fails.
"""

from __future__ import annotations

import math
from typing import Any

TRACK_KINDS = {0: "Video", 1: "BGM", 7: "Title"}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def finite_number(value: Any) -> float | None:
    """A finite number, or None (NaN and infinity come through JSON too, and break every sum)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        return None
    return number if math.isfinite(number) else None


_num = finite_number


def tracks(draft: Any) -> list[dict[str, Any]]:
    return [t for t in _list(_dict(draft).get("t")) if isinstance(t, dict)]


def segments(track: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in _list(track.get("sg")) if isinstance(s, dict)]


def is_ready(draft: Any) -> bool:
    """Ready for export: at least one track with a non-empty segment list."""
    return any(segments(t) for t in tracks(draft))


def kind(track: dict[str, Any]) -> str:
    tt = track.get("tt")
    meta = _dict(track.get("m"))
    if tt == 1 and str(meta.get("kind", "")).lower() in ("voice", "voiceover", "narration"):
        return "Voice"
    if isinstance(tt, int) and not isinstance(tt, bool) and tt in TRACK_KINDS:
        return TRACK_KINDS[tt]
    return f"Track type {tt}" if tt is not None else "Track"


def span_ms(track: dict[str, Any]) -> tuple[float, float]:
    """(start, end) on the timeline; segments without a start (`st`) are laid end to end."""
    start: float | None = None
    end = 0.0
    cursor = 0.0
    for seg in segments(track):
        st = _num(seg.get("st"))
        d = _num(seg.get("d")) or 0.0
        begin = st if st is not None else cursor
        start = begin if start is None else min(start, begin)
        end = max(end, begin + d)
        cursor = begin + d
    if start is None:
        d = _num(track.get("d")) or 0.0
        return 0.0, d
    return start, end


def duration_ms(draft: Any) -> float:
    """The timeline's length: the end of its video tracks, or of any track when there is no video."""
    video = [span_ms(t)[1] for t in tracks(draft) if t.get("tt") == 0]
    return max(video or [span_ms(t)[1] for t in tracks(draft)] or [_num(_dict(draft).get("d")) or 0.0])


def name(track: dict[str, Any]) -> str | None:
    for meta in [_dict(track.get("m"))] + [_dict(s.get("m")) for s in segments(track)]:
        for key in ("text", "title", "name") if track.get("tt") == 7 else ("title", "name", "text"):
            value = meta.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def volume(track: dict[str, Any]) -> float | None:
    for meta in [_dict(track.get("m"))] + [_dict(s.get("m")) for s in segments(track)]:
        v = _num(meta.get("volume"))
        if v is not None:
            return v * 100 if 0 < v <= 1 and isinstance(meta.get("volume"), float) else v
    return None


def seconds(ms: float) -> str:
    if not math.isfinite(ms):  # sums of huge spans can still overflow
        return "?"
    s = ms / 1000
    return f"{s:.0f}" if abs(s - round(s)) < 0.05 else f"{s:.1f}"


def describe(track: dict[str, Any]) -> str:
    """`Video: city timelapse (0-10s)`, `BGM: Lo-fi (0-10s, 35%)`, `Title: "Urban Dreams" (0-3s)`."""
    label = kind(track)
    title = name(track)
    if title and track.get("tt") == 7:
        title = f'"{title}"'
    start, end = span_ms(track)
    detail = f"{seconds(start)}-{seconds(end)}s"
    vol = volume(track)
    if vol is not None and track.get("tt") == 1:
        detail += f", {vol:.0f}%"
    count = len(segments(track))
    if count > 1:
        detail += f", {count} segments"
    return f"{label}: {title} ({detail})" if title else f"{label} ({detail})"


def summary_lines(state: Any) -> list[str]:
    """The human timeline summary of a state (or of a bare draft)."""
    state = _dict(state)
    draft = _dict(state.get("draft")) if "draft" in state else state
    ts = tracks(draft)
    if not ts:
        lines = ["Timeline: empty (upload media or describe what to generate)"]
    else:
        noun = "track" if len(ts) == 1 else "tracks"
        lines = [f"Timeline ({len(ts)} {noun}, {seconds(duration_ms(draft))}s):"]
        lines += [f"  {i}. {describe(t)}" for i, t in enumerate(ts, 1)]
    canvas = _dict(state.get("canvas_config"))
    extras = []
    if _num(canvas.get("width")) and _num(canvas.get("height")):
        ratio = canvas.get("aspect_ratio") or canvas.get("ratio")
        extras.append(f"canvas {_num(canvas['width']):.0f}x{_num(canvas['height']):.0f}" + (f" ({ratio})" if ratio else ""))
    media = len(_list(state.get("video_infos"))) + len(_list(state.get("generated_media")))
    if "video_infos" in state or "generated_media" in state:
        extras.append(f"{media} media file" + ("" if media == 1 else "s"))
    if extras:
        lines.append("  " + ", ".join(extras))
    return lines


def one_line(state: Any) -> str:
    """The contract's single-line form: `Timeline (3 tracks): 1. Video: … 2. BGM: …`."""
    state = _dict(state)
    draft = _dict(state.get("draft")) if "draft" in state else state
    ts = tracks(draft)
    return f"Timeline ({len(ts)} track{'' if len(ts) == 1 else 's'}): " + " ".join(
        f"{i}. {describe(t)}" for i, t in enumerate(ts, 1)
    )


def _key(track: dict[str, Any], index: int) -> Any:
    tid = track.get("id")
    if isinstance(tid, (str, int)) and not isinstance(tid, bool):
        return ("id", tid)
    tt = track.get("tt")
    return ("pos", index, tt if isinstance(tt, (str, int, float, type(None))) else repr(tt))  # a hand-made tt may be a list


def diff(before: Any, after: Any) -> list[str]:
    """What changed between two states (or drafts), in plain words; [] when nothing visible did."""
    def draft_of(x: Any) -> dict[str, Any]:
        x = _dict(x)
        return _dict(x.get("draft")) if "draft" in x else x

    old = {_key(t, i): t for i, t in enumerate(tracks(draft_of(before)))}
    new = {_key(t, i): t for i, t in enumerate(tracks(draft_of(after)))}
    changes: list[str] = []
    for key, track in new.items():
        if key not in old:
            changes.append(f"added {describe(track)}")
    for key, track in old.items():
        if key not in new:
            changes.append(f"removed {describe(track)}")
    for key, track in new.items():
        if key in old:
            changes += _track_changes(old[key], track)
    before_d, after_d = duration_ms(draft_of(before)), duration_ms(draft_of(after))
    if changes and abs(before_d - after_d) >= 1:
        changes.append(f"timeline: {seconds(before_d)}s → {seconds(after_d)}s")
    if not changes and draft_of(before) != draft_of(after):
        changes.append("the timeline changed in details this summary does not show (see `nemo state --json`)")
    return changes


def _track_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    label = kind(new) + (f" {name(new)!r}" if name(new) and new.get("tt") != 7 else "")
    out = []
    o_start, o_end = span_ms(old)
    n_start, n_end = span_ms(new)
    if abs((o_end - o_start) - (n_end - n_start)) >= 1:
        out.append(f"{label}: {seconds(o_end - o_start)}s → {seconds(n_end - n_start)}s")
    if name(old) != name(new):
        out.append(f"{kind(new)}: {name(old) or '(untitled)'!s} → {name(new) or '(untitled)'!s}")
    if volume(old) != volume(new) and new.get("tt") == 1:
        fmt = lambda v: "unset" if v is None else f"{v:.0f}%"  # noqa: E731
        out.append(f"{label} volume: {fmt(volume(old))} → {fmt(volume(new))}")
    if len(segments(old)) != len(segments(new)):
        out.append(f"{label}: {len(segments(old))} → {len(segments(new))} segments")
    old_meta = [_dict(s.get("m")) for s in segments(old)]
    new_meta = [_dict(s.get("m")) for s in segments(new)]
    for key, word in (("grade", "colour grade"), ("transition", "transitions"), ("speed", "speed change")):
        if any(key in m for m in new_meta) and [m.get(key) for m in old_meta] != [m.get(key) for m in new_meta]:
            out.append(f"{label}: {word} applied")
    return out
