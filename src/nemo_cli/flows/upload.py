"""Media into a session: local files (every one checked before a byte is sent, then streamed from disk in
one multipart body) or http(s) URLs for the service to fetch.

    upload(ctx, session_id, *, paths=(), urls=(), observer=SILENT) -> Uploaded
        every path and URL checked first (Refused, a BadInput naming each that breaks a rule: nothing is
        sent), then one request for the files and one for the URLs
    check(*, paths=(), urls=()) -> Checked        the checks alone, for a caller that resolves the session
                                                  after them (a bad file is reported before a missing session)
    send(ctx, session_id, checked, observer=SILENT) -> Uploaded    the requests, for what check() passed
    each(ctx, session_id, items, *, urls=False, observer=SILENT) -> Uploaded
        one request per item, going on past a failed one (Uploaded.failed); only what would fail every
        one (the token, the session) stops it

Uploaded(session_id, files, state_applied, failed); each File(name, file_type, cdn_url, duration, width,
height, fps, path (absolute, for a local file), url (for a fetched one), record (the service's as sent)).
An UploadObserver hears `progress(bytes sent, body length, "uploading NAME")`, `status("NAME: processing
on the service…")` once the body is out, `uploaded(files)` after each request and `failed(item, error)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from nemo_cli.errors import AuthError, BadInput, NemoError, SessionNotFound
from nemo_cli.flows.observe import Observer

if TYPE_CHECKING:
    from nemo_cli.api.models import UploadResult
    from nemo_cli.context import Context
    from nemo_cli.media import LocalFile


class UploadObserver(Observer):
    def uploaded(self, files: "list[File]") -> None:
        """One request's files, as it ends."""

    def failed(self, item: str, error: NemoError) -> None:
        """An item `each` could not upload (it goes on with the next)."""


SILENT = UploadObserver()


class Refused(BadInput):
    """Files that break the rules; `problems` has one BadInput per file (the message names the last)."""

    def __init__(self, problems: list[BadInput]) -> None:
        last = problems[-1]
        note = f" ({len(problems)} files break the rules; nothing was uploaded)" if len(problems) > 1 else ""
        hints = [h for h in dict.fromkeys(p.hint for p in problems) if h]
        super().__init__(last.message + note, hint="; ".join(hints) or None)
        self.problems = problems


@dataclass(frozen=True)
class File:
    name: str | None  # the service's file name, else the local one (when the reply lines up with the parts)
    file_type: str | None
    cdn_url: str | None
    duration: float | None  # seconds
    width: int | None
    height: int | None
    fps: float | None
    path: str | None  # the absolute local path it was read from
    url: str | None  # the URL the service fetched it from
    record: dict[str, Any] = field(default_factory=dict)  # the service's record as sent, unknown fields kept


@dataclass
class Uploaded:
    session_id: str
    files: list[File] = field(default_factory=list)
    state_applied: bool | None = None  # whether the service has put them on the timeline (None: it did not say)
    failed: list[tuple[str, NemoError]] = field(default_factory=list)  # (item, error), with `each`


@dataclass(frozen=True)
class Checked:
    files: "list[LocalFile]" = field(default_factory=list)
    urls: list[str] = field(default_factory=list)


def upload(
    ctx: "Context", session_id: str, *, paths: Sequence[str] = (), urls: Sequence[str] = (), observer: UploadObserver = SILENT
) -> Uploaded:
    return send(ctx, session_id, check(paths=paths, urls=urls), observer)


def check(*, paths: Sequence[str] = (), urls: Sequence[str] = ()) -> Checked:
    """Every path checked and all that break a rule reported together; then the URLs."""
    good, bad = [], []
    for item in paths:
        try:
            good.append(check_path(item))
        except BadInput as exc:
            bad.append(exc)
    if bad:
        raise Refused(bad)
    return Checked(good, check_urls(urls))


def check_path(item: str) -> "LocalFile":
    """media.check (exists, a readable regular file, an accepted type, not too large), plus the one rule of
    the wire: a multipart filename cannot carry a line break or a double quote faithfully (browsers send
    %0A / %22, which the service keeps as the name), so such a file is refused rather than uploaded under a
    name the user never chose."""
    from nemo_cli.media import check as check_media

    local = check_media(item)
    if any(c in local.name for c in '\r\n"'):
        raise BadInput(
            f"cannot upload {item}: the file name has a line break or a double quote, which an upload cannot carry",
            hint="rename the file (or upload a copy with a plainer name)",
        )
    return local


