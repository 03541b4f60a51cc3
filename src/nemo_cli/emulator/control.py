"""Control endpoints for users' own CI (on the API origin, never logged, never faulted):

    GET  /_emulator                 the origins and options
    GET  /_emulator/requests        the request log (both origins)
    GET  /_emulator/faults          faults waiting to happen and standing rates
    POST /_emulator/faults          {"kind", "path"?, "method"?, "times"?, "rate"?, …params}
    DELETE /_emulator/faults        forget the injected faults (standing rates stay)
    POST /_emulator/reset           forget everything: users, tokens, sessions, renders, log, faults
    POST /_emulator/users           {"credits"?, "free_plan"?, "scopes"?} → {"token"} of a registered user
    POST /_emulator/clock           {"advance": seconds}: move the service's clock (token expiry)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nemo_cli.emulator.faults import KINDS, Fault
from nemo_cli.emulator.replies import json_body, json_response
from nemo_cli.emulator.world import SCOPES, Refused

if TYPE_CHECKING:
    from nemo_cli.emulator.service import Service


def build(svc: "Service") -> Any:
    from starlette.applications import Starlette
    from starlette.routing import Route

    def guarded(fn: Any) -> Any:
        async def handle(request: Any) -> Any:
            try:
                return await fn(request)
            except Refused as exc:
                return json_response(exc.status, {"ok": False, "error": exc.message})

        return handle

    async def info(request: Any) -> Any:
        opts = svc.options
        return json_response(
            200,
            {
                "url": svc.url,
                "cdn_url": svc.cdn_url,
                "web_url": svc.web_url,
                "render_flavor": opts.render_flavor,
                "sse_flavor": opts.sse_flavor,
                "download_flavor": opts.download_flavor,
                "silent_rate": opts.silent_rate,
                "edit_seconds": opts.edit_seconds,
                "render_seconds": opts.render_seconds,
                "fault_kinds": {k: v[0] for k, v in KINDS.items()},
            },
        )

    async def requests(request: Any) -> Any:
        return json_response(200, {"requests": [r.public() for r in list(svc.requests)]})

    async def faults(request: Any) -> Any:
        if request.method == "GET":
            return json_response(200, {"faults": svc.faults.public()})
        if request.method == "DELETE":
            svc.faults.clear()
            return json_response(200, {"ok": True})
        spec = await json_body(request)
        kind, path, method = spec.pop("kind", None), spec.pop("path", None), spec.pop("method", None)
        times, rate = spec.pop("times", 1), spec.pop("rate", None)
        try:
            if not isinstance(kind, str):
                raise ValueError(f"kind is required (one of {', '.join(KINDS)})")
            if not isinstance(times, int) or times < 1:
                raise ValueError("times must be a whole number of at least 1")
            if rate is not None and (not isinstance(rate, (int, float)) or not 0 <= rate <= 1):
                raise ValueError("rate must be a number between 0 and 1")
            fault = Fault(kind, path=path, method=method, times=times, rate=rate, params=spec)
        except (ValueError, TypeError) as exc:  # re.error is a ValueError
            raise Refused(str(exc), status=400) from None
        if rate is None:
            svc.faults.inject(fault)
        else:
            with svc.faults.lock:
                svc.faults.standing.append(fault)
        return json_response(200, {"ok": True, "fault": fault.public()})

    async def reset(request: Any) -> Any:
        svc.reset()
        return json_response(200, {"ok": True})

    async def users(request: Any) -> Any:
        spec = await json_body(request)
        credits, free_plan = spec.get("credits"), bool(spec.get("free_plan", False))
        scopes = spec.get("scopes", ["*"])
        if credits is not None and (not isinstance(credits, int) or isinstance(credits, bool) or credits < 0):
            raise Refused("credits must be a whole number", status=400)
        if not isinstance(scopes, list) or not scopes or any(s not in (*SCOPES, "*") for s in scopes):
            raise Refused(f"scopes: a list of {', '.join((*SCOPES, '*'))}", status=400)
        token = svc.world.add_user(credits=credits, free_plan=free_plan, scopes=tuple(scopes))
        return json_response(200, {"token": token})

    async def clock(request: Any) -> Any:
        spec = await json_body(request)
        seconds = spec.get("advance")
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
            raise Refused("advance: a number of seconds (at least 0)", status=400)
        svc.world.advance(float(seconds))
        return json_response(200, {"ok": True, "now": svc.world.iso(svc.world.now())})

    return Starlette(
        routes=[
            Route("/_emulator", guarded(info), methods=["GET"]),
            Route("/_emulator/requests", guarded(requests), methods=["GET"]),
            Route("/_emulator/faults", guarded(faults), methods=["GET", "POST", "DELETE"]),
            Route("/_emulator/reset", guarded(reset), methods=["POST"]),
            Route("/_emulator/users", guarded(users), methods=["POST"]),
            Route("/_emulator/clock", guarded(clock), methods=["POST"]),
        ]
    )
