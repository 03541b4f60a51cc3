"""`nemo batch plan.toml`: many files, each with its own instruction (or recipe), session and render."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from nemo_cli.commands import common
from nemo_cli.commands.json_options import Jq, JsonFields

if TYPE_CHECKING:
    from nemo_cli.context import Context
    from nemo_cli.flows.batch.plan import Job
    from nemo_cli.flows.batch.run import JobRun
    from nemo_cli.options import Globals

HEADERS = ["#", "job", "state", "time", "output"]


def batch(
    typer_ctx: typer.Context,
    plan: Annotated[Path, typer.Argument(metavar="PLAN", help="The plan: a TOML file of [[job]] tables.", show_default=False)],
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=16, metavar="N", help="Jobs run side by side.")] = 2,
    restart: Annotated[bool, typer.Option("--restart", help="Ignore the results of earlier runs: run every job again.")] = False,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Overwrite outputs that exist and were not written by this plan.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the plan and show what each job would do; send nothing.")] = False,
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Run a plan of jobs: each gets its own session, uploads its files, sends its instruction (or runs
    its recipe) and exports to its output; jobs run side by side (--jobs).

    \b
    [[job]]
    file = "raw/intro.mp4"                 # or files = ["a.mp4", "b.mp4"]
    instruction = "add a title 'Intro'"
    output = "out/intro.mp4"
    \b
    [[job]]
    file = "raw/talk.mov"
    recipe = "trim"                        # trim, grade, film or demo-clip
    args = { remove = ["0:45-1:20"] }      # the recipe's options
    output = "out/talk.mp4"
    answer = "first"                       # if the service asks a question (optional)

    Relative paths are relative to the plan. The whole plan is checked before anything is sent (files,
    instructions, recipe options, distinct outputs): a problem exits 6 naming the job. A live table shows
    the jobs on a terminal, a line per change elsewhere. A results file next to the plan (plan.toml →
    plan.results.json) records each job as it goes: a re-run skips the jobs already done and picks up
    the others (after a failure, a crash or Ctrl-C); --restart runs them all again. A failed job does not
    stop the others; the exit code is the first failed job's (0 if none failed). A job whose edit the
    service answered with a question is reported as "question", with the question, and is not done (exit
    13 if it is the first job that did not finish): make its instruction say what it asked, or give the
    job an `answer`. -q prints the outputs; --json a report.

    \b
    Examples:
      $ nemo batch plan.toml --dry-run
      $ nemo batch plan.toml
      $ nemo batch plan.toml --jobs 4 -q
    """
    import os

    from nemo_cli.flows.batch import plan as batch_plan
    from nemo_cli.flows.batch.results import Results

    ctx = common.use(json=json, quiet=quiet)
    plan_path = Path(os.path.abspath(plan.expanduser()))
    job_list = batch_plan.load(plan_path, str(plan))
    results_file = batch_plan.results_path(plan_path)
    earlier = _earlier(results_file, plan_path, restart)
    results = Results(results_file, plan_path) if restart else earlier
    _check_outputs(job_list, earlier.outputs(), force, str(plan))
    if dry_run:
        _preview(ctx, job_list, results)
        return
    for job in job_list:
        try:
            job.output.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from nemo_cli.errors import BadInput

            raise BadInput(f"{plan}: {job.label}: cannot create {job.output.parent}: {exc.strerror}") from None
    runs = _run(ctx, typer_ctx, plan_path, job_list, results, jobs)
    _report(ctx, str(plan), results_file, runs)


def _earlier(path: Path, plan: Path, restart: bool) -> Any:
    """The results of earlier runs; with --restart they only tell which outputs are the plan's own."""
    from nemo_cli.errors import BadInput
    from nemo_cli.flows.batch.results import Results

    try:
        return Results.load(path, plan)
    except BadInput:
        if restart:
            return Results(path, plan)
        raise


def _check_outputs(jobs: "list[Job]", ours: set[str], force: bool, shown: str) -> None:
    from nemo_cli.errors import BadInput

    for job in jobs:
        if job.output.exists() and str(job.output) not in ours and not force:
            raise BadInput(
                f"{shown}: {job.label}: output {job.output} exists and was not written by this plan",
                hint="choose another output, or pass --force to overwrite it",
            )


def _preview(ctx: "Context", jobs: "list[Job]", results: Any) -> None:
    from nemo_cli.flows.batch.run import done_earlier

    docs, lines = [], []
    for job in jobs:
        rec = results.get(job.fingerprint())
        if done_earlier(job, rec):
            plan = "skip (done earlier)"
        elif rec.get("edited"):
            plan = f"resume at export in session {rec.get('session')}"
        else:
            plan = "run"
        docs.append(
            {"index": job.index, "name": job.name, "files": [str(f) for f in job.files], "output": str(job.output),
             "recipe": job.recipe, "instruction": job.what, "plan": plan}
        )
        files = ", ".join(f.name for f in job.files)
        lines.append(f"{job.label}: {plan}: {files} → {job.output}\n    {job.what}")
    ctx.out.result({"jobs": docs, "sent": False}, lines, quiet=[d["output"] for d in docs])


