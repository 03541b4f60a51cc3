"""The whole life of a render, for every front end (`nemo export`, a batch job's export step, chat, MCP).

    submit(ctx, session_id, options, *, draft=None, destination=None, observer=SILENT) -> Render
        Start a render of the session's draft (or `draft`: a dict, a file saved with `nemo state --draft`,
        "-" for stdin) and record it in the store before returning. A store that cannot record it (its
        renders table malformed) refuses with its ConfigError before anything is sent; nothing to render
        is BadInput; a failed submit is retried once with a new id (observer.warn says so).
        Render: id, session_id, status, state (RenderState), submitted (time.monotonic()).
    look(ctx, render_id, *, remember=True) -> RenderState
        One status look (recorded unless remember=False). An unknown render is BadInput.
    wait(ctx, render_id, observer, *, timeout=None, interval=None, resume=None) -> RenderState
        Poll with the settings' intervals (export.poll_min/poll_max/timeout/error_grace) until the render
        ends, and record how. Each look: observer.event("render", {render_id, status, progress, elapsed,
        ended, state}) and observer.progress(percent, 100, "rendering"). Raises RenderFailed (failed or
        cancelled), Timeout, NetworkError (the status unreadable past the grace), Interrupted (Ctrl-C);
        each hint names the command that picks the render up again.
    deliver(ctx, state, destination, observer, *, force=False, link=False, resume=None) -> Delivered
        Download a completed render to `destination` (None: nothing), resuming a kept `.part`; record
        the path, bytes and sha256; read the MP4's size and frame rate (a mismatch is observer.warn).
        observer.event("download", {render_id, to}), observer.progress(bytes, total, "downloading"),
        observer.status(notes: resumed, fetched from the API, saved, no browser link).
        Delivered: render_id, state, path ("-" for stdout, None), bytes, sha256, source, resumed_from,
        video, mismatch, link, seconds.
    export(ctx, session_id, options, destination, observer, *, force=False, draft=None, timeout=None,
           interval=None, link=False) -> Delivered
        submit + wait + deliver: `nemo export --wait [-o PATH]`, a batch job's export step. Refuses a
        broken store or a broken export.* setting before anything is sent.
    follow(ctx, render_id, destination, observer, *, timeout=None, interval=None, link=False) -> Delivered
        wait + deliver for a render started earlier (`nemo export wait`).
    ready(ctx, render_id, observer) -> RenderState
        One look before a download: completed passes; failed or cancelled is RenderFailed; still going
        is BadInput.
    download(ctx, render_id, destination, observer, *, link=False) -> Delivered
        ready + deliver (`nemo export download`).
    cancel(ctx, render_id) -> RenderState
        Cancel and record (refused, like submit, by a store that cannot record); one that has already
        ended is BadInput.
    Options(format="mp4", quality="high", resolution=None, fps=None)   checked when made (UsageError)
    Destination.of(given, force=False)   `-o`: a file, a directory or "-"; checked once, when made
    stored(ctx, render_id) -> dict        what the store records of a render
    resume_command(ctx, render_id, destination) -> str

Every call is independent (no module state): threads may run renders side by side. Nothing here prints;
progress and notes reach a person through the observer (nemo_cli.flows.observe).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nemo_cli.flows.observe import SILENT, Observer
from nemo_cli.flows.render.deliver import Delivered, Destination, deliver
from nemo_cli.flows.render.submit import (
    Options,
    Render,
    cancel,
    can_record,
    look,
    read_draft,
    record,
    resume_command,
    stored,
    submit,
)
from nemo_cli.flows.render.watch import CANCELLED, FAILED, Limits, check, outcome, ready, wait

if TYPE_CHECKING:
    from pathlib import Path

    from nemo_cli.api.models import RenderStatus as RenderState
    from nemo_cli.context import Context

__all__ = [
    "CANCELLED", "FAILED", "Delivered", "Destination", "Options", "Render", "RenderState", "cancel", "can_record",
    "check", "deliver", "download", "export", "follow", "look", "outcome", "read_draft", "ready", "record", "resume_command", "stored", "submit",
    "wait",
]


def __getattr__(name: str) -> Any:
    if name == "RenderState":  # the wire's model, imported only when asked for (pydantic is not cheap)
        from nemo_cli.api.models import RenderStatus

        return RenderStatus
    raise AttributeError(name)


def export(
    ctx: "Context",
    session_id: str,
    options: Options,
    destination: Destination | None,
    observer: Observer = SILENT,
    *,
    force: bool = False,
    draft: "dict[str, Any] | str | Path | None" = None,
    timeout: float | None = None,
    interval: float | None = None,
    link: bool = False,
) -> Delivered:
    """Start a render, follow it to its end and deliver it (destination None: no download)."""
    if force and destination is not None and not destination.force:
        destination = Destination(destination.given, True, destination.file, destination.directory)
    can_record(ctx)
    Limits.of(ctx, interval, timeout)  # a broken setting stops here, before a render starts
    started = submit(ctx, session_id, options, draft=draft, destination=destination, observer=observer)
    observer.event("submitted", {"render_id": started.id, "status": started.status})
    return follow(ctx, started.id, destination, observer, timeout=timeout, interval=interval, link=link,
                  submitted=started.submitted)


def follow(
    ctx: "Context",
    render_id: str,
    destination: Destination | None,
    observer: Observer = SILENT,
    *,
    timeout: float | None = None,
    interval: float | None = None,
    link: bool = False,
    submitted: float | None = None,
) -> Delivered:
    """wait + deliver, for a render started earlier or elsewhere (`nemo export wait ID [-o PATH]`).
    `submitted` (a time.monotonic()) says this process started it, so its duration is known."""
    import time

    resume = resume_command(ctx, render_id, destination)
    final = wait(ctx, render_id, observer, timeout=timeout, interval=interval, resume=resume)
    seconds = round(time.monotonic() - submitted, 1) if submitted is not None else None
    done = deliver(ctx, final, destination, observer, link=link, resume=resume)
    if done.seconds is None:
        done.seconds = seconds
    return done


def download(
    ctx: "Context", render_id: str, destination: Destination, observer: Observer = SILENT, *, link: bool = False
) -> Delivered:
    """ready + deliver: download a render that should have ended (`nemo export download`)."""
    resume = resume_command(ctx, render_id, destination)
    final = ready(ctx, render_id, observer, resume=resume)
    return deliver(ctx, final, destination, observer, link=link, resume=resume)
