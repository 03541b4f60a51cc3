"""`nemo upload` through CliRunner against a stub service (httpx.MockTransport) that records every
request: stdout, stderr, exit codes and what the service received (path, headers, the multipart parts or
the JSON body, how many times). Real sockets are in test_upload_e2e.py."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager

import httpx
import pytest
from typer.testing import CliRunner

from nemo_cli import app as nemo_app
from nemo_cli.commands.common import Injected
from nemo_cli.media import ACCEPTED_TYPES

APP = nemo_app.build()
# The stub service's transport, handed to every in-process run (a fixture sets it for one test).
STUB = Injected()
TOKEN = "nmv_usr_stubtoken987654"
SID = "5529798706024415232"
UPLOAD = f"/api/upload-video/nemo_agent/me/{SID}"


def record(name: str, i: int = 0, **extra) -> dict:
    return {
        "filename": name, "file_type": "video", "cdn_url": f"https://cdn.test/u/{i}/{name}", "duration": 8.0,
        "width": 320, "height": 240, "fps": 25, "hash": f"h{i}", **extra,
    }


class Service:
    """The upload endpoint: answers each request with a record per part (or per URL), or what a test set."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answers: list[httpx.Response] = []  # served first, in order
        self.applied = True

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"code": 1001, "message": "bad token"})
        if self.answers:
            return self.answers.pop(0)
        if not request.url.path.startswith("/api/upload-video/nemo_agent/me/") or request.method != "POST":
            return httpx.Response(404, json={"code": 404, "message": "no route"})
        if request.headers["content-type"].startswith("application/json"):
            names = [u.rsplit("/", 1)[-1] for u in json.loads(request.content)["urls"]]
        else:
            names = [name for name, _, _ in parts(request)]
        files = [record(n, i, extra_field={"kept": True}) for i, n in enumerate(names)]
        return httpx.Response(200, json={"code": 0, "data": {"files": files, "session_state_applied": self.applied}})


def parts(request: httpx.Request) -> list[tuple[str, str, bytes]]:
    """(filename, content type, bytes) of each part, read by hand from the boundary in the header."""
    boundary = request.headers["content-type"].split("boundary=", 1)[1].encode()
    body = request.content
    assert body.endswith(b"--" + boundary + b"--\r\n")
    found = []
    for chunk in body.split(b"--" + boundary)[1:-1]:
        head, _, data = chunk[2:].partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        assert lines[0].startswith('Content-Disposition: form-data; name="files"; filename="')
        found.append((lines[0].split('filename="', 1)[1][:-1], lines[1].split(": ", 1)[1], data[:-2]))
    return found


class Cutting(httpx.BaseTransport):
    """In front of the stub: the first `cuts` requests lose their connection, either while the body is
    going out (after `after` pieces) or once it is all out, before any answer."""

    def __init__(self, inner: httpx.BaseTransport, cuts: int, after: int | None) -> None:
        self.inner, self.cuts, self.after = inner, cuts, after
        self.attempts: list[int] = []  # bytes each attempt got out

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.cuts:
            response = self.inner.handle_request(request)
            self.attempts.append(len(request.content))
            return response
        self.cuts -= 1
        got = 0
        for i, piece in enumerate(request.stream):
            if self.after is not None and i == self.after:
                self.attempts.append(got)
                raise httpx.WriteError("connection reset by peer")
            got += len(piece)
        self.attempts.append(got)
        raise httpx.ReadError("server closed the connection")


@pytest.fixture
def service(monkeypatch):
    svc = Service()
    monkeypatch.setattr(STUB, "transport", httpx.MockTransport(svc))
    for name, value in {
        "NEMO_TOKEN": TOKEN, "NEMO_SESSION": SID, "NEMO_API_URL": "http://api.test", "NEMO_RETRY_BACKOFF": "0",
    }.items():
        monkeypatch.setenv(name, value)
    return svc


@pytest.fixture
def clip(tmp_path):
    def make(name: str = "raw.mp4", size: int = 3000) -> str:
        path = tmp_path / name
        path.write_bytes(os.urandom(size))
        return str(path)

    return make


def nemo(*args: str):
    result = CliRunner().invoke(APP, list(args), obj=STUB)
    assert "Traceback" not in result.output and "internal error" not in result.stderr, result.stderr
    assert TOKEN not in result.output and "stubtoken" not in result.stderr
    return result


# -- one request ---------------------------------------------------------------------------------


