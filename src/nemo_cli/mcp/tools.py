"""One method per MCP tool, each a flow call (nemo_cli.flows) with its result as data plus a one-line
summary. Names and parameters are fixed (issue 16's table): agents and docs rely on them.

Sync tools run in the SDK's worker threads; the waiting ones (edit, edit_status, export, export_status)
are async and wait on a Job (nemo_cli.mcp.jobs) for at most wait_seconds, in short slices, so the bound
holds whatever the flow does. A raised nemo_cli error becomes a tool error in nemo_cli.mcp.server.

No `from __future__ import annotations` here: the SDK reads these annotations to build the input schemas.
"""

import os
from typing import Annotated, Any, Optional

import anyio
import anyio.from_thread
import anyio.to_thread
from mcp.server.mcpserver import Context as Call
from mcp.types import CallToolResult, TextContent
from pydantic import Field

from nemo_cli import errors
from nemo_cli.context import Context
from nemo_cli.flows.upload import UploadObserver
from nemo_cli.mcp.jobs import Job, Jobs, error_fields

SessionId = Annotated[Optional[str], Field(description="The session to act on (default: the active session).")]
Wait = Annotated[float, Field(ge=0, le=600, description="Seconds to wait before returning (the work goes on after).")]
Key = Annotated[Optional[str], Field(
    description="Your id for this request: a retry with the same key returns the first call's turn or render "
                "instead of starting another.", max_length=200)]


def ok(summary: str, data: dict[str, Any]) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=summary)], structured_content=data)


def absolute(path: str) -> str:
    """A path as the server sees it: relative to its working directory, `~` expanded (symlinks kept: the
    checks judge them)."""
    return os.path.abspath(os.path.expanduser(path))


