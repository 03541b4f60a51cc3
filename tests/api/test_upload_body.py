"""The pieces of `nemo upload` that need no network: the checks a local file passes before a byte is
sent (media.check) and the streamed multipart body (api/upload.MultipartBody)."""

from __future__ import annotations

import errno
import os
import tracemalloc

import httpx
import pytest

from nemo_cli import media
from nemo_cli.api.upload import MultipartBody
from nemo_cli.errors import BadInput


def write(path, data: bytes = b"data"):
    path.write_bytes(data)
    return path


# -- the checks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, ext, ctype",
    [
        ("clip.mp4", "mp4", "video/mp4"),
        ("CLIP.MOV", "mov", "video/quicktime"),
        ("photo.jpeg", "jpg", "image/jpeg"),
        ("photo.JPEG", "jpg", "image/jpeg"),
        ("photo.Jpg", "jpg", "image/jpeg"),
        ("song.M4a", "m4a", "audio/mp4"),
        ("a.b.webm", "webm", "video/webm"),
    ],
)
def test_accepted_extensions_in_any_case(tmp_path, name, ext, ctype):
    checked = media.check(str(write(tmp_path / name, b"12345")))
    assert (checked.extension, checked.content_type, checked.size, checked.name) == (ext, ctype, 5, name)


def test_the_accepted_list_is_the_contracts():
    assert media.ACCEPTED_EXTENSIONS == {
        "mp4", "mov", "avi", "webm", "mkv", "jpg", "jpeg", "png", "gif", "webp", "mp3", "wav", "m4a", "aac"
    }
    assert media.ACCEPTED_TYPES == "mp4, mov, avi, webm, mkv, jpg/jpeg, png, gif, webp, mp3, wav, m4a, aac"


def rejected(path: str) -> BadInput:
    with pytest.raises(BadInput) as caught:
        media.check(path)
    assert caught.value.exit_code == 6
    assert caught.value.message.startswith(f"cannot upload {path}: ")
    assert "\n" not in caught.value.message
    return caught.value


def test_a_missing_file(tmp_path):
    err = rejected(str(tmp_path / "nope.mp4"))
    assert err.message.endswith(": no such file")


def test_a_path_through_a_file(tmp_path):
    write(tmp_path / "f.mp4")
    assert "no such file" in rejected(str(tmp_path / "f.mp4" / "x.mp4")).message


def test_a_directory_even_with_a_media_name(tmp_path):
    (tmp_path / "dir.mp4").mkdir()
    assert rejected(str(tmp_path / "dir.mp4")).message.endswith("not a regular file (it is a directory)")


def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.mp4")
    assert rejected(str(tmp_path / "pipe.mp4")).message.endswith("not a regular file (it is a named pipe)")


