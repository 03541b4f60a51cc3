"""Where each shell loads nemo's completion script from, and putting it there (`nemo completion --install`).

    bash  ${XDG_DATA_HOME:-~/.local/share}/bash-completion/completions/nemo   (bash-completion loads it)
    zsh   ~/.zfunc/_nemo        (compinit loads it once ~/.zfunc is on $fpath)
    fish  ${XDG_CONFIG_HOME:-~/.config}/fish/completions/nemo.fish         (fish loads it)

Every file is written atomically (a temp file renamed over it). An rc file is touched only when asked
(`--rc`), and then only by appending the lines the shell needs, once: a second run finds them there.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

MARK = "# added by `nemo completion --install --rc`"


class Target:
    """Where one shell's script goes, the rc file that can load it, and the lines that would."""

    def __init__(self, shell: str, path: Path, rc: Path | None, rc_lines: list[str], loads: str) -> None:
        self.shell = shell
        self.path = path
        self.rc = rc
        self.rc_lines = rc_lines  # what --rc appends (none for fish)
        self.loads = loads  # when the shell picks the script up without rc lines

    @property
    def rc_block(self) -> str:
        return "\n".join([MARK, *self.rc_lines]) + "\n"


def target(shell: str, environ: Mapping[str, str] | None = None) -> Target:
    env = os.environ if environ is None else environ
    home = Path(env.get("HOME") or Path.home())

    def base(var: str, default: str) -> Path:
        value = env.get(var, "")
        return Path(value) if os.path.isabs(value) else home / default  # XDG: a relative value is ignored

    if shell == "bash":
        path = base("XDG_DATA_HOME", ".local/share") / "bash-completion" / "completions" / "nemo"
        shown = _shell_word(path, home)
        return Target(
            shell, path, home / ".bashrc", [f"[ -r {shown} ] && . {shown}"],
            "bash loads it in new shells when the bash-completion package is installed",
        )
    if shell == "zsh":
        folder = home / ".zfunc"
        return Target(
            shell, folder / "_nemo", Path(env.get("ZDOTDIR") or home) / ".zshrc",
            [
                f"fpath=({_shell_word(folder, home)} $fpath)",
                "if (( $+functions[compdef] )); then autoload -Uz _nemo && compdef _nemo nemo; "
                "else autoload -Uz compinit && compinit; fi",
            ],
            f"zsh loads it once {_shell_word(folder, home)} is on $fpath before compinit runs",
        )
    if shell == "fish":
        path = base("XDG_CONFIG_HOME", ".config") / "fish" / "completions" / "nemo.fish"
        return Target(shell, path, None, [], "fish loads it in new shells")
    raise ValueError(f"unknown shell {shell!r}")


def write_script(where: Target, script: str) -> None:
    """The script at its place (directories made as needed), readable by all like any installed file."""
    from nemo_cli.durable import write_atomic

    where.path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(where.path, script.encode("utf-8"), mode=0o644)


def add_to_rc(where: Target) -> bool:
    """Append the rc lines once; False when they are there already. A symlinked rc file (dotfiles kept
    elsewhere) is written where it points, so the link stays a link."""
    from nemo_cli.durable import write_atomic

    assert where.rc is not None
    rc = where.rc.resolve() if where.rc.is_symlink() else where.rc
    try:
        old = rc.read_text(encoding="utf-8")
        mode = rc.stat().st_mode & 0o7777
    except FileNotFoundError:
        old, mode = "", 0o644
    if where.rc_block in old:
        return False
    sep = "" if not old else ("\n" if old.endswith("\n") else "\n\n")
    rc.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(rc, (old + sep + where.rc_block).encode("utf-8"), mode=mode)
    return True


def _shell_word(path: Path, home: Path) -> str:
    """A path as a shell word: under the home directory as "$HOME/…", quoted either way."""
    text = str(path)
    prefix = ""
    try:
        text = str(path.relative_to(home))
        prefix = "$HOME/"
    except ValueError:
        pass
    escaped = "".join("\\" + ch if ch in '"$`\\' else ch for ch in text)
    return f'"{prefix}{escaped}"'
