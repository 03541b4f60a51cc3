"""The completion scripts in real shells: bash (its completion function, and Tab pressed in an interactive
bash on a pseudo-terminal), zsh (Tab on a pseudo-terminal) and fish (`complete -C`).

The committed scripts are what users install, so they are what is tested; a command another part of the
tree has not grown yet is skipped by name. The machinery for kinds of values that need such a command
(media files for `upload`, render ids for `export status`) is also tested on a small stand-in tree.
"""

from __future__ import annotations

import os
import re
import select
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import pytest
import typer

from nemo_cli.completion import scripts as completions
from nemo_cli.docgen import tree as tree_mod
from nemo_cli.store import Store

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = {shell: ROOT / "completions" / name for shell, name in completions.FILE_NAMES.items()}
TREE = tree_mod.load()
SESSIONS = ["5529798706024415111", "5529798706024415999", "5529798706024415232"]


def needs(*path: str):
    return pytest.mark.skipif(TREE.find(path) is None, reason=f"needs `nemo {' '.join(path)}` (not built yet)")


def needs_shell(name: str):
    return pytest.mark.skipif(shutil.which(name) is None, reason=f"{name} is not installed")


@pytest.fixture
def env(isolated_env, tmp_path):
    """A store with sessions (one active) and renders; `nemo` on PATH; a home with no rc files."""
    with Store(isolated_env / "config.toml").edit() as prof:
        for i, sid in enumerate(SESSIONS):
            prof.add_session(sid, f"t{i}", f"cut {i}", f"2024-05-0{3 - i}T10:00:00Z")
        prof.use_session(SESSIONS[0])
        prof.record_render("render_a1", session=SESSIONS[0], status="completed", created="2024-05-01T11:00:00Z")
    with Store(isolated_env / "config.toml", "work").edit() as prof:
        prof.add_session("7777", None, "work session", "2024-05-01T10:00:00Z")
    home = tmp_path / "home"
    home.mkdir()
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(home),
        "TERM": "dumb",
    }


@pytest.fixture
def media_dir(tmp_path):
    folder = tmp_path / "media"
    (folder / "footage").mkdir(parents=True)
    for name in ("clip.mp4", "SHOT.MOV", "notes.txt", "cover.jpg", "archive.tar.gz"):
        (folder / name).write_bytes(b"x")
    return folder


# -- bash: the completion function, as readline calls it ---------------------------------------


def bash_complete(script: Path, line: str, env: dict, cwd: Path = ROOT) -> list[str]:
    """COMPREPLY for `line` (the cursor at its end), split into words the way readline would."""
    words = COMP_WORDBREAKS_RE.split(line)
    words = [w for w in words if w] + ([""] if line.endswith(" ") else [])
    program = "\n".join(
        [
            f"source {shlex.quote(str(script))}",
            "COMP_WORDS=(" + " ".join(shlex.quote(w) for w in words) + ")",
            f"COMP_CWORD={len(words) - 1}",
            f"COMP_LINE={shlex.quote(line)}",
            "COMP_POINT=${#COMP_LINE}",
            "_nemo nemo",
            'printf "%s\\n" "${COMPREPLY[@]}"',
        ]
    )
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], env=env, cwd=cwd, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return [w for w in done.stdout.split("\n") if w]


COMP_WORDBREAKS_RE = re.compile(r"\s+|(=)")  # bash splits at blanks and keeps `=` as a word of its own


def test_bash_completes_top_level_commands(env):
    assert bash_complete(SCRIPTS["bash"], "nemo ", env) == [c.path[0] for c in TREE.subcommands]
    assert bash_complete(SCRIPTS["bash"], "nemo se", env) == ["session"]


@needs("export")
def test_bash_completes_ex_to_export(env):
    assert bash_complete(SCRIPTS["bash"], "nemo ex", env) == ["export"]


@needs("export")
def test_bash_completes_export_options(env):
    offered = bash_complete(SCRIPTS["bash"], "nemo export --", env)
    expected = {n for p in TREE.find(("export",)).options + TREE.global_options for n in p.names if n.startswith("--")}
    assert set(offered) == expected and "--help" in offered and "--debug" in offered  # global options go anywhere


