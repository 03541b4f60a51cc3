"""The "CDN" origin: render results and uploaded files, on a port of its own.

- `GET|HEAD /f/<renders|uploads>/<name>`: the file, with Range / If-Range (ETag, Last-Modified);
- `GET|HEAD /r/<renders|uploads>/<name>`: 302 to the /f/ path (for clients' redirect handling);
- a signed link (`?expires=…&signature=…`, as the download fallback hands out in its JSON flavor) is
  checked: a wrong signature or a past expiry gets HTTP 403;
- any request carrying an `Authorization` header: HTTP 403 (a token must never travel here).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from nemo_cli.emulator.service import Service

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
KINDS = ("renders", "uploads")
LINK_SECONDS = 3600


def signed_url(svc: "Service", kind: str, name: str) -> str:
    """A CDN link to one file that lives LINK_SECONDS, signed with the emulator's secret."""
    expires = str(int(svc.world.now()) + LINK_SECONDS)  # the service's clock (POST /_emulator/clock moves it)
    query = urlencode({"expires": expires, "signature": _signature(svc, kind, name, expires)})
    return f"{svc.cdn_url}/f/{kind}/{name}?{query}"


def _signature(svc: "Service", kind: str, name: str, expires: str) -> str:
    return hmac.new(svc.link_secret, f"{kind}/{name}:{expires}".encode(), hashlib.sha256).hexdigest()


def _bad_signature(svc: "Service", request: Any, kind: str, name: str) -> str | None:
    query = request.query_params
    if "signature" not in query and "expires" not in query:
        return None  # a plain result URL
    expires = query.get("expires", "")
    if not hmac.compare_digest(query.get("signature", "").encode(), _signature(svc, kind, name, expires).encode()):
        return "the link's signature does not match"
    if not expires.isdigit() or int(expires) < svc.world.now():
        return "the link has expired"
    return None


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
        bad = _bad_signature(svc, request, kind, name)
        if bad is not None:
            return PlainTextResponse(f"403 Forbidden: {bad}\n", status_code=403)
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
