"""Documentation that cannot drift: the committed completions, man pages and README reference are exactly
what `python -m nemo_cli.docgen` makes from the command tree today; the man pages render cleanly; and every
`nemo …` command line the docs and examples show parses against the real tree."""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nemo_cli import docgen
from nemo_cli.docgen import facts, man
from nemo_cli.docgen import tree as tree_mod
from nemo_cli.docgen.commandlines import invocations, problem
from nemo_cli.errors import EXIT_CODES
from nemo_cli.settings import ENV_VARS, SETTINGS

ROOT = Path(__file__).resolve().parents[2]
TREE = tree_mod.load()
REGENERATE = "run `python -m nemo_cli.docgen` (from .venv: `.venv/bin/python -m nemo_cli.docgen`) and commit the result"

# Top-level commands other engineers are still building: docs may name them before they exist. Once a
# command exists, every line that uses it is checked like any other.
PENDING = {"upload", "edit", "export", "emulator", "trim", "grade", "film", "demo-clip", "chat", "batch"}


def test_generated_files_match_the_command_tree():
    files = docgen.outputs(ROOT, TREE)
    problems = docgen.differences(ROOT, files)
    report = []
    for rel, problem in problems:
        report.append(f"{rel}: {problem}")
        if problem == "differs":
            old = (ROOT / rel).read_text(encoding="utf-8").splitlines(keepends=True)
            diff = difflib.unified_diff(old, files[rel].splitlines(keepends=True), f"committed/{rel}", f"generated/{rel}", n=1)
            report.append("".join(list(diff)[:40]))
    assert not problems, "\n".join(report) + "\n" + REGENERATE


