"""The HTTP layer every endpoint goes through: headers, envelopes, recovery, typed errors, debug log.

Recovery rules (each bounded):
- a GET (or any request that never reached the server) retries connection errors and 5xx with
  exponential backoff and jitter, `retries` times;
- 429 waits Retry-After (else `rate_limit_wait`) and retries once;
- 1001 / HTTP 401 calls the `renew` callback the transport was given (it replaces anonymous tokens only)
  and retries once; without one, a rejected token is an error at once.
The token goes only to the API's own origin: redirects are not followed here.
"""

from __future__ import annotations

import random
import re
import sys
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Mapping, Protocol

import httpx

from nemo_cli import errors
from nemo_cli.api import network
from nemo_cli.api.media_types import SIZE_HINT, TYPE_HINT

_SECRET = re.compile(r"\b(nmv|clm)_([A-Za-z0-9]+_)?[A-Za-z0-9\-_.]+")


def redact(text: str) -> str:
    """Mask every token-shaped string (API tokens nmv_…, claim tokens clm_…) in free text."""
    return _SECRET.sub(lambda m: errors.mask(m.group(0)), text)


class Credentials(Protocol):
    def current(self) -> tuple[str, str]: ...  # (token, kind), acquiring one if needed
    def identity(self) -> tuple[str | None, str | None]: ...  # (kind, user or session id) for hints


# Called with the token the service rejected (1001): a fresh token, or raise AuthError.
Renew = Callable[[str], str]


