"""Start-up cost of `nemo`, next to a bare `python -c pass` of the same interpreter, in the same run.

    python benchmarks/startup.py [--rounds 15] [--strict]

Times `nemo --version`, `nemo --help` and `nemo credits` (against a tiny credits stub on 127.0.0.1,
started here, with NEMO_TOKEN set so no token is acquired). `nemo --help` is timed twice: as users see
it (the root help cached by an earlier run, see nemo_cli/helpcache.py) and with the cache removed first
(Typer imported and the whole command tree built, as after an upgrade). The four commands run interleaved, round
after round, so a busy machine slows them alike; each figure is the median wall time over the rounds.
Goals: `nemo --version` within 3x a bare python, `nemo --help` within 6x. `--strict` exits 1 when a goal
is missed. `nemo credits` has no goal; its line also says how much of it is imports, the part start-up
work can cut: each round also runs it under `python -X importtime` and takes the sum of every module's own
import time over that run's wall time (one run for both, so a busy machine slows them alike); the median.

Every run reads compiled bytecode, as an installed nemo does (pip compiles it): the warm-up round writes it
to a private cache (PYTHONPYCACHEPREFIX), so PYTHONDONTWRITEBYTECODE in the caller's environment does not
make each timed run compile nemo's sources again (that alone was ~45 ms of `nemo credits`).
To see where start-up time goes: `python -X importtime -m nemo_cli --help 2>&1 | sort -t'|' -k2 -n`.
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
TOKEN = "nmv_usr_startupbenchmark0001"
BALANCE = {"available": 100, "frozen": 0, "total": 100}
GOALS = {"nemo --version": 3.0, "nemo --help": 6.0}


def serve_credits() -> tuple[ThreadingHTTPServer, str]:
    """GET /api/credits/balance/simple, and a 404 for anything else."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            ok = self.path == "/api/credits/balance/simple" and self.headers.get("Authorization") == f"Bearer {TOKEN}"
            doc = {"code": 0, "data": BALANCE} if ok else {"code": 404, "message": "not here"}
            body = json.dumps(doc).encode()
            self.send_response(200 if ok else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return time.perf_counter() - started, proc


def import_share(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds spent importing in one run of `cmd` under `python -X importtime` (the sum of every module's
    own time), and their share of that run's wall time."""
    wall, proc = run([sys.executable, "-X", "importtime", *cmd], env)
    rows = [line.split("|") for line in proc.stderr.decode(errors="replace").splitlines() if line.startswith("import time:")]
    seconds = sum(int(row[0].split(":")[1]) for row in rows if row[0].split(":")[1].strip().isdigit()) / 1e6
    return seconds, seconds / wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()

    server, base = serve_credits()
    config = Path(tempfile.mkdtemp(prefix="nemo-startup-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_") and k != "CI"}
    env.update(NEMO_API_URL=base, NEMO_TOKEN=TOKEN, NEMO_CONFIG_DIR=str(config), NO_COLOR="1")
    env["XDG_CACHE_HOME"] = str(config / "cache")  # the help cache, private to this run (Linux)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode, as installed (see the docstring) ...
    env["PYTHONPYCACHEPREFIX"] = str(config / "bytecode")  # ... written here, not into the tree or the venv
    uncache = [sys.executable, "-c", "import os, sys; from nemo_cli import helpcache; "
               "p = os.path.join(helpcache.cache_dir(), helpcache.FILE_NAME); os.path.exists(p) and os.unlink(p)"]
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "nemo --version": [NEMO, "--version"],
        "nemo --help": [NEMO, "--help"],
        "nemo --help, no cache": [NEMO, "--help"],
        "nemo credits": [NEMO, "credits", "--json"],
    }
    try:
        # one warm-up round (file cache, .pyc files), checked: a benchmark of an error path is worthless
        for name, cmd in commands.items():
            _, proc = run(cmd, env)
            if proc.returncode != 0:
                sys.exit(f"{name} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
        _, proc = run(commands["nemo credits"], env)
        if json.loads(proc.stdout) != BALANCE:
            sys.exit(f"nemo credits printed {proc.stdout!r}")
        times: dict[str, list[float]] = {name: [] for name in commands}
        imports: list[tuple[float, float]] = []
        before_load = load()
        for _ in range(args.rounds):
            for name, cmd in commands.items():
                if name.endswith("no cache"):
                    run(uncache, env)
                times[name].append(run(cmd, env)[0])
            imports.append(import_share(["-m", "nemo_cli", "credits", "--json"], env))
    finally:
        server.shutdown()
        shutil.rmtree(config, ignore_errors=True)

    median = {name: statistics.median(values) for name, values in times.items()}
    bare = median["python -c pass"]
    print(f"{args.rounds} rounds, median wall time ({sys.executable}, {os.cpu_count()} CPUs; "
          f"load average {before_load} before, {load()} after)")
    missed = []
    for name, value in median.items():
        line = f"  {name:22} {value * 1000:7.1f} ms"
        if name != "python -c pass":
            ratio = value / bare
            line += f"  {ratio:5.2f}x python"
            if name in GOALS:
                ok = ratio <= GOALS[name]
                line += f"  (goal <= {GOALS[name]:g}x: {'met' if ok else 'MISSED'})"
                if not ok:
                    missed.append(name)
            if name == "nemo credits":
                seconds, share = (statistics.median(x) for x in zip(*imports))
                line += f"  (imports {seconds * 1000:.0f} ms, {share:.0%} of a run)"
        print(line)
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