def test_one_file_is_one_streamed_multipart_request(service, clip):
    path = clip("raw.mp4", 5000)
    done = nemo("upload", path)
    assert done.exit_code == 0, done.stderr
    assert done.stdout == "raw.mp4  video  8s  320x240  25 fps  https://cdn.test/u/0/raw.mp4\n"
    assert done.stderr == f"uploaded 1 file to session {SID}\n"  # no progress bar: stderr is not a terminal
    (request,) = service.requests
    assert (request.method, request.url.path) == ("POST", UPLOAD)
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["x-skill-source"] == "nemo-cli" and request.headers["x-skill-platform"] == "terminal"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=nemo-")
    assert int(request.headers["content-length"]) == len(request.content)
    assert "transfer-encoding" not in request.headers
    assert parts(request) == [("raw.mp4", "video/mp4", open(path, "rb").read())]


def test_several_files_go_in_one_request_in_order(service, clip):
    paths = [clip("a.mp4"), clip("b.JPEG", 10), clip("c.wav", 20)]
    done = nemo("upload", *paths, "-q")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.splitlines() == [f"https://cdn.test/u/{i}/{n}" for i, n in enumerate(["a.mp4", "b.JPEG", "c.wav"])]
    assert done.stderr == ""
    (request,) = service.requests
    assert [(n, t, d) for n, t, d in parts(request)] == [
        ("a.mp4", "video/mp4", open(paths[0], "rb").read()),
        ("b.JPEG", "image/jpeg", open(paths[1], "rb").read()),
        ("c.wav", "audio/wav", open(paths[2], "rb").read()),
    ]


def test_json_prints_the_service_records_with_unknown_fields(service, clip):
    done = nemo("upload", clip("a.mp4"), clip("b.mp4"), "--json")
    assert done.exit_code == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["session_id"] == SID and doc["session_state_applied"] is True and doc["failed"] == []
    assert [f["filename"] for f in doc["files"]] == ["a.mp4", "b.mp4"]
    assert doc["files"][0]["extra_field"] == {"kept": True}
    assert doc["files"][1]["cdn_url"] == "https://cdn.test/u/1/b.mp4" and doc["files"][1]["hash"] == "h1"
    assert done.stderr == ""


def test_missing_fields_are_left_out_of_the_line(service, clip):
    service.answers.append(httpx.Response(200, json={"code": 0, "data": {"files": [{"cdn_url": "https://cdn.test/p.png", "file_type": "image", "width": 640, "height": 480}]}}))
    done = nemo("upload", clip("p.png"))
    assert done.exit_code == 0, done.stderr
    assert done.stdout == "p.png  image  640x480  https://cdn.test/p.png\n"  # the name is the local one


def test_session_flag_wins(service, clip):
    assert nemo("upload", clip(), "--session", "777", "-q").exit_code == 0
    assert service.requests[0].url.path == "/api/upload-video/nemo_agent/me/777"


def test_no_session_uploads_nothing(service, clip, monkeypatch):
    monkeypatch.delenv("NEMO_SESSION")
    done = nemo("upload", clip())
    assert done.exit_code == 4 and "no active session" in done.stderr
    assert not service.requests


def test_a_timeline_not_updated_yet_is_said(service, clip):
    service.applied = False
    done = nemo("upload", clip())
    assert done.exit_code == 0
    assert "has not put them on the timeline yet" in done.stderr


# -- rejections before a byte is sent ------------------------------------------------------------


@pytest.mark.parametrize(
    "make, said",
    [
        (lambda tmp, clip: str(tmp / "missing.mp4"), "no such file"),
        (lambda tmp, clip: str(tmp), "not a regular file (it is a directory)"),
        (lambda tmp, clip: clip("notes.txt"), "unsupported file type .txt"),
        (lambda tmp, clip: clip("empty.mp4", 0), "the file is empty"),
    ],
)
def test_a_bad_file_is_refused_with_one_line_and_nothing_is_sent(service, clip, tmp_path, make, said):
    path = make(tmp_path, clip)
    done = nemo("upload", clip("good.mp4"), path)
    assert done.exit_code == 6
    assert done.stderr.splitlines()[0] == f"error: cannot upload {path}: {said}"
    assert done.stdout == ""
    assert not service.requests


def test_too_large_is_refused_with_the_limit_and_a_hint(service, tmp_path):
    path = tmp_path / "huge.mov"
    with open(path, "wb") as fh:
        fh.truncate(600 * 1024 * 1024)  # sparse
    done = nemo("upload", str(path))
    assert done.exit_code == 6
    lines = done.stderr.splitlines()
    assert lines[0] == f"error: cannot upload {path}: too large (600.0 MB; the limit is 500 MB)"
    assert lines[1].startswith("hint: the limit is 500 MB per file: compress or trim it first")
    assert not service.requests


def test_every_bad_file_is_named(service, clip, tmp_path):
    bad1, bad2 = clip("a.txt"), str(tmp_path / "gone.mp4")
    done = nemo("upload", bad1, clip("ok.mp4"), bad2)
    assert done.exit_code == 6
    lines = done.stderr.splitlines()
    assert lines[0] == f"error: cannot upload {bad1}: unsupported file type .txt"
    assert lines[1] == f"error: cannot upload {bad2}: no such file (2 files break the rules; nothing was uploaded)"
    assert lines[2] == f"hint: accepted types: {ACCEPTED_TYPES}"
    assert not service.requests


