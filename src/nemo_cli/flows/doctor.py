"""`nemo doctor`'s checks: what a user or a CI job looks at when something is wrong, each one ok, warn or
fail, with one line of detail. Read-only: it never acquires or renews a token, never writes the store, and
asks the service only free, side-effect-free questions (credits, a session's state), each once, without
retries or long waits, so what it reports is what the network did.

A failing check carries the typed error it found; its class gives `nemo doctor` its exit code (the first
failure's: 12 for a broken store, setting, proxy variable, trust store or an API URL that is not the API;
9 for a service or proxy that cannot be reached or a certificate that cannot be verified; 3 for a token the
service rejects; 4 for a session it does not know).

    examine(ctx) -> Report          every check, in order; Report(checks, status, error): status the worst
                                    ("ok" | "warn" | "fail"), error the one the run ends with (None: none failed)
    run(ctx) -> list[Check]         the checks alone; Check(name, status, detail, error, facts)
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from nemo_cli import errors
from nemo_cli.credentials import seconds_left
from nemo_cli.extras import EXTRAS

if TYPE_CHECKING:
    from nemo_cli.api.client import NemoClient
    from nemo_cli.context import Context

CREDITS = "/api/credits/balance/simple"
SKEW_WARN = 60.0  # seconds the local clock may differ from the server's before it is worth a warning
EXPIRY_WARN = 24 * 3600.0  # a token that expires sooner than this is worth a warning
CERT_WARN_DAYS = 14  # likewise the API's certificate
EMULATOR_PACKAGES = tuple(EXTRAS["emulator"])


@dataclass
class Check:
    name: str
    status: str  # "ok" | "warn" | "fail"
    detail: str
    error: errors.NemoError | None = None  # what failed (its class gives the exit code)
    facts: dict[str, Any] = field(default_factory=dict)  # extra fields for --json

    def public(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name, "status": self.status, "detail": self.detail, **self.facts}
        if self.error is not None:
            doc["exit_code"] = self.error.exit_code
            if self.error.hint:
                doc["hint"] = self.error.hint
        return doc


def ok(name: str, detail: str, **facts: Any) -> Check:
    return Check(name, "ok", detail, facts=facts)


def warn(name: str, detail: str, **facts: Any) -> Check:
    return Check(name, "warn", detail, facts=facts)


def fail(name: str, error: errors.NemoError, **facts: Any) -> Check:
    return Check(name, "fail", error.message, error=error, facts=facts)


@dataclass
class Probe:
    """What the one unauthenticated request to the API showed."""

    error: errors.NemoError | None = None
    status: int | None = None
    ms: float = 0.0
    server_date: datetime | None = None
    skew: float | None = None  # server minus local, seconds
    tls_version: str | None = None
    cert_expires: str | None = None


NETWORK_CHECKS = ("proxy", "tls", "api", "token", "session", "clock")


def run(ctx: "Context") -> list[Check]:
    checks = [store(ctx)]
    if checks[0].status == "fail":  # the settings, the token and the session all live in it
        skipped = [warn(name, "not checked (the store cannot be read)") for name in ("settings", *NETWORK_CHECKS)]
        return checks + skipped + [emulator()]
    checks.append(settings(ctx))
    if checks[1].status == "fail":  # no API URL to talk to, or no usable transport settings
        return checks + [warn(name, "not checked (a setting is broken)") for name in NETWORK_CHECKS] + [emulator()]
    api_url = str(ctx.settings.api_url)
    checks.append(proxy(api_url))
    client = _client(ctx, "")
    probe = _probe(client)
    checks.append(tls(client.http.config.get("ca_bundle"), api_url, probe))
    api_check = api(api_url, probe)
    checks.append(api_check)
    try:
        token_check, token = check_token(ctx, api_check.status != "fail")
    except errors.ConfigError as exc:  # a hand-broken [token] table in the store
        token_check, token = fail("token", exc), None
    checks.append(token_check)
    try:
        checks.append(session(ctx, token if token_check.status == "ok" else None))
    except errors.ConfigError as exc:  # a hand-broken [session] table
        checks.append(fail("session", exc))
    checks.append(clock(probe))
    checks.append(emulator())
    return checks


@dataclass
class Report:
    checks: list[Check]
    status: str  # the worst: "ok" | "warn" | "fail"
    error: errors.NemoError | None  # what `nemo doctor` ends with (exit_error), None when nothing failed

    def public(self) -> dict[str, Any]:
        return {"status": self.status, "checks": [c.public() for c in self.checks]}


def examine(ctx: "Context") -> Report:
    checks = run(ctx)
    failed = exit_error(checks)
    worst = "fail" if failed else "warn" if any(c.status == "warn" for c in checks) else "ok"
    return Report(checks, worst, failed)


def exit_error(checks: list[Check]) -> errors.NemoError | None:
    """The error `nemo doctor` ends with: the first failure's class, naming every failed check."""
    failed = [c for c in checks if c.status == "fail"]
    if not failed:
        return None
    first = failed[0].error or errors.NemoError(failed[0].detail)
    names = ", ".join(c.name for c in failed)
    return type(first)(
        f"{len(failed)} of {len(checks)} checks failed: {names}",
        hint=f"{failed[0].name}: {first.hint}" if first.hint else None,
    )


