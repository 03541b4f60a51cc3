"""The MCP jobs in-process: a turn the store says never ended (its server died) is failed as interrupted and
never sent again; our errors become data with their exit-code name; a waiting tool gives up on time."""

from __future__ import annotations

import threading
import time

import anyio
import pytest

pytest.importorskip("mcp")

from nemo_cli import errors  # noqa: E402
from nemo_cli.context import Context  # noqa: E402
from nemo_cli.flows.edit import record  # noqa: E402
from nemo_cli.mcp.jobs import Job, Jobs, error_fields  # noqa: E402
from nemo_cli.mcp.tools import turn_result, wait_for  # noqa: E402


def test_a_turn_whose_server_stopped_is_failed_as_interrupted_not_resent():
    ctx = Context()
    record.remember(ctx, "turn_1", session="s1", key="k1", status="running", instruction="add a title")
    jobs = Jobs(Context())  # a new server: only the store knows the turn
    job = jobs.stored_turn("turn_1")
    assert job is not None and job.status == "failed" and job.done.is_set()
    assert job.error["error"] == "Interrupted" and job.error["exit_code"] == "INTERRUPTED"
    assert "is not sent again" in job.error["message"]
    # the same key again is that turn: nothing is started (no client, no thread)
    again, sent = jobs.start_turn("s1", "add a title", "k1")
    assert again.id == "turn_1" and sent is False
    assert jobs.stored_turn("turn_2") is None


def test_an_ended_turn_is_answered_from_the_store():
    ctx = Context()
    record.remember(ctx, "turn_9", session="s1", status="done", reply="Done! I added a title.", changes=["added a title"])
    result = turn_result(Jobs(ctx).stored_turn("turn_9"), False)
    assert result.structured_content["status"] == "done" and result.structured_content["reply"].startswith("Done!")
    assert result.content[0].text == "Done! I added a title."


def test_errors_as_data_carry_the_exit_code_name():
    assert error_fields(errors.BadInput("no such file: /x", hint="check it")) == {
        "error": "BadInput", "message": "no such file: /x", "hint": "check it", "exit_code": "INPUT"}
    assert error_fields(errors.SessionNotFound("no active session"))["exit_code"] == "SESSION"


def test_a_wait_gives_up_on_time_and_the_work_goes_on():
    job = Job(id="turn_x", kind="turn")
    threading.Timer(1.0, job.done.set).start()
    started = time.monotonic()
    anyio.run(wait_for, job, 0.3, None)
    assert time.monotonic() - started < 0.45 and not job.done.is_set()
    assert turn_result(job, True).structured_content["status"] == "running"
    job.done.wait(2)
