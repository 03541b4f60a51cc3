"""`nemo upload`: local files (checked first, then streamed from disk) or URLs into a session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from nemo_cli.commands import common
from nemo_cli.commands.json_options import Jq, JsonFields
from nemo_cli.media import ACCEPTED_TYPES, LIMIT_TEXT  # standard library only: cheap for --help

if TYPE_CHECKING:
    from nemo_cli.api.models import UploadedFile, UploadResult
    from nemo_cli.context import Context
    from nemo_cli.errors import NemoError
    from nemo_cli.media import LocalFile


def upload(
    items: Annotated[
        list[str],
        typer.Argument(metavar="FILE", help="Media files to upload (with --url: http(s) URLs).", show_default=False),
    ],
    url: Annotated[
        bool, typer.Option("--url", help="The arguments are http(s) URLs for the service to fetch, not local files.")
    ] = False,
    each: Annotated[
        bool,
        typer.Option(
            "--each",
            help="One request per file: go on past a failed one, report each, exit non-zero (the first failure's code) if any failed.",
        ),
    ] = False,
    session: common.SessionOpt = None,
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Upload media into the session: files stream from disk (memory stays flat) with a progress bar on a
    terminal; several files go in one request unless --each is given.

    Every file is checked before a byte is sent: it exists, is a readable regular file, has an accepted
    extension ({types}; any case) and is at most {limit}. A file that breaks a rule stops the upload with exit code 6 and nothing is sent; with
    --each it is reported and skipped, and the others go on.

    Prints one line per uploaded file (name, type, duration, resolution, fps, CDN URL); --json the
    service's file records; -q the CDN URLs, one per line. On a terminal a bar shows the bytes sent, then
    "processing on the service…" until the service has taken the files in.

    \b
    Examples:
      $ nemo upload raw.mp4
      $ nemo upload intro.mp4 outro.mp4 --each
      $ nemo upload --url https://example.com/clip.mp4
      $ nemo upload raw.mp4 --jq '.files[].cdn_url'
    """
    ctx = common.use(json=json, quiet=quiet)
    if each:
        _each(ctx, items, url, session)
        return
    targets: Any = _urls(items) if url else _files(ctx, items)
    sid = ctx.sessions.resolve(session)
    result = _send(ctx, sid, targets)
    records = _records(result)
    _print(ctx, result, targets)
    _finish(ctx, sid, records, result.session_state_applied, [])


upload.__doc__ = (upload.__doc__ or "").format(types=ACCEPTED_TYPES, limit=LIMIT_TEXT)  # one source: media.py


def _files(ctx: "Context", items: list[str]) -> list["LocalFile"]:
    """Every file checked; all that break a rule are reported, and nothing is sent if any does."""
    from nemo_cli.errors import BadInput, NemoError

    good, bad = [], []
    for item in items:
        try:
            good.append(_check(item))
        except BadInput as exc:
            bad.append(exc)
    if not bad:
        return good
    for exc in bad[:-1]:
        ctx.out.error(exc.message)
    hints = [h for h in dict.fromkeys(e.hint for e in bad) if h]
    last: NemoError = bad[-1]
    note = f" ({len(bad)} files break the rules; nothing was uploaded)" if len(bad) > 1 else ""
    raise BadInput(last.message + note, hint="; ".join(hints) or None)


def _check(item: str) -> "LocalFile":
    """media.check, plus the one rule of the wire: a multipart filename cannot carry a line break or a
    double quote faithfully (browsers send %0A / %22, which the service keeps as the name), so such a
    file is refused rather than uploaded under a name the user never chose."""
    from nemo_cli.errors import BadInput
    from nemo_cli.media import check

    local = check(item)
    if any(c in local.name for c in '\r\n"'):
        raise BadInput(
            f"cannot upload {item}: the file name has a line break or a double quote, which an upload cannot carry",
            hint="rename the file (or upload a copy with a plainer name)",
        )
    return local


def _urls(items: list[str]) -> list[str]:
    from urllib.parse import urlsplit

    from nemo_cli.errors import BadInput

    for item in items:
        parts = urlsplit(item)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise BadInput(f"cannot upload {item}: not an http(s) URL", hint="--url takes URLs; drop it to upload local files")
    return list(items)


