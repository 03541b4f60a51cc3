"""Renders: a worker thread per render, one render per session at a time (the rest wait as `pending`),
`processing` with progress over `render_seconds`, then a real H.264 MP4 of the draft's video segments,
or `failed` / `cancelled`."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from nemo_cli.emulator import media
from nemo_cli.emulator.world import Render, World


class Renderer:
    def __init__(self, world: World, out_dir: Path, options: Any) -> None:
        self.world = world
        self.out_dir = out_dir
        self.options = options  # read at each render: tests may change render_seconds on a live emulator
        self._session_locks: dict[str, threading.Lock] = {}
        self._procs: dict[str, subprocess.Popen] = {}
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self, render: Render) -> None:
        with self._lock:
            session_lock = self._session_locks.setdefault(render.session_id, threading.Lock())
            thread = threading.Thread(target=self._run, args=(render, session_lock), name=f"emu-render-{render.id}", daemon=True)
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def progress(self, render: Render) -> int:
        if render.status == "completed":
            return 100
        if render.status != "processing" or render.started is None:
            return 0 if render.status == "pending" else render.progress_at_end
        if self.options.render_seconds <= 0:
            return 99
        return min(99, int((time.monotonic() - render.started) / self.options.render_seconds * 100))

    def cancel(self, render: Render) -> bool:
        """Cancel a render that has not ended; False when it already has."""
        with self.world.lock:
            if render.status not in ("pending", "processing"):
                return render.status == "cancelled"
            render.progress_at_end = self.progress(render)
            render.status = "cancelled"
            render.completed_ms = self.world.stamp()
            render.cancel.set()
        proc = self._procs.get(render.id)
        if proc is not None:
            proc.kill()
        return True

    def stop(self) -> None:
        for render in list(self.world.renders.values()):
            render.cancel.set()
        for proc in list(self._procs.values()):
            proc.kill()
        for thread in self._threads:
            thread.join(timeout=2)

    # -- the worker ------------------------------------------------------------------------------
    def _run(self, render: Render, session_lock: threading.Lock) -> None:
        try:
            while not session_lock.acquire(timeout=0.05):
                if render.cancel.is_set():
                    return
            try:
                self._process(render)
            finally:
                session_lock.release()
        finally:
            self._procs.pop(render.id, None)
            render.done.set()

    def _process(self, render: Render) -> None:
        with self.world.lock:
            if render.cancel.is_set():
                return
            render.status = "processing"
            render.started = time.monotonic()
        error = render.fail_with
        out = self.out_dir / f"{render.id}.mp4"
        if error is None:
            try:
                pieces, size = self._pieces(render.draft)
                media.render(pieces, out, size, started=lambda p: self._procs.__setitem__(render.id, p))
            except media.MediaError as exc:
                error = str(exc)
        # the advertised pace: never finish before render_seconds, whatever ffmpeg took
        remaining = self.options.render_seconds - (time.monotonic() - render.started)
        if remaining > 0 and render.cancel.wait(remaining):
            return
        with self.world.lock:
            if render.cancel.is_set() or render.status != "processing":
                return
            render.completed_ms = self.world.stamp()
            if error is not None:
                render.progress_at_end = self.progress(render)
                render.status, render.error = "failed", error
                out.unlink(missing_ok=True)
            else:
                render.status, render.path = "completed", out

    def _pieces(self, draft: Any) -> tuple[list[media.Piece], tuple[int, int]]:
        """The draft's video segments as cuts of known media (or generated clips), and the canvas."""
        tracks = draft.get("t") if isinstance(draft, dict) else None
        if not isinstance(tracks, list):
            raise media.MediaError("the draft has no tracks")
        pieces: list[media.Piece] = []
        size: tuple[int, int] | None = None
        for track in tracks:
            if not isinstance(track, dict) or track.get("tt") != 0:
                continue
            for seg in track.get("sg") or []:
                if not isinstance(seg, dict):
                    continue
                seconds = _ms(seg.get("d")) / 1000
                if seconds <= 0:
                    continue
                src = seg.get("src")
                meta = seg.get("m") if isinstance(seg.get("m"), dict) else {}
                if src == "generated" or src is None:
                    pieces.append(media.Piece(seconds))
                    size = size or media.canvas(_int(meta.get("width")), _int(meta.get("height")))
                    continue
                with self.world.lock:
                    found = self.world.media.get(str(src))
                if found is None or found.file_type == "audio":
                    raise media.MediaError(f"segment {seg.get('id')}: unknown media {src!r}")
                start = _ms(seg.get("in")) / 1000
                pieces.append(media.Piece(seconds, found.path, start, image=found.file_type == "image", has_audio=found.has_audio))
                size = size or media.canvas(found.width, found.height)
        if not pieces:
            total = _ms(draft.get("d")) / 1000
            if total <= 0:
                raise media.MediaError("the draft has nothing to render")
            pieces.append(media.Piece(total))  # a timeline of titles/music only: a generated picture
        return pieces, size or media.canvas(None, None)


def _ms(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else None
