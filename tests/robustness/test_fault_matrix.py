"""The fault matrix: every command that talks to the service × every fault the emulator can inject.

Each cell runs the real `nemo` against the emulator with one fault aimed at the command's own request, and
asserts the outcome the contract asks for: either the command recovers (exit 0, the work done once), or
it stops with the documented exit code and one `error:` line, never a traceback.

A run of every row writes the whole table to `fault-matrix.md` in pytest's temporary directory (its path
is printed after the run's summary), so that a test run leaves the repository as it found it. To regenerate
the committed report, tests/_reports/fault-matrix.md (linked from the README's "Reliability"), ask for it:

    NEMO_WRITE_REPORTS=1 bash .ci/run tests/robustness/test_fault_matrix.py

Why each expectation holds:
- 429 is retried once after Retry-After, on any method (the service did not run the request);
- 1001 on an anonymous token is answered with a new token (same client id) and one retry;
- 5xx and dropped connections are retried on GETs only: a POST the service answered is never sent again,
  except a render submit, which the contract retries once with a new id;
- a dropped /run_sse (the service may have run the message) is never re-sent: the edit recovers by
  polling the state, and reports the change, or fails with the network exit code when none appears;
- a slow first byte within the read timeout is waited for; a malformed reply is a network error (9);
- a cut download resumes with Range and ends with the exact bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "tests" / "_reports" / "fault-matrix.md"  # the committed one, written only when asked for
# read at import: the autouse fixture in conftest.py clears every NEMO_* variable around each test
WRITE_REPORTS = os.environ.get("NEMO_WRITE_REPORTS", "") not in ("", "0")

# fault column → (emulator fault kind, parameters)
FAULTS: dict[str, tuple[str, dict]] = {
    "429": ("rate_limit", {"retry_after": 0}),
    "500": ("status", {"status": 500}),
    "502": ("status", {"status": 502}),
    "503": ("status", {"status": 503}),
    "1001": ("expire_token", {}),
    "drop": ("drop", {}),
    "slow": ("slow", {"delay": 0.4}),
    "malformed": ("malformed", {}),
    "sse drop": ("sse_drop", {"after": 1}),
    "cut": ("cut", {"after": 20000}),
}
OK = 0
NET = 9


@dataclass
class Row:
    name: str
    path: str  # regex of the request the fault is aimed at
    method: str | None
    expect: dict[str, int]  # fault column → exit code (faults not listed do not apply to this command)
    prepare: Callable  # (emulator, tmp_path, cell index) → the argument list of the command
    check: Callable | None = None  # (emulator, tmp_path, args, result) → extra assertions on a recovery


GET_EXPECT = {"429": OK, "500": OK, "502": OK, "503": OK, "1001": OK, "drop": OK, "slow": OK, "malformed": NET}
POST_EXPECT = {"429": OK, "500": NET, "502": NET, "503": NET, "1001": OK, "drop": NET, "slow": OK, "malformed": NET}


def _session(emu, tmp_path, with_clip=True):
    done = emu.nemo("session", "new", "-q")
    assert done.returncode == 0, done.stderr
    sid = done.stdout.strip()
    if with_clip:
        clip = emu.media(tmp_path / "clip.mp4")
        assert emu.nemo("upload", clip, "--session", sid).returncode == 0
    return sid


def _rendered(emu, tmp_path, i):
    sid = _session(emu, tmp_path)
    out = tmp_path / f"first-{i}.mp4"
    done = emu.nemo("export", "--wait", "-o", out, "--json", "--session", sid)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def prep_credits(emu, tmp_path, i):
    return ["credits", "--json"]


def prep_auth(emu, tmp_path, i):
    # a new client (one anonymous token per client id per week): no store at all
    (emu.config_dir / "config.toml").unlink(missing_ok=True)
    return ["auth", "--json"]


def prep_login(emu, tmp_path, i):
    # a user token made by the service (as the web app would hand one out), checked with a credits call
    token = emu.world.add_user()
    return ["auth", "login", "--with-token", "--json", ("stdin", token)]


def prep_session_new(emu, tmp_path, i):
    return ["session", "new", "-q", "--name", f"cell {i}"]


def prep_session_open(emu, tmp_path, i):
    return ["session", "open", "-q", "--session", _session(emu, tmp_path, with_clip=False)]


def prep_state(emu, tmp_path, i):
    return ["state", "--json", "--session", _session(emu, tmp_path)]


def prep_upload(emu, tmp_path, i):
    sid = _session(emu, tmp_path, with_clip=False)
    return ["upload", emu.media(tmp_path / f"up-{i}.mp4"), "--json", "--session", sid]


def prep_edit(emu, tmp_path, i):
    return ["edit", f"add title 'Cell {i}'", "--session", _session(emu, tmp_path)]


def prep_trim(emu, tmp_path, i):
    return ["trim", "--remove", "0:01-0:02", "--session", _session(emu, tmp_path)]


def prep_export(emu, tmp_path, i):
    return ["export", "--wait", "-o", tmp_path / f"out-{i}.mp4", "--json", "--session", _session(emu, tmp_path)]


def prep_export_status(emu, tmp_path, i):
    return ["export", "status", _rendered(emu, tmp_path, i)["id"], "--json"]


def prep_export_download(emu, tmp_path, i):
    return ["export", "download", _rendered(emu, tmp_path, i)["id"], "-o", tmp_path / f"again-{i}.mp4", "--json"]


def prep_export_cancel(emu, tmp_path, i):
    sid = _session(emu, tmp_path)
    emu.svc.options.render_seconds = 30  # still running when the cancel arrives
    done = emu.nemo("export", "-q", "--session", sid)
    assert done.returncode == 0, done.stderr
    return ["export", "cancel", done.stdout.strip()]


def prep_chat(emu, tmp_path, i):
    return ["chat", "credits", "--json"]


def prep_batch(emu, tmp_path, i):
    clip = emu.media(tmp_path / "clip.mp4")
    plan = tmp_path / "plan.toml"
    plan.write_text(f'[[job]]\nfile = "{clip.name}"\ninstruction = "add title \'Batch {i}\'"\noutput = "out.mp4"\n')
    return ["batch", plan, "--json"]


def check_batch(emu, tmp_path, args, result):
    assert (tmp_path / "out.mp4").is_file()
    check_edit(emu, tmp_path, ["--session", [s for s in emu.world.sessions][-1]], result)


def check_edit(emu, tmp_path, args, result):
    sid = args[args.index("--session") + 1]
    runs = [r for r in emu.requests if r.path == "/run_sse" and (r.json or {}).get("session_id") == sid]
    assert len(runs) <= 2, "a message was sent more than twice"
    started = [r for r in runs if r.status == 200]  # a refused request (429, 1001) did not run the message
    assert len(started) == 1, "the message reached the service more than once"


def check_download(emu, tmp_path, args, result):
    doc = json.loads(result.stdout)
    path = Path(doc["path"])
    assert path.is_file() and not Path(str(path) + ".part").exists()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == doc["sha256"]
    assert path.stat().st_size == doc["bytes"]


# the service runs a message whose stream was dropped: the edit finds its change by polling the state
EDIT_EXPECT = {**POST_EXPECT, "drop": OK, "sse drop": OK}
ROWS = [
    Row("auth (new token)", r"^/api/auth/anonymous-token$", "POST",
        {k: v for k, v in POST_EXPECT.items() if k != "1001"}, prep_auth),
    Row("auth login", r"^/api/credits/", "GET", {k: v for k, v in GET_EXPECT.items() if k != "1001"}, prep_login),
    Row("credits", r"^/api/credits/", "GET", GET_EXPECT, prep_credits),
    Row("session new", r"^/api/tasks/me/with-session/", "POST", POST_EXPECT, prep_session_new),
    Row("session open", r"^/api/auth/claim-token$", "POST", POST_EXPECT, prep_session_open),
    Row("state", r"^/api/state/", "GET", GET_EXPECT, prep_state),
    Row("upload", r"^/api/upload-video/", "POST", POST_EXPECT, prep_upload),
    Row("edit", r"^/run_sse$", "POST", EDIT_EXPECT, prep_edit, check_edit),
    Row("trim (recipe)", r"^/run_sse$", "POST", EDIT_EXPECT, prep_trim, check_edit),
    Row("chat \"credits\"", r"^/api/credits/", "GET", GET_EXPECT, prep_chat),
    # a batch job's edit step: its outcome is the job's, and the batch exits with the first failed job's code
    Row("batch (edit step)", r"^/run_sse$", "POST", EDIT_EXPECT, prep_batch, check_batch),
    # a failed submit is retried once with a new id, so even a POST's 5xx or drop recovers
    Row("export (submit)", r"^/api/render/proxy/lambda$", "POST",
        {**POST_EXPECT, "500": OK, "502": OK, "503": OK, "drop": OK, "malformed": OK}, prep_export, check_download),
    Row("export (status poll)", r"^/api/render/proxy/lambda/render_", "GET", {**GET_EXPECT, "malformed": OK}, prep_export,
        check_download),
    Row("export (download)", r"^/f/", "GET", {"500": OK, "502": OK, "503": OK, "drop": OK, "slow": OK, "cut": OK},
        prep_export, check_download),
    Row("export status", r"^/api/render/proxy/lambda/render_", "GET", GET_EXPECT, prep_export_status),
    Row("export download", r"^/f/", "GET", {"500": OK, "502": OK, "503": OK, "drop": OK, "slow": OK, "cut": OK},
        prep_export_download, check_download),
    Row("export cancel", r"/cancel$", "POST", POST_EXPECT, prep_export_cancel),
]

RESULTS: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="module", autouse=True)
def report(tmp_path_factory, request):
    yield
    if {row for row, _ in RESULTS} != {row.name for row in ROWS}:
        return  # a partial run (-k) writes no report
    columns = list(FAULTS)
    lines = [
        "# Fault matrix",
        "",
        "Written by `tests/robustness/test_fault_matrix.py` (`NEMO_WRITE_REPORTS=1` to update this file): each command that",
        "talks to the service, run as the real `nemo` against the emulator with one fault aimed at its own request.",
        "`ok` = recovered (exit 0); `exit N` = stopped with that documented exit code and one `error:` line;",
        "`—` = the fault does not apply to that request; `FAIL` = the outcome was not the expected one.",
        "",
        "| command | " + " | ".join(columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for row in ROWS:
        cells = [RESULTS.get((row.name, c), "—") for c in columns]
        lines.append(f"| {row.name} | " + " | ".join(cells) + " |")
    path = REPORT if WRITE_REPORTS else tmp_path_factory.mktemp("reports") / REPORT.name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:  # after the run's summary, where it is not lost among the progress dots
        request.config.add_cleanup(lambda: reporter.write_line(f"fault matrix: {path}"))


def _fast(emu):
    emu.svc.options.render_seconds = 0.3


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_fault_matrix_row(emulator, tmp_path, row):
    failures = []
    for i, (column, (kind, params)) in enumerate(FAULTS.items()):
        if column not in row.expect:
            continue
        _fast(emulator)
        cell_dir = tmp_path / f"cell-{i}"
        cell_dir.mkdir()
        args = row.prepare(emulator, cell_dir, i)
        stdin = None
        if args and isinstance(args[-1], tuple):
            stdin = args.pop()[1] + "\n"
        emulator.inject(kind, path=row.path, method=row.method, **params)
        result = emulator.nemo(*args, input=stdin, env={"NEMO_EDIT_RECOVER_LOOKS": "3"}, timeout=180)
        want = row.expect[column]
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        problems = []
        if result.returncode != want:
            problems.append(f"exit {result.returncode}, expected {want}")
        if "Traceback" in result.stderr or "internal error" in result.stderr:
            problems.append("a traceback or internal error")
        if want != OK and len(errors) != 1:
            problems.append(f"{len(errors)} error lines")
        if not problems and want == OK and row.check is not None:
            try:
                row.check(emulator, cell_dir, args, result)
            except AssertionError as exc:
                problems.append(f"check failed: {exc}")
        hit = [r for r in emulator.requests if r.fault == kind and re.search(row.path, r.path)]
        if not hit:
            problems.append("the fault never fired")
        RESULTS[(row.name, column)] = ("ok" if want == OK else f"exit {want}") if not problems else "FAIL"
        if problems:
            failures.append(f"{row.name} × {column}: {'; '.join(problems)}\n  stderr: {result.stderr.strip()[-600:]}")
        emulator.svc.faults.clear()
    assert not failures, "\n".join(failures)
