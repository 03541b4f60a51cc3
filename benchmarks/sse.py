"""Benchmarks for `nemo edit`'s stream: end-to-end latency, and parser throughput.

    python benchmarks/sse.py [--events 300] [--interval-ms 10] [--runs 2] [--stream-events 100000] [--rounds 3]

1. Latency: a stub service on 127.0.0.1 answers `/run_sse` with ADK `partial` text events, one every
   INTERVAL ms; each text carries the monotonic time (CLOCK_MONOTONIC, shared by all processes) at which
   the server wrote it to the socket. The real `nemo edit` runs as a subprocess; its stdout is a pipe read
   unbuffered here, and each text is stamped the moment it arrives. Reported: median, p95 and max of
   (arrival − sent) (goal: median under 20 ms). Next to it, the same measure for a bare reference client
   (httpx streaming lines, printing each data line and flushing), to show what the machine itself costs.
2. Throughput: a 100,000-event stream (mostly ADK text chunks with their full metadata, plus tool calls,
   tool results, `: ping` comments and empty keep-alives), cut into 64 KiB chunks, through
   `nemo_cli.api.sse.pump` (SSE parsing with httpx-sse, JSON, normalisation, the print-once and
   trailing-note rules) — goal: 20,000 events/s or more — and, in the same run, through bare references:
   httpx-sse alone (no JSON), httpx-sse + json.loads, and a plain line split + json.loads. Best of ROUNDS.
"""

from __future__ import annotations

import argparse
import json
import os
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
SID = "5529798706024415232"
STATE = {"draft": {"t": [{"id": "v", "tt": 0, "sg": [{"id": "s", "st": 0, "d": 10000}]}]}}


def now_ns() -> int:
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def adk_event(text: str | None = None, *, partial: bool = True, call: bool = False, result: bool = False, i: int = 0) -> dict:
    parts: list[dict] = []
    if text is not None:
        parts.append({"text": text})
    if call:
        parts.append({"functionCall": {"id": f"call_{i}", "name": "edit_multitrack", "args": {"instruction": "add music"}}})
    if result:
        parts.append({"functionResponse": {"id": f"call_{i}", "name": "edit_multitrack", "response": {"ok": True, "changed": True}}})
    event = {
        "content": {"parts": parts, "role": "model"},
        "invocationId": "e-8f99a122-9f3e-432a-aecc-5bcde3623323",
        "author": "nemo_agent",
        "actions": {"stateDelta": {}, "artifactDelta": {}, "requestedAuthConfigs": {}, "requestedToolConfirmations": {}},
        "nodeInfo": {"path": ""},
        "id": f"3758bcc3-abb2-412c-be8b-{i:012d}",
        "timestamp": 1795351691.334164 + i / 1000,
    }
    if text is not None:
        event["partial"] = partial
    return event


def frame(obj: dict) -> bytes:
    return b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n"


# -- 1. latency ------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    events = 300
    interval = 0.01

    def log_message(self, *args) -> None:  # quiet
        pass

    def _json(self, doc: dict) -> None:
        body = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._json({"code": 0, "data": {"state": STATE}})

    def do_POST(self) -> None:
        import socket

        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()
        texts = []
        for i in range(self.events):
            time.sleep(self.interval)
            text = f"<{i}:{now_ns()}>"
            texts.append(text)
            self._chunk(frame(adk_event(text, partial=True, i=i)))
        self._chunk(frame(adk_event("".join(texts), partial=False, i=self.events)))
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()


REFERENCE = r"""
import sys, httpx
with httpx.stream("POST", sys.argv[1] + "/run_sse", json={}, timeout=None) as r:
    for line in r.iter_lines():
        if line.startswith("data:"):
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
"""


def measure(cmd: list[str], env: dict[str, str], expected: int) -> list[float]:
    """Run a client; stamp each `<i:sent_ns>` marker the moment it comes out of its stdout pipe."""
    import re

    marker = re.compile(rb"<(\d+):(\d+)>")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    fd = proc.stdout.fileno()
    seen: dict[int, float] = {}
    buf = b""
    while True:
        data = os.read(fd, 65536)
        arrived = now_ns()
        if not data:
            break
        buf += data
        last = 0
        for m in marker.finditer(buf):
            i = int(m.group(1))
            if i not in seen:  # the closing full text repeats them: only the first sight counts
                seen[i] = (arrived - int(m.group(2))) / 1e6
            last = m.end()
        buf = buf[last:][-64:]
    err = proc.stderr.read().decode(errors="replace")
    proc.wait()
    if proc.returncode != 0 or len(seen) < expected:
        raise SystemExit(f"client failed (exit {proc.returncode}, {len(seen)}/{expected} texts): {err[-2000:]}")
    return [seen[i] for i in sorted(seen)]


