"""Every script in examples/ runs green end to end under `nemo emulator exec`, on a clip made by
`nemo emulator media`, and leaves playable MP4s where it says it did.

A script that needs a command not built yet is skipped with that command's name; the skip lifts by
itself once the command exists.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from nemo_cli.docgen import tree as tree_mod
from nemo_cli.docgen.commandlines import invocations

ROOT = Path(__file__).resolve().parents[2]
NEMO = str(Path(sys.executable).parent / "nemo")
TREE = tree_mod.load()


@dataclass
class Example:
    script: str
    args: list[str]  # {clip}, {clip2} and {out} are replaced by paths in the test's directory
    outputs: list[str]  # files it must write, relative to {out}
    prints_outputs: bool = True  # it prints the paths it wrote, one a line, and nothing else
    checks: list[str] = field(default_factory=list)


EXAMPLES = [
    Example("quick-edit.sh", ["{out}/out.mp4"], ["out.mp4"], prints_outputs=False),
    Example("trim-in-between.sh", ["{clip}", "0:01", "0:03", "{out}/trimmed.mp4"], ["trimmed.mp4"], checks=["two seconds shorter"]),
    Example("colour-grade.sh", ["{clip}", "{out}/graded.mp4", "warm film look"], ["graded.mp4"]),
    Example("demo-clip.sh", ["{clip}", "5", "{out}/demo.mp4"], ["demo.mp4"]),
    Example("batch.sh", ["{out}", "add a title with the file name", "{clip}", "{clip2}"], ["clip.mp4", "second.mp4"]),
    Example("iterative.sh", ["{clip}", "{out}"], ["rough.mp4", "final.mp4"]),
]


def missing_commands(script: Path) -> list[str]:
    needed = {("emulator", "exec"), ("emulator", "media")}
    needed |= {(words[0],) for words in invocations(script.read_text(encoding="utf-8")) if words and not words[0].startswith("-")}
    return sorted(" ".join(path) for path in needed if TREE.find(path) is None)


def mp4_seconds(path: Path) -> float:
    """The duration ffmpeg reads from the file (which also proves it is a media file ffmpeg can open)."""
    import imageio_ffmpeg

    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True)
    match = re.search(r"Duration: (\d+):(\d+):(\d+\.\d+)", done.stderr)
    assert match, f"{path} is not a video ffmpeg can read:\n{done.stderr[-2000:]}"
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def test_every_example_is_tested():
    assert {e.script for e in EXAMPLES} >= {p.name for p in (ROOT / "examples").glob("*.sh")}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.script)
def test_example_runs_under_the_emulator(example, tmp_path, isolated_env):
    script = ROOT / "examples" / example.script
    if not script.exists():
        pytest.skip(f"{example.script} is not written yet")
    missing = missing_commands(script)
    if missing:
        pytest.skip("needs " + ", ".join(f"`nemo {m}`" for m in missing) + " (not built yet)")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "NEMO_EXPORT_POLL_MIN": "0.05",
        "NEMO_EXPORT_POLL_MAX": "0.2",
    }
    media, out = tmp_path / "media", tmp_path / "out"
    media.mkdir()
    out.mkdir()
    clips = {"clip": media / "clip.mp4", "clip2": media / "second.mp4"}
    for clip in clips.values():
        made = subprocess.run([NEMO, "emulator", "media", str(clip)], env=env, capture_output=True, text=True, timeout=300)
        assert made.returncode == 0 and clip.is_file(), made.stderr
    args = [a.format(out=out, **clips) for a in example.args]

    done = subprocess.run(
        # quicker than the demo pace, with the service's share of silent edits kept
        [NEMO, "emulator", "exec", "--edit-seconds", "0.2", "--render-seconds", "0.5", "--keepalive-seconds", "0.05",
         "--", "bash", str(script), *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    written = [out / name for name in example.outputs]
    for path in written:
        assert path.is_file(), f"{path.name} was not written\n{done.stderr}"
        assert mp4_seconds(path) > 0
    if example.prints_outputs:
        assert done.stdout.splitlines() == [str(p) for p in written]
    if "two seconds shorter" in example.checks:
        assert abs(mp4_seconds(clips["clip"]) - mp4_seconds(written[0]) - 2.0) < 0.5


def test_examples_check_their_arguments(tmp_path):
    """Run without arguments, each script says how to call it and stops before touching nemo."""
    for script in sorted((ROOT / "examples").glob("*.sh")):
        if script.name == "quick-edit.sh":
            continue  # its argument is optional
        done = subprocess.run(["bash", str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=30, env={**os.environ, "PATH": "/usr/bin:/bin"})
        assert done.returncode != 0 and "usage:" in done.stderr, (script.name, done.stderr)


def test_the_quick_start_demo_makes_its_video(tmp_path):
    """The README's main job as documented (`bash .ci/demo`), with nemo not on the caller's PATH. The demo
    runs the `nemo` of the environment this suite runs in (NEMO_DEMO_BIN): it does not set up or install
    into the repository's .venv, so the test needs no network and changes no file of the checkout."""
    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != venv_bin)
    out = tmp_path / "demo.mp4"
    # PYTHON names no interpreter: were .ci/setup to run after all, it would stop the demo right there
    env = {**os.environ, "PATH": path, "NEMO_DEMO_BIN": venv_bin, "PYTHON": str(tmp_path / "no-python")}
    done = subprocess.run(["bash", str(ROOT / ".ci" / "demo"), str(out)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == str(out)
    assert abs(mp4_seconds(out) - 6.0) < 0.5  # the 8-second clip without its 0:02-0:04 section
