"""Uploads: multipart `files` parts (spooled to disk by the multipart parser, copied into the data dir in
chunks: no file is ever held whole in memory) or JSON `{"urls": […], "source_type": "url"}` (nothing is
fetched: each URL becomes a generated clip). Every file is probed with ffmpeg and put on the timeline."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlsplit

from nemo_cli.emulator import media
from nemo_cli.emulator.replies import json_body, json_response, ok
from nemo_cli.emulator.world import MediaFile, Refused

if TYPE_CHECKING:
    from nemo_cli.emulator.service import Service

CHUNK = 1024 * 1024
ACCEPTED = "mp4, mov, avi, webm, mkv, jpg, jpeg, png, gif, webp, mp3, wav, m4a, aac"


class Uploads:
    def __init__(self, svc: "Service") -> None:
        self.svc = svc

    async def upload(self, request: Any) -> Any:
        from starlette.concurrency import run_in_threadpool

        world = self.svc.world
        token = world.authenticate(request.headers.get("authorization"), "upload")
        if request.path_params.get("app") != "nemo_agent":
            raise Refused(f"unknown app {request.path_params.get('app')!r}", status=404)
        session = world.session(request.path_params["sid"], token.user_id)
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("multipart/form-data"):
            stored = await self._multipart(request, token.user_id)
        elif "json" in ctype:
            stored = await run_in_threadpool(self._urls, await json_body(request), token.user_id)
        else:
            raise Refused("send multipart/form-data with parts named `files`, or JSON {\"urls\": [...]}", status=400)
        for item in stored:
            world.add_media(session, item)
        files = [m.info() for m in stored]
        return json_response(200, ok({"files": files, "session_state_applied": True}))

    async def _multipart(self, request: Any, user_id: str) -> list[MediaFile]:
        from starlette.concurrency import run_in_threadpool
        from starlette.datastructures import UploadFile

        try:
            form = await request.form(max_files=100, max_fields=100)
        except Exception as exc:  # the parser's own errors (bad boundary, too many parts…)
            raise Refused(f"cannot read the multipart body: {exc}", status=400) from None
        try:
            parts = [v for k, v in form.multi_items() if k == "files" and isinstance(v, UploadFile)]
            if not parts:
                raise Refused("no file parts named `files` in the body", status=400)
            for part in parts:  # check every file before storing any
                name = part.filename or "upload"
                if media.file_type(name) is None:
                    raise Refused(f"unsupported file type: {name} (accepted: {ACCEPTED})", code=4001)
                if (part.size or 0) > self.svc.options.max_upload_bytes:
                    raise Refused(f"file too large: {name} ({part.size} bytes; the limit is {self.svc.options.max_upload_bytes})", code=4002)
            stored: list[MediaFile] = []
            try:
                for part in parts:
                    stored.append(await run_in_threadpool(self._store, part.file, part.filename or "upload", user_id))
            except Refused:
                for item in stored:
                    item.path.unlink(missing_ok=True)
                raise
            return stored
        finally:
            await form.close()

    def _store(self, source: BinaryIO, filename: str, user_id: str) -> MediaFile:
        """Copy a spooled part into the data dir in chunks, hashing on the way, then probe it."""
        media_id = f"med_{uuid.uuid4().hex[:16]}"
        ext = Path(filename).suffix.lower()
        path = self.svc.data_dir / "uploads" / f"{media_id}{ext}"
        sha = hashlib.sha256()
        source.seek(0)
        with open(path, "wb") as out:
            while chunk := source.read(CHUNK):
                sha.update(chunk)
                out.write(chunk)
        return self._describe(media_id, path, Path(filename).name, user_id, sha.hexdigest())

    def _describe(self, media_id: str, path: Path, filename: str, user_id: str, digest: str) -> MediaFile:
        kind = media.file_type(filename) or "video"
        try:
            probe = media.probe(path)
        except media.MediaError:
            path.unlink(missing_ok=True)
            raise Refused(f"unsupported file type: {filename} is not a media file the service can read", code=4001) from None
        if kind == "video" and not probe.has_video:
            path.unlink(missing_ok=True)
            raise Refused(f"unsupported file type: {filename} has no video stream", code=4001)
        return MediaFile(
            id=media_id,
            user_id=user_id,
            path=path,
            filename=filename,
            file_type=kind,
            duration=round(probe.duration, 3) if probe.duration is not None and kind != "image" else None,
            width=probe.width,
            height=probe.height,
            fps=probe.fps if kind == "video" else None,
            hash=digest,
            has_audio=probe.has_audio,
            cdn_url=f"{self.svc.cdn_url}/f/uploads/{path.name}",
        )

    def _urls(self, payload: dict[str, Any], user_id: str) -> list[MediaFile]:
        urls = payload.get("urls")
        if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
            raise Refused("urls: a non-empty list of URLs is required", status=400)
        names = []
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise Refused(f"not an http(s) URL: {url}", status=400)
            name = PurePosixPath(parts.path).name or "clip.mp4"
            if not PurePosixPath(name).suffix:
                name += ".mp4"
            if media.file_type(name) is None:
                raise Refused(f"unsupported file type: {name} (accepted: {ACCEPTED})", code=4001)
            names.append(name)
        stored = []
        for name in names:
            # nothing is fetched: the emulator makes a clip of its own and files it under the URL's name
            media_id = f"med_{uuid.uuid4().hex[:16]}"
            path = self.svc.data_dir / "uploads" / f"{media_id}.mp4"
            media.make_clip(path, self.svc.options.url_clip_seconds)
            with open(path, "rb") as made:
                digest = _digest(made)
            item = self._describe(media_id, path, str(PurePosixPath(name).with_suffix(".mp4")), user_id, digest)
            stored.append(item)
        return stored


def _digest(source: BinaryIO) -> str:
    sha = hashlib.sha256()
    while chunk := source.read(CHUNK):
        sha.update(chunk)
    return sha.hexdigest()