# -- local checks ------------------------------------------------------------------------------------


def store(ctx: "Context") -> Check:
    path = ctx.store.path
    facts = {"path": str(path)}
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.parent.exists() and not os.access(path.parent, os.W_OK):
            return fail("store", errors.ConfigError(f"cannot create the store {path}: {path.parent} is not writable"), **facts)
        return ok("store", f"{path} (not created yet: the first command that needs it makes it)", **facts)
    except OSError as exc:
        return fail("store", errors.ConfigError(f"cannot read the store {path}: {exc.strerror}"), **facts)
    facts["mode"] = f"{stat.S_IMODE(info.st_mode):04o}"
    try:
        ctx.store.load()
    except errors.ConfigError as exc:
        return fail("store", exc, **facts)
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return fail("store", errors.ConfigError(f"the store {path} is not writable", hint=f"check the permissions of {path.parent}"), **facts)
    if stat.S_IMODE(info.st_mode) & 0o077:
        return warn("store", f"{path} is readable by others (mode {facts['mode']}); it holds your token: chmod 600 {path}", **facts)
    return ok("store", f"{path} (mode {facts['mode']})", **facts)


def settings(ctx: "Context") -> Check:
    from nemo_cli.settings import SETTINGS

    try:
        for key in SETTINGS:
            ctx.settings.get(key)
    except errors.ConfigError as exc:
        return fail("settings", exc)
    url, origin = ctx.settings.api_url, ctx.settings.origin("api_url")
    where = {"flag": "--api-url", "env": "NEMO_API_URL", "config": "the store", "default": "the default"}[origin]
    return ok("settings", f"api_url {url} (from {where})", api_url=url, api_url_origin=origin)


def emulator() -> Check:
    present = [name for name in EMULATOR_PACKAGES if find_spec(name) is not None]
    if len(present) == len(EMULATOR_PACKAGES):
        return ok("emulator", "the emulator extra is installed (`nemo emulator` works)", installed=True)
    if not present:
        return ok("emulator", "the emulator extra is not installed (only `nemo emulator` needs it)", installed=False)
    missing = ", ".join(n for n in EMULATOR_PACKAGES if n not in present)
    return warn("emulator", f"the emulator extra is installed in part: {missing} missing; pip install 'nemo-cli[emulator]'", installed=False)


# -- the network ---------------------------------------------------------------------------------------