def test_bash_completes_subcommands_and_options(env):
    assert bash_complete(SCRIPTS["bash"], "nemo session ", env) == ["new", "list", "use", "show", "open"]
    globals_ = {"--debug", "--no-color", "--profile", "--api-url"}
    own = set(bash_complete(SCRIPTS["bash"], "nemo session new --", env)) - globals_
    assert own == {n for p in TREE.find(("session", "new")).options for n in p.names if n.startswith("--")}
    assert {"--name", "--language", "--json", "--quiet", "--help"} <= own
    assert bash_complete(SCRIPTS["bash"], "nemo --d", env) == ["--debug"]  # global options before the command


@pytest.mark.parametrize(
    "line",
    ["nemo session use ", "nemo session show --session ", "nemo session show -s ", "nemo session show --session=", "nemo state -s "],
)
def test_bash_completes_session_ids_from_the_store(env, line):
    assert bash_complete(SCRIPTS["bash"], line, env) == SESSIONS


def test_bash_session_ids_narrow_by_prefix_and_follow_the_profile(env):
    assert bash_complete(SCRIPTS["bash"], "nemo session show --session=55297987060244159", env) == [SESSIONS[1]]
    assert bash_complete(SCRIPTS["bash"], "nemo -p work session use ", env) == ["7777"]
    assert bash_complete(SCRIPTS["bash"], "nemo --profile=work session use ", env) == ["7777"]
    assert bash_complete(SCRIPTS["bash"], "nemo --profile ", env) == ["default", "work"]


def test_bash_completes_fixed_values_and_nothing_for_free_text(env):
    assert bash_complete(SCRIPTS["bash"], "nemo completion ", env) == ["bash", "zsh", "fish"]
    keys = bash_complete(SCRIPTS["bash"], "nemo config set ", env)
    assert "api_url" in keys and "export.timeout" in keys
    assert bash_complete(SCRIPTS["bash"], "nemo config set api_url ", env) == []
    assert bash_complete(SCRIPTS["bash"], "nemo session new --name ", env) == []
    assert bash_complete(SCRIPTS["bash"], "nemo credits --json ", env) == []


@needs("export", "status")
@pytest.mark.parametrize("sub", ["status", "wait", "download", "cancel"])
def test_bash_completes_render_ids(env, sub):
    if TREE.find(("export", sub)) is None:
        pytest.skip(f"needs `nemo export {sub}`")
    assert bash_complete(SCRIPTS["bash"], f"nemo export {sub} ", env) == ["render_a1"]


@needs("upload")
def test_bash_completes_only_accepted_files_for_upload(env, media_dir):
    assert sorted(bash_complete(SCRIPTS["bash"], "nemo upload ", env, cwd=media_dir)) == ["SHOT.MOV", "clip.mp4", "cover.jpg", "footage"]


def test_bash_after_double_dash_completes_a_command_line(env):
    assert "bash" in bash_complete(SCRIPTS["bash"], "nemo session use -- bas", env)


# -- the same machinery on a stand-in tree (upload and export may not exist yet) ----------------


@pytest.fixture
def stand_in(tmp_path, monkeypatch):
    """Scripts for a tree with `upload FILES…`, `export status ID` and `export --output PATH`."""
    app = typer.Typer()

    @app.command("upload")
    def upload(files: list[Path]) -> None: ...

    export = typer.Typer()

    @export.callback(invoke_without_command=True)
    def export_(output: Annotated[Optional[Path], typer.Option("--output", "-o")] = None) -> None: ...

    @export.command("status")
    def status(render_id: str) -> None: ...

    app.add_typer(export, name="export")
    monkeypatch.setattr(completions, "media_extensions", lambda: ["jpg", "mov", "mp4"])
    fake = tree_mod.from_click(typer.main.get_command(app))
    paths = {}
    for shell in completions.SHELLS:
        paths[shell] = tmp_path / completions.FILE_NAMES[shell]
        paths[shell].write_text(completions.render(shell, fake), encoding="utf-8")
    return paths


