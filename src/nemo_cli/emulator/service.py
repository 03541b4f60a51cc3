"""What every part of the emulator shares: its Options, the Service the request handlers are given (the
world, the faults, the renderer, the request log, the origins' URLs), a logged request's Record, and the
Abort that closes a connection mid-response.

server.py assembles these into a running Emulator; front.py and the endpoints (api, cdn, control, runs,
uploads) import them from here, never from server.py, so nothing imports back into what starts them.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from nemo_cli.emulator.faults import Fault, FaultBook
from nemo_cli.emulator.render import Renderer
from nemo_cli.emulator.world import World

RENDER_FLAVORS = ("nested", "top")
SSE_FLAVORS = ("adk", "typed")
DOWNLOAD_FLAVORS = ("file", "json", "json-error", "html")


@dataclass
class Options:
    render_flavor: str = "nested"  # render status: "nested" (data.status, data.outputUrl) or "top" (status, output.url)
    sse_flavor: str = "adk"  # /run_sse events: "adk" (Agent Development Kit) or "typed"
    silent_rate: float = 0.3  # share of runs that stream no text at all
    seed: int = 1  # silent runs and fault rates are drawn from this, so runs repeat
    edit_seconds: float = 1.0  # how long the agent "works" on a message
    render_seconds: float = 2.0  # how long a render stays processing (at least)
    # (width, height, fps): renders come out so whatever the request asks, as a service may (None: as asked)
    render_own_size: tuple[int, int, float] | None = None
    keepalive_seconds: float = 0.5  # keep-alive interval on a /run_sse stream while the agent works
    credits: int = 100  # credits of a new user
    data_dir: Path | None = None  # uploads and renders; None: a temporary directory removed on stop
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port
    cdn_port: int = 0
    faults: list[Fault] = field(default_factory=list)  # standing faults (with rates)
    free_plan: bool = False  # new users are on the free plan: renders get HTTP 402
    cdn_redirect: bool = False  # result URLs point at the CDN's redirecting path (/r/…), for redirect tests
    # the download fallback answers with: "file" (the MP4), "json" (a signed CDN link in the API envelope),
    # "json-error" (an error envelope with HTTP 200) or "html" (an HTML page with HTTP 200)
    download_flavor: str = "file"
    ip_limit: int | None = None  # anonymous tokens per IP per week (None: no limit)
    max_upload_bytes: int = 500 * 1024 * 1024
    url_clip_seconds: float = 5.0  # the generated clip a URL upload becomes
    log: Callable[[str], None] | None = None  # one line per request (the `serve` command prints them)
    tls_cert: Path | None = None  # with tls_key: serve both origins over https with this certificate (PEM)
    tls_key: Path | None = None
    anonymous_user_id: bool = True  # the anonymous-token reply carries user_id (the contract: "where given")

    def __post_init__(self) -> None:
        if self.render_flavor not in RENDER_FLAVORS:
            raise ValueError(f"render_flavor must be one of {RENDER_FLAVORS}")
        if self.sse_flavor not in SSE_FLAVORS:
            raise ValueError(f"sse_flavor must be one of {SSE_FLAVORS}")
        if self.download_flavor not in DOWNLOAD_FLAVORS:
            raise ValueError(f"download_flavor must be one of {DOWNLOAD_FLAVORS}")


@dataclass
class Record:
    """One request as the emulator received it (/_emulator/* control calls are not logged)."""

    method: str
    path: str
    query: str  # the raw query string
    headers: dict[str, str]  # names lower-cased
    json: Any  # the parsed body of a JSON request, else None
    origin: str  # "api" | "cdn"
    status: int | None = None  # the HTTP status answered (None if the connection was dropped first)
    fault: str | None = None  # the fault kind applied to it, if any

    def public(self) -> dict[str, Any]:
        return asdict(self)


class Abort(Exception):
    """Raised to close a connection mid-response (drop, cut, sse_drop); uvicorn then closes the socket."""


class Service:
    """What the request handlers share."""

    def __init__(self, options: Options, data_dir: Path) -> None:
        self.options = options
        self.data_dir = data_dir
        self.world = World(credits=options.credits, free_plan=options.free_plan, ip_limit=options.ip_limit)
        self.faults = FaultBook(options.faults, seed=options.seed)
        self.rng = random.Random(options.seed)
        self.rng_lock = threading.Lock()
        self.link_secret = secrets.token_bytes(16)  # signs the CDN links the download fallback hands out
        self.renderer = Renderer(self.world, data_dir / "renders", options)
        self.requests: list[Record] = []
        self.url = self.cdn_url = self.web_url = ""
        self.tasks: set[asyncio.Task] = set()  # runs that go on after their stream closed
        self.run_locks: dict[str, asyncio.Lock] = {}
        for sub in ("uploads", "renders", "tmp"):
            (data_dir / sub).mkdir(parents=True, exist_ok=True)

    def chance(self) -> float:
        with self.rng_lock:
            return self.rng.random()

    def reset(self) -> None:
        """Forget everything: users, tokens, sessions, renders, the log and the injected faults."""
        self.renderer.stop()
        with self.world.lock:
            self.world.clear()
        self.requests.clear()
        self.faults.clear()
        self.run_locks.clear()
        with self.rng_lock:
            self.rng.seed(self.options.seed)
