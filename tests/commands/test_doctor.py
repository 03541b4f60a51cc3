"""`nemo doctor`: one line per check (ok / warn / fail), --json, the first failure's exit code, no secret
printed, and nothing changed: no token acquired or renewed, the store untouched.

End to end (the real `nemo` against the emulator over loopback, plain and https with the test CA, through
a real forward proxy), asserting output, exit code and what the emulator and the proxy received; the
clock, token expiry and the emulator extra against the recording stub, in-process."""

from __future__ import annotations

import json
import socket
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from tests.support.forward_proxy import ForwardProxy
from tests.support.foundation_stub import USER_TOKEN, nemo, service, sleeps  # noqa: F401 (fixtures)
from nemo_cli.store import Store

NAMES = ["store", "settings", "proxy", "tls", "api", "token", "session", "clock", "emulator"]
CREDITS = "/api/credits/balance/simple"


def rows(stdout: str) -> dict[str, tuple[str, str]]:
    """{check: (status, detail)} from the human output; also checks its shape: one line per check, in order."""
    found = {}
    for line in stdout.splitlines():
        status, name, detail = line.split(maxsplit=2)
        found[name] = (status, detail)
    assert list(found) == NAMES, stdout
    return found


def statuses(stdout: str) -> dict[str, str]:
    return {name: status for name, (status, _) in rows(stdout).items()}


def error_lines(done) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("error:")]


def clean(done) -> None:
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def ready(emulator):
    """The emulator with a token and an active session made by nemo itself."""
    assert emulator.nemo("auth").returncode == 0
    sid = emulator.nemo("session", "new", "-q").stdout.strip()
    assert sid
    emulator.requests.clear()
    return sid


# -- end to end ----------------------------------------------------------------------------------------


def test_a_healthy_setup_is_all_ok_and_doctor_changes_nothing(emulator, ready, isolated_env):
    store = isolated_env / "config.toml"
    before = store.read_bytes()
    (token,) = list(emulator.world.tokens)
    done = emulator.nemo("doctor")
    clean(done)
    assert done.returncode == 0 and done.stderr == ""
    assert set(statuses(done.stdout).values()) == {"ok"}
    found = rows(done.stdout)
    assert found["settings"][1] == f"api_url {emulator.url} (from NEMO_API_URL)"
    assert found["tls"][1] == "not used: plain http to a loopback address"
    assert found["api"][1].startswith(f"{emulator.url} answers as the NemoVideo API (HTTP 401 without a token, ")
    assert found["token"][1].startswith(f"an anonymous token nmv_usr_…{token[-4:]} from the store is valid, expires ")
    assert found["session"][1] == f"{ready} (from the store) exists, 0 tracks"
    assert token not in done.stdout
    # what the service was asked: the credits without a token, then with it, then the session's state; nothing else
    asked = [(r.method, r.path, "authorization" in r.headers) for r in emulator.requests]
    assert asked == [("GET", CREDITS, False), ("GET", CREDITS, True), ("GET", f"/api/state/nemo_agent/me/{ready}/latest", True)]
    assert store.read_bytes() == before