class Tools:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.jobs = Jobs(ctx)

    def _session(self, session_id: Optional[str]) -> str:
        return self.ctx.sessions.resolve(session_id)

    # -- account and sessions ---------------------------------------------------------------------
    def credits(self) -> CallToolResult:
        """The credit balance: available, frozen (held by work in flight) and total."""
        from nemo_cli.flows import account

        balance = account.credits(self.ctx).public()
        return ok(f"{balance['available']:g} credits available ({balance['frozen']:g} frozen)", balance)

    def session_new(
        self,
        name: Annotated[Optional[str], Field(description="A name for the session (default: one with the date).")] = None,
        language: Annotated[Optional[str], Field(description="The agent's language, e.g. en or zh (default: the language setting).")] = None,
    ) -> CallToolResult:
        """Start a new editing session; it becomes the active one (the default of every other tool)."""
        from nemo_cli.flows import session

        made = session.new(self.ctx, name=name, language=language, activate=True)
        return ok(f"session {made.session_id} ({made.name}) is the active session", {**made.public(), "active": True})

    def session_list(self) -> CallToolResult:
        """The sessions the store knows; the active one has active=true."""
        from nemo_cli.flows import session

        rows = [k.public() for k in session.listing(self.ctx)]
        active = next((r["session_id"] for r in rows if r["active"]), None)
        return ok(f"{len(rows)} session(s)" + (f"; active: {active}" if active else ""), {"sessions": rows, "active": active})

    def session_link(self, session_id: SessionId = None) -> CallToolResult:
        """A browser link to the session in the web editor. It carries a claim token (never the API token)."""
        from nemo_cli.flows import session

        link = session.link(self.ctx, self._session(session_id))
        return ok(link.url, link.public())

    # -- media and the timeline -------------------------------------------------------------------
    def upload(
        self,
        paths: Annotated[Optional[list[str]], Field(description="Local files, relative to the server's working directory or absolute.")] = None,
        urls: Annotated[Optional[list[str]], Field(description="http(s) URLs for the service to fetch.")] = None,
        session_id: SessionId = None,
        call: Optional[Call] = None,
    ) -> CallToolResult:
        """Upload local files and/or URLs into a session: every path is checked (type, size, symlinks) before a
        byte is sent. Returns each file with its absolute path, CDN URL and duration."""
        from nemo_cli.flows import upload

        if not paths and not urls:
            raise errors.UsageError("nothing to upload", hint="give `paths` (local files) and/or `urls`")
        checked = upload.check(paths=[absolute(p) for p in paths or []], urls=list(urls or []))
        sid = self._session(session_id)
        done = upload.send(self.ctx, sid, checked, _UploadProgress(call))
        files = [{"name": f.name, "path": f.path, "url": f.url, "cdn_url": f.cdn_url, "duration": f.duration,
                  "file_type": f.file_type, "width": f.width, "height": f.height, "fps": f.fps} for f in done.files]
        return ok(f"uploaded {len(files)} file(s) into {sid}",
                  {"session_id": sid, "files": files, "state_applied": done.state_applied})

    def state(
        self,
        session_id: SessionId = None,
        draft: Annotated[bool, Field(description="Also return the draft (the timeline as JSON).")] = False,
    ) -> CallToolResult:
        """The session's timeline in summary lines, and whether it can be exported (ready_for_export)."""
        from nemo_cli.flows import session

        current = session.state(self.ctx, self._session(session_id))
        data: dict[str, Any] = {"session_id": current.session_id, "lines": current.lines,
                                "ready_for_export": current.ready_for_export}
        if draft:
            data["draft"] = current.draft
        return ok(current.line, data)

    # -- edits ------------------------------------------------------------------------------------
    async def edit(
        self,
        instruction: Annotated[str, Field(min_length=1, description="What to do, in words; or the answer to the service's question (its number or label).")],
        session_id: SessionId = None,
        wait_seconds: Wait = 45,
        idempotency_key: Key = None,
        call: Optional[Call] = None,
    ) -> CallToolResult:
        """Send one instruction to the session's editing agent; wait up to wait_seconds. Returns turn_id and a
        status: done (reply, changes), awaiting_input (the question and its options: answer with another
        edit), running (call edit_status with the turn_id), failed (error). The message is sent once: never
        send it again after a timeout or disconnect; look with edit_status or state."""
        if not instruction.strip():
            raise errors.UsageError("the message is empty", hint="say what to do, e.g. \"add a title 'Hello'\"")
        sid = await anyio.to_thread.run_sync(self._session, session_id)
        job, sent = await anyio.to_thread.run_sync(self.jobs.start_turn, sid, instruction, idempotency_key)
        await wait_for(job, wait_seconds, call)
        return turn_result(job, sent)

    async def edit_status(
        self,
        turn_id: Annotated[str, Field(description="The turn_id an edit returned.")],
        wait_seconds: Wait = 0,
        call: Optional[Call] = None,
    ) -> CallToolResult:
        """A turn's status, in the shape edit returns; waits up to wait_seconds for it to end. Sends nothing."""
        job = self.jobs.get(turn_id) or await anyio.to_thread.run_sync(self.jobs.stored_turn, turn_id)
        if job is None or job.kind != "turn":
            raise errors.BadInput(f"no turn {turn_id} is known here", hint="use the turn_id an edit returned")
        await wait_for(job, wait_seconds, call)
        return turn_result(job, False)

    # -- renders ----------------------------------------------------------------------------------
    async def export(
        self,
        session_id: SessionId = None,
        output_path: Annotated[Optional[str], Field(description="Where to save the MP4 (a file or a directory; relative to the server's working directory).")] = None,
        wait_seconds: Wait = 45,
        idempotency_key: Key = None,
        call: Optional[Call] = None,
    ) -> CallToolResult:
        """Render the session's timeline to an MP4, downloading it to output_path when given; wait up to
        wait_seconds. Returns render_id, status (running, done, failed), progress (0-100) and, once
        downloaded, path and sha256. A running render goes on: follow it with export_status."""
        from nemo_cli.flows import render

        destination = render.Destination.of(absolute(output_path)) if output_path else None
        sid = await anyio.to_thread.run_sync(self._session, session_id)
        job, started = await anyio.to_thread.run_sync(self.jobs.start_render, sid, destination, idempotency_key)
        await wait_for(job, wait_seconds, call)
        return render_result(job, started)

    async def export_status(
        self,
        render_id: Annotated[str, Field(description="The render_id export returned.")],
        output_path: Annotated[Optional[str], Field(description="Download the finished MP4 here (relative to the server's working directory).")] = None,
        wait_seconds: Wait = 0,
        call: Optional[Call] = None,
    ) -> CallToolResult:
        """One look at a render (waiting up to wait_seconds for it to end); downloads it when it has finished
        and output_path was given (or export was given one)."""
        from nemo_cli.flows import render

        destination = render.Destination.of(absolute(output_path)) if output_path else None
        job = await anyio.to_thread.run_sync(self.jobs.render_job, render_id, destination)
        await wait_for(job, wait_seconds, call)
        return render_result(job, False)

    def export_cancel(self, render_id: Annotated[str, Field(description="The render_id export returned.")]) -> CallToolResult:
        """Cancel a render that has not finished."""
        from nemo_cli.flows import render

        said = render.cancel(self.ctx, render_id)
        return ok(f"render {render_id}: {said.status}", {"render_id": render_id, "status": "cancelled", "state": said.status})


