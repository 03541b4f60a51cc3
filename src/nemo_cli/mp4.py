"""What an MP4 (ISO base media file format) says about itself, without ffprobe.

- `head_is_mp4(head, complete)`: whether a file's first bytes are an MP4's. ISO/IEC 14496-12 puts the
  `ftyp` box first; a few writers put padding (`free`, `skip`, `wide`) before it, which is accepted, as
  long as `ftyp` starts within the first HEAD_BYTES. Anything else (an HTML page, a JSON reply, a
  QuickTime file with no `ftyp`) is not an MP4.
- `probe(path)`: the video track's picture size (`tkhd`, 16.16 fixed point, turned by a 90° matrix),
  frame rate (`mdhd` timescale over the `stts` sample durations) and length. Boxes are read one header
  at a time with seeks, so `moov` may sit at the end of a file of any size and only a few hundred bytes
  (plus the `stts` table, in pieces) are ever read.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

HEAD_BYTES = 64 * 1024  # `ftyp` must start within this many bytes
_PADDING = (b"free", b"skip", b"wide")
_STTS_READ = 64 * 1024  # the sample-duration table is read this much at a time


def head_is_mp4(head: bytes, complete: bool) -> bool | None:
    """Whether `head`, the first bytes of a file, starts like an MP4: `ftyp` first, after padding boxes
    at most. None: more bytes are needed to tell (never when `complete`, the whole file or all there is)."""
    pos = 0
    while True:
        if pos + 8 > HEAD_BYTES:
            return False
        if len(head) < pos + 8:
            return False if complete else None
        size, kind = struct.unpack_from(">I4s", head, pos)
        if kind == b"ftyp":
            return size == 1 or size >= 16  # a major brand and a minor version at least (1: a 64-bit size)
        if kind not in _PADDING or size < 8:
            return False
        pos += size


@dataclass
class Video:
    width: int | None
    height: int | None
    fps: float | None  # None when the header does not tell (a fragmented MP4 keeps its timing elsewhere)
    seconds: float | None

    @property
    def size(self) -> str | None:
        return f"{self.width}x{self.height}" if self.width and self.height else None

    def public(self) -> dict[str, int | float | None]:
        return {"width": self.width, "height": self.height, "fps": _plain(self.fps), "seconds": _plain(self.seconds)}


def probe(path: str | os.PathLike[str]) -> Video | None:
    """The first video track of the MP4 at `path`, or None when it is no MP4 or has no video track."""
    try:
        with open(Path(path), "rb") as fh:
            end = os.fstat(fh.fileno()).st_size
            head = fh.read(HEAD_BYTES)
            if not head_is_mp4(head, complete=True):
                return None
            for kind, start, stop in _boxes(fh, 0, end):
                if kind == b"moov":
                    for trak in _children(fh, start, stop, b"trak"):
                        video = _video_track(fh, *trak)
                        if video is not None:
                            return video
                    return None
    except OSError:
        return None
    return None


# -- boxes ---------------------------------------------------------------------------------------


def _boxes(fh: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, where its payload starts, where it ends) of each box between `start` and `end`."""
    pos = start
    while pos + 8 <= end:
        fh.seek(pos)
        header = fh.read(8)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header)
        payload = pos + 8
        if size == 1:  # a 64-bit size follows
            large = fh.read(8)
            if len(large) < 8:
                return
            size = struct.unpack(">Q", large)[0]
            payload += 8
        elif size == 0:  # to the end of the enclosing space
            size = end - pos
        if size < payload - pos or pos + size > end:
            return  # a box that does not fit: stop rather than guess
        yield kind, payload, pos + size
        pos += size


def _children(fh: BinaryIO, start: int, end: int, kind: bytes) -> Iterator[tuple[int, int]]:
    for found, payload, stop in _boxes(fh, start, end):
        if found == kind:
            yield payload, stop


