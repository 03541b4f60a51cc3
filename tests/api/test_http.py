"""The HTTP layer through the real CLI against a recording stub (httpx.MockTransport): headers on every
request, both envelopes, each error code and HTTP status of the contract, each recovery rule, --debug."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.support.foundation_stub import (  # noqa: F401 (fixtures)
    SID,
    USER_TOKEN,
    WEB,
    Service,
    api_ok,
    bearer,
    error_lines,
    nemo,
    service,
    sleeps,
    store_profile,
)
from nemo_cli import __version__
from nemo_cli.store import Store

CREDITS = "/api/credits/balance/simple"
NEW = "/api/tasks/me/with-session/nemo_agent"
STATE = f"/api/state/nemo_agent/me/{SID}/latest"


@pytest.fixture
def user(service, monkeypatch):
    monkeypatch.setenv("NEMO_TOKEN", USER_TOKEN)
    return service


def store_anonymous(token: str = "nmv_usr_anonOLD0SECRETold", client_id: str = "c0ffee00-0000-4000-8000-000000000001"):
    with Store().edit() as prof:
        prof.client_id = client_id
        prof.set_token(token, "anonymous", "2099-01-01T00:00:00Z", "usr_anon_old")
    return token, client_id


def one_error(result, exit_code: int, *needles: str, hint: str | None = None) -> None:
    assert result.exit_code == exit_code, (result.exit_code, result.output)
    errs = error_lines(result)
    assert len(errs) == 1, result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    for needle in needles:
        assert needle in errs[0], (needle, errs[0])
    if hint is not None:
        hints = [line for line in result.stderr.splitlines() if line.startswith("hint:")]
        assert hints and hint in hints[0], (hint, result.stderr)
    assert result.stdout == ""


# -- headers ------------------------------------------------------------------------------------


def test_every_request_carries_attribution_user_agent_and_authorization(service):
    assert nemo("auth").exit_code == 0  # anonymous token, then credits
    assert nemo("session", "new", "-q").exit_code == 0
    assert nemo("state", "-q").exit_code == 0
    assert nemo("session", "open", "-q").exit_code == 0
    assert [r.url.path for r in service.requests] == [
        "/api/auth/anonymous-token", CREDITS, NEW, STATE, "/api/auth/claim-token",
    ]
    token = store_profile().token["value"]
    for request in service.requests:
        h = request.headers
        assert h["x-skill-source"] == "nemo-cli"
        assert h["x-skill-version"] == __version__
        assert h["x-skill-platform"] == "terminal"
        assert h["user-agent"] == f"nemo-cli/{__version__}"
        if request.url.path == "/api/auth/anonymous-token":
            assert "authorization" not in h
            assert h["x-client-id"] == store_profile().client_id
        else:
            assert h["authorization"] == f"Bearer {token}"
            assert "x-client-id" not in h


def test_ci_sets_the_platform(user, monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert nemo("credits").exit_code == 0
    assert user.requests[-1].headers["x-skill-platform"] == "ci"


def test_attribution_headers_are_configurable_by_setting(user, monkeypatch):
    monkeypatch.setenv("CI", "1")
    for key, value in (("skill_source", "my-pipeline"), ("skill_version", "9.9.9"), ("skill_platform", "jenkins")):
        assert nemo("config", "set", key, value).exit_code == 0
    assert nemo("credits").exit_code == 0
    h = user.requests[-1].headers
    assert (h["x-skill-source"], h["x-skill-version"], h["x-skill-platform"]) == ("my-pipeline", "9.9.9", "jenkins")


def test_attribution_headers_are_configurable_by_environment_over_the_store(user, monkeypatch):
    assert nemo("config", "set", "skill_source", "from-store").exit_code == 0
    monkeypatch.setenv("NEMO_SKILL_SOURCE", "from-env")
    monkeypatch.setenv("NEMO_SKILL_VERSION", "1.2.3")
    monkeypatch.setenv("NEMO_SKILL_PLATFORM", "gitlab")
    assert nemo("credits").exit_code == 0
    h = user.requests[-1].headers
    assert (h["x-skill-source"], h["x-skill-version"], h["x-skill-platform"]) == ("from-env", "1.2.3", "gitlab")


# -- envelopes ----------------------------------------------------------------------------------


def test_api_envelope_with_an_error_code_and_http_200_is_an_error(user):
    user.then("GET", CREDITS, httpx.Response(200, json={"code": 1002, "message": "no such session"}))
    one_error(nemo("credits"), 4, "session not found", "no such session")


def test_api_envelope_without_message_or_data(user):
    user.then("GET", CREDITS, httpx.Response(200, json={"code": 0}))
    done = nemo("credits", "--json")
    assert done.exit_code == 0 and json.loads(done.stdout) == {"available": 0, "frozen": 0, "total": 0}


@pytest.mark.parametrize(
    "body",
    [
        {"success": True, "data": {"available": 7, "frozen": 3}},  # render-style envelope
        {"available": 7, "frozen": 3, "total": 10},  # fields at the top level
        {"success": True, "available": 7, "frozen": 3},  # success flag and top-level fields
    ],
)
def test_render_style_envelopes_are_accepted(user, body):
    user.then("GET", CREDITS, httpx.Response(200, json=body))
    done = nemo("credits", "--json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout) == {"available": 7, "frozen": 3, "total": 10}


def test_render_style_failure_is_an_error(user):
    user.then("GET", CREDITS, httpx.Response(200, json={"success": False, "error": "lambda exploded"}))
    done = nemo("credits")
    assert done.exit_code != 0 and "lambda exploded" in error_lines(done)[0]


@pytest.mark.parametrize("content", [b"gateway ok", b'{"code": 0, "data": {"avail', b""])  # web pages: test_api_url.py
def test_a_reply_that_is_not_json_is_a_network_error(user, content):
    user.then("GET", CREDITS, httpx.Response(200, content=content, headers={"content-type": "application/json"}))
    one_error(nemo("credits"), 9, "not JSON", hint="--debug")


def test_a_reply_of_the_wrong_shape_is_a_network_error(user):
    user.then("POST", NEW, api_ok({"task_id": "t"}))  # no session_id
    one_error(nemo("session", "new"), 9, "malformed new session reply", "session_id")


# -- the error table ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply,exit_code,needle,hint",
    [
        (httpx.Response(200, json={"code": 1002, "message": "gone"}), 4, "session not found", "nemo session new"),
        (httpx.Response(404, json={"code": 1002}), 4, "session not found", "nemo session new"),
        (httpx.Response(200, json={"code": 2001, "message": "no credits"}), 5, "out of credits", "top up"),
        (httpx.Response(200, json={"code": 4001}), 6, "unsupported file type", "mp4, mov, avi, webm, mkv, jpg/jpeg, png, gif, webp, mp3, wav, m4a, aac"),
        (httpx.Response(200, json={"code": 4002}), 6, "file too large", "500 MB"),
        (httpx.Response(402, json={"code": 402, "message": "upgrade"}), 7, "free plan", "register or upgrade"),
        (httpx.Response(402), 7, "HTTP 402", "not a credit problem"),
        (httpx.Response(403, json={"code": 403, "message": "missing scope: render"}), 3, "lacks the `render` scope", "nemo auth login"),
        (httpx.Response(403, text="forbidden"), 3, "lacks a scope", "nemo auth login"),
        (httpx.Response(404, text="nope"), 12, "does not look like the NemoVideo API", "check the API URL"),  # more: test_api_url.py
        (httpx.Response(400, json={"code": 400, "message": "bad"}), 6, "HTTP 400", None),
        (httpx.Response(200, json={"code": 7777, "message": "odd"}), 1, "error 7777", None),
    ],
)
def test_error_table(user, reply, exit_code, needle, hint):
    user.then("GET", CREDITS, reply)
    one_error(nemo("credits"), exit_code, needle, hint=hint)
    assert len(user.credits_requests()) == 1  # none of these is retried


def test_2001_for_an_anonymous_user_links_to_registration(service):
    store_anonymous()
    service.tokens["nmv_usr_anonOLD0SECRETold"] = "anonymous"
    service.then("POST", NEW, httpx.Response(200, json={"code": 2001, "message": "insufficient credits"}))
    one_error(nemo("session", "new"), 5, "out of credits", hint=f"{WEB}/?bind=usr_anon_old")


def test_2001_for_an_anonymous_user_without_user_id_binds_the_session(service, monkeypatch):
    with Store().edit() as prof:
        prof.set_token("nmv_usr_anonNOID0SECRET", "anonymous", "2099-01-01T00:00:00Z")
    service.tokens["nmv_usr_anonNOID0SECRET"] = "anonymous"
    monkeypatch.setenv("NEMO_SESSION", SID)
    service.then("GET", STATE, httpx.Response(200, json={"code": 2001}))
    one_error(nemo("state"), 5, "out of credits", hint=f"{WEB}/?bind={SID}")


def test_2001_for_an_anonymous_user_with_nothing_to_bind_links_to_the_sign_up_page(service):
    with Store().edit() as prof:
        prof.set_token("nmv_usr_anonNOID0SECRET", "anonymous", "2099-01-01T00:00:00Z")
    service.tokens["nmv_usr_anonNOID0SECRET"] = "anonymous"
    service.then("GET", CREDITS, httpx.Response(200, json={"code": 2001}))
    done = nemo("credits")
    one_error(done, 5, "out of credits", hint=f"register to get more credits: {WEB}/")
    assert "bind=" not in done.stderr


def test_2001_for_a_user_token_says_top_up(user):
    user.then("GET", CREDITS, httpx.Response(200, json={"code": 2001}))
    done = nemo("credits")
    one_error(done, 5, "out of credits", hint=f"top up your credits at {WEB}")
    assert "bind=" not in done.stderr


# -- 1001: anonymous tokens renew, user tokens stop ---------------------------------------------


@pytest.mark.parametrize("how", ["http200", "http401"])
def test_1001_with_an_anonymous_token_renews_with_the_same_client_id_and_retries_once(service, how):
    service.rejected_with = how
    old, client_id = store_anonymous()  # not among the service's valid tokens: it is rejected
    done = nemo("credits", "--json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["available"] == 100
    anon = service.anonymous_requests()
    assert len(anon) == 1 and anon[0].headers["x-client-id"] == client_id
    new = store_profile().token["value"]
    assert new != old and store_profile().token["kind"] == "anonymous"
    assert [bearer(r) for r in service.credits_requests()] == [old, new]
    assert store_profile().client_id == client_id


def test_expired_anonymous_tokens_renew_with_the_same_client_id_each_time(service):
    """Two renewals in a row: both anonymous-token requests carry the one persisted client id."""
    _, client_id = store_anonymous()
    assert nemo("credits").exit_code == 0
    first = store_profile().token["value"]
    del service.tokens[first]  # the service forgets it: expired
    assert nemo("credits").exit_code == 0
    anon = service.anonymous_requests()
    assert [r.headers["x-client-id"] for r in anon] == [client_id, client_id]
    assert [bearer(r) for r in service.credits_requests()][-2:] == [first, store_profile().token["value"]]


def test_1001_again_after_renewal_stops_without_a_loop(service):
    store_anonymous()
    service.then("GET", CREDITS, *[httpx.Response(200, json={"code": 1001})] * 2)
    one_error(nemo("credits"), 3, "rejected")
    assert len(service.credits_requests()) == 2 and len(service.anonymous_requests()) == 1


@pytest.mark.parametrize("how", ["http200", "http401"])
def test_1001_with_a_stored_user_token_stops_and_says_how_to_log_in(service, how):
    service.rejected_with = how
    with Store().edit() as prof:
        prof.set_token("nmv_usr_revokedSECRET99", "user")
    one_error(nemo("credits"), 3, "rejected the stored token", hint="nemo auth login")
    assert not service.anonymous_requests() and len(service.credits_requests()) == 1
    assert store_profile().token["value"] == "nmv_usr_revokedSECRET99"  # never replaced behind the user's back


def test_1001_with_nemo_token_stops_and_names_the_variable(service, monkeypatch):
    monkeypatch.setenv("NEMO_TOKEN", "nmv_usr_envrevokedSECRET")
    one_error(nemo("credits"), 3, "NEMO_TOKEN", hint="NEMO_TOKEN")
    assert not service.anonymous_requests()
    assert store_profile().token == {}


# -- HTTP 400 on the anonymous-token request: a new client id, persisted, one retry -------------------


def test_400_missing_client_id_makes_and_persists_a_new_one_and_retries_once(service):
    with Store().edit() as prof:
        prof.client_id = "refused-client-id"
    service.then("POST", "/api/auth/anonymous-token", httpx.Response(400, json={"message": "missing X-Client-Id"}))
    done = nemo("auth")
    assert done.exit_code == 0, done.stderr
    anon = service.anonymous_requests()
    assert len(anon) == 2
    assert anon[0].headers["x-client-id"] == "refused-client-id"
    new_id = store_profile().client_id
    assert new_id != "refused-client-id" and anon[1].headers["x-client-id"] == new_id
    assert store_profile().token["kind"] == "anonymous"


def test_400_twice_is_an_error_and_not_a_loop(service):
    service.then("POST", "/api/auth/anonymous-token", *[httpx.Response(400, json={"message": "missing X-Client-Id"})] * 3)
    done = nemo("auth")
    assert done.exit_code != 0 and len(error_lines(done)) == 1
    assert len(service.anonymous_requests()) == 2
    assert store_profile().token == {}


# -- 429 ------------------------------------------------------------------------------------------


def test_429_waits_retry_after_and_retries_once(user, sleeps):
    user.then("GET", CREDITS, httpx.Response(429, headers={"Retry-After": "7"}))
    assert nemo("credits").exit_code == 0
    assert sleeps == [7.0] and len(user.credits_requests()) == 2


def test_429_without_retry_after_waits_the_default_30s(user, sleeps):
    user.then("POST", NEW, httpx.Response(429))
    assert nemo("session", "new", "-q").stdout.strip() == SID
    assert sleeps == [30.0] and len(user.to(NEW)) == 2


def test_429_wait_follows_the_setting(user, sleeps, monkeypatch):
    monkeypatch.setenv("NEMO_RATE_LIMIT_WAIT", "0.25")
    user.then("GET", CREDITS, httpx.Response(429, headers={"Retry-After": "soon"}))
    assert nemo("credits").exit_code == 0
    assert sleeps == [0.25]


@pytest.mark.parametrize(
    "value,low,high",
    [("in-20s", 15.0, 20.0), ("in-the-past", 0.0, 0.0), ("Wed, 99 Foo 2015 07:28:00 GMT", 30.0, 30.0),
     ("nan", 30.0, 30.0), ("-4", 0.0, 0.0), ("86400", 300.0, 300.0)],
)
def test_429_retry_after_as_an_http_date_or_odd_values(user, sleeps, value, low, high):
    from datetime import datetime, timedelta, timezone
    from email.utils import format_datetime

    now = datetime.now(timezone.utc)
    value = {"in-20s": format_datetime(now + timedelta(seconds=20), usegmt=True),
             "in-the-past": format_datetime(now - timedelta(hours=1), usegmt=True)}.get(value, value)
    user.then("GET", CREDITS, httpx.Response(429, headers={"Retry-After": value}))
    assert nemo("credits").exit_code == 0
    assert len(sleeps) == 1 and low <= sleeps[0] <= high, (value, sleeps)


def test_connect_and_read_timeouts_follow_the_settings(user, monkeypatch):
    assert nemo("credits").exit_code == 0
    assert user.requests[-1].extensions["timeout"] == {"connect": 10.0, "read": 60.0, "write": 60.0, "pool": 60.0}
    monkeypatch.setenv("NEMO_CONNECT_TIMEOUT", "2.5")
    assert nemo("config", "set", "read_timeout", "7").exit_code == 0
    assert nemo("credits").exit_code == 0
    assert user.requests[-1].extensions["timeout"] == {"connect": 2.5, "read": 7.0, "write": 7.0, "pool": 7.0}


def test_a_second_429_gives_up_with_exit_8(user, sleeps):
    user.then("GET", CREDITS, httpx.Response(429, headers={"Retry-After": "1"}), httpx.Response(429, headers={"Retry-After": "1"}))
    one_error(nemo("credits"), 8, "rate limited", hint="wait a while")
    assert sleeps == [1.0] and len(user.credits_requests()) == 2


def test_429_on_the_anonymous_token_request_retries_once_with_the_same_client_id(service, sleeps):
    service.then("POST", "/api/auth/anonymous-token", httpx.Response(429, headers={"Retry-After": "2"}))
    assert nemo("auth").exit_code == 0
    anon = service.anonymous_requests()
    assert len(anon) == 2 and anon[0].headers["x-client-id"] == anon[1].headers["x-client-id"]
    assert sleeps == [2.0]


# -- 5xx and connection errors ----------------------------------------------------------------------


def test_gets_retry_5xx_with_exponential_backoff(user, sleeps):
    user.then("GET", CREDITS, httpx.Response(500), httpx.Response(502), httpx.Response(503))
    assert nemo("credits").exit_code == 0
    assert len(user.credits_requests()) == 4
    assert len(sleeps) == 3
    for i, delay in enumerate(sleeps):  # 0.5 s doubling, jittered 0.5x..1.5x
        base = 0.5 * 2**i
        assert 0.5 * base <= delay <= 1.5 * base, sleeps


def test_gets_give_up_after_the_configured_retries(user, sleeps, monkeypatch):
    monkeypatch.setenv("NEMO_RETRIES", "2")
    user.then("GET", CREDITS, *[httpx.Response(503, json={"code": 503, "message": "overloaded"})] * 5)
    one_error(nemo("credits"), 9, "HTTP 503", "overloaded")
    assert len(user.credits_requests()) == 3 and len(sleeps) == 2


def test_retries_zero_means_one_attempt(user, sleeps, monkeypatch):
    monkeypatch.setenv("NEMO_RETRIES", "0")
    user.then("GET", CREDITS, httpx.Response(500))
    one_error(nemo("credits"), 9, "HTTP 500")
    assert len(user.credits_requests()) == 1 and sleeps == []


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ReadError("reset"), httpx.ReadTimeout("slow")])
def test_gets_retry_connection_errors(user, sleeps, exc):
    user.then("GET", CREDITS, exc, exc)
    assert nemo("credits").exit_code == 0
    assert len(user.credits_requests()) == 3 and len(sleeps) == 2


def test_connection_errors_that_never_clear_are_exit_9(user, sleeps):
    user.then("GET", CREDITS, *[httpx.ConnectError("refused")] * 4)
    one_error(nemo("credits"), 9, "cannot connect to http://api.test")
    assert len(user.credits_requests()) == 4 and len(sleeps) == 3


def test_timeouts_that_never_clear_say_so(user, sleeps):
    user.then("GET", CREDITS, *[httpx.ReadTimeout("slow")] * 4)
    one_error(nemo("credits"), 9, "did not answer in time")


@pytest.mark.parametrize("reply", [httpx.Response(500), httpx.Response(503, text="busy"), httpx.ReadError("reset mid-reply")])
def test_posts_are_not_sent_again_once_the_server_had_them(user, sleeps, reply):
    user.then("POST", NEW, reply)
    one_error(nemo("session", "new"), 9)
    assert len(user.to(NEW)) == 1 and sleeps == []
    assert store_profile().session == {}


def test_a_post_that_never_connected_is_sent_again(user, sleeps):
    user.then("POST", NEW, httpx.ConnectError("refused"))
    done = nemo("session", "new", "-q")
    assert done.exit_code == 0 and done.stdout.strip() == SID
    assert len(user.to(NEW)) == 2 and len(sleeps) == 1


# -- --debug ---------------------------------------------------------------------------------------


def test_debug_logs_requests_and_replies_with_tokens_masked(service):
    done = nemo("--debug", "auth")  # the anonymous-token reply carries the new token in its body
    assert done.exit_code == 0
    token = store_profile().token["value"]
    assert token not in done.stdout and token not in done.stderr
    debug = [line for line in done.stderr.splitlines() if line.startswith("debug: ")]
    assert "debug: > POST http://api.test/api/auth/anonymous-token" in debug
    assert "debug: > GET http://api.test/api/credits/balance/simple" in debug
    assert any(line.startswith("debug: < 200 OK") for line in debug)
    assert f"debug: > authorization: Bearer nmv_usr_…{token[-4:]}" in debug
    assert any(line.startswith("debug: > x-skill-platform: terminal") for line in debug)
    assert any('"available": 100' in line or '"available":100' in line for line in debug)
    assert done.stdout.count("\n") >= 1 and "debug:" not in done.stdout  # data only on stdout


def test_debug_by_environment_masks_user_and_claim_tokens(user, monkeypatch):
    monkeypatch.setenv("NEMO_DEBUG", "1")
    monkeypatch.setenv("NEMO_SESSION", SID)
    done = nemo("session", "open", "--json")
    assert done.exit_code == 0
    assert "debug: > POST http://api.test/api/auth/claim-token" in done.stderr
    assert USER_TOKEN not in done.stderr and "clm_claimtoken0042" not in done.stderr
    assert json.loads(done.stdout)["url"].endswith("ct=clm_claimtoken0042")  # the link itself is data


def test_debug_masks_a_token_echoed_in_an_error(user):
    user.then("GET", CREDITS, httpx.Response(403, json={"code": 403, "message": f"token {USER_TOKEN} lacks scope write"}))
    done = nemo("--debug", "credits")
    assert done.exit_code == 3 and len(error_lines(done)) == 1
    assert "`write` scope" in error_lines(done)[0] and "nmv_usr_…0001" in error_lines(done)[0]
    assert USER_TOKEN not in done.stderr


def test_debug_masks_a_token_of_another_shape_in_a_reply_body(service):
    """The contract's tokens look like nmv_usr_…, but nothing can be checked against the live service:
    a token field is masked by its name whatever the token looks like."""
    service.then("POST", "/api/auth/anonymous-token", api_ok({"token": "eyJhbGciOiJIUzI1NiJ9.SECRETpayload.sig42", "user_id": "u"}))
    service.tokens["eyJhbGciOiJIUzI1NiJ9.SECRETpayload.sig42"] = "anonymous"
    done = nemo("--debug", "auth")
    assert done.exit_code == 0, done.stderr
    assert "SECRETpayload" not in done.stderr and "SECRETpayload" not in done.stdout
    assert '"token"' in done.stderr  # the body is still logged, with the value masked


def test_debug_masks_every_field_named_for_a_token_at_any_depth(user):
    """Not just a field named `token`: any name holding "token", in any case, nested or in a list, and
    whatever the field holds. No value here has a token's shape, so only the field names can mask them."""
    hidden = {f"opaque{n}-SECRET-{n:04d}zz" for n in range(1, 9)}
    body = {
        "available": 7, "frozen": 0, "total": 7,
        "access_token": "opaque1-SECRET-0001zz",
        "Refresh_Token": "opaque2-SECRET-0002zz",
        "account": {"claimToken": "opaque3-SECRET-0003zz", "plan": "free"},
        "grants": [{"scope": "read", "id_token": "opaque4-SECRET-0004zz"}, {"upload_token": "opaque5-SECRET-0005zz"}],
        "tokens": ["opaque6-SECRET-0006zz", "opaque7-SECRET-0007zz"],
        "token": {"value": "opaque8-SECRET-0008zz", "kind": "user"},
    }
    user.then("GET", CREDITS, api_ok(body))
    done = nemo("--debug", "credits", "--json", secrets=tuple(hidden))
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["available"] == 7
    [logged] = [line for line in done.stderr.splitlines() if line.startswith("debug: < {")]
    for name in ('"access_token"', '"Refresh_Token"', '"claimToken"', '"id_token"', '"upload_token"', '"tokens"', '"plan":"free"'):
        assert name in logged, (name, logged)  # the body is still logged, names and other values intact
    assert not [secret for secret in hidden if secret in done.stderr]
