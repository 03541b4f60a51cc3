"""`nemo edit` through CliRunner against a recording stub service (httpx.MockTransport): what the user
sees (stdout, stderr, exit code) and what the service received — above all, that a message is POSTed
once and never again. Streams over a real socket are in test_edit_e2e.py."""

from __future__ import annotations

import copy
import json
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from nemo_cli import app as nemo_app
from nemo_cli.commands.common import Injected
from nemo_cli.store import Store

APP = nemo_app.build()
# The stub service's transport, handed to every in-process run (a fixture sets it for one test).
STUB = Injected()
TOKEN = "nmv_usr_stubtoken987654"
SID = "5529798706024415232"
STATE_PATH = f"/api/state/nemo_agent/me/{SID}/latest"
from tests.support.recordings import SSE as FIXTURES

VIDEO = {"id": "trk_video", "tt": 0, "m": {"title": "city"}, "sg": [{"id": "s1", "st": 0, "d": 10000}]}
TITLE = {"id": "trk_title", "tt": 7, "sg": [{"id": "s2", "st": 0, "d": 3000, "m": {"text": "Sunset Run"}}]}
MUSIC = {"id": "trk_music", "tt": 1, "m": {"title": "lo-fi music", "volume": 35}, "sg": [{"id": "s3", "st": 0, "d": 10000}]}
BEFORE = {"draft": {"t": [VIDEO], "d": 10000}, "video_infos": []}


def frame(obj: object) -> bytes:
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


def adk(text: str | None = None, *, partial: bool | None = None, call: str | None = None, result: str | None = None, **extra) -> bytes:
    parts: list[dict] = []
    if text is not None:
        parts.append({"text": text})
    if call:
        parts.append({"functionCall": {"id": f"c_{call}", "name": call, "args": {}}})
    if result:
        parts.append({"functionResponse": {"id": f"c_{result}", "name": result, "response": {"ok": True}}})
    event: dict = {"content": {"role": "model", "parts": parts}, "invocationId": "e-1", "author": "nemo_agent", **extra}
    if partial is not None:
        event["partial"] = partial
    return frame(event)


# How long a stub stream that is meant to outlast the client keeps going (see Forever and HOLD) and how
# long a test waits for an event: generous, so that no outcome depends on the machine's speed; a test only
# ever waits this long when the client under test is broken.
DEADLINE = 60.0

HOLD = object()  # in the pieces: send nothing more until the test is over (or DEADLINE)


class Forever:
    """In the pieces: these pieces over and over until the test is over (or DEADLINE), so the stream
    outlasts whatever limit the test sets, however slow the machine."""

    def __init__(self, *pieces) -> None:
        self.pieces = pieces


class Stream(httpx.SyncByteStream):
    """A reply body sent piece by piece; `None` in the pieces means "the connection dropped here"; a
    float means "pause this long" (keep-alive tests); HOLD and Forever above; `on_piece` runs before each
    piece is sent."""

    def __init__(self, pieces: list, stop: threading.Event, on_piece=None) -> None:
        self.pieces, self.stop, self.on_piece = pieces, stop, on_piece

    def _expanded(self):
        for piece in self.pieces:
            if isinstance(piece, Forever):
                end = time.monotonic() + DEADLINE
                while not self.stop.is_set() and time.monotonic() < end:
                    yield from piece.pieces
            else:
                yield piece

    def __iter__(self):
        for i, piece in enumerate(self._expanded()):
            if self.stop.is_set():
                return
            if self.on_piece:
                self.on_piece(i)
            if piece is None:
                raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")
            if piece is HOLD:
                self.stop.wait(DEADLINE)
                continue
            if isinstance(piece, float):
                time.sleep(piece)
                continue
            yield piece


class Service:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.states: list[dict] = [BEFORE]  # each state GET takes the next one; the last one stays
        self.pieces: list = [Path(FIXTURES / "adk-text.sse").read_bytes()]
        self.run_reply: httpx.Response | None = None
        self.credits = [100, 90]
        self.stop = threading.Event()
        self.on_piece = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"code": 1001, "message": "bad token"})
        path = request.url.path
        if path == STATE_PATH:
            state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
            return httpx.Response(200, json={"code": 0, "data": {"state": state}})
        if path == "/api/credits/balance/simple":
            available = self.credits.pop(0) if len(self.credits) > 1 else self.credits[0]
            return httpx.Response(200, json={"code": 0, "data": {"available": available, "frozen": 0, "total": available}})
        if path == "/run_sse" and request.method == "POST":
            if self.run_reply is not None:
                return self.run_reply
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Stream(self.pieces, self.stop, self.on_piece))
        return httpx.Response(404, json={"code": 404, "message": "no route"})

    def posts(self) -> list[dict]:
        return [json.loads(r.content) for r in self.requests if r.method == "POST" and r.url.path == "/run_sse"]

    def state_looks(self) -> int:
        return sum(1 for r in self.requests if r.url.path == STATE_PATH)


