"""Fuzzed replies for every JSON endpoint the client reads: whatever the service sends, the CLI answers
with a documented exit code and at most a one-line error (plus a hint), never a traceback.

Derandomized (Hypothesis draws the same cases on every run), so a failure repeats as it was seen: rerun the
file and Hypothesis prints the same falsifying example."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.support.cli_run import run
from nemo_cli.errors import EXIT_CODES

DOCUMENTED = {code for code, _, _ in EXIT_CODES}

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True), st.text(max_size=30)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=5)),
    max_leaves=20,
)
KEYS = ["code", "message", "data", "success", "status", "output", "outputUrl", "token", "session_id", "task_id",
        "available", "frozen", "total", "state", "draft", "t", "tt", "sg", "d", "m", "files", "claim_token", "progress"]


@st.composite
def shaped(draw):
    """Bodies shaped like the contract's envelopes, with fields of random types."""
    inner = draw(st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6))
    kind = draw(st.sampled_from(["api", "render", "top", "raw"]))
    if kind == "api":
        return {"code": draw(st.one_of(st.sampled_from([0, 1001, 1002, 2001, 4001, 4002, 9999]), st.integers())),
                "message": draw(st.one_of(st.none(), st.text(max_size=40))), "data": draw(st.one_of(json_values, st.just(inner)))}
    if kind == "render":
        return {"success": draw(st.booleans()), "data": draw(st.one_of(json_values, st.just(inner)))}
    if kind == "top":
        return inner
    return draw(json_values)


@st.composite
def replies(draw):
    status = draw(st.sampled_from([200, 200, 200, 201, 400, 401, 402, 403, 404, 429, 500, 502, 503]))
    mode = draw(st.sampled_from(["json", "json", "truncated", "bytes"]))
    if mode == "bytes":
        body = draw(st.binary(max_size=200))
    else:
        body = json.dumps(draw(shaped()), allow_nan=True).encode()
        if mode == "truncated" and len(body) > 1:
            body = body[: draw(st.integers(1, len(body) - 1))]
    return status, body


COMMANDS = [
    ["credits"], ["credits", "--json"], ["state"], ["state", "--json"], ["state", "--draft"], ["state", "--check-ready"],
    ["session", "new", "-q"], ["session", "open"], ["auth"], ["auth", "status", "--json"],
]


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setenv("NEMO_RETRY_BACKOFF", "0")
    monkeypatch.setenv("NEMO_RATE_LIMIT_WAIT", "0")
    monkeypatch.setenv("NEMO_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("NEMO_SESSION", "5529798706024415232")


@settings(
    max_examples=1500,
    deadline=None,
    derandomize=True,  # the same cases on every run (for a given Hypothesis and Python): failures repeat
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(reply=replies(), command=st.sampled_from(COMMANDS), token=st.sampled_from([None, "nmv_usr_fuzzfuzzfuzz1234"]))
def test_any_reply_gives_a_documented_outcome(fast, monkeypatch, reply, command, token):
    status, body = reply
    if token:
        monkeypatch.setenv("NEMO_TOKEN", token)
    else:
        monkeypatch.delenv("NEMO_TOKEN", raising=False)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": "application/json"})

    result = run(command, transport=httpx.MockTransport(handler))
    assert result.exit_code in DOCUMENTED, (command, reply, result.output)
    assert "Traceback" not in result.output and result.exception is None, repr(result.exception)
    assert "internal error" not in result.stderr, (command, reply, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == (0 if result.exit_code == 0 else 1), result.stderr
    assert "fuzzfuzzfuzz" not in result.output