def proxy(api_url: str) -> Check:
    from nemo_cli.api import network

    try:
        found = network.proxy_for(api_url)
    except errors.ConfigError as exc:
        return fail("proxy", exc)
    if found is not None:
        return ok("proxy", f"{api_url} is reached through {found.describe()}", proxy=found.shown, variable=found.variable)
    configured = [name for name in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY") if os.environ.get(name)]
    if configured:
        return ok("proxy", f"{api_url} is reached directly (NO_PROXY, or no proxy set for its scheme)", proxy=None)
    return ok("proxy", f"none: {api_url} is reached directly", proxy=None)


def _client(ctx: "Context", token: str) -> "NemoClient":
    """A client with the configuration every command uses, but one try per request and no long waits."""
    client = ctx.client_for(token)
    client.http.config = {**client.http.config, "retries": 0, "rate_limit_wait": 0.0}
    return client


def _probe(client: "NemoClient") -> Probe:
    """One GET of the credits without a token: the service answers it with its envelope (1001), cheaply
    and without side effects; whatever answers shows whether the API is there, and its Date the clock."""
    probe = Probe()
    started = time.monotonic()
    try:
        with client.http.send("GET", CREDITS, auth=False) as response:
            local = time.time() - (time.monotonic() - started) / 2  # the middle of the round trip
            probe.ms = (time.monotonic() - started) * 1000
            probe.status = response.status_code
            _read_tls(probe, response)
            _read_date(probe, response, local)
            try:
                client.http.unwrap(response)
            except (errors.AuthError, errors.RateLimited):
                pass  # without a token: the answer expected (or a passing limit), from the API itself
    except errors.NemoError as exc:
        probe.error = exc
        probe.ms = (time.monotonic() - started) * 1000
    return probe


def _read_tls(probe: Probe, response: Any) -> None:
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    if ssl_object is None:
        return
    probe.tls_version = ssl_object.version()
    cert = ssl_object.getpeercert() or {}
    if cert.get("notAfter"):
        import ssl

        probe.cert_expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), timezone.utc).date().isoformat()


def _read_date(probe: Probe, response: Any, local: float) -> None:
    try:
        when = parsedate_to_datetime(response.headers.get("date", ""))
    except (TypeError, ValueError, IndexError):
        return
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    probe.server_date = when
    probe.skew = when.timestamp() + 0.5 - local  # Date is whole seconds, cut down: on average half a second early


def tls(ca_bundle: str | None, api_url: str, probe: Probe) -> Check:
    """The trust store is the one the client is configured with (the ca_bundle setting, SSL_CERT_FILE…)."""
    import httpx

    from nemo_cli.api import network

    url = httpx.URL(api_url)
    if url.scheme != "https":
        if _loopback(url.host):
            return ok("tls", "not used: plain http to a loopback address", verified=None)
        return warn("tls", f"not used: {api_url} is plain http, so the token crosses the network unencrypted", verified=False)
    try:
        trust = network.Trust.resolve(ca_bundle or None)
        trust.context()
    except errors.ConfigError as exc:
        return fail("tls", exc)
    facts = {"trust": trust.describe()}
    if isinstance(probe.error, errors.NetworkError) and network.tls_failure(probe.error) is not None:
        return fail("tls", probe.error, verified=False, **facts)
    if probe.tls_version is None:
        return warn("tls", f"not checked: {url.host} could not be reached (trust: {trust.describe()})", verified=None, **facts)
    facts.update(verified=True, version=probe.tls_version, certificate_expires=probe.cert_expires)
    until = f" and valid until {probe.cert_expires}" if probe.cert_expires else ""
    detail = f"{probe.tls_version}, the certificate of {url.host} is verified{until} (trust: {trust.describe()})"
    if probe.cert_expires and datetime.fromisoformat(probe.cert_expires).replace(tzinfo=timezone.utc) < datetime.now(timezone.utc) + timedelta(days=CERT_WARN_DAYS):
        return warn("tls", detail.replace(" and valid until ", " but expires soon: "), **facts)
    return ok("tls", detail, **facts)


def api(api_url: str, probe: Probe) -> Check:
    from nemo_cli.api import network

    via = network.proxy_note(api_url)
    if probe.error is not None:
        return fail("api", probe.error, reachable=False)
    return ok("api", f"{api_url} answers as the NemoVideo API{via} (HTTP {probe.status} without a token, {probe.ms:.0f} ms)",
              reachable=True, http_status=probe.status, ms=round(probe.ms))