@pytest.fixture
def service(monkeypatch):
    svc = Service()
    monkeypatch.setattr(STUB, "transport", httpx.MockTransport(svc))
    for name, value in {
        "NEMO_TOKEN": TOKEN, "NEMO_SESSION": SID, "NEMO_API_URL": "http://api.test", "NEMO_WEB_URL": "https://web.test",
        "NEMO_RETRY_BACKOFF": "0", "NEMO_EDIT_RECOVER_FIRST": "0.01", "NEMO_EDIT_RECOVER_INTERVAL": "0.01",
        "NEMO_EDIT_RECOVER_LOOKS": "3",
    }.items():
        monkeypatch.setenv(name, value)
    yield svc
    svc.stop.set()  # ends any stream a timed-out test left its reader thread on


def nemo(*args: str, input: str | None = None):
    result = CliRunner().invoke(APP, list(args), input=input, obj=STUB)
    assert "Traceback" not in result.output and "internal error" not in result.stderr, result.stderr
    assert TOKEN not in result.output and "stubtoken" not in result.stderr
    return result


def with_tracks(*tracks: dict) -> dict:
    state = copy.deepcopy(BEFORE)
    state["draft"]["t"] = [copy.deepcopy(t) for t in tracks]
    return state


# -- a reply ------------------------------------------------------------------------------------------


def test_a_text_reply_is_printed_and_the_message_posted_once(service):
    done = nemo("edit", "add title 'Urban Dreams'")
    assert done.exit_code == 0, done.stderr
    assert done.stdout == "Added title 'Urban Dreams'. Anything else?\n"
    assert done.stderr == ""
    assert service.posts() == [{
        "app_name": "nemo_agent", "user_id": "me", "session_id": SID,
        "new_message": {"role": "user", "parts": [{"text": "add title 'Urban Dreams'"}]}, "streaming": True,
    }]
    run = next(r for r in service.requests if r.url.path == "/run_sse")
    assert run.headers["accept"] == "text/event-stream"
    assert run.headers["x-skill-source"] and run.headers["x-skill-platform"] in ("terminal", "ci")
    assert [r.url.path for r in service.requests] == [STATE_PATH, "/run_sse", STATE_PATH]


def test_words_without_quotes_make_one_message(service):
    assert nemo("edit", "add", "lo-fi", "music").exit_code == 0
    assert service.posts()[0]["new_message"]["parts"][0]["text"] == "add lo-fi music"


def test_partial_chunks_are_printed_once_and_tools_only_with_verbose(service):
    service.pieces = [(FIXTURES / "adk-partial-with-pings.sse").read_bytes()]
    done = nemo("edit", "add music")
    assert done.stdout == "Added background music Lo-fi at 35%. Anything else?\n"
    assert done.stderr == ""
    verbose = nemo("edit", "add music", "--verbose")
    assert verbose.stdout == done.stdout
    assert verbose.stderr.splitlines() == ["tool: edit_multitrack", "tool: edit_multitrack → done"]


def test_a_failed_tool_says_failed_with_verbose(service):
    service.pieces = [frame({"type": "tool_call", "name": "trim"}), frame({"type": "tool_result", "name": "trim", "result": {"ok": False}}),
                      frame({"type": "text", "content": "Could not trim."})]
    done = nemo("edit", "trim", "-v")
    assert done.stderr.splitlines() == ["tool: trim", "tool: trim → failed"]
    assert done.stdout == "Could not trim.\n"


def test_two_messages_are_separated_by_a_newline(service):
    service.pieces = [adk("Trimming now."), adk(call="trim"), adk(result="trim"), adk("Done.")]
    assert nemo("edit", "trim").stdout == "Trimming now.\nDone.\n"


