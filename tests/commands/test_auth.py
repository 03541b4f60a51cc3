"""`nemo auth` and its subcommands against the recording stub: what the user sees, what the store holds,
and what the service received."""

from __future__ import annotations

import json
import stat

import httpx
import pytest

from tests.support.foundation_stub import USER_TOKEN, API, bearer, error_lines, nemo, service, store_profile  # noqa: F401
from nemo_cli.store import Store


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- nemo auth ------------------------------------------------------------------------------------


def test_auth_acquires_and_stores_an_anonymous_token(service, isolated_env):
    done = nemo("auth")
    assert done.exit_code == 0, done.stderr
    prof = store_profile()
    token = prof.token["value"]
    assert prof.token["kind"] == "anonymous" and prof.token["expires_at"] == "2099-01-01T00:00:00Z"
    assert prof.token["user_id"] == "usr_anon_1"
    assert service.anonymous_requests()[0].headers["x-client-id"] == prof.client_id
    assert bearer(service.credits_requests()[0]) == token
    assert mode(isolated_env / "config.toml") == 0o600
    assert "Acquired an anonymous token" in done.stderr
    assert done.stdout.splitlines()[0] == f"Logged in to {API} with an anonymous token"
    assert f"token:   nmv_usr_…{token[-4:]}" in done.stdout and "credits: 100 available, 0 frozen" in done.stdout


def test_auth_keeps_a_usable_token(service):
    assert nemo("auth").exit_code == 0
    first = store_profile().token["value"]
    again = nemo("auth", "--json")
    assert again.exit_code == 0
    assert len(service.anonymous_requests()) == 1 and store_profile().token["value"] == first
    doc = json.loads(again.stdout)
    assert doc["kind"] == "anonymous" and doc["logged_in"] is True and doc["credits"]["available"] == 100
    assert again.stderr == ""


def test_auth_renews_an_expired_anonymous_token_with_the_same_client_id(service):
    with Store().edit() as prof:
        prof.client_id = "11111111-2222-4333-8444-555555555555"
        prof.set_token("nmv_usr_expiredSECRET1", "anonymous", "2001-01-01T00:00:00Z")
    done = nemo("auth", "-q")
    assert done.exit_code == 0 and done.stdout == "anonymous\n"
    anon = service.anonymous_requests()
    assert len(anon) == 1 and anon[0].headers["x-client-id"] == "11111111-2222-4333-8444-555555555555"
    assert store_profile().token["value"] == "nmv_usr_anon0001SECRETxyz"
    assert "nmv_usr_expiredSECRET1" not in [bearer(r) for r in service.requests]  # never sent once expired


def test_auth_with_nemo_token_acquires_nothing(service, monkeypatch):
    monkeypatch.setenv("NEMO_TOKEN", USER_TOKEN)
    done = nemo("auth", "--json")
    assert done.exit_code == 0
    doc = json.loads(done.stdout)
    assert doc["kind"] == "user" and doc["source"] == "env" and doc["token"] == "nmv_usr_…0001"
    assert not service.anonymous_requests() and store_profile().token == {}


def test_auth_reuses_the_persisted_client_id_after_logout(service):
    assert nemo("auth").exit_code == 0
    client_id = store_profile().client_id
    assert nemo("auth", "logout", "--force").exit_code == 0  # an anonymous token goes only with --force
    assert nemo("auth").exit_code == 0
    assert [r.headers["x-client-id"] for r in service.anonymous_requests()] == [client_id, client_id]


def test_auth_uses_nemo_client_id(service, monkeypatch):
    monkeypatch.setenv("NEMO_CLIENT_ID", "env-client-id-0001")
    assert nemo("auth").exit_code == 0
    assert service.anonymous_requests()[0].headers["x-client-id"] == "env-client-id-0001"


# -- auth login ------------------------------------------------------------------------------------


def test_login_with_token_validates_then_stores(service, isolated_env):
    done = nemo("auth", "login", "--with-token", input=USER_TOKEN + "\n")
    assert done.exit_code == 0, done.stderr
    assert [bearer(r) for r in service.requests] == [USER_TOKEN]
    assert service.requests[0].url.path == "/api/credits/balance/simple"
    assert store_profile().token == {"value": USER_TOKEN, "kind": "user"}
    assert mode(isolated_env / "config.toml") == 0o600
    assert "Logged in; 100 credits available." in done.stderr
    assert "with a user token" in done.stdout and "nmv_usr_…0001" in done.stdout


def test_login_replaces_an_anonymous_token(service):
    assert nemo("auth").exit_code == 0
    assert nemo("auth", "login", "--with-token", "--json", input=USER_TOKEN).exit_code == 0
    assert store_profile().token["kind"] == "user"
    assert nemo("credits").exit_code == 0
    assert bearer(service.requests[-1]) == USER_TOKEN


@pytest.mark.parametrize("how", ["http200", "http401"])
def test_a_rejected_token_is_not_stored(service, how):
    service.rejected_with = how
    done = nemo("auth", "login", "--with-token", input="nmv_usr_wrongSECRET42\n")
    assert done.exit_code == 3
    assert len(error_lines(done)) == 1 and "rejected" in error_lines(done)[0]
    assert store_profile().token == {}
    assert not service.anonymous_requests()  # a user's token is never swapped for an anonymous one


