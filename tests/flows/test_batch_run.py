"""The batch runner in-process: steps are flow calls in the jobs' threads, Ctrl-C stops them through their
observers (once, in the step's own thread), outcomes come from typed errors, and the store's lock keeps
the threads' writes whole. The flows are stood in for here; test_batch_e2e runs the real ones."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import pytest

from nemo_cli import errors
from nemo_cli.flows.batch import plan, steps
from nemo_cli.flows.batch.results import Results
from nemo_cli.flows.batch.run import Batch, JobRun, watching
from nemo_cli.flows.observe import Observer
from nemo_cli.store import Store


@pytest.fixture
def jobs(tmp_path):
    for name in "abc":
        (tmp_path / f"{name}.mp4").write_bytes(b"\0" * 64)
    text = "".join(f'[[job]]\nfile = "{n}.mp4"\ninstruction = "edit {n}"\noutput = "out-{n}.mp4"\n' for n in "abc")
    (tmp_path / "plan.toml").write_text(text)
    return plan.load(tmp_path / "plan.toml")


def context(skill_source):
    return SimpleNamespace(sessions=SimpleNamespace(resolve=lambda sid: sid), skill_source=skill_source)


def no_finish(outcome, warn):
    raise AssertionError("no edit outcome in these tests")


def test_ctrl_c_stops_the_running_step_through_its_observer_and_starts_no_other(jobs, tmp_path, monkeypatch):
    in_upload, resume = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def upload(ctx, sid, files, observe):
        observer = observe(Observer)
        observer.progress(0, 10)  # not stopping yet: goes through
        observer.warn("the file is\nlarge")
        in_upload.set()
        assert resume.wait(30)
        try:
            observer.progress(5, 10)
        except KeyboardInterrupt:
            seen["thread"] = threading.current_thread().name
        else:
            raise AssertionError("the stop did not reach the step")

        def elsewhere():  # a helper thread of the flow is never interrupted: it would die unseen
            try:
                observer.progress(6, 10)
                seen["helper"] = "went on"
            except KeyboardInterrupt:
                seen["helper"] = "interrupted"

        helper = threading.Thread(target=elsewhere)
        helper.start()
        helper.join()
        observer.status("cleaning up")  # once only: the flow's own Ctrl-C handling is not cut short
        raise errors.Interrupted("stopped uploading", hint="see `nemo config get api_url`")

    monkeypatch.setattr(steps, "new_session", lambda ctx, name: f"s-{name.split('#')[1].split()[0]}")
    monkeypatch.setattr(steps, "upload", upload)
    monkeypatch.setattr(steps, "edit", lambda *a: pytest.fail("no edit after a stop"))
    monkeypatch.setattr(steps, "export", lambda *a: pytest.fail("no export after a stop"))
    results = Results(tmp_path / "plan.results.json", tmp_path / "plan.toml")
    batch = Batch(jobs, results, parallel=1, label="plan", context=context, finish_edit=no_finish,
                  hint=lambda text: text.replace("nemo config get api_url", "NEMO_API_URL"))
    pressed: list[bool] = []

    def show(changed: JobRun | None) -> None:
        if in_upload.is_set() and not pressed:
            pressed.append(True)
            raise KeyboardInterrupt  # Ctrl-C reaches the main thread, here
        if pressed and batch.stopped:
            resume.set()

    runs = batch.run(show)
    assert [r.state for r in runs] == ["interrupted", "not started", "not started"]
    first = runs[0]
    assert (first.failed_step, first.exit_code, first.error, first.hint) == ("upload", 130, "stopped uploading", "see `NEMO_API_URL`")
    assert (first.session, first.warnings) == ("s-1", ["the file is large"])
    assert seen == {"thread": seen["thread"], "helper": "went on"} and seen["thread"].startswith("nemo-batch")
    (record,) = json.loads((tmp_path / "plan.results.json").read_text())["jobs"].values()
    assert (record["status"], record["failed_step"], record["exit_code"], record["session"], record["edited"]) == (
        "interrupted", "upload", 130, "s-1", False)


def test_each_job_ends_as_its_steps_error_says_and_the_others_go_on(jobs, tmp_path, monkeypatch):
    made = {}

    def new_session(ctx, name):
        made[name] = ctx
        return name.split("#")[1].split()[0]

    def edit(ctx, sid, job, observe, finish):
        if sid == "1":
            raise steps.Asked(errors.Question("the service asks “Which?”", hint="answer it"), {"prompt": "Which?", "options": ["x", "y"]})
        if sid == "2":
            raise errors.OutOfCredits("out of credits")
        observe(Observer).warn("could not read the balance")

    def export(ctx, sid, output, force, observe):
        raise ValueError("boom")

    monkeypatch.setattr(steps, "new_session", new_session)
    monkeypatch.setattr(steps, "upload", lambda ctx, sid, files, observe: None)
    monkeypatch.setattr(steps, "edit", edit)
    monkeypatch.setattr(steps, "export", export)
    results = Results(tmp_path / "plan.results.json", tmp_path / "plan.toml")
    runs = Batch(jobs, results, parallel=3, label="plan", context=context, finish_edit=no_finish).run(lambda changed: None)
    assert [(r.state, r.failed_step, r.exit_code) for r in runs] == [("question", "edit", 13), ("failed", "edit", 5), ("failed", "export", 1)]
    assert runs[0].question == {"prompt": "Which?", "options": ["x", "y"]} and runs[0].hint == "answer it"
    assert runs[1].error == "out of credits"
    assert (runs[2].error, runs[2].hint) == ("internal error (ValueError: boom)", "rerun with --debug for the details, and please report it")
    assert runs[2].warnings == ["could not read the balance"]
    assert len({id(ctx) for ctx in made.values()}) == 3  # each job its own Context
    records = json.loads((tmp_path / "plan.results.json").read_text())["jobs"]
    assert sorted((r["status"], r["edited"]) for r in records.values()) == [("failed", False), ("failed", True), ("question", False)]


def test_a_recipe_jobs_edit_step_gets_a_context_naming_its_workflow(tmp_path, monkeypatch):
    (tmp_path / "a.mp4").write_bytes(b"\0" * 64)
    (tmp_path / "plan.toml").write_text('[[job]]\nfile = "a.mp4"\nrecipe = "trim"\nargs = { remove = ["0:01-0:02"] }\noutput = "o.mp4"\n')
    seen = {}
    monkeypatch.setattr(steps, "new_session", lambda ctx, name: seen.setdefault("session", ctx.skill_source) or "s")
    monkeypatch.setattr(steps, "upload", lambda ctx, sid, files, observe: seen.setdefault("upload", ctx.skill_source))
    monkeypatch.setattr(steps, "edit", lambda ctx, sid, job, observe, finish: seen.setdefault("edit", ctx.skill_source))

    def export(ctx, sid, output, force, observe):
        seen["export"] = ctx.skill_source
        raise errors.RenderFailed("render failed")

    monkeypatch.setattr(steps, "export", export)
    results = Results(tmp_path / "plan.results.json", tmp_path / "plan.toml")
    (run,) = Batch(plan.load(tmp_path / "plan.toml"), results, parallel=1, label="p", context=context,
                   finish_edit=no_finish).run(lambda changed: None)
    assert (run.state, run.exit_code) == ("failed", 11)
    assert seen == {"session": None, "upload": None, "edit": "video-trimmer-in-between", "export": None}


def test_an_observer_of_a_flows_own_kind_keeps_its_reports_and_asks_to_wake():
    from nemo_cli.flows.edit import EditObserver

    stop = threading.Event()
    run = JobRun(job=None)  # type: ignore[arg-type]
    observer = watching(EditObserver, run, stop)
    assert isinstance(observer, EditObserver) and observer.tick_interval
    observer.tick()
    stop.set()
    with pytest.raises(KeyboardInterrupt):
        observer.tick()  # a silent wait wakes to report, and learns of the stop
    observer.still_working(1.0, 1.0)  # once only


def test_the_store_lock_serialises_edits_across_threads(tmp_path):
    store = Store(tmp_path / "config.toml")
    inside, entered, tried = threading.Event(), threading.Event(), threading.Event()
    release = threading.Event()

    def holder():
        with store.edit() as prof:
            prof.set_setting("holder", True)
            inside.set()
            assert release.wait(30)

    def other():
        assert inside.wait(30)
        tried.set()
        with store.edit() as prof:
            entered.set()
            prof.set_setting("other", True)

    threads = [threading.Thread(target=holder), threading.Thread(target=other)]
    for t in threads:
        t.start()
    assert tried.wait(30)
    assert not entered.wait(0.5)  # a second thread's edit waits for the first one's to end
    release.set()
    for t in threads:
        t.join(30)
    assert entered.is_set()
    assert store.profile().settings == {"holder": True, "other": True}  # neither write lost the other

    def count(n: int) -> None:
        for _ in range(n):
            with store.edit() as prof:
                prof.set_setting("count", prof.settings.get("count", 0) + 1)

    workers = [threading.Thread(target=count, args=(15,)) for _ in range(6)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(60)
    assert store.profile().settings["count"] == 90  # read-modify-write under the lock: no update lost
