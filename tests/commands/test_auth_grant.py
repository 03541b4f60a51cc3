"""`nemo auth` says what the service granted with a new anonymous token (its credits and expiry, from the
reply) and nothing it did not say. The real `nemo`, against the emulator and against a bare service
whose reply has only the token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

NEMO = str(Path(sys.executable).parent / "nemo")


def test_the_grant_is_the_services(emulator):
    emulator.world.initial_credits = 250  # not the usual 100: the line must come from the reply
    done = emulator.nemo("auth")
    assert done.returncode == 0, done.stderr
    stored = json.loads(emulator.nemo("auth", "status", "--json").stdout)
    assert stored["expires_at"]
    assert f"Acquired an anonymous token (250 free credits, valid until {stored['expires_at']})." in done.stderr.splitlines()
    said = done.stderr.replace(stored["expires_at"], "")  # its digits may hold a 100 (…:47.610008Z)
    assert "100" not in said and "7 days" not in said


def test_the_grant_is_in_the_json(emulator):
    emulator.world.initial_credits = 40
    doc = json.loads(emulator.nemo("auth", "--json").stdout)
    assert doc["granted"]["credits"] == 40 and doc["granted"]["expires_at"] == doc["expires_at"]
    again = json.loads(emulator.nemo("auth", "--json").stdout)  # a token in hand: nothing granted now
    assert "granted" not in again


class _Bare(BaseHTTPRequestHandler):
    """A service whose anonymous-token reply carries only the token (the contract's "where given")."""

    def do_POST(self):  # noqa: N802
        self._reply({"token": "nmv_usr_baretokenbaretoken0001"} if self.path == "/api/auth/anonymous-token" else None)

    def do_GET(self):  # noqa: N802
        self._reply({"available": 7, "frozen": 0, "total": 7} if self.path == "/api/credits/balance/simple" else None)

    def _reply(self, data):
        body = json.dumps({"code": 0, "message": "ok", "data": data} if data is not None else {"code": 404}).encode()
        self.send_response(200 if data is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_reply_without_credits_or_expiry_invents_neither(isolated_env):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Bare)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = {**os.environ, "NEMO_API_URL": f"http://127.0.0.1:{server.server_port}", "NEMO_CONFIG_DIR": str(isolated_env)}
        done = subprocess.run([NEMO, "auth"], env=env, capture_output=True, text=True, timeout=60)
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr
    assert "Acquired an anonymous token." in done.stderr.splitlines()
    assert "free credits" not in done.stderr and "valid" not in done.stderr
    assert "credits: 7 available" in done.stdout  # the balance, read from the service, is still shown
