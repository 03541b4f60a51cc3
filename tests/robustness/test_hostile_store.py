"""A store edited by hand, and environment variables set to empty values: a clear error naming the file
(and the fix), or correct behaviour; never a traceback, never a silent overwrite."""

from __future__ import annotations

import copy
import json
import sys

import httpx
import pytest
from typer.testing import CliRunner

from nemo_cli import app as nemo_app
from nemo_cli.commands.common import Injected

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

APP = nemo_app.build()
# The stub service's transport, handed to every in-process run (a fixture sets it for one test).
STUB = Injected()
TOKEN = "nmv_usr_storetoken4242"
SID = "5529798706024415232"


def run(*args, env=None, input=None):
    return CliRunner().invoke(APP, list(args), env=env, input=input, obj=STUB)


def refused(result, store) -> None:
    """Exit 12 (CONFIG) and one `error:` line that names the store file (a hint line may follow)."""
    assert result.exit_code == 12, result.output
    assert "Traceback" not in result.output and "internal error" not in result.stderr, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: the store {store}"), result.stderr
    assert [line for line in lines if line.startswith("error:")] == lines[:1] and len(lines) <= 2, result.stderr
    assert result.stdout == ""


def parsed(raw: bytes) -> dict:
    return tomllib.loads(raw.decode("utf-8"))


FOLLOW_UPS = (["session", "show"], ["session", "use", "123"], ["session", "list"], ["config", "list"], ["auth", "status"])

BROKEN = [
    # (store text, a command that must read the broken part, the exit code of each of FOLLOW_UPS)
    ("this is = = not toml", ["session", "show"], (12, 12, 12, 12, 12)),
    ("[profiles]\ndefault = 5\n", ["session", "show"], (12, 12, 12, 12, 12)),
    ("profiles = [1, 2]\n", ["config", "list"], (12, 12, 12, 12, 12)),
    ("[profiles.default]\ntoken = 'nmv_usr_abc'\n", ["auth", "token"], (4, 0, 0, 0, 12)),
    ("[profiles.default]\nsession = 5\n", ["session", "show"], (12, 12, 12, 0, 3)),
    ("[profiles.default]\nsessions = [1, 2]\n", ["session", "list"], (4, 12, 12, 0, 3)),
    ("[profiles.default]\ntoken = 3\n", ["auth", "status"], (4, 0, 0, 0, 12)),
    ("[profiles.default.settings]\nretries = 'many'\n", ["config", "get", "retries"], (4, 0, 0, 12, 3)),
    ("[profiles.default.settings]\napi_url = 'ftp://example'\n", ["credits"], (4, 0, 0, 12, 3)),
    ("\xff\xfe broken bytes", ["config", "list"], (12, 12, 12, 12, 12)),
]


@pytest.mark.parametrize("text,reader,codes", BROKEN)
def test_hand_broken_store(isolated_env, text, reader, codes):
    isolated_env.mkdir(parents=True, exist_ok=True)
    store = isolated_env / "config.toml"
    before = text.encode("latin-1") if text.startswith("\xff") else text.encode()
    store.write_bytes(before)
    refused(run(*reader), store)
    assert store.read_bytes() == before
    for args, code in zip(FOLLOW_UPS, codes):
        store.write_bytes(before)
        result = run(*args)
        assert "Traceback" not in result.output and "internal error" not in result.stderr, (args, result.output)
        if code == 12:
            refused(result, store)
        assert result.exit_code == code, (args, result.output)
        after = store.read_bytes()
        if args[:2] == ["session", "use"] and code == 0:  # the one writer here: it adds its session, keeps the rest
            expected = copy.deepcopy(parsed(before))
            profile = expected.setdefault("profiles", {}).setdefault("default", {})
            profile.setdefault("sessions", {}).setdefault("123", {})
            profile["session"] = {"id": "123"}
            assert parsed(after) == expected, after
        else:
            assert after == before, (args, after)


# -- a profile table that is not a table: refused by whatever would write to it, kept by the rest ----------