def latency(events: int, interval_ms: float, runs: int) -> None:
    Handler.events, Handler.interval = events, interval_ms / 1000
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory() as config:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("NEMO_")},
            "NEMO_TOKEN": TOKEN, "NEMO_SESSION": SID, "NEMO_API_URL": base, "NEMO_CONFIG_DIR": config, "NO_COLOR": "1",
        }
        rows = []
        for name, cmd in [("nemo edit", [NEMO, "edit", "benchmark"]), ("reference (httpx iter_lines + print)", [sys.executable, "-c", REFERENCE, base])]:
            samples: list[float] = []
            for _ in range(runs):
                samples += measure(cmd, env, events)
            samples.sort()
            p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
            rows.append((name, len(samples), statistics.median(samples), p95, samples[-1]))
    server.shutdown()
    print(f"1. latency: server write → text on the client's stdout ({events} events × {runs} runs, one every {interval_ms:g} ms)")
    for name, n, median, p95, worst in rows:
        print(f"   {name:38} n={n:5}  median {median:6.2f} ms  p95 {p95:6.2f} ms  max {worst:7.2f} ms")
    goal = "met" if rows[0][2] < 20 else "NOT met"
    print(f"   goal: nemo median under 20 ms — {goal}")


# -- 2. throughput -------------------------------------------------------------------------------


def build_stream(n: int) -> tuple[list[bytes], int]:
    """n stream items (events and comment keep-alives) in 64 KiB chunks; also the byte size."""
    pieces = []
    for i in range(n):
        k = i % 20
        if k == 0:
            pieces.append(frame(adk_event(call=True, i=i)))
        elif k == 1:
            pieces.append(frame(adk_event(result=True, i=i)))
        elif k == 2:
            pieces.append(b": ping\n\n")
        elif k == 3:
            pieces.append(b"data: \n\n")
        else:
            pieces.append(frame(adk_event(f"chunk {i} of the reply ", partial=True, i=i)))
    data = b"".join(pieces)
    size = 65536
    return [data[j : j + size] for j in range(0, len(data), size)], len(data)


def run_nemo(chunks: list[bytes]) -> int:
    from nemo_cli.api import sse

    count = 0

    def emit(event: dict) -> None:
        nonlocal count
        count += 1

    sse.pump(iter(chunks), emit)
    return count


def run_httpx_sse(chunks: list[bytes], decode: bool) -> int:
    import httpx
    from httpx_sse import EventSource

    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=iter(chunks))
    count = 0
    for message in EventSource(response).iter_sse():
        if decode and message.data.strip():
            json.loads(message.data)
        count += 1
    return count


def run_split(chunks: list[bytes]) -> int:
    count = 0
    buf = b""
    for chunk in chunks:
        buf += chunk
        lines = buf.split(b"\n")
        buf = lines.pop()
        for line in lines:
            if line.startswith(b"data:"):
                body = line[5:].strip()
                if body:
                    json.loads(body)
                count += 1
            elif line.startswith(b":"):
                count += 1
    return count


def throughput(n: int, rounds: int) -> None:
    chunks, size = build_stream(n)
    variants = [
        ("nemo sse.pump (parse + normalise)", lambda: run_nemo(chunks)),
        ("httpx-sse alone (no JSON)", lambda: run_httpx_sse(chunks, False)),
        ("httpx-sse + json.loads", lambda: run_httpx_sse(chunks, True)),
        ("plain line split + json.loads", lambda: run_split(chunks)),
    ]
    results = []
    for name, fn in variants:
        best = float("inf")
        out = 0
        for _ in range(rounds):
            t0 = time.perf_counter()
            out = fn()
            best = min(best, time.perf_counter() - t0)
        results.append((name, best, out))
    print(f"2. throughput: {n:,} stream events ({size / 1e6:.1f} MB, 64 KiB chunks), best of {rounds}")
    nemo_rate = n / results[0][1]
    for name, seconds, out in results:
        rate = n / seconds
        ratio = "" if name.startswith("nemo") else f"  nemo/this = {nemo_rate / rate:.2f}x"
        print(f"   {name:36} {seconds * 1000:8.1f} ms  {rate:10,.0f} events/s  ({out:,} out){ratio}")
    goal = "met" if nemo_rate >= 20000 else "NOT met"
    print(f"   goal: nemo at least 20,000 events/s — {goal}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=300, help="texts per latency run")
    ap.add_argument("--interval-ms", type=float, default=10.0, help="pause between texts")
    ap.add_argument("--runs", type=int, default=2, help="latency runs per client")
    ap.add_argument("--stream-events", type=int, default=100_000, help="events in the throughput stream")
    ap.add_argument("--rounds", type=int, default=3, help="throughput rounds (best is kept)")
    ap.add_argument("--skip-latency", action="store_true")
    ap.add_argument("--skip-throughput", action="store_true")
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    if not args.skip_latency:
        latency(args.events, args.interval_ms, args.runs)
    if not args.skip_throughput:
        throughput(args.stream_events, args.rounds)
    print(f"load at the end {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[1]:.2f} (5 min)")


if __name__ == "__main__":
    main()
