"""kill -9 inside the store's write, fifty times: every committed entry survives, the file always parses,
and nothing but the real file carries the real name.

Each victim is a real `nemo session use` told (NEMO_TEST_PAUSE) to stop at one of the moments inside the
atomic write: half its bytes in the temp file, all of them written but not renamed, renamed but the
directory not yet fsynced. It says so on a pipe; only then is it killed. So every kill lands inside the
write whatever the machine's speed, and a write that truncated the real file in place would be caught in
the first round."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from nemo_cli.store import Store
from tests.support.pause_points import paused_at

POINTS = ("atomic-write", "atomic-replace", "atomic-replaced")


def _nemo(args, env):
    return subprocess.Popen([sys.executable, "-m", "nemo_cli", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def temp_files(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name.startswith(".config.toml.") and p.name.endswith(".tmp")}


def test_store_survives_fifty_kills_inside_its_write(isolated_env):
    env = dict(os.environ)
    store = isolated_env / "config.toml"
    committed = []
    for i in range(50):
        sid = f"10000000000000{i:05d}"
        assert _nemo(["session", "use", sid], env).wait(timeout=60) == 0
        committed.append(sid)
        before, temps_before = store.read_bytes(), temp_files(isolated_env)
        point = POINTS[i % len(POINTS)]
        victim_sid = f"99999999999999{i:05d}"
        victim = paused_at(point, ["session", "use", victim_sid], env)
        victim.send_signal(signal.SIGKILL)
        assert victim.wait(timeout=60) == -signal.SIGKILL
        sessions = Store(store).profile().sessions  # parses, or raises
        missing = [s for s in committed if s not in sessions]
        assert not missing, f"lost committed sessions after a kill at {point} (round {i}): {missing}"
        left = {n: b for n, b in temp_files(isolated_env).items() if n not in temps_before}
        if point == "atomic-replaced":  # the rename happened: the new entry is in, no temp file is left
            assert victim_sid in sessions and not left
            committed.append(victim_sid)
        else:  # killed before the rename: the real file is byte for byte the old one, the new bytes sit in a temp
            assert store.read_bytes() == before and victim_sid not in sessions
            assert len(left) == 1, f"expected the killed writer's temp file, found {sorted(left)}"
            (partial,) = left.values()
            assert victim_sid.encode() in partial or point == "atomic-write"
            assert partial != before
    names = {p.name for p in isolated_env.iterdir()}
    assert "config.toml" in names
    # a killed writer may leave its private temp file behind, never a second file under the real name
    assert all(n in ("config.toml", "config.toml.lock") or (n.startswith(".config.toml.") and n.endswith(".tmp")) for n in names), names
