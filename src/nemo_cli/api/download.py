"""Fetching a finished render: streamed, resumable, atomic, and never with the token off the API host.

Sources, in order:
1. the result URL, on a CDN host: fetched by a client of its own that has no Authorization header at
   all, with redirects followed by hand (so no redirect can ever carry the token anywhere);
2. the API's download endpoint (`/api/render/proxy/<id>/download`), through the Transport with
   Authorization, when the result URL cannot be fetched. If it redirects, the redirect is followed by the
   CDN client, again without the token. Deployments differ: some answer this route with JSON holding a
   signed link (`url`, `outputUrl`, `output.url`, under `data` or not). That link is followed the same
   way, without the token; a JSON error envelope (even with HTTP 200) is reported as its error.

With `mp4=True` nothing but an MP4 is ever saved: a body whose first bytes are not an MP4's (`ftyp`
first, see nemo_cli.mp4) is refused before a byte of it is written, and the `.part` is checked again
before its rename (a resumed transfer). A refused body removes the `.part`, so no later resume appends to
junk, and the error says what came instead ("the service sent an HTML page instead of the video").

The bytes go to a Target the caller makes: this module is the wire only and knows no local file (the
`.part` file, its space check and its symlink rules are nemo_cli.files). A cut transfer resumes from what
the target kept with `Range`, guarded by `If-Range` so a file that changed meanwhile restarts instead of
being spliced; a 416, a range the server places elsewhere, or kept bytes with nothing to check them
against start over from zero. The same resume works for stdout (`-o -`) as long as the file has not
changed.
"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Protocol
from urllib.parse import urljoin, urlsplit

import httpx

from nemo_cli import errors
from nemo_cli.api import http as http_mod
from nemo_cli.api.direct import DirectTransport
from nemo_cli.mp4 import head_is_mp4

MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)
MAX_JSON = 1 << 20  # a JSON reply from the download endpoint larger than this holds no mere link
_LINK_KEYS = ("url", "outputUrl", "output_url", "signedUrl", "signed_url", "downloadUrl", "download_url")
_BINARY_TYPES = ("video/", "audio/", "application/octet-stream", "binary/")


class Cut(Exception):
    """The body ended before the announced size: resume from what arrived."""


class Misplaced(Exception):
    """A 416, a range the server placed elsewhere, a .part that changed under us: start over from zero."""


class NotVideo(Exception):
    """The body is not an MP4; the message says what it is instead ("an HTML page")."""


@dataclass
class Result:
    path: str  # the final path, or "-" for stdout
    bytes: int
    sha256: str | None  # when asked for
    source: str  # "cdn" or "api"
    resumed_from: int  # bytes that were already there when the transfer that finished began


# -- targets -------------------------------------------------------------------------------------


class Target(Protocol):
    """Where the fetched bytes go; the caller makes one (nemo_cli.files: a `.part` file, or stdout). A
    target raises Cut when `finish` finds fewer bytes than announced, Misplaced when what it kept cannot
    be continued, NotVideo when `mp4` was asked of it and the whole file is not one."""

    name: str

    def have(self) -> int: ...  # bytes already written (and kept) from an earlier transfer
    def begin(self, start: int, total: int | None) -> None: ...  # about to write from `start`
    def write(self, chunk: bytes) -> None: ...
    def finish(self, total: int | None) -> tuple[int, str | None]: ...  # (bytes, sha256 if asked)
    def discard(self) -> None: ...  # what is there cannot be trusted: start from zero
    def close(self) -> None: ...  # stop writing, keep what is there for a later resume


# -- sources -------------------------------------------------------------------------------------


class Refused(Exception):
    """This source cannot give the file (an HTTP error, a bad redirect, no connection): try the next."""


def cdn_client(config: Any) -> httpx.Client:
    """The client for hosts other than the API: no Authorization, no attribution, no automatic redirects."""
    headers = {"User-Agent": dict(config.get("headers", {})).get("User-Agent", "nemo-cli")}
    hooks = {"request": [_log_request], "response": [_log_response]} if config.get("debug") else {}
    read, connect = float(config.get("read_timeout", 60)), float(config.get("connect_timeout", 10))
    return httpx.Client(
        headers=headers,
        timeout=httpx.Timeout(read, connect=connect),
        transport=config.get("transport") or DirectTransport(connect, read, ca_bundle=config.get("ca_bundle")),
        follow_redirects=False,
        event_hooks=hooks,
    )


def _log_request(request: httpx.Request) -> None:
    sys.stderr.write(f"debug: > {request.method} {http_mod.redact(str(request.url))} (no Authorization)\n")


def _log_response(response: httpx.Response) -> None:
    sys.stderr.write(f"debug: < {response.status_code} {response.reason_phrase}\n")


class Body:
    """A response whose first bytes can be looked at before any of them is written."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.ended = False
        self._chunks = response.iter_bytes()
        self._ahead: list[bytes] = []
        self._size = 0

    def peek(self, size: int) -> bytes:
        """At least `size` bytes from the start (fewer only when the body is shorter); nothing is lost."""
        while self._size < size and not self.ended:
            chunk = next(self._chunks, None)
            if chunk is None:
                self.ended = True
            elif chunk:
                self._ahead.append(chunk)
                self._size += len(chunk)
        return b"".join(self._ahead)

    def __iter__(self) -> Iterator[bytes]:
        while self._ahead:
            yield self._ahead.pop(0)
        if not self.ended:
            yield from self._chunks


