"""`nemo batch` end to end against the emulator: three jobs side by side with one injected failure, a
re-run that skips the finished jobs, and Ctrl-C followed by a re-run that resumes at the export."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

SESSIONS = "/api/tasks/me/with-session/nemo_agent"
RENDERS = "/api/render/proxy/lambda"

PLAN = """
[[job]]
file = "clips/a.mp4"
instruction = "add a title 'Alpha'"
output = "out/a.mp4"

[[job]]
name = "trimmed"
file = "clips/b.mp4"
recipe = "trim"
output = "out/b.mp4"
[job.args]
remove = ["0:01-0:02"]

[[job]]
files = ["clips/c.mp4"]
instruction = "add lo-fi background music at 35%"
output = "out/c.mp4"
"""


def batch(emulator, plan, *args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "nemo_cli", "batch", str(plan), *args],
        capture_output=True, text=True, cwd=cwd, env=emulator.env(), timeout=180,
    )


def posts(emulator, path, since=0):
    return [r for r in emulator.requests[since:] if r.method == "POST" and r.path.startswith(path)]


def draft_ms(draft):
    return sum(seg["d"] for track in draft["t"] if track["tt"] == 0 for seg in track["sg"])


def test_three_jobs_one_failure_then_a_rerun_skips_the_finished_ones(emulator, tmp_path):
    for name in "abc":
        emulator.media(tmp_path / "clips" / f"{name}.mp4", seconds=6)
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN)
    emulator.inject("credits", path="^/run_sse", times=1)  # whichever job's edit comes first fails

    first = batch(emulator, plan, "--json", "--jobs", "3", cwd=tmp_path)
    assert first.returncode == 5, first.stderr  # the failed job's exit code: out of credits
    report = json.loads(first.stdout)
    by_status = {job["status"]: job for job in report["jobs"]}
    assert sorted(job["status"] for job in report["jobs"]) == ["done", "done", "failed"]
    assert (report["done"], report["failed"], report["skipped"]) == (2, 1, 0)
    failed = by_status["failed"]
    assert (failed["failed_step"], failed["exit_code"]) == ("edit", 5)
    assert "out of credits" in failed["error"]
    assert not (tmp_path / "out" / f"{failed['output'].rsplit('/', 1)[1]}").exists()
    lines = first.stderr.splitlines()
    assert lines[-2].startswith("error: 1 of 3 jobs failed: job ") and "hint: " in lines[-1]
    for job in report["jobs"]:  # a line per state change (stderr is not a terminal)
        assert f"{'job %d' % job['index']} ({job['name']}): starting a session" in first.stderr
        if job["status"] == "done":
            assert (tmp_path / "out").joinpath(job["output"].rsplit("/", 1)[1]).stat().st_size == job["bytes"] > 1000
    # each job had its own session: three sessions, each upload, message and render in one of them
    sessions = {job["session_id"] for job in report["jobs"]}
    assert all(job["session"] == job["session_id"] and job["render"] == job["render_id"] for job in report["jobs"])  # aliases
    assert len(sessions) == 3 == len(posts(emulator, SESSIONS))
    assert {r.path.rsplit("/", 1)[1] for r in posts(emulator, "/api/upload-video/")} == sessions
    assert {r.json["sessionId"] for r in posts(emulator, RENDERS)} == {j["session_id"] for j in report["jobs"] if j["status"] == "done"}
    results = json.loads((tmp_path / "plan.results.json").read_text())
    assert sorted(r["status"] for r in results["jobs"].values()) == ["done", "done", "failed"]
    # the jobs' sessions do not replace the active one (there was none)
    assert emulator.nemo("session", "show").returncode == 4

    mark = len(emulator.requests)
    again = batch(emulator, plan, "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    report2 = json.loads(again.stdout)
    statuses = {job["index"]: job["status"] for job in report2["jobs"]}
    assert statuses[failed["index"]] == "done"
    assert sorted(statuses.values()) == ["done", "skipped", "skipped"]
    # nothing new for the finished jobs: one new session, one upload, one message, one render, all the retried job's
    (new_session,) = {job["session_id"] for job in report2["jobs"] if job["status"] == "done"}
    assert new_session not in sessions
    assert len(posts(emulator, SESSIONS, mark)) == 1
    assert [r.path.rsplit("/", 1)[1] for r in posts(emulator, "/api/upload-video/", mark)] == [new_session]
    assert len(posts(emulator, "/run_sse", mark)) == 1
    assert [r.json["sessionId"] for r in posts(emulator, RENDERS, mark)] == [new_session]
    # the trim really happened: its render was of a 5-second timeline (6 s less the second removed)
    trim_render = [r for r in posts(emulator, RENDERS) if r.json["sessionId"] == next(j["session_id"] for j in report2["jobs"] if j["name"] == "trimmed")]
    assert [draft_ms(r.json["draft"]) for r in trim_render] == [5000]
    # the recipe ran as its own command: its workflow named in X-Skill-Source
    texts = {r.json["new_message"]["parts"][0]["text"]: r.headers["x-skill-source"] for r in posts(emulator, "/run_sse")}
    assert texts["Remove the section between 0:01 and 0:02 and join the remaining parts smoothly."] == "video-trimmer-in-between"
    assert texts["add a title 'Alpha'"] == "nemo-cli"
    for name in "abc":
        assert (tmp_path / "out" / f"{name}.mp4").stat().st_size > 1000

    # a third run has nothing to do; --restart would run everything again (not exercised: it costs credits)
    mark = len(emulator.requests)
    third = batch(emulator, plan, "-q", cwd=tmp_path)
    assert third.returncode == 0, third.stderr
    assert third.stdout.splitlines() == [str(tmp_path / "out" / f"{n}.mp4") for n in "abc"]
    assert posts(emulator, "/", mark) == []


def ctrl_c_once(emulator, plan, cwd, *seen) -> tuple[subprocess.Popen, str, str]:
    """`nemo batch PLAN`, one SIGINT once each of `seen` has held in turn (events in the emulator's log, never
    a guessed delay), and what it printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "nemo_cli", "batch", str(plan)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd, env=emulator.env(),
    )
    try:
        deadline = time.monotonic() + 60
        for event in seen:
            while not event() and time.monotonic() < deadline:
                time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc, out, err


