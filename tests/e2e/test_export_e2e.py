"""`nemo export` end to end: the real `nemo` against the emulator over loopback, real MP4s, and the
emulator's request log as the witness of what was sent where."""

from __future__ import annotations

import hashlib
import json
import re
import signal
import subprocess
import time

import pytest

SUBMIT = r"^/api/render/proxy/lambda$"


def submits(emu):
    return [r for r in emu.requests if r.method == "POST" and re.search(SUBMIT, r.path)]


def rendered_bytes(emu, render_id):
    return (emu.data_dir / "renders" / f"{render_id}.mp4").read_bytes()


@pytest.mark.parametrize("flavor", ["nested", "top"])
def test_wait_and_download_with_either_status_shape(session, tmp_path, flavor):
    session.svc.options.render_flavor = flavor
    out = tmp_path / "out.mp4"
    done = session.nemo("export", "--wait", "-o", out, "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["status"] == "completed" and doc["path"] == str(out)
    assert doc["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert out.read_bytes() == rendered_bytes(session, doc["render_id"])
    assert doc["link"] and "/workspace/claim?ct=clm_" in doc["link"]
    assert re.fullmatch(r"render_\d{13}_[0-9a-f]{8}", doc["render_id"])
    assert doc["id"] == doc["render_id"] and doc["session"] == doc["session_id"] == submits(session)[0].json["sessionId"]  # aliases
    [submit] = submits(session)
    assert submit.json["sessionId"] and submit.json["draft"]["t"] and submit.json["output"]["format"] == "mp4"
    cdn = [r for r in session.requests if r.origin == "cdn"]
    assert cdn and all("authorization" not in r.headers for r in cdn)


def test_without_wait_prints_the_id_and_the_render_is_recorded(session):
    done = session.nemo("export", "-q")
    assert done.returncode == 0, done.stderr
    rid = done.stdout.strip()
    assert re.fullmatch(r"render_\d+_[0-9a-f]{8}", rid)
    listed = json.loads(session.nemo("export", "list", "--json").stdout)
    assert [r["render_id"] for r in listed] == [rid]


def test_a_failed_render_exits_11_with_the_reason(session, tmp_path):
    session.inject("render_fail", error="encoder crashed on segment 2")
    done = session.nemo("export", "--wait", "-o", tmp_path / "out.mp4")
    assert done.returncode == 11
    assert "encoder crashed on segment 2" in done.stderr
    assert not (tmp_path / "out.mp4").exists()


def test_a_failed_submit_is_retried_once_with_a_new_id(session, tmp_path):
    session.inject("status", path=SUBMIT, method="POST", status=502)
    done = session.nemo("export", "--wait", "-o", tmp_path / "out.mp4")
    assert done.returncode == 0, done.stderr
    first, second = submits(session)
    assert first.status == 502 and second.status == 200
    assert first.json["id"] != second.json["id"]


def test_two_failed_submits_give_up_with_the_network_exit_code(session, tmp_path):
    session.inject("status", path=SUBMIT, method="POST", status=503, times=2)
    done = session.nemo("export", "--wait", "-o", tmp_path / "out.mp4")
    assert done.returncode == 9
    assert len(submits(session)) == 2


def test_an_unfetchable_result_url_falls_back_to_the_api_download(session, tmp_path):
    session.inject("status", path=r"^/f/renders/", status=503, times=50)
    out = tmp_path / "out.mp4"
    done = session.nemo("export", "--wait", "-o", out, "--json")
    assert done.returncode == 0, done.stderr
    rid = json.loads(done.stdout)["render_id"]
    assert out.read_bytes() == rendered_bytes(session, rid)
    fallback = [r for r in session.requests if r.path == f"/api/render/proxy/{rid}/download"]
    assert fallback and fallback[-1].headers.get("authorization", "").startswith("Bearer ")


def test_a_cut_download_resumes_with_range_and_ends_with_the_exact_bytes(session, tmp_path):
    session.inject("cut", path=r"^/f/renders/", after=30000)
    out = tmp_path / "out.mp4"
    done = session.nemo("export", "--wait", "-o", out, "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["sha256"] == hashlib.sha256(rendered_bytes(session, doc["render_id"])).hexdigest()
    gets = [r for r in session.requests if r.origin == "cdn" and r.path.startswith("/f/renders/")]
    assert gets[0].fault == "cut" and gets[1].headers.get("range") == "bytes=30000-"
    assert "if-range" in gets[1].headers


def test_a_download_cut_more_often_than_retried_resumes_on_the_next_run(session, tmp_path):
    session.inject("cut", path=r"^/f/renders/", after=20000, times=20)
    session.inject("status", path=r"/download$", status=503, times=20)
    out = tmp_path / "out.mp4"
    done = session.nemo("export", "--wait", "-o", out)
    assert done.returncode == 9
    assert not out.exists() and (tmp_path / "out.mp4.part").stat().st_size >= 20000
    resume = re.search(r"`(nemo export wait \S+ -o \S+)`", done.stderr)
    assert resume, done.stderr
    session.svc.faults.clear()
    again = session.nemo(*resume.group(1).split()[1:], "--json")
    assert again.returncode == 0, again.stderr
    doc = json.loads(again.stdout)
    assert out.read_bytes() == rendered_bytes(session, doc["render_id"])
    assert not (tmp_path / "out.mp4.part").exists()


def test_an_existing_file_is_refused_before_a_render_starts(session, tmp_path):
    out = tmp_path / "out.mp4"
    out.write_bytes(b"precious")
    done = session.nemo("export", "--wait", "-o", out)
    assert done.returncode == 6 and "--force" in done.stderr
    assert out.read_bytes() == b"precious" and submits(session) == []
    forced = session.nemo("export", "--wait", "-o", out, "--force")
    assert forced.returncode == 0 and out.read_bytes() != b"precious"
    # delivered: the path on stdout, the project's browser link beside it on stderr
    assert forced.stdout.strip() == str(out)
    assert re.search(r"open it in the editor: http://\S+/workspace/claim\?ct=clm_\S+", forced.stderr)


def test_402_is_a_plan_limit(session, tmp_path):
    session.inject("plan_limit", path=SUBMIT)
    done = session.nemo("export", "--wait", "-o", tmp_path / "out.mp4")
    assert done.returncode == 7
    assert "plan" in done.stderr and "credit" not in done.stderr.split("hint:")[0]


def test_an_empty_timeline_is_refused(emulator, tmp_path):
    assert emulator.nemo("session", "new", "-q").returncode == 0
    done = emulator.nemo("export", "--wait")
    assert done.returncode == 6 and "nothing to export yet" in done.stderr
    assert submits(emulator) == []


def test_ctrl_c_prints_the_command_that_picks_the_render_up(session, tmp_path):
    session.svc.options.render_seconds = 20
    out = tmp_path / "out.mp4"
    proc = subprocess.Popen(
        [str(session.env()["PATH"].split(":")[0] + "/nemo"), "export", "--wait", "-o", str(out)],
        env=session.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    while not any(r.path.startswith("/api/render/proxy/lambda/render_") for r in session.requests):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    resume = re.search(r"(nemo export wait render_\S+ -o \S+)", err)
    assert resume, err
    session.svc.options.render_seconds = 0.3
    done = session.nemo(*resume.group(1).split()[1:])
    assert done.returncode == 0, done.stderr
    assert out.is_file() and len(submits(session)) == 1


def test_cancel_a_running_render(session):
    session.svc.options.render_seconds = 30
    rid = session.nemo("export", "-q").stdout.strip()
    done = session.nemo("export", "cancel", rid)
    assert done.returncode == 0, done.stderr
    status = json.loads(session.nemo("export", "status", rid, "--json").stdout)
    assert status["status"] in ("cancelled", "canceled")
    waited = session.nemo("export", "wait", rid)
    assert waited.returncode == 11


def test_cancelling_a_render_that_ended_or_does_not_exist_is_bad_input(session, tmp_path):
    done = session.nemo("export", "--wait", "-o", tmp_path / "out.mp4", "--json")
    rid = json.loads(done.stdout)["render_id"]
    ended = session.nemo("export", "cancel", rid)
    assert ended.returncode == 6
    assert ended.stderr.splitlines()[0] == f"error: render {rid} has already ended: nothing to cancel"
    unknown = session.nemo("export", "cancel", "render_0_00000000")
    assert unknown.returncode == 6 and "knows no render render_0_00000000" in unknown.stderr


@pytest.mark.parametrize("flags", [[], ["--json"], ["-q"]])
def test_status_of_an_unknown_render_is_bad_input(emulator, flags):
    done = emulator.nemo("export", "status", "render_0_00000000", *flags)
    assert done.returncode == 6, done.stderr  # INPUT, as for `export cancel` of an unknown render
    assert [line for line in done.stderr.splitlines() if line.startswith("error:")] == [
        "error: the service knows no render render_0_00000000"
    ]
    assert done.stdout == ""
    looked = [r for r in emulator.requests if r.path.endswith("/render_0_00000000")]
    assert [r.status for r in looked] == [404]  # the service was asked, once, and said so
    listed = emulator.nemo("export", "list", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout) == []  # nothing recorded for it
