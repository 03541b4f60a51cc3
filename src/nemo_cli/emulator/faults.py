"""Faults: what can go wrong with a request, injected for the next matching request(s) (a test hook, or
POST /_emulator/faults) or at a rate for every request a kind applies to (`--fault KIND[:RATE]`).

Each kind applies to the requests where it means something (a `cut` to downloads, an `sse_drop` to
/run_sse…); a fault waits for the first request that matches its kind, path regex and method.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

# kind: (what it does, default parameters)
KINDS: dict[str, tuple[str, dict[str, Any]]] = {
    "status": ("answer with an HTTP error status (default 503)", {"status": 503}),
    "rate_limit": ("HTTP 429 with Retry-After", {"retry_after": 1}),
    "expire_token": ("expire the caller's token, so the request gets 1001", {}),
    "drop": ("start the response, then close the connection mid-body", {}),
    "slow": ("wait before the first byte", {"delay": 2.0}),
    "malformed": ("HTTP 200 with a body that is not JSON", {}),
    "sse_drop": ("close a /run_sse stream after N events (the run goes on and is charged); clean=1 ends it as a "
                 "proxy at its timeout does, without an error", {"after": 1, "clean": 0}),
    "cut": ("close a download after N bytes", {"after": 65536}),
    "plan_limit": ("HTTP 402: the free plan cannot do this", {}),
    "credits": ("2001: out of credits", {}),
    "code": ("a service error code in an HTTP 200 envelope", {"code": 1002}),
    "render_fail": ("accept a render, then let it fail", {"error": "render failed: injected fault"}),
}

DOWNLOAD = re.compile(r"^/f/|^/api/render/proxy/[^/]+/download$")
RENDER_SUBMIT = re.compile(r"^/api/render/proxy/lambda/?$")


def applies(kind: str, origin: str, method: str, path: str, has_token: bool) -> bool:
    """Whether a kind means something for this request."""
    if kind == "sse_drop":
        return path == "/run_sse"
    if kind == "cut":
        return bool(DOWNLOAD.search(path))
    if kind == "render_fail":
        return method == "POST" and bool(RENDER_SUBMIT.search(path))
    if kind == "expire_token":
        return origin == "api" and has_token
    if kind in ("plan_limit", "credits", "code"):
        return origin == "api"
    return True


@dataclass
class Fault:
    kind: str
    path: str | None = None  # a regex searched in the request path
    method: str | None = None
    times: int = 1
    rate: float | None = None  # a standing fault that hits this share of its requests
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (known: {', '.join(KINDS)})")
        if self.path is not None:
            re.compile(self.path)
        self.params = {**KINDS[self.kind][1], **self.params}

    def matches(self, origin: str, method: str, path: str, has_token: bool) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        if self.path and not re.search(self.path, path):
            return False
        return applies(self.kind, origin, method, path, has_token)

    def public(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "path": self.path, "method": self.method, **self.params}
        out.update({"rate": self.rate} if self.rate is not None else {"times": self.times})
        return out


def parse_flag(text: str) -> Fault:
    """`KIND[,NAME=VALUE…][:RATE]`, e.g. `status:0.1`, `status,status=502:0.2`, `slow,delay=1`.
    Without a rate the fault hits every request it applies to."""
    body, rate = text, 1.0
    head, sep, tail = text.rpartition(":")
    if sep:
        try:
            rate = float(tail)
        except ValueError:
            raise ValueError(f"{text!r}: the rate after ':' must be a number between 0 and 1") from None
        body = head
    if not 0 <= rate <= 1:
        raise ValueError(f"{text!r}: the rate must be between 0 and 1")
    kind, *pairs = body.split(",")
    params: dict[str, Any] = {}
    for pair in pairs:
        name, eq, value = pair.partition("=")
        if not eq:
            raise ValueError(f"{text!r}: expected NAME=VALUE, not {pair!r}")
        params[name.strip()] = _number(value.strip())
    path = params.pop("path", None)
    method = params.pop("method", None)
    return Fault(kind.strip(), path=path, method=method, rate=rate, params=params)


def _number(value: str) -> Any:
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


class FaultBook:
    def __init__(self, standing: list[Fault] | None = None, seed: int = 0) -> None:
        self.lock = threading.Lock()
        self.once: list[Fault] = []
        self.standing = list(standing or [])
        self.rng = random.Random(seed)

    def inject(self, fault: Fault) -> None:
        with self.lock:
            self.once.append(fault)

    def clear(self) -> None:
        with self.lock:
            self.once.clear()

    def take(self, origin: str, method: str, path: str, has_token: bool) -> Fault | None:
        """The fault for this request, if any: injected ones first (used up), then standing rates."""
        with self.lock:
            for fault in self.once:
                if fault.matches(origin, method, path, has_token):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.once.remove(fault)
                    return fault
            for fault in self.standing:
                if fault.matches(origin, method, path, has_token) and self.rng.random() < (fault.rate or 0):
                    return fault
        return None

    def public(self) -> list[dict[str, Any]]:
        with self.lock:
            return [f.public() for f in [*self.once, *self.standing]]
