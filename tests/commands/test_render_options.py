"""Render options: only what the user asked for is sent (beyond the contract's documented `output`), and a
finished MP4 whose size or frame rate differs from what was asked is said to differ — read from its MP4
header, a `warning:` line and a `mismatch` field in `--json`, exit 0.

End to end against the emulator, set here to render real MP4s at 320x240 and 15 fps whatever the request
says (`render_own_size`; by default it renders as asked): the service may well do the same."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

SUBMIT = r"^/api/render/proxy/lambda$"
DOCUMENTED = {"format": "mp4", "quality": "high"}  # the contract's render body


@pytest.fixture
def clip_seconds():
    return 2  # the length of the clip in the session fixture (conftest)


@pytest.fixture(autouse=True)
def a_service_with_its_own_size(emulator):
    emulator.options.render_own_size = (320, 240, 15)


def submitted(emu):
    return [r.json["output"] for r in emu.requests if r.method == "POST" and re.search(SUBMIT, r.path)]


def warnings(stderr):
    return [line for line in stderr.splitlines() if line.startswith("warning:")]


@pytest.mark.parametrize(
    "flags,output",
    [
        ([], DOCUMENTED),
        (["-r", "720p"], {**DOCUMENTED, "resolution": "720p"}),
        (["--fps", "25"], {**DOCUMENTED, "fps": 25}),
        (["--fps", "23.976"], {**DOCUMENTED, "fps": 23.976}),
        (["-r", "1280x720"], {**DOCUMENTED, "resolution": "1280x720", "width": 1280, "height": 720}),
        (["--quality", "low", "-r", "1080p", "--fps", "30"], {"format": "mp4", "quality": "low", "resolution": "1080p", "fps": 30}),
    ],
)
def test_only_the_options_asked_for_are_sent(session, flags, output):
    done = session.nemo("export", *flags, "-q")
    assert done.returncode == 0, done.stderr
    assert submitted(session) == [output]


def test_a_size_and_rate_the_service_did_not_honour_are_said(session, tmp_path):
    out = tmp_path / "out.mp4"
    done = session.nemo("export", "--wait", "-o", out, "-r", "1280x720", "--fps", "25", "--json")
    assert done.returncode == 0, done.stderr
    assert warnings(done.stderr) == ["warning: the video differs from what was asked: 320x240, not 1280x720; 15 fps, not 25"]
    doc = json.loads(done.stdout)
    assert doc["video"] == {"width": 320, "height": 240, "fps": 15, "seconds": 2}
    assert doc["mismatch"] == {"size": {"asked": "1280x720", "got": "320x240"}, "fps": {"asked": 25, "got": 15}}
    assert out.is_file() and doc["path"] == str(out)
    assert submitted(session) == [{**DOCUMENTED, "resolution": "1280x720", "width": 1280, "height": 720, "fps": 25}]


def test_what_matches_is_not_warned_about(session, tmp_path):
    done = session.nemo("export", "--wait", "-o", tmp_path / "out.mp4", "-r", "320x240", "--fps", "15", "--json")
    assert done.returncode == 0, done.stderr
    assert warnings(done.stderr) == []
    doc = json.loads(done.stdout)
    assert doc["mismatch"] is None and doc["video"]["width"] == 320 and doc["video"]["fps"] == 15


def test_nothing_asked_nothing_compared(session, tmp_path):
    done = session.nemo("export", "--wait", "-o", tmp_path / "out.mp4", "--json")
    assert done.returncode == 0 and warnings(done.stderr) == []
    doc = json.loads(done.stdout)
    assert doc["mismatch"] is None and doc["video"] == {"width": 320, "height": 240, "fps": 15, "seconds": 2}


@pytest.mark.parametrize(
    "flags,said",
    [
        (["-r", "1080p"], "320x240, not 1080p"),  # 1080p names the short side
        (["--fps", "24"], "15 fps, not 24"),
    ],
)
def test_one_difference_is_one_warning_in_human_mode(session, tmp_path, flags, said):
    out = tmp_path / "out.mp4"
    done = session.nemo("export", "--wait", "-o", out, *flags)
    assert done.returncode == 0, done.stderr
    assert warnings(done.stderr) == [f"warning: the video differs from what was asked: {said}"]
    assert done.stdout.strip() == str(out)


def test_a_render_picked_up_later_is_compared_with_what_its_export_asked(session, tmp_path):
    rid = session.nemo("export", "-r", "1280x720", "-q").stdout.strip()
    out = tmp_path / "later.mp4"
    done = session.nemo("export", "wait", rid, "-o", out, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["mismatch"] == {"size": {"asked": "1280x720", "got": "320x240"}}
    again = session.nemo("export", "download", rid, "-o", tmp_path / "again.mp4", "-q")
    assert again.returncode == 0 and warnings(again.stderr) == [
        "warning: the video differs from what was asked: 320x240, not 1280x720"
    ]  # a warning is not silenced by -q: it is no progress note


def test_stdout_is_not_examined(session, tmp_path):
    rid = session.nemo("export", "-r", "1280x720", "-q").stdout.strip()
    assert session.nemo("export", "wait", rid).returncode == 0
    done = subprocess.run([sys.executable, "-m", "nemo_cli", "export", "download", rid, "-o", "-"],
                          env=session.env(), capture_output=True, timeout=120)  # fmt: skip
    assert done.returncode == 0 and done.stdout[4:8] == b"ftyp"
    assert warnings(done.stderr.decode()) == []  # a pipe cannot be read back: no comparison
