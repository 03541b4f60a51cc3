"""What start-up imports, and the cached root help (nemo_cli/helpcache.py): the same text Typer prints,
re-rendered whenever anything it depends on changes. Timings are in benchmarks/startup.py, not here."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nemo_cli import app, helpcache

HEAVY = {"typer", "httpx", "pydantic", "rich", "pygments", "click"}
PROBE = """
import atexit, sys
atexit.register(lambda: sys.stderr.write("LOADED " + " ".join(sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r} or m.startswith("nemo_cli.commands."))) + "\\n"))
sys.argv = ["nemo", *{args!r}]
from nemo_cli.app import main
main()
"""


def probe(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess, set[str]]:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY, args=args)], env=env, capture_output=True, text=True, timeout=120)
    loaded = next(line for line in proc.stderr.splitlines() if line.startswith("LOADED"))
    return proc, set(loaded.split()[1:])


def typer_help(env: dict[str, str]) -> str:
    """The root help as Typer prints it, without the cache."""
    code = "import sys; from nemo_cli.app import build; from nemo_cli.commands.common import run; sys.exit(run(build(), ['--help']))"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True).stdout


@pytest.fixture
def env(tmp_path, isolated_env):
    e = dict(os.environ)
    e["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    e.pop("COLUMNS", None)
    return e


def test_version_imports_nothing_heavy(env):
    proc, loaded = probe(["--version"], env)
    assert proc.returncode == 0 and proc.stdout.startswith("nemo ")
    assert not {m.split(".")[0] for m in loaded} & HEAVY, loaded


def test_help_is_typers_text_and_once_cached_imports_no_typer(env, tmp_path):
    first, loaded_first = probe(["--help"], env)
    assert first.returncode == 0 and "typer" in {m.split(".")[0] for m in loaded_first}  # rendered
    assert (tmp_path / "cache" / "nemo" / helpcache.FILE_NAME).exists()
    second, loaded = probe(["-h"], env)
    assert second.returncode == 0 and second.stdout == first.stdout
    assert not {m.split(".")[0] for m in loaded} & HEAVY, loaded
    assert second.stdout == typer_help(env)
    assert "Core pipeline:" in second.stdout and "credits" in second.stdout


def test_help_follows_the_width(env):
    wide = probe(["--help"], env)[0].stdout
    env["COLUMNS"] = "60"
    narrow = probe(["--help"], env)[0].stdout
    assert narrow != wide and narrow == typer_help(env)
    assert probe(["--help"], env)[0].stdout == narrow  # and now from the cache


def test_a_stale_or_damaged_cache_is_rendered_again(monkeypatch, tmp_path):
    monkeypatch.setattr(helpcache, "cache_dir", lambda: str(tmp_path))
    renders = []

    def render() -> str:
        renders.append(1)
        return f"help #{len(renders)}\n"

    monkeypatch.setattr(helpcache, "key", lambda: "key-1")
    assert helpcache.root_help(render) == "help #1\n"
    assert helpcache.root_help(render) == "help #1\n" and len(renders) == 1
    monkeypatch.setattr(helpcache, "key", lambda: "key-2")  # a module changed, Typer was upgraded, …
    assert helpcache.root_help(render) == "help #2\n"
    (tmp_path / helpcache.FILE_NAME).write_bytes(b"\xff\xfe not text")
    assert helpcache.root_help(render) == "help #3\n"
    (tmp_path / helpcache.FILE_NAME).write_text("key-2\n")  # a key and no text
    assert helpcache.root_help(render) == "help #4\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [helpcache.FILE_NAME]  # no temp files left


def test_an_unusable_cache_dir_costs_speed_not_correctness(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setattr(helpcache, "cache_dir", lambda: str(blocker / "nemo"))
    assert helpcache.root_help(lambda: "rendered\n") == "rendered\n"


def test_the_key_follows_every_module_file(tmp_path):
    (tmp_path / "commands").mkdir()
    (tmp_path / "app.py").write_text("x = 1\n")
    seen = [helpcache._files(str(tmp_path))]
    (tmp_path / "commands" / "new.py").write_text("")  # a command module added
    seen.append(helpcache._files(str(tmp_path)))
    os.utime(tmp_path / "app.py", ns=(1, 1))  # one edited
    seen.append(helpcache._files(str(tmp_path)))
    (tmp_path / "notes.txt").write_text("not code")
    seen.append(helpcache._files(str(tmp_path)))
    assert seen[0] != seen[1] != seen[2] == seen[3]
    assert helpcache.key() == helpcache.key() and helpcache.__file__ in helpcache.key()


# -- only the command module an invocation needs ---------------------------------------------------


@pytest.mark.parametrize(
    "args,module",
    [
        (["credits"], "credits"),
        (["credits", "--json"], "credits"),
        (["--debug", "--no-color", "-p", "work", "--api-url", "http://x", "session", "new"], "session"),
        (["--profile=work", "--api-url=http://x", "auth", "status"], "auth"),
        (["--profile", "credits", "config", "get", "x"], "config"),  # an option's value is not the command
        (["trim", "a.mp4"], None),  # registered by the workflows module: the whole tree
        (["credit"], None),  # a typo: the whole tree, for Typer's "did you mean"
        (["--help"], None),
        (["-pwork", "--api-url=http://x", "credits", "--debug"], "credits"),  # every form click takes
        (["--profile", "--debug", "credits"], "credits"),  # "--debug" is --profile's value, as click reads it
        (["--qux", "credits"], None),  # an option we do not know: the whole tree, for its error
        (["--profile"], None),
        ([], None),
    ],
)
def test_needed(args, module):
    assert app.needed(args) == module


def test_a_networked_command_imports_only_its_own_module_and_no_httpx_cli(env):
    env.update(NEMO_TOKEN="nmv_usr_startupSECRET", NEMO_API_URL="http://127.0.0.1:9", NEMO_RETRIES="0")
    proc, loaded = probe(["credits"], env)
    assert proc.returncode == 9 and "cannot connect" in proc.stderr
    own = {"nemo_cli.commands.common", "nemo_cli.commands.credits", "nemo_cli.commands.tree", "nemo_cli.commands.menu", "nemo_cli.commands.json_options"}
    assert {m for m in loaded if m.startswith("nemo_cli.commands.")} == own
    assert not {m.split(".")[0] for m in loaded} & {"rich", "pygments", "click"}, loaded  # httpx's own CLI


def test_a_module_registering_other_names_gets_the_whole_tree(monkeypatch):
    monkeypatch.setattr(app, "COMMANDS", ["workflows", "credits"])
    names = {c.name for c in app.build("workflows").registered_commands}
    assert "credits" in names and "trim" in names
