"""Stopping a real `nemo` at a named moment inside a write (see nemo_cli.durable.pause_point), for the kill
tests: the child says on a pipe that it stands there, so the test kills it at that moment and no other."""

from __future__ import annotations

import os
import select
import subprocess
import sys


def paused_at(point, args, env):
    """Start `nemo ARGS` and return it once it reports standing at `point` (it then waits to be killed)."""
    r, w = os.pipe()
    child = subprocess.Popen(
        [sys.executable, "-m", "nemo_cli", *args],
        env={**env, "NEMO_TEST_PAUSE": point, "NEMO_TEST_PAUSE_FD": str(w)},
        pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    os.close(w)
    with os.fdopen(r, "rb") as pipe:
        ready, _, _ = select.select([pipe], [], [], 120)
        said = pipe.readline().decode() if ready else ""
    if not said.startswith(point.partition("@")[0] + " "):
        child.kill()
        _, err = child.communicate(timeout=60)
        raise AssertionError(f"said {said!r}: nemo {' '.join(args)} never reached {point} (exit {child.returncode}): {err.decode()[-500:]}")
    return child
