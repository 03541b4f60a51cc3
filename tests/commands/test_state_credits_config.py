"""`nemo credits`, `nemo state` and `nemo config` against the recording stub; setting precedence
(flag > environment > store > default) and profiles (--profile, NEMO_PROFILE)."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.support.foundation_stub import DRAFT, SID, STATE, USER_TOKEN, error_lines, nemo, service, store_profile  # noqa: F401
from nemo_cli.settings import DEFAULT_API_URL, SETTINGS
from nemo_cli.store import Store

CREDITS = "/api/credits/balance/simple"
STATE_PATH = f"/api/state/nemo_agent/me/{SID}/latest"


@pytest.fixture
def user(service, monkeypatch):
    monkeypatch.setenv("NEMO_TOKEN", USER_TOKEN)
    monkeypatch.setenv("NEMO_SESSION", SID)
    return service


# -- credits ---------------------------------------------------------------------------------------


def test_credits_json_is_exactly_the_three_numbers(user):
    done = nemo("credits", "--json")
    assert done.exit_code == 0 and done.stderr == ""
    assert json.loads(done.stdout) == {"available": 100, "frozen": 0, "total": 100}
    assert [r.url.path for r in user.requests] == [CREDITS]


def test_credits_human_and_quiet(user):
    user.balance = {"available": 55.5, "frozen": 50}  # no total: available + frozen
    assert nemo("credits").stdout == "available: 55.5\nfrozen:    50\ntotal:     105.5\n"
    assert nemo("credits", "-q").stdout == "55.5\n"


def test_credits_ignore_extra_fields(user):
    user.balance = {"available": 3, "frozen": 1, "total": 4, "plan": "free", "bonus": {"x": 1}}
    assert json.loads(nemo("credits", "--json").stdout) == {"available": 3, "frozen": 1, "total": 4}


def test_credits_of_the_wrong_type_are_a_malformed_reply(user):
    user.balance = {"available": "lots"}
    done = nemo("credits", "--json")
    assert done.exit_code == 9 and done.stdout == "" and "malformed credits reply" in error_lines(done)[0]


# -- state ------------------------------------------------------------------------------------------


def test_state_prints_the_timeline_summary(user):
    done = nemo("state")
    assert done.exit_code == 0 and done.stderr == ""
    assert done.stdout.splitlines() == [
        "Timeline (3 tracks, 10s):",
        "  1. Video: city timelapse (0-10s)",
        "  2. BGM: Lo-fi (0-10s, 35%)",
        '  3. Title: "Urban Dreams" (0-3s)',
        "  canvas 1920x1080 (16:9), 1 media file",
    ]
    assert [r.url.path for r in user.requests] == [STATE_PATH]


def test_state_quiet_is_the_contracts_one_line_form(user):
    assert nemo("state", "-q").stdout == (
        'Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) 3. Title: "Urban Dreams" (0-3s)\n'
    )


def test_state_json_is_the_whole_state(user):
    done = nemo("state", "--json")
    assert json.loads(done.stdout) == STATE


def test_state_draft_is_only_the_draft_with_undocumented_keys_untouched(user, tmp_path):
    done = nemo("state", "--draft")
    assert done.exit_code == 0 and done.stderr == ""
    assert json.loads(done.stdout) == DRAFT
    assert json.loads(done.stdout)["t"][0]["sg"][0]["x-undoc"] == [1, {"k": None}]


def test_state_of_an_empty_timeline(user):
    user.states[SID] = {"draft": {}}
    assert nemo("state").stdout.startswith("Timeline: empty")
    assert json.loads(nemo("state", "--draft").stdout) == {}


@pytest.mark.parametrize(
    "draft,ready",
    [
        (DRAFT, True),
        ({"t": [{"tt": 0, "sg": []}, {"tt": 7, "sg": [{"d": 1}]}]}, True),
        ({"t": [{"tt": 0, "sg": []}]}, False),
        ({"t": []}, False),
        ({}, False),
        (None, False),
        ({"t": "garbage"}, False),
    ],
)
def test_state_check_ready_sets_the_exit_code(user, draft, ready):
    user.states[SID] = {"draft": draft}
    done = nemo("state", "--check-ready")
    assert done.stdout == ""
    if ready:
        assert done.exit_code == 0 and done.stderr == ""
    else:
        assert done.exit_code == 6 and len(error_lines(done)) == 1 and "not ready for export" in done.stderr


def test_state_without_a_session_is_exit_4_before_any_request(user, monkeypatch):
    monkeypatch.delenv("NEMO_SESSION")
    for args in (["state"], ["state", "--json"], ["state", "--check-ready"]):
        done = nemo(*args)
        assert done.exit_code == 4 and done.stdout == ""
    assert not user.requests


def test_state_tolerates_a_reply_without_state(user):
    user.then("GET", STATE_PATH, httpx.Response(200, json={"code": 0, "data": {"state": None, "extra": 1}}))
    done = nemo("state", "--check-ready")
    assert done.exit_code == 6


# -- config -------------------------------------------------------------------------------------------


def test_config_path_is_the_store_under_nemo_config_dir(service, isolated_env):
    assert nemo("config", "path").stdout == f"{isolated_env / 'config.toml'}\n"
    assert json.loads(nemo("config", "path", "--json").stdout) == {"path": str(isolated_env / "config.toml")}


def test_config_set_get_unset(service, isolated_env):
    assert nemo("config", "get", "retries").stdout == "3\n"
    done = nemo("config", "set", "retries", "5")
    assert done.exit_code == 0 and done.stdout == "retries = 5\n"
    assert "retries = 5" in (isolated_env / "config.toml").read_text()
    assert json.loads(nemo("config", "get", "retries", "--json").stdout) == {"key": "retries", "value": 5, "origin": "config"}
    assert json.loads(nemo("config", "unset", "retries", "--json").stdout) == {"key": "retries", "removed": True}
    assert nemo("config", "unset", "retries").stdout == "retries was not set\n"
    assert json.loads(nemo("config", "get", "retries", "--json").stdout)["origin"] == "default"


def test_config_list_shows_every_setting_with_its_origin(service, monkeypatch):
    nemo("config", "set", "language", "ja")
    monkeypatch.setenv("NEMO_RETRIES", "1")
    rows = {r["key"]: r for r in json.loads(nemo("config", "list", "--json").stdout)}
    assert set(rows) == set(SETTINGS)
    assert (rows["language"]["value"], rows["language"]["origin"]) == ("ja", "config")
    assert (rows["retries"]["value"], rows["retries"]["origin"], rows["retries"]["env"]) == (1, "env", "NEMO_RETRIES")
    assert rows["api_url"]["origin"] == "env"  # the stub fixture sets NEMO_API_URL
    assert rows["web_url"]["origin"] == "env" and rows["read_timeout"]["origin"] == "default"
    assert nemo("config", "list", "-q").stdout.splitlines() == list(SETTINGS)
    human = nemo("config", "list").stdout.splitlines()
    assert len(human) == len(SETTINGS) and human[0].startswith("api_url")


@pytest.mark.parametrize(
    "args,message",
    [
        (("config", "set", "retries", "--", "-1"), "retries must be a non-negative whole number"),
        (("config", "set", "read_timeout", "soon"), "read_timeout must be a non-negative number"),
        (("config", "set", "api_url", "ftp://x"), "api_url must be an http(s) URL"),
        (("config", "set", "no_such_key", "1"), "unknown setting 'no_such_key'"),
        (("config", "get", "no_such_key"), "unknown setting 'no_such_key'"),
        (("config", "unset", "no_such_key"), "unknown setting 'no_such_key'"),
    ],
)
def test_config_refuses_bad_keys_and_values_without_writing(service, isolated_env, args, message):
    done = nemo(*args)
    assert done.exit_code == 2 and message in error_lines(done)[0] and done.stdout == ""  # a usage error: nothing is written
    assert not (isolated_env / "config.toml").exists()


def test_config_set_warns_when_the_environment_wins(service, monkeypatch):
    monkeypatch.setenv("NEMO_LANGUAGE", "de")
    done = nemo("config", "set", "language", "fr")
    assert done.exit_code == 0 and "warning: NEMO_LANGUAGE is set and wins" in done.stderr
    assert nemo("config", "get", "language").stdout == "de\n"


def test_precedence_flag_over_env_over_store_over_default(service, monkeypatch):
    """Seen where it matters: the host every request goes to, and what `config get` reports."""
    monkeypatch.delenv("NEMO_API_URL")
    monkeypatch.setenv("NEMO_TOKEN", USER_TOKEN)

    def host_of_credits(*flags: str) -> str:
        assert nemo(*flags, "credits", "-q").exit_code == 0
        return str(service.requests[-1].url.copy_with(path="/")).rstrip("/")

    assert nemo("config", "get", "api_url").stdout == DEFAULT_API_URL + "\n"
    assert host_of_credits() == DEFAULT_API_URL  # (the stub answers for any host)
    nemo("config", "set", "api_url", "http://store.test")
    assert host_of_credits() == "http://store.test"
    monkeypatch.setenv("NEMO_API_URL", "http://env.test")
    assert host_of_credits() == "http://env.test"
    assert host_of_credits("--api-url", "http://flag.test") == "http://flag.test"
    assert json.loads(nemo("--api-url", "http://flag.test", "config", "get", "api_url", "--json").stdout)["origin"] == "flag"
    assert json.loads(nemo("config", "get", "api_url", "--json").stdout) == {"key": "api_url", "value": "http://env.test", "origin": "env"}


def test_a_bad_flag_value_is_named(service):
    done = nemo("--api-url", "not-a-url", "credits")
    assert done.exit_code == 12 and "--api-url" in error_lines(done)[0] and not service.requests


# -- profiles ---------------------------------------------------------------------------------------------


def test_profiles_keep_their_own_settings_and_tokens(service, monkeypatch):
    nemo("--profile", "work", "config", "set", "language", "ja")
    assert nemo("config", "get", "language").stdout == "en\n"
    assert nemo("-p", "work", "config", "get", "language").stdout == "ja\n"
    monkeypatch.setenv("NEMO_PROFILE", "work")
    assert nemo("config", "get", "language").stdout == "ja\n"
    assert nemo("--profile", "default", "config", "get", "language").stdout == "en\n"  # flag beats env

    assert nemo("auth", "login", "--with-token", input=USER_TOKEN).exit_code == 0  # into `work`
    assert Store(profile="work").profile().token["value"] == USER_TOKEN
    assert store_profile("default").token == {}
    monkeypatch.delenv("NEMO_PROFILE")
    assert nemo("auth", "status").exit_code == 3
    assert nemo("-p", "work", "auth", "status", "-q").stdout == "user\n"