def _send(ctx: "Context", sid: str, targets: "list[LocalFile] | list[str]") -> "UploadResult":
    """One request: a streamed multipart body for files, JSON for URLs. A file the service refuses
    (4001/4002) is named in the error, like one refused here."""
    from nemo_cli.errors import BadInput

    try:
        if targets and isinstance(targets[0], str):
            return ctx.client.upload_urls(sid, targets)  # type: ignore[arg-type]
        from nemo_cli.api.upload import MultipartBody

        body = MultipartBody(targets)  # type: ignore[arg-type]
        label = targets[0].name if len(targets) == 1 else f"{len(targets)} files"  # type: ignore[union-attr]
        with ctx.out.progress(f"uploading {label}", body.length) as bar:

            def sent(done: int) -> None:
                if done >= body.length:  # all sent: the service digests it before it answers
                    bar.waiting(f"{label}: processing on the service…")
                else:  # (a resend starts again from 0)
                    bar.update(completed=done, total=body.length, description=f"uploading {label}")

            return ctx.client.upload_files(sid, body, sent)
    except BadInput as exc:
        if exc.code in (4001, 4002):
            rule, _, said = exc.message.partition(": ")
            if said.lower().startswith(rule.lower()):  # the service's own text often repeats the rule
                exc.message = said
            exc.message = f"cannot upload {_names(targets)}: {exc.message}"
        raise


def _each(ctx: "Context", items: list[str], url: bool, session: str | None) -> None:
    """One request per item, going on past failures; stops only for what would fail every one of them
    (the token, the session)."""
    from nemo_cli.errors import AuthError, NemoError, SessionNotFound

    sid = ctx.sessions.resolve(session)
    records: list[dict[str, Any]] = []
    failed: list[tuple[str, NemoError]] = []
    applied: list[bool | None] = []
    for item in items:
        try:
            target: Any = _urls([item]) if url else [_check(item)]
            result = _send(ctx, sid, target)
        except (AuthError, SessionNotFound):
            raise
        except NemoError as exc:
            ctx.out.error(exc.message, exc.hint)
            failed.append((item, exc))
            continue
        _print(ctx, result, target)
        records += _records(result)
        applied.append(result.session_state_applied)
    state_applied = all(applied) if applied and None not in applied else None
    _finish(ctx, sid, records, state_applied, failed)
    if failed:
        first = failed[0][1]
        raise type(first)(
            f"{len(failed)} of {len(items)} uploads failed: {_names([item for item, _ in failed])}",
            hint="the others went through; upload the failed ones again once they are fixed",
        )


def _records(result: "UploadResult") -> list[dict[str, Any]]:
    """The service's file records as it sent them, unknown fields kept (for --json)."""
    return [f.model_dump(mode="json", exclude_unset=True) for f in result.files]


def _print(ctx: "Context", result: "UploadResult", targets: "list[LocalFile] | list[str]") -> None:
    """Human lines and -q URLs as each upload ends (--json prints one document at the end). A record
    without a file name shows the local one when the counts line up (the service answers in part order)."""
    if ctx.out.json_mode:
        return
    files = result.files
    names = [t if isinstance(t, str) else t.name for t in targets] if len(targets) == len(files) else [None] * len(files)
    lines = [describe(f, name) for f, name in zip(files, names)]
    ctx.out.result(None, lines, quiet=[f.cdn_url for f in files if f.cdn_url])


def _finish(
    ctx: "Context", sid: str, records: list[dict[str, Any]], applied: bool | None, failed: "list[tuple[str, NemoError]]"
) -> None:
    if ctx.out.json_mode:
        ctx.out.json(
            {
                "session_id": sid,
                "files": records,
                "session_state_applied": applied,
                "failed": [{"item": item, "error": exc.message, "exit_code": exc.exit_code} for item, exc in failed],
            }
        )
    if records:
        ctx.out.info(f"uploaded {len(records)} file{'' if len(records) == 1 else 's'} to session {sid}")
    if records and applied is False:
        ctx.out.info("the service has the files but has not put them on the timeline yet; `nemo state` shows when it has")


def describe(f: "UploadedFile", local_name: str | None = None) -> str:
    """`raw.mp4  video  8s  1920x1080  30 fps  https://cdn…/raw.mp4`; what the service left out is left out."""
    from nemo_cli.draft import seconds

    parts = [f.filename or local_name or "(unnamed)", f.file_type or ""]
    if f.duration:
        parts.append(f"{seconds(f.duration * 1000)}s")
    if f.width and f.height:
        parts.append(f"{f.width}x{f.height}")
    if f.fps:
        parts.append(f"{f.fps:g} fps")
    parts.append(f.cdn_url or "(no URL)")
    return "  ".join(p for p in parts if p)


def _names(targets: "list[LocalFile] | list[str]", most: int = 3) -> str:
    names = [t if isinstance(t, str) else t.shown for t in targets]
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def register(app: typer.Typer) -> None:
    app.command("upload")(upload)
