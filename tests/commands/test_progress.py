"""Progress on a terminal: the render bar follows the service's progress with the time left at its rate,
and the upload bar says the service is processing once the last byte went out. The estimate is tested as
a unit; the bars through the real `nemo` with its stderr on a pseudo-terminal (stdout stays a pipe)."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from nemo_cli.commands.export_view import Remaining, left_text


# -- the estimate ----------------------------------------------------------------------------------


def test_no_estimate_before_the_progress_moves():
    r = Remaining()
    assert r.update(0.0, None) is None
    assert r.update(1.0, 0) is None
    assert r.update(2.0, 0) is None  # still queued: the clock starts when progress first moves


def test_the_estimate_is_the_rest_at_the_rate_so_far():
    r = Remaining()
    r.update(0.0, 0)
    assert r.update(2.0, 10) == pytest.approx(18.0)  # 10% in 2 s: 90% more takes 18 s
    assert r.update(4.0, 40) == pytest.approx(6.0)  # 40% in 4 s: 60% more takes 6 s


def test_between_steps_the_estimate_counts_down():
    r = Remaining()
    r.update(0.0, 0)
    assert r.update(2.0, 10) == pytest.approx(18.0)
    assert r.update(5.0, 10) == pytest.approx(15.0)  # no news: 3 s later, 3 s less
    assert r.update(30.0, 10) == 0.0  # never below nothing


def test_the_words():
    assert left_text(None) == ""
    assert left_text(3.2) == "a few seconds left"
    assert left_text(42) == "about 42s left"
    assert left_text(130) == "about 2m10s left"


# -- the bars, on a terminal -----------------------------------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_a_terminal(emu, *args, env=None):
    """Run `nemo ARGS` with stderr on a pseudo-terminal; (exit code, stdout, what the terminal showed)."""
    master, slave = pty.openpty()
    shown: list[bytes] = []

    def drain():
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the last holder of the terminal's other end is gone
                return
            if not data:
                return
            shown.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    environment = emu.env(TERM="xterm", COLUMNS="200", **(env or {}))
    try:
        child = subprocess.Popen([str(emu.nemo_path), *map(str, args)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=slave, env=environment)
    finally:
        os.close(slave)
    reader.start()
    out, _ = child.communicate(timeout=120)
    reader.join(timeout=30)
    os.close(master)
    return child.returncode, out.decode(), ANSI.sub("", b"".join(shown).decode("utf-8", "replace"))


@pytest.fixture
def session(emulator, tmp_path):
    emulator.nemo_path = Path(sys.executable).parent / "nemo"
    clip = emulator.media(tmp_path / "clip.mp4")
    assert emulator.nemo("session", "new", "-q").returncode == 0
    assert emulator.nemo("upload", clip).returncode == 0
    return emulator


def test_the_render_bar_shows_the_progress_and_the_time_left(session, tmp_path):
    session.svc.renderer.options.render_seconds = 1.5  # long enough for several looks while it moves
    code, out, shown = on_a_terminal(session, "export", "--wait", "-o", tmp_path / "out.mp4")
    assert code == 0, shown
    assert out.strip() == str(tmp_path / "out.mp4")  # stdout is data only
    assert re.search(r"rendering render_\S+ \(processing\)", shown), shown
    assert re.search(r"\b[1-9]\d?%", shown), shown  # the service's progress, moving
    assert re.search(r"(about \d+s|a few seconds) left", shown), shown


def test_no_bar_with_no_color(session, tmp_path):
    session.svc.renderer.options.render_seconds = 1.0
    code, _, shown = on_a_terminal(session, "export", "--wait", "-o", tmp_path / "out.mp4", env={"NO_COLOR": "1"})
    assert code == 0, shown
    assert " left" not in shown and "rendering render_" not in shown
    assert re.search(r"render render_\S+: processing", shown), shown  # a line per change instead


def test_the_upload_bar_turns_into_processing_once_sent(session, tmp_path):
    clip = session.media(tmp_path / "second.mp4")
    code, out, shown = on_a_terminal(session, "upload", clip)
    assert code == 0, shown
    assert "second.mp4: processing on the service…" in shown
    assert "second.mp4" in out
