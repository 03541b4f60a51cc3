"""`nemo session` against the recording stub, and which session a session-scoped command acts on:
--session > NEMO_SESSION > the active one."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest

from tests.support.foundation_stub import SID, TASK, USER_TOKEN, WEB, error_lines, nemo, service, store_profile  # noqa: F401
from nemo_cli.store import Store

NEW = "/api/tasks/me/with-session/nemo_agent"
OTHER = "1111111111111111111"
THIRD = "2222222222222222222"


@pytest.fixture
def user(service, monkeypatch):
    monkeypatch.setenv("NEMO_TOKEN", USER_TOKEN)
    service.states[OTHER] = {"draft": {"t": []}}
    service.states[THIRD] = {"draft": {"t": []}}
    return service


def state_paths(svc) -> list[str]:
    return [r.url.path.split("/")[5] for r in svc.requests if r.url.path.startswith("/api/state/")]


# -- new -------------------------------------------------------------------------------------------


def test_new_quiet_prints_only_the_id_and_makes_it_active(user):
    done = nemo("session", "new", "-q")
    assert done.exit_code == 0
    assert done.stdout == SID + "\n" and done.stderr == ""
    prof = store_profile()
    assert prof.session["id"] == SID and prof.session["task_id"] == TASK  # the long id stayed exact text
    assert prof.sessions[SID]["task_id"] == TASK and prof.sessions[SID]["name"].startswith("nemo-cli ")
    body = json.loads(user.to(NEW)[0].content)
    assert body["language"] == "en" and body["task_name"] == prof.sessions[SID]["name"]
    assert nemo("state", "-q").exit_code == 0 and state_paths(user) == [SID]


def test_new_sends_name_and_language(user):
    done = nemo("session", "new", "--name", "my cut", "--language", "zh-CN", "--json")
    assert done.exit_code == 0
    assert json.loads(user.to(NEW)[0].content) == {"task_name": "my cut", "language": "zh-CN"}
    doc = json.loads(done.stdout)
    assert doc["session_id"] == SID and doc["task_id"] == TASK and doc["name"] == "my cut" and doc["language"] == "zh-CN"


def test_new_takes_the_language_from_config(user):
    assert nemo("config", "set", "language", "ja").exit_code == 0
    assert nemo("session", "new", "-q").exit_code == 0
    assert json.loads(user.to(NEW)[0].content)["language"] == "ja"


def test_new_human_output(user):
    done = nemo("session", "new", "-n", "demo")
    assert done.stdout == f"Created session {SID} (demo); it is now active.\n"


def test_new_acquires_an_anonymous_token_when_there_is_none(service):
    done = nemo("session", "new", "-q")
    assert done.exit_code == 0 and done.stdout == SID + "\n"
    assert [r.url.path for r in service.requests] == ["/api/auth/anonymous-token", NEW]
    assert store_profile().token["kind"] == "anonymous"


# -- list / use / show --------------------------------------------------------------------------------


def test_list_marks_the_active_session(user):
    assert nemo("session", "list").stdout == "No sessions yet: `nemo session new` starts one.\n"
    assert nemo("session", "list", "--json").stdout.strip() == "[]"
    nemo("session", "new", "-n", "first", "-q")
    nemo("session", "use", OTHER)
    done = nemo("session", "list")
    assert done.exit_code == 0
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"  {SID}") and lines[0].endswith("first")
    assert lines[1].startswith(f"* {OTHER}")
    rows = json.loads(nemo("session", "list", "--json").stdout)
    assert [(r["session_id"], r["active"]) for r in rows] == [(SID, False), (OTHER, True)]
    assert nemo("session", "list", "-q").stdout == f"{SID}\n{OTHER}\n"
    assert not [r for r in user.requests if r.url.path != NEW]  # listing is local


def test_use_makes_a_session_active_without_asking_the_service(user):
    done = nemo("session", "use", OTHER)
    assert done.exit_code == 0 and done.stdout == f"Session {OTHER} is now active.\n"
    assert store_profile().session["id"] == OTHER and not user.requests
    assert nemo("session", "use", "-q", SID).stdout == SID + "\n"
    assert store_profile().session["id"] == SID


@pytest.mark.parametrize("bad", ["", " ", "a b"])
def test_use_refuses_what_is_not_an_id(user, bad):
    done = nemo("session", "use", bad)
    assert done.exit_code == 2 and "not a session id" in error_lines(done)[0]
    assert store_profile().session == {}


def test_show_without_a_session_is_exit_4(user):
    done = nemo("session", "show")
    assert done.exit_code == 4 and error_lines(done) == ["error: no active session"]
    assert "nemo session new" in done.stderr


def test_show_the_active_session(user):
    nemo("session", "new", "-n", "demo", "-q")
    done = nemo("session", "show")
    assert done.stdout.splitlines()[:3] == [f"session: {SID} (active)", f"task_id: {TASK}", "name: demo"]
    doc = json.loads(nemo("session", "show", "--json").stdout)
    assert doc["session_id"] == SID and doc["active"] is True and doc["task_id"] == TASK


# -- --session / NEMO_SESSION precedence -----------------------------------------------------------------


def test_session_precedence_flag_over_env_over_active(user, monkeypatch):
    nemo("session", "use", SID)
    assert nemo("session", "show", "-q").stdout == SID + "\n"
    assert nemo("state", "-q").exit_code == 0
    monkeypatch.setenv("NEMO_SESSION", OTHER)
    assert nemo("session", "show", "-q").stdout == OTHER + "\n"
    assert nemo("state", "-q").exit_code == 0
    assert nemo("session", "show", "-q", "--session", THIRD).stdout == THIRD + "\n"
    assert nemo("state", "-q", "-s", THIRD).exit_code == 0
    assert state_paths(user) == [SID, OTHER, THIRD]
    assert store_profile().session["id"] == SID  # overrides act once; they never change the active session


def test_an_empty_nemo_session_counts_as_unset(user, monkeypatch):
    nemo("session", "use", SID)
    monkeypatch.setenv("NEMO_SESSION", "")
    assert nemo("session", "show", "-q").stdout == SID + "\n"


def test_a_session_the_service_does_not_know_is_exit_4(user):
    done = nemo("state", "--session", "999")
    assert done.exit_code == 4 and "session not found" in error_lines(done)[0]
    assert "nemo session new" in done.stderr


# -- open --------------------------------------------------------------------------------------------------


def test_open_prints_a_claim_link_never_the_api_token(user, monkeypatch):
    nemo("session", "new", "-q")
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    done = nemo("session", "open")
    assert done.exit_code == 0
    link = done.stdout.strip()
    assert link == f"{WEB}/workspace/claim?ct=clm_claimtoken0042"
    assert parse_qs(urlparse(link).query) == {"ct": ["clm_claimtoken0042"]}
    claim = user.to("/api/auth/claim-token")[0]
    assert json.loads(claim.content) == {"task_id": TASK, "session_id": SID}
    assert USER_TOKEN not in link and "usertoken" not in done.stdout
    assert opened == []  # a browser only when asked


def test_open_with_browser_opens_the_same_link(user, monkeypatch):
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    done = nemo("session", "open", "--browser", "--json", "--session", OTHER)
    doc = json.loads(done.stdout)
    assert doc == {"session_id": OTHER, "url": f"{WEB}/workspace/claim?ct=clm_claimtoken0042", "expires_in": 604800}
    assert opened == [doc["url"]]
    assert json.loads(user.to("/api/auth/claim-token")[0].content) == {"task_id": None, "session_id": OTHER}


def test_open_when_no_browser_can_be_started_still_prints_the_link(user, monkeypatch):
    monkeypatch.setattr("webbrowser.open", lambda url: False)
    done = nemo("session", "open", "-b", "-s", SID)
    assert done.exit_code == 0 and done.stdout.startswith(f"{WEB}/workspace/claim?ct=")
    assert "warning: could not open a browser" in done.stderr


def test_open_without_a_session_is_exit_4_before_any_request(user):
    done = nemo("session", "open")
    assert done.exit_code == 4 and not user.requests


def test_stored_sessions_are_per_profile(user):
    nemo("session", "new", "-q")
    assert nemo("--profile", "work", "session", "show").exit_code == 4
    nemo("--profile", "work", "session", "use", OTHER)
    assert Store(profile="work").profile().session["id"] == OTHER
    assert store_profile().session["id"] == SID
