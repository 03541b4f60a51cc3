"""The download engine (api/download.py) writing into the local targets (nemo_cli.files) against a real
HTTP server on a loopback port (streaming and Range are only honestly tested that way): exact bytes, no
token off the API path, fallback, resume, atomic placement."""

from __future__ import annotations

import hashlib
import io
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from nemo_cli import errors
from nemo_cli import files as targets  # the local side: a .part file, or stdout
from nemo_cli.api.client import NemoClient
from functools import partial

from nemo_cli.api.download import Fetch

FileTarget = partial(targets.FileTarget, sha256=True)
StreamTarget = partial(targets.StreamTarget, sha256=True)
TOKEN = "nmv_usr_secrettoken1234"
DATA = os.urandom(3 * 1024 * 1024 + 123)


class Files:
    """What the server serves and what it saw."""

    def __init__(self) -> None:
        self.data = DATA
        self.etag: str | None = '"v1"'  # None: no ETag header at all
        self.last_modified: str | None = None  # a Last-Modified header, when set
        # how a Range is answered: "lenient" (a 206 when If-Range is absent or equals the ETag or the date,
        # weak tags included), "strict" (a 206 only when an If-Range holds as RFC 9110 13.1.5 says: a
        # strong ETag compared strongly, or the exact Last-Modified date; a bare Range or an If-Range that
        # does not hold gets the whole file, 200), or "never" (the whole file, 200, whatever was asked)
        self.ranges = "lenient"
        self.cuts: list[int] = []  # each request cuts its body after this many bytes, in turn
        self.changes_to: bytes | None = None  # after the first cut, the file becomes this (validators kept)
        self.log: list[dict] = []
        self.api_redirect = False

    def range_holds(self, if_range: str | None) -> bool:
        if self.ranges == "never":
            return False
        if self.ranges == "lenient":
            return if_range is None or if_range in (self.etag, self.last_modified)
        if if_range is None:
            return False
        if if_range.startswith(("W/", '"')):  # an entity tag: a weak one never holds
            return if_range == self.etag and not if_range.startswith("W/")
        return if_range == self.last_modified


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    files: Files

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        files = self.server.files  # type: ignore[attr-defined]
        files.log.append({"path": self.path, "headers": dict(self.headers)})
        auth = self.headers.get("Authorization")
        if self.path.startswith("/cdn/"):
            if auth:
                return self._plain(403, b"the CDN refuses Authorization")
            if self.path == "/cdn/redirect":
                return self._redirect("/cdn/video.mp4")
            if self.path == "/cdn/loop":
                return self._redirect("/cdn/loop")
            if self.path != "/cdn/video.mp4":
                return self._plain(404, b"no such file")
            return self._serve(files)
        if re.fullmatch(r"/api/render/proxy/[^/]+/download", self.path):
            if auth != f"Bearer {TOKEN}":
                return self._plain(401, b'{"code": 1001, "message": "bad token"}')
            if files.api_redirect:
                return self._redirect("/cdn/video.mp4")
            return self._serve(files)
        return self._plain(404, b"not here")

    def _serve(self, files: Files) -> None:
        data, start = files.data, 0
        rng = self.headers.get("Range")
        if rng and files.range_holds(self.headers.get("If-Range")):
            start = int(re.fullmatch(r"bytes=(\d+)-", rng).group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(len(body)))
        if files.etag:
            self.send_header("ETag", files.etag)
        if files.last_modified:
            self.send_header("Last-Modified", files.last_modified)
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if files.cuts:
            body = body[: files.cuts.pop(0)]
            self.close_connection = True
            if files.changes_to is not None:
                files.data, files.changes_to = files.changes_to, None
        self.wfile.write(body)

    def _redirect(self, where: str) -> None:
        self.send_response(302)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _plain(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # a client that hangs up early is part of the tests
        pass


@pytest.fixture
def server():
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.files = Files()  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


class Creds:
    def current(self):
        return TOKEN, "user"

    def renew(self, rejected):
        raise errors.AuthError("rejected")

    def identity(self):
        return "user", None


def fetch(server, target, url="/cdn/video.mp4", **kwargs) -> tuple:
    base = f"http://127.0.0.1:{server.server_address[1]}"
    client = NemoClient({"base_url": base, "retries": 0, "retry_backoff": 0}, Creds())
    remembered: list = []
    kwargs.setdefault("sleep", lambda s: None)
    job = Fetch(client, "render_1_ab", base + url if url else None, target, remember=remembered.append, **kwargs)
    return job.run(), remembered


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seen(server, prefix: str) -> list[dict]:
    return [r for r in server.files.log if r["path"].startswith(prefix)]


def test_downloads_exact_bytes_from_the_cdn_without_the_token(server, tmp_path):
    out = tmp_path / "out.mp4"
    result, _ = fetch(server, FileTarget(out))
    assert out.read_bytes() == DATA
    assert result.sha256 == sha(DATA) and result.bytes == len(DATA) and result.source == "cdn"
    assert not (tmp_path / "out.mp4.part").exists()
    assert all("Authorization" not in r["headers"] for r in seen(server, "/cdn/"))
    assert not seen(server, "/api/")


def test_a_redirect_is_followed_without_the_token(server, tmp_path):
    result, _ = fetch(server, FileTarget(tmp_path / "out.mp4"), url="/cdn/redirect")
    assert result.source == "cdn" and result.sha256 == sha(DATA)
    assert [r["path"] for r in server.files.log] == ["/cdn/redirect", "/cdn/video.mp4"]
    assert all("Authorization" not in r["headers"] for r in server.files.log)


def test_an_unreachable_result_url_falls_back_to_the_api_endpoint(server, tmp_path):
    result, _ = fetch(server, FileTarget(tmp_path / "out.mp4"), url="/cdn/gone")
    assert result.source == "api" and (tmp_path / "out.mp4").read_bytes() == DATA
    api = seen(server, "/api/")
    assert len(api) == 1 and api[0]["headers"]["Authorization"] == f"Bearer {TOKEN}"


def test_no_result_url_goes_to_the_api_endpoint(server, tmp_path):
    result, _ = fetch(server, FileTarget(tmp_path / "out.mp4"), url=None)
    assert result.source == "api" and result.sha256 == sha(DATA)


def test_a_redirect_loop_falls_back(server, tmp_path):
    result, _ = fetch(server, FileTarget(tmp_path / "out.mp4"), url="/cdn/loop")
    assert result.source == "api"
    assert len(seen(server, "/cdn/loop")) == 6


def test_the_api_endpoint_redirecting_to_the_cdn_loses_the_token(server, tmp_path):
    server.files.api_redirect = True
    result, _ = fetch(server, FileTarget(tmp_path / "out.mp4"), url=None)
    assert result.sha256 == sha(DATA)
    assert [r["path"] for r in server.files.log] == ["/api/render/proxy/render_1_ab/download", "/cdn/video.mp4"]
    assert "Authorization" not in server.files.log[1]["headers"]


def test_a_cut_transfer_resumes_with_range_and_if_range(server, tmp_path):
    server.files.cuts = [1_000_000]
    result, _ = fetch(server, FileTarget(tmp_path / "out.mp4"))
    assert (tmp_path / "out.mp4").read_bytes() == DATA and result.sha256 == sha(DATA)
    second = server.files.log[1]["headers"]
    assert second["Range"] == "bytes=1000000-" and second["If-Range"] == '"v1"'
    assert result.resumed_from == 1_000_000


def test_a_resumed_transfer_cut_again_resumes_again(server, tmp_path):
    server.files.cuts = [1_000_000, 500_000]
    result, _ = fetch(server, FileTarget(tmp_path / "out.mp4"))
    assert (tmp_path / "out.mp4").read_bytes() == DATA and result.sha256 == sha(DATA)
    assert [r["headers"].get("Range") for r in server.files.log] == [None, "bytes=1000000-", "bytes=1500000-"]


def test_a_cut_that_outlasts_the_retries_keeps_the_part_for_the_next_run(server, tmp_path):
    out = tmp_path / "out.mp4"
    server.files.cuts = [700_000, 0]  # the CDN cuts, then the fallback sends nothing either
    with pytest.raises(errors.NetworkError, match="could not download render render_1_ab"):
        fetch(server, FileTarget(out), attempts=0)
    assert not out.exists() and (tmp_path / "out.mp4.part").stat().st_size == 700_000
    result, remembered = fetch(server, FileTarget(out), validator='"v1"')
    assert out.read_bytes() == DATA and result.sha256 == sha(DATA)
    assert server.files.log[-1]["headers"]["Range"] == "bytes=700000-"
    assert remembered[-1] is None  # done: nothing left to resume


def test_a_file_that_changed_restarts_instead_of_splicing(server, tmp_path):
    out = tmp_path / "out.mp4"
    (tmp_path / "out.mp4.part").write_bytes(b"old bytes of another version")
    server.files.etag = '"v2"'
    result, _ = fetch(server, FileTarget(out), validator='"v1"')
    assert out.read_bytes() == DATA and result.resumed_from == 0
    assert server.files.log[0]["headers"]["If-Range"] == '"v1"'


def test_a_part_larger_than_the_file_starts_over_after_416(server, tmp_path):
    out = tmp_path / "out.mp4"
    (tmp_path / "out.mp4.part").write_bytes(DATA + b"trailing junk")
    result, _ = fetch(server, FileTarget(out), validator='"v1"')
    assert out.read_bytes() == DATA
    assert len(server.files.log) == 2 and "Range" not in server.files.log[1]["headers"]


def test_a_part_with_nothing_to_check_it_against_is_not_trusted(server, tmp_path):
    out = tmp_path / "out.mp4"
    (tmp_path / "out.mp4.part").write_bytes(b"x" * 5000)
    fetch(server, FileTarget(out))
    assert out.read_bytes() == DATA and "Range" not in server.files.log[0]["headers"]


# -- what If-Range may carry: a strong ETag, else Last-Modified, never a weak ETag (RFC 9110 13.1.5) --------

DATE = "Wed, 21 Oct 2015 07:28:00 GMT"
OTHER = os.urandom(len(DATA))  # the same size, other bytes: what a splice would mix in


def guards(server) -> list[tuple]:
    """(Range, If-Range) of each request the server received, in order."""
    return [(r["headers"].get("Range"), r["headers"].get("If-Range")) for r in server.files.log]


def test_a_weak_etag_alone_is_not_sent_as_if_range_the_cut_transfer_starts_over(server, tmp_path):
    """A weak tag only says "equivalent", not "the same bytes": the file may change under it (here it
    does, after the cut). A server that matched If-Range against it would splice two files."""
    files = server.files
    files.etag, files.cuts, files.changes_to = 'W/"v1"', [1_000_000], OTHER
    out = tmp_path / "out.mp4"
    result, remembered = fetch(server, FileTarget(out))
    assert out.read_bytes() == OTHER and result.sha256 == sha(OTHER) and result.resumed_from == 0
    assert guards(server) == [(None, None), (None, None)]  # nothing to guard a Range with: from zero
    assert remembered == []  # no validator to keep for a later run either


def test_a_weak_etag_with_last_modified_resumes_on_the_date(server, tmp_path):
    files = server.files
    files.etag, files.last_modified, files.ranges, files.cuts = 'W/"v1"', DATE, "strict", [1_000_000]
    out = tmp_path / "out.mp4"
    result, remembered = fetch(server, FileTarget(out))
    assert out.read_bytes() == DATA and result.sha256 == sha(DATA)
    assert guards(server) == [(None, None), ("bytes=1000000-", DATE)]
    assert result.resumed_from == 1_000_000 and remembered == [DATE, None]


def test_last_modified_alone_is_the_if_range_validator(server, tmp_path):
    files = server.files
    files.etag, files.last_modified, files.ranges, files.cuts = None, DATE, "strict", [1_000_000, 700_000]
    out = tmp_path / "out.mp4"
    result, remembered = fetch(server, FileTarget(out))
    assert out.read_bytes() == DATA and result.sha256 == sha(DATA)
    assert guards(server) == [(None, None), ("bytes=1000000-", DATE), ("bytes=1700000-", DATE)]
    assert result.resumed_from == 1_700_000 and remembered == [DATE, None]


def test_stdout_resumes_a_cut_on_last_modified(server):
    files = server.files
    files.etag, files.last_modified, files.ranges, files.cuts = None, DATE, "strict", [123_456]
    sink = io.BytesIO()
    result, _ = fetch(server, StreamTarget(sink))
    assert sink.getvalue() == DATA and result.sha256 == sha(DATA)
    assert guards(server) == [(None, None), ("bytes=123456-", DATE)]


def test_a_part_kept_under_an_older_date_restarts_on_the_full_reply(server, tmp_path):
    """A strict server answers an If-Range that no longer holds with the whole file (200): it replaces the
    kept bytes instead of being appended to them."""
    files = server.files
    files.etag, files.last_modified, files.ranges = None, DATE, "strict"
    out = tmp_path / "out.mp4"
    (tmp_path / "out.mp4.part").write_bytes(OTHER[:1_000_000])
    result, remembered = fetch(server, FileTarget(out), validator="Tue, 20 Oct 2015 07:28:00 GMT")
    assert out.read_bytes() == DATA and result.sha256 == sha(DATA) and result.resumed_from == 0
    assert guards(server) == [("bytes=1000000-", "Tue, 20 Oct 2015 07:28:00 GMT")]
    assert remembered == [DATE, None]


def test_a_strong_etag_that_no_longer_holds_restarts_on_the_full_reply(server, tmp_path):
    files = server.files
    files.etag, files.ranges = '"v2"', "strict"
    out = tmp_path / "out.mp4"
    (tmp_path / "out.mp4.part").write_bytes(OTHER[:1_000_000])
    result, _ = fetch(server, FileTarget(out), validator='"v1"')
    assert out.read_bytes() == DATA and result.resumed_from == 0
    assert guards(server) == [("bytes=1000000-", '"v1"')]


def test_a_server_that_ignores_range_gets_the_file_written_from_zero(server, tmp_path):
    """A 200 to a ranged request is the whole file: it is written from the start, not after the kept part."""
    files = server.files
    files.ranges, files.cuts = "never", [1_000_000]
    out = tmp_path / "out.mp4"
    result, _ = fetch(server, FileTarget(out))
    assert out.read_bytes() == DATA and result.sha256 == sha(DATA) and result.resumed_from == 0
    assert guards(server) == [(None, None), ("bytes=1000000-", '"v1"')]


def test_an_existing_file_is_not_overwritten_without_force(server, tmp_path):
    out = tmp_path / "out.mp4"
    out.write_bytes(b"precious")
    with pytest.raises(errors.BadInput, match="already exists"):
        fetch(server, FileTarget(out))
    assert out.read_bytes() == b"precious"
    fetch(server, FileTarget(out, force=True))
    assert out.read_bytes() == DATA


def test_not_enough_disk_space_is_refused_before_writing(server, tmp_path, monkeypatch):
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(errors.BadInput, match="not enough disk space"):
        fetch(server, FileTarget(tmp_path / "out.mp4"))
    assert not (tmp_path / "out.mp4").exists()


def test_stdout_gets_the_bytes_and_resumes_a_cut(server):
    sink = io.BytesIO()
    server.files.cuts = [123_456]
    result, _ = fetch(server, StreamTarget(sink))
    assert sink.getvalue() == DATA and result.sha256 == sha(DATA) and result.path == "-"


def test_stdout_cannot_resume_a_file_that_changed(server):
    sink = io.BytesIO()
    server.files.cuts = [1000]

    class Changing(targets.StreamTarget):
        def write(self, chunk):
            super().write(chunk)
            server.files.etag = '"v2"'  # the file changes while we stream it

    with pytest.raises(errors.NetworkError, match="changed on the server"):
        fetch(server, Changing(sink))


def test_progress_reports_the_announced_total(server, tmp_path):
    seen_progress: list = []
    fetch(server, FileTarget(tmp_path / "o.mp4"), progress=lambda done, total: seen_progress.append((done, total)))
    assert seen_progress[0] == (0, len(DATA)) and seen_progress[-1] == (len(DATA), len(DATA))


def test_a_directory_in_the_way_of_the_part_file_is_a_clear_error(server, tmp_path):
    (tmp_path / "out.mp4.part").mkdir()
    with pytest.raises(errors.BadInput, match="in the way"):
        fetch(server, FileTarget(tmp_path / "out.mp4"))


def test_the_token_never_reaches_a_cdn_url_even_on_the_api_host(server, tmp_path):
    """A result URL on the API's own host is still fetched without Authorization."""
    fetch(server, FileTarget(tmp_path / "o.mp4"), url="/cdn/video.mp4")
    assert all("Authorization" not in r["headers"] for r in seen(server, "/cdn/"))
    assert Path(tmp_path / "o.mp4").stat().st_size == len(DATA)


def test_the_hash_is_only_computed_when_asked_for(server, tmp_path):
    result, _ = fetch(server, targets.FileTarget(tmp_path / "o.mp4"))
    assert result.sha256 is None and (tmp_path / "o.mp4").read_bytes() == DATA