def test_text_reaches_stdout_before_the_stream_ends(service, monkeypatch):
    """The first chunk is on stdout while the server is still holding the rest back."""
    import io
    import sys

    from nemo_cli.commands.common import run

    captured = io.BytesIO()
    seen: list[str] = []

    def on_piece(i: int) -> None:
        if i == 2:  # the first chunk went out, the rest is held back until it shows on stdout (or DEADLINE)
            end = time.monotonic() + DEADLINE
            while not captured.getvalue() and time.monotonic() < end:
                time.sleep(0.005)
            seen.append(captured.getvalue().decode())

    service.pieces = [adk("First ", partial=True), 0.01, adk("second", partial=True), adk("First second", partial=False)]
    service.on_piece = on_piece
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(captured, encoding="utf-8", write_through=True))
    assert run(APP, ["edit", "go"], transport=STUB.transport) == 0
    assert seen == ["First "]
    assert captured.getvalue().decode() == "First second\n"


def test_gui_talk_becomes_a_hint_and_the_trailing_note_is_dropped(service):
    service.pieces = [adk("Done! Click Export to download your video."), adk("I encountered a temporary issue.")]
    done = nemo("edit", "add music")
    assert done.stdout == "Done! Click Export to download your video.\n"
    hints = [line for line in done.stderr.splitlines() if line.startswith("hint: ")]
    assert len(hints) == 1 and "`nemo export --wait`" in hints[0] and "Click Export" in hints[0]


def test_chinese_gui_talk(service):
    service.pieces = [frame({"type": "text", "content": "已添加音乐，请打开素材面板查看，然后点击导出。"})]
    done = nemo("edit", "添加音乐")
    assert "`nemo state`" in done.stderr and "`nemo export --wait`" in done.stderr


# -- silent edits ------------------------------------------------------------------------------------


def test_a_silent_edit_prints_what_changed(service):
    service.pieces = [(FIXTURES / "adk-silent.sse").read_bytes()]
    service.states = [BEFORE, with_tracks(VIDEO, TITLE)]
    done = nemo("edit", "add title 'Sunset Run'")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.splitlines() == [
        "The service sent no reply text; what changed:",
        '  - added Title: "Sunset Run" (0-3s)',
    ]


def test_a_silent_edit_that_changed_nothing_says_so(service):
    service.pieces = [(FIXTURES / "adk-silent.sse").read_bytes()]
    done = nemo("edit", "add title")
    assert done.exit_code == 0
    assert done.stdout == "The service sent no reply text, and nothing changed in the session.\n"


def test_an_empty_stream_is_a_silent_edit(service):
    service.pieces = [b""]
    service.states = [BEFORE, with_tracks(VIDEO, MUSIC)]
    done = nemo("edit", "add music", "-q")
    assert done.stdout == "added BGM: lo-fi music (0-10s, 35%)\n"


# -- dropped connections -----------------------------------------------------------------------------


def test_a_dropped_stream_is_recovered_by_looking_at_the_state_never_by_resending(service):
    service.pieces = [adk(call="edit_multitrack"), None]
    service.states = [BEFORE, BEFORE, with_tracks(VIDEO, TITLE)]  # unchanged at the first look, then changed
    done = nemo("edit", "add title 'Sunset Run'")
    assert done.exit_code == 0, done.stderr
    assert len(service.posts()) == 1
    assert service.state_looks() == 3
    assert "not sending the message again" in done.stderr
    assert "no change yet (look 1 of 3)" in done.stderr
    assert done.stdout.splitlines() == [
        "The connection dropped, but the service went on; what changed:",
        '  - added Title: "Sunset Run" (0-3s)',
    ]


def test_a_stream_that_closes_in_the_middle_of_a_tool_is_treated_as_dropped(service):
    service.pieces = [adk(call="edit_multitrack")]  # closed cleanly, but the tool never answered
    service.states = [BEFORE, with_tracks(VIDEO, TITLE)]
    done = nemo("edit", "add title")
    assert done.exit_code == 0
    assert "The connection dropped" in done.stdout and len(service.posts()) == 1


def test_a_dropped_stream_with_no_change_fails_with_the_network_code(service):
    service.pieces = [adk("Working on ", partial=True), None]
    done = nemo("edit", "add title")
    assert done.exit_code == 9
    assert done.stdout == "Working on \n"
    assert "error: the connection dropped and the session's state did not change in 3 looks" in done.stderr
    assert "hint: the service may still be working on it" in done.stderr
    assert len(service.posts()) == 1
    assert service.state_looks() == 1 + 3


