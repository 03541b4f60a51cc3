"""What the service takes as media (contract §5): the accepted extensions with the Content-Type a
multipart part carries, the size limit, and the hints its refusals get (4001: the accepted types, 4002:
compress or trim). Wire knowledge, standard library only: the Transport's error table reads the hints,
the multipart body the types, and nemo_cli.media builds its checks of a local file on the same table
(routing, shell completion and `upload --help` read it there)."""

from __future__ import annotations

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
# is never refused before it is sent (a stricter service still answers 4002, which is reported the same way).
MAX_BYTES = 500 * 1024 * 1024
LIMIT_TEXT = "500 MB"

TYPE_HINT = f"accepted types: {ACCEPTED_TYPES}"
SIZE_HINT = f"the limit is {LIMIT_TEXT} per file: compress or trim it first (a lower bitrate, or a shorter cut)"
