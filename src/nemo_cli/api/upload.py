"""Uploads (contract §5): local files as one streamed multipart body, or URLs as a small JSON body.

The multipart body is produced from disk a piece at a time while it is sent, with its Content-Length
worked out beforehand (no chunked encoding, which upload endpoints often refuse), so memory stays flat
whatever the size of the files.

When is an upload sent again? A connection that failed before anything was sent is retried by the
Transport (its bounded backoff). A connection cut while the body was still going out is retried here, the
body rebuilt from disk: the service cannot have accepted half a body. Once the whole body went out, or the
service answered anything at all, it is never sent again: the service may have taken it, and a second
copy would be a second upload.
"""

from __future__ import annotations

import secrets
from itertools import chain
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, Sequence

from nemo_cli import errors

CHUNK = 1 << 20  # bytes read from disk per piece: big enough to keep up with the socket, small in memory
FIELD = "files"  # the contract's part name


class UploadFile(Protocol):
    """A file checked for upload (nemo_cli.media.check makes them): what its part needs."""

    @property
    def path(self) -> Path: ...  # where to read it
    @property
    def shown(self) -> str: ...  # the path as the user wrote it, for messages
    @property
    def name(self) -> str: ...  # the file name sent to the service
    @property
    def size(self) -> int: ...  # the bytes announced in Content-Length
    @property
    def content_type(self) -> str: ...  # its part's Content-Type (api.media_types.MEDIA_TYPES)


def quote_name(name: str) -> str:
    """A file name as a form field's `filename="…"` holds it (the WHATWG form encoding browsers use:
    a quote and line breaks percent-escaped, everything else UTF-8 as it is)."""
    return name.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


class MultipartBody:
    """multipart/form-data with one `files` part per file, streamed from disk; re-iterable, so a resend
    reads the files again from the start."""

    def __init__(self, files: Sequence[UploadFile], *, boundary: str | None = None, chunk: int = CHUNK) -> None:
        self.files = list(files)
        self.boundary = boundary or f"nemo-{secrets.token_hex(16)}"
        self.chunk = chunk
        self._heads = [self._head(f) for f in self.files]
        self._tail = f"--{self.boundary}--\r\n".encode("ascii")
        self.length = sum(len(h) + f.size + 2 for h, f in zip(self._heads, self.files)) + len(self._tail)
        self.started = False  # the last attempt sent its first piece
        self.complete = False  # the last attempt handed every byte to the connection

    def _head(self, f: UploadFile) -> bytes:
        return (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{FIELD}"; filename="{quote_name(f.name)}"\r\n'
            f"Content-Type: {f.content_type}\r\n\r\n"
        ).encode("utf-8")

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": f"multipart/form-data; boundary={self.boundary}", "Content-Length": str(self.length)}

    def stream(self, sent: Callable[[int], None] = lambda n: None) -> Iterator[bytes]:
        """The body, piece by piece; `sent(n)` is told the bytes handed to the connection so far."""
        self.started = self.complete = False
        done = 0
        sent(0)
        for head, f in zip(self._heads, self.files):
            for piece in chain((head,), _read(f, self.chunk), (b"\r\n",)):  # lazily: never the whole file
                self.started = True
                yield piece
                done += len(piece)
                sent(done)
        yield self._tail
        done += len(self._tail)
        sent(done)
        self.complete = True

    def __bytes__(self) -> bytes:  # for tests and debugging: the whole body at once
        return b"".join(self.stream())


def _read(f: UploadFile, chunk: int) -> Iterator[bytes]:
    """The file's bytes, exactly as many as were announced: a file that changed size since it was checked
    would make the body disagree with its Content-Length."""
    try:
        fh = open(f.path, "rb", buffering=0)
    except OSError as exc:
        raise errors.BadInput(f"cannot upload {f.shown}: cannot read it ({(exc.strerror or str(exc)).lower()})") from None
    with fh:
        left = f.size
        while left:
            try:
                piece = fh.read(min(chunk, left))
            except OSError as exc:
                raise errors.BadInput(f"cannot upload {f.shown}: reading it failed ({(exc.strerror or str(exc)).lower()})") from None
            if not piece:
                raise _changed(f, "shorter")
            left -= len(piece)
            yield piece
        if fh.read(1):
            raise _changed(f, "longer")


def _changed(f: UploadFile, how: str) -> errors.BadInput:
    return errors.BadInput(
        f"cannot upload {f.shown}: it changed while it was being uploaded (it is {how} now)",
        hint="upload it again once it is no longer being written",
    )


def send_files(http: Any, path: str, body: MultipartBody, sent: Callable[[int], None] = lambda n: None) -> Any:
    """POST the body through the Transport (`http`) and return the reply's payload."""
    retries = int(http.config.get("retries", 3))
    attempt = 0
    while True:
        try:
            with http.send(
                "POST", path, retry=False, headers=body.headers, body_factory=lambda: {"content": body.stream(sent)}
            ) as response:
                return http.unwrap(response)
        except errors.NetworkError as exc:
            cut_mid_body = exc.status is None and body.started and not body.complete
            if not cut_mid_body or attempt >= retries:
                if exc.status is None and body.complete:
                    exc.because("upload_sent_in_full")
                raise
            attempt += 1
            http._backoff(attempt)  # the Transport's own schedule (exponential, with jitter)


def url_body(urls: Sequence[str]) -> dict[str, Any]:
    return {"urls": list(urls), "source_type": "url"}
