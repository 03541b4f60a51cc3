"""Proxies and TLS for every connection the client makes: the API, the event stream, uploads, the CDN and
the download fallback all route through `Router` (or, for direct CDN downloads, through `DirectTransport`,
which asks `proxy_for` and `Trust` the same questions).

Proxies come from the environment, read the way curl reads them:
- `https_proxy` / `HTTPS_PROXY` for https:// URLs, `http_proxy` / `HTTP_PROXY` for http:// URLs, and
  `all_proxy` / `ALL_PROXY` for either when the scheme's own is unset. The lower-case name wins when both
  are set; an empty variable counts as unset.
- A proxy written `host:port` means `http://host:port`. http:// and https:// proxies work (and socks5://
  with the socksio package installed). Credentials go in the URL (`http://user:password@proxy:3128`);
  they are sent as Proxy-Authorization and never shown: every message masks them (`http://***@proxy:3128`).
- `no_proxy` / `NO_PROXY`: a comma-separated list of hosts reached directly. `*` means all; a name matches
  itself and its subdomains (a leading `.` or `*.` is ignored); an IP address matches itself; a CIDR block
  (`10.0.0.0/8`) matches the addresses in it; any entry may end in `:port` to match that port only.
  Loopback is not exempt by itself: list `localhost,127.0.0.1` to reach a local emulator directly.
An https:// URL goes through a proxy as a CONNECT tunnel: the proxy learns the host and port, and the
request (token included) travels inside TLS. An http:// URL is forwarded by the proxy, which sees the
whole request, Authorization header included.

Certificates are always verified. The trust store is the first of:
1. the `ca_bundle` setting (NEMO_CA_BUNDLE or `nemo config set ca_bundle PATH`): a PEM file, or a
   directory of hashed certificates (c_rehash), used instead of the default;
2. SSL_CERT_FILE and SSL_CERT_DIR (OpenSSL's variables; both are loaded when both are set);
3. the certifi bundle.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping
from urllib.parse import urlsplit

import httpx

from nemo_cli import errors

if TYPE_CHECKING:
    import ssl

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")

# -- proxies ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proxy:
    url: str  # with its credentials: never print it, print `shown`
    variable: str  # the environment variable it came from

    @property
    def shown(self) -> str:
        return mask_url(self.url)

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    def describe(self) -> str:
        return f"{self.shown} (from {self.variable})"


def mask_url(url: str) -> str:
    """A URL with any user name and password replaced by `***`."""
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None:
            return url
        host = parts.netloc.rpartition("@")[2]
        return parts._replace(netloc=f"***@{host}").geturl()
    except ValueError:
        return "(a malformed URL)"


def _variable(environ: Mapping[str, str], base: str) -> tuple[str, str] | None:
    for name in (f"{base}_proxy", f"{base.upper()}_PROXY"):
        value = (environ.get(name) or "").strip()
        if value:
            return name, value
    return None


def proxy_for(url: httpx.URL | str, environ: Mapping[str, str] | None = None) -> Proxy | None:
    """The proxy the environment names for this URL, or None to connect directly."""
    url = httpx.URL(url) if isinstance(url, str) else url
    env = os.environ if environ is None else environ
    found = _variable(env, url.scheme) or _variable(env, "all")
    if found is None:
        return None
    no_proxy = _variable(env, "no")
    port = url.port or (443 if url.scheme == "https" else 80)
    if no_proxy and bypassed(url.host, port, no_proxy[1]):
        return None
    name, value = found
    return Proxy(_checked(name, value if "://" in value else f"http://{value}"), name)


def _checked(name: str, value: str) -> str:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in PROXY_SCHEMES or not parts.hostname:
        raise errors.ConfigError(
            f"{name} is not a proxy URL nemo can use: {mask_url(value)}",
            hint=f"set {name} to http://HOST:PORT (https:// and socks5:// work too), or unset it",
        )
    return value


def bypassed(host: str, port: int, no_proxy: str) -> bool:
    """Whether NO_PROXY (as described at the top) sends `host:port` directly."""
    import ipaddress

    host = host.lower().strip("[]").rstrip(".")
    try:
        address: "ipaddress.IPv4Address | ipaddress.IPv6Address | None" = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        want_port = None
        if entry.startswith("["):  # [IPv6] or [IPv6]:port
            close = entry.find("]")
            rest = entry[close + 1 :]
            if rest.startswith(":") and rest[1:].isdigit():
                want_port = int(rest[1:])
            entry = entry[1:close]
        elif entry.count(":") == 1:
            name, _, number = entry.partition(":")
            if number.isdigit():
                entry, want_port = name, int(number)
        if want_port is not None and want_port != port:
            continue
        if "/" in entry:
            try:
                if address is not None and address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                pass
            continue
        entry = entry.lstrip("*").lstrip(".").rstrip(".")
        if address is not None:  # an address matches only itself: no suffixes inside its digits
            try:
                if address == ipaddress.ip_address(entry):
                    return True
            except ValueError:
                pass
        elif entry and (host == entry or host.endswith("." + entry)):
            return True
    return False


# -- trust ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trust:
    """Where the CA certificates come from (see the top), and the SSL context built from them."""

    source: str  # "ca_bundle", "SSL_CERT_FILE", "SSL_CERT_DIR", "SSL_CERT_FILE and SSL_CERT_DIR" or "certifi"
    cafile: str | None
    capath: str | None

    @classmethod
    def resolve(cls, ca_bundle: str | None = None, environ: Mapping[str, str] | None = None) -> "Trust":
        if ca_bundle:
            path = os.path.expanduser(ca_bundle)
            if os.path.isdir(path):
                return cls("ca_bundle", None, path)
            return cls("ca_bundle", path, None)
        env = os.environ if environ is None else environ
        cafile, capath = env.get("SSL_CERT_FILE") or None, env.get("SSL_CERT_DIR") or None
        if cafile or capath:
            return cls(" and ".join(n for n, v in (("SSL_CERT_FILE", cafile), ("SSL_CERT_DIR", capath)) if v), cafile, capath)
        import certifi

        return cls("certifi", certifi.where(), None)

    def describe(self) -> str:
        return f"{self.source} ({', '.join(p for p in (self.cafile, self.capath) if p)})"

    def context(self) -> "ssl.SSLContext":
        """A verifying SSL context (certificates and host names checked), or a ConfigError naming the file."""
        import ssl

        for path, is_dir in ((self.cafile, False), (self.capath, True)):
            if path and not (os.path.isdir(path) if is_dir else os.path.isfile(path)):
                what = f"{path} is not a {'directory' if is_dir else 'file'}" if os.path.exists(path) else f"{path} does not exist"
                raise self._error(what, "SSL_CERT_DIR" if is_dir else "SSL_CERT_FILE")
        try:
            return ssl.create_default_context(cafile=self.cafile, capath=self.capath)
        except OSError as exc:  # ssl.SSLError too: no certificate in the file, or not PEM
            reason = "it holds no certificate in PEM form" if isinstance(exc, ssl.SSLError) else (exc.strerror or str(exc))
            raise self._error(f"cannot load {self.cafile or self.capath}: {reason}", "SSL_CERT_FILE" if self.cafile else "SSL_CERT_DIR") from None

    def _error(self, what: str, variable: str) -> errors.ConfigError:
        if self.source == "ca_bundle":
            return errors.ConfigError(f"the CA bundle (setting ca_bundle): {what}", reason="ca_bundle_broken")
        return errors.ConfigError(f"the CA certificates named by {variable}: {what}", reason=f"ca_{variable.lower()}_broken")


# -- routing -----------------------------------------------------------------------------------------


class Router(httpx.BaseTransport):
    """httpx's own transport, one pool per route (direct, or through a given proxy), chosen per request.

    httpx honours proxy variables only when it builds its transport itself, and then builds the TLS context
    up front, loading the whole CA bundle (~100 ms) even when no byte of TLS follows. Here a route's pool is
    made on first use, and a pool that never speaks TLS (http:// directly or through an http:// proxy) gets a
    bare strict context (certificates and host names required, no CAs loaded, never used).
    """

    def __init__(self, ca_bundle: str | None = None, environ: Mapping[str, str] | None = None) -> None:
        self.ca_bundle = ca_bundle
        self.environ = environ
        self._pools: dict[tuple[str | None, bool], httpx.HTTPTransport] = {}
        self._tls: "ssl.SSLContext | None" = None

    def tls(self) -> "ssl.SSLContext":
        if self._tls is None:
            self._tls = Trust.resolve(self.ca_bundle, self.environ).context()
        return self._tls

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        proxy = proxy_for(request.url, self.environ)
        return self._pool(proxy, request.url.scheme == "https").handle_request(request)

    def _pool(self, proxy: Proxy | None, https: bool) -> httpx.HTTPTransport:
        speaks_tls = https or (proxy is not None and proxy.scheme == "https")
        key = (proxy.url if proxy else None, speaks_tls)
        pool = self._pools.get(key)
        if pool is None:
            import ssl

            verify = self.tls() if speaks_tls else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            via = None
            if proxy is not None:
                via = httpx.Proxy(proxy.url, ssl_context=self.tls() if proxy.scheme == "https" else None)
            try:
                pool = httpx.HTTPTransport(verify=verify, proxy=via)
            except ImportError:  # a SOCKS proxy without socksio
                raise errors.ConfigError(
                    f"the proxy {proxy.describe() if proxy else ''} is a SOCKS proxy, which needs the socks extra",
                    hint="install nemo-cli with its socks extra ('nemo-cli[socks]'), or use an http:// proxy",
                ) from None
            self._pools[key] = pool
        return pool

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()


# -- what went wrong ---------------------------------------------------------------------------------


def tls_failure(exc: BaseException) -> str | None:
    """The TLS reason a connection failed (a certificate that could not be verified, a failed handshake),
    or None when it failed for another reason."""
    import ssl

    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"certificate verify failed: {cause.verify_message}" if cause.verify_message else str(cause)
        if isinstance(cause, ssl.SSLError):
            return cause.reason or str(cause)
        cause = cause.__cause__ or cause.__context__
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "[SSL" in text:
        return text.split("] ", 1)[-1].split(" (_ssl.c", 1)[0]
    return None


def certificate_failure(exc: BaseException) -> bool:
    reason = tls_failure(exc)
    return reason is not None and "certificate" in reason.lower()


def proxy_note(url: httpx.URL | str) -> str:
    """' through the proxy … (from …)' when the environment routes `url` through one, else ''."""
    try:
        proxy = proxy_for(url)
    except errors.ConfigError:
        return ""
    return f" through the proxy {proxy.describe()}" if proxy else ""
