"""Proxies end to end: the real `nemo` as a subprocess against the emulator over loopback, through a real
forward proxy started by the test (tests/support/forward_proxy.py), which records every request that passed.

Asserts on output and exit codes, on what the proxy received (every API, stream, upload and CDN request;
Proxy-Authorization; nothing at all when NO_PROXY says so) and on what the emulator received. https
through a CONNECT tunnel is in test_tls_e2e.py. The proxy is itself on 127.0.0.1, and loopback is not
exempt from proxies by itself, so these tests set the proxy variables and leave NO_PROXY unset (conftest
removes the machine's)."""

from __future__ import annotations

import json
import socket
from collections import Counter
from urllib.parse import urlsplit

import pytest

from tests.support.forward_proxy import ForwardProxy
from nemo_cli.api.network import bypassed, mask_url, proxy_for


@pytest.fixture
def proxy():
    started = ForwardProxy().start()
    yield started
    started.stop()


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def host_port(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}"


def error_lines(done) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("error:")]


def received(emulator) -> Counter:
    """(method, host:port, path) of every request the emulator received, on either origin."""
    where = {"api": host_port(emulator.url), "cdn": host_port(emulator.cdn_url)}
    return Counter((r.method, where[r.origin], r.path) for r in emulator.requests)


def forwarded(proxy) -> Counter:
    return Counter((p.method, p.host_port, p.path) for p in proxy.settled() if p.status is None)


def clean(done) -> None:
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr


# -- every kind of request goes through the proxy ---------------------------------------------------


def test_every_request_goes_through_the_proxy(emulator, proxy, tmp_path):
    env = {"HTTP_PROXY": proxy.url}
    clip = emulator.media(tmp_path / "clip.mp4")
    for args in (["auth"], ["session", "new", "-q"], ["upload", clip], ["edit", "add a title 'Through the proxy'"]):
        done = emulator.nemo(*args, env=env)
        clean(done)
        assert done.returncode == 0, (args, done.stderr)
    done = emulator.nemo("export", "--wait", "-o", tmp_path / "out.mp4", "--json", env=env)
    clean(done)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out.mp4"
    assert out.stat().st_size == json.loads(done.stdout)["bytes"] > 0

    # the proxy forwarded exactly what the emulator received: API calls, the stream, the upload, the CDN
    assert forwarded(proxy) == received(emulator)
    paths = {p.path for p in proxy.passed}
    assert {"/api/auth/anonymous-token", "/run_sse", "/api/render/proxy/lambda"} <= paths
    (upload,) = [p for p in proxy.passed if p.path.startswith("/api/upload-video/")]
    assert len(upload.upstream) == int(upload.headers["content-length"]) > clip.stat().st_size  # the whole body
    (cdn,) = [p for p in proxy.passed if p.host_port == host_port(emulator.cdn_url)]
    assert cdn.method == "GET" and cdn.path.startswith("/f/renders/")
    assert "authorization" not in cdn.headers  # the token never goes to the CDN, proxy or not
    assert out.read_bytes() == (emulator.data_dir / "renders" / cdn.path.rsplit("/", 1)[1]).read_bytes()


def test_the_download_fallback_goes_through_the_proxy(emulator, proxy, tmp_path):
    assert emulator.nemo("session", "new", "-q").returncode == 0
    assert emulator.nemo("upload", emulator.media(tmp_path / "clip.mp4")).returncode == 0
    started = emulator.nemo("export", "--wait", "--json")
    assert started.returncode == 0, started.stderr
    rid = json.loads(started.stdout)["id"]
    emulator.inject("status", path="^/f/renders/", status=503, times=10)  # the CDN fails: the API's route is next
    done = emulator.nemo("export", "download", rid, "-o", tmp_path / "out.mp4", "--json", env={"HTTP_PROXY": proxy.url})
    clean(done)
    assert done.returncode == 0, done.stderr
    assert ("GET", host_port(emulator.url), f"/api/render/proxy/{rid}/download") in forwarded(proxy)
    assert any(p.host_port == host_port(emulator.cdn_url) for p in proxy.passed)  # tried first, through the proxy too


# -- which variable applies -----------------------------------------------------------------------------