def check_token(ctx: "Context", reachable: bool) -> tuple[Check, str | None]:
    from nemo_cli.settings import env

    token, kind = ctx.credentials.token()
    if not token:
        return warn("token", "none yet: the first command that needs one gets an anonymous token (or `nemo auth login`)", present=False), None
    source = "NEMO_TOKEN" if env("NEMO_TOKEN") else "the store"
    stored = ctx.profile().token if source == "the store" else {}
    shown = errors.mask(token)
    facts: dict[str, Any] = {"present": True, "kind": kind, "source": source, "token": shown, "expires_at": stored.get("expires_at")}
    what = f"{'an' if kind == 'anonymous' else 'a'} {kind} token {shown} from {source}"
    left = seconds_left(stored.get("expires_at"))
    if left is not None and left <= 0:
        if kind == "anonymous":
            return warn("token", f"{what} expired at {stored['expires_at']}: the next command gets a new one", valid=False, **facts), None
        return fail("token", errors.AuthError(f"{what} expired at {stored['expires_at']}", hint="log in again: `nemo auth login`"), valid=False, **facts), None
    if not reachable:
        return warn("token", f"{what}: not checked (the API did not answer)", valid=None, **facts), None
    try:
        balance = _client(ctx, token).credits()
    except errors.AuthError as exc:
        if kind == "anonymous":
            return warn("token", f"{what} was rejected: the next command gets a new one", valid=False, **facts), None
        source_hint = "fix or unset NEMO_TOKEN" if source == "NEMO_TOKEN" else "log in again: `nemo auth login`"
        rejected = errors.AuthError(f"the service rejects {what} (invalid or expired)", hint=source_hint, code=exc.code, status=exc.status)
        return fail("token", rejected, valid=False, **facts), None
    except errors.NemoError as exc:
        return warn("token", f"{what}: not checked ({exc.message})", valid=None, **facts), None
    expiry = f", expires {stored['expires_at']}" if stored.get("expires_at") else ""
    if left is not None and left < EXPIRY_WARN:
        return warn("token", f"{what} is valid but expires within a day ({stored['expires_at']})", valid=True, **facts), token
    return ok("token", f"{what} is valid{expiry} ({balance.available:g} credits available)", valid=True, credits=balance.available, **facts), token




def session(ctx: "Context", token: str | None) -> Check:
    from nemo_cli.settings import env

    sid = env("NEMO_SESSION") or ctx.profile().session.get("id")
    if not sid:
        return warn("session", "no active session: `nemo session new` starts one", session_id=None)
    source = "NEMO_SESSION" if env("NEMO_SESSION") else "the store"
    facts = {"session_id": str(sid), "source": source}
    if token is None:
        return warn("session", f"{sid} (from {source}): not checked (no valid token)", exists=None, **facts)
    try:
        state = _client(ctx, token).state(str(sid))
    except errors.SessionNotFound as exc:
        return fail("session", errors.SessionNotFound(f"the service knows no session {sid} (from {source}): {exc.message}"), exists=False, **facts)
    except errors.NemoError as exc:
        return warn("session", f"{sid} (from {source}): not checked ({exc.message})", exists=None, **facts)
    tracks = state.draft.get("t") if isinstance(state.draft, dict) else None
    count = len(tracks) if isinstance(tracks, list) else 0
    return ok("session", f"{sid} (from {source}) exists, {count} track{'' if count == 1 else 's'}", exists=True, tracks=count, **facts)


def clock(probe: Probe) -> Check:
    if probe.skew is None:
        if probe.error is not None:
            return warn("clock", "not checked (the API did not answer)", skew_seconds=None)
        return warn("clock", "not checked: the server sent no Date header", skew_seconds=None)
    skew = round(probe.skew)
    facts = {"skew_seconds": skew, "server_date": probe.server_date.isoformat() if probe.server_date else None}
    if abs(probe.skew) <= SKEW_WARN:
        return ok("clock", f"in step with the server ({skew:+d} s)", **facts)
    direction = "behind" if skew > 0 else "ahead of"
    return warn("clock", f"this machine's clock is {_about(abs(skew))} {direction} the server's: token expiry is judged by it", **facts)


def _about(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} seconds"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
