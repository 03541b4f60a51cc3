"""A store edited by hand, and environment variables set to empty values: a clear error naming the file
(and the fix), or correct behaviour; never a traceback, never a silent overwrite."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from nemo_cli import app as nemo_app

APP = nemo_app.build()


def run(*args, env=None):
    return CliRunner().invoke(APP, list(args), env=env)


BROKEN = [
    # (store text, a command that must read the broken part)
    ("this is = = not toml", ["session", "show"]),
    ("[profiles]\ndefault = 5\n", ["session", "show"]),
    ("profiles = [1, 2]\n", ["config", "list"]),
    ("[profiles.default]\ntoken = 'nmv_usr_abc'\n", ["auth", "token"]),
    ("[profiles.default]\nsession = 5\n", ["session", "show"]),
    ("[profiles.default]\nsessions = [1, 2]\n", ["session", "list"]),
    ("[profiles.default]\ntoken = 3\n", ["auth", "status"]),
    ("[profiles.default.settings]\nretries = 'many'\n", ["config", "get", "retries"]),
    ("[profiles.default.settings]\napi_url = 'ftp://example'\n", ["credits"]),
    ("\xff\xfe broken bytes", ["config", "list"]),
]


@pytest.mark.parametrize("text,reader", BROKEN)
def test_hand_broken_store(isolated_env, text, reader):
    isolated_env.mkdir(parents=True, exist_ok=True)
    store = isolated_env / "config.toml"
    store.write_bytes(text.encode("latin-1") if text.startswith("\xff") else text.encode())
    before = store.read_bytes()
    result = run(*reader)
    assert result.exit_code == 12, (reader, result.output)
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: ") and str(store) in lines[0] or "config" in lines[0], result.stderr
    assert len(lines) <= 2 and "Traceback" not in result.output
    for args in (["session", "show"], ["session", "use", "123"], ["session", "list"], ["config", "list"], ["auth", "status"]):
        result = run(*args)
        assert "Traceback" not in result.output and "internal error" not in result.stderr, (args, result.output)
        assert result.exit_code in (0, 3, 4, 12), (args, result.output)
    after = store.read_bytes()
    assert after == before or b"123" in after  # untouched, or only `session use 123` was added


def test_empty_environment_values_count_as_unset(isolated_env):
    env = {"NEMO_TOKEN": "", "NEMO_API_URL": "", "NEMO_SESSION": "", "NEMO_PROFILE": "", "NEMO_RETRIES": ""}
    result = run("config", "get", "api_url", env=env)
    assert result.exit_code == 0 and result.stdout.strip() == "https://mega-api-prod.nemovideo.ai"
    result = run("session", "show", env=env)
    assert result.exit_code == 4 and result.stderr.startswith("error: no active session")
    result = run("auth", "token", env=env)
    assert result.exit_code == 3


def test_bad_environment_value_is_a_config_error(isolated_env):
    result = run("config", "get", "retries", env={"NEMO_RETRIES": "lots"})
    assert result.exit_code == 12
    assert "NEMO_RETRIES" in result.stderr and "Traceback" not in result.output
