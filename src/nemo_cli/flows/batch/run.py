"""Running a batch: each job's steps as flow calls in this process, jobs side by side in threads.

A job is new session → upload FILES → edit "…" (or the recipe) → export to OUT (nemo_cli.flows.batch.steps),
each step one flow call given the job's own session id and the job's own Context, so jobs share nothing
but the store (whose file lock serialises their writes, across threads as across processes) and a job
that fails stops only itself. The results file is brought up to date after every step (see
nemo_cli.flows.batch.results).

Ctrl-C reaches the main thread alone (Python delivers signals there), which then stops starting steps and
sets the stop event. A running step learns of it at the next thing its flow reports (a poll of the
render, a chunk sent, an event of the stream): the job's observer raises KeyboardInterrupt there, once,
in the step's own thread, so each step stops the way its command does on Ctrl-C (an edit "stopped
listening", a render "goes on", a download keeps what arrived).
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from nemo_cli.errors import NemoError
from nemo_cli.flows.batch import steps
from nemo_cli.flows.observe import Observer

if TYPE_CHECKING:
    from nemo_cli.context import Context
    from nemo_cli.flows.batch.plan import Job
    from nemo_cli.flows.batch.results import Results
    from nemo_cli.flows.edit import EditOutcome

FINAL = ("done", "skipped", "question", "failed", "interrupted", "not started")
INTERRUPTED = 130  # errors.Interrupted, and what the CLI exits with on Ctrl-C

T = TypeVar("T")


@dataclass
class JobRun:
    """A job as this run sees it; `state` goes waiting → session → upload → edit → export → a FINAL one."""

    job: "Job"
    state: str = "waiting"
    session: str | None = None
    resumed: bool = False  # picked up at its export, in the session of an earlier run
    failed_step: str | None = None
    exit_code: int | None = None
    error: str | None = None
    hint: str | None = None
    render: str | None = None
    bytes: int | None = None
    warnings: list[str] = field(default_factory=list)
    question: dict[str, Any] | None = None  # state "question": what the service asked (prompt, options)
    started: float | None = None
    finished: float | None = None
    earlier: dict[str, Any] = field(default_factory=dict)  # the results record of an earlier run

    @property
    def seconds(self) -> float | None:
        if self.started is None:
            return self.earlier.get("seconds") if self.state == "skipped" else None
        return round((self.finished or time.monotonic()) - self.started, 1)

    def document(self) -> dict[str, Any]:
        return {
            "index": self.job.index,
            "name": self.job.name,
            "files": [str(f) for f in self.job.files],
            "output": str(self.job.output),
            "status": self.state,
            "session_id": self.session,
            "resumed": self.resumed,
            "render_id": self.render,
            "session": self.session,  # the names of earlier releases, kept for one
            "render": self.render,
            "bytes": self.bytes,
            "failed_step": self.failed_step,
            "exit_code": self.exit_code,
            "error": self.error,
            "hint": self.hint,
            "warnings": self.warnings,
            "question": self.question,
            "seconds": self.seconds,
        }


class StepFailed(Exception):
    def __init__(self, step: str, code: int, error: str, hint: str | None = None, *, asked: bool = False,
                 question: dict[str, Any] | None = None) -> None:
        super().__init__(error)
        self.step, self.code, self.error, self.hint = step, code, error, hint
        self.asked, self.question = asked, question  # the step ended at a question the service asked


STOP_CHECK = 0.5  # seconds: how often a waiting flow that offers to wake (tick_interval) looks at the stop


def watching(base: type[Observer], run: JobRun, stopping: threading.Event) -> Observer:
    """An observer of `base`'s kind (a flow's own subclass, with its richer reports) for one step of a job:
    warnings are kept for the job's record, and once the batch is stopping, the first report the flow makes
    in the step's own thread raises KeyboardInterrupt there: a Ctrl-C of the step's own."""
    thread = threading.get_ident()
    interrupted: list[bool] = []

    def check() -> None:
        # only in the step's thread (a helper thread of the flow would die of it, unseen), and only once, as
        # one Ctrl-C: what the flow does on it (its message, a record kept) must not be cut short again
        if stopping.is_set() and not interrupted and threading.get_ident() == thread:
            interrupted.append(True)
            raise KeyboardInterrupt

    def report(name: str) -> Callable[..., Any]:
        def reported(self: Observer, *args: Any, **kwargs: Any) -> None:
            check()

        reported.__name__ = name
        return reported

    def warn(self: Observer, text: str, hint: str | None = None, *args: Any, **kwargs: Any) -> None:
        run.warnings.append(" ".join(str(text).split()))  # one line, as `warning: …` is printed
        check()

    methods: dict[str, Any] = {
        name: report(name) for name in dir(base) if not name.startswith("_") and callable(getattr(base, name))
    }
    methods["warn"] = warn
    if hasattr(base, "tick_interval"):
        methods["tick_interval"] = STOP_CHECK  # a flow that waits in silence wakes this often to report
    return type(f"Batch{base.__name__}", (base,), methods)()


class Batch:
    def __init__(
        self,
        jobs: list["Job"],
        results: "Results",
        *,
        parallel: int,
        context: "Callable[[str | None], Context]",
        label: str,
        finish_edit: "Callable[[EditOutcome, Callable[[str], None]], None]",
        hint: Callable[[str], str] = lambda text: text,
    ) -> None:
        self.runs = [JobRun(job, earlier=results.get(job.fingerprint())) for job in jobs]
        self.results = results
        self.parallel = parallel
        # each job's own Context (settings, store, sessions, client), and for a recipe one more for its edit
        # step, which names the workflow (X-Skill-Source) as the recipe's command does; `context(skill_source)`
        # makes them here, in the caller's thread: what its invocation was given (a test's transport) is not
        # seen from a pool's thread
        self._contexts = {id(run): context(None) for run in self.runs}
        self._recipe_contexts = {id(run): context(run.job.workflow) for run in self.runs if run.job.recipe}
        self.label = label  # names the sessions: "batch <label> #<n>"
        # what the edit command does after a turn, given where its warnings go: a question left waiting
        # becomes its error (exit 13), a workflow's change the new state does not show a warning
        self._finish_edit = finish_edit
        self._hint = hint  # a hint as the CLI words it (a setting given by flag or environment is named so)
        self._stopping = threading.Event()
        self._changes: queue.Queue[JobRun] = queue.Queue()

    # -- driving -----------------------------------------------------------------------------------
    def run(self, show: Callable[[JobRun | None], None]) -> list[JobRun]:
        """Run every job (at most `parallel` at a time); `show(run)` is called in this thread on every
        change, and `show(None)` now and then so elapsed times can move. Ctrl-C stops the batch."""
        pool = ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="nemo-batch")
        futures = [pool.submit(self._job, run) for run in self.runs]
        interrupted = False
        try:
            while True:
                try:
                    show(self._changes.get(timeout=0.5))
                except queue.Empty:
                    if all(f.done() for f in futures) and self._changes.empty():
                        break
                    show(None)
                except KeyboardInterrupt:
                    interrupted = True
                    self.stop()
        finally:
            if not interrupted and not all(f.done() for f in futures):
                self.stop()  # an error in `show`: let every running step stop before returning
            pool.shutdown(wait=True)
        for f in futures:
            f.result()  # a bug in a worker surfaces here rather than as a silently missing job
        return self.runs

    def stop(self) -> None:
        """No new steps; each running step is interrupted at its flow's next report (once)."""
        self._stopping.set()

    @property
    def stopped(self) -> bool:
        return self._stopping.is_set()

    # -- one job ----------------------------------------------------------------------------------
    def _job(self, run: JobRun) -> None:
        try:
            self._run_job(run)
        finally:
            # a job's connections go with it (a process per step closed them on exit; a long plan must not
            # hold one pool per job to its end)
            for ctx in (self._contexts.pop(id(run), None), self._recipe_contexts.pop(id(run), None)):
                client = vars(ctx).get("client") if ctx is not None else None  # built only if the job sent something
                if client is not None:
                    client.http.close()

    def _run_job(self, run: JobRun) -> None:
        job, earlier = run.job, run.earlier
        if done_earlier(job, earlier):
            run.state = "skipped"
            run.session, run.render, run.bytes = earlier.get("session"), earlier.get("render"), earlier.get("bytes")
            self._changed(run)
            return
        if self._stopping.is_set():
            run.state = "not started"
            self._changed(run)
            return
        fp = job.fingerprint()
        ctx, recipe_ctx = self._contexts[id(run)], self._recipe_contexts.get(id(run))
        run.started = time.monotonic()
        resume = earlier.get("session") if earlier.get("edited") else None
        self.results.update(
            fp, index=job.index, name=job.name, output=str(job.output), status="running", started=_now(),
            failed_step=None, exit_code=None, error=None, hint=None, bytes=None, render=None,
            **({} if resume else {"session": None, "edited": False}),
        )
        try:
            if resume:
                run.session, run.resumed = resume, True
                ctx.sessions.resolve(resume)  # the job's session is the one in effect for its Context
            else:
                self._fresh(run, fp, ctx, recipe_ctx or ctx)
            self._export(run, fp, ctx)
        except StepFailed as exc:
            run.finished = time.monotonic()
            run.state = "interrupted" if exc.code == INTERRUPTED else "question" if exc.asked else "failed"
            run.failed_step, run.exit_code, run.error, run.hint = exc.step, exc.code, exc.error, exc.hint
            run.question = exc.question
            forget_session = run.resumed and exc.step == "export" and exc.code == 4  # the session is gone
            self.results.update(
                fp, status=run.state, failed_step=exc.step, exit_code=exc.code, error=exc.error, hint=exc.hint,
                finished=_now(), seconds=run.seconds, warnings=run.warnings, question=run.question,
                **({"edited": False} if forget_session else {}),
            )
        self._changed(run)

    def _fresh(self, run: JobRun, fp: str, ctx: "Context", edit_ctx: "Context") -> None:
        """A new session, the upload and the edit."""
        job = run.job
        name = f"batch {self.label} #{job.index} {job.name}"
        sid = run.session = self._step(run, "session", lambda observe: steps.new_session(ctx, name))
        for each in {id(ctx): ctx, id(edit_ctx): edit_ctx}.values():
            each.sessions.resolve(sid)  # the job's session is the one in effect for its Contexts
        self.results.update(fp, session=sid, edited=False)
        self._step(run, "upload", lambda observe: steps.upload(ctx, sid, job.files, observe))

        def finish(outcome: "EditOutcome") -> None:
            self._finish_edit(outcome, lambda text: run.warnings.append(" ".join(text.split())))

        self._step(run, "edit", lambda observe: steps.edit(edit_ctx, sid, job, observe, finish))
        self.results.update(fp, edited=True, warnings=run.warnings)

    def _export(self, run: JobRun, fp: str, ctx: "Context") -> None:
        job, sid = run.job, run.session or ""
        force = job.output.exists()  # checked before the batch started: the plan's own earlier output
        made = self._step(run, "export", lambda observe: steps.export(ctx, sid, job.output, force, observe))
        run.render, run.bytes = made.render_id, made.bytes
        if run.bytes is None and job.output.is_file():
            run.bytes = job.output.stat().st_size
        run.finished = time.monotonic()
        run.state = "done"
        self.results.update(
            fp, status="done", render=run.render, bytes=run.bytes, sha256=made.sha256,
            finished=_now(), seconds=run.seconds, warnings=run.warnings,
        )

    def _step(self, run: JobRun, step: str, call: "Callable[[steps.Observe], T]") -> T:
        """One step: its flow's result, or StepFailed with what the command would have said (its error's
        message, hint and exit code; a question the service asked; an interruption). `call` gets what makes
        the observer its flow reports to, of the flow's own kind."""
        if self._stopping.is_set():
            raise StepFailed(step, INTERRUPTED, f"stopped before the {step} step")
        run.state = step
        self._changed(run)
        try:
            return call(lambda base=Observer: watching(base, run, self._stopping))
        except steps.Asked as asked:
            exc = asked.error
            raise StepFailed(step, exc.exit_code, exc.message, self._shown(exc.hint), asked=True,
                             question=asked.question) from None
        except NemoError as exc:
            raise StepFailed(step, exc.exit_code, exc.message, self._shown(exc.hint)) from None
        except KeyboardInterrupt:  # a flow that does not word its own: what the CLI says on Ctrl-C
            raise StepFailed(step, INTERRUPTED, "interrupted") from None
        except Exception as exc:  # what the CLI says of a bug; the other jobs go on
            raise StepFailed(step, 1, f"internal error ({type(exc).__name__}: {exc})",
                             "rerun with --debug for the details, and please report it") from None

    def _shown(self, hint: str | None) -> str | None:
        return self._hint(hint) if hint else hint

    def _changed(self, run: JobRun) -> None:
        self._changes.put(run)


def done_earlier(job: "Job", record: dict[str, Any]) -> bool:
    """An earlier run finished the job and its output is still there: nothing to do."""
    return record.get("status") == "done" and record.get("bytes") is not None and job.output.is_file()


def _now() -> str:
    from nemo_cli.credentials import now_iso

    return now_iso()
