"""What the service accepts as media, and the checks a local file passes before a byte of it is sent.

The one source of the accepted extensions (routing, shell completion and error hints read them here).
Standard library only: the API layer, the commands and the completion generator all import this.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from nemo_cli.errors import BadInput

# extension → the Content-Type its multipart part carries (a fixed table: `mimetypes` varies by system)
MEDIA_TYPES: dict[str, str] = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "avi": "video/x-msvideo",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
}
ALIASES = {"jpeg": "jpg"}  # the same format under another name
ACCEPTED_EXTENSIONS: frozenset[str] = frozenset(MEDIA_TYPES) | frozenset(ALIASES)
ACCEPTED_TYPES = ", ".join(f"{ext}/jpeg" if ext == "jpg" else ext for ext in MEDIA_TYPES)

# The contract's "500 MB", read as binary megabytes: the looser reading, so a file the service would take
# is never refused here (a stricter service still answers 4002, which is reported the same way).
MAX_BYTES = 500 * 1024 * 1024
LIMIT_TEXT = "500 MB"

TYPE_HINT = f"accepted types: {ACCEPTED_TYPES}"
SIZE_HINT = f"the limit is {LIMIT_TEXT} per file: compress or trim it first (a lower bitrate, or a shorter cut)"


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