def test_the_lower_case_variable_wins_over_the_upper_case_one(emulator, proxy):
    other = ForwardProxy().start()
    try:
        done = emulator.nemo("auth", env={"http_proxy": proxy.url, "HTTP_PROXY": other.url})
        assert done.returncode == 0, done.stderr
        assert len(proxy.settled()) == 2 and other.passed == []  # the anonymous token and the credits call
    finally:
        other.stop()


def test_all_proxy_serves_when_the_schemes_own_is_unset(emulator, proxy):
    done = emulator.nemo("auth", env={"ALL_PROXY": proxy.url})
    assert done.returncode == 0, done.stderr
    assert [p.path for p in proxy.settled()] == ["/api/auth/anonymous-token", "/api/credits/balance/simple"]


def test_an_https_proxy_variable_does_not_apply_to_an_http_api(emulator, proxy):
    done = emulator.nemo("auth", env={"HTTPS_PROXY": proxy.url})
    assert done.returncode == 0, done.stderr
    assert proxy.passed == [] and len(emulator.requests) == 2


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost, 127.0.0.1", "127.0.0.0/8", "*"])
def test_no_proxy_sends_the_request_directly(emulator, proxy, no_proxy):
    done = emulator.nemo("auth", env={"HTTP_PROXY": proxy.url, "NO_PROXY": no_proxy})
    assert done.returncode == 0, done.stderr
    assert proxy.passed == [] and [r.path for r in emulator.requests] == ["/api/auth/anonymous-token", "/api/credits/balance/simple"]


def test_no_proxy_with_a_port_bypasses_only_that_origin(emulator, proxy, tmp_path):
    """NO_PROXY=127.0.0.1:<API port>: the API is reached directly, the CDN (another port) through the proxy."""
    env = {"HTTP_PROXY": proxy.url, "no_proxy": host_port(emulator.url)}
    assert emulator.nemo("session", "new", "-q", env=env).returncode == 0
    assert emulator.nemo("upload", emulator.media(tmp_path / "clip.mp4"), env=env).returncode == 0
    done = emulator.nemo("export", "--wait", "-o", tmp_path / "out.mp4", env=env)
    assert done.returncode == 0, done.stderr
    assert [(p.method, p.host_port) for p in proxy.settled()] == [("GET", host_port(emulator.cdn_url))]


# -- a proxy that fails ------------------------------------------------------------------------------------


def test_a_proxy_that_cannot_be_reached_is_named_without_its_credentials(emulator):
    port = closed_port()
    done = emulator.nemo("credits", env={"HTTP_PROXY": f"http://alice:s3cr3t-pw@127.0.0.1:{port}", "NEMO_TOKEN": "nmv_usr_proxytest0000001"})
    clean(done)
    assert done.returncode == 9
    (line,) = error_lines(done)
    assert line == f"error: the proxy http://***@127.0.0.1:{port} (from HTTP_PROXY) cannot be reached (on the way to {emulator.url})"
    assert "hint: check that the proxy runs and that HTTP_PROXY names it" in done.stderr
    assert "s3cr3t" not in done.stdout + done.stderr and "alice" not in done.stdout + done.stderr
    assert done.stdout == "" and emulator.requests == []


def test_a_proxy_that_wants_credentials_and_one_that_gets_them(emulator):
    guarded = ForwardProxy(credentials=("alice", "s3cr3t-pw")).start()
    try:
        done = emulator.nemo("credits", env={"HTTP_PROXY": guarded.url, "NEMO_TOKEN": "nmv_usr_proxytest0000001"})
        clean(done)
        assert done.returncode == 9
        assert error_lines(done) == [f"error: the proxy {guarded.url} (from HTTP_PROXY) asks for credentials (HTTP 407)"]
        assert "hint: put them in the proxy's URL: HTTP_PROXY=http://USER:PASSWORD@HOST:PORT" in done.stderr
        assert emulator.requests == [] and [p.status for p in guarded.settled()] == [407]

        done = emulator.nemo("auth", env={"HTTP_PROXY": guarded.url_with("alice", "s3cr3t-pw")})
        assert done.returncode == 0, done.stderr
        assert [p.headers.get("proxy-authorization") for p in guarded.settled()[1:]] == ["Basic YWxpY2U6czNjcjN0LXB3"] * 2
        assert "s3cr3t" not in done.stdout + done.stderr
    finally:
        guarded.stop()


