"""What an installed user gets: the wheel, built from this checkout and installed into a fresh venv, carries
the man pages and the completion files (under <venv>/share), and its `nemo completion --install` puts a
script where bash, zsh and fish load it, which then completes `nemo up<TAB>`.

The wheel is built without build isolation (hatchling is a dev dependency) and installed without its
dependencies; the fresh venv reaches them through a .pth line to this venv's site-packages (after its
own), so nothing is downloaded and the nemo_cli that runs is the wheel's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.e2e.test_completion_shells import ROOT, Terminal, bash_complete, press_tab


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(work / "dist"), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (work / "dist").glob("nemo_cli-*.whl")
    fresh = work / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True, timeout=120)
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(fresh / "bin" / "python"), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    site = subprocess.run([str(fresh / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "zz_dev_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return fresh


@pytest.fixture
def home(tmp_path, venv):
    folder = tmp_path / "home"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "NEMO_", "PYTHON")) and k not in ("ZDOTDIR", "VIRTUAL_ENV")}
    env.update(HOME=str(folder), PATH=f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin", TERM="dumb", NEMO_CONFIG_DIR=str(tmp_path / "config"))
    return folder, env


def test_the_installed_nemo_is_the_wheels(venv, home):
    _, env = home
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import nemo_cli; print(nemo_cli.__file__)"],
                           env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(venv)), where
    assert subprocess.run([str(venv / "bin" / "nemo"), "--version"], env=env, capture_output=True, text=True).stdout.startswith("nemo ")


def test_man_pages_are_installed(venv, home):
    _, env = home
    man1 = venv / "share" / "man" / "man1"
    shipped = sorted(p.name for p in man1.glob("*.1"))
    assert shipped == sorted(p.name for p in (ROOT / "man").glob("*.1")) and "nemo-export.1" in shipped
    assert (man1 / "nemo.1").read_text() == (ROOT / "man" / "nemo.1").read_text()
    if shutil.which("man"):
        page = subprocess.run(["man", "-M", str(venv / "share" / "man"), "nemo-export"], env={**env, "MANPAGER": "cat", "MANWIDTH": "80"},
                              capture_output=True, text=True, timeout=60)
        assert page.returncode == 0 and "nemo-export" in page.stdout


def test_completion_files_are_installed(venv):
    share = venv / "share"
    for installed, source in [
        ("bash-completion/completions/nemo", "nemo.bash"),
        ("zsh/site-functions/_nemo", "_nemo"),
        ("fish/vendor_completions.d/nemo.fish", "nemo.fish"),
    ]:
        assert (share / installed).read_text() == (ROOT / "completions" / source).read_text(), installed


def test_install_bash_from_the_wheel(venv, home):
    folder, env = home
    done = subprocess.run([str(venv / "bin" / "nemo"), "completion", "--install", "bash"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    script = folder / ".local/share/bash-completion/completions/nemo"
    assert done.stdout == f"wrote the bash completion to {script}\n"
    assert bash_complete(script, "nemo up", env) == ["upload"]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_install_zsh_from_the_wheel(venv, home):
    folder, env = home
    done = subprocess.run([str(venv / "bin" / "nemo"), "completion", "--install", "zsh", "--rc"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    term = Terminal(["zsh", "-i"], env)
    try:
        term.send("PS1='$ '\n")
        term.sync()
        press_tab(term, "nemo up", r"nemo upload $")
    finally:
        term.close()


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_install_fish_from_the_wheel(venv, home):
    _, env = home
    done = subprocess.run([str(venv / "bin" / "nemo"), "completion", "--install", "fish"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    offered = subprocess.run(["fish", "-c", "complete -C 'nemo up'"], env=env, capture_output=True, text=True, timeout=60)
    assert [line.split("\t")[0] for line in offered.stdout.splitlines()] == ["upload"]
