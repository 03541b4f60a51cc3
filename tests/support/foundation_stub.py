"""A stub of the API endpoints the foundation commands use (anonymous token, sessions, claim token,
credits, state), served through httpx.MockTransport so every request goes through the real HTTP layer and
is recorded for the tests to inspect. Tests script failures with `svc.then(method, path, *replies)`.

Not a test module itself: test_http.py, test_auth.py, test_session.py, test_state_credits_config.py
import it from the package tests.support."""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Union

import httpx
import pytest
from typer.testing import CliRunner

from nemo_cli import app as nemo_app
from nemo_cli.api import http
from nemo_cli.commands.common import Injected
from nemo_cli.store import Store

APP = nemo_app.build()
# The stub service's transport, handed to every in-process run (a fixture sets it for one test).
STUB = Injected()
USER_TOKEN = "nmv_usr_usertokenSECRET0001"
SID = "5529798706024415232"
TASK = "task_777"
API = "http://api.test"
WEB = "https://web.test"
DRAFT = {
    "t": [
        {"tt": 0, "sg": [{"d": 10000, "m": {"title": "city timelapse"}, "x-undoc": [1, {"k": None}]}], "zz": "kept"},
        {"tt": 1, "sg": [{"d": 10000, "m": {"title": "Lo-fi", "volume": 35}}]},
        {"tt": 7, "sg": [{"d": 3000, "m": {"text": "Urban Dreams"}}]},
    ],
    "d": 10000,
    "unknown-top": {"a": 1},
}
STATE = {
    "draft": DRAFT,
    "video_infos": [{"url": "https://cdn.test/a.mp4"}],
    "generated_media": [],
    "canvas_config": {"width": 1920, "height": 1080, "aspect_ratio": "16:9"},
}

Reply = Union[httpx.Response, Exception, Callable[[httpx.Request], httpx.Response]]


def api_ok(data: Any) -> httpx.Response:
    return httpx.Response(200, json={"code": 0, "message": "ok", "data": data})


class Service:
    """Valid tokens are `self.tokens` (token → kind); anything else is answered 1001."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.tokens: dict[str, str] = {USER_TOKEN: "user"}
        self.scripted: dict[tuple[str, str], list[Reply]] = {}
        self.issued = 0
        self.balance: dict[str, Any] = {"available": 100, "frozen": 0, "total": 100}
        self.states: dict[str, dict] = {SID: STATE}
        self.rejected_with = "http200"  # how an unknown token is refused: "http200" (code 1001) or "http401"

    # -- scripting ----------------------------------------------------------------------------------
    def then(self, method: str, path: str, *replies: Reply) -> None:
        """The next requests to `method path` get these replies, in order, before the normal route."""
        self.scripted.setdefault((method, path), []).extend(replies)

    # -- the handler --------------------------------------------------------------------------------
    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        queue = self.scripted.get((request.method, request.url.path))
        if queue:
            reply = queue.pop(0)
            if isinstance(reply, Exception):
                raise reply
            return reply(request) if callable(reply) and not isinstance(reply, httpx.Response) else reply
        return self.route(request)

    def route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/auth/anonymous-token" and request.method == "POST":
            if not request.headers.get("x-client-id"):
                return httpx.Response(400, json={"code": 400, "message": "missing X-Client-Id"})
            self.issued += 1
            token = f"nmv_usr_anon{self.issued:04d}SECRETxyz"
            self.tokens[token] = "anonymous"
            return api_ok({"token": token, "user_id": f"usr_anon_{self.issued}", "expires_at": "2099-01-01T00:00:00Z", "credits": 100})
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            if self.rejected_with == "http401":
                return httpx.Response(401, json={"code": 1001, "message": "token invalid"})
            return httpx.Response(200, json={"code": 1001, "message": "token invalid or expired"})
        if path == "/api/tasks/me/with-session/nemo_agent" and request.method == "POST":
            body = json.loads(request.content)
            # a long digit id sent as a JSON number: the client must keep it exact, as text
            return api_ok({"task_id": TASK, "session_id": int(SID), "user_id": "u1", "echo": body})
        if path == "/api/auth/claim-token" and request.method == "POST":
            return api_ok({"claim_token": "clm_claimtoken0042", "expires_in": 604800})
        if path == "/api/credits/balance/simple" and request.method == "GET":
            return api_ok(self.balance)
        match = re.fullmatch(r"/api/state/nemo_agent/me/([^/]+)/latest", path)
        if match and request.method == "GET":
            state = self.states.get(match.group(1))
            if state is None:
                return httpx.Response(200, json={"code": 1002, "message": "session not found"})
            return api_ok({"state": state})
        return httpx.Response(404, json={"code": 404, "message": "no route"})

    # -- looking at what was received ---------------------------------------------------------------
    def to(self, path: str, method: str | None = None) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path and (method is None or r.method == method)]

    def anonymous_requests(self) -> list[httpx.Request]:
        return self.to("/api/auth/anonymous-token", "POST")

    def credits_requests(self) -> list[httpx.Request]:
        return self.to("/api/credits/balance/simple", "GET")


@pytest.fixture
def service(monkeypatch) -> Service:
    svc = Service()
    monkeypatch.setattr(STUB, "transport", httpx.MockTransport(svc))
    monkeypatch.setenv("NEMO_API_URL", API)
    monkeypatch.setenv("NEMO_WEB_URL", WEB)
    return svc


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Every wait the HTTP layer makes (backoff, Retry-After), recorded instead of slept."""
    waited: list[float] = []
    original = http.Transport.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **{**kwargs, "sleep": waited.append})

    monkeypatch.setattr(http.Transport, "__init__", init)
    return waited


def nemo(*args: str, input: str | None = None, env: dict[str, str] | None = None, secrets: tuple[str, ...] = ()):
    """Run the CLI in-process; never a traceback, never a token in the output unless `auth token` asked."""
    result = CliRunner().invoke(APP, list(args), input=input, env=env, obj=STUB)
    assert "Traceback" not in result.output and "internal error" not in result.stderr, result.output
    prints_token = "auth" in args and "token" in args  # `nemo auth token` is the one command that may
    for secret in () if prints_token else (USER_TOKEN, "SECRET") + secrets:
        assert secret not in result.stdout and secret not in result.stderr, (args, result.output)
    return result


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def store_profile(name: str = "default"):
    return Store(profile=name).profile()


def bearer(request: httpx.Request) -> str | None:
    value = request.headers.get("authorization")
    return value[7:] if value and value.startswith("Bearer ") else value
