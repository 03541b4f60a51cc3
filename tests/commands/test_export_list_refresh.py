"""`nemo export list` tells how renders are doing now, not how they were when started; every download
records its sha256; `export --wait` checks its settings before it starts a render. The real `nemo`
against the emulator, its request log as the witness."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

SUBMIT = r"^/api/render/proxy/lambda$"


def looks(emu, render_id):
    return [r for r in emu.requests if r.method == "GET" and r.path == f"/api/render/proxy/lambda/{render_id}"]


def finished(emu, render_id):
    """Wait for the emulator to finish the render (its own event), then say how it ended."""
    render = emu.world.renders[render_id]
    assert render.done.wait(60), f"the emulator did not finish {render_id}"
    return render.status


def listed(emu, *flags):
    done = emu.nemo("export", "list", "--json", *flags)
    assert done.returncode == 0, done.stderr
    return {r["render_id"]: r for r in json.loads(done.stdout)}


def test_a_render_started_with_q_is_shown_as_it_is_now(session):
    rid = session.nemo("export", "-q").stdout.strip()
    assert re.fullmatch(r"render_\d+_[0-9a-f]{8}", rid)
    assert finished(session, rid) == "completed"

    stale = listed(session, "--no-refresh")
    assert stale[rid]["status"] == "pending" and looks(session, rid) == []  # --no-refresh: the store only

    fresh = listed(session)
    assert fresh[rid]["status"] == "completed" and fresh[rid]["url"]
    assert len(looks(session, rid)) == 1

    # the record is kept up to date: an ended render is not looked up again
    human = session.nemo("export", "list")
    assert human.returncode == 0 and re.search(rf"^{rid}\s.*\bcompleted\b", human.stdout, re.M), human.stdout
    assert len(looks(session, rid)) == 1


def test_a_failed_look_keeps_the_record_and_warns(session):
    rid = session.nemo("export", "-q").stdout.strip()
    finished(session, rid)
    done = session.nemo("export", "list", "--json", env={"NEMO_API_URL": "http://127.0.0.1:9", "NEMO_RETRIES": "0"})
    assert done.returncode == 0, done.stderr
    assert [r["status"] for r in json.loads(done.stdout)] == ["pending"]
    assert "warning: could not refresh the renders" in done.stderr


def test_every_download_records_its_sha256_without_json(session, tmp_path):
    out = tmp_path / "out.mp4"
    done = session.nemo("export", "--wait", "-o", out)  # no --json
    assert done.returncode == 0, done.stderr
    [record] = listed(session, "--no-refresh").values()
    assert record["path"] == str(out)
    assert record["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_a_bad_wait_setting_stops_export_before_a_render_is_started(session, tmp_path):
    done = session.nemo("export", "--wait", "-o", tmp_path / "out.mp4", env={"NEMO_EXPORT_POLL_MIN": "soon"})
    assert done.returncode == 12, done.stderr
    assert "NEMO_EXPORT_POLL_MIN" in done.stderr
    assert [r for r in session.requests if r.method == "POST" and re.search(SUBMIT, r.path)] == []
    assert listed(session, "--no-refresh") == {}
    assert not (tmp_path / "out.mp4").exists()
