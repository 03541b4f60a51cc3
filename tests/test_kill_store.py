"""kill -9 at random moments while `nemo` writes the store: every committed entry survives, the file
always parses, and nothing but the real file carries the real name."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from nemo_cli.store import Store


def _nemo(args, env):
    return subprocess.Popen([sys.executable, "-m", "nemo_cli", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_store_survives_fifty_kills(isolated_env):
    env = dict(os.environ)
    rng = random.Random(1234)
    committed = []
    kills = 0
    for i in range(50):
        sid = f"10000000000000{i:05d}"
        assert _nemo(["session", "use", sid], env).wait(timeout=60) == 0
        committed.append(sid)
        victim = _nemo(["session", "use", f"99999999999999{i:05d}"], env)
        time.sleep(rng.uniform(0.0, 0.35))  # start-up takes about this long: the kill lands before, in or after the write
        if victim.poll() is None:
            victim.send_signal(signal.SIGKILL)
            kills += 1
        victim.wait(timeout=60)
        sessions = Store(isolated_env / "config.toml").profile().sessions  # parses, or raises
        missing = [s for s in committed if s not in sessions]
        assert not missing, f"lost committed sessions after kill {i}: {missing}"
    assert kills >= 25, f"only {kills} of 50 processes were still running when killed; the test lost its teeth"
    names = {p.name for p in isolated_env.iterdir()}
    assert "config.toml" in names
    # a killed writer may leave its private temp file behind, never a second file under the real name
    assert all(n in ("config.toml", "config.toml.lock") or (n.startswith(".config.") and n.endswith(".tmp")) for n in names), names