def test_json_has_every_check_and_no_secret(emulator, ready):
    done = emulator.nemo("doctor", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["status"] == "ok" and [c["name"] for c in doc["checks"]] == NAMES
    by_name = {c["name"]: c for c in doc["checks"]}
    assert by_name["api"]["reachable"] is True and by_name["api"]["http_status"] == 401
    assert by_name["token"]["valid"] is True and by_name["token"]["kind"] == "anonymous" and by_name["token"]["credits"] == 100
    assert by_name["session"]["session_id"] == ready and by_name["session"]["exists"] is True
    assert isinstance(by_name["clock"]["skew_seconds"], int) and by_name["emulator"]["installed"] is True
    for token in emulator.world.tokens:
        assert token not in done.stdout
    assert emulator.nemo("doctor", "-q").stdout == "ok\n"


def test_no_token_and_no_session_are_warnings_and_no_token_is_acquired(emulator, isolated_env):
    done = emulator.nemo("doctor")
    clean(done)
    assert done.returncode == 0 and done.stderr == ""
    found = rows(done.stdout)
    assert found["token"] == ("warn", "none yet: the first command that needs one gets an anonymous token (or `nemo auth login`)")
    assert found["session"] == ("warn", "no active session: `nemo session new` starts one")
    assert [(r.method, r.path) for r in emulator.requests] == [("GET", CREDITS)]  # no anonymous token asked for
    assert not (isolated_env / "config.toml").exists()  # nor a store created
    assert emulator.nemo("doctor", "-q").stdout == "warn\n"


def test_a_rejected_user_token_fails_with_exit_3(emulator):
    done = emulator.nemo("doctor", env={"NEMO_TOKEN": "nmv_usr_doctorbogus00001"})
    clean(done)
    assert done.returncode == 3
    found = rows(done.stdout)
    assert found["token"] == ("fail", "the service rejects a user token nmv_usr_…0001 from NEMO_TOKEN (invalid or expired)")
    assert found["session"][0] == "warn"
    assert error_lines(done) == ["error: 1 of 9 checks failed: token"]
    assert "hint: token: fix or unset NEMO_TOKEN" in done.stderr
    assert "doctorbogus" not in done.stdout + done.stderr
    assert not any(r.path == "/api/auth/anonymous-token" for r in emulator.requests)


def test_an_unknown_session_fails_with_exit_4(emulator, ready):
    done = emulator.nemo("doctor", env={"NEMO_SESSION": "4242"})
    clean(done)
    assert done.returncode == 4
    status, detail = rows(done.stdout)["session"]
    assert status == "fail" and detail.startswith("the service knows no session 4242 (from NEMO_SESSION)")
    assert error_lines(done) == ["error: 1 of 9 checks failed: session"]


def test_an_unreachable_api_fails_with_exit_9_and_skips_what_depends_on_it(emulator, ready):
    url = f"http://127.0.0.1:{closed_port()}"
    done = emulator.nemo("doctor", env={"NEMO_API_URL": url})
    clean(done)
    assert done.returncode == 9
    found = rows(done.stdout)
    assert found["api"] == ("fail", f"cannot connect to {url}")
    assert found["token"][0] == found["session"][0] == found["clock"][0] == "warn"
    assert "not checked" in found["token"][1] and "not checked" in found["clock"][1]
    assert error_lines(done) == ["error: 1 of 9 checks failed: api"]


def test_an_api_url_that_is_not_the_api_fails_with_exit_12_naming_where_it_came_from(emulator, ready):
    done = emulator.nemo("--api-url", emulator.url + "/web", "doctor")
    clean(done)
    assert done.returncode == 12
    status, detail = rows(done.stdout)["api"]
    assert status == "fail" and detail == f"{emulator.url}/web does not look like the NemoVideo API: GET /web{CREDITS} got a web page (HTTP 200)"
    assert rows(done.stdout)["settings"][1] == f"api_url {emulator.url}/web (from --api-url)"
    assert "hint: api: check the API URL (the --api-url option)" in done.stderr


def test_a_broken_store_fails_with_exit_12_and_nothing_is_asked(emulator, isolated_env):
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "config.toml").write_text("[profiles.default\n")
    done = emulator.nemo("doctor")
    clean(done)
    assert done.returncode == 12
    found = rows(done.stdout)
    assert found["store"][0] == "fail" and "is not valid TOML" in found["store"][1]
    assert all(found[name] == ("warn", "not checked (the store cannot be read)") for name in NAMES[1:-1])
    assert found["emulator"][0] == "ok"
    assert emulator.requests == []
    assert (isolated_env / "config.toml").read_text() == "[profiles.default\n"


def test_a_store_others_can_read_is_a_warning(emulator, ready, isolated_env):
    (isolated_env / "config.toml").chmod(0o644)
    done = emulator.nemo("doctor")
    assert done.returncode == 0
    status, detail = rows(done.stdout)["store"]
    assert status == "warn" and detail.endswith(f"it holds your token: chmod 600 {isolated_env / 'config.toml'}")


def test_a_broken_setting_fails_with_exit_12(emulator):
    done = emulator.nemo("doctor", env={"NEMO_RETRIES": "many"})
    clean(done)
    assert done.returncode == 12
    assert rows(done.stdout)["settings"] == ("fail", "NEMO_RETRIES: retries must be a non-negative whole number, not 'many'")
    assert emulator.requests == []


