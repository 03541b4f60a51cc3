"""The emulator as a thing you start and stop: two loopback origins (the API and the "CDN") served by
one uvicorn server on a background thread, with the request log and the faults in front of both.

    emu = Emulator(Options(edit_seconds=0.05, render_seconds=0.3))
    emu.start()          # free ports on 127.0.0.1 unless asked otherwise
    ... emu.url, emu.cdn_url, emu.web_url, emu.requests, emu.inject("status", status=503), emu.world ...
    emu.stop()

It only assembles: the shared parts (Options, Service, Record, Abort) live in service.py, the ASGI app in
front.py; nothing the server starts imports the server back.
"""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from nemo_cli.emulator.faults import Fault
from nemo_cli.emulator.service import Abort, Options, Record, Service
from nemo_cli.emulator.world import World

__all__ = ["Emulator", "Options"]  # the emulator's public face: tests and `nemo emulator` start it from here


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

