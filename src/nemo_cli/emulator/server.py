"""The emulator as a thing you start and stop: two loopback origins (the API and the "CDN") served by
one uvicorn server on a background thread, with the request log and the faults in front of both.

    emu = Emulator(Options(edit_seconds=0.05, render_seconds=0.3))
    emu.start()          # free ports on 127.0.0.1 unless asked otherwise
    ... emu.url, emu.cdn_url, emu.web_url, emu.requests, emu.inject("status", status=503), emu.world ...
    emu.stop()
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import shutil
import socket
import tempfile
import threading
import time
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


class Emulator:
    def __init__(self, options: Options | None = None) -> None:
        self.options = options or Options()
        self._own_dir = self.options.data_dir is None
        data_dir = Path(tempfile.mkdtemp(prefix="nemo-emulator-")) if self._own_dir else Path(self.options.data_dir)  # type: ignore[arg-type]
        self.svc = Service(self.options, data_dir)
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._sockets: list[socket.socket] = []

    # -- what tests use ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.svc.url

    @property
    def cdn_url(self) -> str:
        return self.svc.cdn_url

    @property
    def web_url(self) -> str:
        return self.svc.web_url

    @property
    def world(self) -> World:
        return self.svc.world

    @property
    def requests(self) -> list[Record]:
        return self.svc.requests

    @property
    def data_dir(self) -> Path:
        return self.svc.data_dir

    def inject(self, kind: str, path: str | None = None, method: str | None = None, times: int = 1, **params: Any) -> None:
        """A fault for the next `times` requests that match (see faults.KINDS)."""
        self.svc.faults.inject(Fault(kind, path=path, method=method, times=times, params=params))

    def reset(self) -> None:
        self.svc.reset()

    # -- life ----------------------------------------------------------------------------------
    def start(self, timeout: float = 15.0) -> "Emulator":
        import uvicorn

        from nemo_cli.emulator.front import Front

        opts = self.options
        api_sock = _bind(opts.host, opts.port)
        cdn_sock = _bind(opts.host, opts.cdn_port)
        self._sockets = [api_sock, cdn_sock]
        host = opts.host if ":" not in opts.host else f"[{opts.host}]"
        api_port, cdn_port = api_sock.getsockname()[1], cdn_sock.getsockname()[1]
        scheme = "https" if opts.tls_cert else "http"
        self.svc.url = f"{scheme}://{host}:{api_port}"
        self.svc.cdn_url = f"{scheme}://{host}:{cdn_port}"
        self.svc.web_url = f"{self.svc.url}/web"
        _quiet_aborts()
        config = uvicorn.Config(
            Front(self.svc, cdn_port),
            lifespan="off",
            log_config=None,
            log_level="warning",
            access_log=False,
            ws="none",
            timeout_graceful_shutdown=1,
            timeout_keep_alive=5,
            ssl_certfile=str(opts.tls_cert) if opts.tls_cert else None,
            ssl_keyfile=str(opts.tls_key) if opts.tls_key else None,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": self._sockets}, name="nemo-emulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the emulator did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self.svc.renderer.stop()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        for sock in self._sockets:
            sock.close()
        self._sockets = []
        if self._own_dir:
            shutil.rmtree(self.svc.data_dir, ignore_errors=True)

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class _AbortFilter(logging.Filter):
    """A deliberate mid-response close is a fault we injected, not an error worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not _is_abort(exc)


def _is_abort(exc: BaseException | None) -> bool:
    if isinstance(exc, Abort):
        return True
    inner = getattr(exc, "exceptions", None)  # an exception group from a task group
    return isinstance(inner, (list, tuple)) and bool(inner) and all(_is_abort(e) for e in inner)


def _quiet_aborts() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _AbortFilter) for f in logger.filters):
        logger.addFilter(_AbortFilter())

