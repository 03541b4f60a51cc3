"""Running a batch: each job's steps as subprocesses of the real `nemo`, jobs side by side.

A job is `session new` → `upload FILES` → `edit "…"` (or the recipe's command) → `export --wait -o OUT`,
each step a `python -m nemo_cli` process with NEMO_SESSION pinned to the job's own session, so jobs
share nothing but the store (whose lock serialises their writes) and a job that fails stops only
itself. The results file is brought up to date after every step (see nemo_cli.batch_results).

Children run in their own process group: Ctrl-C reaches the batch alone, which then stops starting
steps and passes one SIGINT to each running child, so each stops the way its command does on Ctrl-C.
"""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from nemo_cli.batch_plan import Job
    from nemo_cli.batch_results import Results

FINAL = ("done", "skipped", "question", "failed", "interrupted", "not started")
QUESTION_EXIT = 13  # errors.Question: the edit stopped at the service's question


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
    def __init__(self, step: str, code: int, error: str, hint: str | None = None, out: str = "") -> None:
        super().__init__(error)
        self.step, self.code, self.error, self.hint, self.out = step, code, error, hint, out


class Batch:
    def __init__(
        self,
        jobs: list["Job"],
        results: "Results",
        *,
        parallel: int,
        nemo: list[str],
        env: dict[str, str],
        label: str,
    ) -> None:
        self.runs = [JobRun(job, earlier=results.get(job.fingerprint())) for job in jobs]
        self.results = results
        self.parallel = parallel
        self.nemo = nemo  # the command that runs `nemo`, with the global options
        self.env = env
        self.label = label  # names the sessions: "batch <label> #<n>"
        self._stopping = threading.Event()
        self._children: set[subprocess.Popen[str]] = set()
        self._lock = threading.Lock()
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
                self.stop()  # an error in `show`: never leave children behind
            pool.shutdown(wait=True)
        for f in futures:
            f.result()  # a bug in a worker surfaces here rather than as a silently missing job
        return self.runs

    def stop(self) -> None:
        """No new steps; a SIGINT to each running child (once: each stops as its command does on Ctrl-C)."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        with self._lock:
            children = list(self._children)
        for child in children:
            try:
                child.send_signal(signal.SIGINT)
            except OSError:
                pass

    @property
    def stopped(self) -> bool:
        return self._stopping.is_set()

    # -- one job ----------------------------------------------------------------------------------
    def _job(self, run: JobRun) -> None:
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
            else:
                self._fresh(run, fp)
            self._export(run, fp)
        except StepFailed as exc:
            run.finished = time.monotonic()
            asked = exc.step == "edit" and exc.code == QUESTION_EXIT
            run.state = "interrupted" if exc.code == 130 else "question" if asked else "failed"
            run.failed_step, run.exit_code, run.error, run.hint = exc.step, exc.code, exc.error, exc.hint
            run.question = _question(exc.out) if asked else None
            forget_session = run.resumed and exc.step == "export" and exc.code == 4  # the session is gone
            self.results.update(
                fp, status=run.state, failed_step=exc.step, exit_code=exc.code, error=exc.error, hint=exc.hint,
                finished=_now(), seconds=run.seconds, warnings=run.warnings, question=run.question,
                **({"edited": False} if forget_session else {}),
            )
        self._changed(run)

    def _fresh(self, run: JobRun, fp: str) -> None:
        """A new session, the upload and the edit."""
        job = run.job
        out = self._step(run, "session", ["session", "new", "-q", "--name", f"batch {self.label} #{job.index} {job.name}"])
        run.session = out.strip().splitlines()[-1] if out.strip() else None
        if not run.session:
            raise StepFailed("session", 1, "`nemo session new` printed no session id")
        self.results.update(fp, session=run.session, edited=False)
        self._step(run, "upload", ["upload", "--", *(str(f) for f in job.files)])
        argv = job.edit_argv()
        self._step(run, "edit", [argv[0], "--json", *argv[1:]])  # NDJSON: a question comes out whole
        self.results.update(fp, edited=True, warnings=run.warnings)

    def _export(self, run: JobRun, fp: str) -> None:
        import json

        argv = ["export", "--wait", "-o", str(run.job.output), "--json"]
        if run.job.output.exists():
            argv.append("--force")  # checked before the batch started: the plan's own earlier output
        out = self._step(run, "export", argv)
        try:
            doc = json.loads(out)
        except ValueError:
            doc = {}
        run.render, run.bytes = doc.get("render_id"), doc.get("bytes")
        if run.bytes is None and run.job.output.is_file():
            run.bytes = run.job.output.stat().st_size
        run.finished = time.monotonic()
        run.state = "done"
        self.results.update(
            fp, status="done", render=run.render, bytes=run.bytes, sha256=doc.get("sha256"),
            finished=_now(), seconds=run.seconds, warnings=run.warnings,
        )

    def _step(self, run: JobRun, step: str, argv: list[str]) -> str:
        """One `nemo` process; its stdout on success, StepFailed (with its error line) otherwise."""
        if self._stopping.is_set():
            raise StepFailed(step, 130, f"stopped before the {step} step")
        run.state = step
        self._changed(run)
        env = dict(self.env)
        env.pop("NEMO_SESSION", None)
        if run.session and step != "session":
            env["NEMO_SESSION"] = run.session
        try:
            child = subprocess.Popen(
                [*self.nemo, *argv],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            raise StepFailed(step, 1, f"cannot start nemo: {exc.strerror or exc}") from None
        with self._lock:
            self._children.add(child)
        if self._stopping.is_set():  # stop() may have run between the check above and now
            child.send_signal(signal.SIGINT)
        try:
            out, err = child.communicate()
        finally:
            with self._lock:
                self._children.discard(child)
        run.warnings += [line[len("warning: ") :] for line in err.splitlines() if line.startswith("warning: ")]
        if child.returncode != 0:
            code = 130 if child.returncode < 0 else child.returncode  # killed by a signal: interrupted
            error, hint = _last_error(err)
            raise StepFailed(step, code, error or f"`nemo {argv[0]}` exited with {child.returncode}", hint, out)
        return out

    def _changed(self, run: JobRun) -> None:
        self._changes.put(run)


def done_earlier(job: "Job", record: dict[str, Any]) -> bool:
    """An earlier run finished the job and its output is still there: nothing to do."""
    return record.get("status") == "done" and record.get("bytes") is not None and job.output.is_file()


def nemo_command(global_args: list[str]) -> list[str]:
    """The real entry point, run by the same interpreter as this one."""
    return [sys.executable, "-m", "nemo_cli", *global_args]


def _question(ndjson: str) -> dict[str, Any] | None:
    """The first `question` event an edit step printed with --json: prompt and option labels."""
    import json

    for line in ndjson.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("type") == "question":
            options = [o.get("label") for o in event.get("options") or [] if isinstance(o, dict)]
            return {"prompt": event.get("prompt"), "options": options}
    return None


def _last_error(stderr: str) -> tuple[str | None, str | None]:
    error = hint = None
    for line in stderr.splitlines():
        if line.startswith("error: "):
            error, hint = line[len("error: ") :], None
        elif line.startswith("hint: ") and error is not None:
            hint = line[len("hint: ") :]
    return error, hint


def _now() -> str:
    from nemo_cli.credentials import now_iso

    return now_iso()