@pytest.mark.parametrize("code, said, hint", [(4001, "unsupported file type", "accepted types"), (4002, "file too large", "compress or trim")])
def test_the_service_refusing_a_file_is_reported_the_same_way(service, clip, code, said, hint):
    service.answers.append(httpx.Response(200, json={"code": code, "message": "nope"}))
    path = clip("a.mp4")
    done = nemo("upload", path)
    assert done.exit_code == 6
    lines = done.stderr.splitlines()
    assert lines[0] == f"error: cannot upload {path}: {said}: nope"
    assert lines[1].startswith("hint: ") and hint in lines[1]
    assert len(service.requests) == 1


# -- URLs ----------------------------------------------------------------------------------------


def test_urls_are_one_json_request(service):
    done = nemo("upload", "--url", "https://example.com/a.mp4", "http://example.com/x/b.mov")
    assert done.exit_code == 0, done.stderr
    (request,) = service.requests
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"urls": ["https://example.com/a.mp4", "http://example.com/x/b.mov"], "source_type": "url"}
    assert done.stdout.splitlines() == [
        "a.mp4  video  8s  320x240  25 fps  https://cdn.test/u/0/a.mp4",
        "b.mov  video  8s  320x240  25 fps  https://cdn.test/u/1/b.mov",
    ]


@pytest.mark.parametrize("bad", ["ftp://example.com/a.mp4", "example.com/a.mp4", "https://", "/tmp/a.mp4"])
def test_a_bad_url_is_refused_before_any_request(service, bad):
    done = nemo("upload", "--url", "https://example.com/ok.mp4", bad)
    assert done.exit_code == 6
    assert done.stderr.splitlines()[0] == f"error: cannot upload {bad}: not an http(s) URL"
    assert not service.requests


# -- --each --------------------------------------------------------------------------------------


def test_each_goes_on_past_failures_and_exits_with_the_first_failures_code(service, clip):
    bad = clip("notes.txt")
    big, ok = clip("big.mp4"), clip("ok.mp4")
    service.answers.append(httpx.Response(200, json={"code": 4002, "message": "over the limit"}))  # for big.mp4
    done = nemo("upload", "--each", bad, big, ok)
    assert done.exit_code == 6
    assert done.stdout == "ok.mp4  video  8s  320x240  25 fps  https://cdn.test/u/0/ok.mp4\n"
    err = done.stderr.splitlines()
    assert f"error: cannot upload {bad}: unsupported file type .txt" in err
    assert f"error: cannot upload {big}: file too large: over the limit" in err
    assert err[-2] == f"error: 2 of 3 uploads failed: {bad}, {big}"
    assert [parts(r)[0][0] for r in service.requests] == ["big.mp4", "ok.mp4"]  # notes.txt sent nothing


def test_each_exit_code_is_the_first_failures(service, clip):
    service.answers += [httpx.Response(503, text="down"), httpx.Response(200, json={"code": 4001})]
    done = nemo("upload", "--each", clip("a.mp4"), clip("b.mp4"), clip("c.mp4"), "--json")
    assert done.exit_code == 9
    doc = json.loads(done.stdout)
    assert [f["filename"] for f in doc["files"]] == ["c.mp4"]
    assert [(f["item"].rsplit("/", 1)[-1], f["exit_code"]) for f in doc["failed"]] == [("a.mp4", 9), ("b.mp4", 6)]
    assert len(service.requests) == 3  # the 503 was an answer: not sent again


def test_each_stops_when_the_session_is_gone(service, clip):
    service.answers.append(httpx.Response(200, json={"code": 1002, "message": "no such session"}))
    done = nemo("upload", "--each", clip("a.mp4"), clip("b.mp4"))
    assert done.exit_code == 4
    assert len(service.requests) == 1


def test_each_with_urls(service):
    done = nemo("upload", "--each", "--url", "https://e.com/a.mp4", "https://e.com/b.mp4", "-q")
    assert done.exit_code == 0
    assert [json.loads(r.content)["urls"] for r in service.requests] == [["https://e.com/a.mp4"], ["https://e.com/b.mp4"]]
    assert done.stdout.splitlines() == ["https://cdn.test/u/0/a.mp4", "https://cdn.test/u/0/b.mp4"]


# -- when the connection fails -------------------------------------------------------------------


