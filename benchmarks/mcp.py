"""What an MCP tool call costs over the plain flow call it wraps, against the emulator on 127.0.0.1.

    python benchmarks/mcp.py [--calls 200]

Three ways to read the sessions (the store only: the protocol's cost alone), the balance and the timeline
(`session_list`, `credits`, `state`: one HTTP round trip each), interleaved call by call so a busy machine
slows them alike: the flow called in-process (nemo_cli.flows, what the commands do), the same
tool through the SDK's in-process client (`mcp.Client(server)`: the protocol without a pipe), and through
`nemo mcp` started as a subprocess and driven over stdio (what an agent's MCP client does). Each figure
is the median over the calls; the ratios are over the plain flow call, which includes its own HTTP round
trip to the emulator. Needs the dev extras (emulator, mcp).

Every call comes after the same quiet (`--gap`, 0.1 s). Back to back on one keep-alive connection, a
loopback request to the emulator waits ~40 ms for its reply's second segment (a plain httpx.Client does
too: the emulator's small writes meet the client's delayed ACK), while a connection that has been quiet
answers in ~2 ms; without equal gaps the stdio server, whose connection rests while the others run, came
out faster than the flow it calls.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NEMO = str(Path(sys.executable).parent / "nemo")
EMULATOR = """
import sys
from nemo_cli.emulator.server import Emulator, Options
emu = Emulator(Options(silent_rate=0.0, seed=1, credits=1000, data_dir=sys.argv[1])).start()
print(emu.url, emu.web_url, flush=True)
sys.stdin.read()
emu.stop()
"""


async def main(calls: int, gap: float) -> None:
    from mcp import Client, ClientSession, StdioServerParameters, stdio_client

    from nemo_cli.context import Context
    from nemo_cli.flows import account, session, upload
    from nemo_cli.mcp.server import build

    base = Path(tempfile.mkdtemp(prefix="nemo-mcp-bench-"))
    # the emulator in a process of its own, as the service would be: served from a thread of this one, its
    # replies would wait on this process (the flow call measured ~45 ms a call that way, not ~5)
    emu = subprocess.Popen([sys.executable, "-c", EMULATOR, str(base / "emulator")], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True)
    url, web_url = emu.stdout.readline().split()
    env = {"NEMO_API_URL": url, "NEMO_WEB_URL": web_url, "NEMO_CONFIG_DIR": str(base / "config")}
    os.environ.update(env)
    try:
        ctx = Context()
        sid = session.new(ctx, name="benchmark").session_id
        upload.upload(ctx, sid, urls=["https://example.com/clip.mp4"])
        flows = {"session_list": lambda: session.listing(ctx), "credits": lambda: account.credits(ctx),
                 "state": lambda: session.state(ctx, sid)}
        times: dict[tuple[str, str], list[float]] = {}
        params = StdioServerParameters(command=NEMO, args=["mcp"], env={**os.environ, **env})
        async with Client(build(ctx)) as inproc, stdio_client(params) as (read, write), \
                ClientSession(read, write) as stdio:
            await stdio.initialize()
            for tool in flows:  # warm up: connections, the SDK's first validations
                flows[tool]()
                await inproc.call_tool(tool, {})
                await stdio.call_tool(tool, {})
            for _ in range(calls):
                for tool, flow in flows.items():
                    for how, run in (("flow", None), ("in-process MCP", inproc), ("stdio MCP", stdio)):
                        time.sleep(gap)  # (see the module's docstring)
                        started = time.perf_counter()
                        if run is None:
                            flow()
                        else:
                            result = await run.call_tool(tool, {})
                            assert not result.is_error, result.content
                        times.setdefault((tool, how), []).append(time.perf_counter() - started)
    finally:
        emu.stdin.close()
        emu.wait(timeout=30)
    load = os.getloadavg()
    print(f"nemo mcp overhead, {calls} calls each, interleaved, {gap:g} s apart; load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
          f"on {os.cpu_count()} cores")
    for tool in flows:
        plain = statistics.median(times[(tool, "flow")])
        print(f"  {tool:12} flow call {plain * 1e3:6.2f} ms", end="")
        for how in ("in-process MCP", "stdio MCP"):
            median = statistics.median(times[(tool, how)])
            print(f" | {how} {median * 1e3:6.2f} ms ({median / plain:.2f}x, +{(median - plain) * 1e3:.2f} ms)", end="")
        print()


if __name__ == "__main__":
    # this file's name would shadow the SDK's package: its folder leaves the import path
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--gap", type=float, default=0.1, help="seconds of quiet before each call")
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.gap))