def test_ctrl_c_then_a_rerun_resumes_at_the_export(emulator, tmp_path):
    emulator.media(tmp_path / "a.mp4", seconds=4)
    plan = tmp_path / "one.toml"
    plan.write_text('[[job]]\nfile = "a.mp4"\ninstruction = "add a title \'One\'"\noutput = "one.mp4"\n')
    emulator.inject("slow", path=r"^/api/render/proxy/lambda/render_", method="GET", delay=6, times=1)
    results = tmp_path / "one.results.json"
    proc, out, err = ctrl_c_once(emulator, plan, tmp_path, lambda: posts(emulator, RENDERS),  # the render has started…
                                 lambda: any(r.method == "GET" and r.path.startswith(RENDERS + "/")
                                             for r in emulator.requests))  # …and its first status look is held
    assert proc.returncode == 130, err
    assert "job 1 (a.mp4): interrupted at export (exit 130)" in out
    assert "error: interrupted: job 1 (a.mp4) not finished" in err
    (record,) = json.loads(results.read_text())["jobs"].values()
    assert (record["status"], record["failed_step"], record["edited"]) == ("interrupted", "export", True)
    sid = record["session"]

    mark = len(emulator.requests)
    again = batch(emulator, plan, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert f"resumed in session {sid}" in again.stderr
    assert posts(emulator, SESSIONS, mark) == [] and posts(emulator, "/run_sse", mark) == []  # the edit is not sent twice
    assert [r.json["sessionId"] for r in posts(emulator, RENDERS, mark)] == [sid]
    assert (tmp_path / "one.mp4").stat().st_size > 1000


def test_ctrl_c_during_the_edit_stops_it_as_nemo_edit_does_and_a_rerun_starts_the_job_over(emulator, tmp_path):
    emulator.media(tmp_path / "a.mp4", seconds=4)
    plan = tmp_path / "one.toml"
    plan.write_text('[[job]]\nfile = "a.mp4"\ninstruction = "add a title \'One\'"\noutput = "one.mp4"\n')
    emulator.inject("slow", path="^/run_sse", delay=8, times=1)  # the reply's first byte is held
    proc, out, err = ctrl_c_once(emulator, plan, tmp_path, lambda: posts(emulator, "/run_sse"))  # out, unanswered
    assert proc.returncode == 130, err
    # the edit step stops as `nemo edit` does on Ctrl-C: the message went out, so it is not sent again
    assert "job 1 (a.mp4): interrupted at edit (exit 130): stopped listening; the service keeps working on the message" in out
    (record,) = json.loads((tmp_path / "one.results.json").read_text())["jobs"].values()
    assert (record["status"], record["failed_step"], record["edited"]) == ("interrupted", "edit", False)
    first = record["session"]

    mark = len(emulator.requests)
    again = batch(emulator, plan, "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    (job,) = json.loads(again.stdout)["jobs"]
    # an edit that may or may not have gone through is never sent into its session again: a new session
    assert job["status"] == "done" and job["session_id"] != first and not job["resumed"]
    assert len(posts(emulator, SESSIONS, mark)) == 1 and len(posts(emulator, "/run_sse", mark)) == 1
    assert (tmp_path / "one.mp4").stat().st_size > 1000
