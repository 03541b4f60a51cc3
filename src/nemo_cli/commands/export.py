"""`nemo export`: render the session's timeline to an MP4, follow it, download it; and pick up, inspect or
cancel any render started here (every one is recorded in the store, so none is ever orphaned)."""

from __future__ import annotations

from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Iterator, Optional

import typer

from nemo_cli.commands import common
from nemo_cli.commands.json_options import Jq, JsonFields

if TYPE_CHECKING:
    from nemo_cli.api.models import RenderStatus
    from nemo_cli.context import Context
    from nemo_cli.renders import Destination


class Format(str, Enum):
    mp4 = "mp4"


class Quality(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"


RenderId = Annotated[str, typer.Argument(metavar="ID", help="A render id (`nemo export list` shows them).")]


def _output(help: str) -> Any:
    # path_type=str: the value stays the text as typed (a Path would drop the slash of `-o newdir/`, which
    # says "a directory"); the annotation stays Path, so help and shell completion still offer files
    return typer.Option("--output", "-o", metavar="PATH", help=help, show_default=False, path_type=str)


Output = Annotated[Optional[Path], _output("Download the video to PATH: a file, a directory (a file named after the render goes inside), or - for stdout.")]
Force = Annotated[bool, typer.Option("--force", "-f", help="Overwrite an existing file at PATH.")]
PollInterval = Annotated[
    Optional[float],
    typer.Option("--poll-interval", metavar="SECONDS", min=0.01, help="Look at the render every SECONDS (default: adaptive).", show_default=False),
]
TimeoutOpt = Annotated[
    Optional[float],
    typer.Option("--timeout", metavar="SECONDS", min=0, help="Give up waiting after SECONDS (default: setting export.timeout).", show_default=False),
]


def export(
    typer_ctx: typer.Context,
    wait: Annotated[bool, typer.Option("--wait", "-w", help="Follow the render until it completes or fails.")] = False,
    output: Annotated[Optional[Path], _output("Download the video to PATH (a file, a directory, or - for stdout); implies --wait.")] = None,
    force: Force = False,
    fmt: Annotated[Format, typer.Option("--format", help="Container of the video.")] = Format.mp4,
    quality: Annotated[Quality, typer.Option("--quality", help="Encoding quality.")] = Quality.high,
    resolution: Annotated[
        Optional[str],
        typer.Option("--resolution", "-r", metavar="1080p|720p|WxH", help="Output size (default: the canvas).", show_default=False),
    ] = None,
    fps: Annotated[Optional[float], typer.Option("--fps", metavar="N", help="Frames per second (default: the canvas).", show_default=False)] = None,
    draft_file: Annotated[
        Optional[Path],
        typer.Option("--draft", metavar="FILE", help="Render a draft saved with `nemo state --draft > FILE` (- reads stdin).", show_default=False),
    ] = None,
    poll_interval: PollInterval = None,
    timeout: TimeoutOpt = None,
    session: common.SessionOpt = None,
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Start a render of the session's timeline (or of a --draft saved earlier); with --wait follow it to
    the end, with -o also download the video."""
    if typer_ctx.invoked_subcommand is not None:
        return
    import time

    from nemo_cli import draft as timeline
    from nemo_cli import renders
    from nemo_cli.errors import BadInput

    ctx = common.use(json=json, quiet=quiet)
    options = renders.output_options(fmt.value, quality.value, resolution, fps)
    dest = renders.Destination(str(output), force) if output is not None else None
    if dest is not None:
        dest.check(ctx)
    _can_record(ctx)
    if wait or dest is not None:
        from nemo_cli import render_watch

        render_watch.Limits.of(ctx, poll_interval, timeout)  # a broken setting stops here, before a render starts
    sid = ctx.sessions.resolve(session)
    draft = _read_draft(draft_file) if draft_file is not None else ctx.client.state(sid).draft
    if not timeline.is_ready(draft):
        raise BadInput(
            "nothing to export yet: upload or generate first",
            hint="`nemo upload FILE` or `nemo edit \"…\"`, then check with `nemo state`",
        )
    submitted = time.monotonic()
    started = renders.submit(ctx, sid, draft, options, dest=dest)
    render_id = str(started.id)
    if not (wait or dest is not None):
        ctx.out.info(f"started render {render_id} ({started.status}); `nemo export wait {render_id} -o out.mp4` follows it")
        ctx.out.result(renders.document(render_id, started, renders.known(ctx, render_id)), render_id, quiet=render_id)
        return
    _finish(ctx, render_id, dest, poll_interval, timeout, submitted)


def _read_draft(path: Path) -> dict[str, Any]:
    import json as jsonlib
    import sys

    from nemo_cli.errors import BadInput

    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot read the draft {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise BadInput(f"the draft {path} is not text") from None
    try:
        draft = jsonlib.loads(text)
    except ValueError as exc:
        raise BadInput(f"the draft {path} is not JSON ({exc})", hint="save one with `nemo state --draft > FILE`") from None
    if isinstance(draft, dict) and isinstance(draft.get("draft"), dict) and "t" not in draft:
        draft = draft["draft"]  # a whole state (`nemo state --json`) works too
    if not isinstance(draft, dict):
        raise BadInput(f"the draft {path} is not a JSON object", hint="save one with `nemo state --draft > FILE`")
    return draft


def _finish(
    ctx: "Context",
    render_id: str,
    dest: "Destination | None",
    interval: float | None,
    timeout: float | None,
    submitted: float | None = None,
) -> None:
    """Follow a render to its end, download it when asked, and report: shared by `export` and `wait`.
    `submitted` (a monotonic time) says this process started the render, so its duration is known."""
    import time

    from nemo_cli import render_watch, renders
    from nemo_cli.errors import Interrupted

    resume = renders.resume_command(ctx, render_id, dest)
    try:
        final = render_watch.watch(ctx, render_id, interval=interval, timeout=timeout, resume=resume)
    except KeyboardInterrupt:
        raise Interrupted(f"stopped waiting; render {render_id} goes on", hint=f"pick it up again: {resume}") from None
    seconds = round(time.monotonic() - submitted, 1) if submitted is not None else None
    _report_end(ctx, render_id, final)
    render_watch.check(final)
    _deliver(ctx, final, dest, resume, seconds)


def _report_end(ctx: "Context", render_id: str, final: "RenderStatus") -> None:
    """Record how a render ended; with --json, a failed one still gets its record on stdout."""
    from nemo_cli import render_watch, renders

    renders.record(ctx, render_id, status=final.status, url=final.url, error=final.error)
    if render_watch.outcome(final) != "completed" and ctx.out.json_mode:
        ctx.out.json(renders.document(render_id, final, renders.known(ctx, render_id)))


def _deliver(ctx: "Context", final: "RenderStatus", dest: "Destination | None", resume: str, seconds: float | None = None) -> None:
    """Download a completed render when asked, then report it: the path or URL, the browser link."""
    from nemo_cli import renders
    from nemo_cli.errors import Interrupted

    render_id = str(final.id)
    session = renders.known(ctx, render_id).get("session")
    # the browser link costs a request of its own: it is made while the video downloads
    link_of = _in_background(lambda: renders.link(ctx, session)) if not ctx.out.quiet else lambda: None
    result = None
    if dest is not None:
        try:
            result = renders.deliver(ctx, final, dest, resume)
        except KeyboardInterrupt:
            kept = "" if dest.stdout else "; what arrived is kept"
            raise Interrupted(f"stopped downloading render {render_id}{kept}", hint=f"resume: {resume}") from None
    stored = renders.known(ctx, render_id)
    link = link_of()
    doc = renders.document(render_id, final, stored, link=link)
    if doc["seconds"] is None:
        doc["seconds"] = seconds
    if result is not None:
        doc.update(path=result.path, bytes=result.bytes, sha256=result.sha256)
        ctx.out.info(f"saved {'to stdout' if result.path == '-' else result.path} ({result.bytes / 1e6:.1f} MB)")
        video, mismatch = renders.examine(ctx, render_id, result.path) if result.path != "-" else (None, None)
        doc.update(video=video, mismatch=mismatch)
    elif final.url is None:
        ctx.out.info(f"no result URL given: `nemo export download {render_id} -o PATH` fetches it from the API")
    if link:
        ctx.out.info(f"open it in the editor: {link}")
    if result is not None and result.path == "-":
        return  # stdout carries the video itself
    value = result.path if result is not None else (final.url or render_id)
    ctx.out.result(doc, value, quiet=value)


def _in_background(work: Any) -> Any:
    """Start `work()` on a thread; the returned function waits for its value (or raises its error)."""
    import threading

    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # handed to the caller, who decides
            box["error"] = exc

    thread = threading.Thread(target=run, name="nemo-link", daemon=True)
    thread.start()

    def result() -> Any:
        thread.join()
        if "error" in box:
            raise box["error"]
        return box.get("value")

    return result


# -- subcommands ---------------------------------------------------------------------------------


def list_(
    refresh: Annotated[
        bool,
        typer.Option("--refresh/--no-refresh", help="Ask the service how each render that has not ended is doing (--no-refresh: the store only, no network)."),
    ] = True,
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """List the renders started from this profile, newest first.

    A render the store last saw pending or processing is looked up on the service first (one request
    each) and its record brought up to date, so one started with `nemo export -q` shows how it is doing.

    \b
    Examples:
      $ nemo export list
      $ nemo export list --no-refresh --json-fields render_id,status
    """
    from nemo_cli import renders

    ctx = common.use(json=json, quiet=quiet)
    if refresh:
        _refresh(ctx)
    rows = sorted(ctx.profile().renders.items(), key=lambda item: str(item[1].get("created") or ""), reverse=True)
    docs = [renders.document(rid, None, info) for rid, info in rows]
    lines = [f"{d['render_id']}  {str(d.get('created') or '')[:19]:19}  {str(d.get('status') or '?'):10}  {d.get('path') or ''}".rstrip() for d in docs]
    ctx.out.result(docs, lines or ["No renders yet: `nemo export` starts one."], quiet=[d["render_id"] for d in docs])


def _refresh(ctx: "Context") -> None:
    """Bring the record of every render that has not ended up to date (one look each). A look that fails
    leaves that record as it was, with a warning; one that cannot succeed for the others (no network, a
    rejected token) ends the refresh there."""
    from nemo_cli import render_watch, renders
    from nemo_cli.errors import BadInput, NemoError

    ended = ("completed", *render_watch.FAILED, *render_watch.CANCELLED)
    open_ = [rid for rid, info in ctx.profile().renders.items() if info.get("status") not in ended]
    for render_id in open_:
        try:
            current = _look(ctx, render_id)
        except BadInput as exc:  # this render only (the service does not know it)
            ctx.out.warn(f"{exc.message}; its record is left as it was")
            continue
        except NemoError as exc:
            ctx.out.warn(f"could not refresh the renders ({exc.message}); showing what the store last saw")
            return
        renders.record(ctx, render_id, status=current.status, url=current.url, error=current.error)


def status(render_id: RenderId, json: common.Json = False, json_fields: JsonFields = None, jq: Jq = None, quiet: common.Quiet = False) -> None:
    """Show a render's status (one look). Exits 0 whatever the state; `wait` exits by how it ended.

    \b
    Examples:
      $ nemo export status "$(nemo export -q)"
      $ nemo export status "$(nemo export -q)" --jq .progress
    """
    from nemo_cli import renders

    ctx = common.use(json=json, quiet=quiet)
    current = _look(ctx, render_id)
    renders.record(ctx, render_id, status=current.status, url=current.url, error=current.error)
    doc = renders.document(render_id, current, renders.known(ctx, render_id))
    line = f"{render_id}: {current.status}"
    if current.progress is not None and current.status not in ("completed", "failed"):
        line += f" {current.progress:.0f}%"
    lines = [line] + [f"{k}: {doc[k]}" for k in ("error", "url", "path") if doc.get(k)]
    ctx.out.result(doc, lines, quiet=current.status)


def wait(
    render_id: RenderId,
    output: Output = None,
    force: Force = False,
    poll_interval: PollInterval = None,
    timeout: TimeoutOpt = None,
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Follow a render until it ends (exit 11 if it failed, 10 on --timeout); with -o, download it.

    \b
    Examples:
      $ nemo export wait "$(nemo export -q)" -o out.mp4
      $ nemo export wait "$(nemo export -q)" --timeout 600 -q
    """
    from nemo_cli import renders

    ctx = common.use(json=json, quiet=quiet)
    dest = renders.Destination(str(output), force) if output is not None else None
    if dest is not None:
        dest.check(ctx)
    _finish(ctx, render_id, dest, poll_interval, timeout)


def download(
    render_id: RenderId,
    output: Annotated[
        Optional[Path], _output("Where to write it: a file, a directory, or - for stdout (default: where it went before, else here).")
    ] = None,
    force: Force = False,
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Download a finished render; a download that broke off resumes where it stopped.

    \b
    Examples:
      $ rid=$(nemo export -q) && nemo export wait "$rid" && nemo export download "$rid" -o copy.mp4
    """
    from nemo_cli import render_watch, renders
    from nemo_cli.errors import BadInput

    ctx = common.use(json=json, quiet=quiet)
    before = renders.known(ctx, render_id).get("output")
    given = str(output) if output is not None else before if isinstance(before, str) and before else "."
    dest = renders.Destination(given, force)
    dest.check(ctx)
    current = _look(ctx, render_id)
    if render_watch.outcome(current) is not None:
        _report_end(ctx, render_id, current)
    render_watch.check(current)
    if render_watch.outcome(current) is None:
        progress = f" ({current.progress:.0f}%)" if current.progress is not None else ""
        raise BadInput(
            f"render {render_id} is not finished: {current.status}{progress}",
            hint=f"wait for it: {renders.resume_command(ctx, render_id, dest)}",
        )
    _deliver(ctx, current, dest, renders.resume_command(ctx, render_id, dest))


def cancel(render_id: RenderId, json: common.Json = False, json_fields: JsonFields = None, jq: Jq = None, quiet: common.Quiet = False) -> None:
    """Cancel a render that has not finished.

    \b
    Examples:
      $ nemo export cancel "$(nemo export -q)"
    """
    from nemo_cli import renders
    from nemo_cli.api.models import RenderStatus

    ctx = common.use(json=json, quiet=quiet)
    _can_record(ctx)
    with _render_errors(render_id, ended=f"render {render_id} has already ended: nothing to cancel"):
        reply = ctx.client.render_cancel(render_id)
    said = RenderStatus.from_reply(reply, render_id).status if isinstance(reply, dict) and reply.get("status") else "cancelled"
    renders.record(ctx, render_id, status=said)
    doc = renders.document(render_id, None, renders.known(ctx, render_id))
    ctx.out.result(doc, f"cancelled render {render_id}", quiet=render_id)


def _can_record(ctx: "Context") -> None:
    """A store whose renders table is broken refuses (ConfigError) before a render is started or cancelled:
    the change would happen on the service with no record of it here."""
    ctx.profile().renders


def _look(ctx: "Context", render_id: str) -> "RenderStatus":
    with _render_errors(render_id):
        return ctx.client.render_status(render_id)


@contextmanager
def _render_errors(render_id: str, *, ended: str | None = None) -> Iterator[None]:
    """The service's untyped answers about one render as bad input: 404 (no such render) and, where the
    caller says what it means, 409 (the render has already ended)."""
    from nemo_cli.errors import BadInput, NemoError

    try:
        yield
    except NemoError as exc:
        if type(exc) is not NemoError:
            raise
        if exc.status == 404:
            raise BadInput(f"the service knows no render {render_id}", hint="`nemo export list` shows the renders started here") from None
        if exc.status == 409 and ended:
            raise BadInput(ended, hint=f"`nemo export status {render_id}` shows how") from None
        raise


def register(app: typer.Typer) -> None:
    sub = common.new_app(
        name="export",
        help=(
            "Render the timeline to an MP4 and download it; follow, fetch or cancel renders.\n\n"
            "Without --wait, `nemo export` prints the render id and returns at once. With --wait it follows "
            "the render to the end (exit 11 if it fails, 10 on --timeout); with -o it downloads the video "
            "too. Every render is recorded, so none is lost: Ctrl-C prints the command that picks it up "
            "again, and `nemo export list` shows them all.\n\n"
            "On a terminal a bar shows the service's progress and the time left at its rate (not with "
            "NO_COLOR or --no-color). Every download's size and sha256 are recorded (`nemo export list "
            "--json`).\n\n"
            "\b\nExamples:\n"
            "  $ nemo export --wait -o out.mp4\n"
            "  $ nemo export --resolution 720p --fps 30 --wait -o out/\n"
            "  $ nemo export --wait -o - > video.mp4\n"
            "  $ nemo state --draft > draft.json && nemo export --draft draft.json --wait -o cut.mp4\n"
            "  $ nemo export --json-fields render_id,status\n"
        ),
    )
    sub.callback(invoke_without_command=True)(export)
    sub.command("list")(list_)
    sub.command("status")(status)
    sub.command("wait")(wait)
    sub.command("download")(download)
    sub.command("cancel")(cancel)
    app.add_typer(sub, name="export")
