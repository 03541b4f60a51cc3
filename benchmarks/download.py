"""Benchmarks for `nemo export`: download throughput and memory, and how soon `--wait` notices a render.

    python benchmarks/download.py [--size-mb 500] [--rounds 3] [--link-mb-s 100] [--renders 20] [--skip-download] [--skip-wait]

1. Throughput and peak RSS of `nemo export download ID -o PATH` against `curl -o` for the same file from
   the same local server, in the same run (goals: at least 0.9x curl, under 100 MB RSS). The server sends
   with sendfile(2), so it is not the bottleneck; the file and the outputs live on tmpfs (/dev/shm) when
   there is one, so the disk is not either. Both clients share the machine's CPUs with the server.
   The runs are made twice: over the unthrottled loopback (GB/s, where nemo's fixed start-up cost weighs
   heavily), then with the server sending no faster than --link-mb-s (default 100 MB/s, about a 1 Gbit/s
   link), the same for curl and nemo, which puts that fixed cost in proportion.
2. The delay between a render completing and `nemo export wait ID` noticing it (the first status reply
   that says completed), over renders of 5-90 s (goal: median under 3 s, fewer than 20 status requests
   per render). All renders run at once, each with its own `nemo` process, so the whole set takes about
   as long as the longest render. It runs twice: once with the service reporting progress (which lets the
   poller predict the end), once without (the poller falls back to its elapsed-time schedule).

Everything runs against a small stub of the render endpoints on 127.0.0.1, started here; the real `nemo`
entry point runs as a subprocess with its default poll settings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

NEMO = shutil.which("nemo", path=str(Path(sys.executable).parent)) or shutil.which("nemo") or "nemo"
TOKEN = "nmv_usr_benchmarktoken0001"


class Stub:
    """Render status, result file (CDN path, sendfile) and claim token; counts status requests."""

    def __init__(self, result: Path | None = None, rate: float | None = None) -> None:
        self.result = result
        self.rate = rate  # bytes/s the result file is sent at (a link of that speed), None: unthrottled
        self.renders: dict[str, dict] = {}  # id → start, duration, progress(bool)
        self.lock = threading.Lock()
        self.base = ""

    def add(self, render_id: str, duration: float, progress: bool) -> None:
        """A render whose clock starts at its first status request, as if that process had just started it
        (so the start-up of twenty processes at once does not count against the poller)."""
        with self.lock:
            self.renders[render_id] = {"start": None, "duration": duration, "progress": progress, "looks": 0, "noticed": None}

    def status(self, render_id: str) -> dict:
        with self.lock:
            r = self.renders.get(render_id)
            if r is None:  # the download benchmark's render: done from the start
                return {"id": render_id, "status": "completed", "progress": 100, "outputUrl": f"{self.base}/cdn/{render_id}.mp4"}
            r["looks"] += 1
            now = time.monotonic()
            if r["start"] is None:
                r["start"] = now
            elapsed = now - r["start"]
            if elapsed >= r["duration"]:
                if r["noticed"] is None:
                    r["noticed"] = now - (r["start"] + r["duration"])
                return {"id": render_id, "status": "completed", "progress": 100, "outputUrl": f"{self.base}/cdn/{render_id}.mp4"}
            doc = {"id": render_id, "status": "processing"}
            if r["progress"]:
                doc["progress"] = int(100 * elapsed / r["duration"])
            return doc

    def serve(self) -> ThreadingHTTPServer:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                match = re.fullmatch(r"/api/render/proxy/lambda/([^/]+)", self.path)
                if match:
                    return self._json({"success": True, "data": stub.status(match.group(1))})
                if self.path.startswith("/cdn/") and stub.result is not None:
                    return self._file(stub.result)
                self._json({"code": 404, "message": "not here"}, 404)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/api/auth/claim-token":
                    return self._json({"code": 0, "data": {"claim_token": "clm_benchmark", "expires_in": 604800}})
                self._json({"code": 404, "message": "not here"}, 404)

            def _json(self, doc, code=200):
                body = json.dumps(doc).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _file(self, path: Path):
                size = path.stat().st_size
                self.send_response(200)
                self.send_header("Content-Type", "video/mp4")
                self.send_header("Content-Length", str(size))
                self.send_header("ETag", '"bench"')
                self.end_headers()
                with open(path, "rb") as fh:
                    if stub.rate is None:
                        self.connection.sendfile(fh)
                        return
                    started, sent = time.perf_counter(), 0
                    while sent < size:  # sendfile(2) in 1 MiB pieces, each when it is due at the rate
                        pace(started, sent, stub.rate)
                        got = os.sendfile(self.connection.fileno(), fh.fileno(), sent, min(1 << 20, size - sent))
                        if not got:
                            return
                        sent += got

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128

            def handle_error(self, request, client_address):
                pass

        server = Server(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


def nemo_env(stub: Stub, config: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
    env.update(NEMO_API_URL=stub.base, NEMO_TOKEN=TOKEN, NEMO_CONFIG_DIR=str(config), NO_COLOR="1")
    return env


def load() -> str:
    """The 1-, 5- and 15-minute load averages, to print next to every figure (the machine is shared)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def pace(started: float, done: int, rate: float | None) -> None:
    """Sleep until `done` bytes are due at `rate` bytes/s since `started`: a link of that speed, applied
    by the benchmark's own server to every client alike (None: as fast as the loopback goes)."""
    if rate:
        ahead = started + done / rate - time.perf_counter()
        if ahead > 0:
            time.sleep(ahead)


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in bytes, exit status) of one child, its RSS alone (wait4)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return wall, usage.ru_maxrss * 1024, proc.returncode


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def bench_download(size_mb: int, rounds: int, link_mb_s: float) -> None:
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() and shutil.disk_usage("/dev/shm").free > 3 * size_mb * 1e6 else None
    with tempfile.TemporaryDirectory(prefix="nemo-bench-", dir=base) as tmp:
        work = Path(tmp)
        source = work / "result.mp4"
        with open(source, "wb") as fh:
            for _ in range(size_mb):
                fh.write(os.urandom(1_000_000))
        want = sha256(source)
        where = "tmpfs" if base else "disk"
        download_scenario(work, source, want, rounds, None, where)
        if link_mb_s > 0:
            download_scenario(work, source, want, rounds, link_mb_s * 1e6, where)


