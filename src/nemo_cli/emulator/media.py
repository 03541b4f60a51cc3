"""Everything the emulator does with ffmpeg (the imageio-ffmpeg wheel's binary, never a system one):
probe an upload, make a test clip, render a draft's video segments into one H.264 MP4."""

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

RENDER_FPS = 15  # renders are small and quick: the duration is what tests check, not the picture
MAX_RENDER_SIDE = 640


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


def make_clip(path: Path, seconds: float = 8.0, size: str = "320x240", fps: int = 12) -> None:
    """A small playable clip with picture and sound: testsrc + a sine tone, H.264 + AAC in MP4."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _run(
        [
            "-f", "lavfi", "-i", f"testsrc=size={size}:rate={fps}:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", str(fps * 2),
            "-c:a", "aac", "-b:a", "64k", "-shortest", "-movflags", "+faststart", str(path),
        ]
    )  # fmt: skip


@dataclass
class Piece:
    """One video segment, resolved: what to cut (a file from `start` for `seconds`) or to generate."""

    seconds: float
    path: Path | None = None  # None: a generated testsrc clip
    start: float = 0.0
    image: bool = False
    has_audio: bool = False


def render_command(pieces: list[Piece], out: Path, size: tuple[int, int], fps: int = RENDER_FPS) -> list[str]:
    """One ffmpeg run: each piece trimmed exactly, scaled/padded to the canvas, silence where it has no
    sound, then concatenated with a re-encode (exact durations, no keyframe games)."""
    width, height = size
    args: list[str] = []
    chains: list[str] = []
    joined = ""
    for i, piece in enumerate(pieces):
        d = f"{piece.seconds:.3f}"
        if piece.path is None:
            args += ["-f", "lavfi", "-i", f"testsrc=size={width}x{height}:rate={fps}:duration={d}"]
        elif piece.image:
            args += ["-loop", "1", "-framerate", str(fps), "-t", d, "-i", str(piece.path)]
        else:
            args += ["-ss", f"{piece.start:.3f}", "-t", d, "-i", str(piece.path)]
        chains.append(
            f"[{i}:v]scale={width}:{height}:force_original_aspect_ratio=decrease,"
            f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps={fps},format=yuv420p,"
            f"trim=duration={d},setpts=PTS-STARTPTS[v{i}]"
        )
        if piece.has_audio:
            chains.append(
                f"[{i}:a]aresample=44100,aformat=sample_fmts=fltp:channel_layouts=stereo,"
                f"apad,atrim=duration={d},asetpts=PTS-STARTPTS[a{i}]"
            )
        else:
            chains.append(f"anullsrc=r=44100:cl=stereo,atrim=duration={d},aformat=sample_fmts=fltp[a{i}]")
        joined += f"[v{i}][a{i}]"
    chains.append(f"{joined}concat=n={len(pieces)}:v=1:a=1[v][a]")
    return [
        *args,
        "-filter_complex", ";".join(chains), "-map", "[v]", "-map", "[a]",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", str(out),
    ]  # fmt: skip


def canvas(width: int | None, height: int | None) -> tuple[int, int]:
    """The render size: the source's, scaled down to keep renders quick, even numbers for H.264."""
    w, h = width or 320, height or 240
    scale = min(1.0, MAX_RENDER_SIDE / max(w, h))
    return max(16, int(w * scale) // 2 * 2), max(16, int(h * scale) // 2 * 2)


def render(pieces: list[Piece], out: Path, size: tuple[int, int], started: Callable[[subprocess.Popen], None] | None = None) -> None:
    """Run the render; `started` receives the process (so a cancel can kill it)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _run(render_command(pieces, out, size), started)


def _run(args: list[str], started: Callable[[subprocess.Popen], None] | None = None) -> None:
    cmd = [ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if started is not None:
        started(proc)
    _, err = proc.communicate()
    if proc.returncode != 0:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise MediaError("ffmpeg failed: " + (" / ".join(tail) or f"exit {proc.returncode}"))
