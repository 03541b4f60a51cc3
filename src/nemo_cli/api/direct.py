"""An httpx transport for big downloads over a direct connection, built on the standard library.

httpx's own transport reads the socket 64 KiB at a time and copies each piece through h11's buffers:
on a fast link that is twice curl's time for a 500 MB file. This one lets `http.client` read straight
from the socket in 1 MiB pieces, which keeps up with curl. It does one request per connection, follows
nothing, sends exactly the request's headers, and raises httpx's own exceptions, so callers cannot tell
it from httpx's transport. Where the environment names a proxy for the URL (network.py: HTTP(S)_PROXY,
ALL_PROXY, NO_PROXY), the request goes through network.Router instead, which knows proxies; both verify
certificates against the same trust store.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from typing import Iterator

import httpx

from nemo_cli.api import network

CHUNK = 1 << 20


class DirectTransport(httpx.BaseTransport):
    def __init__(self, connect_timeout: float, read_timeout: float, ca_bundle: str | None = None) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.ca_bundle = ca_bundle
        self._tls: ssl.SSLContext | None = None
        self._proxied: network.Router | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if network.proxy_for(url) is not None:
            if self._proxied is None:
                self._proxied = network.Router(self.ca_bundle)
            return self._proxied.handle_request(request)
        if url.scheme == "https":
            if self._tls is None:  # built on first use: loading the CA bundle costs ~50 ms
                self._tls = network.Trust.resolve(self.ca_bundle).context()
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                url.host, url.port, timeout=self.connect_timeout, context=self._tls
            )
        else:
            conn = http.client.HTTPConnection(url.host, url.port, timeout=self.connect_timeout)
        try:
            conn.connect()
        except socket.timeout as exc:
            conn.close()
            raise httpx.ConnectTimeout(str(exc) or "connect timed out", request=request) from None
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from None
        try:
            assert conn.sock is not None
            conn.sock.settimeout(self.read_timeout)
            target = url.raw_path.decode("ascii")
            conn.putrequest(request.method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in request.headers.raw:
                conn.putheader(name.decode("latin-1"), value.decode("latin-1"))
            conn.endheaders(request.read() or None)
            response = conn.getresponse()
        except BaseException as exc:
            conn.close()
            raise _translate(exc, request, reading=False) from None
        return httpx.Response(
            response.status,
            headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.getheaders()],
            stream=_Body(response, conn, request),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": (response.reason or "").encode("latin-1")},
        )


    def close(self) -> None:
        if self._proxied is not None:
            self._proxied.close()


class _Body(httpx.SyncByteStream):
    def __init__(self, response: http.client.HTTPResponse, conn: http.client.HTTPConnection, request: httpx.Request) -> None:
        self._response, self._conn, self._request = response, conn, request

    def __iter__(self) -> Iterator[bytes]:
        try:
            while True:
                chunk = self._response.read(CHUNK)
                if not chunk:
                    return  # a body cut short ends here too: the caller checks the size it was announced
                yield chunk
        except (OSError, http.client.HTTPException) as exc:
            raise _translate(exc, self._request, reading=True) from None

    def close(self) -> None:
        self._response.close()
        self._conn.close()


def _translate(exc: BaseException, request: httpx.Request, *, reading: bool) -> BaseException:
    if isinstance(exc, socket.timeout):
        return httpx.ReadTimeout(str(exc) or "read timed out", request=request)
    if isinstance(exc, (OSError, http.client.HTTPException)):
        kind = httpx.ReadError if reading or isinstance(exc, OSError) else httpx.RemoteProtocolError
        return kind(str(exc) or type(exc).__name__, request=request)
    return exc