class Transport:
    """`config`: base_url, web_url, headers, timeouts, retries, debug, ca_bundle, and `transport`: an
    httpx transport to send through instead of the network (tests give one; None: proxies and TLS as
    configured)."""

    def __init__(
        self,
        config: Mapping[str, Any],
        credentials: Credentials | None,
        sleep: Callable[[float], None] = time.sleep,
        renew: Renew | None = None,
    ) -> None:
        self.config = config
        self.credentials = credentials
        self.renew = renew
        self.sleep = sleep
        self.base_url = str(config["base_url"]).rstrip("/")
        self.web_url = str(config.get("web_url") or "").rstrip("/")
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            hooks = {"request": [self._log_request], "response": [self._log_response]} if self.config.get("debug") else {}
            self._client = httpx.Client(
                base_url=self.base_url,
                headers=dict(self.config.get("headers", {})),
                timeout=httpx.Timeout(float(self.config.get("read_timeout", 60)), connect=float(self.config.get("connect_timeout", 10))),
                transport=self.config.get("transport") or network.Router(self.config.get("ca_bundle") or None),
                follow_redirects=False,
                event_hooks=hooks,
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    # -- requests -------------------------------------------------------------------------------
    def call(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> Any:
        """Send a request, unwrap its envelope and return the payload (the envelope's data)."""
        with self.send(method, path, auth=auth, stream=False, **kwargs) as response:
            return self.unwrap(response)

    def unwrap(self, response: httpx.Response) -> Any:
        """A response's payload, or its typed error (for callers of `send` that also read headers)."""
        return unwrap(response, self._error_context())

    @contextmanager
    def send(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        stream: bool = False,
        retry: bool | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | float | None = None,
        body_factory: Callable[[], dict[str, Any]] | None = None,
        rate_limit_max: float | None = None,
        **kwargs: Any,
    ) -> Iterator[httpx.Response]:
        """Send with the recovery rules; yield a successful (2xx, code 0) or error-checked response.

        `retry` says whether a request the server may have received can be sent again (default: GETs).
        `body_factory` rebuilds streamed bodies (uploads) for a resend, since a stream reads only once.
        `rate_limit_max`: a 429 whose Retry-After is longer than this many seconds is not waited out but
        yielded (or raised) at once: a limit of days is reported, not slept on.
        """
        retry = method.upper() == "GET" if retry is None else retry
        retries = int(self.config.get("retries", 3))
        attempt = 0
        rate_limited = renewed = False
        token = None
        while True:
            hdrs = dict(headers or {})
            if auth and self.credentials is not None:
                token, _ = self.credentials.current()
                hdrs["Authorization"] = f"Bearer {token}"
            extra = body_factory() if body_factory else {}
            request = self.client.build_request(method, path, headers=hdrs, timeout=timeout or httpx.USE_CLIENT_DEFAULT, **kwargs, **extra)
            try:
                response = self.client.send(request, stream=True)
            except httpx.TransportError as exc:
                unsent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                lasting = isinstance(exc, httpx.ProxyError) or network.certificate_failure(exc)  # the same again
                if (retry or unsent) and attempt < retries and not lasting:
                    attempt += 1
                    self._backoff(attempt)
                    continue
                raise network_error(exc, self.base_url) from None
            try:
                if response.status_code >= 500 and retry and attempt < retries:
                    attempt += 1
                    response.close()
                    self._backoff(attempt)
                    continue
                if response.status_code == 429 and not rate_limited and not _longer(response, rate_limit_max):
                    rate_limited = True
                    response.close()
                    self.sleep(retry_after(response, float(self.config.get("rate_limit_wait", 30))))
                    continue
                try:
                    rejected = auth and self.renew is not None and not renewed and _is_token_rejected(response)
                    if not rejected and (not stream or response.status_code >= 400):
                        response.read()
                except httpx.TransportError as exc:
                    # the answer was cut short: a request that may be repeated is asked again
                    response.close()
                    if retry and attempt < retries:
                        attempt += 1
                        self._backoff(attempt)
                        continue
                    raise network_error(exc, self.base_url) from None
                if rejected:
                    renewed = True
                    response.close()
                    self.renew(token or "")
                    continue
                if stream and response.status_code >= 400:
                    unwrap(response, self._error_context())  # raises the typed error
                yield response
                return
            finally:
                response.close()

    def _backoff(self, attempt: int) -> None:
        base = float(self.config.get("retry_backoff", 0.5))
        delay = base * (2 ** (attempt - 1))
        self.sleep(delay * (0.5 + random.random()))  # jitter: 0.5x to 1.5x

    def _error_context(self) -> dict[str, Any]:
        kind, bind_id = self.credentials.identity() if self.credentials is not None else (None, None)
        return {"web_url": self.web_url, "kind": kind, "bind_id": bind_id, "base_url": self.base_url}

    # -- debug log (stderr, secrets masked) -----------------------------------------------------
    def _log_request(self, request: httpx.Request) -> None:
        request.extensions["nemo_started"] = time.monotonic()
        _debug(f"> {request.method} {redact(str(request.url))}{network.proxy_note(request.url)}")
        for name, value in request.headers.items():
            _debug(f"> {name}: {_mask_header(name, value)}")
        ctype = request.headers.get("content-type", "")
        if "json" in ctype:
            try:
                body = request.content
            except httpx.RequestNotRead:
                body = b""
            if body:
                _debug("> " + redact(body[:2000].decode("utf-8", "replace")))

    def _log_response(self, response: httpx.Response) -> None:
        started = response.request.extensions.get("nemo_started", time.monotonic())
        ms = (time.monotonic() - started) * 1000
        _debug(f"< {response.status_code} {response.reason_phrase} ({ms:.0f} ms)")
        for name, value in response.headers.items():
            _debug(f"< {name}: {_mask_header(name, value)}")
        if "json" in response.headers.get("content-type", ""):
            response.read()
            _debug("< " + redact(_mask_token_fields(response.text)[:2000]))


def _debug(line: str) -> None:
    # a reply's text may hold a lone surrogate (JSON "\\ud800") that no stream can encode: escape it
    sys.stderr.write(f"debug: {line}\n".encode("utf-8", "backslashreplace").decode("utf-8"))


def _mask_token_fields(text: str) -> str:
    """A JSON body with every string under a `…token` field masked by name, whatever the token looks
    like (the token-shaped pattern of `redact` only knows the documented nmv_/clm_ forms), and whatever
    holds it there: a string, a list of them (`tokens`), a table (`token = {value = …}`)."""
    import json

    def mask(value: Any, secret: bool = False) -> Any:
        if isinstance(value, dict):
            return {k: mask(v, secret or "token" in str(k).lower()) for k, v in value.items()}
        if isinstance(value, list):
            return [mask(v, secret) for v in value]
        return errors.mask(value) if secret and isinstance(value, str) else value

    try:
        return json.dumps(mask(json.loads(text)), ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        return text


def _mask_header(name: str, value: str) -> str:
    if name.lower() == "authorization":
        scheme, _, secret = value.partition(" ")
        return f"{scheme} {errors.mask(secret)}"
    return redact(value)


def _is_token_rejected(response: httpx.Response) -> bool:
    if response.status_code == 401:  # unless a web page says it (a portal's login page, not the API)
        return "html" not in response.headers.get("content-type", "").lower()
    if "json" not in response.headers.get("content-type", "") and response.status_code < 400:
        return False  # a body to stream (a 206, a redirect), not to read here
    response.read()  # a cut answer raises here, once: a second read would find the stream consumed
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("code") == 1001


def _longer(response: httpx.Response, limit: float | None) -> bool:
    """Whether a 429's Retry-After asks for a longer wait than `limit` (None: no limit)."""
    return limit is not None and retry_after(response, 0.0, cap=float("inf")) > limit


def retry_after(response: httpx.Response, default: float, cap: float = 300.0) -> float:
    """Retry-After in seconds (at most `cap`): a number of seconds or an HTTP date; else `default`."""
    value = response.headers.get("retry-after", "").strip()
    try:
        seconds = float(value)
    except ValueError:
        from datetime import datetime, timezone
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return default
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    if seconds != seconds:  # NaN
        return default
    return max(0.0, min(seconds, cap))


def network_error(exc: Exception, base_url: str) -> errors.NetworkError:
    """A connection that failed, in one line: which host, which proxy on the way (credentials masked), and
    for TLS the reason the handshake or the certificate failed."""
    try:
        proxy = network.proxy_for(base_url)
    except errors.ConfigError:
        proxy = None
    via = f" through the proxy {proxy.describe()}" if proxy else ""
    host = httpx.URL(base_url).host
    tls = network.tls_failure(exc)
    if tls is not None:
        if "certificate" in tls.lower():
            return errors.NetworkError(f"cannot verify the TLS certificate of {host}{via}: {tls}", reason="tls_unverified")
        return errors.NetworkError(f"the TLS handshake with {host}{via} failed: {tls}")
    if proxy is not None and isinstance(exc, httpx.ProxyError):
        said = redact(str(exc)) or "no reason given"
        if said.startswith("407"):
            return errors.NetworkError(
                f"the proxy {proxy.describe()} asks for credentials ({said})",
                hint=f"put them in the proxy's URL: {proxy.variable}=http://USER:PASSWORD@HOST:PORT",
            )
        return errors.NetworkError(
            f"the proxy {proxy.describe()} refused to connect to {host} ({said})",
            hint=f"ask for {host} to be let through, or list it in NO_PROXY to connect directly",
        )
    if proxy is not None and isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        how = "did not answer in time" if isinstance(exc, httpx.ConnectTimeout) else "cannot be reached"
        return errors.NetworkError(
            f"the proxy {proxy.describe()} {how} (on the way to {base_url})",
            hint=f"check that the proxy runs and that {proxy.variable} names it; NO_PROXY lists hosts to reach directly",
        )
    if isinstance(exc, httpx.TimeoutException):
        return errors.NetworkError(f"the service at {base_url} did not answer in time{via}")
    if isinstance(exc, httpx.ConnectError):
        return errors.NetworkError(f"cannot connect to {base_url}")
    reason = str(exc) or type(exc).__name__
    return errors.NetworkError(f"the connection to {base_url}{via} failed: {redact(reason)}")


# -- envelopes ----------------------------------------------------------------------------------


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def decode(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return None
    if _SURROGATE_ESCAPE.search(response.text):
        body = _without_lone_surrogates(body)
    return body


def _without_lone_surrogates(value: Any) -> Any:
    """JSON may escape half a UTF-16 pair ("\\ud800"); json.loads keeps it as a lone surrogate, which no
    encoder (stdout, pydantic's serializer, TOML) accepts. It is no character at all: U+FFFD instead."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    return value


def unwrap(response: httpx.Response, context: Mapping[str, Any] | None = None) -> Any:
    """Both envelopes of the contract in one place; every failure becomes a typed error.

    API endpoints: {"code", "message", "data"} (code 0 is success, even a failure may come as HTTP 200).
    Render endpoints: {"success", "data"} or their fields at the top level.
    """
    status = response.status_code
    body = decode(response)
    if isinstance(body, dict) and isinstance(body.get("code"), int) and not isinstance(body.get("code"), bool):
        code = body["code"]
        if code == 0 and status < 400:
            data = body.get("data")
            return data if data is not None else {}
        if status == 404 and code == 404 and _not_a_render(response):
            raise not_the_api(response, _said("HTTP 404", _message(body)), context or {})
        raise api_error(status, code, _message(body), context or {})
    if isinstance(body, dict) and isinstance(body.get("success"), bool):
        if body["success"] and status < 400:
            data = body.get("data")
            return data if isinstance(data, dict) else {k: v for k, v in body.items() if k != "success"}
        raise api_error(status, None, _message(body), context or {})
    if status == 407:  # only a proxy says this
        raise _proxy_wants_credentials(response)
    foreign = _foreign(response, body)
    if foreign:
        raise not_the_api(response, foreign, context or {})
    if status == 404 and _not_a_render(response):
        raise not_the_api(response, _said("HTTP 404", _message(body)), context or {})
    if status >= 400:
        raise api_error(status, None, _message(body) if isinstance(body, dict) else "", context or {})
    if body is None:
        raise errors.NetworkError(
            "the service sent a reply that is not JSON",
            reason="reply_not_json",
            status=status,
        )
    return body


# HTTP statuses the contract gives a meaning, with or without an envelope (api_error reads them)
_MEANINGFUL = {400, 401, 402, 403, 407, 429}


def _foreign(response: httpx.Response, body: Any) -> str | None:
    """What the reply is, when it cannot have come from the NemoVideo API, else None: a redirect, a web page,
    or an error status the contract gives no meaning to, with a body that is not JSON (a plain-text 404 or
    405 from some other server). 5xx and 429 pages are left alone: a gateway in front of the real service
    sends those while it is in trouble, and they pass. On render endpoints a 404 without JSON stays a 404:
    it may be the service's word for a render it does not know."""
    status = response.status_code
    if 300 <= status < 400 and response.headers.get("location"):
        return f"a redirect (HTTP {status}) to {redact(response.headers['location'])[:200]}"
    if body is not None or status >= 500 or status == 429 or not response.content.strip():
        return None
    if _is_web_page(response):
        title = re.search(rb"<title[^>]*>([^<]{1,200})", response.content[:65536], re.IGNORECASE)
        named = f", {title.group(1).decode('utf-8', 'replace').strip()[:80]!r}" if title and title.group(1).strip() else ""
        return f"a web page (HTTP {status}{named})"
    if 400 <= status < 500 and status not in _MEANINGFUL and (status != 404 or _not_a_render(response)):
        return f"HTTP {status} with a body that is not JSON"
    return None


def _not_a_render(response: httpx.Response) -> bool:
    """Whether the request went to an endpoint other than the render ones (where 404 means 'no such render')."""
    try:
        return "/api/render/" not in response.request.url.path
    except RuntimeError:  # a response made by hand, for a request it does not name: assume the old meaning
        return False


def _said(what: str, message: str) -> str:
    return f"{what}: {message}" if message else what


def _is_web_page(response: httpx.Response) -> bool:
    ctype = response.headers.get("content-type", "").lower()
    if "html" in ctype:
        return True
    start = response.content[:512].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def not_the_api(response: httpx.Response, what: str, context: Mapping[str, Any]) -> errors.ConfigError:
    """The API URL answers, but not as the NemoVideo API: the URL (or a proxy in the way) is wrong."""
    try:
        request: httpx.Request | None = response.request
    except RuntimeError:  # a response made by hand (tests)
        request = None
    url = request.url if request is not None else httpx.URL(context.get("base_url") or "http://unknown")
    base = context.get("base_url") or f"{url.scheme}://{url.netloc.decode('ascii')}"
    asked = f"{request.method} {url.path} got " if request is not None else "it sent "
    via = network.proxy_note(url)
    return errors.ConfigError(
        f"{base} does not look like the NemoVideo API: {asked}{what}{via}",
        reason="not_the_api_or_proxy" if via else "not_the_api",
        status=response.status_code,
    )


def _proxy_wants_credentials(response: httpx.Response) -> errors.NetworkError:
    try:
        proxy = network.proxy_for(response.request.url)
    except (RuntimeError, errors.ConfigError):
        proxy = None
    name = f"the proxy {proxy.describe()}" if proxy else "a proxy"
    variable = proxy.variable if proxy else "HTTP_PROXY"
    return errors.NetworkError(
        f"{name} asks for credentials (HTTP 407)",
        hint=f"put them in the proxy's URL: {variable}=http://USER:PASSWORD@HOST:PORT",
        status=407,
    )


def _message(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    for key in ("message", "error", "msg", "detail"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return redact(value)
        if isinstance(value, dict) and isinstance(value.get("message"), str):
            return redact(value["message"])
    return ""


def api_error(status: int, code: int | None, message: str, context: Mapping[str, Any]) -> errors.NemoError:
    """The contract's error table: service codes first, then HTTP statuses."""
    said = f": {message}" if message else ""
    web = context.get("web_url") or ""
    kw = {"code": code, "status": status}
    if code == 1001 or status == 401:
        return errors.AuthError(f"the token was rejected (invalid or expired){said}", **kw)
    if code == 1002:
        return errors.SessionNotFound(f"session not found{said}", **kw)
    if code == 2001:
        if context.get("kind") == "anonymous" and context.get("bind_id"):
            hint = f"register to get more credits: {web}/?bind={context['bind_id']}"
        elif context.get("kind") == "anonymous":  # nothing to bind yet: the plain sign-up page
            hint = f"register to get more credits: {web}/"
        else:
            hint = f"top up your credits at {web}"
        return errors.OutOfCredits(f"out of credits{said}", hint=hint, **kw)
    if code == 4001:
        return errors.BadInput(f"unsupported file type{said}", hint=TYPE_HINT, **kw)
    if code == 4002:
        return errors.BadInput(f"file too large{said}", hint=SIZE_HINT, **kw)
    if status == 402:
        return errors.PlanLimit(f"the free plan cannot do this (HTTP 402){said}", **kw)
    if status == 403:
        scope = re.search(r"\b(read|write|upload|render|\*)\b", message or "")
        what = f"the token lacks the `{scope.group(1)}` scope" if scope else "the token lacks a scope for this"
        return errors.AuthError(f"{what} (HTTP 403){said}", reason="missing_scope", **kw)
    if status == 429:
        return errors.RateLimited(f"rate limited by the service (HTTP 429){said}", **kw)
    if status == 404:
        return errors.NemoError(f"not found (HTTP 404){said}", **kw)
    if status >= 500:
        return errors.NetworkError(f"the service failed (HTTP {status}){said}", hint="try again in a moment", **kw)
    if status == 400:  # with or without an envelope: the same rejection, the same exit code
        return errors.BadInput(f"the service rejected the request (HTTP 400){said}", hint=None, **kw)
    if code is not None:
        return errors.NemoError(f"the service answered error {code}{said}", **kw)
    return errors.NemoError(f"the service answered HTTP {status}{said}", **kw)

