"""`nemo upload`: local files (checked first, then streamed from disk) or URLs into a session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from nemo_cli.commands import common
from nemo_cli.commands.json_options import Jq, JsonFields
from nemo_cli.flows.upload import UploadObserver  # standard library only, like media
from nemo_cli.media import ACCEPTED_TYPES, LIMIT_TEXT  # standard library only: cheap for --help

if TYPE_CHECKING:
    from collections.abc import Sequence

    from nemo_cli.context import Context
    from nemo_cli.errors import NemoError
    from nemo_cli.flows.upload import File, Uploaded


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
    from nemo_cli.flows import upload as flow

    ctx = common.use(json=json, quiet=quiet)
    if each:
        with UploadView(ctx) as view:
            done = flow.each(ctx, ctx.sessions.resolve(session), items, urls=url, observer=view)
    else:
        done = checked_upload(ctx, session, urls=items) if url else checked_upload(ctx, session, paths=items)
    finish(ctx, done)
    if done.failed:
        first = done.failed[0][1]
        raise type(first)(
            f"{len(done.failed)} of {len(items)} uploads failed: {flow.names([item for item, _ in done.failed])}",
            hint="the others went through; upload the failed ones again once they are fixed",
        )


upload.__doc__ = (upload.__doc__ or "").format(types=ACCEPTED_TYPES, limit=LIMIT_TEXT)  # one source: media.py


def checked_upload(ctx: "Context", session: str | None, *, paths: Sequence[str] = (), urls: Sequence[str] = ()) -> "Uploaded":
    """Every item checked before the session is looked up (all that break a rule named, the last one as the
    error the caller ends with), then one request, shown by the terminal view: `nemo upload` and chat's step."""
    from nemo_cli.flows import upload as flow

    try:
        checked = flow.check(urls=urls) if urls else flow.check(paths=paths)
    except flow.Refused as exc:
        for problem in exc.problems[:-1]:
            ctx.out.error(problem.message)
        raise
    sid = ctx.sessions.resolve(session)
    with UploadView(ctx) as view:
        return flow.send(ctx, sid, checked, view)


class UploadView(UploadObserver):
    """What the terminal shows while files go up: a bar of the bytes sent, then "processing on the service…"
    until the reply; each request's files as it ends (--json prints one document at the end); each failure
    of --each as it happens. A context manager: the bar is closed whatever ends the request."""

    def __init__(self, ctx: "Context") -> None:
        self.ctx = ctx
        self._bar: Any = None
        self._closing: Any = None

    def __enter__(self) -> "UploadView":
        return self

    def __exit__(self, *exc: Any) -> None:
        self._close()

    def _close(self) -> None:
        closing, self._bar, self._closing = self._closing, None, None
        if closing is not None:
            closing.__exit__(None, None, None)

    def progress(self, done: float, total: float | None = None, label: str = "") -> None:
        if self._bar is None:
            self._closing = self.ctx.out.progress(label, int(total) if total is not None else None)
            self._bar = self._closing.__enter__()
        self._bar.update(completed=done, total=total, description=label)

    def status(self, text: str) -> None:
        if self._bar is not None:
            self._bar.waiting(text)

    def uploaded(self, files: "list[File]") -> None:
        self._close()
        if not self.ctx.out.json_mode:
            self.ctx.out.result(None, [describe(f) for f in files], quiet=[f.cdn_url for f in files if f.cdn_url])

    def failed(self, item: str, error: "NemoError") -> None:
        self._close()
        self.ctx.out.error(error.message, error.hint)


def finish(ctx: "Context", done: "Uploaded") -> None:
    records = [f.record for f in done.files]
    if ctx.out.json_mode:
        ctx.out.json(
            {
                "session_id": done.session_id,
                "files": records,
                "session_state_applied": done.state_applied,
                "failed": [{"item": item, "error": exc.message, "exit_code": exc.exit_code} for item, exc in done.failed],
            }
        )
    if records:
        ctx.out.info(f"uploaded {len(records)} file{'' if len(records) == 1 else 's'} to session {done.session_id}")
    if records and done.state_applied is False:
        ctx.out.info("the service has the files but has not put them on the timeline yet; `nemo state` shows when it has")


def describe(f: "File") -> str:
    """`raw.mp4  video  8s  1920x1080  30 fps  https://cdn…/raw.mp4`; what the service left out is left out."""
    from nemo_cli.draft import seconds

    parts = [f.name or "(unnamed)", f.file_type or ""]
    if f.duration:
        parts.append(f"{seconds(f.duration * 1000)}s")
    if f.width and f.height:
        parts.append(f"{f.width}x{f.height}")
    if f.fps:
        parts.append(f"{f.fps:g} fps")
    parts.append(f.cdn_url or "(no URL)")
    return "  ".join(p for p in parts if p)


def register(app: typer.Typer) -> None:
    app.command("upload")(upload)