@contextmanager
def _open_cdn(client: httpx.Client, url: str, headers: dict[str, str]) -> Iterator[Body]:
    for _ in range(MAX_REDIRECTS + 1):
        if urlsplit(url).scheme not in ("http", "https"):
            raise Refused(f"not an http(s) URL: {http_mod.redact(url)}")
        try:
            response = client.send(client.build_request("GET", url, headers=headers), stream=True)
        except httpx.TransportError as exc:
            raise Refused(_reason(exc)) from None
        location = response.headers.get("location")
        if response.status_code in _REDIRECTS and location:
            response.close()
            url = urljoin(url, location)
            continue
        try:
            if response.status_code >= 400 and response.status_code != 416:
                raise Refused(f"HTTP {response.status_code}")
            yield Body(response)
        finally:
            response.close()
        return
    raise Refused(f"more than {MAX_REDIRECTS} redirects")


@contextmanager
def _open_api(client: Any, cdn: httpx.Client, render_id: str, headers: dict[str, str]) -> Iterator[Body]:
    transport = client.http
    with ExitStack() as stack:
        try:
            response = stack.enter_context(
                transport.send("GET", client.download_path(render_id), stream=True, headers=headers)
            )
        except errors.NemoError as exc:
            if exc.status != 416:
                raise _refused(exc) from None
            response = httpx.Response(416)
        location = response.headers.get("location")
        if response.status_code in _REDIRECTS and location:
            follow = location
        else:
            body = Body(response)
            try:
                link = _json_link(transport, body)
            except errors.NemoError as exc:
                raise _refused(exc) from None
            if link is None:
                yield body
                return
            follow = link
    with _open_cdn(cdn, urljoin(transport.base_url + "/", follow), headers) as linked:
        yield linked  # a redirect or a signed link is followed without the token


def _refused(exc: errors.NemoError) -> Exception:
    """The download endpoint's error: one the user must hear as it is (the token, the plan, a rate limit,
    a session or credits) stays itself; a 404, a 5xx, a failed connection or an error the service gave no
    type to makes the endpoint a source that failed."""
    if type(exc) in (errors.NemoError, errors.NetworkError):
        return Refused(str(exc))
    return exc


