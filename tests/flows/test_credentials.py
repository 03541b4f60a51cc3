"""Credentials beside the Context, and the transport as the one HTTP seam: a Context given a transport sends
every request of every client it builds (the API client, the token client, the CDN client of downloads)
through it; `run(…, transport=…)` hands it to one invocation and to no other; a rejected anonymous token is
renewed through the token-only client, without building a second API client inside the first one's request.
Against the recording stub of foundation_stub (httpx.MockTransport)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.foundation_stub import API, APP, USER_TOKEN, WEB, Service, bearer
from nemo_cli.api import client as api_client
from nemo_cli.commands.common import run
from nemo_cli.context import Context
from nemo_cli.credentials import Credentials
from nemo_cli.store import Store

ANONYMOUS = "/api/auth/anonymous-token"
CREDITS = "/api/credits/balance/simple"


@pytest.fixture
def stub(monkeypatch) -> Service:
    monkeypatch.setenv("NEMO_API_URL", API)
    monkeypatch.setenv("NEMO_WEB_URL", WEB)
    monkeypatch.setenv("NEMO_RETRY_BACKOFF", "0")
    return Service()


def test_every_client_a_context_builds_sends_through_its_transport(stub):
    ctx = Context(transport=httpx.MockTransport(stub))
    assert ctx.client.credits().available == 100  # no token yet: the token client asks for one first
    assert [r.url.path for r in stub.requests] == [ANONYMOUS, CREDITS]
    assert "authorization" not in stub.requests[0].headers and stub.requests[0].headers["x-client-id"]
    assert bearer(stub.requests[1]) == Store().profile().token["value"]

    from nemo_cli.api.download import cdn_client

    with cdn_client(ctx.client.http.config) as cdn:  # the download's client for hosts other than the API
        cdn.get("https://cdn.test/v/render_1.mp4")  # cdn.test is no host: only the stub can answer
    assert stub.requests[-1].url.host == "cdn.test" and "authorization" not in stub.requests[-1].headers


def test_a_context_without_a_transport_uses_the_network(stub, monkeypatch):
    monkeypatch.setenv("NEMO_TOKEN", USER_TOKEN)
    monkeypatch.setenv("NEMO_API_URL", "http://127.0.0.1:9")  # the discard port: nothing answers
    monkeypatch.setenv("NEMO_RETRIES", "0")
    from nemo_cli.errors import NetworkError

    with pytest.raises(NetworkError, match="cannot connect to http://127.0.0.1:9"):
        Context().client.credits()
    assert stub.requests == []


def test_run_hands_its_transport_to_that_invocation_only(stub, monkeypatch, capsys):
    monkeypatch.setenv("NEMO_TOKEN", USER_TOKEN)
    assert run(APP, ["credits", "--json"], transport=httpx.MockTransport(stub)) == 0
    assert [r.url.path for r in stub.requests] == [CREDITS]
    assert bearer(stub.requests[0]) == USER_TOKEN

    monkeypatch.setenv("NEMO_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("NEMO_RETRIES", "0")
    capsys.readouterr()
    assert run(APP, ["credits"]) == 9  # the next run was given none: the network, which refuses
    assert "cannot connect to http://127.0.0.1:9" in capsys.readouterr().err
    assert len(stub.requests) == 1


def test_a_rejected_anonymous_token_is_renewed_by_the_token_client_not_a_second_api_client(stub, monkeypatch):
    with Store().edit() as prof:
        prof.client_id = "c0ffee00-0000-4000-8000-000000000001"
        prof.set_token("nmv_usr_anonOLD0SECRETold", "anonymous", "2099-01-01T00:00:00Z", "usr_anon_old")
    built: list[object] = []
    original = api_client.NemoClient.__init__

    def counted(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(api_client.NemoClient, "__init__", counted)
    ctx = Context(transport=httpx.MockTransport(stub))
    assert ctx.client.credits().available == 100
    assert [r.url.path for r in stub.requests] == [CREDITS, ANONYMOUS, CREDITS]
    assert stub.requests[1].headers["x-client-id"] == "c0ffee00-0000-4000-8000-000000000001"
    renewed = Store().profile().token["value"]
    assert renewed != "nmv_usr_anonOLD0SECRETold" and bearer(stub.requests[2]) == renewed
    assert built == [ctx.client]  # one API client; the renewal asked the token client


def test_a_users_token_is_never_renewed(stub, monkeypatch):
    monkeypatch.setenv("NEMO_TOKEN", "nmv_usr_revokedSECRET999")
    from nemo_cli.errors import AuthError

    with pytest.raises(AuthError, match="the service rejected NEMO_TOKEN") as caught:
        Context(transport=httpx.MockTransport(stub)).client.credits()
    assert "fix NEMO_TOKEN" in (caught.value.hint or "")
    assert [r.url.path for r in stub.requests] == [CREDITS]  # no anonymous token asked for


def test_credentials_need_no_context_only_a_store_and_a_transport_configuration(stub):
    config = {"base_url": API, "web_url": WEB, "retries": 0, "transport": httpx.MockTransport(stub)}
    creds = Credentials(Store(), lambda: config)
    assert creds.token() == (None, "user") and not creds.usable()
    grant = creds.ensure()
    assert grant is not None and grant.credits == 100
    assert creds.token() == (grant.token, "anonymous") and creds.usable()
    assert creds.ensure() is None  # a usable token: nothing asked
    assert [r.url.path for r in stub.requests] == [ANONYMOUS]


@pytest.mark.parametrize("token", ['" nmv_usr_a b"', '"nmv_usr_\\ud800x"', '"nmv_usr_\u00e9"', '""', '"nmv_usr_\\u001b"'])
def test_an_anonymous_token_no_request_could_carry_is_refused_and_not_stored(stub, token, capsys):
    body = '{"code": 0, "data": {"token": %s, "credits": 100}}' % token  # JSON text: a lone surrogate escaped
    stub.then("POST", ANONYMOUS, httpx.Response(200, content=body.encode(), headers={"content-type": "application/json"}))
    assert run(APP, ["auth"], transport=httpx.MockTransport(stub)) == 9
    assert capsys.readouterr().err.splitlines() == [
        "error: the service sent a malformed anonymous token reply (token: not a token a request can carry)",
        "hint: rerun with --debug to see the reply",
    ]
    assert Store().profile().token == {} and [r.url.path for r in stub.requests] == [ANONYMOUS]


def test_the_commands_chat_runs_in_process_send_through_the_chat_runs_transport(stub, monkeypatch, capsys):
    monkeypatch.setenv("NEMO_TOKEN", USER_TOKEN)
    assert run(APP, ["chat", "credits"], transport=httpx.MockTransport(stub)) == 0
    assert [r.url.path for r in stub.requests] == [CREDITS] and bearer(stub.requests[0]) == USER_TOKEN
    assert "100" in capsys.readouterr().out
