"""A small forward proxy on 127.0.0.1 for the proxy tests, recording everything that passed through it.

- plain http: a request in absolute form (`GET http://host:port/path HTTP/1.1`) is sent on to its origin
  (origin form, `Connection: close`, without Proxy-Authorization) and the answer piped back;
- https: `CONNECT host:port` opens a tunnel; the bytes both ways are piped and kept, so a test can show that
  the token never crossed it in the clear;
- `credentials=("user", "password")`: anything without the matching Proxy-Authorization gets HTTP 407;
- `refuse=403`: every request and every CONNECT gets that status (an HTML page) instead.

One request per client connection (the proxy answers `Connection: close`), so every request is recorded.
Not a test module: the proxy, TLS and doctor tests import it from the package tests.support.
"""

from __future__ import annotations

import base64
import socket
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Passed:
    """One request the proxy received."""

    method: str
    target: str  # absolute URL (plain http) or host:port (CONNECT)
    headers: dict[str, str]  # names lower-cased
    status: int | None = None  # what the proxy answered itself (407, a refusal, 200 for a tunnel, 502), else None
    upstream: bytes = b""  # what went from the client to the origin (the body, or the tunnel's bytes)
    downstream: bytes = b""  # what came back from the origin
    done: threading.Event = field(default_factory=threading.Event)  # set once the connection is over

    @property
    def host_port(self) -> str:
        if self.method == "CONNECT":
            return self.target
        parts = urlsplit(self.target)
        return f"{parts.hostname}:{parts.port or 80}"

    @property
    def path(self) -> str:
        return urlsplit(self.target).path if self.method != "CONNECT" else ""


class ForwardProxy:
    def __init__(self, *, credentials: tuple[str, str] | None = None, refuse: int | None = None) -> None:
        self.credentials = credentials
        self.refuse = refuse
        self.passed: list[Passed] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="forward-proxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url_with(self, user: str, password: str) -> str:
        return f"http://{user}:{password}@127.0.0.1:{self.port}"

    def start(self) -> "ForwardProxy":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()  # wake accept()
        except OSError:
            pass
        self._thread.join(timeout=5)
        self._sock.close()

    def settled(self, timeout: float = 10.0) -> list[Passed]:
        """Every record, once each connection it stands for is over (the client has its answer by then, but
        the proxy may still be closing up)."""
        for record in list(self.passed):
            assert record.done.wait(timeout), f"the proxy connection for {record.target} did not end"
        return self.passed

    # -- serving ------------------------------------------------------------------------------------
    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            if self._stop.is_set():
                client.close()
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        record = None
        try:
            head, rest = _read_head(client)
            if head is None:
                return
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers: dict[str, str] = {}
            raw_headers = []
            for line in lines[1:]:
                if not line:
                    continue
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
                raw_headers.append((name.strip(), value.strip()))
            record = Passed(method, target, headers)
            self.passed.append(record)
            if self.refuse is not None:
                record.status = self.refuse
                _answer(client, self.refuse, "Refused by policy", "<html><body><h1>Access denied by the proxy</h1></body></html>")
                return
            if self.credentials is not None and headers.get("proxy-authorization") != _basic(*self.credentials):
                record.status = 407
                _answer(client, 407, "Proxy Authentication Required", "proxy credentials needed\n", {"Proxy-Authenticate": 'Basic realm="test"'})
                return
            if method == "CONNECT":
                self._tunnel(client, record, rest)
            else:
                self._forward(client, record, raw_headers, rest)
        except OSError:
            pass
        finally:
            client.close()
            if record is not None:
                record.done.set()

    def _connect(self, client: socket.socket, record: Passed, host: str, port: int) -> socket.socket | None:
        try:
            return socket.create_connection((host, port), timeout=10)
        except OSError:
            record.status = 502
            _answer(client, 502, "Bad Gateway", "cannot reach the origin\n")
            return None

    def _tunnel(self, client: socket.socket, record: Passed, rest: bytes) -> None:
        host, _, port = record.target.rpartition(":")
        upstream = self._connect(client, record, host.strip("[]"), int(port))
        if upstream is None:
            return
        record.status = 200
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        with upstream:
            if rest:
                record.upstream += rest
                upstream.sendall(rest)
            _pipe_both(client, upstream, record)

    def _forward(self, client: socket.socket, record: Passed, raw_headers: list[tuple[str, str]], rest: bytes) -> None:
        parts = urlsplit(record.target)
        if parts.scheme != "http" or not parts.hostname:
            record.status = 400
            _answer(client, 400, "Bad Request", "absolute http:// URL expected\n")
            return
        upstream = self._connect(client, record, parts.hostname, parts.port or 80)
        if upstream is None:
            return
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        drop = {"proxy-authorization", "proxy-connection", "connection", "keep-alive"}
        head = f"{record.method} {target} HTTP/1.1\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in raw_headers if name.lower() not in drop
        ) + "Connection: close\r\n\r\n"
        with upstream:
            upstream.sendall(head.encode("latin-1"))
            if rest:
                record.upstream += rest
                upstream.sendall(rest)
            _pipe_both(client, upstream, record)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _read_head(sock: socket.socket) -> tuple[bytes | None, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _answer(sock: socket.socket, status: int, reason: str, body: str, headers: dict[str, str] | None = None) -> None:
    payload = body.encode()
    ctype = "text/html" if body.startswith("<") else "text/plain"
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    sock.sendall(
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len(payload)}\r\n{extra}Connection: close\r\n\r\n".encode()
        + payload
    )


def _pipe_both(client: socket.socket, upstream: socket.socket, record: Passed) -> None:
    """Pipe bytes both ways until the origin is done answering (or either side goes away)."""
    pump = threading.Thread(target=_copy, args=(client, upstream, record, "upstream", socket.SHUT_WR), daemon=True)
    pump.start()
    _copy(upstream, client, record, "downstream", socket.SHUT_RDWR)
    pump.join(timeout=10)


def _copy(source: socket.socket, sink: socket.socket, record: Passed, field: str, how: int) -> None:
    """One direction: every byte from `source` to `sink`, kept in `record.<field>`; then shut `sink` (`how`)."""
    try:
        while True:
            chunk = source.recv(65536)
            if not chunk:
                break
            setattr(record, field, getattr(record, field) + chunk)
            sink.sendall(chunk)
    except OSError:
        pass
    try:
        sink.shutdown(how)
    except OSError:
        pass
