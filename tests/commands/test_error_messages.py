"""Error lines a user reads: each thing said once, and `config` naming the setting meant. The real `nemo`
as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nemo_cli.errors import without_repeats

NEMO = str(Path(sys.executable).parent / "nemo")


def errors_of(done):
    return [line for line in done.stderr.splitlines() if line.startswith("error:")]


def test_an_unknown_session_is_said_once(emulator):
    assert emulator.nemo("auth").returncode == 0
    done = emulator.nemo("state", env={"NEMO_SESSION": "5529798706024415232"})
    assert done.returncode == 4
    assert errors_of(done) == ["error: session not found"]  # the service's own words repeated ours


@pytest.mark.parametrize(
    "message,said",
    [
        ("session not found: session not found", "session not found"),
        ("out of credits: Out of credits", "Out of credits"),
        ("cannot upload a.mov: unsupported file type: unsupported file type: .mov", "cannot upload a.mov: unsupported file type: .mov"),
        ("file: file.mp4 is missing", "file: file.mp4 is missing"),  # a word that only begins the next is kept
        ("render failed: the service gave no reason", "render failed: the service gave no reason"),
    ],
)
def test_without_repeats(message, said):
    assert without_repeats(message) == said


def nemo(*args, config):
    env = {**os.environ, "NEMO_CONFIG_DIR": str(config)}
    return subprocess.run([NEMO, *args], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "args,line",
    [
        (["config", "set", "export.timout", "60"], "error: unknown setting 'export.timout'; did you mean 'export.timeout'?"),
        (["config", "set", "langauge", "de"], "error: unknown setting 'langauge'; did you mean 'language'?"),
        (["config", "get", "api-url"], "error: unknown setting 'api-url'; did you mean 'api_url'?"),
        (["config", "set", "no_such_thing", "1"], "error: unknown setting 'no_such_thing'"),
        (["config", "set", "export.timeout", "an hour"], "error: export.timeout must be a non-negative number, not 'an hour'"),
        (["config", "set", "retries", "2.5"], "error: retries must be a non-negative whole number, not '2.5'"),
    ],
)
def test_config_set_refuses_with_a_usage_error(isolated_env, args, line):
    done = nemo(*args, config=isolated_env)
    assert done.returncode == 2
    assert errors_of(done) == [line]
    assert done.stdout == "" and not (isolated_env / "config.toml").exists()


def test_config_set_a_known_key_still_works(isolated_env):
    assert nemo("config", "set", "export.timeout", "60", config=isolated_env).returncode == 0
    assert nemo("config", "get", "export.timeout", "-q", config=isolated_env).stdout == "60.0\n"


# -- the API names a reason; nemo_cli.errors words the hint ---------------------------------------------


def test_a_reason_brings_its_hint_and_an_explicit_hint_wins():
    from nemo_cli import errors

    assert errors.ConfigError("x", reason="not_the_api").hint == "check the API URL (`nemo config get api_url`)"
    assert errors.ConfigError("x", reason="not_the_api", hint="mine").hint == "mine"
    assert errors.NetworkError("x", reason="no_such_reason").hint == errors.NetworkError.default_hint
    late = errors.NetworkError("x").because("upload_sent_in_full")
    assert late.reason == "upload_sent_in_full" and "check with `nemo state` before uploading again" in late.hint


def test_the_api_raises_with_reasons_not_words():
    import httpx

    from nemo_cli.api.http import api_error, not_the_api

    scope = api_error(403, None, "missing scope: upload", {})
    assert scope.reason == "missing_scope" and scope.hint == "use a token with that scope: `nemo auth login`"
    page = not_the_api(httpx.Response(200, text="<html>", request=httpx.Request("GET", "http://127.0.0.1:1/x")), "a web page", {})
    assert page.reason == "not_the_api" and page.hint == "check the API URL (`nemo config get api_url`)"