def test_through_a_proxy_the_proxy_is_named_and_carries_every_request(emulator, ready):
    proxy = ForwardProxy().start()
    try:
        done = emulator.nemo("doctor", env={"HTTP_PROXY": f"http://alice:s3cr3t-pw@127.0.0.1:{proxy.port}"})
        clean(done)
        assert done.returncode == 0, done.stdout + done.stderr
        shown = f"http://***@127.0.0.1:{proxy.port} (from HTTP_PROXY)"
        found = rows(done.stdout)
        assert found["proxy"] == ("ok", f"{emulator.url} is reached through {shown}")
        assert f"answers as the NemoVideo API through the proxy {shown}" in found["api"][1]
        assert "s3cr3t" not in done.stdout + done.stderr and "alice" not in done.stdout + done.stderr
        assert [p.path for p in proxy.settled()] == [r.path for r in emulator.requests] == [
            CREDITS, CREDITS, f"/api/state/nemo_agent/me/{ready}/latest"
        ]
    finally:
        proxy.stop()


def test_a_proxy_that_cannot_be_reached_fails_the_api_check(emulator, ready):
    port = closed_port()
    done = emulator.nemo("doctor", env={"HTTP_PROXY": f"http://alice:s3cr3t-pw@127.0.0.1:{port}"})
    assert done.returncode == 9
    assert rows(done.stdout)["api"] == ("fail", f"the proxy http://***@127.0.0.1:{port} (from HTTP_PROXY) cannot be reached (on the way to {emulator.url})")
    assert "s3cr3t" not in done.stdout + done.stderr


def test_a_malformed_proxy_variable_fails_with_exit_12(emulator):
    done = emulator.nemo("doctor", env={"HTTP_PROXY": "gopher://proxy.example:70"})
    assert done.returncode == 12
    status, detail = rows(done.stdout)["proxy"]
    assert status == "fail" and detail == "HTTP_PROXY is not a proxy URL nemo can use: gopher://proxy.example:70"


