"""nemo_cli.mp4: the MP4 head check and the header probe (size, frame rate, length), on MP4s made by
ffmpeg (the imageio-ffmpeg wheel's binary) and on boxes built by hand for what ffmpeg will not write."""

from __future__ import annotations

import struct
import subprocess

import pytest

from nemo_cli import mp4


def ffmpeg(*args: str) -> None:
    from nemo_cli.emulator.media import ffmpeg as binary

    subprocess.run([binary(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


def clip(path, *, size="320x240", rate="12", seconds="1", extra=(), before=()):
    ffmpeg(*before, "-f", "lavfi", "-i", f"testsrc=size={size}:rate={rate}:duration={seconds}",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", *extra, str(path))  # fmt: skip
    return path


# -- boxes by hand ---------------------------------------------------------------------------------


def box(kind: bytes, *payload: bytes) -> bytes:
    body = b"".join(payload)
    return struct.pack(">I4s", 8 + len(body), kind) + body


FTYP = box(b"ftyp", b"isom", b"\x00\x00\x02\x00", b"isomiso2avc1mp41")
IDENTITY = struct.pack(">9i", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
QUARTER = struct.pack(">9i", 0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000)


def tkhd(width, height, *, version=0, matrix=IDENTITY) -> bytes:
    times = bytes(20) if version == 0 else bytes(32)  # creation, modification, track id, reserved, duration
    return box(b"tkhd", bytes([version, 0, 0, 3]), times, bytes(8), bytes(8), matrix, struct.pack(">II", width << 16, height << 16))


def mdhd(timescale, duration, *, version=0) -> bytes:
    if version == 0:
        return box(b"mdhd", bytes(4), bytes(8), struct.pack(">II", timescale, duration), bytes(4))
    return box(b"mdhd", b"\x01\x00\x00\x00", bytes(16), struct.pack(">IQ", timescale, duration), bytes(4))


def hdlr(kind: bytes) -> bytes:
    return box(b"hdlr", bytes(8), kind, bytes(12), b"handler\x00")


def stts(*entries: tuple[int, int]) -> bytes:
    return box(b"stts", bytes(4), struct.pack(">I", len(entries)), *(struct.pack(">II", n, d) for n, d in entries))


def trak(kind=b"vide", *, width=1280, height=720, timescale=12800, duration=25600, entries=((50, 512),), version=0, matrix=IDENTITY):
    stbl = box(b"stbl", stts(*entries))
    return box(b"trak", tkhd(width, height, version=version, matrix=matrix),
               box(b"mdia", mdhd(timescale, duration, version=version), hdlr(kind), box(b"minf", stbl)))  # fmt: skip


def moov(*traks: bytes) -> bytes:
    return box(b"moov", box(b"mvhd", bytes(100)), *traks)


def write(path, *boxes: bytes):
    path.write_bytes(b"".join(boxes))
    return path


# -- the head check --------------------------------------------------------------------------------


def test_the_head_of_real_mp4s_and_movs(tmp_path):
    for name, extra in [("a.mp4", ()), ("b.mp4", ("-movflags", "+faststart")), ("c.mov", ())]:
        head = clip(tmp_path / name, extra=extra).read_bytes()[:64]
        assert mp4.head_is_mp4(head, complete=False) is True
        assert mp4.head_is_mp4(head[:8], complete=False) is True  # the ftyp box header alone decides


@pytest.mark.parametrize(
    "head,complete,verdict",
    [
        (b"", True, False),
        (b"", False, None),
        (b"\x00\x00\x00\x18ft", False, None),  # cannot tell yet
        (b"\x00\x00\x00\x18ft", True, False),  # and never will
        (b"<!DOCTYPE html><html>", False, False),
        (b'{"code": 0, "data": {"url": "x"}}', False, False),
        (b"\x00\x00\x00\x08wide" + FTYP, True, True),  # QuickTime-style padding before ftyp
        (box(b"free", bytes(100)) + box(b"skip", bytes(3)) + FTYP, True, True),
        (box(b"free", bytes(100)), False, None),  # padding so far: more is needed
        (box(b"free", bytes(100)), True, False),
        (box(b"moov", bytes(40)) + FTYP, True, False),  # no ftyp first: not an MP4 by this rule
        (box(b"mdat", bytes(40)), True, False),
        (b"\x00\x00\x00\x0cftypisom", True, False),  # an ftyp too small to hold a brand and a version
        (b"\x00\x00\x00\x01ftyp" + struct.pack(">Q", 32) + bytes(16), True, True),  # a 64-bit size
        (b"\x00\x00\x00\x00free", True, False),  # padding "to the end of the file"
        (b"\x00\x00\x00\x04free", True, False),  # a box smaller than its header
    ],
)
def test_the_head_check(head, complete, verdict):
    assert mp4.head_is_mp4(head, complete=complete) is verdict


def test_padding_that_pushes_ftyp_past_the_limit_is_refused():
    padding = box(b"free", bytes(mp4.HEAD_BYTES))
    assert mp4.head_is_mp4(padding, complete=False) is False
    assert mp4.head_is_mp4(padding + FTYP, complete=False) is False


# -- the probe, on files ffmpeg made ----------------------------------------------------------------


@pytest.mark.parametrize(
    "size,rate,fps",
    [("320x240", "12", 12), ("640x360", "25", 25), ("1280x720", "30000/1001", 29.97), ("1080x1920", "60", 60)],
)
def test_size_and_rate_of_real_mp4s(tmp_path, size, rate, fps):
    video = mp4.probe(clip(tmp_path / "v.mp4", size=size, rate=rate))
    width, height = (int(n) for n in size.split("x"))
    assert (video.width, video.height) == (width, height) and video.size == size
    assert video.fps == pytest.approx(fps, abs=0.005)
    assert video.seconds == pytest.approx(1.0, abs=0.01)


def test_moov_at_the_end_or_the_start_reads_the_same(tmp_path):
    at_end = clip(tmp_path / "end.mp4", rate="15")
    at_start = clip(tmp_path / "start.mp4", rate="15", extra=("-movflags", "+faststart"))
    assert at_end.read_bytes().find(b"moov") > at_end.read_bytes().find(b"mdat")
    assert at_start.read_bytes().find(b"moov") < at_start.read_bytes().find(b"mdat")
    assert mp4.probe(at_end) == mp4.probe(at_start) == mp4.Video(320, 240, 15.0, 1.0)


def test_a_render_of_the_emulator_with_sound(tmp_path):
    from nemo_cli.emulator.media import make_clip

    make_clip(tmp_path / "c.mp4", seconds=2, size="160x120", fps=10)  # H.264 + AAC: the audio track is skipped
    assert mp4.probe(tmp_path / "c.mp4").public() == {"width": 160, "height": 120, "fps": 10, "seconds": 2}


def test_a_turned_picture_reports_its_displayed_size(tmp_path):
    src = clip(tmp_path / "src.mp4", size="320x240")
    ffmpeg("-display_rotation", "90", "-i", str(src), "-c", "copy", str(tmp_path / "turned.mp4"))
    assert mp4.probe(tmp_path / "turned.mp4").size == "240x320"


def test_a_fragmented_mp4_has_a_size_but_no_rate_in_its_header(tmp_path):
    video = mp4.probe(clip(tmp_path / "frag.mp4", extra=("-movflags", "frag_keyframe+empty_moov")))
    assert video == mp4.Video(320, 240, None, None)


def test_no_video_or_no_mp4_is_none(tmp_path):
    ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", str(tmp_path / "sound.m4a"))
    assert mp4.probe(tmp_path / "sound.m4a") is None
    (tmp_path / "page.mp4").write_bytes(b"<!DOCTYPE html><html><body>Sign in</body></html>")
    assert mp4.probe(tmp_path / "page.mp4") is None
    assert mp4.probe(tmp_path / "missing.mp4") is None
    assert mp4.probe(tmp_path) is None  # a directory


# -- the probe, on boxes built by hand -------------------------------------------------------------


def test_version_1_boxes(tmp_path):
    path = write(tmp_path / "v1.mp4", FTYP, moov(trak(version=1, width=1920, height=1080, timescale=90000, duration=180000,
                                                      entries=((48, 3750),))))  # fmt: skip
    assert mp4.probe(path) == mp4.Video(1920, 1080, 24.0, 2.0)


def test_the_quarter_turn_matrix_swaps_width_and_height(tmp_path):
    assert mp4.probe(write(tmp_path / "t.mp4", FTYP, moov(trak(matrix=QUARTER)))).size == "720x1280"


def test_the_nominal_rate_ignores_an_odd_last_frame_and_variable_rates_average(tmp_path):
    nominal = write(tmp_path / "n.mp4", FTYP, moov(trak(timescale=15360, entries=((149, 1024), (1, 512)))))
    assert mp4.probe(nominal).fps == 15.0
    variable = write(tmp_path / "v.mp4", FTYP, moov(trak(timescale=1000, entries=((10, 40), (10, 50), (10, 100)))))
    assert mp4.probe(variable).fps == pytest.approx(30 * 1000 / 1900, abs=0.001)


def test_the_first_video_track_is_read_after_a_sound_track(tmp_path):
    path = write(tmp_path / "av.mp4", FTYP, moov(trak(b"soun", width=0, height=0, timescale=44100), trak(width=640, height=480)))
    assert mp4.probe(path).size == "640x480"


def test_a_huge_mdat_before_moov_is_skipped_by_seeking(tmp_path, monkeypatch):
    # a 5 GB mdat with a 64-bit size (a sparse file: no disk is used), moov after it: the probe reads a
    # few hundred bytes, never the media
    path = tmp_path / "big.mp4"
    mdat_size = 5 * 2**30
    with open(path, "wb") as fh:
        fh.write(FTYP + struct.pack(">I4sQ", 1, b"mdat", mdat_size))
        fh.seek(len(FTYP) + mdat_size)
        fh.write(moov(trak(width=1920, height=1080, timescale=30000, duration=60000, entries=((60, 1000),))))
    read = []
    real_open = open

    def counting_open(*args, **kwargs):
        fh = real_open(*args, **kwargs)
        real_read = fh.read
        fh.read = lambda n=-1: read.append(n) or real_read(n)  # type: ignore[method-assign]
        return fh

    monkeypatch.setattr(mp4, "open", counting_open, raising=False)
    assert mp4.probe(path) == mp4.Video(1920, 1080, 30.0, 2.0)
    assert -1 not in read and sum(read) < mp4.HEAD_BYTES + 4096


@pytest.mark.parametrize(
    "boxes",
    [
        [FTYP],  # no moov
        [FTYP, box(b"moov")],  # no track
        [FTYP, moov(box(b"trak", box(b"mdia")))],  # no handler
        [FTYP, moov(trak(entries=()))],  # no sample durations: the size, no rate
        [FTYP, moov(trak())[:-20]],  # cut short inside the track
        [FTYP, struct.pack(">I4s", 4000, b"moov") + bytes(30)],  # a box larger than the file
        [FTYP, moov(box(b"trak", box(b"tkhd", b"\x00\x00\x00\x00"), box(b"mdia", hdlr(b"vide"), box(b"mdhd", b"\x00"))))],
        [FTYP, moov(trak(timescale=0))],
        [FTYP, moov(trak(entries=((0xFFFFFFFF, 0),)))],
    ],
)
def test_broken_headers_never_raise(tmp_path, boxes):
    video = mp4.probe(write(tmp_path / "broken.mp4", *boxes))
    assert video is None or isinstance(video, mp4.Video)
