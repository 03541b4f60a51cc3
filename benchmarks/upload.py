"""Benchmark for `nemo upload`: throughput and peak RSS against `curl -F files=@…`, in the same run.

    python benchmarks/upload.py [--size-mb 500] [--rounds 3] [--link-mb-s 100] [--emulator]

Both clients upload the same generated file (random bytes named bench.mp4) to the same receiver on
127.0.0.1, started here: the upload endpoint of the contract, which streams each request body to a file
and answers with a file record once it has all of it. It parses nothing while receiving, so it is not the
bottleneck; the source file and what is received live on tmpfs (/dev/shm) when there is room, so the disk
is not either. After each run, outside the timing, the received body is checked: one `files` part whose
bytes are the source's, and no chunked encoding. Goals (issue 4): nemo at least 0.8x curl's throughput,
nemo's peak RSS under 100 MB. Peak RSS is the child's own, from wait4(2).

The runs are made twice: first over the unthrottled loopback (GB/s, so nemo's fixed start-up cost weighs
heavily on a 500 MB file), then with the receiver reading no faster than --link-mb-s (default 100 MB/s,
about a 1 Gbit/s link), the same throttle for curl and nemo, which puts that fixed cost in proportion.

With --emulator the same runs go to `nemo emulator serve` (its own process) instead: the service as the
end-to-end tests see it, which parses the multipart body with python-multipart, hashes, copies and probes
each file with ffmpeg before it answers, so its own work dominates the figures. The file is then a real
clip padded with random bytes to the size, so the probe accepts it; there is no on-the-wire figure.

The real `nemo` entry point runs as a subprocess (NEMO_TOKEN and NEMO_SESSION set, so the upload is its
only request). Its fixed cost (start-up, imports) is measured apart by uploading a 1-byte file, and the
"transfer alone" figure takes it out.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from download import NEMO, TOKEN, load, nemo_env, pace, sha256, timed  # noqa: E402  (the same runner and hashing as the download benchmark)

SID = "5529798706024415232"
PIECE = 1 << 20


class Receiver:
    """POST /api/upload-video/nemo_agent/me/<sid>: the body goes to a file as it arrives."""

    def __init__(self, spool: Path, rate: float | None = None) -> None:
        self.spool = spool
        self.rate = rate  # bytes/s the receiver reads at (a link of that speed), None: unthrottled
        self.received: list[dict] = []  # per request: path, content-length, headers
        self.lock = threading.Lock()
        self.base = ""

    def serve(self) -> ThreadingHTTPServer:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # also answers curl's `Expect: 100-continue`

            def log_message(self, *args):
                pass

            def do_POST(self):
                if not re.fullmatch(r"/api/upload-video/nemo_agent/me/[^/]+", self.path):
                    return self._json({"code": 404, "message": "not here"}, 404)
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._json({"code": 1001, "message": "bad token"}, 401)
                length = self.headers.get("Content-Length")
                if length is None or "chunked" in self.headers.get("Transfer-Encoding", ""):
                    return self._json({"code": 411, "message": "Content-Length required"}, 411)
                with receiver.lock:
                    n = len(receiver.received)
                    out = receiver.spool / f"received-{n}.bin"
                    receiver.received.append({"path": out, "length": int(length), "type": self.headers.get("Content-Type", "")})
                span = receive(self.rfile, self.connection, out, int(length), receiver.rate)
                if span is None:
                    return  # the client went away
                with receiver.lock:
                    receiver.received[n]["wire"] = span
                record = {"filename": "bench.mp4", "file_type": "video", "cdn_url": f"{receiver.base}/cdn/{n}/bench.mp4", "hash": str(n)}
                self._json({"code": 0, "data": {"files": [record], "session_state_applied": True}})

            def _json(self, doc, code=200):
                body = json.dumps(doc).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass

        server = Server(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


def receive(rfile, sock, out: Path, length: int, rate: float | None = None) -> float | None:
    """`length` bytes of body into `out`: what the request reader already buffered, then straight from the
    socket to the file with splice(2) (no copy through this process, so the receiver leaves the CPU to the
    clients), or readinto where splice is missing. Returns the seconds from the first body byte to the
    last (the transfer as the wire saw it, the same measure for every client), None if the body was cut.
    With `rate`, it reads no faster than that many bytes/s: the client's sends block on a full socket, as
    on a link of that speed."""
    with open(out, "wb") as fh:
        first = rfile.read1(min(length, PIECE)) if length else b""
        started = time.perf_counter()
        if length and not first:
            return None
        fh.write(first)
        left = length - len(first)
        if hasattr(os, "splice"):
            fh.flush()
            r, w = os.pipe()
            try:
                if hasattr(fcntl, "F_SETPIPE_SZ"):
                    try:
                        fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, PIECE)
                    except OSError:
                        pass  # a smaller pipe only means more calls
                while left:
                    pace(started, length - left, rate)
                    got = os.splice(sock.fileno(), w, min(left, PIECE))
                    if not got:
                        return None
                    left -= got
                    while got:
                        got -= os.splice(r, fh.fileno(), got)
            finally:
                os.close(r)
                os.close(w)
            return time.perf_counter() - started
        view = memoryview(bytearray(PIECE))
        while left:
            pace(started, length - left, rate)
            got = rfile.readinto(view[: min(PIECE, left)])
            if not got:
                return None
            fh.write(view[:got])
            left -= got
    return time.perf_counter() - started


def check_body(entry: dict, source: Path, want: str) -> None:
    """One `files` part named bench.mp4 holding exactly the source's bytes, and the closing boundary."""
    boundary = entry["type"].split("boundary=", 1)[1].strip('"').encode()
    path, size = entry["path"], source.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(4096)
        start = head.index(b"\r\n\r\n") + 4
        if not head.startswith(b"--" + boundary + b"\r\n") or b'name="files"; filename="bench.mp4"' not in head[:start]:
            raise SystemExit(f"unexpected part head: {head[:start]!r}")
        fh.seek(start)
        h = hashlib.sha256()
        left = size
        while left:
            block = fh.read(min(left, PIECE))
            h.update(block)
            left -= len(block)
        tail = fh.read()
    if h.hexdigest() != want or tail != b"\r\n--" + boundary + b"--\r\n" or path.stat().st_size != entry["length"]:
        raise SystemExit("the receiver did not get the file's bytes in one well-formed part")


