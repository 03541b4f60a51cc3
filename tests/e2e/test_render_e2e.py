"""`nemo export -r 1280x720 --fps 25` against the emulator after an edit in words (issue 17): the saved
MP4 has the asked size and rate (and no "differs from what was asked" warning), the draft's length,
and the edit in it: the title over its span, music in the sound, the grade in the picture's colour."""

from __future__ import annotations


from nemo_cli import mp4
from tests.support.video import frame, pcm, rms


def warmth(rgb: bytes) -> float:
    return sum(rgb[i] - rgb[i + 2] for i in range(0, len(rgb), 3)) / (len(rgb) / 3)


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
    a, b = frame(edited, t, (64, 36))[1], frame(plain, t, (64, 36))[1]
    assert warmth(a) > warmth(b) + 3  # the warm grade
    a, b = frame(edited, t, (320, 180))[1], frame(plain, t, (320, 180))[1]
    row = 320 * 3

    def diff(y0: int, y1: int, x0: int = 0, x1: int = 320) -> float:
        cells = [(y * row + x * 3 + c) for y in range(y0, y1) for x in range(x0, x1) for c in range(3)]
        return sum(abs(a[i] - b[i]) for i in cells) / len(cells)

    band, top = diff(126, 154, 110, 210), diff(0, 80)  # where the title is (centred, y 70-85 %); the top: both graded
    assert band > top + 15, (band, top)  # the title moved its band more than the grade alone
    assert rms(pcm(edited, 1.0, 2.0)) > rms(pcm(plain, 1.0, 2.0)) * 1.2  # music on top of the clip's tone
