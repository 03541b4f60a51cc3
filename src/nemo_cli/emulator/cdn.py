"""The "CDN" origin: render results and uploaded files, on a port of its own.

- `GET|HEAD /f/<renders|uploads>/<name>`: the file, with Range / If-Range (ETag, Last-Modified);
- `GET|HEAD /r/<renders|uploads>/<name>`: 302 to the /f/ path (for clients' redirect handling);
- any request carrying an `Authorization` header: HTTP 403 (a token must never travel here).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nemo_cli.emulator.server import Service

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
KINDS = ("renders", "uploads")


def build(svc: "Service") -> Any:
    from starlette.applications import Starlette
    from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse
    from starlette.routing import Route

    def refused(request: Any) -> Any:
        if "authorization" in request.headers:
            return PlainTextResponse("403 Forbidden: this host does not accept an Authorization header\n", status_code=403)
        kind, name = request.path_params["kind"], request.path_params["name"]
        if kind not in KINDS or not _NAME.match(name) or not (svc.data_dir / kind / name).is_file():
            return PlainTextResponse("404 Not Found\n", status_code=404)
        return None

    async def serve(request: Any) -> Any:
        answer = refused(request)
        if answer is not None:
            return answer
        path = svc.data_dir / request.path_params["kind"] / request.path_params["name"]
        media_type = "video/mp4" if path.suffix == ".mp4" else None
        return FileResponse(path, media_type=media_type)

    async def redirect(request: Any) -> Any:
        answer = refused(request)
        if answer is not None:
            return answer
        return RedirectResponse(f"{svc.cdn_url}/f/{request.path_params['kind']}/{request.path_params['name']}", status_code=302)

    async def other(request: Any, exc: Any) -> Any:
        if "authorization" in request.headers:
            return PlainTextResponse("403 Forbidden: this host does not accept an Authorization header\n", status_code=403)
        status = getattr(exc, "status_code", 404)
        return PlainTextResponse(f"{status}\n", status_code=status)

    return Starlette(
        routes=[
            Route("/f/{kind}/{name}", serve, methods=["GET", "HEAD"]),
            Route("/r/{kind}/{name}", redirect, methods=["GET", "HEAD"]),
        ],
        exception_handlers={404: other, 405: other},
    )
