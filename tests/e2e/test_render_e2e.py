"""`nemo export -r 1280x720 --fps 25` against the emulator after an edit in words (issue 17): the saved
MP4 has the asked size and rate (and no "differs from what was asked" warning), the draft's length,
and the edit in it: the title over its span, music in the sound, the grade in the picture's colour."""

from __future__ import annotations

import array
import math
import subprocess

from nemo_cli import mp4
from nemo_cli.emulator.media import ffmpeg


def thumb(path, t: float, size: str = "64:36") -> bytes:
    return subprocess.run([ffmpeg(), "-v", "error", "-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1",
                           "-vf", f"scale={size}:flags=area", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                          capture_output=True, check=True).stdout


def warmth(rgb: bytes) -> float:
    return sum(rgb[i] - rgb[i + 2] for i in range(0, len(rgb), 3)) / (len(rgb) / 3)


def rms(path, start: float, seconds: float) -> float:
    raw = subprocess.run([ffmpeg(), "-v", "error", "-ss", f"{start:.3f}", "-t", f"{seconds:.3f}", "-i", str(path),
                          "-vn", "-ac", "1", "-ar", "8000", "-f", "s16le", "-"], capture_output=True, check=True).stdout
    samples = array.array("h", raw)
    return math.sqrt(sum(x * x for x in samples) / max(1, len(samples))) / 32768


def test_export_at_the_asked_size_and_rate_shows_the_edit(session, tmp_path):
    plain, edited = tmp_path / "plain.mp4", tmp_path / "edited.mp4"
    done = session.nemo("export", "--wait", "-o", plain, "-r", "1280x720", "--fps", "25")
    assert done.returncode == 0, done.stderr
    done = session.nemo("edit", 'add a title "Hello 你好", add background music and apply a warm color grade')
    assert done.returncode == 0, done.stderr
    done = session.nemo("export", "--wait", "-o", edited, "-r", "1280x720", "--fps", "25")
    assert done.returncode == 0, done.stderr
    assert "differs from what was asked" not in done.stderr
    for path in (plain, edited):
        got = mp4.probe(path)
        assert (got.width, got.height) == (1280, 720) and got.fps == 25.0
        assert abs(got.seconds - 8.0) <= 0.04 + 0.01  # the clip's length: one frame at most
    t = 1.02  # inside the title's span (0-3 s), the middle of a frame
    a, b = thumb(edited, t), thumb(plain, t)
    assert warmth(a) > warmth(b) + 3  # the warm grade
    a, b = thumb(edited, t, "320:180"), thumb(plain, t, "320:180")
    row = 320 * 3

    def diff(y0: int, y1: int, x0: int = 0, x1: int = 320) -> float:
        cells = [(y * row + x * 3 + c) for y in range(y0, y1) for x in range(x0, x1) for c in range(3)]
        return sum(abs(a[i] - b[i]) for i in cells) / len(cells)

    band, top = diff(126, 154, 110, 210), diff(0, 80)  # where the title is (centred, y 70-85 %); the top: both graded
    assert band > top + 15, (band, top)  # the title moved its band more than the grade alone
    assert rms(edited, 1.0, 2.0) > rms(plain, 1.0, 2.0) * 1.2  # music on top of the clip's tone
