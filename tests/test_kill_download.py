"""kill -9 at random moments while `nemo export download` writes a video: the final name never holds a
partial file, and a run after the last kill finishes by resuming from what the killed ones left."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

TOKEN = "nmv_usr_killtest0123456789"
RENDER = "render_1700000000000_abcdef01"
DATA = os.urandom(4 * 1024 * 1024 + 321)
CHUNK = 64 * 1024


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        log = self.server.log  # type: ignore[attr-defined]
        log.append({"path": self.path, "range": self.headers.get("Range"), "auth": self.headers.get("Authorization")})
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.path == f"/api/render/proxy/lambda/{RENDER}":
            body = {"success": True, "data": {"id": RENDER, "status": "completed", "progress": 100, "outputUrl": f"{base}/cdn/{RENDER}.mp4"}}
            return self._json(body)
        if self.path == f"/cdn/{RENDER}.mp4":
            if self.headers.get("Authorization"):
                return self._send(403, b"no Authorization here")
            return self._video()
        return self._send(404, b"")

    def do_POST(self):
        if self.path == "/api/auth/claim-token":
            return self._json({"code": 0, "data": {"claim_token": "clm_killtestclaim", "expires_in": 604800}})
        return self._send(404, b"")

    def _video(self):
        start = 0
        rng = self.headers.get("Range")
        if rng and self.headers.get("If-Range") in (None, '"v1"'):
            start = int(re.fullmatch(r"bytes=(\d+)-", rng).group(1))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(DATA) - 1}/{len(DATA)}")
        else:
            self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(len(DATA) - start))
        self.send_header("ETag", '"v1"')
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        try:
            for at in range(start, len(DATA), CHUNK):  # about 1.6 s for the whole file: kills land mid-way
                self.wfile.write(DATA[at : at + CHUNK])
                time.sleep(0.025)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _json(self, body):
        self._send(200, json.dumps(body).encode(), "application/json")

    def _send(self, code, body, ctype="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


@pytest.fixture
def server():
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.log = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_fifty_kills_mid_download_never_leave_half_a_file_and_the_next_run_resumes(server, tmp_path):
    env = {
        **os.environ,
        "NEMO_TOKEN": TOKEN,
        "NEMO_API_URL": f"http://127.0.0.1:{server.server_address[1]}",
        "NEMO_RETRY_BACKOFF": "0.01",
    }
    out = tmp_path / "film.mp4"
    part = tmp_path / "film.mp4.part"
    cmd = [sys.executable, "-m", "nemo_cli", "export", "download", RENDER, "-o", str(out)]
    rng = random.Random(4321)
    kills, grew = 0, 0
    for i in range(50):
        before = part.stat().st_size if part.exists() else 0
        seen = len(server.log)
        victim = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while victim.poll() is None and time.monotonic() < deadline and not any(
            r["path"].startswith("/cdn/") for r in server.log[seen:]
        ):
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 1.2))  # somewhere in the transfer (about 1.6 s), rarely just after it
        if victim.poll() is None:
            victim.send_signal(signal.SIGKILL)
            kills += 1
        victim.wait(timeout=60)
        if out.exists():  # only ever the whole file under its real name
            assert out.read_bytes() == DATA, f"a partial file under the final name after kill {i}"
            out.unlink()  # start the next round from scratch
            part.unlink(missing_ok=True)
        elif part.exists() and part.stat().st_size > before:
            grew += 1
    assert kills >= 40, f"only {kills} of 50 processes were still running when killed"
    assert grew >= 10, "the killed downloads should have left growing .part files behind"

    # a run after the last kill finishes, resuming from the .part when one was left
    left = part.stat().st_size if part.exists() else 0
    server.log.clear()
    done = subprocess.run([*cmd, "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == DATA and not part.exists()
    assert json.loads(done.stdout)["sha256"] == hashlib.sha256(DATA).hexdigest()
    video = [r for r in server.log if r["path"].startswith("/cdn/")]
    assert all(r["auth"] is None for r in video)
    if left:
        assert video[0]["range"] == f"bytes={left}-", "the last run should have resumed from the .part"
