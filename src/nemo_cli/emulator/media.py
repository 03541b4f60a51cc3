"""Everything the emulator does with ffmpeg (the imageio-ffmpeg wheel's binary, never a system one):
probe an upload, make a test clip, find the titles' font, run a render that compose.py wrote."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

VIDEO_EXTS = {"mp4", "mov", "avi", "webm", "mkv"}
IMAGE_EXTS = {"jpg", "jpeg", "png", "gif", "webp"}
AUDIO_EXTS = {"mp3", "wav", "m4a", "aac"}
ACCEPTED = VIDEO_EXTS | IMAGE_EXTS | AUDIO_EXTS

class MediaError(Exception):
    """ffmpeg could not read or write something; the message is fit for an API reply."""


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def file_type(filename: str) -> str | None:
    """"video" | "image" | "audio" by extension, or None when the service would refuse it (4001)."""
    ext = Path(filename).suffix.lower().lstrip(".")
    if ext in VIDEO_EXTS:
        return "video"
    if ext in IMAGE_EXTS:
        return "image"
    if ext in AUDIO_EXTS:
        return "audio"
    return None


@dataclass
class Probe:
    duration: float | None  # seconds; None for a still image
    width: int | None
    height: int | None
    fps: float | None
    has_video: bool
    has_audio: bool


_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\S+.*?: Video: [^\n]*?(\d{2,5})x(\d{2,5})[^\n]*")
_FPS = re.compile(r"(\d+(?:\.\d+)?) (?:fps|tbr)")


def probe(path: Path) -> Probe:
    """What `ffmpeg -i` says about a file (it exits 1 for want of an output; the facts are on stderr)."""
    done = subprocess.run([ffmpeg(), "-hide_banner", "-nostdin", "-i", str(path)], capture_output=True, text=True, errors="replace")
    text = done.stderr
    if "Stream #" not in text:
        raise MediaError("the file is not a media file ffmpeg can read")
    duration = None
    match = _DURATION.search(text)
    if match:
        h, m, s = match.groups()
        duration = int(h) * 3600 + int(m) * 60 + float(s)
    width = height = fps = None
    video = _VIDEO.search(text)
    if video:
        width, height = int(video.group(1)), int(video.group(2))
        rate = _FPS.search(video.group(0))
        fps = float(rate.group(1)) if rate else None
    return Probe(duration, width, height, fps, video is not None, " Audio: " in text)


def make_clip(path: Path, seconds: float = 8.0, size: str = "320x240", fps: int = 12, pattern: str = "testsrc") -> None:
    """A small playable clip with picture and sound: a test pattern (testsrc, or smptehdbars, whose
    colours a grade can move without clipping) + a sine tone, H.264 + AAC in MP4."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _run(
        [
            "-f", "lavfi", "-i", f"{pattern}=size={size}:rate={fps}:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", str(fps * 2),
            "-c:a", "aac", "-b:a", "64k", "-shortest", "-movflags", "+faststart", str(path),
        ]
    )  # fmt: skip


def font_path() -> Path:
    """The font titles are drawn with: Noto Sans SC (SIL OFL; Latin and CJK), from the emulator extra, so a
    render draws the same on a machine with no system fonts."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError as exc:
        raise MediaError("titles need the emulator's font: pip install 'nemo-cli[emulator]'") from exc
    return Path(pylopdf_fonts_zh_cn.sans_path())


INLINE_GRAPH = 64_000  # characters of filter graph passed on the command line (one argv string: 128 KiB)
MAX_SIDE, MAX_SHORT_SIDE = 1920, 1080  # the service renders up to 1080x1920, either way round


def canvas(width: int | None, height: int | None) -> tuple[int, int]:
    """The render size when none is asked: the source's (within the service's limit), even for H.264."""
    w, h = width or 320, height or 240
    scale = min(1.0, MAX_SIDE / max(w, h), MAX_SHORT_SIDE / min(w, h))
    return max(16, int(w * scale) // 2 * 2), max(16, int(h * scale) // 2 * 2)


def render(args: list[str], out: Path, started: Callable[[subprocess.Popen], None] | None = None) -> None:
    """Run a render (compose.command's arguments); `started` receives the process (so a cancel can kill it)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    graph = args.index("-filter_complex") if "-filter_complex" in args else -1
    if graph < 0 or len(args[graph + 1]) < INLINE_GRAPH:
        _run(args, started)
        return
    # a long draft's graph goes through a file instead (ffmpeg 9: -/option reads the value from a file)
    script = out.with_suffix(".graph.txt")
    script.write_text(args[graph + 1], encoding="utf-8")
    try:
        _run([*args[:graph], "-/filter_complex", str(script), *args[graph + 2:]], started)
    finally:
        script.unlink(missing_ok=True)


def _run(args: list[str], started: Callable[[subprocess.Popen], None] | None = None) -> None:
    cmd = [ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if started is not None:
        started(proc)
    _, err = proc.communicate()
    if proc.returncode != 0:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise MediaError("ffmpeg failed: " + (" / ".join(tail) or f"exit {proc.returncode}"))
