"""`nemo completion` as users run it: the real `nemo` program prints the script (of the whole command tree,
not of the one module the invocation built) and `--install` puts it where each shell loads it; then real
bash, zsh and fish complete `nemo up<TAB>` and `nemo export --qu<TAB>` from what was printed or installed.

The shells are driven as in test_completion_shells (whose helpers this reuses): bash's completion function
called as readline calls it, fish's `complete -C`, and Tab pressed in an interactive zsh/bash on a
pseudo-terminal.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nemo_cli.completion import install, scripts
from tests.e2e.test_completion_shells import ROOT, Terminal, all_of, bash_complete, fish_complete, press_tab

NEMO = str(Path(sys.executable).parent / "nemo")
EXPORT_QU = ["--quality", "--quiet"]


def needs_shell(name: str):
    return pytest.mark.skipif(shutil.which(name) is None, reason=f"{name} is not installed")


@pytest.fixture
def home(tmp_path, isolated_env):
    """An empty home directory, no XDG variables, `nemo` on PATH."""
    folder = tmp_path / "home"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_") and k not in ("ZDOTDIR", "SHELL")}
    env.update(HOME=str(folder), PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", TERM="dumb")
    return folder, env


def nemo(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([NEMO, *args], env=env, capture_output=True, text=True, timeout=120)


# -- printing -------------------------------------------------------------------------------------


@pytest.mark.parametrize("shell", scripts.SHELLS)
def test_the_printed_script_knows_every_command(home, shell):
    _, env = home
    done = nemo(env, "completion", shell)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout == (ROOT / "completions" / scripts.FILE_NAMES[shell]).read_text(encoding="utf-8")
    for command in ("upload", "export", "session", "credits", "help"):
        assert command in done.stdout


def test_printed_bash_script_completes(home, tmp_path):
    _, env = home
    script = tmp_path / "printed.bash"
    script.write_text(nemo(env, "completion", "bash").stdout)
    assert bash_complete(script, "nemo up", env) == ["upload"]
    assert bash_complete(script, "nemo export --qu", env) == EXPORT_QU
    assert bash_complete(script, "nemo export --qu", env) == EXPORT_QU
    assert "--debug" in bash_complete(script, "nemo credits --d", env)  # global options after the command


@needs_shell("fish")
def test_printed_fish_script_completes(home, tmp_path):
    _, env = home
    script = tmp_path / "printed.fish"
    script.write_text(nemo(env, "completion", "fish").stdout)
    assert fish_complete(script, "nemo up", env) == ["upload"]
    assert fish_complete(script, "nemo export --qu", env) == EXPORT_QU
    assert "--debug" in fish_complete(script, "nemo credits --", env)


@needs_shell("zsh")
def test_printed_zsh_script_completes(home, tmp_path):
    _, env = home
    script = tmp_path / "printed.zsh"
    script.write_text(nemo(env, "completion", "zsh").stdout)
    term = _shell(["zsh", "-f", "-i"], env, f"autoload -Uz compinit && compinit -u -D; source {shlex.quote(str(script))}")
    press_tab(term, "nemo up", r"nemo upload $")
    press_tab(term, "\x15nemo export --qu", all_of("--quality", "--quiet"))


def test_the_shell_defaults_to_the_one_shell_names(home):
    _, env = home
    assert nemo({**env, "SHELL": "/usr/bin/fish"}, "completion").stdout.startswith("# fish completion for nemo")
    done = nemo({**env, "SHELL": "/bin/sh"}, "completion")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines()[0] == "error: say which shell: $SHELL is '/bin/sh'"


# -- installing -----------------------------------------------------------------------------------


def test_install_bash_writes_the_xdg_file_and_no_rc(home):
    folder, env = home
    done = nemo(env, "completion", "--install", "bash")
    path = folder / ".local/share/bash-completion/completions/nemo"
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote the bash completion to {path}\n"
    assert path.read_text() == (ROOT / "completions/nemo.bash").read_text()
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    assert "bash-completion" in done.stderr and "--rc" in done.stderr
    assert sorted(p.name for p in folder.iterdir()) == [".local"]  # no rc file touched
    assert bash_complete(path, "nemo up", env) == ["upload"]


def test_install_follows_xdg_variables(home, tmp_path):
    folder, env = home
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "conf"))
    assert nemo(env, "completion", "--install", "bash", "-q").stdout == f"{tmp_path}/data/bash-completion/completions/nemo\n"
    assert nemo(env, "completion", "--install", "fish", "-q").stdout == f"{tmp_path}/conf/fish/completions/nemo.fish\n"
    env["XDG_DATA_HOME"] = "relative/dir"  # not absolute: ignored, as the XDG spec says
    assert nemo(env, "completion", "--install", "bash", "-q").stdout == f"{folder}/.local/share/bash-completion/completions/nemo\n"


def test_install_zsh_tells_the_fpath_line_and_leaves_zshrc_alone(home):
    folder, env = home
    done = nemo(env, "completion", "--install", "zsh")
    assert done.returncode == 0 and done.stdout == f"wrote the zsh completion to {folder}/.zfunc/_nemo\n"
    assert 'fpath=("$HOME/.zfunc" $fpath)' in done.stderr and "~/.zshrc" not in done.stderr
    assert str(folder / ".zshrc") in done.stderr
    assert not (folder / ".zshrc").exists()


def test_install_json(home):
    folder, env = home
    done = nemo(env, "completion", "--install", "fish", "--json")
    import json

    assert json.loads(done.stdout) == {
        "shell": "fish", "path": f"{folder}/.config/fish/completions/nemo.fish", "rc": None, "rc_changed": False,
    }


def test_rc_is_appended_once(home):
    folder, env = home
    (folder / ".bashrc").write_text("alias ll='ls -l'")  # no final newline
    first = nemo(env, "completion", "--install", "bash", "--rc")
    second = nemo(env, "completion", "--install", "bash", "--rc")
    assert first.returncode == second.returncode == 0
    assert f"added its lines to {folder}/.bashrc" in first.stdout
    assert f"already loaded by {folder}/.bashrc" in second.stdout
    text = (folder / ".bashrc").read_text()
    assert text.startswith("alias ll='ls -l'\n\n") and text.count(install.MARK) == 1
    assert '. "$HOME/.local/share/bash-completion/completions/nemo"' in text


def test_a_symlinked_rc_file_stays_a_link(home, tmp_path):
    folder, env = home
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "zshrc").write_text("setopt autocd\n")
    (folder / ".zshrc").symlink_to(dotfiles / "zshrc")
    assert nemo(env, "completion", "--install", "zsh", "--rc").returncode == 0
    assert (folder / ".zshrc").is_symlink()
    assert (dotfiles / "zshrc").read_text().startswith("setopt autocd\n") and install.MARK in (dotfiles / "zshrc").read_text()


def test_rc_needs_install_and_a_write_failure_is_one_error(home):
    folder, env = home
    done = nemo(env, "completion", "bash", "--rc")
    assert done.returncode == 2 and done.stderr.startswith("error: --rc goes with --install\n")
    (folder / ".zfunc").write_text("a file where the directory should be")
    done = nemo(env, "completion", "--install", "zsh")
    assert done.returncode == 6 and done.stdout == ""
    assert done.stderr.startswith(f"error: cannot write {folder}/.zfunc") and "Traceback" not in done.stderr


@needs_shell("bash")
def test_installed_with_rc_bash_completes_in_a_new_shell(home):
    folder, env = home
    assert nemo(env, "completion", "--install", "bash", "--rc").returncode == 0
    term = _shell(["bash", "-i"], env, "bind 'set show-all-if-ambiguous on'; bind 'set bell-style none'")  # reads ~/.bashrc
    press_tab(term, "nemo up", r"nemo upload $")
    press_tab(term, "\x15nemo export --qu", all_of("--quality", "--quiet"))


@needs_shell("zsh")
def test_installed_with_rc_zsh_completes_in_a_new_shell(home):
    folder, env = home
    assert nemo(env, "completion", "--install", "zsh", "--rc").returncode == 0
    term = _shell(["zsh", "-i"], env, "setopt no_list_ambiguous")  # reads ~/.zshrc, which runs compinit
    press_tab(term, "nemo up", r"nemo upload $")
    press_tab(term, "\x15nemo export --qu", all_of("--quality", "--quiet"))


@needs_shell("zsh")
def test_installed_zsh_with_an_existing_compinit(home):
    """A ~/.zshrc that already ran compinit: the appended lines register _nemo with compdef."""
    folder, env = home
    (folder / ".zshrc").write_text("autoload -Uz compinit && compinit -u\n")
    assert nemo(env, "completion", "--install", "zsh", "--rc").returncode == 0
    term = _shell(["zsh", "-i"], env, "setopt no_list_ambiguous")
    press_tab(term, "nemo up", r"nemo upload $")


@needs_shell("fish")
def test_installed_fish_completes_in_a_new_shell(home):
    folder, env = home
    assert nemo(env, "completion", "--install", "fish").returncode == 0
    done = subprocess.run(["fish", "-c", "complete -C 'nemo up'; complete -C 'nemo export --qu'"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert [line.split("\t")[0] for line in done.stdout.splitlines()] == ["upload", *EXPORT_QU]


# -- helpers ---------------------------------------------------------------------------------------

_opened: list[Terminal] = []


@pytest.fixture(autouse=True)
def _close_terminals():
    yield
    while _opened:
        _opened.pop().close()


def _shell(argv: list[str], env: dict, setup: str) -> Terminal:
    term = Terminal(argv, env)
    _opened.append(term)
    term.send(f"PS1='$ '; {setup}\n")
    term.sync()
    return term