def test_generation_does_not_depend_on_the_terminal():
    env = {**os.environ, "COLUMNS": "37", "LINES": "5", "TERM": "xterm-256color", "LC_ALL": "C"}
    done = subprocess.run([sys.executable, "-m", "nemo_cli.docgen", "--check", "--root", str(ROOT)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_check_reports_a_changed_file_and_regeneration_restores_it(tmp_path):
    for rel in docgen.outputs(ROOT, TREE):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, tmp_path / rel)
    (tmp_path / "man" / "nemo.1").write_text("stale\n")
    (tmp_path / "man" / "nemo-gone.1").write_text("a page for a command that was removed\n")
    run = lambda *args: subprocess.run([sys.executable, "-m", "nemo_cli.docgen", "--root", str(tmp_path), *args], capture_output=True, text=True, timeout=120)
    checked = run("--check")
    assert checked.returncode == 1
    assert "man/nemo.1: differs" in checked.stderr and "man/nemo-gone.1: stale" in checked.stderr
    assert run().returncode == 0
    assert run("--check").returncode == 0
    assert not (tmp_path / "man" / "nemo-gone.1").exists()


# -- man pages ----------------------------------------------------------------------------------

PAGES = sorted((ROOT / "man").glob("*.1"))
SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES"]


def test_a_page_for_nemo_and_each_command():
    assert {p.name for p in PAGES} == {"nemo.1"} | {f"nemo-{c.path[0]}.1" for c in TREE.subcommands}


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_man_page_renders_without_warnings(page):
    done = subprocess.run(["groff", "-man", "-ww", "-z", str(page)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.skipif(shutil.which("man") is None, reason="man is not installed")
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_man_page_reads_well_in_a_terminal(page):
    env = {**os.environ, "MANWIDTH": "80", "MAN_KEEP_FORMATTING": "0", "LANG": "C.UTF-8"}
    done = subprocess.run(["man", "-l", str(page)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    text = re.sub(r".\x08", "", done.stdout)
    headings = [line for line in text.splitlines() if re.fullmatch(r"[A-Z][A-Z ]+", line)]
    assert [h for h in headings if h in SECTIONS] == SECTIONS
    assert max(len(line) for line in text.splitlines()) <= 80
    for name in [*ENV_VARS, *(s.env for s in SETTINGS.values())]:
        assert re.search(rf"^\s+{name}(\s|$)", text, re.M), f"{name} missing from ENVIRONMENT"
    for code, name, _ in EXIT_CODES:
        assert re.search(rf"^\s+{code}\s+{name}:", text, re.M), f"exit {code} missing from EXIT STATUS"
    assert "config.toml" in text.split("FILES", 1)[1]


def test_every_option_of_a_command_is_on_its_page():
    for cmd in TREE.subcommands:
        source = (ROOT / "man" / f"{man.page_name(cmd)}.1").read_text()
        for node in cmd.walk():
            for param in node.params:
                if not param.is_help:
                    shown = man.escape(param.opts[-1] if param.is_option else param.metavar)
                    assert shown in source, f"{node.name} {shown} missing from its man page"


def test_the_files_section_matches_where_the_store_really_is(monkeypatch, tmp_path):
    from platformdirs.macos import MacOS

    from nemo_cli import store

    paths = [p for p, _ in facts.store_files()]
    monkeypatch.delenv("NEMO_CONFIG_DIR")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    mac = Path(MacOS("nemo", appauthor=False).user_config_dir) / store.FILE_NAME
    assert str(mac) == paths[2].replace("~", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert str(store.config_dir() / store.FILE_NAME) == paths[1].replace("~", str(tmp_path))
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
        assert store.config_dir() == tmp_path / "xdg" / "nemo"


# -- every command line in the docs and examples parses ------------------------------------------


def shell_texts() -> list[tuple[str, str]]:
    """(where, shell text) for every place that shows command lines to users."""
    texts = []
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for lang, block in re.findall(r"```(\w*)\n(.*?)```", readme, re.S):
        if lang in ("sh", "bash", "console", "shell"):
            texts.append(("README.md", block))
        elif lang in ("yaml", "yml"):
            texts += [("README.md", line) for line in block.splitlines() if line.strip().startswith("nemo ")]
    texts += [("README.md", span) for span in re.findall(r"`(nemo [^`]+)`", readme)]
    for cmd in [TREE, *TREE.subcommands]:
        texts += [(f"man/{man.page_name(cmd)}.1", code) for _, code in man.examples_for(cmd)]
    texts += [(f"facts.EXAMPLES[{key!r}]", code) for key, rows in facts.EXAMPLES.items() for _, code in rows]
    texts += [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").glob("*.sh"))]
    skill = (ROOT / "SKILL.md").read_text(encoding="utf-8")
    texts += [("SKILL.md", block) for block in re.findall(r"```sh\n(.*?)```", skill, re.S)]
    # (its usage lines, `nemo edit [OPTIONS] [MESSAGE...]`, are synopses, not command lines)
    texts += [("SKILL.md", span) for span in re.findall(r"`(nemo [^`]+)`", skill) if "[" not in span and "..." not in span]
    return texts


def test_invocations_are_found_where_they_hide():
    text = 'sid=$(nemo session new -q)\n[ "$(nemo credits -q)" -ge 1 ] && nemo state --check-ready 2>/dev/null | jq .\nnemo x \\\n  --json'
    assert invocations(text) == [["session", "new", "-q"], ["credits", "-q"], ["state", "--check-ready"], ["x", "--json"]]
    assert problem(TREE, ["session", "new", "--nmae", "x"]) == "nemo session new: no option --nmae"
    assert problem(TREE, ["sesion", "new"]) == "nemo: no command 'sesion'"
    assert problem(TREE, ["credits", "extra"]) == "nemo credits: too many arguments ('extra')"
    assert problem(TREE, ["--profile", "work", "session", "show", "--session=1", "--json"]) is None
    assert problem(TREE, ["unbuilt", "--any"], {"unbuilt"}) is None
    assert problem(TREE, ["unbuilt", "--any"]) == "nemo: no command 'unbuilt'"


def test_every_command_line_in_docs_and_examples_parses():
    bad = []
    for where, text in shell_texts():
        for words in invocations(text):
            why = problem(TREE, words, PENDING)
            if why:
                bad.append(f"{where}: `nemo {' '.join(words)}`: {why}")
    assert not bad, "\n".join(bad)


# -- SKILL.md: what `nemo agent-skill` prints ------------------------------------------------------


def test_the_skill_file_is_what_nemo_agent_skill_prints_and_tells_what_an_agent_needs():
    skill = (ROOT / "SKILL.md").read_text(encoding="utf-8")
    printed = subprocess.run([str(Path(sys.executable).parent / "nemo"), "agent-skill"], capture_output=True, text=True, timeout=120)
    assert printed.returncode == 0 and printed.stdout == skill, printed.stderr
    front = re.match(r"---\nname: nemo\ndescription: (.+)\n---\n", skill)
    assert front and len(front.group(1)) > 80
    for cmd in TREE.walk():
        if cmd.path:
            assert f"### {cmd.name}\n" in skill, cmd.name
    for code, name, _ in EXIT_CODES:
        assert f"| {code} | {name} |" in skill
    assert "do\n  not send the same `nemo edit` again" in skill and "Exit 13" in skill


def test_the_skills_json_keys_are_the_ones_the_readme_documents():
    from nemo_cli.commands.agent_skill import JSON_KEYS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    # the JSON output section, and the event table of edit's stream it points to
    section = readme.split("### Uploading, editing, exporting", 1)[1].split("### Exit codes", 1)[0]
    documented = set(re.findall(r"`([a-z_]+)`", section)) | set(re.findall(r"\b([a-z_]{3,})\b", section))
    named = {w for _, keys in JSON_KEYS for w in re.findall(r"\b[a-z][a-z_]+\b", keys.split(":")[-1])}
    assert named - documented == set()
