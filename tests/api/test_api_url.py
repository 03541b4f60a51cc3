"""An API URL that is not the NemoVideo API: a configuration error (exit 12) with one line saying what
answered, and a hint naming where the URL came from (--api-url, NEMO_API_URL, or the stored setting).

End to end against the emulator (its web pages, its CDN origin, a wrong path prefix) and, for replies the
emulator never gives (redirects, titled 404 pages, gateway pages), against the recording stub."""

from __future__ import annotations

import httpx
import pytest

from tests.support.foundation_stub import USER_TOKEN, error_lines, nemo, service, sleeps  # noqa: F401 (fixtures)

CREDITS = "/api/credits/balance/simple"
TOKEN = {"NEMO_TOKEN": "nmv_usr_apiurltest000001"}


def clean(done) -> None:
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    assert "apiurltest" not in done.stdout + done.stderr


def hint(done) -> str:
    hints = [line for line in done.stderr.splitlines() if line.startswith("hint:")]
    assert len(hints) == 1, done.stderr
    return hints[0]


# -- end to end ---------------------------------------------------------------------------------------


def test_a_web_site_as_api_url_names_the_environment_variable(emulator):
    web = emulator.url + "/web"  # the emulator's web app: HTML for every path
    done = emulator.nemo("credits", env={**TOKEN, "NEMO_API_URL": web})
    clean(done)
    assert done.returncode == 12
    assert error_lines(done) == [f"error: {web} does not look like the NemoVideo API: GET /web{CREDITS} got a web page (HTTP 200)"]
    assert hint(done) == "hint: check the API URL (NEMO_API_URL in the environment)"
    assert done.stdout == ""
    assert [(r.method, r.path, r.status) for r in emulator.requests] == [("GET", f"/web{CREDITS}", 200)]  # asked once


def test_the_flag_is_named_when_the_url_came_from_it(emulator):
    done = emulator.nemo("--api-url", emulator.url + "/web", "credits", env=TOKEN)
    clean(done)
    assert done.returncode == 12
    assert hint(done) == "hint: check the API URL (the --api-url option)"


def test_the_stored_setting_is_named_when_the_url_came_from_the_store(emulator):
    assert emulator.nemo("config", "set", "api_url", emulator.url + "/web", env={"NEMO_API_URL": None}).returncode == 0
    done = emulator.nemo("credits", env={**TOKEN, "NEMO_API_URL": None})
    clean(done)
    assert done.returncode == 12
    assert "does not look like the NemoVideo API" in error_lines(done)[0]
    assert hint(done) == "hint: check the API URL (`nemo config get api_url`)"
    shown = emulator.nemo("config", "get", "api_url", "--json", env={"NEMO_API_URL": None})
    assert '"origin": "config"' in shown.stdout  # what the hint's command shows: the value and where it comes from


def test_another_server_answering_404(emulator):
    """The emulator's CDN as the API URL: a server, but not the API (no token yet: the anonymous-token POST)."""
    done = emulator.nemo("auth", env={"NEMO_API_URL": emulator.cdn_url})
    clean(done)
    assert done.returncode == 12
    assert error_lines(done) == [
        f"error: {emulator.cdn_url} does not look like the NemoVideo API: POST /api/auth/anonymous-token got HTTP 404"
    ]
    assert [(r.origin, r.path) for r in emulator.requests] == [("cdn", "/api/auth/anonymous-token")]


def test_the_api_host_with_a_wrong_path_prefix(emulator):
    base = emulator.url + "/v2"
    done = emulator.nemo("credits", env={**TOKEN, "NEMO_API_URL": base})
    clean(done)
    assert done.returncode == 12
    assert error_lines(done) == [
        f"error: {base} does not look like the NemoVideo API: GET /v2{CREDITS} got HTTP 404: no such endpoint: GET /v2{CREDITS}"
    ]


def test_the_right_url_still_works_and_an_unknown_render_is_still_bad_input(emulator):
    assert emulator.nemo("auth").returncode == 0
    done = emulator.nemo("export", "status", "render_nosuch")
    assert done.returncode == 6 and "knows no render render_nosuch" in done.stderr, done.stderr


# -- replies only a stub gives -------------------------------------------------------------------------


@pytest.fixture
def user(service, sleeps, monkeypatch):  # sleeps: backoff and Retry-After waits are recorded, not slept
    monkeypatch.setenv("NEMO_TOKEN", USER_TOKEN)
    return service


@pytest.mark.parametrize(
    "reply,what",
    [
        (httpx.Response(301, headers={"location": "https://api.example.com/api/credits/balance/simple"}), "a redirect (HTTP 301) to https://api.example.com/api/credits/balance/simple"),
        (httpx.Response(404, html="<html><head><title>404 Not Found</title></head><body>nginx</body></html>"), "a web page (HTTP 404, '404 Not Found')"),
        (httpx.Response(200, content=b"<!DOCTYPE html><html><body>Sign in</body></html>", headers={"content-type": "application/json"}), "a web page (HTTP 200)"),
        (httpx.Response(401, html="<html><body>Log in to the portal</body></html>"), "a web page (HTTP 401)"),
        (httpx.Response(405, text="Method Not Allowed"), "HTTP 405 with a body that is not JSON"),
        (httpx.Response(404), "HTTP 404"),
        (httpx.Response(404, json={"detail": "Not Found"}), "HTTP 404: Not Found"),
    ],
)
def test_replies_that_no_nemovideo_api_gives(user, reply, what):
    user.then("GET", CREDITS, reply, reply)
    done = nemo("credits")
    assert done.exit_code == 12, done.output
    assert error_lines(done) == [f"error: http://api.test does not look like the NemoVideo API: GET {CREDITS} got {what}"]
    assert "hint: check the API URL (NEMO_API_URL in the environment)" in done.stderr
    assert len(user.credits_requests()) <= 2  # not retried (a 401 renews the token once: that is all)


@pytest.mark.parametrize(
    "reply,exit_code,needle",
    [
        (httpx.Response(502, html="<html><body>Bad Gateway</body></html>"), 9, "the service failed (HTTP 502)"),  # a gateway in trouble
        (httpx.Response(429, html="<html><body>Slow down</body></html>"), 8, "rate limited"),
        (httpx.Response(403, text="forbidden"), 3, "lacks a scope"),  # statuses the contract gives a meaning
        (httpx.Response(200, text="OK"), 9, "not JSON"),
    ],
)
def test_replies_the_real_service_may_give_keep_their_meaning(user, reply, exit_code, needle):
    user.then("GET", CREDITS, *[reply] * 5)
    done = nemo("credits")
    assert done.exit_code == exit_code and needle in error_lines(done)[0], done.output


def test_a_render_endpoints_bare_404_still_means_no_such_render(user):
    user.then("GET", "/api/render/proxy/lambda/render_gone", httpx.Response(404, text="not found"))
    done = nemo("export", "status", "render_gone")
    assert done.exit_code == 6 and "knows no render render_gone" in error_lines(done)[0], done.output
