"""`nemo upload` end to end: the real entry point as a subprocess against the emulator over loopback.
Asserts on stdout/stderr/exit codes, on what the emulator logged (how many POSTs, which were answered),
on the session state afterwards (`nemo state --json`), and on the bytes the CDN hands back."""

from __future__ import annotations

import hashlib
import json
import os
import select
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import imageio_ffmpeg  # the `dev` extra's, like starlette: missing, they fail the run instead of skipping it
import pytest
import starlette  # noqa: F401  (the emulator's web framework: imported for the check above)

UPLOAD = "/api/upload-video/nemo_agent/me/"


@pytest.fixture
def sid(emulator):
    done = emulator.nemo("session", "new", "-q")
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def posts(emulator) -> list:
    return [r for r in emulator.requests if r.method == "POST" and r.path.startswith(UPLOAD)]


def on_session(emulator) -> list[str]:
    """The file names of the session's media, as `nemo state --json` reports them."""
    done = emulator.nemo("state", "--json")
    assert done.returncode == 0, done.stderr
    return [info["filename"] for info in json.loads(done.stdout)["video_infos"]]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ffmpeg(*args: str) -> None:
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", *args], check=True)


def clean(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    assert "nmv_usr_" not in done.stdout + done.stderr
    return done


# -- uploads that work ---------------------------------------------------------------------------


def test_one_file(emulator, sid, tmp_path):
    clip = emulator.media(tmp_path / "Beach Day.MP4")
    done = clean(emulator.nemo("upload", clip))
    assert done.returncode == 0, done.stderr
    name, kind, seconds, size, fps, url = done.stdout.rstrip("\n").rsplit("  ", 5)
    assert (name, kind, seconds, size, fps) == ("Beach Day.MP4", "video", "8s", "320x240", "12 fps")
    assert url.startswith(emulator.cdn_url + "/f/uploads/")
    assert done.stderr == f"uploaded 1 file to session {sid}\n"
    (post,) = posts(emulator)
    assert post.path == UPLOAD + sid and post.status == 200
    assert post.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert "transfer-encoding" not in post.headers
    with urllib.request.urlopen(url) as fetched:  # the CDN has the very bytes that were sent
        assert hashlib.sha256(fetched.read()).hexdigest() == sha256(clip)
    assert on_session(emulator) == ["Beach Day.MP4"]


def test_several_files_in_one_request(emulator, sid, tmp_path):
    clip = emulator.media(tmp_path / "a.mp4")
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x48", "-frames:v", "1", str(tmp_path / "still.PNG"))
    ffmpeg("-f", "lavfi", "-i", "sine=d=1", str(tmp_path / "tone.wav"))
    paths = [clip, tmp_path / "still.PNG", tmp_path / "tone.wav"]
    done = clean(emulator.nemo("upload", *paths, "--json"))
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["session_id"] == sid and doc["failed"] == [] and doc["session_state_applied"] is True
    assert [(f["filename"], f["file_type"]) for f in doc["files"]] == [("a.mp4", "video"), ("still.PNG", "image"), ("tone.wav", "audio")]
    assert [f["hash"] for f in doc["files"]] == [sha256(p) for p in paths]  # the service hashed what it got
    assert doc["files"][1]["width"] == 64 and doc["files"][2]["duration"] == 1.0
    assert len(posts(emulator)) == 1


def test_quiet_prints_the_cdn_urls(emulator, sid, tmp_path):
    a, b = emulator.media(tmp_path / "a.mp4"), emulator.media(tmp_path / "b.mov")
    done = clean(emulator.nemo("upload", a, b, "-q"))
    assert done.returncode == 0 and done.stderr == ""
    urls = done.stdout.splitlines()
    assert len(urls) == 2 and all(u.startswith(emulator.cdn_url) for u in urls)


def test_a_url(emulator, sid):
    done = clean(emulator.nemo("upload", "--url", "https://example.com/footage/take1.mov"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("take1.mp4  video  5s  320x240  12 fps  " + emulator.cdn_url)
    (post,) = posts(emulator)
    assert post.json == {"urls": ["https://example.com/footage/take1.mov"], "source_type": "url"}


def test_each_goes_on_past_a_file_the_service_refuses(emulator, sid, tmp_path):
    good1, good2 = emulator.media(tmp_path / "one.mp4"), emulator.media(tmp_path / "two.mp4")
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(os.urandom(5000))  # the right name, not a video: the service says 4001
    done = clean(emulator.nemo("upload", "--each", good1, fake, good2))
    assert done.returncode == 6
    assert [line.split("  ")[0] for line in done.stdout.splitlines()] == ["one.mp4", "two.mp4"]
    assert f"error: cannot upload {fake}: unsupported file type: fake.mp4 is not a media file the service can read" in done.stderr
    assert f"error: 1 of 3 uploads failed: {fake}" in done.stderr
    assert [p.status for p in posts(emulator)] == [200, 200, 200]  # the refusal is an envelope code
    assert on_session(emulator) == ["one.mp4", "two.mp4"]


# -- rejections: nothing is sent -------------------------------------------------------------------


def _missing(tmp: Path) -> Path:
    return tmp / "missing.mp4"


def _directory(tmp: Path) -> Path:
    (tmp / "folder.mp4").mkdir()
    return tmp / "folder.mp4"


def _fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "pipe.mp4")
    return tmp / "pipe.mp4"


def _text(tmp: Path) -> Path:
    (tmp / "notes.txt").write_text("hello")
    return tmp / "notes.txt"


def _too_large(tmp: Path) -> Path:
    with open(tmp / "huge.mkv", "wb") as fh:
        fh.truncate(500 * 1024 * 1024 + 1)  # sparse
    return tmp / "huge.mkv"


def _empty(tmp: Path) -> Path:
    (tmp / "empty.webm").write_bytes(b"")
    return tmp / "empty.webm"


@pytest.mark.parametrize(
    "make, rule, hint",
    [
        (_missing, "no such file", None),
        (_directory, "not a regular file (it is a directory)", None),
        (_fifo, "not a regular file (it is a named pipe)", None),
        (_text, "unsupported file type .txt", "hint: accepted types: mp4, mov, avi, webm, mkv, jpg/jpeg, png, gif, webp, mp3, wav, m4a, aac"),
        (_too_large, "too large (500.0 MB; the limit is 500 MB)", "hint: the limit is 500 MB per file: compress or trim it first"),
        (_empty, "the file is empty", None),
    ],
)
def test_each_rejection_sends_nothing(emulator, sid, tmp_path, make, rule, hint):
    good = emulator.media(tmp_path / "good.mp4")
    bad = make(tmp_path)
    before = len(emulator.requests)
    done = clean(emulator.nemo("upload", good, bad))
    assert done.returncode == 6
    lines = done.stderr.splitlines()
    assert lines[0] == f"error: cannot upload {bad}: {rule}"
    if hint:
        assert lines[1].startswith(hint)
    else:
        assert len(lines) == 1
    assert done.stdout == ""
    assert len(emulator.requests) == before  # not a single request, let alone a byte of the good file


def test_the_service_saying_too_large_is_reported_the_same_way(emulator, sid, tmp_path):
    clip = emulator.media(tmp_path / "a.mp4")
    emulator.inject("code", path=UPLOAD, code=4002)
    done = clean(emulator.nemo("upload", clip))
    assert done.returncode == 6
    assert done.stderr.startswith(f"error: cannot upload {clip}: file too large: ")
    assert "hint: the limit is 500 MB per file: compress or trim it first" in done.stderr
    assert len(posts(emulator)) == 1


# -- faults --------------------------------------------------------------------------------------


def test_an_answer_dropped_mid_body_is_not_sent_again(emulator, sid, tmp_path):
    """The service stored the file, then the connection dropped in its answer: one POST, the user told
    that it may have gone through, and the session indeed has it once."""
    clip = emulator.media(tmp_path / "a.mp4")
    emulator.inject("drop", path=UPLOAD)
    done = clean(emulator.nemo("upload", clip))
    assert done.returncode == 9
    assert done.stderr.startswith("error: the connection to ")
    assert "hint: the file(s) went out in full, so the service may have them: check with `nemo state`" in done.stderr
    assert len(posts(emulator)) == 1
    assert on_session(emulator) == ["a.mp4"]


def test_an_error_status_is_not_sent_again(emulator, sid, tmp_path):
    clip = emulator.media(tmp_path / "a.mp4")
    emulator.inject("status", path=UPLOAD, status=503)
    done = clean(emulator.nemo("upload", clip))
    assert done.returncode == 9 and "HTTP 503" in done.stderr
    assert [p.status for p in posts(emulator)] == [503]


class CuttingProxy:
    """127.0.0.1 in front of the emulator; the first `cuts` connections are closed after `after` bytes
    of request, so the body never arrives whole (the emulator sees a request it cannot finish)."""

    def __init__(self, target: str, cuts: int, after: int) -> None:
        host, port = target.rsplit("//", 1)[1].split(":")
        self.target = (host, int(port))
        self.cuts, self.after = cuts, after
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            cut = self.connections <= self.cuts
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, upstream, self.after if cut else None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, None), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket, limit: int | None) -> None:
        moved = 0
        try:
            while limit is None or moved < limit:
                data = src.recv(min(65536, limit - moved) if limit is not None else 65536)
                if not data:
                    break
                dst.sendall(data)
                moved += len(data)
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def close(self) -> None:
        self.listener.close()


