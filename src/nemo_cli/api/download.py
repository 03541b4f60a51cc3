"""Fetching a finished render: streamed, resumable, atomic, and never with the token off the API host.

Sources, in order:
1. the result URL, on a CDN host: fetched by a client of its own that has no Authorization header at
   all, with redirects followed by hand (so no redirect can ever carry the token anywhere);
2. the API's download endpoint (`/api/render/proxy/<id>/download`), through the Transport with
   Authorization, when the result URL cannot be fetched. If it redirects, the redirect is followed by the
   CDN client, again without the token.

A file target is written to `PATH.part`, fsynced and renamed into place only when complete and of the
announced size. A cut transfer resumes from the `.part` with `Range`, guarded by `If-Range` so a file
that changed meanwhile restarts instead of being spliced; a 416, a range the server places elsewhere, or
a `.part` with nothing to check it against starts over from zero. The same resume works for stdout
(`-o -`) as long as the file has not changed.
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import stat
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Iterator, Protocol
from urllib.parse import urljoin, urlsplit

import httpx

from nemo_cli import errors
from nemo_cli.api import http as http_mod
from nemo_cli.api.direct import DirectTransport
from nemo_cli.durable import fsync_dir, pause_point

MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)


class Cut(Exception):
    """The body ended before the announced size: resume from what arrived."""


class Misplaced(Exception):
    """A 416, a range the server placed elsewhere, a .part that changed under us: start over from zero."""


@dataclass
class Result:
    path: str  # the final path, or "-" for stdout
    bytes: int
    sha256: str | None  # when asked for
    source: str  # "cdn" or "api"
    resumed_from: int  # bytes that were already there when the transfer that finished began


# -- targets -------------------------------------------------------------------------------------


class _Hasher:
    """sha256 on a thread of its own, or nothing when no one asked for it (on a fast link hashing costs
    as much CPU as receiving). hashlib releases the GIL, so the hash overlaps the network and the disk;
    a short queue bounds the memory in flight."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._sha = hashlib.sha256()
        self._queue: "queue.Queue[bytes | None]" = queue.Queue(maxsize=8)
        self._thread = threading.Thread(target=self._run, name="nemo-sha256", daemon=True)
        if enabled:
            self._thread.start()

    def _run(self) -> None:
        while True:
            chunk = self._queue.get()
            if chunk is None:
                return
            self._sha.update(chunk)

    def update(self, chunk: bytes) -> None:
        if self.enabled:
            self._queue.put(chunk)

    def hexdigest(self) -> str | None:
        if not self.enabled:
            return None
        self._queue.put(None)
        self._thread.join()
        return self._sha.hexdigest()

    def abandon(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)


class Target(Protocol):
    name: str

    def have(self) -> int: ...  # bytes already written (and kept) from an earlier transfer
    def begin(self, start: int, total: int | None) -> None: ...  # about to write from `start`
    def write(self, chunk: bytes) -> None: ...
    def finish(self, total: int | None) -> tuple[int, str | None]: ...  # (bytes, sha256 if asked)
    def discard(self) -> None: ...  # what is there cannot be trusted: start from zero
    def close(self) -> None: ...  # stop writing, keep what is there for a later resume


