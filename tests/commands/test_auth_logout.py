"""Logging out an anonymous user. The service gives one anonymous token per client id per week, so a
discarded anonymous token cannot be replaced before the week is over: `nemo auth logout` keeps it unless
--force is given, and the 429 the next `nemo auth` meets says exactly that, with when and what works
instead. The real `nemo` against the emulator (the emulator's request log is the witness), and the stub
for the shapes the emulator does not send."""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime

import httpx
import pytest

from tests.support.foundation_stub import STUB, WEB, nemo, sleeps  # noqa: F401  (sleeps: a fixture)
from nemo_cli.emulator.world import WEEK

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ANON = "/api/auth/anonymous-token"


def store_text(emu) -> str:
    return (emu.config_dir / "config.toml").read_text()


def token_table(emu) -> dict:
    return tomllib.loads(store_text(emu))["profiles"]["default"].get("token", {})


def lines(done, prefix: str) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith(prefix)]


@pytest.fixture
def anonymous(emulator):
    done = emulator.nemo("auth")
    assert done.returncode == 0, done.stderr
    assert token_table(emulator)["kind"] == "anonymous"
    return emulator


@pytest.mark.parametrize("args", [[], ["--json"], ["-q"]])
def test_logout_keeps_an_anonymous_token_without_force(anonymous, args):
    emu = anonymous
    before, mark = store_text(emu), len(emu.requests)
    done = emu.nemo("auth", "logout", *args)
    assert done.returncode == 2 and done.stdout == ""
    until = token_table(emu)["expires_at"]
    assert lines(done, "error:") == [
        "error: not discarding the anonymous token: the service gives one anonymous token per client id per week, "
        f"so no new one could be had until {until}, and this one's credits and sessions would be out of reach"
    ]
    [hint] = lines(done, "hint:")
    assert "`nemo auth logout --force`" in hint and "`nemo auth login`" in hint
    assert len(done.stderr.splitlines()) == 2
    assert store_text(emu) == before  # the token, byte for byte
    assert emu.requests[mark:] == []  # the service is not asked anything
    assert emu.nemo("credits", "-q").returncode == 0  # and the token still works


def test_logout_force_discards_it_and_the_next_auth_meets_the_weekly_limit(anonymous):
    emu = anonymous
    before = tomllib.loads(store_text(emu))["profiles"]["default"]
    until = before["token"]["expires_at"]
    done = emu.nemo("auth", "logout", "--force", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"logged_out": True}
    assert lines(done, "warning:") == [
        f"warning: discarded an anonymous token: the service gives no new one to this client id until {until}; "
        "log in with a registered token meanwhile (`nemo auth login`)"
    ]
    after = tomllib.loads(store_text(emu))["profiles"]["default"]
    assert "token" not in after and after["client_id"] == before["client_id"]

    mark = len(emu.requests)
    again = emu.nemo("auth", timeout=60)  # a limit of days is reported at once, not slept on
    assert again.returncode == 8 and again.stdout == ""
    assert lines(again, "error:") == [
        "error: the service gives one anonymous token per client id per week and refused another (HTTP 429: "
        "this client id already has a token for this week; reuse it, or ask again once it expires)"
    ]
    [hint] = lines(again, "hint:")
    match = re.fullmatch(
        r"hint: another can be had in (?:7 days|6 days 23 hours) \((\S+)Z\); until then, log in with a registered token "
        rf"from {re.escape(emu.web_url)}: `nemo auth login`",
        hint,
    )
    assert match, hint
    said, expires = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in (match.group(1) + "Z", until))
    assert abs((said - expires).total_seconds()) <= 2  # the service's Retry-After: when the discarded token expires
    assert "nemo auth`" not in hint.replace("nemo auth login`", "") and "wait a while" not in hint  # no loop
    asked = emu.requests[mark:]
    assert [(r.path, r.status) for r in asked] == [(ANON, 429)]  # asked once: no retry after a week-long wait
    assert asked[0].headers["x-client-id"] == before["client_id"]
    assert "token" not in tomllib.loads(store_text(emu))["profiles"]["default"]

    # what the hint says works: a registered token
    registered = emu.world.add_user()
    login = emu.nemo("auth", "login", "--with-token", input=registered)
    assert login.returncode == 0, login.stderr
    assert token_table(emu) == {"value": registered, "kind": "user"}