def test_a_refusal_page_from_the_proxy_is_named_with_the_proxy(emulator):
    refusing = ForwardProxy(refuse=403).start()
    try:
        done = emulator.nemo("credits", env={"HTTP_PROXY": refusing.url, "NEMO_TOKEN": "nmv_usr_proxytest0000001"})
        clean(done)
        assert done.returncode == 12
        (line,) = error_lines(done)
        assert line == (
            f"error: {emulator.url} does not look like the NemoVideo API: GET /api/credits/balance/simple got a web page "
            f"(HTTP 403) through the proxy {refusing.url} (from HTTP_PROXY)"
        )
        assert "the proxy in the way: it may have answered instead of the service" in done.stderr
        assert emulator.requests == []
    finally:
        refusing.stop()


@pytest.mark.parametrize("value", ["ftp://proxy.example:21", "http://bob:pw-in-url@proxy.example:port"])
def test_a_malformed_proxy_variable_is_a_configuration_error(emulator, value):
    done = emulator.nemo("credits", env={"HTTP_PROXY": value, "NEMO_TOKEN": "nmv_usr_proxytest0000001"})
    clean(done)
    assert done.returncode == 12
    (line,) = error_lines(done)
    assert line.startswith("error: HTTP_PROXY is not a proxy URL nemo can use: ")
    assert "pw-in-url" not in done.stderr and emulator.requests == []


def test_debug_names_the_proxy_of_each_request_without_credentials(emulator, proxy):
    done = emulator.nemo("--debug", "auth", env={"HTTP_PROXY": f"http://alice:s3cr3t-pw@127.0.0.1:{proxy.port}"})
    assert done.returncode == 0, done.stderr
    assert f"debug: > POST {emulator.url}/api/auth/anonymous-token through the proxy http://***@127.0.0.1:{proxy.port} (from HTTP_PROXY)" in done.stderr
    assert "s3cr3t" not in done.stderr


# -- the rules, as plain functions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host,port,no_proxy,expected",
    [
        ("api.example.com", 443, "example.com", True),  # a name matches its subdomains
        ("example.com", 443, ".example.com", True),  # a leading dot is ignored
        ("api.example.com", 443, "*.example.com", True),
        ("badexample.com", 443, "example.com", False),  # a suffix only at a dot
        ("api.example.com", 443, "example.com:8443", False),  # the port must match when given
        ("api.example.com", 8443, "example.com:8443", True),
        ("10.1.2.3", 443, "10.0.0.0/8", True),
        ("11.1.2.3", 443, "10.0.0.0/8", False),
        ("::1", 443, "::1", True),
        ("::1", 8080, "[::1]:8080", True),
        ("API.Example.COM", 443, "example.com", True),  # names are not case-sensitive
        ("anything", 1, " , *", True),
        ("127.0.0.1", 80, "", False),
        ("127.0.0.1", 80, ".0.0.1", False),  # an address matches only itself, not a suffix of its digits
        ("127.0.0.1", 80, "localhost", False),  # nor a name that happens to resolve to it
        ("127.0.0.1", 80, "127.0.0.1", True),
    ],
)
def test_no_proxy_rules(host, port, no_proxy, expected):
    assert bypassed(host, port, no_proxy) is expected


def test_proxy_resolution():
    env = {"HTTPS_PROXY": "proxy.corp:3128", "http_proxy": "", "HTTP_PROXY": "http://up:8080", "NO_PROXY": "internal"}
    assert proxy_for("https://api.example.com/x", env).url == "http://proxy.corp:3128"  # host:port means http://
    assert proxy_for("http://api.example.com/x", env).variable == "HTTP_PROXY"  # an empty variable counts as unset
    assert proxy_for("https://svc.internal/x", env) is None
    assert proxy_for("https://api.example.com", {}) is None
    assert mask_url("http://u:p@proxy:3128") == "http://***@proxy:3128" and mask_url("http://proxy:3128") == "http://proxy:3128"
