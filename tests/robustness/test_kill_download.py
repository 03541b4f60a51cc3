"""kill -9 inside `nemo export download`'s writes, fifty times: the final name never holds a partial file,
the `.part` only ever holds a prefix of the video, and a run after the last kill finishes by resuming from
what the killed ones left.

Each victim is told (NEMO_TEST_PAUSE) to stop after its first write to the `.part` of a transfer the
server holds after a random number of bytes, or, every tenth round, with the whole file fsynced but not
yet renamed; it says so on a pipe and only then is it killed. Every kill lands inside the write whatever
the machine's speed."""

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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nemo_cli.api.direct import CHUNK  # the client reads the video this much at a time

from tests.support.pause_points import paused_at

TOKEN = "nmv_usr_killtest0123456789"
RENDER = "render_1700000000000_abcdef01"
DATA = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + os.urandom(6 * 1024 * 1024 + 321)  # an MP4's head


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
            # `budget` bytes (more than one of the client's reads), then hold the rest until the test says
            # go: a victim told to stop at its first write always has something to write, never the whole file
            budget = self.server.budget  # type: ignore[attr-defined]
            self.wfile.write(DATA[start : start + budget])
            self.wfile.flush()
            if start + budget < len(DATA):
                self.server.go.wait(120)  # type: ignore[attr-defined]
                self.wfile.write(DATA[start + budget :])
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
    httpd.budget = len(DATA)  # type: ignore[attr-defined]
    httpd.go = threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.go.set()
    httpd.shutdown()
    httpd.server_close()


def test_fifty_kills_inside_the_download_never_leave_half_a_file_and_the_next_run_resumes(server, tmp_path):
    env = {
        **os.environ,
        "NEMO_TOKEN": TOKEN,
        "NEMO_API_URL": f"http://127.0.0.1:{server.server_address[1]}",
        "NEMO_RETRY_BACKOFF": "0.01",
    }
    out = tmp_path / "film.mp4"
    part = tmp_path / "film.mp4.part"
    cmd = ["export", "download", RENDER, "-o", str(out)]
    rng = random.Random(4321)
    grew = 0
    for i in range(50):
        if part.exists() and part.stat().st_size > len(DATA) - 3 * CHUNK:
            part.unlink()  # keep each round well inside the file, so every victim reaches its pause
        before = part.read_bytes() if part.exists() else b""
        point = "part-place" if i % 10 == 4 else "part-write"
        server.go.clear()
        server.budget = len(DATA) if point == "part-place" else rng.randint(CHUNK + 1, 2 * CHUNK)
        victim = paused_at(point, cmd, env)
        victim.send_signal(signal.SIGKILL)
        assert victim.wait(timeout=60) == -signal.SIGKILL
        server.go.set()  # let the held reply end
        assert not out.exists(), f"a file under the final name after a kill at {point} (round {i})"
        kept = part.read_bytes()
        assert DATA.startswith(kept), f"the .part is not a prefix of the video after a kill at {point}"
        assert kept.startswith(before[: len(kept)]) and len(kept) >= len(before)
        if point == "part-place":
            assert kept == DATA  # complete and fsynced, killed before the rename
            part.unlink()
        else:
            grew += len(kept) > len(before)
    assert grew == 45, f"only {grew} of 45 kills mid-write left a longer .part"

    # a run after the last kill finishes, resuming from the .part it left
    left = part.stat().st_size
    assert left
    server.log.clear()
    server.budget = len(DATA)
    done = subprocess.run([sys.executable, "-m", "nemo_cli", *cmd, "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == DATA and not part.exists()
    assert json.loads(done.stdout)["sha256"] == hashlib.sha256(DATA).hexdigest()
    video = [r for r in server.log if r["path"].startswith("/cdn/")]
    assert all(r["auth"] is None for r in video)
    assert video[0]["range"] == f"bytes={left}-", "the last run should have resumed from the .part"
