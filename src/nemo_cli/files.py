"""Local files: where a download lands. The download engine (api/download.py) fetches; these targets
write what it fetches, and decide what may stand at a path.

- `FileTarget`: `PATH.part`, fsynced and renamed to PATH only when complete and of the announced size
  (with `mp4=True`, only when the whole `.part` starts like an MP4). Without `force` an existing PATH is
  never replaced: the rename is a hard link, which refuses to replace, so there is no window for a race.
  A `.part` that is a symbolic link or not a file is refused, never written through.
- `StreamTarget`: a pipe (stdout), which cannot be rewound.
- `check_target(path, force)`: what may stand at a download's final path (symbolic links, devices…),
  asked once: when `-o` names the file, before a render is started (flows.render.Destination.of); when
  it names a directory, at delivery, once the file's name is known. The rename that places the file
  refuses to replace one that appeared meanwhile (see FileTarget).
- The free space is checked before a transfer starts, against what is left to fetch.

Each error says what to do next in the CLI's words (`--force`, `-o`). The `.part` writes pass the
pause points the kill tests stop at (`part-write`, `part-place`; see nemo_cli.durable.pause_point).
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import stat
import threading
from pathlib import Path
from typing import IO

from nemo_cli import errors
from nemo_cli.api.download import Cut, Misplaced, NotVideo, describe
from nemo_cli.durable import fsync_dir, pause_point
from nemo_cli.mp4 import HEAD_BYTES, head_is_mp4


class _Hasher:
    """sha256 on a thread of its own, or nothing when no one asked for it (on a fast link hashing costs
    as much CPU as receiving). hashlib releases the GIL, so the hash overlaps the network and the disk;
    a short queue bounds the memory in flight."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._sha = hashlib.sha256()
        self._queue: "queue.Queue[bytes | None]" = queue.Queue(maxsize=8)
        self._thread = threading.Thread(target=self._run, name="nemo-sha256", daemon=True)
        if enabled:
            self._thread.start()

    def _run(self) -> None:
        while True:
            chunk = self._queue.get()
            if chunk is None:
                return
            self._sha.update(chunk)

    def update(self, chunk: bytes) -> None:
        if self.enabled:
            self._queue.put(chunk)

    def hexdigest(self) -> str | None:
        if not self.enabled:
            return None
        self._queue.put(None)
        self._thread.join()
        return self._sha.hexdigest()

    def abandon(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)