def download_scenario(work: Path, source: Path, want: str, rounds: int, rate: float | None, where: str) -> None:
    """curl, nemo and nemo --json alternately, `rounds` times each, from a server sending at `rate`."""
    stub = Stub(source, rate)
    server = stub.serve()
    env = nemo_env(stub, work / "config")
    url = f"{stub.base}/cdn/render_bench.mp4"
    runs: dict[str, list[float]] = {"curl": [], "nemo": [], "nemo --json": []}
    rss: dict[str, list[int]] = {k: [] for k in runs}
    commands = {
        "curl": ["curl", "-s", "-f", "-o", "{out}", url],
        "nemo": [NEMO, "export", "download", "render_bench", "-o", "{out}"],
        "nemo --json": [NEMO, "export", "download", "render_bench", "-o", "{out}", "--json"],
    }
    before_load = load()
    try:
        startup = statistics.median(timed([NEMO, "export", "status", "render_bench"], env)[0] for _ in range(5))
        for _ in range(rounds):
            for who, cmd in commands.items():
                out = work / "out.mp4"
                out.unlink(missing_ok=True)
                wall, peak, _ = timed([out_arg.replace("{out}", str(out)) for out_arg in cmd], env if who != "curl" else None)
                runs[who].append(wall)
                rss[who].append(peak)
                if sha256(out) != want:
                    raise SystemExit(f"{who} wrote different bytes than the server sent")
                out.unlink()
    finally:
        server.shutdown()
        server.server_close()
    size = source.stat().st_size
    curl_t = statistics.median(runs["curl"])
    link = f"the server sending at {rate / 1e6:.0f} MB/s (a ~{rate * 8 / 1e9:.1f} Gbit/s link)" if rate else "unthrottled loopback"
    print(f"\ndownload of a {size / 1e6:.0f} MB result from 127.0.0.1, {link}, {rounds} rounds, files on {where}, "
          f"medians (load average {before_load} before, {load()} after):")
    for who, times in runs.items():
        t = statistics.median(times)
        label = {"curl": "curl -o", "nemo": "nemo export download", "nemo --json": "  the same with --json (sha256)"}[who]
        line = f"  {label:32} {t:5.2f} s  {size / t / 1e6:6.0f} MB/s  {curl_t / t:5.2f}x curl   peak RSS {max(rss[who]) / 1e6:5.1f} MB"
        if who != "curl":
            line += f"   (transfer alone: {curl_t / max(t - startup, 1e-3):4.2f}x curl)"
        print(line)
    ratio = curl_t / statistics.median(runs["nemo"])
    peak = max(rss["nemo"] + rss["nemo --json"]) / 1e6
    print(f"  nemo's fixed cost (start-up, imports, status and claim-token requests): {startup:.2f} s, "
          f"measured as `nemo export status`")
    print(f"  goals: >= 0.9x curl end to end: {'met' if ratio >= 0.9 else 'NOT met'} ({ratio:.2f}x); "
          f"peak RSS < 100 MB: {'met' if peak < 100 else 'NOT met'} ({peak:.1f} MB)")
    print(f"  runs (s): " + "; ".join(f"{who} " + ", ".join(f"{t:.2f}" for t in times) for who, times in runs.items()))