def test_a_request_that_never_connected_is_not_recovered(service, monkeypatch):
    def refuse(request):
        if request.url.path == "/run_sse":
            raise httpx.ConnectError("connection refused")
        return service(request)

    monkeypatch.setattr(STUB, "transport", httpx.MockTransport(refuse))
    monkeypatch.setenv("NEMO_RETRIES", "1")
    done = nemo("edit", "add title")
    assert done.exit_code == 9
    assert "cannot connect" in done.stderr and "watching" not in done.stderr


def test_a_request_whose_answer_never_came_is_recovered(service, monkeypatch):
    posts = []

    def lost(request):
        if request.url.path == "/run_sse":
            posts.append(request)
            raise httpx.ReadTimeout("timed out")
        return service(request)

    monkeypatch.setattr(STUB, "transport", httpx.MockTransport(lost))
    service.states = [BEFORE, with_tracks(VIDEO, TITLE)]
    done = nemo("edit", "add title")
    assert done.exit_code == 0, done.stderr
    assert len(posts) == 1
    assert "added Title" in done.stdout


# -- limits ------------------------------------------------------------------------------------------


def test_keepalives_only_hit_the_idle_timeout(service, monkeypatch):
    # the pings never end, so only the idle limit can stop the client; a notice is due 0.1 s into the
    # quiet, the limit 0.9 s after that: only a client stalled that long could miss the notice
    monkeypatch.setenv("NEMO_EDIT_IDLE_TIMEOUT", "1")
    monkeypatch.setenv("NEMO_EDIT_NOTICE_INTERVAL", "0.1")
    service.pieces = [adk(call="render"), Forever(b": ping\n\n", 0.02)]
    done = nemo("edit", "generate a clip")
    assert done.exit_code == 10
    assert "error: nothing but keep-alives for 1s; stopped listening" in done.stderr
    assert "still working…" in done.stderr
    assert "`nemo state` shows the outcome" in done.stderr
    assert len(service.posts()) == 1


def test_the_total_timeout_flag_wins_even_while_events_keep_coming(service):
    # the events never end: only the total limit (the flag under test) can stop the client
    service.pieces = [adk(call="render"), Forever(frame({"type": "tool_call", "name": "step"}), 0.02)]
    done = nemo("edit", "generate a clip", "--timeout", "0.3")
    assert done.exit_code == 10
    assert "no complete reply within 0.3s" in done.stderr


def test_a_silent_server_hits_the_idle_timeout(service, monkeypatch):
    monkeypatch.setenv("NEMO_EDIT_IDLE_TIMEOUT", "0.2")
    service.pieces = [HOLD]  # headers, then silence until the test is over: only the idle limit ends it
    done = nemo("edit", "x")
    assert done.exit_code == 10


def test_ctrl_c_stops_listening_with_130(service):
    def interrupt(i: int) -> None:
        if i == 1:
            os.kill(os.getpid(), signal.SIGINT)  # the main thread gets it while the stream is held open

    service.pieces = [adk("Working", partial=True), HOLD, b": ping\n\n", adk(call="x")]
    service.on_piece = interrupt
    done = nemo("edit", "add title")
    assert done.exit_code == 130
    assert "error: stopped listening; the service keeps working on the message" in done.stderr
    assert "`nemo state` shows the outcome" in done.stderr
    assert len(service.posts()) == 1


# -- credits and errors ------------------------------------------------------------------------------


def _anonymous(user_id: str = "u_42") -> None:
    with Store().edit() as prof:
        prof.set_token(TOKEN, "anonymous", "2999-01-01T00:00:00Z", user_id)


def test_2001_in_the_stream_for_an_anonymous_user_gives_the_registration_link(service, monkeypatch):
    monkeypatch.delenv("NEMO_TOKEN")
    _anonymous()
    service.pieces = [adk("Generating ", partial=True), frame({"invocationId": "e", "errorCode": "2001", "errorMessage": "insufficient credits"})]
    done = nemo("edit", "generate a clip")
    assert done.exit_code == 5
    assert done.stdout == "Generating \n"
    assert "error: out of credits: insufficient credits" in done.stderr
    assert "hint: register to get more credits: https://web.test/?bind=u_42" in done.stderr