class FileTarget:
    """`PATH.part`, renamed to PATH once complete. Without `force`, an existing PATH is never replaced."""

    def __init__(self, path: Path, *, force: bool = False, sha256: bool = False, mp4: bool = False) -> None:
        self.path = path
        self.part = path.with_name(path.name + ".part")
        self.name = str(path)
        self.force = force
        self.sha256 = sha256
        self.mp4 = mp4  # refuse to rename anything but an MP4 into place
        self._fh: IO[bytes] | None = None
        self._hasher: _Hasher | None = None
        self._size = 0

    def have(self) -> int:
        try:
            info = self.part.lstat()  # a link planted at the .part name is not followed
        except FileNotFoundError:
            return 0
        except OSError as exc:
            raise errors.BadInput(f"cannot read {self.part}: {exc.strerror}") from None
        if stat.S_ISLNK(info.st_mode):
            raise errors.BadInput(f"{self.part} is a symbolic link; refusing to write through it", hint="remove it and try again")
        if not stat.S_ISREG(info.st_mode):
            raise errors.BadInput(f"{self.part} is in the way (not a file)", hint="move it away and try again")
        return info.st_size

    def begin(self, start: int, total: int | None) -> None:
        self.close()
        if total is not None:
            _check_space(self.part.parent, total - start)
        flags = (os.O_RDWR if start else os.O_WRONLY | os.O_CREAT | os.O_TRUNC) | getattr(os, "O_NOFOLLOW", 0)
        try:
            fh = os.fdopen(os.open(self.part, flags, 0o666), "r+b" if start else "wb")
        except FileNotFoundError:
            raise Misplaced("the .part file went away") from None
        except OSError as exc:
            raise errors.BadInput(f"cannot write {self.part}: {exc.strerror}") from None
        self._fh = fh
        if fh.seek(0, os.SEEK_END) < start:
            raise Misplaced("the .part file is shorter than expected")
        fh.truncate(start)
        self._hasher = _Hasher(self.sha256)
        if self.sha256:  # the kept prefix goes into the hash too
            fh.seek(0)
            left = start
            while left:
                block = fh.read(min(left, 1 << 20))
                self._hasher.update(block)
                left -= len(block)
        fh.seek(start)
        self._size = start

    def write(self, chunk: bytes) -> None:
        assert self._fh is not None and self._hasher is not None
        try:
            self._fh.write(chunk)
        except OSError as exc:
            raise errors.BadInput(f"cannot write {self.part}: {exc.strerror}") from None
        self._hasher.update(chunk)
        self._size += len(chunk)
        pause_point("part-write")

    def finish(self, total: int | None) -> tuple[int, str | None]:
        assert self._fh is not None and self._hasher is not None
        if total is not None and self._size != total:
            raise Cut(f"got {self._size} of {total} bytes")
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
        except OSError as exc:
            raise errors.BadInput(f"cannot write {self.part}: {exc.strerror}") from None
        self._fh.close()
        self._fh = None
        digest = self._hasher.hexdigest()
        self._hasher = None
        if self.mp4:
            self._check_mp4()
        pause_point("part-place")  # complete and fsynced, not yet under its real name
        self._place()
        return self._size, digest

    def _check_mp4(self) -> None:
        """The whole .part, before its rename: its head must be an MP4's (a resumed transfer's head came
        from an earlier run)."""
        try:
            fd = os.open(self.part, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as fh:
                head = fh.read(HEAD_BYTES)
        except OSError as exc:
            raise errors.BadInput(f"cannot read {self.part}: {exc.strerror}") from None
        if not head_is_mp4(head, complete=True):
            raise NotVideo(describe(head, ""))

    def _place(self) -> None:
        if self.force:
            os.replace(self.part, self.path)
        else:
            try:  # a hard link is a rename that refuses to replace: no window for a race
                os.link(self.part, self.path)
            except FileExistsError:
                raise exists_error(self.path) from None
            except OSError:  # a file system without hard links
                if self.path.exists():
                    raise exists_error(self.path) from None
                os.replace(self.part, self.path)
            else:
                os.unlink(self.part)
        fsync_dir(self.path.parent)

    def discard(self) -> None:
        self.close()
        try:
            self.part.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise errors.BadInput(f"cannot remove {self.part}: {exc.strerror}") from None

    def close(self) -> None:
        if self._hasher is not None:
            self._hasher.abandon()
            self._hasher = None
        if self._fh is not None:
            try:
                self._fh.close()
            except OSError:
                pass
            self._fh = None


class StreamTarget:
    """A pipe (stdout). It cannot be rewound, so a resume must continue exactly where it stopped."""

    name = "-"

    def __init__(self, stream: IO[bytes], *, sha256: bool = False) -> None:
        self.stream = stream
        self._hasher = _Hasher(sha256)
        self._size = 0

    def have(self) -> int:
        return self._size

    def begin(self, start: int, total: int | None) -> None:
        if start != self._size:
            raise errors.NetworkError(
                "the file changed on the server while it was being streamed; what was written is incomplete",
                hint="run the command again",
            )

    def write(self, chunk: bytes) -> None:
        self.stream.write(chunk)
        self._hasher.update(chunk)
        self._size += len(chunk)
        pause_point("part-write")

    def finish(self, total: int | None) -> tuple[int, str | None]:
        if total is not None and self._size != total:
            raise Cut(f"got {self._size} of {total} bytes")
        self.stream.flush()
        return self._size, self._hasher.hexdigest()

    def discard(self) -> None:
        self.begin(0, None)  # fine before the first byte, an error after it

    def close(self) -> None:
        self._hasher.abandon()
        try:
            self.stream.flush()
        except (OSError, ValueError):
            pass


def exists_error(path: Path) -> errors.BadInput:
    return errors.BadInput(f"{path} already exists", hint="pass --force to overwrite it, or choose another path with -o")


def check_target(path: Path, force: bool) -> None:
    """What may stand at a download's final path. Nothing, or a regular file with --force. A symbolic link
    is never written through (it may point at any file the user owns): without --force it is refused,
    with --force the link itself is replaced by the video and its target is left alone. Anything else (a
    pipe, a device, a socket) is refused."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise errors.BadInput(f"cannot write {path}: {exc.strerror}") from None
    if stat.S_ISLNK(info.st_mode):
        if force:
            return
        raise errors.BadInput(
            f"{path} is a symbolic link (to {os.readlink(path)}); refusing to write through it",
            hint="pass --force to replace the link itself with the video (its target is left alone), or choose another path with -o",
        )
    if not stat.S_ISREG(info.st_mode):
        raise errors.BadInput(f"{path} is not a regular file; refusing to replace it", hint="choose another path with -o")
    if not force:
        raise exists_error(path)


def _check_space(directory: Path, need: int) -> None:
    try:
        free = shutil.disk_usage(directory).free
    except OSError:
        return  # cannot tell: let the write itself fail if it must
    if need > free:
        raise errors.BadInput(
            f"not enough disk space in {directory}: the video needs {_mb(need)}, {_mb(free)} is free",
            hint="free some space, or download somewhere else with -o",
        )


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"
