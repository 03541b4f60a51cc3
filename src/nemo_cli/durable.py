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
