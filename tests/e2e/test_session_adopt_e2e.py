"""Sessions made elsewhere (another machine, the web editor): adopted by id with `nemo session use` or
NEMO_SESSION, they have no task id in the store. The real `nemo` against the emulator over loopback: the
state reply names the session's task, the claim-token request carries it, the store remembers it; the
out-of-credits link binds the user id the service gave. The emulator's request log is the witness."""

from __future__ import annotations

import json
import sys
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CLAIM = "/api/auth/claim-token"


def profile(config_dir) -> dict:
    """The default profile of the store in `config_dir`, read straight from the file."""
    return tomllib.loads((config_dir / "config.toml").read_text())["profiles"]["default"]


def to(emu, path: str, since: int = 0) -> list:
    return [r for r in emu.requests[since:] if r.path == path]


def states(emu, sid: str, since: int = 0) -> list:
    return to(emu, f"/api/state/nemo_agent/me/{sid}/latest", since)


@pytest.fixture
def elsewhere(emulator, tmp_path):
    """A registered user's session made with one store ("the other machine"), and a second store logged in
    as the same user ("this machine", the test's NEMO_CONFIG_DIR). Returns (sid, task id, user id, token)."""
    token = emulator.world.add_user()
    other = {"NEMO_CONFIG_DIR": tmp_path / "other-machine"}
    assert emulator.nemo("auth", "login", "--with-token", input=token, env=other).returncode == 0
    made = emulator.nemo("session", "new", "-q", env=other)
    assert made.returncode == 0, made.stderr
    sid = made.stdout.strip()
    session = emulator.world.sessions[sid]
    assert emulator.nemo("auth", "login", "--with-token", input=token).returncode == 0
    return sid, session.task_id, session.user_id, token


def test_the_emulator_refuses_a_claim_without_the_sessions_task(emulator, elsewhere):
    """What a client that never learned the task id met: the browser link could not be made."""
    sid, task, _, token = elsewhere
    auth = {"Authorization": f"Bearer {token}"}
    for task_id, said in ((None, "task_id is required"), ("task_nope", "is not the task of session")):
        reply = httpx.post(f"{emulator.url}{CLAIM}", json={"task_id": task_id, "session_id": sid}, headers=auth)
        assert reply.status_code == 400 and said in reply.json()["message"]
    state = httpx.get(f"{emulator.url}/api/state/nemo_agent/me/{sid}/latest", headers=auth).json()["data"]
    assert (state["task_id"], state["session_id"], state["user_id"]) == (task, sid, elsewhere[2])
    assert httpx.post(f"{emulator.url}{CLAIM}", json={"task_id": task, "session_id": sid}, headers=auth).json()["code"] == 0


def test_an_adopted_session_learns_its_task_id_for_the_browser_link_and_remembers_it(emulator, elsewhere):
    sid, task, user_id, _ = elsewhere
    used = emulator.nemo("session", "use", sid)
    assert used.returncode == 0, used.stderr
    assert "task_id" not in profile(emulator.config_dir)["sessions"][sid]  # nothing known yet

    mark = len(emulator.requests)
    opened = emulator.nemo("session", "open", "--json")
    assert opened.returncode == 0, opened.stderr
    doc = json.loads(opened.stdout)
    assert doc["session_id"] == sid and doc["expires_in"] == 604800
    [look] = states(emulator, sid, mark)  # the state reply names the task…
    [claim] = to(emulator, CLAIM, mark)
    assert look.status == 200 and emulator.requests.index(look) < emulator.requests.index(claim)
    assert claim.json == {"task_id": task, "session_id": sid} and claim.status == 200  # …and the claim carries it
    ct = parse_qs(urlparse(doc["url"]).query)["ct"][0]
    page = httpx.get(f"{emulator.web_url}/workspace/claim", params={"ct": ct})
    assert page.status_code == 200 and sid in page.text  # the link opens the project

    prof = profile(emulator.config_dir)
    assert prof["sessions"][sid]["task_id"] == task and prof["sessions"][sid]["user_id"] == user_id
    assert prof["session"] == {"id": sid, "task_id": task}

    mark = len(emulator.requests)
    again = emulator.nemo("session", "open", "-q")
    assert again.returncode == 0 and again.stdout.startswith(f"{emulator.web_url}/workspace/claim?ct=clm_")
    assert not states(emulator, sid, mark)  # remembered: no second look
    assert [r.json for r in to(emulator, CLAIM, mark)] == [{"task_id": task, "session_id": sid}]
    shown = json.loads(emulator.nemo("session", "show", "--json").stdout)
    assert shown["task_id"] == task