def _json_link(transport: Any, body: Body) -> str | None:
    """The link in a JSON reply of the download endpoint; None when the reply is not JSON (the file
    itself). An error envelope raises its error, even with HTTP 200; JSON without a link is Refused."""
    if body.status_code != 200:
        return None  # a 206 is a range of the file; a 416 or a redirect holds nothing to read
    ctype = body.headers.get("content-type", "").lower()
    head = body.peek(64)
    if head_is_mp4(head, body.ended):
        return None  # the video itself, whatever its label says
    if "json" not in ctype:
        if ctype.startswith(_BINARY_TYPES) or not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
            return None
    raw = body.peek(MAX_JSON + 1)
    if len(raw) > MAX_JSON:
        raise Refused("it sent a JSON reply too large to hold a link")
    reply = httpx.Response(body.status_code, headers={"content-type": "application/json"}, content=raw)
    try:
        data = transport.unwrap(reply)  # an error envelope raises its error, whatever the HTTP status
    except errors.NemoError as exc:
        if type(exc) is errors.NemoError and exc.code is None:  # {"success": false, …} with HTTP 200
            said = http_mod._message(http_mod.decode(reply))  # the envelope's own message fields
            raise Refused(f"it answered with an error{': ' + said if said else ''}") from None
        raise
    link = _link(data)
    if link is None:
        raise Refused("its JSON reply holds no link to the video")
    return link


def _link(data: Any, depth: int = 0) -> str | None:
    """A link to the file in a JSON reply's payload: `url`, `outputUrl`, `output.url` and their kin, at the
    top or under `data` / `output` (or the payload is the link itself). Absolute or relative to the API."""
    if isinstance(data, str):
        text = data.strip()
        return text if text.startswith(("http://", "https://", "/")) else None
    if not isinstance(data, dict) or depth > 3:
        return None
    for key in _LINK_KEYS:
        found = _link(data.get(key), depth + 1) if isinstance(data.get(key), str) else None
        if found:
            return found
    for key in ("output", "data", "result"):
        found = _link(data.get(key), depth + 1)
        if found:
            return found
    return None


def describe(head: bytes, content_type: str) -> str:
    """What a body that is not an MP4 is, from its first bytes: "an HTML page", "a JSON reply"…"""
    ctype = content_type.lower()
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    low = text[:1024].lower()
    if not head:
        return "an empty reply"
    if "html" in ctype or low.startswith((b"<!doctype html", b"<html")) or b"<html" in low or b"<body" in low:
        return "an HTML page"
    if "json" in ctype or low.startswith((b"{", b"[")):
        return "a JSON reply"
    if "xml" in ctype or low.startswith(b"<?xml"):
        return "an XML document"
    try:
        line = text[:200].decode("utf-8").splitlines()[0] if text else ""
    except (UnicodeDecodeError, IndexError):
        line = None
    if line is not None and line.isprintable():
        shown = line if len(line) <= 60 else line[:60] + "…"
        return f'a text reply ("{http_mod.redact(shown)}")'
    return "data that is not an MP4" + (f" (labelled {content_type})" if content_type else "")


def _reason(exc: Exception) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "cannot connect"
    return http_mod.redact(str(exc) or type(exc).__name__)


def _validator(response: httpx.Response) -> str | None:
    """What If-Range may carry: a strong ETag, else Last-Modified (weak ETags are not allowed there)."""
    etag = response.headers.get("etag")
    if etag and not etag.startswith("W/"):
        return etag
    return response.headers.get("last-modified")


def _placement(response: httpx.Response) -> tuple[int, int | None]:
    """(where the body starts in the file, the file's total size if announced)."""
    if response.status_code == 206:
        unit, _, spec = response.headers.get("content-range", "").partition(" ")
        span, _, size = spec.partition("/")
        first, _, _ = span.partition("-")
        try:
            start = int(first)
        except ValueError:
            raise Misplaced("a 206 reply without a usable Content-Range") from None
        return start, int(size) if size.isdigit() and unit == "bytes" else None
    length = response.headers.get("content-length")
    return 0, int(length) if length and length.isdigit() else None


# -- the transfer --------------------------------------------------------------------------------


