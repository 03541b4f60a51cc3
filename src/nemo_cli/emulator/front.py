"""The ASGI app in front of both origins: tells them apart by port, logs every request, applies faults.

Faults that answer by themselves (status, rate_limit, malformed, plan_limit, credits, code) never reach
the endpoint; the others change how the real answer travels (slow, drop, cut), change the world first
(expire_token), or are handed to the endpoint that acts on them (sse_drop, render_fail).
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from nemo_cli.emulator import api, cdn, control, replies
from nemo_cli.emulator.service import Abort, Record, Service

if TYPE_CHECKING:
    from nemo_cli.emulator.faults import Fault

MAX_LOGGED_BODY = 1024 * 1024


class Front:
    def __init__(self, svc: Service, cdn_port: int) -> None:
        self.svc = svc
        self.cdn_port = cdn_port
        self.api = api.build(svc)
        self.cdn = cdn.build(svc)
        self.control = control.build(svc)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        server = scope.get("server") or ("", 0)
        origin = "cdn" if server[1] == self.cdn_port else "api"
        path, method = scope["path"], scope["method"]
        if origin == "api" and (path == "/_emulator" or path.startswith("/_emulator/")):
            await self.control(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        body_json = None
        if "json" in headers.get("content-type", "") and int(headers.get("content-length") or 0) <= MAX_LOGGED_BODY:
            raw = await _read(receive)
            receive = _replay(raw, receive)
            try:
                body_json = json.loads(raw) if raw else None
            except (ValueError, UnicodeDecodeError):
                body_json = None
        record = Record(method, path, scope.get("query_string", b"").decode("latin-1"), headers, body_json, origin)
        self.svc.requests.append(record)
        send = self._recording(send, record)
        fault = self.svc.faults.take(origin, method, path, "authorization" in headers)
        if fault is not None:
            record.fault = fault.kind
            answered, send = await self._fault(fault, scope, send, headers)
            if answered:
                return
        app = self.cdn if origin == "cdn" else self.api
        await app(scope, receive, send)

    def _recording(self, send: Any, record: Record) -> Any:
        log = self.svc.options.log

        async def recording(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
                if log is not None:
                    query = f"?{record.query}" if record.query else ""
                    note = f" (fault: {record.fault})" if record.fault else ""
                    log(f"{record.origin} {record.method} {record.path}{query} -> {record.status}{note}")
            await send(message)

        return recording

    async def _fault(self, fault: "Fault", scope: dict[str, Any], send: Any, headers: dict[str, str]) -> tuple[bool, Any]:
        """Apply a fault: (answered already?, the send to use from here on)."""
        kind, params, path = fault.kind, fault.params, scope["path"]
        fam = replies.family(path)
        if kind == "status":
            status = int(params.get("status", 503))
            await _answer(send, status, replies.body(fam, status if fam != "render" else None, f"injected fault: HTTP {status}"))
        elif kind == "rate_limit":
            retry = params.get("retry_after", 1)
            await _answer(send, 429, replies.body(fam, 429 if fam != "render" else None, "rate limited"), {"retry-after": str(retry)})
        elif kind == "malformed":
            await _raw(send, 200, b'{"code": 0, "data": {"oops', "application/json")
        elif kind == "plan_limit":
            await _answer(send, 402, replies.body(fam, 402 if fam != "render" else None, "the free plan cannot do this; upgrade your plan"))
        elif kind == "credits":
            status = 402 if fam in ("sse", "render") else 200
            await _answer(send, status, replies.body(fam, 2001, "insufficient credits"))
        elif kind == "code":
            code = int(params.get("code", 1002))
            await _answer(send, 200, replies.body(fam, code, f"injected service error {code}"))
        else:
            if kind == "expire_token":
                _, _, value = headers.get("authorization", "").partition(" ")
                self.svc.world.expire(value.strip())
            elif kind == "slow":
                await asyncio.sleep(float(params.get("delay", 2.0)))
            elif kind == "drop":
                send = _dropping(send)
            elif kind == "cut":
                send = _cutting(send, int(params.get("after", 65536)))
            else:  # sse_drop, render_fail: the endpoint acts on them
                scope["emu.fault"] = fault
            return False, send
        return True, send


async def _read(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(raw: bytes, receive: Any) -> Any:
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return await receive()

    return replay


async def _answer(send: Any, status: int, content: Any, headers: dict[str, str] | None = None) -> None:
    await _raw(send, status, replies.json_dumps(content), "application/json", headers)


async def _raw(send: Any, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
    raw = [(b"content-type", ctype.encode()), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _dropping(send: Any) -> Any:
    """Send the headers and half of the first piece of body, then close the connection."""

    async def dropping(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            body = message.get("body", b"")
            if body:
                await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
            raise Abort()
        await send(message)

    return dropping


def _cutting(send: Any, after: int) -> Any:
    """Let `after` bytes of body through, then close the connection."""
    sent = 0

    async def cutting(message: dict[str, Any]) -> None:
        nonlocal sent
        if message["type"] != "http.response.body":
            await send(message)
            return
        body = message.get("body", b"")
        if sent + len(body) < after or (sent + len(body) == after and not message.get("more_body")):
            sent += len(body)
            await send(message)
            return
        await send({"type": "http.response.body", "body": body[: after - sent], "more_body": True})
        sent = after
        raise Abort()

    return cutting
