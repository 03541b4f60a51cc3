"""Fuzzed replies, endpoint by endpoint, through the real commands (CliRunner in-process, the network
swapped for httpx.MockTransport): anonymous token, new session, claim token, credits, upload records,
state and draft, the silent-edit diff, and arbitrary `/run_sse` byte streams through `nemo edit`.

Each reply starts from the contract's own shape and is then damaged: a field dropped, retyped, made huge,
the envelope swapped or the body cut short. Whatever arrives, the property is the same: a documented exit
code, no traceback and no "internal error", exactly one `error:` line when the command fails (none when
it succeeds), and never the token. `nemo edit` also never sends the message twice (only a 429 resends).

With test_fuzz_responses.py (1,500) and test_export_fuzz.py (300), this file brings the suite past 5,000
generated cases. Derandomized, so CI sees the same cases every run.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.support.cli_run import run
from nemo_cli import draft as timeline
from nemo_cli.errors import EXIT_CODES

DOCUMENTED = {code for code, _, _ in EXIT_CODES}
TOKEN = "nmv_usr_fuzzclisecret4242"
SECRET = "fuzzclisecret"  # the part of every token here that must never be printed
ANON = "nmv_anon_fuzzclisecret7777"
SID = "5529798706024415232"

def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- values and damage ----------------------------------------------------------------------------------
# Hypothesis draws the shape of each case (command, envelope, status, frame kinds, cut points); the bulk
# of nested JSON comes from the seeded Random it hands over (st.randoms): drawing deep JSON value by value
# costs milliseconds each on a loaded CI machine, and thousands of cases must run in about a minute.

ODD_TEXT = ["", " ", "0", "-1", "1e309", "NaN", "\x00", "ééé", "[", "]]", '"', "\\", "\n", "\r\n", "\ud800", "\u202e", "😀", "null"]
ALPHABET = "ab z0-_.:/é漢\t\n\x00\x1b\u202e😀\ud800"
HUGE = ["x" * 70_000, "é" * 20_000, "9" * 5_000]


class Junk:
    """Random JSON-ish values and contract shapes with damage, from one seeded Random."""

    def __init__(self, rnd) -> None:
        self.r = rnd
        self.level = rnd.choice([0.0, 0.5, 1.0, 1.5])  # how damaged this case is: some come out whole

    def text(self, most: int = 12) -> str:
        r = self.r
        if r.random() < 0.3:
            return r.choice(ODD_TEXT)
        return "".join(r.choice(ALPHABET) for _ in range(r.randint(0, most)))

    def scalar(self):
        r = self.r
        return r.choice([
            None, True, False, 0, -1, 1, 35, 0.35, 2**63, -(2**70), 1e308, float("nan"), float("inf"), -0.0,
            r.randint(-(10**6), 10**12), r.uniform(-1e6, 1e6), self.text(), self.text(),
        ])

    def value(self, depth: int = 2):
        r = self.r
        roll = r.random()
        if depth <= 0 or roll < 0.6:
            return self.scalar()
        if roll < 0.8:
            return [self.value(depth - 1) for _ in range(r.randint(0, 3))]
        return {self.text(6): self.value(depth - 1) for _ in range(r.randint(0, 3))}

    def damaged(self, fields: dict, rate: float = 0.4) -> dict:
        """The object with some fields dropped, retyped or made huge, and now and then an extra one."""
        r = self.r
        out = dict(fields)
        for key in list(out):
            if r.random() >= rate * self.level:
                continue
            action = r.random()
            if action < 0.4:
                del out[key]
            elif action < 0.9:
                out[key] = self.value()
            else:
                out[key] = r.choice(HUGE)
        if r.random() < 0.25:
            out[self.text(6)] = self.value()
        return out

    def maybe(self, good, rate: float = 0.15):
        """`good` (a value or a maker of one), or now and then any value instead."""
        if self.r.random() < rate * self.level:
            return self.value()
        return good() if callable(good) else good

    # contract shapes
    def token(self) -> dict:
        return self.damaged({"token": ANON, "user_id": "u_123", "expires_at": "2099-01-01T00:00:00Z", "credits": 100})

    def session(self) -> dict:
        return self.damaged({"task_id": "task_1", "session_id": SID, "user_id": "u_123"})

    def claim(self) -> dict:
        return self.damaged({"claim_token": "clm_fuzzclaim1", "expires_in": 604800})

    def credits(self) -> dict:
        return self.damaged({"available": 90, "frozen": 10, "total": 100})

    def upload(self) -> dict:
        def record():
            return self.damaged({"filename": "a b.mp4", "file_type": "video", "cdn_url": "https://cdn.test/a.mp4", "duration": 8.0,
                                 "width": 320, "height": 240, "fps": 25, "hash": "abc"}, 0.3)

        files = self.maybe(lambda: [self.maybe(record) for _ in range(self.r.randint(0, 3))])
        return self.damaged({"files": files, "session_state_applied": self.r.choice([True, False, None])})

    def segment(self) -> dict:
        meta = self.damaged({"title": "city.mp4", "width": 1920, "height": 1080, "volume": self.r.choice([35, 0.35, 1, 0]),
                             "text": "Hi", "grade": {"look": "warm"}, "transition": "crossfade"}, 0.3)
        return self.damaged({"id": f"seg_{self.r.randint(1, 3)}", "st": self.r.choice([0, 3000, None]), "d": self.r.choice([10_000, 3000, 0]),
                             "src": "m1", "in": 0, "m": self.maybe(meta)}, 0.25)

    def track(self) -> dict:
        r = self.r
        return self.damaged({
            "id": self.maybe(lambda: r.choice(["trk_video", "trk_music", "trk_title", None])),
            "tt": self.maybe(lambda: r.choice([0, 1, 7, 3, True, "0"])),
            "m": self.maybe(lambda: {"title": r.choice(["lo-fi music", "", " "]), "volume": r.choice([0.35, 35, True]), "kind": r.choice(["voice", "music"])}),
            "sg": self.maybe(lambda: [self.maybe(self.segment, 0.1) for _ in range(r.randint(0, 2))]),
            "d": r.choice([10_000, -5, 0, None]),
        }, 0.25)

    def state(self) -> dict:
        r = self.r
        draft = self.maybe(lambda: self.damaged({"t": self.maybe(lambda: [self.maybe(self.track, 0.1) for _ in range(r.randint(0, 3))]),
                                                 "d": 10_000, "x_emu": {"k": 1}}, 0.2))
        return self.damaged({
            "draft": draft,
            "video_infos": self.maybe(lambda: [self.value(1) for _ in range(r.randint(0, 2))]),
            "canvas_config": self.maybe(lambda: self.damaged({"width": 1920, "height": 1080, "aspect_ratio": "16:9"})),
            "generated_media": [],
        }, 0.2)

    def event(self) -> dict | object:
        """A `/run_sse` event: typed, ADK, an envelope, or anything."""
        r = self.r
        roll = r.random()
        if roll < 0.35:
            kind = r.choice(["text", "tool_call", "tool_result", "heartbeat", "error", "state_change", "delta", "TEXT", self.text(6)])
            event = {"type": self.maybe(kind, 0.1)}
            for key in r.sample(["content", "text", "partial", "name", "id", "args", "result", "code", "message", "delta", "state"], r.randint(0, 4)):
                event[key] = self.value(1) if r.random() < 0.5 else self.text(30)
            return event
        if roll < 0.8:
            def part():
                return r.choice([
                    {"text": self.text(40)}, {"text": self.text(10), "thought": True}, {"text": self.value(1)},
                    {"functionCall": self.maybe(lambda: self.damaged({"id": "c1", "name": "edit", "args": {"x": 1}}))},
                    {"functionResponse": self.maybe(lambda: self.damaged({"id": "c1", "name": "edit", "response": {"ok": r.choice([True, False])}}))},
                    self.value(1),
                ])

            event = {"content": self.maybe(lambda: {"role": r.choice(["model", "user", None]), "parts": self.maybe(lambda: [part() for _ in range(r.randint(0, 3))])})}
            optional = {"partial": lambda: r.choice([True, False, None, "yes"]), "turnComplete": lambda: r.choice([True, False]),
                        "invocationId": lambda: "e-1", "actions": lambda: self.maybe({"stateDelta": {"a": 1}}, 0.3),
                        "errorCode": lambda: r.choice([2001, 1002, "1001", "RESOURCE_EXHAUSTED", "", None, True]),
                        "errorMessage": lambda: self.text(20)}
            for key in r.sample(list(optional), r.randint(0, 3)):
                event[key] = optional[key]()
            return event
        if roll < 0.9:
            return {"code": r.choice([0, 1001, 1002, 2001, 4001, -3, "2001"]), "message": self.text(20)}
        return self.value()


randoms = st.randoms(use_true_random=True)  # a real Random seeded by Hypothesis: repeatable, and cheap per call


def junk(build) -> st.SearchStrategy:
    return randoms.map(lambda rnd: build(Junk(rnd)))


@st.composite
def envelope(draw, make) -> tuple[int, bytes, str]:
    """(HTTP status, body, content type): mostly the API envelope around what `make(junk)` builds;
    sometimes another envelope, an error, a bare value, a cut body, bytes that are not JSON, a web page."""
    j = Junk(draw(randoms))
    data = make(j)
    kind = draw(st.sampled_from(["api"] * 6 + ["render", "bare", "error", "cut", "bytes", "html"]))
    status, ctype = 200, "application/json"
    body: object = {"code": 0, "data": data}
    if kind == "api":
        body = {"code": draw(st.sampled_from([0, 0, 0, 0, 1002, 2001, 4001, 4002, 7])), "data": data}
        if j.r.random() < 0.5:
            body["message"] = j.maybe(lambda: j.text(30))
    elif kind == "render":
        body = {"success": draw(st.booleans()), "data": data}
    elif kind == "bare":
        body = data if j.r.random() < 0.5 else j.value()
    elif kind == "error":
        status = draw(st.sampled_from([400, 401, 402, 403, 404, 409, 429, 500, 502, 503]))
        body = {"code": j.r.randint(-5, 5000), "message": j.text(30)} if j.r.random() < 0.7 else j.value()
    if kind == "bytes":
        raw = draw(st.binary(max_size=200))
    elif kind == "html":
        raw, ctype, status = b"<html><body>Bad Gateway</body></html>", "text/html", draw(st.sampled_from([200, 502]))
    else:
        raw = json.dumps(body, allow_nan=True).encode()
        if kind == "cut":
            raw = raw[: draw(st.integers(0, max(0, len(raw) - 1)))]
    return status, raw, ctype


def reply(answer: tuple[int, bytes, str]) -> httpx.Response:
    status, body, ctype = answer
    return httpx.Response(status, content=body, headers={"content-type": ctype})


# -- the harness ------------------------------------------------------------------------------------------


@pytest.fixture
def env(monkeypatch, isolated_env):
    for name, value in {"NEMO_API_URL": "http://api.test", "NEMO_WEB_URL": "https://web.test", "NEMO_RETRY_BACKOFF": "0",
                        "NEMO_RATE_LIMIT_WAIT": "0", "NEMO_RETRIES": "1", "NEMO_EDIT_RECOVER_FIRST": "0",
                        "NEMO_EDIT_RECOVER_INTERVAL": "0", "NEMO_EDIT_RECOVER_LOOKS": "1"}.items():
        monkeypatch.setenv(name, value)
    return isolated_env


def fresh(config: Path, monkeypatch, *, token: str | None, session: bool = True) -> None:
    """Each example starts from an empty store (examples share the test's directory)."""
    (config / "config.toml").unlink(missing_ok=True)
    if token:
        monkeypatch.setenv("NEMO_TOKEN", token)
    else:
        monkeypatch.delenv("NEMO_TOKEN", raising=False)
    if session:
        monkeypatch.setenv("NEMO_SESSION", SID)
    else:
        monkeypatch.delenv("NEMO_SESSION", raising=False)


def invoke(handler, args: list[str], input: str | None = None, most_errors: int = 1) -> Result:
    result = run(args, input, transport=httpx.MockTransport(handler))
    check(args, result, most_errors)
    return result


def check(args: list[str], result, most_errors: int = 1) -> None:
    """`most_errors` > 1 only for `upload --each`, which reports each failed file, then sums up."""
    context = (args, result.exit_code, result.stderr[-2000:])
    assert result.exit_code in DOCUMENTED, context
    assert "Traceback" not in result.output and "internal error" not in result.stderr, context
    assert result.exception is None, (context, repr(result.exception))
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert (len(errors) == 0) if result.exit_code == 0 else (1 <= len(errors) <= most_errors), context
    assert SECRET not in result.output, context


def routes(answers: dict[str, tuple[int, bytes, str]]):
    """A service answering each path (by its start) with the given reply; anything else is a 404."""
    def handler(request: httpx.Request) -> httpx.Response:
        for prefix, answer in answers.items():
            if request.url.path.startswith(prefix):
                return reply(answer)
        return httpx.Response(404, json={"code": 404, "message": "no route"})

    return handler


OK_CREDITS = (200, json.dumps({"code": 0, "data": {"available": 90, "frozen": 0, "total": 90}}).encode(), "application/json")
OK_TOKEN = (200, json.dumps({"code": 0, "data": {"token": ANON, "expires_at": "2099-01-01T00:00:00Z"}}).encode(), "application/json")
# `session open` of a session the store has no task id for looks at its state first (the reply names the task)
OK_STATE = (200, json.dumps({"code": 0, "data": {"task_id": "task_1", "session_id": SID, "state": {}}}).encode(), "application/json")


# -- identity, sessions, claim, credits -------------------------------------------------------------------


ACCOUNT = [
    # (command, needs a token from the environment, needs a session)
    (["auth"], False, False), (["auth", "--json"], False, False), (["auth", "-q"], False, False),
    (["credits"], True, False), (["credits", "--json"], True, False), (["credits"], False, False),
    (["session", "new"], True, False), (["session", "new", "-q"], True, False), (["session", "new", "--json"], False, False),
    (["session", "open"], True, True), (["session", "open", "--json"], True, True), (["session", "open", "-q"], False, True),
]


@fuzz(900)
@given(
    command=st.sampled_from(ACCOUNT),
    token=envelope(Junk.token), session=envelope(Junk.session), claim=envelope(Junk.claim), credits=envelope(Junk.credits),
    ok_token=st.booleans(),
)
def test_account_replies(env, monkeypatch, command, token, session, claim, credits, ok_token):
    args, with_token, with_session = command
    fresh(env, monkeypatch, token=TOKEN if with_token else None, session=with_session)
    handler = routes({
        "/api/auth/anonymous-token": OK_TOKEN if ok_token and args[0] != "auth" else token,
        "/api/tasks/me/with-session/": session,
        "/api/auth/claim-token": claim,
        "/api/credits/balance/simple": credits,
        "/api/state/": OK_STATE,
    })
    result = invoke(handler, args)
    if result.exit_code == 0 and args[:2] == ["session", "new"] and "-q" in args:
        assert result.stdout.strip(), "a created session prints its id"
    if result.exit_code == 0 and args[:2] == ["session", "open"] and "-q" in args:
        assert result.stdout.startswith("https://web.test/workspace/claim?ct="), result.stdout


# -- upload records -----------------------------------------------------------------------------------------


UPLOADS = [["upload", "{a}"], ["upload", "{a}", "--json"], ["upload", "{a}", "-q"], ["upload", "{a}", "{b}"],
           ["upload", "--each", "{a}", "{b}"], ["upload", "--each", "--json", "{a}", "{b}"],
           ["upload", "--url", "https://example.com/a.mp4"], ["upload", "--url", "--json", "https://example.com/a.mp4"]]


@fuzz(700)
@given(command=st.sampled_from(UPLOADS), answers=st.lists(envelope(Junk.upload), min_size=1, max_size=2))
def test_upload_replies(env, monkeypatch, tmp_path, command, answers):
    fresh(env, monkeypatch, token=TOKEN)
    a, b = tmp_path / "a b.mp4", tmp_path / "-c.mov"
    for path in (a, b):
        if not path.exists():
            path.write_bytes(b"\x00\x00\x00\x18ftypmp42 not really a video")
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/api/upload-video/"):
            request.read()
            return reply(queue.pop(0) if len(queue) > 1 else queue[0])
        return httpx.Response(404, json={"code": 404})

    args = [x.format(a=a, b=b) for x in command]
    each = "--each" in args
    result = invoke(handler, args, most_errors=3 if each else 1)
    if result.exit_code == 0 and "--json" in args:
        doc = json.loads(result.stdout)
        assert doc["session_id"] == SID and isinstance(doc["files"], list)


# -- state and draft -----------------------------------------------------------------------------------------


STATES = [["state"], ["state", "--json"], ["state", "--draft"], ["state", "--check-ready"], ["state", "-q"]]


@fuzz(900)
@given(command=st.sampled_from(STATES), answer=envelope(lambda j: j.damaged({"state": j.maybe(j.state)}, 0.2)))
def test_state_replies(env, monkeypatch, command, answer):
    fresh(env, monkeypatch, token=TOKEN)
    result = invoke(routes({"/api/state/": answer}), command)
    if result.exit_code == 0 and ("--json" in command or "--draft" in command):
        assert isinstance(json.loads(result.stdout), dict)
    if "--check-ready" in command:
        assert result.stdout == "" and result.exit_code != 0 or result.exit_code == 0


@fuzz(1200)
@given(before=junk(lambda j: j.maybe(j.state, 0.1)), after=junk(lambda j: j.maybe(j.state, 0.1)), same_draft=st.booleans())
def test_the_silent_edit_diff_and_summaries_never_fail(before, after, same_draft):
    if same_draft and isinstance(before, dict) and isinstance(after, dict) and "draft" in before:
        after = {**after, "draft": json.loads(json.dumps(before["draft"]))}  # only the details differ
    changes = timeline.diff(before, after)
    assert isinstance(changes, list) and all(isinstance(c, str) and c for c in changes)
    if isinstance(before, dict) and before == after:
        assert changes == []
    for state in (before, after):
        lines = timeline.summary_lines(state)
        assert lines and all(isinstance(line, str) for line in lines)
        assert isinstance(timeline.one_line(state), str)
        assert isinstance(timeline.is_ready(state.get("draft") if isinstance(state, dict) else state), bool)


# -- /run_sse byte streams through `nemo edit` --------------------------------------------------------------

from tests.support.recordings import SSE as FIXTURES
RECORDED = [p.read_bytes() for p in sorted(FIXTURES.glob("*.sse"))] or [b""]



def dumps(obj: object) -> bytes:
    return json.dumps(obj, allow_nan=True).encode()  # lone surrogates stay escaped: valid JSON, odd text


@st.composite
def sse_frame(draw) -> bytes:
    j = Junk(draw(randoms))
    kind = draw(st.sampled_from(["json"] * 6 + ["named", "not json", "comment", "empty", "multi", "garbage", "huge", "bad utf8", "recorded", "field"]))
    if kind == "json":
        return b"data: " + dumps(j.event()) + b"\n\n"
    if kind == "named":
        name = j.r.choice(["error", "heartbeat", "message", "ping", "", j.text(6)])
        return f"event: {name}\n".encode("utf-8", "surrogatepass") + b"data: " + dumps(j.event()) + b"\n\n"
    if kind == "not json":
        return b"data: " + j.text(60).encode("utf-8", "surrogatepass") + b"\n\n"
    if kind == "comment":
        return b": " + j.r.choice([b"ping", b"", b"keep-alive \xff"]) + b"\n"
    if kind == "empty":
        return b"data: \n\n"
    if kind == "multi":
        body = dumps(j.event())
        cut = draw(st.integers(0, len(body)))
        return b"data: " + body[:cut] + b"\ndata: " + body[cut:] + b"\n\n"
    if kind == "garbage":
        return draw(st.binary(max_size=80))
    if kind == "huge":
        size = draw(st.sampled_from([70_000, 300_000]))
        if draw(st.booleans()):
            return b'data: {"type": "text", "content": "' + b"y" * size + b'"}\n\n'
        return b"data: " + b"z" * size + b"\n\n"
    if kind == "bad utf8":
        return b'data: {"type": "text", "content": "caf\xc3' + draw(st.binary(max_size=4)) + b'"}\n\n'
    if kind == "field":
        return draw(st.sampled_from([b"id: 7\n", b"retry: 10\n", b"retry: x\n", b"data\n\n", b"data:{}\n\n", b"event\n", b"\n\n\n"]))
    recorded = draw(st.sampled_from(RECORDED))
    return recorded[: draw(st.integers(0, len(recorded)))] if draw(st.booleans()) else recorded


@st.composite
def sse_stream(draw) -> tuple[list[bytes], str]:
    """The byte chunks of a stream, and how it ends: "closed", "dropped" or "reset"."""
    raw = b"".join(draw(st.lists(sse_frame(), max_size=6)))
    newline = draw(st.sampled_from([b"\n", b"\n", b"\r\n", b"\r"]))
    if newline != b"\n":
        raw = raw.replace(b"\n", newline)
    if draw(st.booleans()):
        raw = b"\xef\xbb\xbf" + raw
    cuts = sorted(set(draw(st.lists(st.integers(0, len(raw)), max_size=8))))
    chunks = [raw[i:j] for i, j in zip([0, *cuts], [*cuts, len(raw)])]
    return chunks, draw(st.sampled_from(["closed", "closed", "dropped", "reset"]))


class Body(httpx.SyncByteStream):
    def __init__(self, chunks: list[bytes], end: str) -> None:
        self.chunks, self.end = chunks, end

    def __iter__(self):
        yield from self.chunks
        if self.end == "dropped":
            raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")
        if self.end == "reset":
            raise httpx.ReadError("[Errno 104] Connection reset by peer")


@st.composite
def run_reply(draw):
    """The answer to the POST: nearly always a stream; sometimes JSON, a web page or an error status."""
    kind = draw(st.sampled_from(["stream"] * 12 + ["json", "html", "status", "no type"]))
    if kind == "stream":
        return ("stream", 200, "text/event-stream", draw(sse_stream()))
    if kind == "no type":
        return ("stream", 200, "", draw(sse_stream()))
    if kind == "html":
        return ("body", 200, "text/html; charset=utf-8", b"<html>maintenance</html>")
    if kind == "json":
        j = Junk(draw(randoms))
        body = j.r.choice([[j.event() for _ in range(j.r.randint(0, 4))], {"code": j.r.choice([0, 2001, 1002, 1001]), "message": "x"}, j.value()])
        return ("body", 200, "application/json", dumps(body))
    status = draw(st.sampled_from([400, 401, 402, 404, 429, 500, 503]))
    body = json.dumps({"code": draw(st.sampled_from([1001, 1002, 2001, 9])), "message": "refused"}).encode()
    return ("body", status, "application/json", body)


GOOD_STATE = {"draft": {"t": [{"id": "trk_video", "tt": 0, "sg": [{"id": "s1", "st": 0, "d": 10_000}]}], "d": 10_000}}
EDITS = [["edit", "add a title 'Fuzz'"], ["edit", "--json", "add", "music"], ["edit", "-q", "trim the first 2 seconds"],
         ["edit", "-v", "-"], ["edit", "--show-cost", "make it 5 seconds long"]]


@fuzz(1500)
@given(
    command=st.sampled_from(EDITS),
    answer=run_reply(),
    states=st.lists(st.one_of(st.just(GOOD_STATE), junk(Junk.state), junk(lambda j: {**GOOD_STATE, "x": j.value()})), min_size=1, max_size=3),
    bad_state=st.one_of(st.none(), envelope(lambda j: j.damaged({"state": j.maybe(j.state)}, 0.2))),
)
def test_any_stream_through_edit(env, monkeypatch, command, answer, states, bad_state):
    fresh(env, monkeypatch, token=TOKEN)
    looks = [(200, json.dumps({"code": 0, "data": {"state": s}}, allow_nan=True).encode(), "application/json") for s in states]
    if bad_state is not None:
        looks.insert(1, bad_state)  # the look after the stream (or the first recovery look) gets any reply
    posts: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == f"/api/state/nemo_agent/me/{SID}/latest":
            return reply(looks.pop(0) if len(looks) > 1 else looks[0])
        if path == "/api/credits/balance/simple":
            return reply(OK_CREDITS)
        if path == "/run_sse":
            posts.append(request.read())
            kind, status, ctype, body = answer
            headers = {"content-type": ctype} if ctype else {}
            if kind == "stream":
                return httpx.Response(status, headers=headers, stream=Body(*body))
            return httpx.Response(status, headers=headers, content=body)
        return httpx.Response(404, json={"code": 404})

    result = invoke(handler, command, input="add a title 'From stdin'\n")
    resent = answer[1] == 429
    assert len(posts) <= (2 if resent else 1), "the message was sent again"
    if posts:
        assert json.loads(posts[0])["session_id"] == SID
    if "--json" in command and result.exit_code == 0:
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        assert lines and lines[-1]["type"] == "done"
