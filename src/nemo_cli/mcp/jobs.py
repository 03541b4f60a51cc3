"""Work that outlives a tool call: an edit turn or a render, followed in a daemon thread and picked up by
edit_status / export_status. A tool waits on a Job for at most its wait_seconds; the thread goes on.

Nothing that matters lives only here: a turn's id, key and end are in the store (flows.edit.record), a
render's id, key and destination in the store's render record, so a server that dies loses no id, and a
new one answers for them (a turn it did not follow is "failed" with Interrupted: never re-sent).

Threads are daemons: a running render must not keep the server alive after the client closed stdin.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from nemo_cli import errors
from nemo_cli.flows.edit import EditObserver
from nemo_cli.flows.observe import Observer

if TYPE_CHECKING:
    from nemo_cli.context import Context
    from nemo_cli.flows.edit import EditOutcome
    from nemo_cli.flows.render import Delivered, Destination

log = logging.getLogger("nemo.mcp")


def error_fields(exc: errors.NemoError) -> dict[str, Any]:
    """Our error as data: its class, message, hint and exit-code name (errors.EXIT_CODES)."""
    names = {code: name for code, name, _ in errors.EXIT_CODES}
    return {"error": type(exc).__name__, "message": exc.message, "hint": exc.hint,
            "exit_code": names.get(exc.exit_code, "ERROR")}


@dataclass
class Job:
    id: str
    kind: str  # turn | render
    session_id: str | None = None
    key: str | None = None  # the caller's idempotency key
    status: str = "running"  # running | done | awaiting_input | failed
    progress: float = 0.0  # only ever grows (MCP progress must)
    total: float | None = None
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def advance(self, progress: float, message: str = "") -> None:
        self.progress = max(self.progress, progress)
        if message:
            self.message = message


class Jobs:
    """Every job this server started, by id; the store for what must survive it."""

    def __init__(self, ctx: "Context") -> None:
        self.ctx = ctx
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _find(self, kind: str, test: Callable[[Job], bool]) -> Job | None:
        with self._lock:
            return next((j for j in self._jobs.values() if j.kind == kind and test(j)), None)

    def _add(self, job: Job) -> None:
        with self._lock:
            self._jobs[job.id] = job

    # -- turns ------------------------------------------------------------------------------------
    def start_turn(self, session_id: str, instruction: str, key: str | None) -> tuple[Job, bool]:
        """(the turn, True) when this call started it; (the turn that already carries `key`, False)
        otherwise, or the one still running in this session with the same words (a client's retry)."""
        from nemo_cli.flows.edit import record

        with self._lock:  # one decision at a time: two retries racing must not both send
            known = self._turn_for(session_id, instruction, key)
            if known is not None:
                return known, False
            busy = next((j for j in self._jobs.values()
                         if j.kind == "turn" and j.session_id == session_id and j.status == "running"), None)
            if busy is not None:
                raise errors.UsageError(
                    f"turn {busy.id} is still running in session {session_id}",
                    hint=f"wait for it with edit_status(turn_id={busy.id!r}) before sending another message",
                )
            job = Job(id=f"turn_{int(time.time() * 1000)}_{secrets.token_hex(4)}", kind="turn",
                      session_id=session_id, key=key, result={"instruction": instruction})
            record.remember(self.ctx, job.id, session=session_id, key=key, status="running",
                            started=_now(), instruction=instruction[:500])
            self._jobs[job.id] = job
        threading.Thread(target=self._follow_turn, args=(job, instruction), name=f"nemo-{job.id}", daemon=True).start()
        return job, True

    def _turn_for(self, session_id: str, instruction: str, key: str | None) -> Job | None:
        from nemo_cli.flows.edit import record

        if key:
            mine = next((j for j in self._jobs.values() if j.kind == "turn" and j.key == key), None)
            if mine is not None:
                return mine
            stored = record.by_key(self.ctx, key)
            return self.stored_turn(stored) if stored else None
        # no key: the same words to a session whose turn with them is still running is a retry
        return next((j for j in self._jobs.values() if j.kind == "turn" and j.session_id == session_id
                     and j.status == "running" and j.result.get("instruction") == instruction), None)

    def _follow_turn(self, job: Job, instruction: str) -> None:
        from nemo_cli.flows.edit import edit, record

        try:
            outcome = edit(self.ctx, job.session_id or "", instruction, _TurnWatch(job))
            job.result = turn_view(outcome)
            job.status = outcome.status
        except errors.NemoError as exc:
            job.status, job.error = "failed", error_fields(exc)
        except BaseException as exc:  # a bug: said in the log, never as a traceback to the client
            log.exception("turn %s crashed", job.id)
            job.status, job.error = "failed", error_fields(errors.NemoError(f"internal error ({type(exc).__name__})"))
        finally:
            job.done.set()
        try:
            record.remember(self.ctx, job.id, status=job.status, ended=_now(),
                            reply=job.result.get("reply", "")[:2000] or None,
                            changes=job.result.get("changes") or None, error=job.error)
        except errors.NemoError as exc:
            log.warning("could not record how turn %s ended: %s", job.id, exc.message)

    def stored_turn(self, turn_id: str) -> Job | None:
        """A turn this server did not follow, from the store: how it ended, or, if it never ended, failed as
        interrupted (the server that followed it stopped); None when the store knows no such turn."""
        from nemo_cli.flows.edit import record

        entry = record.recall(self.ctx, turn_id)
        if not entry:
            return None
        job = Job(id=turn_id, kind="turn", session_id=entry.get("session"), key=entry.get("key"))
        job.result = {"reply": entry.get("reply", ""), "changes": entry.get("changes", [])}
        status = entry.get("status")
        if status in ("done", "awaiting_input", "failed"):
            job.status = status
            job.error = entry.get("error") if status == "failed" else None
        else:
            job.status = "failed"
            job.error = error_fields(errors.Interrupted(
                "the server that followed this turn stopped before it ended; the message went out once and is not sent again",
                hint="call `state` to see what it changed",
            ))
        job.done.set()
        return job

    # -- renders ----------------------------------------------------------------------------------
    def start_render(self, session_id: str, destination: "Destination | None", key: str | None) -> tuple[Job, bool]:
        """Submit (recorded in the store before this returns) and follow in a thread; a key already used
        gives that render back instead."""
        from nemo_cli.flows import render

        with self._lock:
            if key:
                mine = next((j for j in self._jobs.values() if j.kind == "render" and j.key == key), None)
                if mine is not None:
                    return mine, False
                stored = next((rid for rid, rec in self.ctx.profile().renders.items() if rec.get("mcp_key") == key), None)
                if stored is not None:
                    return self.render_job(stored, destination), False
            started = render.submit(self.ctx, session_id, render.Options(), destination=destination)
            if key:
                render.record(self.ctx, started.id, mcp_key=key)
            job = Job(id=started.id, kind="render", session_id=session_id, key=key, total=100.0)
            self._jobs[job.id] = job
        self._thread(job, lambda: render.follow(self.ctx, job.id, destination, _RenderWatch(job), submitted=started.submitted))
        return job, True

    def render_job(self, render_id: str, destination: "Destination | None") -> Job:
        """The job of a render: this server's, or (one started elsewhere or before a restart) a look now and,
        when it has completed and a destination is given, its download in a thread."""
        from nemo_cli.flows import render

        job = self.get(render_id)
        undelivered = job is not None and job.done.is_set() and job.status == "done" and not job.result.get("path")
        if job is not None and not (destination is not None and undelivered):
            return job  # (a finished render not downloaded yet is looked at again, to download it now)
        state = render.look(self.ctx, render_id)
        job = Job(id=render_id, kind="render", total=100.0)
        job.result = {"state": state.status, "url": state.url}
        job.advance(0.9 * (state.progress or 0), state.status)
        ended = render.outcome(state)
        if ended is None:
            job.done.set()  # one look: nobody follows it here (export_status looks again)
            return job
        if ended != "completed":
            try:
                render.check(state)
            except errors.NemoError as exc:
                job.status, job.error = "failed", error_fields(exc)
            job.done.set()
            return job
        if destination is None:
            job.status = "done"
            job.progress = 100.0
            job.done.set()
            return job
        self._add(job)
        self._thread(job, lambda: render.deliver(self.ctx, state, destination, _RenderWatch(job)))
        return job

    def _thread(self, job: Job, work: Callable[[], "Delivered"]) -> None:
        def run() -> None:
            try:
                done = work()
                job.result = delivered_view(done)
                job.status = "done"
                job.advance(100.0, "done")
            except errors.NemoError as exc:
                job.status, job.error = "failed", error_fields(exc)
            except BaseException as exc:
                log.exception("render %s crashed", job.id)
                job.status, job.error = "failed", error_fields(errors.NemoError(f"internal error ({type(exc).__name__})"))
            finally:
                job.done.set()

        threading.Thread(target=run, name=f"nemo-{job.id}", daemon=True).start()


# -- what the threads tell the job -----------------------------------------------------------------


class _TurnWatch(EditObserver):
    """An edit's progress as a count of what arrived (its total is unknown), with a word of what it is."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def _step(self, message: str) -> None:
        self.job.advance(self.job.progress + 1, message)

    def opened(self) -> None:
        self._step("the service is working on the message")

    def text(self, chunk: str, event: Any) -> None:
        if chunk.strip():
            self._step("replying")

    def stream_event(self, event: Any) -> None:
        if event.get("type") == "tool_call":
            self._step(f"working: {event.get('name') or 'a tool'}")

    def dropped(self, reason: str, first_look: float) -> None:
        self._step("the connection dropped; watching the session's state (not sending again)")

    def question(self, question: Any, seconds: float) -> None:
        self._step("the service asks a question")


class _RenderWatch(Observer):
    """Render percent as 0-90, the download as 90-100: one scale that only grows."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def progress(self, done: float, total: float | None = None, label: str = "") -> None:
        if label == "rendering":
            self.job.advance(0.9 * float(done or 0), "rendering")
        elif label == "downloading" and total:
            self.job.advance(90 + 10 * float(done) / float(total), "downloading")

    def event(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "render":
            self.job.result["state"] = data.get("status")


# -- results as data ------------------------------------------------------------------------------


def turn_view(outcome: "EditOutcome") -> dict[str, Any]:
    from nemo_cli import draft as timeline

    question = _question(outcome.question) if outcome.question else None
    return {
        "reply": outcome.reply,
        "reply_kind": outcome.reply_kind,
        "changes": list(outcome.changes),
        "changed": outcome.changed,
        "question": question if outcome.status == "awaiting_input" else None,
        "questions": [_question(q) for q in outcome.questions] if outcome.status == "awaiting_input" else [],
        "answered": [{"question": _question(a["question"]) if a.get("question") else None, "answer": a.get("answer")}
                     for a in outcome.answered],
        "summary": timeline.summary_lines(outcome.after) if outcome.after is not None else [],
        "hints": [h.public() for h in outcome.hints],
        "seconds": outcome.seconds,
    }


def _question(q: dict[str, Any]) -> dict[str, Any]:
    return {"prompt": q.get("prompt", ""), "options": [{"id": str(o.get("id")), "label": o.get("label")} for o in q.get("options") or []],
            "allow_multiple": bool(q.get("allow_multiple"))}


def delivered_view(done: "Delivered") -> dict[str, Any]:
    return {"state": done.state.status, "url": done.state.url, "path": done.path, "bytes": done.bytes,
            "sha256": done.sha256, "video": done.video, "seconds": done.seconds}


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