class Service:
    """Just enough of the API for the commands below, recording what it was asked."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/api/auth/anonymous-token":
            return _ok({"token": "nmv_usr_anonymous0042", "user_id": "u", "expires_at": "2099-01-01T00:00:00Z"})
        if path == "/api/credits/balance/simple":
            return _ok({"available": 100, "frozen": 0, "total": 100})
        if path == "/api/tasks/me/with-session/nemo_agent":
            return _ok({"task_id": "task_1", "session_id": "777", "user_id": "u"})
        if path == f"/api/state/nemo_agent/me/{SID}/latest":
            return _ok({"state": {"draft": {"t": [{"tt": 0, "sg": [{"d": 5000}]}], "d": 5000}}})
        if path == "/api/render/proxy/lambda":
            rid = json.loads(request.content)["id"]
            return httpx.Response(200, json={"success": True, "data": {"id": rid, "status": "pending"}})
        if path.startswith("/api/render/proxy/lambda/") and path.endswith("/cancel"):
            return httpx.Response(200, json={"success": True, "data": {"id": path.split("/")[-2], "status": "cancelled"}})
        if path.startswith("/api/render/proxy/lambda/"):
            rid = path.rsplit("/", 1)[1]
            return httpx.Response(200, json={"success": True, "data": {"id": rid, "status": "completed", "progress": 100}})
        return httpx.Response(404, json={"code": 404, "message": "no route"})

    def render_changes(self) -> list[str]:
        """Renders started or cancelled."""
        return [r.url.path for r in self.requests if r.method == "POST" and r.url.path.startswith("/api/render/")]


def _ok(data) -> httpx.Response:
    return httpx.Response(200, json={"code": 0, "message": "ok", "data": data})


@pytest.fixture
def service(monkeypatch):
    svc = Service()
    monkeypatch.setattr(STUB, "transport", httpx.MockTransport(svc))
    monkeypatch.setenv("NEMO_API_URL", "http://api.test")
    monkeypatch.setenv("NEMO_RETRY_BACKOFF", "0")
    return svc


USER = {"NEMO_TOKEN": TOKEN, "NEMO_SESSION": SID}  # a token and a session from the environment: no store reads
ANONYMOUS = {"NEMO_SESSION": SID}  # the token comes from the store, or is acquired and stored

SET_RETRIES = (["config", "set", "retries", "2"], USER)
UNSET_RETRIES = (["config", "unset", "retries"], USER)
USE_SESSION = (["session", "use", "123"], USER)
NEW_SESSION = (["session", "new"], USER)
EXPORT = (["export"], USER)
EXPORT_STATUS = (["export", "status", "render_1"], USER)
EXPORT_CANCEL = (["export", "cancel", "render_1"], USER)

MALFORMED = [
    # (the table, its line in config.toml, commands that write to it, commands that do not touch it)
    ("token", "token = 3", [(["auth"], ANONYMOUS), (["auth", "logout"], ANONYMOUS), (["auth", "login", "--with-token"], ANONYMOUS)],
     [SET_RETRIES, USE_SESSION]),
    ("token", 'token = "nmv_usr_handwritten77"', [(["auth"], ANONYMOUS), (["auth", "logout"], ANONYMOUS)], [SET_RETRIES, USE_SESSION]),
    ("session", "session = 5", [USE_SESSION, NEW_SESSION], [SET_RETRIES, EXPORT_STATUS]),
    ("sessions", "sessions = 3", [USE_SESSION, NEW_SESSION], [SET_RETRIES, EXPORT_STATUS]),
    ("sessions", 'sessions = "123"', [USE_SESSION, NEW_SESSION], [SET_RETRIES, EXPORT_STATUS]),
    ("renders", 'renders = "none"', [EXPORT, EXPORT_STATUS, EXPORT_CANCEL], [SET_RETRIES, USE_SESSION]),
    ("renders", "renders = false", [EXPORT, EXPORT_STATUS, EXPORT_CANCEL], [SET_RETRIES, USE_SESSION]),
    ("settings", 'settings = "loud"', [SET_RETRIES, UNSET_RETRIES], [USE_SESSION]),
]


def _cases():
    for table, line, writers, bystanders in MALFORMED:
        for (args, env), writes in [(w, True) for w in writers] + [(b, False) for b in bystanders]:
            yield pytest.param(table, line, args, env, writes, id=f"{line} | nemo {' '.join(args)}")


@pytest.mark.parametrize("table,line,args,env,writes", list(_cases()))
def test_a_profile_table_that_is_not_a_table(service, monkeypatch, isolated_env, table, line, args, env, writes):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    isolated_env.mkdir(parents=True, exist_ok=True)
    store = isolated_env / "config.toml"
    before = f'[profiles.default]\nclient_id = "c0ffee00-0000-4000-8000-000000000001"\n{line}\n'.encode()
    store.write_bytes(before)
    result = run(*args, input="nmv_usr_pastedtoken123\n")
    if writes:
        refused(result, store)
        assert f"[{table}] of profile 'default' should be a table" in result.stderr
        assert store.read_bytes() == before  # nothing replaced, nothing added
        assert not service.render_changes()  # no render started or cancelled that could not be recorded
    else:
        assert result.exit_code == 0, result.output
        after = store.read_bytes()
        assert line.encode() + b"\n" in after, after  # the malformed entry is kept, byte for byte
        assert parsed(after)["profiles"]["default"][table] == parsed(before)["profiles"]["default"][table]


def test_empty_environment_values_count_as_unset(isolated_env):
    env = {"NEMO_TOKEN": "", "NEMO_API_URL": "", "NEMO_SESSION": "", "NEMO_PROFILE": "", "NEMO_RETRIES": ""}
    result = run("config", "get", "api_url", env=env)
    assert result.exit_code == 0 and result.stdout.strip() == "https://mega-api-prod.nemovideo.ai"
    result = run("session", "show", env=env)
    assert result.exit_code == 4 and result.stderr.startswith("error: no active session")
    result = run("auth", "token", env=env)
    assert result.exit_code == 3


def test_bad_environment_value_is_a_config_error(isolated_env):
    result = run("config", "get", "retries", env={"NEMO_RETRIES": "lots"})
    assert result.exit_code == 12
    assert "NEMO_RETRIES" in result.stderr and "Traceback" not in result.output