class FileTarget:
    """`PATH.part`, renamed to PATH once complete. Without `force`, an existing PATH is never replaced."""

    def __init__(self, path: Path, *, force: bool = False, sha256: bool = False) -> None:
        self.path = path
        self.part = path.with_name(path.name + ".part")
        self.name = str(path)
        self.force = force
        self.sha256 = sha256
        self._fh: IO[bytes] | None = None
        self._hasher: _Hasher | None = None
        self._size = 0

    def have(self) -> int:
        try:
            info = self.part.lstat()  # a link planted at the .part name is not followed
        except FileNotFoundError:
            return 0
        except OSError as exc:
            raise errors.BadInput(f"cannot read {self.part}: {exc.strerror}") from None
        if stat.S_ISLNK(info.st_mode):
            raise errors.BadInput(f"{self.part} is a symbolic link; refusing to write through it", hint="remove it and try again")
        if not stat.S_ISREG(info.st_mode):
            raise errors.BadInput(f"{self.part} is in the way (not a file)", hint="move it away and try again")
        return info.st_size

    def begin(self, start: int, total: int | None) -> None:
        self.close()
        if total is not None:
            _check_space(self.part.parent, total - start)
        flags = (os.O_RDWR if start else os.O_WRONLY | os.O_CREAT | os.O_TRUNC) | getattr(os, "O_NOFOLLOW", 0)
        try:
            fh = os.fdopen(os.open(self.part, flags, 0o666), "r+b" if start else "wb")
        except FileNotFoundError:
            raise Misplaced("the .part file went away") from None
        except OSError as exc:
            raise errors.BadInput(f"cannot write {self.part}: {exc.strerror}") from None
        self._fh = fh
        if fh.seek(0, os.SEEK_END) < start:
            raise Misplaced("the .part file is shorter than expected")
        fh.truncate(start)
        self._hasher = _Hasher(self.sha256)
        if self.sha256:  # the kept prefix goes into the hash too
            fh.seek(0)
            left = start
            while left:
                block = fh.read(min(left, 1 << 20))
                self._hasher.update(block)
                left -= len(block)
        fh.seek(start)
        self._size = start

    def write(self, chunk: bytes) -> None:
        assert self._fh is not None and self._hasher is not None
        try:
            self._fh.write(chunk)
        except OSError as exc:
            raise errors.BadInput(f"cannot write {self.part}: {exc.strerror}") from None
        self._hasher.update(chunk)
        self._size += len(chunk)
        pause_point("part-write")

    def finish(self, total: int | None) -> tuple[int, str | None]:
        assert self._fh is not None and self._hasher is not None
        if total is not None and self._size != total:
            raise Cut(f"got {self._size} of {total} bytes")
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
        except OSError as exc:
            raise errors.BadInput(f"cannot write {self.part}: {exc.strerror}") from None
        self._fh.close()
        self._fh = None
        digest = self._hasher.hexdigest()
        self._hasher = None
        pause_point("part-place")  # complete and fsynced, not yet under its real name
        self._place()
        return self._size, digest

    def _place(self) -> None:
        if self.force:
            os.replace(self.part, self.path)
        else:
            try:  # a hard link is a rename that refuses to replace: no window for a race
                os.link(self.part, self.path)
            except FileExistsError:
                raise exists_error(self.path) from None
            except OSError:  # a file system without hard links
                if self.path.exists():
                    raise exists_error(self.path) from None
                os.replace(self.part, self.path)
            else:
                os.unlink(self.part)
        fsync_dir(self.path.parent)

    def discard(self) -> None:
        self.close()
        try:
            self.part.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise errors.BadInput(f"cannot remove {self.part}: {exc.strerror}") from None

    def close(self) -> None:
        if self._hasher is not None:
            self._hasher.abandon()
            self._hasher = None
        if self._fh is not None:
            try:
                self._fh.close()
            except OSError:
                pass
            self._fh = None


class StreamTarget:
    """A pipe (stdout). It cannot be rewound, so a resume must continue exactly where it stopped."""

    name = "-"

    def __init__(self, stream: IO[bytes], *, sha256: bool = False) -> None:
        self.stream = stream
        self._hasher = _Hasher(sha256)
        self._size = 0

    def have(self) -> int:
        return self._size

    def begin(self, start: int, total: int | None) -> None:
        if start != self._size:
            raise errors.NetworkError(
                "the file changed on the server while it was being streamed; what was written is incomplete",
                hint="run the command again",
            )

    def write(self, chunk: bytes) -> None:
        self.stream.write(chunk)
        self._hasher.update(chunk)
        self._size += len(chunk)
        pause_point("part-write")

    def finish(self, total: int | None) -> tuple[int, str | None]:
        if total is not None and self._size != total:
            raise Cut(f"got {self._size} of {total} bytes")
        self.stream.flush()
        return self._size, self._hasher.hexdigest()

    def discard(self) -> None:
        self.begin(0, None)  # fine before the first byte, an error after it

    def close(self) -> None:
        self._hasher.abandon()
        try:
            self.stream.flush()
        except (OSError, ValueError):
            pass


