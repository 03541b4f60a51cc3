"""Making a rename survive a crash: after fsyncing a file and renaming it into place, the directory's
entry must be fsynced too. Shared by the store (write_atomic) and the download targets in nemo_cli.files
(fsync_dir); kept apart from files.py because the store is read on the fast paths (completion) and must
not load the download engine that files.py's targets implement. Standard library only.

`pause_point` marks the moments inside those writes where a crash must lose nothing; the kill tests stop
a real process at one of them and kill it there, so every kill lands inside the write, on any machine."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """fsync a directory, where the platform allows it (best effort: Windows cannot open directories)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_reached: dict[str, int] = {}


def pause_point(name: str) -> None:
    """Test seam, inert unless NEMO_TEST_PAUSE names this point (`NAME`, or `NAME@N` for its N-th visit)
    and NEMO_TEST_PAUSE_FD is a descriptor the test handed over: say so there, then wait to be killed."""
    want = os.environ.get("NEMO_TEST_PAUSE")
    if not want:
        return
    point, _, nth = want.partition("@")
    if point != name:
        return
    _reached[name] = seen = _reached.get(name, 0) + 1
    if nth.isdigit() and seen != int(nth):
        return
    try:
        os.write(int(os.environ.get("NEMO_TEST_PAUSE_FD", "")), f"{name} {seen}\n".encode())
    except (ValueError, OSError):
        return  # no test listening: carry on as if unset
    import time

    while True:
        time.sleep(3600)


def write_atomic(path: Path, payload: bytes, mode: int | None = None) -> None:
    """Replace `path` by `payload` so that a crash leaves the old file or the new one, never half of
    either: a temp file beside it (with `mode`, when given), fsynced, renamed over it, directory fsynced."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            half = len(payload) // 2
            fh.write(payload[:half])
            fh.flush()
            pause_point("atomic-write")  # half the new bytes are in the temp file
            fh.write(payload[half:])
            fh.flush()
            os.fsync(fh.fileno())
        pause_point("atomic-replace")  # all written, not yet renamed
        os.replace(tmp, path)
        pause_point("atomic-replaced")  # renamed, the directory not yet fsynced
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)