def test_media_files_are_filtered_by_extension(env, stand_in, media_dir):
    assert sorted(bash_complete(stand_in["bash"], "nemo upload ", env, cwd=media_dir)) == ["SHOT.MOV", "clip.mp4", "cover.jpg", "footage"]
    assert sorted(bash_complete(stand_in["bash"], "nemo upload clip.mp4 c", env, cwd=media_dir)) == ["clip.mp4", "cover.jpg"]
    assert bash_complete(stand_in["bash"], "nemo upload foo", env, cwd=media_dir) == ["footage"]


def test_paths_and_render_ids_on_the_stand_in(env, stand_in, media_dir):
    assert bash_complete(stand_in["bash"], "nemo export status ", env) == ["render_a1"]
    assert "notes.txt" in bash_complete(stand_in["bash"], "nemo export -o ", env, cwd=media_dir)


@needs_shell("fish")
def test_fish_filters_media_files_on_the_stand_in(env, stand_in, media_dir):
    offered = fish_complete(stand_in["fish"], "nemo upload ", env, cwd=media_dir)
    assert sorted(offered) == ["SHOT.MOV", "clip.mp4", "cover.jpg", "footage/"]
    assert fish_complete(stand_in["fish"], "nemo export status ", env) == ["render_a1"]


# -- fish: `complete -C` ------------------------------------------------------------------------