def test_2001_for_a_user_token_says_top_up(service):
    service.pieces = [frame({"type": "error", "code": 2001, "message": "no credits"})]
    done = nemo("edit", "generate")
    assert done.exit_code == 5 and "top up your credits at https://web.test" in done.stderr


def test_2001_as_an_envelope_before_the_stream(service):
    service.run_reply = httpx.Response(402, json={"code": 2001, "message": "insufficient credits"})
    done = nemo("edit", "generate")
    assert done.exit_code == 5 and "out of credits" in done.stderr
    assert len(service.posts()) == 1


def test_an_error_envelope_with_http_200_before_the_stream(service):
    service.run_reply = httpx.Response(200, json={"code": 1002, "message": "no such session"})
    done = nemo("edit", "generate")
    assert done.exit_code == 4 and "session not found" in done.stderr


def test_an_unknown_stream_error_is_a_server_failure(service):
    service.pieces = [frame({"invocationId": "e", "errorCode": "MALFORMED_FUNCTION_CALL", "errorMessage": "bad call"})]
    done = nemo("edit", "x")
    assert done.exit_code == 9 and "MALFORMED_FUNCTION_CALL: bad call" in done.stderr


def test_show_cost(service):
    done = nemo("edit", "add title", "--show-cost")
    assert done.exit_code == 0
    assert "credits: 10 spent (100 → 90 available)" in done.stderr


# -- --settle ----------------------------------------------------------------------------------------


def test_settle_waits_for_the_second_stage_and_prints_the_summary(service):
    # one unchanged look (the second VIDEO) before the second stage: settling needs the timeline unchanged
    # for a whole second, not one look. The looks come every 0.25 s, so only a client stalled for 0.75 s
    # could take that first unchanged look for the end (it was 0.05 s of 0.2 s: a busy machine's hiccup)
    service.states = [BEFORE, with_tracks(VIDEO), with_tracks(VIDEO), with_tracks(VIDEO, MUSIC), with_tracks(VIDEO, MUSIC, TITLE)]
    done = nemo("edit", "generate", "--settle-for", "1")
    assert done.exit_code == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0] == "Added title 'Urban Dreams'. Anything else?"
    assert out[1:] == [
        "Timeline (3 tracks, 10s):",
        "  1. Video: city (0-10s)",
        "  2. BGM: lo-fi music (0-10s, 35%)",
        '  3. Title: "Sunset Run" (0-3s)',
        "  0 media files",
    ]
    assert "the service changed the timeline again: added BGM" in done.stderr


# -- --json --------------------------------------------------------------------------------------------


def test_json_prints_one_normalised_event_per_line(service):
    service.pieces = [(FIXTURES / "adk-partial-with-pings.sse").read_bytes()]
    service.states = [BEFORE, with_tracks(VIDEO, MUSIC)]
    done = nemo("edit", "add music", "--json")
    assert done.exit_code == 0
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert [e["type"] for e in events] == ["tool_call", "heartbeat", "tool_result", "text", "text", "text", "text", "state_change", "done"]
    assert all(isinstance(e["at"], float | int) for e in events)
    assert "".join(e["text"] for e in events if e["type"] == "text") == "Added background music Lo-fi at 35%. Anything else?"
    assert events[-2] == {"type": "state_change", "source": "state", "changes": ["added BGM: lo-fi music (0-10s, 35%)"], "at": events[-2]["at"]}
    done_event = events[-1]
    assert done_event["outcome"] == "reply"
    assert done_event["text"] == "Added background music Lo-fi at 35%. Anything else?"
    assert done_event["changes"] == ["added BGM: lo-fi music (0-10s, 35%)"]
    assert done_event["summary"][0] == "Timeline (2 tracks, 10s):"
    assert set(done_event) >= {"hints", "cost", "seconds"}


def test_json_error_event_comes_before_the_exit(service):
    service.pieces = [frame({"type": "error", "code": 2001, "message": "no credits"})]
    done = nemo("edit", "x", "--json")
    assert done.exit_code == 5
    assert json.loads(done.stdout.splitlines()[-1]) == {"type": "error", "code": 2001, "message": "no credits", "at": json.loads(done.stdout.splitlines()[-1])["at"]}


# -- where the message comes from ----------------------------------------------------------------------


def test_message_from_stdin(service):
    done = nemo("edit", "-", input="trim the first 10 seconds\n")
    assert done.exit_code == 0
    assert service.posts()[0]["new_message"]["parts"][0]["text"] == "trim the first 10 seconds"