def _child(fh: BinaryIO, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    return next(_children(fh, start, end, kind), None)


def _read(fh: BinaryIO, start: int, end: int, most: int) -> bytes:
    fh.seek(start)
    return fh.read(min(end - start, most))


def _video_track(fh: BinaryIO, start: int, end: int) -> Video | None:
    mdia = _child(fh, start, end, b"mdia")
    if mdia is None:
        return None
    hdlr = _child(fh, *mdia, b"hdlr")
    if hdlr is None or _read(fh, *hdlr, 12)[8:12] != b"vide":
        return None
    width = height = None
    tkhd = _child(fh, start, end, b"tkhd")
    if tkhd is not None:
        width, height = _picture(_read(fh, *tkhd, 128))
    timescale = duration = None
    mdhd = _child(fh, *mdia, b"mdhd")
    if mdhd is not None:
        timescale, duration = _timing(_read(fh, *mdhd, 64))
    fps = None
    stts = _stbl_box(fh, mdia, b"stts")
    if stts is not None and timescale:
        fps = _rate(fh, *stts, timescale)
    seconds = round(duration / timescale, 3) if timescale and duration else None  # 0: not known here
    return Video(width, height, fps, seconds)


def _stbl_box(fh: BinaryIO, mdia: tuple[int, int], kind: bytes) -> tuple[int, int] | None:
    minf = _child(fh, *mdia, b"minf")
    stbl = _child(fh, *minf, b"stbl") if minf is not None else None
    return _child(fh, *stbl, kind) if stbl is not None else None


def _picture(tkhd: bytes) -> tuple[int | None, int | None]:
    """Width and height from a `tkhd` payload (its last 8 bytes, after the 36-byte matrix), in either
    version; a matrix that turns the picture a quarter swaps them."""
    need = 84 if tkhd[:1] == b"\x00" else 96
    if len(tkhd) < need:
        return None, None
    matrix = struct.unpack_from(">9i", tkhd, need - 44)
    width, height = (round(v / 65536) for v in struct.unpack_from(">II", tkhd, need - 8))
    a, b, c, d = matrix[0], matrix[1], matrix[3], matrix[4]
    if a == 0 and d == 0 and b != 0 and c != 0:
        width, height = height, width
    return width or None, height or None


def _timing(mdhd: bytes) -> tuple[int | None, int | None]:
    """(timescale, duration) from an `mdhd` payload, version 0 or 1."""
    if mdhd[:1] == b"\x01":
        if len(mdhd) < 32:
            return None, None
        timescale, duration = struct.unpack_from(">IQ", mdhd, 20)
    else:
        if len(mdhd) < 20:
            return None, None
        timescale, duration = struct.unpack_from(">II", mdhd, 12)
    return timescale or None, duration


def _rate(fh: BinaryIO, start: int, end: int, timescale: int) -> float | None:
    """Frames per second from the `stts` table: the duration most frames have (the nominal rate; the last
    frame's often differs), or the average when no duration covers half the frames (variable rate)."""
    fh.seek(start)
    header = fh.read(8)
    if len(header) < 8:
        return None
    (count,) = struct.unpack_from(">I", header, 4)
    count = min(count, (end - start - 8) // 8)
    frames = ticks = 0
    by_delta: dict[int, int] = {}
    while count:
        n = min(count, _STTS_READ // 8)
        block = fh.read(n * 8)
        if len(block) < n * 8:
            return None
        for i in range(n):
            samples, delta = struct.unpack_from(">II", block, i * 8)
            frames += samples
            ticks += samples * delta
            by_delta[delta] = by_delta.get(delta, 0) + samples
        count -= n
    if not frames or not ticks:
        return None
    delta, most = max(by_delta.items(), key=lambda item: item[1])
    if delta and most * 2 >= frames:
        return round(timescale / delta, 3)
    return round(frames * timescale / ticks, 3)


def _plain(value: float | None) -> int | float | None:
    return int(value) if value is not None and float(value).is_integer() else value