def _run(ctx: "Context", typer_ctx: typer.Context, plan: Path, jobs: "list[Job]", results: Any, parallel: int) -> "list[JobRun]":
    from nemo_cli.flows.batch.run import Batch, done_earlier
    from nemo_cli.options import Globals
    from nemo_cli.settings import point_at_source

    given = Globals.from_params(typer_ctx.find_root().params)
    batch = Batch(
        jobs, results, parallel=parallel, label=plan.stem,
        context=lambda skill_source: _job_context(ctx, given, skill_source),
        finish_edit=_finish_edit,
        hint=lambda text: point_at_source(text, flags=given.as_dict()),
    )
    if not all(done_earlier(r.job, r.earlier) for r in batch.runs):
        _token(ctx)  # one token for every job, before they start (parallel first requests would each ask)
    with ctx.out.live_table(HEADERS) as table:
        said: dict[int, str] = {}

        def show(changed: "JobRun | None") -> None:
            if table.active:
                table.update([_row(r) for r in batch.runs])
            elif changed is not None and said.get(changed.job.index) != changed.state:
                said[changed.job.index] = changed.state
                ctx.out.note(f"{changed.job.label}: {_state(changed)}")

        return batch.run(show)


def _job_context(ctx: "Context", given: "Globals", skill_source: str | None) -> "Context":
    """A job's own Context: this command's profile, API URL and transport (a test's stub), a client and
    sessions of its own. Its requests are not shown with --debug: a step's output never was."""
    from nemo_cli.context import Context

    return Context(no_color=given.no_color, profile=ctx.profile_name, api_url=given.api_url, skill_source=skill_source,
                   transport=ctx.transport)


def _finish_edit(outcome: Any, warn: Any) -> None:
    """What `nemo edit` and the recipes do after a turn, with the warnings kept for the job's record."""
    from nemo_cli.commands import edit_view

    class Warnings:
        def warn(self, text: str) -> None:
            warn(text)

    edit_view.finish(Warnings(), outcome)  # type: ignore[arg-type]


def _token(ctx: "Context") -> None:
    ctx.credentials.ensure()


def _state(run: "JobRun") -> str:
    words = {
        "waiting": "waiting",
        "session": "starting a session",
        "upload": f"uploading {len(run.job.files)} file{'s' if len(run.job.files) > 1 else ''}",
        "edit": f"{run.job.recipe or 'editing'}",
        "export": "rendering" + (f" (resumed in session {run.session})" if run.resumed else ""),
        "done": "done",
        "skipped": "done earlier: skipped",
        "not started": "not started",
    }
    if run.state == "question":
        q = run.question or {}
        options = ", ".join(f"{n}. {label}" for n, label in enumerate(q.get("options") or [], 1))
        asked = f"“{q.get('prompt')}”" + (f" ({options})" if options else "") if q.get("prompt") else run.error
        return f"waiting for an answer at {run.failed_step} (exit {run.exit_code}): the service asks {asked}"
    if run.state in ("failed", "interrupted"):
        return f"{run.state} at {run.failed_step} (exit {run.exit_code}): {run.error}"
    return words.get(run.state, run.state)


def _row(run: "JobRun") -> list[str]:
    import os

    secs = run.seconds
    here = os.path.relpath(run.job.output)
    shown = here if not here.startswith("..") else str(run.job.output)
    return [str(run.job.index), run.job.name, _state(run), f"{secs:.0f}s" if secs is not None else "", shown]


def _report(ctx: "Context", plan: str, results_file: Path, runs: "list[JobRun]") -> None:
    from nemo_cli.errors import NemoError
    from nemo_cli.flows.batch.run import FINAL

    counts = {state: sum(1 for r in runs if r.state == state) for state in FINAL}
    doc = {"plan": str(results_file.with_name(Path(plan).name)), "results": str(results_file), "jobs": [r.document() for r in runs]}
    doc.update({state.replace(" ", "_"): n for state, n in counts.items()})
    lines = []
    for run in runs:
        if run.state in ("done", "skipped"):
            size = f", {run.bytes / 1e6:.1f} MB" if run.bytes else ""
            took = f", {run.seconds:.0f}s" if run.seconds is not None and run.state == "done" else ""
            lines.append(f"{run.job.label}: {_state(run)} → {run.job.output}{size}{took}")
        else:
            lines.append(f"{run.job.label}: {_state(run)}")
            if run.hint and run.state in ("failed", "question"):
                lines.append(f"    hint: {run.hint}")
        for warning in run.warnings:
            lines.append(f"    warning: {warning}")
    lines.append(f"{len(runs)} jobs: " + ", ".join(f"{n} {k}" for k, n in counts.items() if n))
    ctx.out.result(doc, lines, quiet=[str(r.job.output) for r in runs if r.state in ("done", "skipped")])
    failed = [r for r in runs if r.state in ("failed", "question")]
    stopped = [r for r in runs if r.state in ("interrupted", "not started")]
    if failed or stopped:
        import shlex

        again = f"nemo batch {shlex.quote(plan)}"
        names = ", ".join(r.job.label for r in failed + stopped)
        if failed:
            asked = [r for r in failed if r.state == "question"]
            what = (f"{len(failed)} of {len(runs)} jobs did not finish" if asked else f"{len(failed)} of {len(runs)} jobs failed")
            err = NemoError(what + ": " + ", ".join(r.job.label + (" (a question)" if r.state == "question" else "") for r in failed),
                            hint=f"fix the cause (for a question: a clearer instruction, or `answer = \"…\"` in the job) "
                                 f"and run `{again}` again: the jobs already done are skipped")
            err.exit_code = failed[0].exit_code or 1
        else:
            err = NemoError(f"interrupted: {names} not finished", hint=f"`{again}` picks up where this run stopped")
            err.exit_code = 130
        raise err


def register(app: typer.Typer) -> None:
    app.command("batch")(batch)