def test_a_rejected_login_keeps_the_previous_token(service):
    with Store().edit() as prof:
        prof.set_token(USER_TOKEN, "user")
    done = nemo("auth", "login", "--with-token", input="nmv_usr_wrongSECRET42")
    assert done.exit_code == 3
    assert store_profile().token["value"] == USER_TOKEN


@pytest.mark.parametrize("given", ["", "   \n", "two words"])
def test_login_refuses_what_is_not_a_token_before_any_request(service, given):
    done = nemo("auth", "login", "--with-token", input=given)
    assert done.exit_code == 2 and "not a token" in error_lines(done)[0]
    assert not service.requests


def test_login_without_a_terminal_does_not_prompt(service):
    done = nemo("auth", "login")
    assert done.exit_code == 2
    assert "no terminal" in error_lines(done)[0] and "--with-token" in done.stderr
    assert not service.requests


def test_login_during_an_outage_stores_nothing(service, monkeypatch):
    monkeypatch.setenv("NEMO_RETRIES", "0")
    service.then("GET", "/api/credits/balance/simple", httpx.Response(503))
    done = nemo("auth", "login", "--with-token", input=USER_TOKEN)
    assert done.exit_code == 9 and store_profile().token == {}


# -- auth status -----------------------------------------------------------------------------------


def test_status_when_not_logged_in_is_exit_3_and_acquires_nothing(service):
    for args in (("auth", "status"), ("auth", "status", "--json")):
        done = nemo(*args)
        assert done.exit_code == 3 and done.stdout == ""
        assert error_lines(done) == ["error: not logged in"] and "hint: run `nemo auth`" in done.stderr
    assert not service.requests


def test_status_shows_kind_masked_token_expiry_and_credits(service):
    service.balance = {"available": 60, "frozen": 40}
    assert nemo("auth").exit_code == 0
    done = nemo("auth", "status")
    assert done.exit_code == 0
    assert "anonymous token" in done.stdout and "expires: 2099-01-01T00:00:00Z" in done.stdout
    assert "credits: 60 available, 40 frozen" in done.stdout
    doc = json.loads(nemo("auth", "status", "--json").stdout)
    assert doc == {
        "logged_in": True, "kind": "anonymous", "source": "store", "token": "nmv_usr_…Txyz",
        "expires_at": "2099-01-01T00:00:00Z", "user_id": "usr_anon_1", "api_url": API,
        "credits": {"available": 60, "frozen": 40, "total": 100},
    }


def test_status_with_a_rejected_user_token_is_exit_3_with_json_too(service):
    with Store().edit() as prof:
        prof.set_token("nmv_usr_revokedSECRET7", "user")
    for args in (("auth", "status"), ("auth", "status", "--json")):
        done = nemo(*args)
        assert done.exit_code == 3 and done.stdout == "" and len(error_lines(done)) == 1


# -- auth token --------------------------------------------------------------------------------------


def test_token_prints_the_raw_stored_token(service):
    assert nemo("auth").exit_code == 0
    done = nemo("auth", "token")
    assert done.exit_code == 0 and done.stdout == store_profile().token["value"] + "\n" and done.stderr == ""
    assert len(service.requests) == 2  # printing the token asks the service nothing


def test_token_in_effect_is_nemo_token(service, monkeypatch):
    with Store().edit() as prof:
        prof.set_token("nmv_usr_storedSECRET01", "user")
    monkeypatch.setenv("NEMO_TOKEN", USER_TOKEN)
    assert nemo("auth", "token").stdout == USER_TOKEN + "\n"


def test_token_when_not_logged_in_is_exit_3(service):
    done = nemo("auth", "token")
    assert done.exit_code == 3 and done.stdout == "" and not service.requests


# -- auth logout --------------------------------------------------------------------------------------


def test_logout_forgets_the_token_and_keeps_the_client_id(service):
    assert nemo("auth").exit_code == 0
    client_id = store_profile().client_id
    done = nemo("auth", "logout", "--json", "--force")  # an anonymous token goes only with --force
    assert done.exit_code == 0 and json.loads(done.stdout) == {"logged_out": True}
    assert store_profile().token == {} and store_profile().client_id == client_id
    assert nemo("auth", "status").exit_code == 3
    again = nemo("auth", "logout")
    assert again.exit_code == 0 and again.stdout == "No stored token.\n"


def test_logout_warns_that_nemo_token_stays_in_effect(service, monkeypatch):
    with Store().edit() as prof:
        prof.set_token("nmv_usr_storedSECRET01", "user")
    monkeypatch.setenv("NEMO_TOKEN", USER_TOKEN)
    done = nemo("auth", "logout")
    assert done.exit_code == 0 and done.stdout == "Logged out.\n"
    assert "warning: NEMO_TOKEN is still set" in done.stderr
    assert store_profile().token == {}