def test_message_from_a_file(service, tmp_path):
    path = tmp_path / "msg.txt"
    path.write_text("add crossfade transitions\n", encoding="utf-8")
    assert nemo("edit", "--file", str(path)).exit_code == 0
    assert service.posts()[0]["new_message"]["parts"][0]["text"] == "add crossfade transitions"


@pytest.mark.parametrize(
    "args, input, code, said",
    [
        ([], None, 2, "no message given"),
        (["-"], "   \n", 2, "the message from stdin is empty"),
        (["  "], None, 2, "the message from the argument is empty"),
        (["x", "--file", "f.txt"], None, 2, "not both"),
        (["--file", "/nonexistent/msg.txt"], None, 6, "cannot read the message"),
    ],
)
def test_bad_messages_send_nothing(service, args, input, code, said):
    done = nemo("edit", *args, input=input)
    assert done.exit_code == code
    assert said in done.stderr
    assert service.posts() == []


def test_no_session_sends_nothing(service, monkeypatch):
    monkeypatch.delenv("NEMO_SESSION")
    done = nemo("edit", "x")
    assert done.exit_code == 4 and service.requests == []


def test_a_timeout_after_some_text_leaves_stdout_ending_with_a_newline(service, monkeypatch):
    monkeypatch.setenv("NEMO_EDIT_IDLE_TIMEOUT", "0.2")
    service.pieces = [adk("Rendering your clip", partial=True), Forever(b": ping\n\n", 0.02)]
    done = nemo("edit", "generate")
    assert done.exit_code == 10
    assert done.stdout == "Rendering your clip\n"


def test_ctrl_c_before_the_message_went_out_says_nothing_was_sent(service, monkeypatch):
    def interrupted(request):
        if request.url.path == STATE_PATH:
            raise KeyboardInterrupt
        return service(request)

    monkeypatch.setattr(STUB, "transport", httpx.MockTransport(interrupted))
    done = nemo("edit", "add title")
    assert done.exit_code == 130
    assert "nothing was sent" in done.stderr and service.posts() == []


def test_a_web_page_instead_of_a_stream_is_a_configuration_error(service):
    service.run_reply = httpx.Response(200, headers={"content-type": "text/html"}, text="<html>proxy login</html>")
    done = nemo("edit", "x")
    assert done.exit_code == 12, done.stderr
    errors_ = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors_) == 1 and errors_[0].endswith("does not look like the NemoVideo API: POST /run_sse got a web page (text/html), not a stream")
    assert "hint: check the API URL" in done.stderr and "`nemo state` shows whether the message arrived" in done.stderr
    assert len(service.posts()) == 1  # sent once, never again


def test_show_cost_survives_a_failed_balance_look(service, monkeypatch):
    def no_credits(request):
        if request.url.path == "/api/credits/balance/simple":
            return httpx.Response(503, text="down")
        return service(request)

    monkeypatch.setattr(STUB, "transport", httpx.MockTransport(no_credits))
    monkeypatch.setenv("NEMO_RETRIES", "0")
    done = nemo("edit", "add title", "--show-cost")
    assert done.exit_code == 0
    assert done.stdout == "Added title 'Urban Dreams'. Anything else?\n"
    assert "warning: could not read the credits balance" in done.stderr


@pytest.mark.parametrize(
    "args, settle, timeout, show_cost, verbose",
    [
        ([], None, None, False, False),
        (["--settle"], 30.0, None, False, False),
        (["--settle-for", "5", "--timeout", "60", "--show-cost", "-v"], 5.0, 60.0, True, True),
    ],
)
def test_flags_reach_the_flow(service, monkeypatch, args, settle, timeout, show_cost, verbose):
    from nemo_cli.flows import edit as flow

    seen = []

    def fake(ctx, sid, text, observer, **options):
        seen.append((sid, text, observer, options))
        return flow.EditOutcome(session_id=sid)

    monkeypatch.setattr(flow, "edit", fake)
    assert nemo("edit", "hello", "there", *args, "-s", "777").exit_code == 0
    sid, text, observer, options = seen[0]
    assert (sid, text) == ("777", "hello there")
    assert (options["settle"], options["timeout"], options["show_cost"], observer.verbose) == (settle, timeout, show_cost, verbose)
