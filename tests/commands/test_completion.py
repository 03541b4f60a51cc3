"""`nemo completion SHELL` and the hidden `nemo __complete KIND` the scripts call for stored values."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from nemo_cli import app as nemo_app
from nemo_cli.completion import scripts as completions
from nemo_cli.store import Store

ROOT = Path(__file__).resolve().parents[2]
APP = nemo_app.build()


def nemo(*args: str):
    return CliRunner().invoke(APP, list(args), prog_name="nemo")


def seed(path: Path, profile: str = "default") -> None:
    with Store(path / "config.toml", profile).edit() as prof:
        prof.add_session("5529798706024415232", "t1", "first cut", "2024-05-01T10:00:00Z")
        prof.add_session("5529798706024415999", "t2", "second cut", "2024-05-02T10:00:00Z")
        prof.add_session("5529798706024415111", "t0", None, "2024-04-01T10:00:00Z")
        prof.use_session("5529798706024415111")
        prof.record_render("render_old", session="5529798706024415232", status="completed", created="2024-05-01T11:00:00Z")
        prof.record_render("render_new", session="5529798706024415999", status="processing", created="2024-05-02T11:00:00Z")


@pytest.mark.parametrize("shell", completions.SHELLS)
def test_completion_prints_the_committed_script(shell):
    result = nemo("completion", shell)
    assert result.exit_code == 0, result.output
    committed = (ROOT / "completions" / completions.FILE_NAMES[shell]).read_text(encoding="utf-8")
    assert result.stdout == committed


def test_completion_rejects_an_unknown_shell():
    result = nemo("completion", "powershell")
    assert result.exit_code == 2
    assert result.stdout == ""


def test_stored_sessions_active_first_then_newest(isolated_env):
    seed(isolated_env)
    result = nemo("__complete", "sessions")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "5529798706024415111\tactive",
        "5529798706024415999\tsecond cut",
        "5529798706024415232\tfirst cut",
    ]


def test_stored_renders_newest_first(isolated_env):
    seed(isolated_env)
    result = nemo("__complete", "renders")
    assert result.stdout.splitlines() == [
        "render_new\tprocessing, 5529798706024415999",
        "render_old\tcompleted, 5529798706024415232",
    ]


def test_stored_values_follow_the_profile(isolated_env, monkeypatch):
    seed(isolated_env, profile="work")
    assert nemo("__complete", "sessions").stdout == ""
    assert "first cut" in nemo("__complete", "sessions", "--profile", "work").stdout
    assert "first cut" in nemo("--profile", "work", "__complete", "sessions").stdout
    monkeypatch.setenv("NEMO_PROFILE", "work")
    assert "first cut" in nemo("__complete", "sessions").stdout
    assert nemo("__complete", "profiles").stdout == "work\tprofile\n"


@pytest.mark.parametrize("content", [b"not = [toml", b"\xff\xfe", b'[profiles]\ndefault = 3\n'])
def test_a_broken_store_completes_nothing_and_says_nothing(isolated_env, content):
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "config.toml").write_bytes(content)
    result = nemo("__complete", "sessions")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_no_store_and_unknown_kinds_complete_nothing(isolated_env):
    assert (nemo("__complete", "sessions").stdout, nemo("__complete", "nonsense").stdout) == ("", "")
    assert not isolated_env.exists()  # completing never creates the store


def test_the_helper_is_hidden():
    assert "__complete" not in nemo("--help").stdout
    assert "completion" in nemo("--help").stdout
