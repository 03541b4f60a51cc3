"""The service's envelopes and how a refusal looks in each family of endpoints.

- API endpoints: `{"code", "message", "data"}`. A service code (1002, 2001, 4001, 4002…) comes with HTTP
  200; 1001 comes with HTTP 401; limits and bad requests with their HTTP status (400, 403, 429).
- Render endpoints: `{"success", "data"}`; a refusal is `{"success": false, "message", "error"}` with an
  HTTP status (and `code` when a service code applies).
- /run_sse: a 200 means "here is the stream", so everything refused before the stream starts comes with
  an HTTP error status and the API envelope: 1001 → 401, 1002 → 404, 2001 → 402, bad body → 400.
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable

from nemo_cli.emulator.world import Refused

_SSE_STATUS = {1002: 404, 2001: 402}
_RENDER_STATUS = {1002: 404, 2001: 402}


def family(path: str) -> str:
    if path == "/run_sse":
        return "sse"
    if path.startswith("/api/render/"):
        return "render"
    return "api"


def body(fam: str, code: int | None, message: str) -> dict[str, Any]:
    if fam == "render":
        out: dict[str, Any] = {"success": False, "message": message, "error": message}
        if code is not None:
            out["code"] = code
        return out
    return {"code": code, "message": message, "data": None}


def refusal(fam: str, exc: Refused) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) of a refusal in a family of endpoints."""
    status = exc.status
    if status == 200 and exc.code is not None:
        if fam == "sse":
            status = _SSE_STATUS.get(exc.code, 400)
        elif fam == "render":
            status = _RENDER_STATUS.get(exc.code, 400)
    code = exc.code if exc.code is not None or fam == "render" else status
    return status, body(fam, code, exc.message)


def ok(data: Any) -> dict[str, Any]:
    return {"code": 0, "message": "success", "data": data}


def json_dumps(content: Any) -> bytes:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(status: int, content: Any, headers: dict[str, str] | None = None) -> Any:
    from starlette.responses import Response

    return Response(json_dumps(content), status_code=status, headers=headers, media_type="application/json")


Handler = Callable[..., Awaitable[Any]]


def endpoint(fam: str, fn: Handler) -> Callable[[Any], Awaitable[Any]]:
    """A starlette endpoint whose Refused becomes the family's refusal."""

    async def handle(request: Any) -> Any:
        try:
            return await fn(request)
        except Refused as exc:
            status, content = refusal(fam, exc)
            return json_response(status, content, exc.headers)

    handle.__name__ = fn.__name__
    return handle


async def json_body(request: Any) -> dict[str, Any]:
    """The request's JSON object, or Refused (HTTP 400)."""
    try:
        value = json.loads(await request.body() or b"null")
    except (ValueError, UnicodeDecodeError):
        raise Refused("the body is not JSON", status=400) from None
    if not isinstance(value, dict):
        raise Refused("the body must be a JSON object", status=400)
    return value
