"""Making a rename survive a crash: after fsyncing a file and renaming it into place, the directory's
entry must be fsynced too. Shared by the store and the download engine (which may not import each other)."""

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


def write_atomic(path: Path, payload: bytes, mode: int | None = None) -> None:
    """Replace `path` by `payload` so that a crash leaves the old file or the new one, never half of
    either: a temp file beside it (with `mode`, when given), fsynced, renamed over it, directory fsynced."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)
