"""Whatever the render endpoints answer, `nemo export` ends with a documented exit code and at most one
`error:` line, never a traceback, never the token, and never exit 0 for a render that did not complete.

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
TOKEN = "nmv_usr_fuzzfuzzfuzz9876"
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"  # a video the download check accepts

values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 200), st.floats(allow_nan=True), st.text(max_size=12),
              st.sampled_from(["pending", "processing", "completed", "failed", "cancelled", "https://cdn.test/x.mp4"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
fields = st.dictionaries(
    st.sampled_from(["id", "status", "progress", "outputUrl", "output", "url", "error", "createdAt", "completedAt", "message"]),
    values, max_size=6,
)


@st.composite
def status_reply(draw):
    inner = draw(fields)
    shape = draw(st.sampled_from(["nested", "top", "fail", "raw"]))
    body = {"success": True, "data": inner} if shape == "nested" else {"success": False, **inner} if shape == "fail" else inner
    if shape == "raw":
        body = draw(values)
    return draw(st.sampled_from([200, 200, 200, 404, 500, 503])), json.dumps(body, allow_nan=True).encode()


@pytest.fixture
def env(monkeypatch):
    for name, value in {"NEMO_TOKEN": TOKEN, "NEMO_SESSION": "1", "NEMO_API_URL": "http://api.test",
                        "NEMO_EXPORT_POLL_MIN": "0.001", "NEMO_EXPORT_POLL_MAX": "0.001", "NEMO_RETRY_BACKOFF": "0",
                        "NEMO_EXPORT_ERROR_GRACE": "0", "NEMO_EXPORT_TIMEOUT": "0.05"}.items():
        monkeypatch.setenv(name, value)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same cases on every run (for a given Hypothesis and Python): failures repeat
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(reply=status_reply(), command=st.sampled_from([["status"], ["wait", "--timeout", "0"], ["download", "-o", "-"], ["wait", "--json"]]))
def test_any_status_reply_gives_a_documented_outcome(env, monkeypatch, reply, command):
    code, body = reply

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "cdn.test" or request.url.path.endswith("/download"):
            return httpx.Response(200, content=MP4_HEAD)
        if request.url.path == "/api/auth/claim-token":
            return httpx.Response(200, json={"code": 0, "data": {"claim_token": "clm_x"}})
        return httpx.Response(code, content=body, headers={"content-type": "application/json"})

    result = run(["export", command[0], "render_1_fuzz", *command[1:]], transport=httpx.MockTransport(handler))
    assert result.exit_code in DOCUMENTED, (command, reply, result.stderr)
    assert "Traceback" not in result.output and "internal error" not in result.stderr, result.stderr
    assert result.exception is None, repr(result.exception)
    assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == (result.exit_code != 0)
    assert "fuzzfuzz" not in result.output
    if result.exit_code == 0 and command[0] != "status":
        # a wait or download that succeeded saw a completed render, never a pending or failed one
        assert b'"completed"' in body or b"completed" in body
