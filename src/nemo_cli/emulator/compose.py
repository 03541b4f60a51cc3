"""The draft as one ffmpeg run: a resolved Plan (what render.py reads out of the draft) → the argv of a
single filter_complex that cuts and joins the video segments (cross-fades at transitions), grades them,
draws the titles over their span, and mixes a generated bed per music segment into the sound.
Pure string building: no ffmpeg run, no world, so every choice here can be read and tested alone."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

XF = 0.5  # seconds of cross-fade at a join with a transition ("a short cross-fade")
AR = 44100

# a draft's transition style → an xfade transition of this ffmpeg (each one checked to run); "cut": none
XFADE = {"crossfade": "fade", "fade": "fade", "dissolve": "dissolve", "wipe": "wipeleft", "slide": "slideleft",
         "zoom": "zoomin", "whip pan": "smoothleft", "glitch": "pixelize", "spin": "radial",
         "fade to black": "fadeblack", "blur": "hblur"}

# a named look → Lightroom-style defaults; values the grade states win over the look's ("fade" lifts blacks)
LOOKS: dict[str, dict[str, float]] = {
    "warm": {"temperature": 35}, "cool": {"temperature": -35}, "cold": {"temperature": -45},
    "cinematic": {"contrast": 20, "saturation": -15, "temperature": -10, "shadows": -15, "highlights": -10},
    "vintage": {"saturation": -35, "temperature": 25, "contrast": -10, "fade": 8},
    "retro": {"saturation": -35, "temperature": 25, "fade": 8},
    "film": {"contrast": 10, "saturation": -10, "fade": 4},
    "moody": {"exposure": -0.3, "contrast": 15, "saturation": -25, "temperature": -15},
    "vibrant": {"saturation": 25, "vibrance": 30}, "natural": {},
    "fresh": {"exposure": 0.2, "vibrance": 20, "temperature": -5},
    "black and white": {"saturation": -100}, "monochrome": {"saturation": -100}, "b&w": {"saturation": -100},
    "sepia": {"saturation": -80, "temperature": 60},
    "teal orange": {"temperature": 15, "tint": -5, "contrast": 15, "saturation": 10},
    "bright": {"exposure": 0.4}, "dark": {"exposure": -0.4}, "matte": {"contrast": -15, "fade": 10},
}


@dataclass
class Clip:
    """One video segment, resolved: `seconds` on the timeline, cut from `path` at `start` (None: generated)."""

    seconds: float
    path: Path | None = None
    start: float = 0.0
    image: bool = False
    has_audio: bool = False
    speed: float = 1.0  # the segment covers seconds × speed of its source
    grade: dict[str, Any] | None = None
    transition: str | None = None  # the xfade name of the join after this clip (None: a cut)


@dataclass
class Title:
    start: float
    end: float
    text: str


@dataclass
class Bed:
    """A music segment: a tone + pink noise chosen by its name, or an uploaded audio file when it has one."""

    start: float
    seconds: float
    volume: float  # percent
    name: str
    path: Path | None = None
    offset: float = 0.0


@dataclass
class Plan:
    clips: list[Clip]
    size: tuple[int, int]
    fps: float
    quality: str = "high"
    titles: list[Title] = field(default_factory=list)
    beds: list[Bed] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(c.seconds for c in self.clips)


def transition_of(style: Any) -> str | None:
    return XFADE.get(str(style).strip().lower()) if isinstance(style, str) else None


def esc(value: str) -> str:
    """A value (a font path, a title) inside filter_complex: two levels of escaping. The filter's own
    key=value parser wants \\ ' : escaped; the graph parser then wants \\ ' [ ] , ; escaped."""
    v = value.replace("\\", "\\\\").replace("'", "\\'").replace(":", "\\:")
    return "".join("\\" + c if c in "\\'[],;" else c for c in v)


def _num(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def grade_values(grade: Any) -> dict[str, float]:
    if not isinstance(grade, dict):
        return {}
    look = str(grade.get("look") or "").strip().lower().replace("-", " ").replace("_", " ")
    values = dict(LOOKS.get(look, {}))
    values.update({k: _num(v) for k, v in grade.items() if k != "look" and _num(v)})
    return values


def grade_chain(grade: Any) -> str:
    """Lightroom-style values (-100..100; exposure in stops) → ONE lutyuv: a lookup table per plane,
    threaded, no RGB round trip. (colorbalance took ~100 s per minute of 720p, vibrance 11 s, curves 5 s;
    this about 1 s.) Tone on Y: exposure, brightness, contrast, shadows, highlights, fade; colour on U/V:
    saturation (+ vibrance/2) scales around grey, temperature and tint shift."""
    v = grade_values(grade)
    if not v:
        return ""
    gain = 2 ** (max(-5.0, min(5.0, v.get("exposure", 0.0))) / 2.2)  # stops, on gamma-encoded luma
    br = v.get("brightness", 0.0) / 100 * 0.25
    co = max(0.0, 1 + v.get("contrast", 0.0) / 100)
    hi, sh, fd = v.get("highlights", 0.0) / 100, v.get("shadows", 0.0) / 100, v.get("fade", 0.0) / 100
    sa = max(0.0, 1 + v.get("saturation", 0.0) / 100 + v.get("vibrance", 0.0) / 200)
    te, ti = v.get("temperature", 0.0) / 100, v.get("tint", 0.0) / 100
    parts = []
    if gain != 1 or br or co != 1 or hi or sh or fd:
        y = f"st(0,clip(0.5+(((val-16)/219)*{gain:.4f}+{br:.4f}-0.5)*{co:.4f},0,1))"
        if sh or hi:  # shadows bend the low part of the curve, highlights the high part
            y += f";st(0,ld(0)+{sh * 0.6:.4f}*ld(0)*(1-ld(0))^2+{hi * 0.6:.4f}*ld(0)^2*(1-ld(0)))"
        if fd:
            y += f";st(0,{fd:.4f}+(1-{fd:.4f})*ld(0))"
        parts.append(f"y='{y};clip(16+219*ld(0),16,235)'")
    if sa != 1 or te or ti:  # + temperature: warmer (V up, U down); + tint: magenta (both up)
        parts.append(f"u='clip(128+(val-128)*{sa:.4f}{-te * 16 + ti * 10:+.2f},16,240)'")
        parts.append(f"v='clip(128+(val-128)*{sa:.4f}{te * 16 + ti * 10:+.2f},16,240)'")
    chain = "lutyuv=" + ":".join(parts) if parts else ""
    sharp = v.get("sharpness", 0.0)
    if sharp:
        chain += ("," if chain else "") + f"unsharp=5:5:{max(-1.5, min(1.5, sharp / 100 * 1.5)):.3f}"
    return chain


def bitrate(quality: str, size: tuple[int, int], fps: float) -> str:
    """Quality as a video bitrate: bits per pixel per frame (low 0.04, medium 0.07, high 0.10)."""
    bpp = {"low": 0.04, "medium": 0.07}.get(quality, 0.10)
    return f"{max(100, int(size[0] * size[1] * fps * bpp / 1000))}k"


def out_size(output: dict[str, Any], canvas: tuple[int, int]) -> tuple[int, int]:
    """WxH as asked; 720p/1080p name the short side, in the canvas's orientation and aspect; else the canvas."""
    w, h = output.get("width"), output.get("height")
    if isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0:
        return w // 2 * 2, h // 2 * 2
    res = str(output.get("resolution") or "").strip().lower()
    if "x" in res and all(p.isdigit() for p in res.split("x", 1)):
        a, b = (int(p) for p in res.split("x", 1))
        return a // 2 * 2, b // 2 * 2
    if res.endswith("p") and res[:-1].isdigit():
        short = int(res[:-1]) // 2 * 2  # the long side keeps the canvas's aspect (4:3 stays 4:3)
        long_ = round(short * max(canvas) / max(1, min(canvas)) / 2) * 2
        return (long_, short) if canvas[0] >= canvas[1] else (short, long_)
    return canvas