def test_a_session_from_nemo_session_gets_its_link_without_being_added_to_the_store(emulator, elsewhere):
    sid, task, _, _ = elsewhere
    done = emulator.nemo("session", "open", "-q", env={"NEMO_SESSION": sid})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{emulator.web_url}/workspace/claim?ct=clm_")
    assert [r.json for r in to(emulator, CLAIM)] == [{"task_id": task, "session_id": sid}]
    assert "sessions" not in profile(emulator.config_dir)  # a session named by the environment is not adopted


def test_state_teaches_an_adopted_session_its_task_id(emulator, elsewhere):
    sid, task, user_id, _ = elsewhere
    assert emulator.nemo("session", "use", sid).returncode == 0
    shown = emulator.nemo("state", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["draft"]["t"] == []  # --json is still the state itself
    assert profile(emulator.config_dir)["sessions"][sid] == {"task_id": task, "user_id": user_id}
    mark = len(emulator.requests)
    assert emulator.nemo("session", "open", "-q").returncode == 0
    assert not states(emulator, sid, mark)
    assert [r.json for r in to(emulator, CLAIM, mark)] == [{"task_id": task, "session_id": sid}]


def test_the_export_link_of_an_adopted_session(emulator, elsewhere, tmp_path):
    sid, task, _, _ = elsewhere
    clip = emulator.media(tmp_path / "clip.mp4")
    assert emulator.nemo("upload", clip, "--session", sid, env={"NEMO_CONFIG_DIR": tmp_path / "other-machine"}).returncode == 0
    assert emulator.nemo("session", "use", sid).returncode == 0
    out = tmp_path / "out.mp4"
    done = emulator.nemo("export", "--wait", "-o", out, "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["link"].startswith(f"{emulator.web_url}/workspace/claim?ct=clm_") and out.stat().st_size > 0
    assert [r.json for r in to(emulator, CLAIM)] == [{"task_id": task, "session_id": sid}]
    assert profile(emulator.config_dir)["sessions"][sid]["task_id"] == task


def test_a_malformed_sessions_table_is_kept_and_the_link_refused(emulator, elsewhere):
    """Learning never rewrites a hand-broken table: `state` still shows the state and leaves the file as it
    was; `session open`, which needs the table, refuses in one line (exit 12) before asking the service."""
    sid, _, _, token = elsewhere
    store = emulator.config_dir / "config.toml"
    text = store.read_text()
    assert "[profiles.default]\n" not in text  # only [profiles.default.token] so far: the table goes first
    broken = "[profiles.default]\nsessions = 3\n\n" + text
    store.write_text(broken)
    shown = emulator.nemo("state", "-q", "--session", sid)
    assert shown.returncode == 0, shown.stderr
    assert store.read_text() == broken
    mark = len(emulator.requests)
    opened = emulator.nemo("session", "open", "--session", sid)
    assert opened.returncode == 12 and opened.stdout == ""
    assert [line for line in opened.stderr.splitlines() if line.startswith("error:")] == [
        f"error: the store {store}: [sessions] of profile 'default' should be a table"
    ]
    assert not to(emulator, CLAIM, mark) and store.read_text() == broken


# -- the out-of-credits link binds the user id ---------------------------------------------------------


def _anonymous_user(emulator) -> str:
    assert emulator.nemo("auth").returncode == 0
    token = emulator.nemo("auth", "token").stdout.strip()
    return emulator.world.tokens[token].user_id


@pytest.mark.parametrize(
    "token_names_user,how",
    [(True, "new"), (False, "new"), (False, "adopted")],
    ids=["the token's user id", "the new-session reply's user id", "the state reply's user id"],
)
def test_out_of_credits_link_binds_the_user_id(emulator, token_names_user, how):
    emulator.svc.options.anonymous_user_id = token_names_user  # the contract: user_id "where given"
    user_id = _anonymous_user(emulator)
    assert ("user_id" in profile(emulator.config_dir)["token"]) is token_names_user
    if how == "new":
        sid = emulator.nemo("session", "new", "-q").stdout.strip()
    else:  # made in the web editor by the same anonymous user
        sid = emulator.world.new_session(user_id, "web", "en").id
        assert emulator.nemo("session", "use", sid).returncode == 0
    emulator.world.users[user_id].available = 0
    done = emulator.nemo("edit", "generate a 10-second clip of a city at night")  # it costs credits
    assert done.returncode == 5, done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("hint:")] == [
        f"hint: register to get more credits: {emulator.web_url}/?bind={user_id}"
    ]
    assert sid != user_id
    runs = to(emulator, "/run_sse")
    assert len(runs) == 1 and runs[0].status == 402  # refused before the stream, and not sent again
    assert emulator.world.users[user_id].available == 0
