"""`nemo emulator serve|exec|media` as a user runs them (the real entry point, in a subprocess), the
end-to-end fixture driving the real client, and the rule that no client command loads the emulator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from nemo_cli.emulator.media import probe

NEMO = str(Path(sys.executable).parent / "nemo")


def run(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([NEMO, *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


def test_exec_runs_the_command_against_an_emulator_and_exits_with_its_code(tmp_path):
    script = 'echo "$NEMO_API_URL"; echo "$NEMO_WEB_URL"; echo "$NEMO_CONFIG_DIR"; echo "token=${NEMO_TOKEN:-none}"; exit 3'
    done = run("emulator", "exec", "--", "sh", "-c", script, env={"NEMO_TOKEN": "nmv_usr_real_service_token"})
    assert done.returncode == 3, done.stderr
    api, web, config, token = done.stdout.splitlines()
    assert api.startswith("http://127.0.0.1:") and web == f"{api}/web"
    assert token == "token=none"  # a token of the real service is not handed to the command
    assert not Path(config).exists()  # the throwaway config dir is gone
    # and the emulator is gone too
    try:
        httpx.get(api + "/_emulator", timeout=2)
        raise AssertionError("the emulator still answers after exec ended")
    except httpx.TransportError:
        pass


def test_exec_reports_missing_commands_and_bad_flags():
    missing = run("emulator", "exec", "--", "no-such-command-here")
    assert missing.returncode == 127 and missing.stderr == "error: command not found: no-such-command-here\n"
    bad = run("emulator", "exec", "--fault", "teleport:0.5", "--", "true")
    assert bad.returncode == 2 and bad.stderr.startswith("error: --fault") and "hint:" in bad.stderr


def test_exec_fault_flag_reaches_the_client(tmp_path):
    done = run("emulator", "exec", "--fault", "status,path=/credits:1", "--", NEMO, "credits", env={"NEMO_RETRIES": "0"})
    assert done.returncode == 9, done.stderr  # NETWORK: the service failed (HTTP 503)
    assert "503" in done.stderr and "Traceback" not in done.stderr


def test_media_writes_a_playable_clip(tmp_path):
    out = tmp_path / "clip.mp4"
    done = run("emulator", "media", str(out), "--seconds", "3", "--size", "160x120", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["path"] == str(out) and doc["bytes"] == out.stat().st_size
    info = probe(out)
    assert abs(info.duration - 3) < 0.1 and (info.width, info.height) == (160, 120) and info.has_audio
    again = run("emulator", "media", str(out))
    assert again.returncode == 6 and again.stderr.startswith(f"error: {out} exists")


def test_serve_prints_its_url_and_stops_on_ctrl_c(tmp_path):
    proc = subprocess.Popen([NEMO, "emulator", "serve", "--sse", "typed", "--render-status", "top", "--data-dir", str(tmp_path / "data")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        info = httpx.get(f"{url}/_emulator", timeout=5).json()
        assert (info["sse_flavor"], info["render_flavor"]) == ("typed", "top")
        assert httpx.post(f"{url}/api/auth/anonymous-token", headers={"X-Client-Id": "6f1c2b9e-8c1e-4c9a-9d39-0a0c7b4f2a11"}).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert out == "" and "api POST /api/auth/anonymous-token -> 200" in err and "Traceback" not in err
    assert (tmp_path / "data" / "uploads").is_dir()  # --data-dir is kept


def test_serve_refuses_a_port_in_use():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run("emulator", "serve", "--port", str(port))
    assert done.returncode == 2 and done.stderr.startswith("error: cannot listen on 127.0.0.1") and "hint:" in done.stderr


def test_the_fixture_runs_the_real_client_end_to_end(emulator, tmp_path):
    clip = emulator.media(tmp_path / "clip.mp4")
    sid = emulator.nemo("session", "new", "-q").stdout.strip()
    assert sid.isdigit()
    uploaded = emulator.nemo("upload", str(clip), env={"NEMO_SESSION": sid})
    assert uploaded.returncode == 0, uploaded.stderr
    out = tmp_path / "out.mp4"
    exported = emulator.nemo("export", "--wait", "-o", str(out), env={"NEMO_SESSION": sid})
    assert exported.returncode == 0, exported.stderr
    assert abs(probe(out).duration - 8) < 0.1
    paths = [r.path for r in emulator.requests]
    assert "/api/render/proxy/lambda" in paths and any(p.startswith("/f/renders/") for p in paths)
    cdn = [r for r in emulator.requests if r.origin == "cdn"]
    assert cdn and all("authorization" not in r.headers for r in cdn)


def test_client_commands_never_import_the_emulator():
    code = "import nemo_cli.app, sys; nemo_cli.app.build(); print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    imported = set(done.stdout.split())
    timed = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    for name in imported | timed:
        assert not name.startswith(("starlette", "uvicorn", "imageio_ffmpeg", "multipart", "python_multipart", "nemo_cli.emulator")), name
    assert "nemo_cli.commands.emulator" in imported  # the command is registered, just not its machinery