def check_urls(items: Sequence[str]) -> list[str]:
    from urllib.parse import urlsplit

    for item in items:
        parts = urlsplit(item)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise BadInput(f"cannot upload {item}: not an http(s) URL", hint="--url takes URLs; drop it to upload local files")
    return list(items)


def send(ctx: "Context", session_id: str, checked: Checked, observer: UploadObserver = SILENT) -> Uploaded:
    done = Uploaded(session_id)
    applied: list[bool | None] = []
    for targets in (checked.files, checked.urls):
        if targets:
            files, state_applied = _request(ctx, session_id, targets, observer)
            done.files += files
            applied.append(state_applied)
    done.state_applied = _all(applied)
    return done


def each(
    ctx: "Context", session_id: str, items: Sequence[str], *, urls: bool = False, observer: UploadObserver = SILENT
) -> Uploaded:
    done = Uploaded(session_id)
    applied: list[bool | None] = []
    for item in items:
        try:
            target: Any = check_urls([item]) if urls else [check_path(item)]
            files, state_applied = _request(ctx, session_id, target, observer)
        except (AuthError, SessionNotFound):
            raise
        except NemoError as exc:
            observer.failed(item, exc)
            done.failed.append((item, exc))
            continue
        done.files += files
        applied.append(state_applied)
    done.state_applied = _all(applied)
    return done


def _all(applied: list[bool | None]) -> bool | None:
    return all(applied) if applied and None not in applied else None


def _request(
    ctx: "Context", sid: str, targets: "list[LocalFile] | list[str]", observer: UploadObserver
) -> tuple[list[File], bool | None]:
    """One request: a streamed multipart body for files, JSON for URLs. A file the service refuses
    (4001/4002) is named in the error, like one refused here."""
    try:
        result = _post(ctx, sid, targets, observer)
    except BadInput as exc:
        if exc.code in (4001, 4002):
            rule, _, said = exc.message.partition(": ")
            if said.lower().startswith(rule.lower()):  # the service's own text often repeats the rule
                exc.message = said
            exc.message = f"cannot upload {names(targets)}: {exc.message}"
        raise
    files = _files(result, targets)
    observer.uploaded(files)
    return files, result.session_state_applied


def _post(ctx: "Context", sid: str, targets: "list[LocalFile] | list[str]", observer: UploadObserver) -> "UploadResult":
    if isinstance(targets[0], str):
        return ctx.client.upload_urls(sid, targets)  # type: ignore[arg-type]
    from nemo_cli.api.upload import MultipartBody

    body = MultipartBody(targets)  # type: ignore[arg-type]
    label = targets[0].name if len(targets) == 1 else f"{len(targets)} files"  # type: ignore[union-attr]
    observer.progress(0, body.length, f"uploading {label}")

    def sent(count: int) -> None:
        if count >= body.length:  # all sent: the service digests it before it answers
            observer.status(f"{label}: processing on the service…")
        else:  # (a resend starts again from 0)
            observer.progress(count, body.length, f"uploading {label}")

    return ctx.client.upload_files(sid, body, sent)


def _files(result: "UploadResult", targets: "list[LocalFile] | list[str]") -> list[File]:
    """The service answers in part order: a record is paired with its local file when the counts line up."""
    paired = list(targets) if len(targets) == len(result.files) else [None] * len(result.files)
    found = []
    for f, target in zip(result.files, paired):
        local = None if target is None or isinstance(target, str) else target
        url = target if isinstance(target, str) else None
        shown = url if url is not None else local.name if local is not None else None
        found.append(File(
            name=f.filename or shown, file_type=f.file_type, cdn_url=f.cdn_url, duration=f.duration, width=f.width,
            height=f.height, fps=f.fps, path=str(local.path.absolute()) if local is not None else None, url=url,
            record=f.model_dump(mode="json", exclude_unset=True),
        ))
    return found


def names(targets: "Sequence[LocalFile | str]", most: int = 3) -> str:
    """`a.mp4, b.mp4, c.mp4 and 2 more`: the items as the user wrote them."""
    shown_all = [t if isinstance(t, str) else t.shown for t in targets]
    shown = ", ".join(shown_all[:most])
    return shown + (f" and {len(shown_all) - most} more" if len(shown_all) > most else "")
