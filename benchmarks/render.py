"""Benchmark for the emulator's renderer (issue 17): seconds of video rendered per second of wall time for a
60 s draft with every element, against ffmpeg encoding the bare source with the same settings.

    python benchmarks/render.py [--rounds 3] [--size 1280x720] [--fps 25] [--keep DIR]

The draft: six 10 s cuts taken alternately from two 1280x720@30 sources (a moving test pattern and colour
bars, each with a tone), a cross-fade at two of the joins, a warm grade plus contrast and saturation on
every segment, two titles (one of them Chinese), and a 20 s music bed at 40 %. It is rendered by a real
emulator started here (render_seconds=0, so the pace adds nothing): the time runs from the render request
to the finished MP4, which is then checked (size, rate, length). The reference, run alternately in the same
rounds: the same ffmpeg encoding the first 60 s of the first source with the render's settings (scaled to
the size, the rate, libx264 ultrafast at the same bitrate, AAC 128k): what a render with no edit costs.
The figure is the median over the rounds; the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from nemo_cli import mp4
from nemo_cli.emulator import compose
from nemo_cli.emulator.media import ffmpeg
from nemo_cli.emulator.server import Emulator, Options

HEADERS = {"X-Skill-Source": "benchmark", "X-Skill-Version": "0", "X-Skill-Platform": "local"}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def make_source(path: Path, pattern: str, seconds: int, freq: int) -> None:
    subprocess.run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", f"{pattern}=size=1280x720:rate=30:duration={seconds}",
                    "-f", "lavfi", "-i", f"sine=frequency={freq}:sample_rate=44100:duration={seconds}",
                    "-af", "volume=0.5", "-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-b:a", "96k", "-shortest", "-movflags", "+faststart", str(path)], check=True)


def the_draft(a: str, b: str) -> dict:
    grade = {"look": "warm", "exposure": 0.0, "contrast": 10, "saturation": 20}
    cuts = [(a, 0), (b, 0), (a, 12000), (b, 12000), (a, 30000), (b, 5000)]
    segs = []
    for i, (src, start) in enumerate(cuts):
        meta = {"title": "clip", "grade": dict(grade)}
        if i in (1, 3):
            meta["transition"] = "crossfade"
        segs.append({"id": f"s{i}", "st": i * 10000, "d": 10000, "src": src, "in": start, "m": meta})
    return {"d": 60000, "t": [
        {"id": "trk_video", "tt": 0, "m": {"title": "clip"}, "sg": segs},
        {"id": "trk_music", "tt": 1, "m": {"title": "Lo-fi", "volume": 40, "kind": "music"},
         "sg": [{"id": "seg_music", "st": 20000, "d": 20000, "m": {"title": "Lo-fi", "volume": 40}}]},
        {"id": "trk_title", "tt": 7, "sg": [{"id": "t1", "st": 0, "d": 4000, "m": {"text": "Render benchmark"}},
                                           {"id": "t2", "st": 40000, "d": 5000, "m": {"text": "城市的夜晚 City nights"}}]},
    ]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--fps", type=float, default=25)
    parser.add_argument("--keep", type=Path, help="a directory for the sources and outputs (reused)")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    work = args.keep or Path(tempfile.mkdtemp(prefix="nemo-render-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    sources = [work / "a.mp4", work / "b.mp4"]
    for path, pattern, seconds, freq in ((sources[0], "testsrc2", 60, 440), (sources[1], "smptehdbars", 30, 660)):
        if not path.exists():
            make_source(path, pattern, seconds, freq)
    output = {"format": "mp4", "quality": "high", "resolution": args.size, "width": width, "height": height, "fps": args.fps}
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; load average {load()} before")
    print(f"draft: 60 s, 6 cuts from 2 sources (1280x720@30), 2 cross-fades, a grade on every cut, 2 titles "
          f"(one CJK), a 20 s music bed; output {args.size}@{args.fps:g}, quality high "
          f"(-b:v {compose.bitrate('high', (width, height), args.fps)}, x264 ultrafast)")

    emu = Emulator(Options(render_seconds=0, edit_seconds=0, silent_rate=0, data_dir=work / "emulator")).start()
    try:
        http = httpx.Client(base_url=emu.url, timeout=120)
        token = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": str(uuid.uuid4())}).json()["data"]["token"]
        headers = {"Authorization": f"Bearer {token}", **HEADERS}
        sid = http.post("/api/tasks/me/with-session/nemo_agent", json={"task_name": "bench", "language": "en"}, headers=headers).json()["data"]["session_id"]
        ids = []
        for path in sources:
            with open(path, "rb") as handle:
                reply = http.post(f"/api/upload-video/nemo_agent/me/{sid}", files=[("files", (path.name, handle, "video/mp4"))], headers=headers)
            ids.append(reply.json()["data"]["files"][0]["id"])
        draft = the_draft(*ids)

        def render() -> float:
            rid = f"render_{uuid.uuid4().hex[:12]}"
            t0 = time.monotonic()
            http.post("/api/render/proxy/lambda", json={"id": rid, "sessionId": sid, "draft": draft, "output": output}, headers=headers)
            job = emu.world.renders[rid]
            job.done.wait(600)
            took = time.monotonic() - t0
            assert job.status == "completed", job.error
            got = mp4.probe(job.path)
            assert (got.width, got.height) == (width, height) and abs(got.fps - args.fps) < 0.01 and abs(got.seconds - 60) < 0.1, got
            return took

        def reference() -> float:
            out = work / "reference.mp4"
            t0 = time.monotonic()
            subprocess.run([ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-t", "60", "-i", str(sources[0]),
                            "-vf", f"scale={width}:{height},fps={args.fps:g},format=yuv420p", "-c:v", "libx264", "-preset", "ultrafast",
                            "-b:v", compose.bitrate("high", (width, height), args.fps), "-r", f"{args.fps:g}",
                            "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", str(out)], check=True)
            return time.monotonic() - t0

        rendered, bare = [], []
        for n in range(args.rounds):
            bare.append(reference())
            rendered.append(render())
            print(f"  round {n + 1}: render {rendered[-1]:.2f} s, reference {bare[-1]:.2f} s (load {os.getloadavg()[0]:.2f})")
    finally:
        emu.stop()
    r, b = statistics.median(rendered), statistics.median(bare)
    print(f"render of the draft   {r:6.2f} s  {60 / r:5.1f} s of video per second")
    print(f"reference (bare)      {b:6.2f} s  {60 / b:5.1f} s of video per second")
    print(f"ratio: the render takes {r / b:.2f}x the bare encode ({args.rounds} rounds, median)")
    print(f"load average {load()} after")


if __name__ == "__main__":
    main()
