"""`nemo export`: render the session's timeline to an MP4, follow it, download it; and pick up, inspect or
cancel any render started here (every one is recorded in the store, so none is ever orphaned).

Flags → one call of the render flow (nemo_cli.flows.render) → output: what shows while it works is
commands/export_view.py (bars, status lines, the `--json` record)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Callable, Optional

import typer

from nemo_cli.commands import common
from nemo_cli.commands.json_options import Jq, JsonFields

if TYPE_CHECKING:
    from nemo_cli.commands.export_view import ExportView
    from nemo_cli.context import Context
    from nemo_cli.flows.render import Delivered, Destination


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
    from nemo_cli.commands.export_view import ExportView, document
    from nemo_cli.flows import render

    ctx = common.use(json=json, quiet=quiet)
    options = render.Options(fmt.value, quality.value, resolution, fps)
    dest = destination(ctx, str(output), force) if output is not None else None
    sid = ctx.sessions.resolve(session)
    if not (wait or dest is not None):
        with ExportView(ctx) as view:
            started = render.submit(ctx, sid, options, draft=draft_file, observer=view)
        ctx.out.info(f"started render {started.id} ({started.status}); `nemo export wait {started.id} -o out.mp4` follows it")
        ctx.out.result(document(started.id, started.state, render.stored(ctx, started.id)), started.id, quiet=started.id)
        return
    report(ctx, lambda view: render.export(
        ctx, sid, options, dest, view, draft=draft_file, timeout=timeout, interval=poll_interval, link=not ctx.out.quiet
    ))


def destination(ctx: "Context", given: str, force: bool) -> "Destination":
    """`-o` made into the flow's Destination (checked there, once); `-` is refused where it cannot work."""
    from nemo_cli.errors import UsageError
    from nemo_cli.flows.render import Destination

    if given == "-":
        if ctx.out.json_mode:
            raise UsageError("-o - writes the video to stdout, which --json needs for the record")
        if ctx.terminal.stdout_tty:
            raise UsageError("refusing to write a video to the terminal", hint="pipe it (`-o - | …`) or give a file with -o")
    return Destination.of(given, force)


def report(ctx: "Context", run: "Callable[[ExportView], Delivered]") -> None:
    """Run a flow call that ends in a delivery under the terminal view, then report it: the path or URL,
    the browser link. With --json a render that failed still gets its record on stdout."""
    from nemo_cli.commands.export_view import ExportView, document
    from nemo_cli.errors import RenderFailed
    from nemo_cli.flows import render

    view = ExportView(ctx)
    try:
        with view:
            done = run(view)
    except RenderFailed:
        if ctx.out.json_mode and view.last is not None:
            rid = str(view.last.id)
            ctx.out.json(document(rid, view.last, render.stored(ctx, rid)))
        raise
    render_id = done.render_id
    doc = document(render_id, done.state, render.stored(ctx, render_id), link=done.link)
    if doc["seconds"] is None:
        doc["seconds"] = done.seconds
    if done.path is not None:
        doc.update(path=done.path, bytes=done.bytes, sha256=done.sha256, video=done.video, mismatch=done.mismatch)
    elif done.state.url is None:
        ctx.out.info(f"no result URL given: `nemo export download {render_id} -o PATH` fetches it from the API")
    if done.link:
        ctx.out.info(f"open it in the editor: {done.link}")
    if done.path == "-":
        return  # stdout carries the video itself
    value = done.path if done.path is not None else (done.state.url or render_id)
    ctx.out.result(doc, value, quiet=value)


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
    from nemo_cli.commands.export_view import document

    ctx = common.use(json=json, quiet=quiet)
    if refresh:
        _refresh(ctx)
    rows = sorted(ctx.profile().renders.items(), key=lambda item: str(item[1].get("created") or ""), reverse=True)
    docs = [document(rid, None, info) for rid, info in rows]
    lines = [f"{d['render_id']}  {str(d.get('created') or '')[:19]:19}  {str(d.get('status') or '?'):10}  {d.get('path') or ''}".rstrip() for d in docs]
    ctx.out.result(docs, lines or ["No renders yet: `nemo export` starts one."], quiet=[d["render_id"] for d in docs])


def _refresh(ctx: "Context") -> None:
    """Bring the record of every render that has not ended up to date (one look each). A look that fails
    leaves that record as it was, with a warning; one that cannot succeed for the others (no network, a
    rejected token) ends the refresh there."""
    from nemo_cli.errors import BadInput, NemoError
    from nemo_cli.flows import render

    ended = ("completed", *render.FAILED, *render.CANCELLED)
    open_ = [rid for rid, info in ctx.profile().renders.items() if info.get("status") not in ended]
    for render_id in open_:
        try:
            current = render.look(ctx, render_id, remember=False)
        except BadInput as exc:  # this render only (the service does not know it)
            ctx.out.warn(f"{exc.message}; its record is left as it was")
            continue
        except NemoError as exc:
            ctx.out.warn(f"could not refresh the renders ({exc.message}); showing what the store last saw")
            return
        render.record(ctx, render_id, status=current.status, url=current.url, error=current.error)


def status(render_id: RenderId, json: common.Json = False, json_fields: JsonFields = None, jq: Jq = None, quiet: common.Quiet = False) -> None:
    """Show a render's status (one look). Exits 0 whatever the state; `wait` exits by how it ended.

    \b
    Examples:
      $ nemo export status "$(nemo export -q)"
      $ nemo export status "$(nemo export -q)" --jq .progress
    """
    from nemo_cli.commands.export_view import document
    from nemo_cli.flows import render

    ctx = common.use(json=json, quiet=quiet)
    current = render.look(ctx, render_id)
    doc = document(render_id, current, render.stored(ctx, render_id))
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
    from nemo_cli.flows import render

    ctx = common.use(json=json, quiet=quiet)
    dest = destination(ctx, str(output), force) if output is not None else None
    report(ctx, lambda view: render.follow(
        ctx, render_id, dest, view, timeout=timeout, interval=poll_interval, link=not ctx.out.quiet
    ))


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
    from nemo_cli.flows import render

    ctx = common.use(json=json, quiet=quiet)
    before = render.stored(ctx, render_id).get("output")
    given = str(output) if output is not None else before if isinstance(before, str) and before else "."
    dest = destination(ctx, given, force)
    report(ctx, lambda view: render.download(ctx, render_id, dest, view, link=not ctx.out.quiet))


def cancel(render_id: RenderId, json: common.Json = False, json_fields: JsonFields = None, jq: Jq = None, quiet: common.Quiet = False) -> None:
    """Cancel a render that has not finished.

    \b
    Examples:
      $ nemo export cancel "$(nemo export -q)"
    """
    from nemo_cli.commands.export_view import document
    from nemo_cli.flows import render

    ctx = common.use(json=json, quiet=quiet)
    render.cancel(ctx, render_id)
    doc = document(render_id, None, render.stored(ctx, render_id))
    ctx.out.result(doc, f"cancelled render {render_id}", quiet=render_id)


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