# -- waiting and the results of a job ----------------------------------------------------------------


async def wait_for(job: Job, wait_seconds: float, call: Optional[Call]) -> None:
    """At most wait_seconds (a little less: the answer must be out by then), in 0.2 s slices that keep the
    event loop free; progress goes to the client when it asked (report_progress is a no-op otherwise)."""
    sent = None
    with anyio.move_on_after(max(0.0, wait_seconds * 0.97 - 0.05)):
        while not job.done.is_set():
            if call is not None and (job.progress, job.message) != sent:
                sent = (job.progress, job.message)
                await call.report_progress(job.progress, job.total, job.message or None)
            await anyio.to_thread.run_sync(job.done.wait, 0.2)


def turn_result(job: Job, sent: bool) -> CallToolResult:
    status = job.status if job.done.is_set() else "running"
    data: dict[str, Any] = {"turn_id": job.id, "session_id": job.session_id, "status": status, "sent": sent}
    if status in ("done", "awaiting_input"):
        data.update(job.result)
        data.pop("instruction", None)
    if status == "failed":
        data["error"] = job.error
    if status == "done":
        reply = (job.result.get("reply") or "").strip()
        summary = reply.splitlines()[0] if reply else "done: " + ("; ".join(job.result.get("changes") or []) or "no change")
    elif status == "awaiting_input":
        q = job.result.get("question") or {}
        options = ", ".join(f"{i}. {o['label']}" for i, o in enumerate(q.get("options") or [], 1))
        summary = f"the service asks: {q.get('prompt', '')}" + (f" ({options})" if options else "") + "; answer with edit"
    elif status == "failed":
        summary = f"failed: {job.error['message'] if job.error else 'unknown'}"
    else:
        summary = f"still working ({job.message or 'sent'}); call edit_status with turn_id {job.id}"
    return ok(summary if sent or status != "running" else summary + " (not sent again)", data)


def render_result(job: Job, started: bool) -> CallToolResult:
    status = job.status if job.done.is_set() and job.status != "running" else "running"
    data: dict[str, Any] = {"render_id": job.id, "status": status, "progress": round(job.progress, 1),
                            "started": started, **{k: v for k, v in job.result.items()}}
    data.setdefault("path", None)
    data.setdefault("sha256", None)
    if status == "failed":
        data["error"] = job.error
        summary = f"render {job.id} failed: {job.error['message'] if job.error else 'unknown'}"
    elif status == "done":
        summary = f"render {job.id} done" + (f": saved {data['path']}" if data.get("path") else "")
    else:
        summary = f"render {job.id}: {data.get('state') or 'running'} ({job.progress:.0f}%); call export_status with render_id {job.id}"
    return ok(summary, data)


class _UploadProgress(UploadObserver):
    """An upload's bytes as MCP progress (from the SDK's worker thread, through the event loop)."""

    def __init__(self, call: Optional[Call]) -> None:
        self.call, self.last = call, -1.0

    def progress(self, done: float, total: Optional[float] = None, label: str = "") -> None:
        if self.call is None or done <= self.last or (total and done < total and done - self.last < total / 50):
            return
        self.last = done
        try:
            anyio.from_thread.run(self.call.report_progress, done, total, label or None)
        except Exception:  # the client went away: the upload goes on
            pass


__all__ = ["Tools", "absolute", "error_fields", "ok"]
