"""Renders: a worker thread per render, one render per session at a time (the rest wait as `pending`),
`processing` with progress over `render_seconds`, then a real H.264 MP4 of the draft as its timeline
says (compose.py: cuts, cross-fades, grades, titles, music), or `failed` / `cancelled`."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from nemo_cli.emulator import compose, media
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
                args = compose.command(self._plan(render), out, media.font_path() if _has_titles(render.draft) else None)
                media.render(args, out, started=lambda p: self._procs.__setitem__(render.id, p))
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

    def _plan(self, render: Render) -> compose.Plan:
        """The draft as compose reads it: video segments cut from known media (or generated), titles,
        music beds; the size and rate asked for, else the canvas (the first segment's source)."""
        draft = render.draft
        tracks = draft.get("t") if isinstance(draft, dict) else None
        if not isinstance(tracks, list):
            raise media.MediaError("the draft has no tracks")
        tracks = [t for t in tracks if isinstance(t, dict)]
        clips: list[compose.Clip] = []
        size: tuple[int, int] | None = None
        fps: float | None = None
        for seg in _segments(tracks, 0):
            seconds = _ms(seg.get("d")) / 1000
            if seconds <= 0:
                continue
            meta = _meta(seg)
            src = seg.get("src")
            speed = _ms(meta.get("speed")) or 1.0
            look = {"grade": meta.get("grade"), "transition": compose.transition_of(meta.get("transition")), "speed": speed}
            if src == "generated" or src is None:
                clips.append(compose.Clip(seconds, **look))
                size = size or media.canvas(_int(meta.get("width")), _int(meta.get("height")))
                continue
            found = self._media(src)
            if found is None or found.file_type == "audio":
                raise media.MediaError(f"segment {seg.get('id')}: unknown media {src!r}")
            image = found.file_type == "image"
            clips.append(compose.Clip(seconds, found.path, _ms(seg.get("in")) / 1000, image=image, has_audio=found.has_audio, **look))
            size = size or media.canvas(found.width, found.height)
            fps = fps or (found.fps if not image else None)
        total = _ms(draft.get("d")) / 1000
        if not clips:
            if total <= 0:
                raise media.MediaError("the draft has nothing to render")
            clips.append(compose.Clip(total))  # a timeline of titles/music only: a generated picture
        output = render.output if isinstance(render.output, dict) else {}
        asked_fps = _ms(output.get("fps"))
        rate = asked_fps if 1 <= asked_fps <= 120 else (fps if fps and 1 <= fps <= 120 else 25.0)
        plan = compose.Plan(clips, compose.out_size(output, size or media.canvas(None, None)), round(rate, 3),
                            str(output.get("quality") or "high"))
        own = getattr(self.options, "render_own_size", None)
        if own:  # a service that renders at its own size and rate, whatever was asked
            plan.size, plan.fps = (int(own[0]), int(own[1])), float(own[2])
        for seg in _segments(tracks, 7):
            text = _meta(seg).get("text")
            st = _ms(seg.get("st")) / 1000
            if isinstance(text, str) and text.strip():
                plan.titles.append(compose.Title(st, st + _ms(seg.get("d")) / 1000, text))
        for track in tracks:
            if track.get("tt") != 1:
                continue
            tmeta = _meta(track)
            for seg in _segments([track], 1):
                meta = _meta(seg)
                volume = meta.get("volume", tmeta.get("volume", 100))
                name = meta.get("title") or tmeta.get("title") or tmeta.get("kind") or "music"
                found = self._media(seg.get("src")) if seg.get("src") else None
                usable = found is not None and found.has_audio
                plan.beds.append(compose.Bed(_ms(seg.get("st")) / 1000, _ms(seg.get("d")) / 1000,
                                             _ms(volume) if volume is not None else 100.0, str(name),
                                             found.path if usable else None, _ms(seg.get("in")) / 1000))
        return plan

    def _media(self, src: Any) -> Any:
        with self.world.lock:
            return self.world.media.get(str(src))


def _segments(tracks: list[dict], tt: int) -> list[dict]:
    return [s for t in tracks if t.get("tt") == tt for s in (t.get("sg") if isinstance(t.get("sg"), list) else []) if isinstance(s, dict)]


def _meta(item: dict) -> dict:
    return item.get("m") if isinstance(item.get("m"), dict) else {}


def _has_titles(draft: Any) -> bool:
    tracks = draft.get("t") if isinstance(draft, dict) else None
    return isinstance(tracks, list) and any(
        isinstance(_meta(s).get("text"), str) and _meta(s)["text"].strip()
        for s in _segments([t for t in tracks if isinstance(t, dict)], 7))


def _ms(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else None