def test_an_unreadable_file(tmp_path, monkeypatch):
    """Opening it fails with EACCES, as for a file of mode 000 and anyone but root; injected at the open so
    the test means the same when run as root, who reads any file whatever its mode."""
    path = write(tmp_path / "secret.mp4")
    real_open = os.open

    def open_(file, flags, *args, **kwargs):
        if os.path.abspath(os.fsdecode(file)) == str(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    err = rejected(str(path))
    assert err.message == f"cannot upload {path}: cannot read it (permission denied)"


@pytest.mark.parametrize("name, said", [("notes.txt", "unsupported file type .txt"), ("clip.MP5", "unsupported file type .mp5"), ("README", "no file extension")])
def test_an_unsupported_type_lists_the_accepted_ones(tmp_path, name, said):
    err = rejected(str(write(tmp_path / name)))
    assert said in err.message
    assert err.hint == f"accepted types: {media.ACCEPTED_TYPES}"


def test_the_size_limit_is_inclusive(tmp_path):
    path = tmp_path / "big.mp4"
    with open(path, "wb") as fh:  # sparse: costs no disk
        fh.truncate(media.MAX_BYTES)
    assert media.check(str(path)).size == media.MAX_BYTES
    with open(path, "r+b") as fh:
        fh.truncate(media.MAX_BYTES + 1)
    err = rejected(str(path))
    assert "too large (500.0 MB; the limit is 500 MB)" in err.message
    assert "compress or trim" in (err.hint or "")


def test_an_empty_file(tmp_path):
    assert rejected(str(write(tmp_path / "empty.mp4", b""))).message.endswith("the file is empty")


def test_a_symlink_to_a_file_is_the_file(tmp_path):
    target = write(tmp_path / "real.mp4", b"abc")
    (tmp_path / "link.mp4").symlink_to(target)
    assert media.check(str(tmp_path / "link.mp4")).size == 3


def test_the_name_sent_has_no_directories(tmp_path):
    (tmp_path / "deep").mkdir()
    checked = media.check(str(write(tmp_path / "deep" / "clip.mp4")))
    assert checked.name == "clip.mp4" and checked.shown == str(tmp_path / "deep" / "clip.mp4")


# -- the body ------------------------------------------------------------------------------------


def test_a_small_body_byte_for_byte(tmp_path):
    one = media.check(str(write(tmp_path / "a.mp4", b"hello")))
    two = media.check(str(write(tmp_path / "b.JPEG", b"\x00\xff\r\n--B\r\n")))
    body = MultipartBody([one, two], boundary="B0undary")
    expected = (
        b"--B0undary\r\n"
        b'Content-Disposition: form-data; name="files"; filename="a.mp4"\r\n'
        b"Content-Type: video/mp4\r\n"
        b"\r\n"
        b"hello\r\n"
        b"--B0undary\r\n"
        b'Content-Disposition: form-data; name="files"; filename="b.JPEG"\r\n'
        b"Content-Type: image/jpeg\r\n"
        b"\r\n"
        b"\x00\xff\r\n--B\r\n\r\n"
        b"--B0undary--\r\n"
    )
    assert bytes(body) == expected
    assert body.length == len(expected)
    assert body.headers == {"Content-Type": "multipart/form-data; boundary=B0undary", "Content-Length": str(len(expected))}


def test_the_body_is_what_httpx_would_encode(tmp_path):
    """The same bytes as httpx's own (buffering) multipart encoder for the same files and boundary."""
    a = write(tmp_path / "a.mp4", os.urandom(3000))
    b = write(tmp_path / "song.wav", os.urandom(10))
    ours = MultipartBody([media.check(str(a)), media.check(str(b))], boundary="xyz123")
    theirs = httpx.Request(
        "POST",
        "http://x/",
        files=[("files", ("a.mp4", a.read_bytes(), "video/mp4")), ("files", ("song.wav", b.read_bytes(), "audio/wav"))],
        headers={"Content-Type": "multipart/form-data; boundary=xyz123"},
    )
    assert bytes(ours) == theirs.read()
    assert str(ours.length) == theirs.headers["content-length"]


def test_a_multipart_parser_reads_back_names_and_bytes(tmp_path):
    import python_multipart  # in the dev extra: a missing one is a broken install, not a skip
    files = {'we"ird\nname é.mp4': os.urandom(70_000), "b.png": b"\r\n--nemo-\r\n"}
    checked = [media.check(str(write(tmp_path / name, data))) for name, data in files.items()]
    body = MultipartBody(checked, chunk=4096)
    got: list[tuple[bytes, bytes]] = []
    current: dict = {}

    parser = python_multipart.MultipartParser(
        body.boundary.encode(),
        callbacks={
            "on_part_begin": lambda: current.update(headers=b"", data=b"", field=b""),
            "on_header_field": lambda d, s, e: current.update(field=d[s:e]),
            "on_header_value": lambda d, s, e: current.update(headers=current["headers"] + current["field"] + b": " + d[s:e] + b"\n"),
            "on_part_data": lambda d, s, e: current.update(data=current["data"] + d[s:e]),
            "on_part_end": lambda: got.append((current["headers"], current["data"])),
        },
    )
    for piece in body.stream():
        parser.write(piece)
    parser.finalize()
    assert [data for _, data in got] == list(files.values())
    assert b'filename="we%22ird%0Aname \xc3\xa9.mp4"' in got[0][0]
    assert b"Content-Type: image/png" in got[1][0]


def test_the_length_is_what_the_stream_produces_and_progress_counts_it(tmp_path):
    sizes = [1, 4096, 4097, 10_000]
    checked = [media.check(str(write(tmp_path / f"f{i}.mp3", os.urandom(n)))) for i, n in enumerate(sizes)]
    body = MultipartBody(checked, chunk=4096)
    seen: list[int] = []
    produced = sum(len(piece) for piece in body.stream(seen.append))
    assert produced == body.length == seen[-1]
    assert seen == sorted(seen) and seen[0] == 0
    assert max(len(p) for p in body.stream()) <= 4096 + 200  # file pieces are chunk-sized; heads are small
    assert body.complete


def test_a_second_pass_reads_the_files_again(tmp_path):
    body = MultipartBody([media.check(str(write(tmp_path / "a.mp4", b"x" * 10)))], boundary="b")
    first = b"".join(body.stream())
    assert b"".join(body.stream()) == first


def test_memory_stays_flat_for_a_large_file(tmp_path):
    path = tmp_path / "large.mp4"
    with open(path, "wb") as fh:
        fh.truncate(64 * 1024 * 1024)  # sparse: reads as zeros
    body = MultipartBody([media.check(str(path))])
    tracemalloc.start()
    try:
        total = sum(len(piece) for piece in body.stream())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == body.length > 64 * 1024 * 1024
    assert peak < 4 * 1024 * 1024  # a piece or two in flight, never the file


@pytest.mark.parametrize("how, change", [("shorter", lambda fh: fh.truncate(3)), ("longer", lambda fh: fh.write(b"more"))])
def test_a_file_that_changes_size_is_not_sent_wrong(tmp_path, how, change):
    path = write(tmp_path / "a.mp4", b"0123456789")
    body = MultipartBody([media.check(str(path))], chunk=4)
    with open(path, "r+b") as fh:
        fh.seek(0, os.SEEK_END)
        change(fh)
    with pytest.raises(BadInput) as caught:
        b"".join(body.stream())
    assert caught.value.message == f"cannot upload {path}: it changed while it was being uploaded (it is {how} now)"
    assert not body.complete
