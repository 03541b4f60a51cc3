"""https end to end: the emulator serving both origins (API and CDN) over TLS with a certificate of a test
CA (trustme, `tls_emulator` in conftest), the real `nemo` as a subprocess, and a real forward proxy
(tests/support/forward_proxy.py) for CONNECT tunnels.

Asserts on output and exit codes, on what the emulator received (nothing at all when the certificate is
refused), and on what the proxy saw: only CONNECT lines naming host and port, never a header of the request
nor the token, which travel inside the tunnel's TLS."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.forward_proxy import ForwardProxy

# the test CA, and nothing from the machine: SSL_CERT_DIR of a distribution would be loaded too otherwise
TRUSTED = "TRUSTED"


def trust(test_ca, **more):
    env = {"SSL_CERT_FILE": str(test_ca.ca), "SSL_CERT_DIR": None}
    env.update(more)
    return env


def certifi_only(**more):
    env = {"SSL_CERT_FILE": None, "SSL_CERT_DIR": None}
    env.update(more)
    return env


def host_port(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}"


def error_lines(done) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("error:")]


def clean(done) -> None:
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr


@pytest.fixture
def proxy():
    started = ForwardProxy().start()
    yield started
    started.stop()


def run_the_pipeline(emu, tmp_path, env) -> Path:
    """auth, session, upload, edit, export with download: every kind of request, API and CDN."""
    clip = emu.media(tmp_path / "clip.mp4")
    for args in (["auth"], ["session", "new", "-q"], ["upload", clip], ["edit", "add a title 'Over TLS'"]):
        done = emu.nemo(*args, env=env)
        clean(done)
        assert done.returncode == 0, (args, done.stderr)
    out = tmp_path / "out.mp4"
    done = emu.nemo("export", "--wait", "-o", out, "--json", env=env)
    clean(done)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size == json.loads(done.stdout)["bytes"] > 0
    return out


# -- verified https --------------------------------------------------------------------------------------


def test_the_whole_pipeline_over_https_with_the_test_ca(tls_emulator, test_ca, tmp_path):
    assert tls_emulator.url.startswith("https://") and tls_emulator.cdn_url.startswith("https://")
    out = run_the_pipeline(tls_emulator, tmp_path, trust(test_ca))
    origins = {r.origin for r in tls_emulator.requests}
    assert origins == {"api", "cdn"}  # the video came from the https CDN
    (cdn,) = [r for r in tls_emulator.requests if r.origin == "cdn"]
    assert out.read_bytes() == (tls_emulator.data_dir / "renders" / cdn.path.rsplit("/", 1)[1]).read_bytes()


def test_an_untrusted_certificate_is_refused_before_any_request(tls_emulator):
    done = tls_emulator.nemo("auth", env=certifi_only())
    clean(done)
    assert done.returncode == 9
    assert error_lines(done) == [
        "error: cannot verify the TLS certificate of 127.0.0.1: certificate verify failed: unable to get local issuer certificate"
    ]
    assert "hint: behind a proxy or firewall that inspects TLS?" in done.stderr and "ca_bundle" in done.stderr
    assert done.stdout == "" and tls_emulator.requests == []


def test_a_certificate_for_another_host_is_refused(test_ca, tmp_path, isolated_env):
    """Host names are checked too: a certificate of the trusted CA, but for another name."""
    import trustme

    from nemo_cli.emulator.server import Emulator, Options

    ca = trustme.CA()
    issued = ca.issue_cert("nemo.example")
    for name, blob in (("ca.pem", ca.cert_pem), ("cert.pem", issued.cert_chain_pems[0]), ("key.pem", issued.private_key_pem)):
        blob.write_to_path(str(tmp_path / name))
    with Emulator(Options(tls_cert=tmp_path / "cert.pem", tls_key=tmp_path / "key.pem", data_dir=tmp_path / "data")) as emu:
        env = {**os.environ, "NEMO_API_URL": emu.url, "SSL_CERT_FILE": str(tmp_path / "ca.pem")}
        env.pop("SSL_CERT_DIR", None)
        nemo = str(Path(sys.executable).parent / "nemo")
        done = subprocess.run([nemo, "auth"], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 9, done.stderr
        (line,) = error_lines(done)
        assert line.startswith("error: cannot verify the TLS certificate of 127.0.0.1: certificate verify failed: IP address mismatch")
        assert emu.requests == []


def test_ssl_cert_dir_is_honoured(tls_emulator, test_ca, tmp_path):
    certs = tmp_path / "certs"
    certs.mkdir()
    digest = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", str(test_ca.ca)], capture_output=True, text=True, check=True)
    (certs / f"{digest.stdout.strip()}.0").write_bytes(test_ca.ca.read_bytes())
    done = tls_emulator.nemo("auth", env=certifi_only(SSL_CERT_DIR=str(certs)))
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("problem", ["missing", "not pem", "a directory"])
def test_a_broken_ssl_cert_file_is_a_configuration_error_naming_it(tls_emulator, tmp_path, problem):
    path = tmp_path / "corp-ca.pem"
    if problem == "not pem":
        path.write_text("this is not a certificate\n")
    elif problem == "a directory":
        path.mkdir()
    done = tls_emulator.nemo("auth", env=certifi_only(SSL_CERT_FILE=str(path)))
    clean(done)
    assert done.returncode == 12
    reason = {"missing": "does not exist", "not pem": "holds no certificate in PEM form", "a directory": "is not a file"}[problem]
    (line,) = error_lines(done)
    assert line.startswith(f"error: the CA certificates named by SSL_CERT_FILE: ") and reason in line and str(path) in line
    assert "hint: fix or unset SSL_CERT_FILE" in done.stderr
    assert tls_emulator.requests == []


# -- the ca_bundle setting: the API client and the CDN client both verify with it -------------------------

def test_ca_bundle_from_the_environment_wins_over_ssl_cert_file(tls_emulator, test_ca, tmp_path):
    import trustme

    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))  # SSL_CERT_FILE names a CA that did not sign the emulator's
    out = run_the_pipeline(tls_emulator, tmp_path, certifi_only(SSL_CERT_FILE=str(other), NEMO_CA_BUNDLE=str(test_ca.ca)))
    assert out.exists()


def test_ca_bundle_from_the_store(tls_emulator, test_ca, tmp_path):
    assert tls_emulator.nemo("config", "set", "ca_bundle", test_ca.ca).returncode == 0
    out = run_the_pipeline(tls_emulator, tmp_path, certifi_only())
    assert out.exists()


def test_a_missing_ca_bundle_names_the_variable_it_came_from(tls_emulator, tmp_path):
    done = tls_emulator.nemo("auth", env=certifi_only(NEMO_CA_BUNDLE=str(tmp_path / "nope.pem")))
    assert done.returncode == 12
    assert error_lines(done) == [f"error: the CA bundle (setting ca_bundle): {tmp_path / 'nope.pem'} does not exist"]
    assert "`NEMO_CA_BUNDLE=PATH` in the environment" in done.stderr


# -- through a proxy: CONNECT tunnels ----------------------------------------------------------------------


def test_https_goes_through_connect_tunnels_the_proxy_cannot_read(tls_emulator, test_ca, proxy, tmp_path):
    run_the_pipeline(tls_emulator, tmp_path, trust(test_ca, HTTPS_PROXY=proxy.url))
    passed = proxy.settled()
    assert {p.method for p in passed} == {"CONNECT"} and all(p.status == 200 for p in passed)
    assert {p.target for p in passed} == {host_port(tls_emulator.url), host_port(tls_emulator.cdn_url)}
    assert not any("authorization" in p.headers for p in passed)  # the token is not on the CONNECT line's headers
    tokens = [t.encode() for t in tls_emulator.world.tokens]
    assert tokens
    for p in passed:  # nor anywhere in the tunnels' bytes: they are TLS
        for token in tokens:
            assert token not in p.upstream and token not in p.downstream
        assert b"/api/" not in p.upstream and b"HTTP/1.1" not in p.downstream
    assert sum(len(p.upstream) for p in passed) > tls_emulator.media(tmp_path / "size.mp4").stat().st_size  # the upload went through


def test_the_certificate_is_checked_through_the_tunnel_too(tls_emulator, proxy):
    done = tls_emulator.nemo("auth", env=certifi_only(HTTPS_PROXY=proxy.url))
    clean(done)
    assert done.returncode == 9
    assert error_lines(done) == [
        f"error: cannot verify the TLS certificate of 127.0.0.1 through the proxy {proxy.url} (from HTTPS_PROXY): "
        "certificate verify failed: unable to get local issuer certificate"
    ]
    assert [p.method for p in proxy.settled()] == ["CONNECT"]  # refused once: not retried
    assert tls_emulator.requests == []


def test_a_proxy_that_refuses_the_tunnel(tls_emulator, test_ca):
    refusing = ForwardProxy(refuse=403).start()
    try:
        done = tls_emulator.nemo("credits", env=trust(test_ca, HTTPS_PROXY=refusing.url, NEMO_TOKEN="nmv_usr_tlstest00000001"))
        clean(done)
        assert done.returncode == 9
        assert error_lines(done) == [
            f"error: the proxy {refusing.url} (from HTTPS_PROXY) refused to connect to 127.0.0.1 (403 Refused by policy)"
        ]
        assert "list it in NO_PROXY" in done.stderr
        assert [(p.method, p.target) for p in refusing.settled()] == [("CONNECT", host_port(tls_emulator.url))]
        assert tls_emulator.requests == []
    finally:
        refusing.stop()


def test_proxy_credentials_on_the_connect_line(tls_emulator, test_ca):
    guarded = ForwardProxy(credentials=("alice", "s3cr3t-pw")).start()
    try:
        done = tls_emulator.nemo("auth", env=trust(test_ca, HTTPS_PROXY=guarded.url))
        assert done.returncode == 9
        assert error_lines(done) == [
            f"error: the proxy {guarded.url} (from HTTPS_PROXY) asks for credentials (407 Proxy Authentication Required)"
        ]
        done = tls_emulator.nemo("auth", env=trust(test_ca, https_proxy=guarded.url_with("alice", "s3cr3t-pw")))
        assert done.returncode == 0, done.stderr
        assert "s3cr3t" not in done.stdout + done.stderr
        tunnels = [p for p in guarded.settled() if p.status == 200]
        assert tunnels and all(p.headers["proxy-authorization"] == "Basic YWxpY2U6czNjcjN0LXB3" for p in tunnels)
    finally:
        guarded.stop()


# -- nemo emulator serve --tls-cert/--tls-key ------------------------------------------------------------


def test_emulator_serve_over_https(test_ca, tmp_path, isolated_env):
    nemo = str(Path(sys.executable).parent / "nemo")
    server = subprocess.Popen(
        [nemo, "emulator", "serve", "-q", "--tls-cert", str(test_ca.cert), "--tls-key", str(test_ca.key), "--data-dir", str(tmp_path / "data")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        url = server.stdout.readline().strip()  # printed once it listens
        assert url.startswith("https://127.0.0.1:"), server.stderr.read() if not url else url
        env = {**os.environ, "NEMO_API_URL": url, "SSL_CERT_FILE": str(test_ca.ca)}
        env.pop("SSL_CERT_DIR", None)
        done = subprocess.run([nemo, "auth", "--json"], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["api_url"] == url
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


@pytest.mark.parametrize(
    "args,code,needle",
    [
        (["--tls-cert", "CERT"], 2, "--tls-cert and --tls-key go together"),
        (["--tls-cert", "CERT", "--tls-key", "CERT"], 6, "not a PEM certificate and its private key"),
    ],
)
def test_emulator_serve_refuses_half_a_tls_setup(test_ca, args, code, needle):
    nemo = str(Path(sys.executable).parent / "nemo")
    args = [str(test_ca.cert) if a == "CERT" else a for a in args]
    done = subprocess.run([nemo, "emulator", "serve", *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == code and needle in done.stderr, done.stderr
