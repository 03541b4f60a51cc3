"""`nemo edit` end to end: the real `nemo` in a subprocess against the emulator on loopback. Streams,
drops and keep-alives happen over a real socket here; assertions are on stdout, stderr, exit codes and
the emulator's request log (above all: one POST to /run_sse per message, whatever happens)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import uvicorn  # noqa: F401  (the `dev` extra's: missing, it fails the run instead of skipping it)


def ready(emulator) -> str:
    """An anonymous token, a session and a 5-second clip in it (a URL upload: no ffmpeg needed)."""
    sid = emulator.nemo("session", "new", "-q")
    assert sid.returncode == 0, sid.stderr
    up = emulator.nemo("upload", "--url", "https://example.com/clip.mp4")
    assert up.returncode == 0, up.stderr
    return sid.stdout.strip()


def runs(emulator) -> list:
    return [r for r in emulator.requests if r.method == "POST" and r.path == "/run_sse"]


def checked(result) -> subprocess.CompletedProcess:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert "nmv_usr_" not in result.stdout + result.stderr  # the token never shows
    return result


def test_a_text_reply_streams_once_with_gui_hints(emulator):
    sid = ready(emulator)
    done = checked(emulator.nemo("edit", "add title 'Urban Dreams'"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Urban Dreams") == 1 and done.stdout.endswith("\n")
    assert len(done.stdout.splitlines()) == 1
    assert [r.json["new_message"]["parts"][0]["text"] for r in runs(emulator)] == ["add title 'Urban Dreams'"]
    assert runs(emulator)[0].json["session_id"] == sid
    assert runs(emulator)[0].headers["accept"] == "text/event-stream"
    state = checked(emulator.nemo("state"))
    assert 'Title: "Urban Dreams"' in state.stdout


def test_the_typed_flavour_prints_the_same_way(emulator):
    ready(emulator)
    emulator.options.sse_flavor = "typed"
    done = checked(emulator.nemo("edit", "add title 'Typed Title'", "--verbose"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Typed Title") == 1
    assert "tool: " in done.stderr and "→ done" in done.stderr


def test_a_silent_edit_prints_the_state_diff(emulator):
    ready(emulator)
    emulator.options.silent_rate = 1.0
    done = checked(emulator.nemo("edit", "add lo-fi background music at 35%"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "The service sent no reply text; what changed:"
    assert any(line.startswith("  - added BGM:") and "35%" in line for line in lines[1:]), lines
    assert len(runs(emulator)) == 1


def test_a_stream_dropped_after_n_events_is_recovered_without_a_second_post(emulator):
    ready(emulator)
    emulator.inject("sse_drop", path="/run_sse", after=2)
    done = checked(emulator.nemo("edit", "trim the first 2 seconds"))
    assert done.returncode == 0, done.stderr
    assert "not sending the message again" in done.stderr
    assert done.stdout.splitlines()[0] == "The connection dropped, but the service went on; what changed:"
    assert "  - timeline: 5s → 3s" in done.stdout.splitlines()
    posts = runs(emulator)
    assert len(posts) == 1 and posts[0].fault == "sse_drop"
    after_post = emulator.requests[emulator.requests.index(posts[0]) + 1 :]
    assert [r.path for r in after_post if r.method != "GET"] == []  # only looks at the state afterwards
    assert any(r.path.endswith("/latest") for r in after_post)


def test_a_dropped_text_only_reply_fails_after_its_looks_with_the_network_code(emulator):
    ready(emulator)
    emulator.inject("sse_drop", path="/run_sse", after=1)
    done = checked(emulator.nemo("edit", "how long is the video?", env={"NEMO_EDIT_RECOVER_LOOKS": "2"}))
    assert done.returncode == 9
    assert "error: the connection dropped and the session's state did not change in 2 looks" in done.stderr
    assert len(runs(emulator)) == 1


def test_keepalives_only_end_with_the_timeout_code(emulator):
    ready(emulator)
    # The agent works far longer than the test lasts: only the idle limit can end the client's wait. A
    # notice is due 0.1 s into the quiet, the limit 0.9 s after that: only a client stalled that long
    # could miss the notice.
    emulator.options.edit_seconds = 600.0
    done = checked(
        emulator.nemo(
            "edit", "add crossfade transitions",
            env={"NEMO_EDIT_IDLE_TIMEOUT": "1", "NEMO_EDIT_NOTICE_INTERVAL": "0.1"},
        )
    )
    assert done.returncode == 10
    assert "error: nothing but keep-alives for 1s; stopped listening" in done.stderr
    assert "still working…" in done.stderr
    assert len(runs(emulator)) == 1


def test_2001_gives_the_credits_code_and_the_registration_link(emulator):
    ready(emulator)
    emulator.inject("credits", path="/run_sse")
    done = checked(emulator.nemo("edit", "add title 'Broke'"))
    assert done.returncode == 5
    assert "error: out of credits" in done.stderr
    link = next(line for line in done.stderr.splitlines() if line.startswith("hint: "))
    assert f"register to get more credits: {emulator.web_url}/?bind=" in link
    assert not link.endswith("bind=")  # an id to bind to
    assert len(runs(emulator)) == 1


def test_1001_renews_an_anonymous_token_and_sends_the_refused_message_once_more(emulator):
    ready(emulator)
    emulator.inject("expire_token", path="/run_sse")
    done = checked(emulator.nemo("edit", "add title 'Renewed'"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Renewed") == 1
    first, second = runs(emulator)
    assert first.status == 401 and second.status == 200  # the first never ran: it was refused
    assert first.headers["authorization"] != second.headers["authorization"]
    tokens = [r for r in emulator.requests if r.path == "/api/auth/anonymous-token"]
    assert len(tokens) == 2 and tokens[0].headers["x-client-id"] == tokens[1].headers["x-client-id"]


def test_the_message_from_stdin(emulator):
    ready(emulator)
    done = checked(emulator.nemo("edit", "-", input="add title 'From Stdin'\n"))
    assert done.returncode == 0, done.stderr
    assert runs(emulator)[0].json["new_message"]["parts"][0]["text"] == "add title 'From Stdin'"
    assert "From Stdin" in done.stdout


def test_json_is_ndjson_of_normalised_events(emulator):
    ready(emulator)
    done = checked(emulator.nemo("edit", "add title 'Json Title'", "--json"))
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    kinds = [e["type"] for e in events]
    assert set(kinds) <= {"text", "tool_call", "tool_result", "heartbeat", "state_change", "done"}
    assert kinds[-1] == "done" and kinds.count("done") == 1
    assert "tool_call" in kinds and "tool_result" in kinds and "state_change" in kinds
    text = "".join(e["text"] for e in events if e["type"] == "text")
    assert text.count("Json Title") == 1 and events[-1]["text"] == text
    assert events[-1]["outcome"] == "reply"
    change = next(e for e in events if e["type"] == "state_change" and e["source"] == "state")
    assert any('Title: "Json Title"' in c for c in change["changes"])
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)


def test_ctrl_c_stops_listening_and_says_the_service_goes_on(emulator):
    ready(emulator)
    emulator.options.edit_seconds = 600.0  # the stream stays open until the client leaves
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "nemo"), "edit", "add crossfade transitions"],
        env=emulator.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        # Ctrl-C once the client is listening: the emulator has answered its POST and the stream is open
        deadline = time.monotonic() + 60
        while not any(r.status == 200 for r in runs(emulator)) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        assert [r.status for r in runs(emulator)] == [200], "the message was not sent, or not answered with a stream"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert "error: stopped listening; the service keeps working on the message" in err
    assert "`nemo state` shows the outcome" in err
    assert "Traceback" not in err
    assert len(runs(emulator)) == 1
