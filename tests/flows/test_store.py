"""The store under real concurrency and real damage: 24 `nemo` processes writing at the same moment lose
nothing and leave a valid 0600 file; a corrupt store is one clear error naming the file, and it is never
overwritten (nor is anything sent to the service on the way)."""

from __future__ import annotations

import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from tests.support.foundation_stub import USER_TOKEN, error_lines, nemo, service  # noqa: F401
from nemo_cli.settings import SETTINGS
from nemo_cli.store import Store

NEMO = Path(sys.executable).parent / "nemo"  # the installed console script, as a user runs it
NUMERIC_KEYS = [k for k, s in SETTINGS.items() if s.kind in (int, float)][:12]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _all_waiting_for_the_lock(procs: list[subprocess.Popen]) -> bool:
    """Every process is asleep in the lock's poll loop (Linux: /proc/PID/wchan), i.e. past start-up."""
    try:
        return all(p.poll() is not None or "nanosleep" in Path(f"/proc/{p.pid}/wchan").read_text() for p in procs)
    except OSError:  # no /proc here: release the gate and rely on the processes starting together
        return True


def test_24_processes_writing_at_once_lose_no_update(isolated_env):
    assert NEMO.exists(), f"the nemo console script is not installed next to {sys.executable}"
    assert len(NUMERIC_KEYS) == 12
    sessions = [f"7000000000000000{i:03d}" for i in range(12)]
    commands = [["session", "use", sid] for sid in sessions]
    commands += [["config", "set", key, str(i + 1)] for i, key in enumerate(NUMERIC_KEYS)]
    store = Store()
    store._ensure_dir()
    # The gate: hold the store's lock while all 24 start, so that they all reach it and then race for it
    # the moment it is released (without the gate their start-ups would spread the writes out).
    gate = FileLock(str(store.lock_path))
    gate.acquire()
    try:
        procs = [subprocess.Popen([str(NEMO), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE) for args in commands]
        deadline = time.monotonic() + 15  # well inside the store's 30 s lock timeout
        while time.monotonic() < deadline and not _all_waiting_for_the_lock(procs):
            time.sleep(0.05)
    finally:
        gate.release()
    results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
    failed = [(args, r) for args, r in zip(commands, results) if r[0] != 0]
    assert not failed, failed
    assert all(err == b"" for _, _, err in results), [err for _, _, err in results if err]

    path = isolated_env / "config.toml"
    prof = Store(path).profile()  # parses, or raises
    assert set(prof.sessions) == set(sessions), "a session use was lost"
    assert prof.session["id"] in sessions
    assert {k: prof.settings.get(k) for k in NUMERIC_KEYS} == {
        k: SETTINGS[k].kind(i + 1) for i, k in enumerate(NUMERIC_KEYS)
    }, "a config set was lost"
    assert mode(path) == 0o600
    assert sorted(p.name for p in isolated_env.iterdir()) == ["config.toml", "config.toml.lock"]


def test_the_store_and_its_directory_are_private(isolated_env):
    assert nemo("session", "use", "123").exit_code == 0
    assert mode(isolated_env) == 0o700 and mode(isolated_env / "config.toml") == 0o600


def test_a_store_made_readable_by_others_is_made_private_again_on_the_next_write(isolated_env):
    isolated_env.mkdir()
    path = isolated_env / "config.toml"
    path.write_text('[profiles.default]\nclient_id = "kept"\n')
    path.chmod(0o644)
    assert nemo("config", "set", "language", "ja").exit_code == 0
    assert mode(path) == 0o600
    assert Store(path).profile().client_id == "kept"


def test_writes_keep_other_profiles_and_unknown_tables(isolated_env):
    isolated_env.mkdir()
    path = isolated_env / "config.toml"
    path.write_text('future = "kept"\n[profiles.work]\nclient_id = "w"\n[profiles.work.settings]\nlanguage = "ja"\n')
    assert nemo("session", "use", "42").exit_code == 0
    text = path.read_text()
    assert 'future = "kept"' in text
    assert Store(path, profile="work").profile().settings == {"language": "ja"}
    assert Store(path).profile().session["id"] == "42"


CORRUPT = {
    "not toml": b"[profiles.default\nclient_id = ",
    "not utf-8": b"\xff\xfe\x00garbage",
    "profiles not a table": b"profiles = 3\n",
    "token not a table": b'[profiles.default]\ntoken = "nmv_usr_x"\n',
}
WRITERS = [
    ["auth"],
    ["auth", "login", "--with-token"],
    ["auth", "logout"],
    ["session", "new", "-q"],
    ["session", "use", "123"],
    ["config", "set", "language", "ja"],
    ["credits"],
    ["state", "--session", "1"],
]


@pytest.mark.parametrize("damage", list(CORRUPT))
@pytest.mark.parametrize("args", WRITERS, ids=lambda a: " ".join(a))
def test_a_corrupt_store_is_one_clear_error_and_never_overwritten(service, isolated_env, damage, args):
    if damage == "token not a table" and args[0] in ("session", "config"):
        pytest.skip("these commands do not read the token")
    isolated_env.mkdir()
    path = isolated_env / "config.toml"
    path.write_bytes(CORRUPT[damage])
    done = nemo(*args, input=USER_TOKEN)
    assert done.exit_code == 12, (args, done.output)
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(error_lines(done)) == 1 and lines[0].startswith("error: ") and str(path) in lines[0], done.stderr
    assert len(lines) == 2 and lines[1].startswith("hint: "), done.stderr
    assert path.read_bytes() == CORRUPT[damage]
    # nothing acquired or created that could not then be stored (a login may have checked its token)
    assert [r.url.path for r in service.requests] in ([], ["/api/credits/balance/simple"] if "login" in args else [])
    assert sorted(p.name for p in isolated_env.iterdir()) in (["config.toml"], ["config.toml", "config.toml.lock"])


@pytest.mark.parametrize("args", [["session", "use", "123"], ["session", "use", "-q", "456"]])
def test_a_hand_broken_active_session_is_reported_not_replaced(isolated_env, args):
    isolated_env.mkdir()
    path = isolated_env / "config.toml"
    path.write_bytes(b"[profiles.default]\nsession = 5\n")
    done = nemo(*args)
    assert done.exit_code == 12 and str(path) in error_lines(done)[0] and "[session]" in error_lines(done)[0]
    assert path.read_bytes() == b"[profiles.default]\nsession = 5\n"


def test_a_corrupt_store_from_a_real_process(isolated_env):
    isolated_env.mkdir()
    path = isolated_env / "config.toml"
    path.write_bytes(b"= broken")
    proc = subprocess.run([str(NEMO), "config", "set", "language", "ja"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 12 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 2, proc.stderr
    assert lines[0].startswith(f"error: the store {path} is not valid TOML")
    assert lines[1] == f"hint: fix it by hand, or move it away (`mv {path} {path}.bak`) to start afresh"
    assert path.read_bytes() == b"= broken"