def test_the_weekly_limit_stops_every_command_that_needs_a_token(anonymous):
    emu = anonymous
    assert emu.nemo("auth", "logout", "--force").returncode == 0
    done = emu.nemo("session", "new", "-q", timeout=60)
    assert done.returncode == 8 and done.stdout == ""
    assert lines(done, "error:")[0].startswith("error: the service gives one anonymous token per client id per week")
    assert "`nemo auth login`" in lines(done, "hint:")[0]
    assert not [r for r in emu.requests if r.path.startswith("/api/tasks/")]  # never sent without a token


def test_a_registered_token_logs_out_freely(emulator):
    token = emulator.world.add_user()
    assert emulator.nemo("auth", "login", "--with-token", input=token).returncode == 0
    mark = len(emulator.requests)
    done = emulator.nemo("auth", "logout")
    assert done.returncode == 0 and done.stdout == "Logged out.\n" and done.stderr == ""
    assert token_table(emulator) == {} and emulator.requests[mark:] == []


def test_an_expired_anonymous_token_logs_out_freely_and_is_renewed_with_the_same_client_id(anonymous):
    emu = anonymous
    store = emu.config_dir / "config.toml"
    until = token_table(emu)["expires_at"]
    store.write_text(store_text(emu).replace(until, "2001-01-01T00:00:00Z"))  # its week is over…
    emu.world.advance(WEEK + 1)  # …for the service too
    done = emu.nemo("auth", "logout")
    assert done.returncode == 0 and done.stdout == "Logged out.\n" and done.stderr == ""
    client_id = tomllib.loads(store_text(emu))["profiles"]["default"]["client_id"]
    mark = len(emu.requests)
    renewed = emu.nemo("auth", "-q")
    assert renewed.returncode == 0 and renewed.stdout == "anonymous\n", renewed.stderr
    asked = [r for r in emu.requests[mark:] if r.path == ANON]
    assert [(r.status, r.headers["x-client-id"]) for r in asked] == [(200, client_id)]


def test_no_stored_token_is_nothing_to_refuse(emulator):
    done = emulator.nemo("auth", "logout")
    assert done.returncode == 0 and done.stdout == "No stored token.\n" and done.stderr == ""


def test_the_per_address_limit_says_so_too(emulator, tmp_path):
    emulator.world.ip_limit = 1
    assert emulator.nemo("auth").returncode == 0
    other = emulator.nemo("auth", env={"NEMO_CONFIG_DIR": tmp_path / "another-client"}, timeout=60)
    assert other.returncode == 8
    assert lines(other, "error:") == [
        "error: the service gives one anonymous token per client id per week and refused another (HTTP 429: "
        "too many anonymous tokens from this address (1 per week))"
    ]
    assert re.fullmatch(r"hint: another can be had in (?:7 days|6 days 23 hours) \(\S+Z\); until then, .*`nemo auth login`", lines(other, "hint:")[0])
    assert [r.status for r in emulator.requests if r.path == ANON] == [200, 429]


# -- a service that gives no Retry-After (the stub) ----------------------------------------------------


def test_a_429_without_retry_after_waits_once_then_says_when_in_words(monkeypatch, sleeps):
    asked = []

    def handler(request):
        asked.append(request)
        return httpx.Response(429, json={"code": 429, "message": "one token per client id per week"})

    monkeypatch.setattr(STUB, "transport", httpx.MockTransport(handler))
    monkeypatch.setenv("NEMO_API_URL", "http://api.test")
    monkeypatch.setenv("NEMO_WEB_URL", WEB)
    done = nemo("auth")
    assert done.exit_code == 8 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: the service gives one anonymous token per client id per week and refused another "
        "(HTTP 429: one token per client id per week)",
        "hint: another can be had once this client id's token has expired (a week after it was issued); "
        f"until then, log in with a registered token from {WEB}: `nemo auth login`",
    ]
    assert sleeps == [30.0] and len(asked) == 2  # the contract's one wait-and-retry, then the message
    assert asked[0].headers["x-client-id"] == asked[1].headers["x-client-id"]