def bench_wait(count: int, shortest: float, longest: float) -> None:
    stub = Stub()
    server = stub.serve()
    durations = [shortest + i * (longest - shortest) / max(1, count - 1) for i in range(count)]
    print(f"\nnoticing a finished render: {count} renders of {shortest:.0f}-{longest:.0f} s (evenly spread), "
          f"all at once, default poll settings (load average {load()} before):")
    try:
        with tempfile.TemporaryDirectory(prefix="nemo-bench-") as tmp:
            for progress in (True, False):
                env = nemo_env(stub, Path(tmp) / f"config-{progress}")
                procs = []
                for i, duration in enumerate(durations):
                    rid = f"render_bench_{'p' if progress else 'n'}{i}"
                    stub.add(rid, duration, progress)
                    procs.append(subprocess.Popen([NEMO, "export", "wait", rid, "-q"], env=env,
                                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
                for proc in procs:
                    _, err = proc.communicate()
                    if proc.returncode != 0:
                        raise SystemExit(f"nemo export wait failed ({proc.returncode}):\n{err.decode()}")
                rows = [stub.renders[f"render_bench_{'p' if progress else 'n'}{i}"] for i in range(count)]
                delays = sorted(r["noticed"] for r in rows)
                looks = [r["looks"] for r in rows]
                label = "with progress" if progress else "without progress"
                med = statistics.median(delays)
                print(f"  {label:17} delay median {med:.2f} s, p90 {delays[int(0.9 * (count - 1))]:.2f} s, max {delays[-1]:.2f} s; "
                      f"status requests per render: mean {statistics.mean(looks):.1f}, max {max(looks)} "
                      f"(goals: median < 3 s {'met' if med < 3 else 'NOT met'}; < 20 requests "
                      f"{'met' if max(looks) < 20 else 'met on average only' if statistics.mean(looks) < 20 else 'NOT met'})")
                by_length = ", ".join(f"{r['duration']:.0f}s:{r['looks']}" for r in rows[:: max(1, count // 5)])
                print(f"  {'':17} requests by render length: {by_length}  (load average {load()} after)")
    finally:
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--shortest", type=float, default=5.0)
    parser.add_argument("--longest", type=float, default=90.0)
    parser.add_argument("--link-mb-s", type=float, default=100,
                        help="after the unthrottled downloads, the same with the server sending at this many MB/s "
                             "(default 100, about 1 Gbit/s; 0 to skip)")
    parser.add_argument("--skip-download", action="store_true")
    parser.add_argument("--skip-wait", action="store_true")
    args = parser.parse_args()
    print(f"nemo: {NEMO}; curl: {shutil.which('curl')}; {os.cpu_count()} CPUs; load average {load()}")
    if not args.skip_download:
        bench_download(args.size_mb, args.rounds, args.link_mb_s)
    if not args.skip_wait:
        bench_wait(args.renders, args.shortest, args.longest)


if __name__ == "__main__":
    main()