class Emulated:
    """`nemo emulator serve` in a process of its own, with a session and the token to reach it."""

    def __init__(self, work: Path) -> None:
        import subprocess

        self.data = work / "emulator-data"
        self.proc = subprocess.Popen([NEMO, "emulator", "serve", "-q", "--data-dir", str(self.data)], stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.base = self.proc.stdout.readline().strip()
        if not self.base.startswith("http"):
            self.stop()
            raise SystemExit("`nemo emulator serve` did not start (is the emulator extra installed?)")
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
        env.update(NEMO_API_URL=self.base, NEMO_CONFIG_DIR=str(work / "emulator-config"))
        self.sid = subprocess.run([NEMO, "session", "new", "-q"], env=env, capture_output=True, text=True, check=True).stdout.strip()
        self.token = subprocess.run([NEMO, "auth", "token"], env=env, capture_output=True, text=True, check=True).stdout.strip()

    def uploads(self) -> list[Path]:
        return sorted((self.data / "uploads").glob("*"))

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def make_source(path: Path, size_mb: int, playable: bool) -> None:
    """size_mb x 10^6 random bytes; with `playable`, a real clip first (its moov box ends the parse, so
    what follows is padding ffmpeg ignores)."""
    with open(path, "wb") as fh:
        if playable:
            from nemo_cli.emulator.media import make_clip

            clip = path.with_name("clip.mp4")
            make_clip(clip, 8)
            fh.write(clip.read_bytes())
            clip.unlink()
        while fh.tell() < size_mb * 1_000_000:
            fh.write(os.urandom(min(1_000_000, size_mb * 1_000_000 - fh.tell())))


def bench_emulator(work: Path, source: Path, want: str, rounds: int) -> None:
    emu = Emulated(work)
    url = f"{emu.base}/api/upload-video/nemo_agent/me/{emu.sid}"
    env = {**nemo_env(emu, work / "config"), "NEMO_TOKEN": emu.token, "NEMO_SESSION": emu.sid}  # type: ignore[arg-type]
    commands = {
        "curl": ["curl", "-s", "-f", "-o", os.devnull, "-H", f"Authorization: Bearer {emu.token}", "-F", f"files=@{source}", url],
        "nemo": [NEMO, "upload", str(source), "-q"],
    }
    runs: dict[str, list[float]] = {k: [] for k in commands}
    rss: dict[str, list[int]] = {k: [] for k in commands}
    try:
        for _ in range(rounds):
            for who, cmd in commands.items():
                wall, peak, _ = timed(cmd, env if who == "nemo" else None)
                stored = emu.uploads()
                if len(stored) != 1 or sha256(stored[0]) != want:
                    raise SystemExit(f"the emulator did not store the file {who} sent")
                stored[0].unlink()
                runs[who].append(wall)
                rss[who].append(peak)
    finally:
        emu.stop()
    size = source.stat().st_size
    curl_t = statistics.median(runs["curl"])
    print(f"upload of a {size / 1e6:.0f} MB clip to `nemo emulator serve` on 127.0.0.1, {rounds} rounds, medians "
          f"(the emulator parses, hashes, copies and probes each upload before answering):")
    for who, label in (("curl", "curl -F files=@…"), ("nemo", "nemo upload")):
        t = statistics.median(runs[who])
        print(f"  {label:18} {t:5.2f} s  {size / t / 1e6:5.0f} MB/s {curl_t / t:5.2f}x curl   peak RSS {max(rss[who]) / 1e6:6.1f} MB")
    ratio, peak = curl_t / statistics.median(runs["nemo"]), max(rss["nemo"]) / 1e6
    print(f"  goals: nemo >= 0.8x curl: {'met' if ratio >= 0.8 else 'NOT met'} ({ratio:.2f}x); "
          f"nemo's peak RSS < 100 MB: {'met' if peak < 100 else 'NOT met'} ({peak:.1f} MB)")
    for who in commands:
        print(f"  {who} runs: wall " + ", ".join(f"{t:.2f}" for t in runs[who]) + " s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=500, help="size of the file, in MB of 10^6 bytes (default 500)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--emulator", action="store_true", help="upload to `nemo emulator serve` instead of the splicing receiver")
    parser.add_argument("--link-mb-s", type=float, default=100,
                        help="after the unthrottled runs, the same runs with the receiver reading at this many MB/s "
                             "(default 100, about 1 Gbit/s; 0 to skip)")
    args = parser.parse_args()
    print(f"nemo: {NEMO}; curl: {shutil.which('curl')}; {os.cpu_count()} CPUs; load average {load()}")
    need = (4 if args.emulator else 3) * args.size_mb * 1e6  # the emulator spools, then copies
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() and shutil.disk_usage("/dev/shm").free > need else None
    with tempfile.TemporaryDirectory(prefix="nemo-bench-up-", dir=base) as tmp:
        work = Path(tmp)
        source = work / "bench.mp4"
        make_source(source, args.size_mb, playable=args.emulator)
        if args.emulator:
            return bench_emulator(work, source, sha256(source), args.rounds)
        tiny = work / "tiny.mp4"
        tiny.write_bytes(b"x")
        want = sha256(source)
        bench_receiver(work, source, tiny, want, args.rounds, None, "tmpfs" if base else "disk")
        if args.link_mb_s > 0:
            bench_receiver(work, source, tiny, want, args.rounds, args.link_mb_s * 1e6, "tmpfs" if base else "disk")


def bench_receiver(work: Path, source: Path, tiny: Path, want: str, rounds: int, rate: float | None, spool: str) -> None:
    """One scenario against the splicing receiver: curl and nemo alternately, `rounds` times each."""
    receiver = Receiver(work, rate)
    server = receiver.serve()
    url = f"{receiver.base}/api/upload-video/nemo_agent/me/{SID}"
    env = {**nemo_env(receiver, work / "config"), "NEMO_SESSION": SID}  # type: ignore[arg-type]
    commands = {
        "curl": (["curl", "-s", "-f", "-o", os.devnull, "-H", f"Authorization: Bearer {TOKEN}", "-F", f"files=@{source}", url], None),
        "nemo": ([NEMO, "upload", str(source), "-q"], env),
    }
    runs: dict[str, list[float]] = {k: [] for k in commands}
    wire: dict[str, list[float]] = {k: [] for k in commands}
    rss: dict[str, list[int]] = {k: [] for k in commands}
    before_load = load()
    try:
        startup = statistics.median(timed([NEMO, "upload", str(tiny), "-q"], env)[0] for _ in range(5))
        for entry in receiver.received:
            entry["path"].unlink()
        for _ in range(rounds):
            for who, (cmd, cmd_env) in commands.items():
                before = len(receiver.received)
                wall, peak, _ = timed(cmd, cmd_env)
                if len(receiver.received) != before + 1:
                    raise SystemExit(f"{who} made {len(receiver.received) - before} requests, not 1")
                entry = receiver.received[-1]
                check_body(entry, source, want)
                entry["path"].unlink()
                runs[who].append(wall)
                wire[who].append(entry["wire"])
                rss[who].append(peak)
    finally:
        server.shutdown()
        server.server_close()
    size = source.stat().st_size
    med = {who: (statistics.median(runs[who]), statistics.median(wire[who])) for who in commands}
    link = f"the receiver reading at {rate / 1e6:.0f} MB/s (a ~{rate * 8 / 1e9:.1f} Gbit/s link)" if rate else "unthrottled loopback"
    print(f"\nupload of a {size / 1e6:.0f} MB file to 127.0.0.1, {link}, the receiver splicing to {spool}, "
          f"{rounds} rounds, medians (load average {before_load} before, {load()} after):")
    print(f"  {'':18} {'wall':>7}  {'end to end':>19}  {'on the wire':>19}  {'peak RSS':>9}")
    for who, label in (("curl", "curl -F files=@…"), ("nemo", "nemo upload")):
        t, w = med[who]
        print(f"  {label:18} {t:5.2f} s  {size / t / 1e6:5.0f} MB/s {med['curl'][0] / t:5.2f}x  "
              f"{size / w / 1e6:5.0f} MB/s {med['curl'][1] / w:5.2f}x  {max(rss[who]) / 1e6:6.1f} MB")
    e2e, onwire = med["curl"][0] / med["nemo"][0], med["curl"][1] / med["nemo"][1]
    peak = max(rss["nemo"]) / 1e6
    print("  (end to end: process start to exit; on the wire: first to last body byte, as the receiver saw it)")
    print(f"  nemo's fixed cost (start-up, imports, one request), measured as `nemo upload` of a 1-byte file: {startup:.2f} s")
    print(f"  goals: nemo >= 0.8x curl's throughput: end to end {'met' if e2e >= 0.8 else 'NOT met'} ({e2e:.2f}x), "
          f"on the wire {'met' if onwire >= 0.8 else 'NOT met'} ({onwire:.2f}x); "
          f"nemo's peak RSS < 100 MB: {'met' if peak < 100 else 'NOT met'} ({peak:.1f} MB)")
    for who in commands:
        print(f"  {who} runs: wall " + ", ".join(f"{t:.2f}" for t in runs[who]) + " s; wire " + ", ".join(f"{t:.2f}" for t in wire[who]) + " s")


if __name__ == "__main__":
    main()