def test_a_body_cut_on_its_way_out_is_sent_again_whole(service, clip, monkeypatch):
    cutting = Cutting(httpx.MockTransport(service), cuts=2, after=2)
    monkeypatch.setattr(STUB, "transport", cutting)
    path = clip("a.mp4", 3 * 1024 * 1024)
    done = nemo("upload", path, "-q")
    assert done.exit_code == 0, done.stderr
    assert done.stdout == "https://cdn.test/u/0/a.mp4\n"
    (request,) = service.requests  # only the whole one reached the service
    assert len(cutting.attempts) == 3 and cutting.attempts[0] == cutting.attempts[1] < cutting.attempts[2]
    assert parts(request)[0][2] == open(path, "rb").read()


def test_cut_bodies_are_retried_a_bounded_number_of_times(service, clip, monkeypatch):
    cutting = Cutting(httpx.MockTransport(service), cuts=99, after=1)
    monkeypatch.setattr(STUB, "transport", cutting)
    monkeypatch.setenv("NEMO_RETRIES", "2")
    done = nemo("upload", clip())
    assert done.exit_code == 9
    assert len(cutting.attempts) == 3
    assert done.stderr.startswith("error: the connection to http://api.test failed")


def test_a_body_that_went_out_whole_is_never_sent_again(service, clip, monkeypatch):
    cutting = Cutting(httpx.MockTransport(service), cuts=1, after=None)
    monkeypatch.setattr(STUB, "transport", cutting)
    done = nemo("upload", clip())
    assert done.exit_code == 9
    assert len(cutting.attempts) == 1
    assert "the service may have them: check with `nemo state` before uploading again" in done.stderr


class _CutAnswer(httpx.SyncByteStream):
    def __iter__(self):
        yield b'{"code": 0, "data": {"fi'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def test_an_answer_cut_short_is_a_network_error_and_not_sent_again(service, clip):
    service.answers.append(httpx.Response(200, headers={"content-type": "application/json"}, stream=_CutAnswer()))
    done = nemo("upload", clip())
    assert done.exit_code == 9
    assert done.stderr.startswith("error: the connection to http://api.test failed: peer closed connection")
    assert "the service may have them: check with `nemo state`" in done.stderr
    assert len(service.requests) == 1


def test_a_5xx_answer_is_not_sent_again(service, clip):
    service.answers.append(httpx.Response(502, text="bad gateway"))
    done = nemo("upload", clip())
    assert done.exit_code == 9 and "HTTP 502" in done.stderr
    assert len(service.requests) == 1


def test_a_refused_connection_is_retried(service, clip, monkeypatch):
    inner = httpx.MockTransport(service)
    tries = []

    def flaky(request):
        tries.append(1)
        if len(tries) == 1:
            raise httpx.ConnectError("connection refused")
        return inner.handle_request(request)

    monkeypatch.setattr(STUB, "transport", httpx.MockTransport(flaky))
    done = nemo("upload", clip(), "-q")
    assert done.exit_code == 0, done.stderr
    assert len(tries) == 2 and len(service.requests) == 1


def test_a_rejected_token_is_not_retried_with_a_users_token(service, clip):
    service.answers.append(httpx.Response(200, json={"code": 1001, "message": "expired"}))
    done = nemo("upload", clip())
    assert done.exit_code == 3
    assert len(service.requests) == 1


# -- progress ------------------------------------------------------------------------------------


def test_a_terminal_gets_a_progress_bar_of_the_body(service, clip, monkeypatch):
    from nemo_cli import output

    bars = []

    class Bar:
        def __init__(self, description, total):
            self.description, self.total, self.completed = description, total, []

        def update(self, completed=None, total=None, description=None):
            self.completed.append(completed)

        def waiting(self, description):  # all sent: the service is digesting it
            self.completed.append(self.total)
            self.waited = description

    @contextmanager
    def progress(self, description, total, unit="bytes"):
        assert self.terminal.live  # asked for only where a bar is drawn
        bars.append(Bar(description, total))
        yield bars[-1]

    monkeypatch.setattr(output.Terminal, "detect", classmethod(lambda cls, no_color=False: output.Terminal(False, True, False, False)))
    monkeypatch.setattr(output.Output, "progress", progress)
    done = nemo("upload", clip("a.mp4", 2_500_000), clip("b.mp4", 10))
    assert done.exit_code == 0, done.stderr
    (bar,) = bars
    assert bar.description == "uploading 2 files"
    assert bar.total == int(service.requests[0].headers["content-length"])
    assert bar.completed[0] == 0 and bar.completed[-1] == bar.total and bar.completed == sorted(bar.completed)
    assert bar.waited == "2 files: processing on the service…"  # not a bar sitting at 100%


def test_output_progress_draws_nothing_off_a_terminal():
    from nemo_cli.output import Output, Terminal

    out = Output(Terminal(stdout_tty=False, stderr_tty=False, stdin_tty=False, no_color=False))
    with out.progress("uploading a.mp4", 100) as bar:
        assert not bar.active