def test_a_body_cut_on_its_way_out_is_sent_again(emulator, sid, tmp_path):
    """The connection dies while the body is still going out (the service cannot have it): nemo sends it
    again, rebuilt from disk, and the file lands once."""
    clip = emulator.media(tmp_path / "padded.mp4")
    with open(clip, "ab") as fh:  # big enough that the socket buffers cannot swallow it whole
        fh.write(os.urandom(24 * 1024 * 1024))
    proxy = CuttingProxy(emulator.url, cuts=1, after=256 * 1024)
    try:
        done = clean(emulator.nemo("upload", clip, "--json", env={"NEMO_API_URL": proxy.url}))
    finally:
        proxy.close()
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["files"][0]["hash"] == sha256(clip)
    cut, whole = posts(emulator)
    assert cut.status != 200 and whole.status == 200  # the emulator's answer to the cut one found no one
    assert on_session(emulator) == ["padded.mp4"]


def test_cuts_that_keep_coming_give_up(emulator, sid, tmp_path):
    clip = emulator.media(tmp_path / "padded.mp4")
    with open(clip, "ab") as fh:
        fh.write(os.urandom(24 * 1024 * 1024))
    proxy = CuttingProxy(emulator.url, cuts=99, after=256 * 1024)
    try:
        done = clean(emulator.nemo("upload", clip, env={"NEMO_API_URL": proxy.url, "NEMO_RETRIES": "2"}))
    finally:
        proxy.close()
    assert done.returncode == 9
    assert proxy.connections == 3  # the first try and two more
    assert len(posts(emulator)) == 3 and all(p.status != 200 for p in posts(emulator))
    assert on_session(emulator) == []


# -- a terminal ----------------------------------------------------------------------------------


def test_a_progress_bar_on_a_terminal(emulator, sid, tmp_path):
    clip = emulator.media(tmp_path / "a.mp4")
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "nemo"), "upload", str(clip)],
        env=emulator.env(COLUMNS="100", TERM="xterm"), stdout=subprocess.PIPE, stderr=slave,
    )
    os.close(slave)
    seen = b""
    while True:  # until the child is gone and the terminal closes (EIO); select keeps a hang from blocking
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        seen += data
    proc.wait(timeout=60)
    os.close(master)
    assert proc.returncode == 0
    assert proc.stdout is not None and proc.stdout.read().startswith(b"a.mp4  video  8s")
    assert b"uploading a.mp4" in seen  # the bar (rich, erased when done) was drawn on the terminal
