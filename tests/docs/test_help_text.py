"""Help that teaches, from the installed `nemo`: bare `nemo` and `nemo help`, the grouped root menu with
whole descriptions, readable metavars, a "Learn more" pointer to a man page that exists, and usage errors
as one `error:` line in our words with a hint (exit 2)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nemo_cli.commands.tree import MENU, root_command
from nemo_cli.completion import model

NEMO = str(Path(sys.executable).parent / "nemo")
ROOT = Path(__file__).resolve().parents[2]
TREE = model.from_click(root_command())


def nemo(*args: str, columns: int = 80) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([NEMO, *args], env=env, capture_output=True, text=True, timeout=60)


def test_bare_nemo_prints_the_help_and_exits_0():
    bare, helped, helped_cmd = nemo(), nemo("--help"), nemo("help")
    assert bare.returncode == helped.returncode == helped_cmd.returncode == 0
    assert bare.stdout == helped.stdout == helped_cmd.stdout and bare.stderr == ""
    assert bare.stdout.startswith("Usage: nemo [OPTIONS] COMMAND [ARGS]...")


@pytest.mark.parametrize("path", [("export",), ("export", "status"), ("session", "new"), ("completion",), ("help",)])
def test_nemo_help_is_command_help(path):
    via_help, via_flag = nemo("help", *path), nemo(*path, "--help")
    assert via_help.returncode == via_flag.returncode == 0
    assert via_help.stdout == via_flag.stdout and via_help.stdout.startswith(f"Usage: nemo {' '.join(path)} ")


def test_nemo_help_of_an_unknown_command():
    done = nemo("help", "export", "staus")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == ["error: no such command: nemo export staus", "hint: did you mean status? see `nemo export --help`"]


def test_a_group_without_its_command_prints_its_help():
    done = nemo("config")
    assert done.returncode == 0 and done.stdout == nemo("config", "--help").stdout and done.stderr == ""


@pytest.mark.parametrize("columns", [80, 60, 120])
def test_the_root_menu_is_grouped_and_whole(columns):
    text = nemo("--help", columns=columns).stdout
    headings = [line[:-1] for line in text.splitlines() if line.endswith(":") and not line.startswith(" ")]
    menu = [heading for heading, _ in MENU]
    assert [h for h in headings if h in menu] == menu
    assert "…" not in text.split("Options:", 1)[1] and "..." not in text.split("Options:", 1)[1]
    listed = re.findall(r"^  (\S+)\s{2,}", text.split(menu[0] + ":", 1)[1].split("Global options", 1)[0], re.M)
    assert listed == [c.path[0] for c in TREE.subcommands]  # every command once, in the menu's order
    for heading, entries in MENU:
        section = text.split(f"\n{heading}:\n", 1)[1].split("\n\n", 1)[0]
        for name, description in entries:
            assert " ".join(section.split()).count(f"{name} {description}") == 1 or columns < 80, (name, section)


def test_every_help_has_readable_metavars_and_learns_more():
    pages = {p.stem for p in (ROOT / "man").glob("*.1")}
    for cmd in TREE.walk():
        text = cmd.help_text
        assert not re.search(r"<[a-z][^>]*>|\{[A-Z]+\}", text), f"{cmd.name}: a type where a word belongs:\n{text}"
        page = "nemo" if not cmd.path else f"nemo-{cmd.path[0]}"
        assert text.rstrip().endswith(f"`man {page}`: every option, the environment, exit codes and examples."), cmd.name
        assert page in pages, f"{cmd.name} points at man {page}, which man/ lacks"


def test_metavars_as_the_installed_nemo_prints_them():
    upload = nemo("upload", "--help").stdout
    assert upload.startswith("Usage: nemo upload [OPTIONS] FILE...\n")
    assert re.search(r"^  FILE\.\.\.\s+Media files", upload, re.M)
    export = nemo("export", "--help").stdout
    assert "--quality low|medium|high" in export and "<" not in export
    assert "-n, --name NAME" in nemo("session", "new", "--help").stdout
    assert nemo("completion", "--help").stdout.startswith("Usage: nemo completion [OPTIONS] [SHELL]\n")


@pytest.mark.parametrize(
    "args,error,hint",
    [
        (["export", "--qux"], "error: no such option: --qux", "hint: did you mean --quiet or --jq? see `nemo export --help`"),
        (["credits", "--jsno"], "error: no such option: --jsno", "hint: did you mean --json or --jq? see `nemo credits --help`"),
        (["completion", "powershell"], "error: SHELL must be bash, zsh or fish, not 'powershell'", "hint: see `nemo completion --help`"),
        (["export", "--quality", "hgh"], "error: --quality must be low, medium or high, not 'hgh'", "hint: did you mean high? see `nemo export --help`"),
        (["export", "--fps", "fast"], "error: --fps takes a number, not 'fast'", "hint: see `nemo export --help`"),
        (["batch", "plan.toml", "--jobs", "two"], "error: --jobs takes a whole number, not 'two'", "hint: see `nemo batch --help`"),
        (["export", "--timeout", "-5"], "error: --timeout must be at least 0, not -5", "hint: see `nemo export --help`"),
        (["session", "show", "-s"], "error: option -s needs a value", "hint: see `nemo session show --help`"),
        (["session", "use"], "error: missing argument ID", "hint: see `nemo session use --help`"),
        (["credit"], "error: no such command: credit", "hint: did you mean credits or edit? see `nemo --help`"),
        (["credits", "extra"], "error: unexpected argument: extra", "hint: see `nemo credits --help`"),
        (["upload", "-clip.mp4"], "error: no such option: -clip.mp4",
         "hint: a file whose name starts with - goes after --: `nemo upload -- -clip.mp4`; see `nemo upload --help`"),
    ],
)
def test_usage_errors_are_one_line_of_ours(args, error, hint):
    done = nemo(*args)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [error, hint]
