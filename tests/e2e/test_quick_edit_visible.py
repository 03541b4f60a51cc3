"""The README's main job shows its edit (issue 17): `examples/quick-edit.sh` under `nemo emulator exec`
cuts 0:02-0:04 and adds a title, and the MP4 it saves has the title drawn where the text is, over the
first three seconds, and the source's picture everywhere else: compared frame by frame with the clip the
script uploads (`nemo emulator media` makes the same clip every time)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from nemo_cli import mp4
from tests.support.video import box_diff, frame

ROOT = Path(__file__).resolve().parents[2]
NEMO = str(Path(sys.executable).parent / "nemo")
BOX, TOP = (0.05, 0.68, 0.95, 0.90), (0.0, 0.0, 1.0, 0.45)


def test_quick_edit_saves_a_video_where_the_title_and_the_cut_show(tmp_path, isolated_env):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "NEMO_EXPORT_POLL_MIN": "0.05", "NEMO_EXPORT_POLL_MAX": "0.2"}
    source, out = tmp_path / "source.mp4", tmp_path / "out.mp4"
    made = subprocess.run([NEMO, "emulator", "media", str(source)], env=env, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    done = subprocess.run(
        [NEMO, "emulator", "exec", "--edit-seconds", "0.2", "--render-seconds", "0.5", "--keepalive-seconds", "0.05",
         "--", "bash", str(ROOT / "examples" / "quick-edit.sh"), str(out)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    got, src = mp4.probe(out), mp4.probe(source)
    assert (got.width, got.height, got.fps) == (src.width, src.height, src.fps)  # nothing asked: the canvas
    assert abs(got.seconds - (src.seconds - 2.0)) <= 1.5 / got.fps
    fps = got.fps
    at = lambda t: (int(t * fps) + 0.5) / fps  # noqa: E731  (the middle of a frame)
    # inside the title's span (0-3 s), before the cut: the source's frame with the title over it
    width, a = frame(out, at(1.0))
    _, b = frame(source, at(1.0))
    noise = box_diff(a, b, width, TOP)
    assert noise < 4  # re-encoded, otherwise the same picture
    assert box_diff(a, b, width, BOX) > 15 and box_diff(a, b, width, BOX) > 5 * max(noise, 1)
    # after the span and the cut: 4.5 s of the video is 6.5 s of the source, with no title
    _, a = frame(out, at(4.5))
    _, b = frame(source, at(6.5))
    assert box_diff(a, b, width, BOX) < 4 and box_diff(a, b, width, TOP) < 4