def fish_complete(script: Path, line: str, env: dict, cwd: Path = ROOT, descriptions: bool = False) -> list[str]:
    program = f"source {shlex.quote(str(script))}; complete -C {shlex.quote(line)}"
    done = subprocess.run(["fish", "--no-config", "-c", program], env=env, cwd=cwd, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    lines = [w for w in done.stdout.split("\n") if w]
    return lines if descriptions else [w.split("\t")[0] for w in lines]


@needs_shell("fish")
def test_fish_loads_and_completes(env):
    top = fish_complete(SCRIPTS["fish"], "nemo ", env, descriptions=True)
    assert "session\tEditing sessions: new, list, use, show, open." in top
    assert sorted(w.split("\t")[0] for w in top) == sorted(c.path[0] for c in TREE.subcommands)
    assert fish_complete(SCRIPTS["fish"], "nemo session use ", env) == sorted(SESSIONS)
    assert fish_complete(SCRIPTS["fish"], "nemo session show --session ", env) == sorted(SESSIONS)
    assert fish_complete(SCRIPTS["fish"], "nemo -p work session use ", env) == ["7777"]
    assert fish_complete(SCRIPTS["fish"], "nemo --profile=work session use ", env) == ["7777"]
    assert fish_complete(SCRIPTS["fish"], "nemo --profile ", env) == ["default", "work"]
    assert fish_complete(SCRIPTS["fish"], "nemo completion ", env) == ["bash", "fish", "zsh"]
    assert "edit.timeout" in fish_complete(SCRIPTS["fish"], "nemo config get ", env)
    assert fish_complete(SCRIPTS["fish"], "nemo config set api_url ", env) == []
    assert "--check-ready" in fish_complete(SCRIPTS["fish"], "nemo state --", env)


@needs_shell("fish")
@needs("export")
def test_fish_completes_export(env):
    assert fish_complete(SCRIPTS["fish"], "nemo ex", env) == ["export"]
    assert "--help" in fish_complete(SCRIPTS["fish"], "nemo export --", env)


# -- Tab pressed in an interactive shell --------------------------------------------------------


class Terminal:
    """An interactive shell on a pseudo-terminal, 200 columns wide."""

    def __init__(self, argv: list[str], env: dict) -> None:
        import fcntl
        import pty
        import struct
        import termios

        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child
            os.chdir(ROOT)
            os.execvpe(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
        self.seen = ""

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def expect(self, pattern: str, timeout: float = 20.0) -> str:
        """Read until `pattern` (a regex) shows up in the output since the last expect; return that output."""
        start = len(self.seen)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]|\x1b[=>]|[\x07\r]", "", self.seen[start:])
            if re.search(pattern, text):
                return text
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.seen += chunk.decode(errors="replace")
        raise AssertionError(f"{pattern!r} never showed; the terminal said:\n{self.seen[start:]}")

    def sync(self) -> None:
        """Wait until everything typed so far has been run."""
        self.send("\x15echo SYNC-$((40+2))\n")  # the marker appears only once the shell has computed it
        self.expect(r"SYNC-42")

    def close(self) -> None:
        try:
            os.kill(self.pid, 9)
        finally:
            os.waitpid(self.pid, 0)
            os.close(self.fd)


@pytest.fixture
def terminal(env):
    opened = []

    def open_(shell: str, setup: str) -> Terminal:
        argv = {"bash": ["bash", "--norc", "--noprofile", "-i"], "zsh": ["zsh", "-f", "-i"]}[shell]
        term = Terminal(argv, env)
        opened.append(term)
        term.send(setup + "\n")
        term.sync()
        return term

    yield open_
    for term in opened:
        term.close()


BASH_SETUP = (
    "PS1='$ '; bind 'set completion-query-items 1000'; bind 'set page-completions off'; "
    "bind 'set show-all-if-ambiguous on'; "
    f"bind 'set bell-style none'; source {shlex.quote(str(SCRIPTS['bash']))}"
)
ZSH_SETUP = (
    f"PS1='$ '; setopt no_list_ambiguous; autoload -Uz compinit && compinit -u -D; "
    f"source {shlex.quote(str(SCRIPTS['zsh']))}"
)


def all_of(*needles: str) -> str:
    """A pattern that matches once every needle has shown up, in any order."""
    return "(?s)" + "".join(f"(?=.*{re.escape(n)})" for n in needles)


def press_tab(term: Terminal, typed: str, pattern: str) -> str:
    term.sync()
    term.send(typed + "\t")
    return term.expect(pattern)


@needs_shell("bash")
def test_tab_in_bash(terminal):
    term = terminal("bash", BASH_SETUP)
    press_tab(term, "nemo sess", r"nemo session $")
    press_tab(term, "\x15nemo session use ", all_of(*SESSIONS))
    press_tab(term, "\x15nemo session use 55297987060244159", SESSIONS[1] + " $")


@needs_shell("bash")
@needs("export")
def test_tab_in_bash_completes_export(terminal):
    term = terminal("bash", BASH_SETUP)
    press_tab(term, "nemo ex", r"nemo export $")
    press_tab(term, "\x15nemo export --", r"--help")


@needs_shell("zsh")
def test_zsh_loads_and_completes(terminal):
    term = terminal("zsh", ZSH_SETUP)
    press_tab(term, "nemo sess", r"nemo session $")
    press_tab(term, "\x15nemo session use ", all_of(*SESSIONS, "cut 1"))  # names shown as descriptions
    press_tab(term, "\x15nemo -p work session use ", r"use 7777 $")
    press_tab(term, "\x15nemo session use 55297987060244159", SESSIONS[1] + " $")
    press_tab(term, "\x15nemo config get export.ti", r"export\.timeout $")


@needs_shell("zsh")
@needs("export")
def test_zsh_completes_export(terminal):
    term = terminal("zsh", ZSH_SETUP)
    press_tab(term, "nemo ex", r"nemo export $")
    press_tab(term, "\x15nemo export --", r"--help")


@needs_shell("zsh")
def test_zsh_autoloads_from_fpath(terminal, tmp_path):
    """The way users install it: `_nemo` in a directory on $fpath, picked up by compinit."""
    folder = tmp_path / "zfunc"
    folder.mkdir()
    shutil.copy(SCRIPTS["zsh"], folder / "_nemo")
    term = terminal("zsh", f"PS1='$ '; fpath=({shlex.quote(str(folder))} $fpath); autoload -Uz compinit && compinit -u -D")
    press_tab(term, "nemo sess", r"nemo session $")
    press_tab(term, "\x15nemo session use 55297987060244159", SESSIONS[1] + " $")
