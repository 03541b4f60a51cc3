"""Reading an MP4 the emulator rendered: frames as raw RGB, sound as samples, with the ffmpeg the emulator
extra ships (imageio-ffmpeg: no ffprobe, no numpy). Size, frame rate and length come from nemo_cli.mp4."""

from __future__ import annotations

import array
import math
import subprocess
from pathlib import Path

from nemo_cli import mp4
from nemo_cli.emulator.media import ffmpeg


def frame(path: Path, t: float, thumb: tuple[int, int] | None = None) -> tuple[int, bytes]:
    """The frame shown at t seconds as raw RGB (a thumbnail when asked: cheap means for grade stats)."""
    scale = ["-vf", f"scale={thumb[0]}:{thumb[1]}:flags=area"] if thumb else []
    rgb = subprocess.run([ffmpeg(), "-v", "error", "-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1", *scale,
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    width = thumb[0] if thumb else mp4.probe(path).width
    assert len(rgb) % (width * 3) == 0 and rgb
    return width, rgb


def box_diff(a: bytes, b: bytes, width: int, box: tuple[float, float, float, float]) -> float:
    """Mean absolute difference of two RGB frames inside (x0, y0, x1, y1), fractions of the frame."""
    height = len(a) // (width * 3)
    x0, y0, x1, y1 = int(box[0] * width), int(box[1] * height), int(box[2] * width), int(box[3] * height)
    total = n = 0
    for y in range(y0, y1):
        row = (y * width + x0) * 3
        ra, rb = a[row:row + (x1 - x0) * 3], b[row:row + (x1 - x0) * 3]
        total += sum(abs(p - q) for p, q in zip(ra, rb))
        n += len(ra)
    return total / max(1, n)


def pcm(path: Path, start: float | None = None, seconds: float | None = None) -> array.array:
    """The sound as mono 16-bit samples at 8 kHz (a window of it when asked)."""
    window = (["-ss", f"{start:.3f}"] if start is not None else []) + (["-t", f"{seconds:.3f}"] if seconds else [])
    raw = subprocess.run([ffmpeg(), "-v", "error", *window, "-i", str(path), "-vn", "-ac", "1", "-ar", "8000",
                          "-f", "s16le", "-"], capture_output=True, check=True).stdout
    return array.array("h", raw)


def rms(samples: array.array) -> float:
    return math.sqrt(sum(x * x for x in samples) / max(1, len(samples))) / 32768


def diff_rms(a: array.array, b: array.array) -> float:
    n = min(len(a), len(b))
    assert n > 0
    return math.sqrt(sum((a[i] - b[i]) ** 2 for i in range(n)) / n) / 32768