def test_https_with_the_test_ca_is_verified(tls_emulator, test_ca):
    env = {"SSL_CERT_FILE": str(test_ca.ca), "SSL_CERT_DIR": None}
    assert tls_emulator.nemo("auth", env=env).returncode == 0
    done = tls_emulator.nemo("doctor", "--json", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    tls = {c["name"]: c for c in json.loads(done.stdout)["checks"]}["tls"]
    assert tls["status"] == "ok" and tls["verified"] is True and tls["version"].startswith("TLSv1.")
    assert tls["trust"] == f"SSL_CERT_FILE ({test_ca.ca})"
    assert f"the certificate of 127.0.0.1 is verified and valid until {tls['certificate_expires']}" in tls["detail"]


def test_https_through_a_connect_tunnel(tls_emulator, test_ca):
    proxy = ForwardProxy().start()
    try:
        env = {"SSL_CERT_FILE": str(test_ca.ca), "SSL_CERT_DIR": None, "HTTPS_PROXY": proxy.url}
        done = tls_emulator.nemo("doctor", env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert statuses(done.stdout)["tls"] == "ok"
        assert {(p.method, p.status) for p in proxy.settled()} == {("CONNECT", 200)}
    finally:
        proxy.stop()


def test_an_untrusted_certificate_fails_tls_first_with_exit_9(tls_emulator):
    done = tls_emulator.nemo("doctor", env={"SSL_CERT_FILE": None, "SSL_CERT_DIR": None})
    clean(done)
    assert done.returncode == 9
    found = rows(done.stdout)
    reason = "cannot verify the TLS certificate of 127.0.0.1: certificate verify failed: unable to get local issuer certificate"
    assert found["tls"] == ("fail", reason) and found["api"] == ("fail", reason)
    assert error_lines(done) == ["error: 2 of 9 checks failed: tls, api"]
    assert "hint: tls: behind a proxy or firewall that inspects TLS?" in done.stderr
    assert tls_emulator.requests == []


def test_a_broken_ssl_cert_file_fails_tls_with_exit_12(tls_emulator, tmp_path):
    done = tls_emulator.nemo("doctor", env={"SSL_CERT_FILE": str(tmp_path / "gone.pem"), "SSL_CERT_DIR": None})
    assert done.returncode == 12
    assert rows(done.stdout)["tls"] == ("fail", f"the CA certificates named by SSL_CERT_FILE: {tmp_path / 'gone.pem'} does not exist")


# -- against the stub: the clock, expiry, the emulator extra ---------------------------------------------


def http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(timezone.utc), usegmt=True)


def probe_reply(date: str | None) -> httpx.Response:
    headers = {"date": date} if date else {}
    return httpx.Response(401, json={"code": 1001, "message": "missing token"}, headers=headers)


@pytest.mark.parametrize(
    "offset,status,detail",
    [
        (timedelta(hours=-2), "warn", "this machine's clock is 2.0 hours ahead of the server's: token expiry is judged by it"),
        (timedelta(minutes=10), "warn", "this machine's clock is 10 minutes behind the server's: token expiry is judged by it"),
        (timedelta(seconds=0), "ok", "in step with the server (+0 s)"),
    ],
)
def test_clock_skew_against_the_servers_date(service, offset, status, detail):
    service.then("GET", CREDITS, probe_reply(http_date(datetime.now(timezone.utc) + offset)))
    done = nemo("doctor")
    assert done.exit_code == 0, done.output
    got = rows(done.stdout)["clock"]
    assert got[0] == status
    assert got[1] == detail or (offset == timedelta(0) and got[1] in ("in step with the server (+0 s)", "in step with the server (-1 s)", "in step with the server (+1 s)"))


def test_no_date_header_is_a_warning(service):
    service.then("GET", CREDITS, probe_reply(None))
    done = nemo("doctor")
    assert rows(done.stdout)["clock"] == ("warn", "not checked: the server sent no Date header")


def store_token(value: str, kind: str, expires: datetime) -> None:
    with Store().edit() as prof:
        prof.set_token(value, kind, expires.isoformat().replace("+00:00", "Z"))


def test_an_expired_anonymous_token_is_a_warning_and_is_not_renewed(service):
    store_token("nmv_usr_anonEXPIRED0SECRET", "anonymous", datetime.now(timezone.utc) - timedelta(hours=1))
    done = nemo("doctor")
    assert done.exit_code == 0, done.output
    status, detail = rows(done.stdout)["token"]
    assert status == "warn" and detail.startswith("an anonymous token nmv_usr_…CRET from the store expired at ")
    assert detail.endswith(": the next command gets a new one")
    assert service.anonymous_requests() == [] and Store().profile().token["value"] == "nmv_usr_anonEXPIRED0SECRET"


def test_a_token_that_expires_within_a_day_is_a_warning(service):
    service.tokens["nmv_usr_anonSOON0000SECRET"] = "anonymous"
    store_token("nmv_usr_anonSOON0000SECRET", "anonymous", datetime.now(timezone.utc) + timedelta(hours=3))
    done = nemo("doctor")
    status, detail = rows(done.stdout)["token"]
    assert status == "warn" and "is valid but expires within a day" in detail


def test_an_expired_stored_user_token_fails_with_exit_3(service):
    store_token("nmv_usr_userEXPIRED0SECRET", "user", datetime.now(timezone.utc) - timedelta(days=1))
    done = nemo("doctor")
    assert done.exit_code == 3
    assert rows(done.stdout)["token"][0] == "fail"
    assert "hint: token: log in again: `nemo auth login`" in done.stderr


@pytest.mark.parametrize("present,status,detail", [
    ((), "ok", "the emulator extra is not installed (only `nemo emulator` needs it)"),
    (("starlette", "uvicorn"), "warn", "the emulator extra is installed in part: python_multipart, imageio_ffmpeg, pylopdf_fonts_zh_cn missing; pip install 'nemo-cli[emulator]'"),
])
def test_the_emulator_extra(service, monkeypatch, present, status, detail):
    from nemo_cli.flows import doctor

    monkeypatch.setattr(doctor, "find_spec", lambda name: object() if name in present else None)
    done = nemo("doctor")
    assert rows(done.stdout)["emulator"] == (status, detail)


def test_plain_http_to_another_host_is_a_warning(service, monkeypatch):
    monkeypatch.setenv("NEMO_TOKEN", USER_TOKEN)
    done = nemo("doctor")
    assert rows(done.stdout)["tls"] == ("warn", "not used: http://api.test is plain http, so the token crosses the network unencrypted")


def test_a_hand_broken_token_table_fails_the_token_check_only(emulator, isolated_env):
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "config.toml").write_text('[profiles.default]\ntoken = "not a table"\n')
    (isolated_env / "config.toml").chmod(0o600)
    done = emulator.nemo("doctor")
    clean(done)
    assert done.returncode == 12
    found = rows(done.stdout)
    assert found["token"][0] == "fail" and "[token] of profile 'default' should be a table" in found["token"][1]
    assert found["store"][0] == found["api"][0] == "ok"
    assert error_lines(done) == ["error: 1 of 9 checks failed: token"]