class Fetch:
    """One render's file from its sources into one target. `validator` is the If-Range value kept from
    an earlier, interrupted transfer; `remember` is told each new one so the caller can keep it."""

    def __init__(
        self,
        client: Any,  # NemoClient: .http (the Transport) and .download_path(id)
        render_id: str,
        url: str | None,
        target: Target,
        *,
        validator: str | None = None,
        remember: Callable[[str | None], None] = lambda v: None,
        progress: Callable[[int, int | None], None] = lambda done, total: None,
        attempts: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        mp4: bool = False,
    ) -> None:
        self.client = client
        self.render_id = render_id
        self.url = url
        self.target = target
        self.validator = validator
        self.remember = remember
        self.progress = progress
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep
        self.mp4 = mp4  # nothing but an MP4 is written (see the module's notes)

    def run(self) -> Result:
        cdn = cdn_client(self.client.http.config)
        reasons: list[str] = []
        try:
            sources = [("cdn", self.url)] if self.url else []
            sources.append(("api", None))
            for name, url in sources:
                opener = (
                    (lambda h, url=url: _open_cdn(cdn, url, h))
                    if name == "cdn"
                    else (lambda h: _open_api(self.client, cdn, self.render_id, h))
                )
                try:
                    return self._from(name, opener)
                except Refused as exc:
                    reasons.append(f"{'the result URL' if name == 'cdn' else 'the download endpoint'}: {exc}")
        finally:
            cdn.close()
            self.target.close()
        raise errors.NetworkError(f"could not download render {self.render_id} ({'; '.join(reasons)})", hint="try again in a moment")

    def _from(self, name: str, opener: Callable[[dict[str, str]], Any]) -> Result:
        cuts = restarts = 0
        while True:
            have = self.target.have()
            headers = {"Accept-Encoding": "identity"}
            if have and self.validator:
                headers["Range"] = f"bytes={have}-"
                headers["If-Range"] = self.validator
            elif have:
                self.target.discard()  # nothing to check the kept bytes against: they cannot be trusted
                have = 0
            try:
                with opener(headers) as body:
                    response = body.response
                    if response.status_code == 416:
                        raise Misplaced("HTTP 416 for a range that should fit")
                    start, total = _placement(response)
                    if response.status_code != 206 and response.status_code != 200:
                        raise Refused(f"HTTP {response.status_code}")
                    if start != have and start != 0:
                        raise Misplaced(f"the server sent bytes from {start}, not {have}")
                    if self.mp4 and start == 0:
                        _check_mp4(body)  # before a byte is written anywhere
                    self._remember(_validator(response))
                    self.target.begin(start, total)
                    done = start
                    self.progress(done, total)
                    for chunk in body:
                        self.target.write(chunk)
                        done += len(chunk)
                        self.progress(done, total)
                    size, digest = self.target.finish(None if _encoded(response) else total)
                    self._remember(None)
                    return Result(self.target.name, size, digest, name, start)
            except NotVideo as exc:
                # not the video: nothing of it is kept, and a .part it would have continued goes too
                self.target.discard()
                self._remember(None)
                raise Refused(f"the service sent {exc} instead of the video") from None
            except Misplaced as exc:
                if restarts:  # start over once, never loop on it
                    raise Refused(str(exc)) from None
                restarts += 1
                self.target.discard()
                self._remember(None)
            except (Cut, httpx.TransportError) as exc:
                # cut mid-way: keep what arrived and resume it, a bounded number of times
                if cuts >= self.attempts:
                    raise Refused(_reason(exc)) from None
                cuts += 1
                self.sleep(self.backoff * cuts)

    def _remember(self, validator: str | None) -> None:
        if validator != self.validator:
            self.validator = validator
            self.remember(validator)


def _check_mp4(body: Body) -> None:
    """A body from its first byte: its head must be an MP4's, else NotVideo says what it is."""
    head = body.peek(8)
    while (verdict := head_is_mp4(head, body.ended)) is None:
        head = body.peek(len(head) + 1)
    if not verdict:
        raise NotVideo(describe(head, body.headers.get("content-type", "")))


def _encoded(response: httpx.Response) -> bool:
    """A body the server compressed despite `Accept-Encoding: identity`: decode it, size unknown."""
    return response.headers.get("content-encoding", "identity").lower() not in ("", "identity")
