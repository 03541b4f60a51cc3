"""The checks a local file passes before a byte of it is sent, on the table of what the service accepts
(nemo_cli.api.media_types, the one source of the accepted extensions; routing, shell completion and the
upload command read them through here). Standard library only: the commands and the completion generator
import this.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from nemo_cli.api.media_types import (  # the service's table; read through here by routing, completion, upload
    ACCEPTED_EXTENSIONS,
    ACCEPTED_TYPES,
    ALIASES,
    LIMIT_TEXT,
    MAX_BYTES,
    MEDIA_TYPES,
    SIZE_HINT,
    TYPE_HINT,
)
from nemo_cli.errors import BadInput

__all__ = ["ACCEPTED_EXTENSIONS", "ACCEPTED_TYPES", "LIMIT_TEXT", "MAX_BYTES", "MEDIA_TYPES", "SIZE_HINT", "TYPE_HINT",
           "LocalFile", "check", "extension"]


@dataclass(frozen=True)
class LocalFile:
    path: Path
    shown: str  # the path as the user wrote it, for messages
    name: str  # the file name sent to the service (never the directories above it)
    extension: str  # normalised: lower case, jpeg → jpg
    size: int

    @property
    def content_type(self) -> str:
        return MEDIA_TYPES[self.extension]


def extension(name: str) -> str | None:
    """The normalised accepted extension of a file name, or None when it has none we accept."""
    ext = Path(name).suffix.lower().lstrip(".")
    ext = ALIASES.get(ext, ext)
    return ext if ext in MEDIA_TYPES else None


def check(shown: str) -> LocalFile:
    """A file ready to upload, or BadInput naming it and the rule it broke."""
    path = Path(shown).expanduser()
    try:
        info = path.stat()
    except FileNotFoundError:
        raise _bad(shown, "no such file") from None
    except NotADirectoryError:
        raise _bad(shown, "no such file (a part of the path is not a directory)") from None
    except OSError as exc:
        raise _bad(shown, (exc.strerror or str(exc)).lower()) from None
    if not stat.S_ISREG(info.st_mode):
        raise _bad(shown, f"not a regular file (it is {_kind(info.st_mode)})")
    ext = extension(path.name)
    if ext is None:
        found = path.suffix.lower()
        what = f"unsupported file type {found}" if found else "no file extension to tell its type"
        raise _bad(shown, what, TYPE_HINT)
    if info.st_size > MAX_BYTES:
        raise _bad(shown, f"too large ({_mb(info.st_size)}; the limit is {LIMIT_TEXT})", SIZE_HINT)
    if info.st_size == 0:
        raise _bad(shown, "the file is empty")
    try:  # readable by us (os.access would say yes to root for a file it then cannot open on some mounts)
        os.close(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)))
    except OSError as exc:
        raise _bad(shown, f"cannot read it ({(exc.strerror or str(exc)).lower()})") from None
    return LocalFile(path=path, shown=shown, name=path.name, extension=ext, size=info.st_size)


def _bad(shown: str, rule: str, hint: str | None = None) -> BadInput:
    return BadInput(f"cannot upload {shown}: {rule}", hint=hint)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "not a file"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"