def exists_error(path: Path) -> errors.BadInput:
    return errors.BadInput(f"{path} already exists", hint="pass --force to overwrite it, or choose another path with -o")


def check_target(path: Path, force: bool) -> None:
    """What may stand at a download's final path. Nothing, or a regular file with --force. A symbolic link
    is never written through (it may point at any file the user owns): without --force it is refused,
    with --force the link itself is replaced by the video and its target is left alone. Anything else (a
    pipe, a device, a socket) is refused."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise errors.BadInput(f"cannot write {path}: {exc.strerror}") from None
    if stat.S_ISLNK(info.st_mode):
        if force:
            return
        raise errors.BadInput(
            f"{path} is a symbolic link (to {os.readlink(path)}); refusing to write through it",
            hint="pass --force to replace the link itself with the video (its target is left alone), or choose another path with -o",
        )
    if not stat.S_ISREG(info.st_mode):
        raise errors.BadInput(f"{path} is not a regular file; refusing to replace it", hint="choose another path with -o")
    if not force:
        raise exists_error(path)


def _check_space(directory: Path, need: int) -> None:
    try:
        free = shutil.disk_usage(directory).free
    except OSError:
        return  # cannot tell: let the write itself fail if it must
    if need > free:
        raise errors.BadInput(
            f"not enough disk space in {directory}: the video needs {_mb(need)}, {_mb(free)} is free",
            hint="free some space, or download somewhere else with -o",
        )


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


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
        transport=http_mod.transport_override or DirectTransport(connect, read),
        follow_redirects=False,
        event_hooks=hooks,
    )


def _log_request(request: httpx.Request) -> None:
    sys.stderr.write(f"debug: > {request.method} {http_mod.redact(str(request.url))} (no Authorization)\n")


def _log_response(response: httpx.Response) -> None:
    sys.stderr.write(f"debug: < {response.status_code} {response.reason_phrase}\n")


@contextmanager
def _open_cdn(client: httpx.Client, url: str, headers: dict[str, str]) -> Iterator[httpx.Response]:
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
            yield response
        finally:
            response.close()
        return
    raise Refused(f"more than {MAX_REDIRECTS} redirects")


@contextmanager
def _open_api(client: Any, cdn: httpx.Client, render_id: str, headers: dict[str, str]) -> Iterator[httpx.Response]:
    transport = client.http
    with ExitStack() as stack:
        try:
            response = stack.enter_context(
                transport.send("GET", client.download_path(render_id), stream=True, headers=headers)
            )
        except errors.NemoError as exc:
            if exc.status == 416:
                response = httpx.Response(416)
            elif type(exc) in (errors.NemoError, errors.NetworkError):  # 404, 5xx, no connection
                raise Refused(str(exc)) from None
            else:
                raise  # the token, the plan, a rate limit: the user must hear about these as they are
        location = response.headers.get("location")
        if response.status_code not in _REDIRECTS or not location:
            yield response
            return
    with _open_cdn(cdn, urljoin(transport.base_url + "/", location), headers) as redirected:
        yield redirected  # the redirect is followed without the token


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
                with opener(headers) as response:
                    if response.status_code == 416:
                        raise Misplaced("HTTP 416 for a range that should fit")
                    start, total = _placement(response)
                    if response.status_code != 206 and response.status_code != 200:
                        raise Refused(f"HTTP {response.status_code}")
                    if start != have and start != 0:
                        raise Misplaced(f"the server sent bytes from {start}, not {have}")
                    self._remember(_validator(response))
                    self.target.begin(start, total)
                    done = start
                    self.progress(done, total)
                    for chunk in response.iter_bytes():
                        self.target.write(chunk)
                        done += len(chunk)
                        self.progress(done, total)
                    size, digest = self.target.finish(None if _encoded(response) else total)
                    self._remember(None)
                    return Result(self.target.name, size, digest, name, start)
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


def _encoded(response: httpx.Response) -> bool:
    """A body the server compressed despite `Accept-Encoding: identity`: decode it, size unknown."""
    return response.headers.get("content-encoding", "identity").lower() not in ("", "identity")