def _em(text: str) -> float:
    """The title's width in font sizes (CJK is about 1 em, the rest about 0.55): long titles shrink to fit."""
    return max(1.0, sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text))


def _atempo(speed: float) -> str:
    """atempo takes 0.5..100: chain halves for slower."""
    steps = []
    while speed < 0.5:
        steps.append("atempo=0.5")
        speed /= 0.5
    return ",".join([*steps, f"atempo={speed:.6f}"])


def _seed(name: str) -> int:
    return int(hashlib.sha1(name.encode("utf-8")).hexdigest()[:6], 16)


def command(plan: Plan, out: Path, font: Path | None, generated: str = "testsrc2") -> list[str]:
    """The ffmpeg arguments (after the binary) that render the plan into `out`."""
    (w, h), fps = plan.size, plan.fps
    args: list[str] = []
    chains: list[str] = []
    n_inputs = 0

    def add_input(*a: str) -> int:
        nonlocal n_inputs
        args.extend(a)
        n_inputs += 1
        return n_inputs - 1

    # -- video segments: each cut (XF longer when a cross-fade follows), fitted to the size, graded ------
    clips = plan.clips
    # the join after clip i cross-fades when it asks to and the next clip outlasts the fade
    joins = [c.transition if i + 1 < len(clips) and clips[i + 1].seconds >= XF else None for i, c in enumerate(clips)]
    for i, clip in enumerate(clips):
        fade_after = joins[i] is not None
        fade_before = i > 0 and joins[i - 1] is not None
        d = clip.seconds
        take = d + (XF if fade_after else 0)
        speed = clip.speed if clip.speed > 0 else 1.0
        if clip.path is None:
            k = add_input("-f", "lavfi", "-i", f"{generated}=size={w}x{h}:rate={fps:g}:duration={take:.3f}")
        elif clip.image:
            k = add_input("-loop", "1", "-framerate", f"{fps:g}", "-t", f"{take:.3f}", "-i", str(clip.path))
        else:
            k = add_input("-ss", f"{clip.start:.3f}", "-t", f"{take * speed:.3f}", "-i", str(clip.path))
        retime = f"setpts=(PTS-STARTPTS)/{speed:.6f}," if speed != 1 and clip.path and not clip.image else ""
        g = grade_chain(clip.grade)
        # tpad clones the last frame when the source runs out; settb=AVTB: xfade after a concat needs it
        chains.append(
            f"[{k}:v]{retime}scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,"
            f"setsar=1,fps={fps:g},format=yuv420p,{g + ',' if g else ''}"
            f"tpad=stop_mode=clone:stop_duration={take:.3f},trim=duration={take:.3f},setpts=PTS-STARTPTS,"
            f"settb=AVTB[v{i}]")
        # audio: exactly d long; a short fade out/in at a transition, one concat at the end (acrossfade
        # holds audio back until each input ends, so ffmpeg buffers every segment's video: GiBs)
        fades = (f"afade=t=in:d={XF / 2}," if fade_before else "") + (
            f"afade=t=out:st={max(0.0, d - XF / 2):.3f}:d={XF / 2}," if fade_after else "")
        if clip.path is not None and clip.has_audio and not clip.image:
            tempo = _atempo(speed) + "," if speed != 1 else ""
            chains.append(f"[{k}:a]aresample={AR},aformat=sample_fmts=fltp:channel_layouts=stereo,{tempo}"
                          f"apad,atrim=duration={d:.3f},asetpts=PTS-STARTPTS,{fades}anull[a{i}]")
        else:
            chains.append(f"anullsrc=r={AR}:cl=stereo,atrim=duration={d:.3f},aformat=sample_fmts=fltp[a{i}]")
    # -- joins: a cut is a concat, a transition an xfade over the outgoing piece's extra XF seconds ---------
    video, t = "[v0]", clips[0].seconds
    for j in range(1, len(clips)):
        style = joins[j - 1]
        if style is not None:
            chains.append(f"{video}[v{j}]xfade=transition={style}:duration={XF}:offset={t:.3f}[x{j}]")
        else:
            chains.append(f"{video}[v{j}]concat=n=2:v=1:a=0[x{j}]")
        video, t = f"[x{j}]", t + clips[j].seconds
    chains.append("".join(f"[a{i}]" for i in range(len(clips))) + f"concat=n={len(clips)}:v=0:a=1[acat]")
    total = t
    # -- titles: drawtext over the joined video, so `t` is the draft's time -------------------------------
    draws = []
    for title in plan.titles:
        if font is None or title.end <= title.start or not title.text.strip():
            continue
        lines = title.text.splitlines() or [title.text]
        em = max(_em(line) for line in lines)
        size_expr = f"min(min(h/12\\,0.82*w/{em:.2f})\\,0.6*h/{len(lines)})"  # min() takes two
        draws.append(
            f"drawtext=fontfile={esc(str(font))}:text={esc(title.text)}:expansion=none:fontsize={size_expr}:"
            f"fontcolor=white:borderw=2:bordercolor=black@0.8:box=1:boxcolor=black@0.35:boxborderw=12:"
            f"x=(w-text_w)/2:y=h*0.78-text_h/2:enable=between(t\\,{title.start:.3f}\\,{title.end:.3f})")
    chains.append(f"{video}{','.join(draws) if draws else 'null'}[vout]")
    # -- music: one bed per audio segment, at its volume, delayed to its start, mixed without normalizing -
    beds = []
    for n, bed in enumerate(plan.beds):
        d = min(bed.seconds, total - bed.start)
        if d <= 0.05 or bed.start < 0:
            continue
        if bed.path is not None:
            k = add_input("-ss", f"{bed.offset:.3f}", "-t", f"{d:.3f}", "-i", str(bed.path))
            source = f"[{k}:a]aresample={AR},"
        else:  # sine is 1/8 of full scale, hence the weights; normalize=0 keeps each input's level
            seed = _seed(bed.name)
            chains.append(f"sine=frequency={220 + seed % 440}:sample_rate={AR}:duration={d:.3f}[bt{n}]")
            chains.append(f"anoisesrc=color=pink:amplitude=0.08:sample_rate={AR}:duration={d:.3f}:seed={seed}[bn{n}]")
            source = f"[bt{n}][bn{n}]amix=inputs=2:normalize=0:weights=4 1,"
        fade = min(0.3, d / 3)
        chains.append(f"{source}aformat=sample_fmts=fltp:channel_layouts=stereo,volume={max(0.0, bed.volume) / 100:.3f},"
                      f"afade=t=in:d={fade:.3f},afade=t=out:st={d - fade:.3f}:d={fade:.3f},"
                      f"adelay={int(round(bed.start * 1000))}:all=1[bed{n}]")
        beds.append(f"[bed{n}]")
    if beds:  # normalize=0: the source keeps its level where music plays; duration=first: never longer
        chains.append(f"[acat]{''.join(beds)}amix=inputs={1 + len(beds)}:duration=first:normalize=0[aout]")
    else:
        chains.append("[acat]anull[aout]")
    return [
        *args,
        "-filter_complex", ";".join(chains),  # media.run moves a long graph into a file
        "-map", "[vout]", "-map", "[aout]", "-t", f"{total:.3f}",
        "-c:v", "libx264", "-preset", "ultrafast", "-b:v", bitrate(plan.quality, plan.size, fps),
        "-pix_fmt", "yuv420p", "-r", f"{fps:g}",
        "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", str(out),
    ]
