"""Tokens: make sure there is one, log in, show, log out. The rules of tokens themselves (NEMO_TOKEN wins,
anonymous acquisition and renewal, the client id) are nemo_cli.credentials'; these are the verbs.

    ensure(ctx, observer=SILENT) -> Status
                                     a usable token (an anonymous one acquired when there is none, or it
                                     expired), then the status; Status.granted says what an acquisition got
                                     (also told to the observer at once: event "granted")
    login(ctx, token) -> Status      a user's token, checked with a credits call before it is stored
    status(ctx) -> Status            the token in effect (AuthError when there is none) and the credits
    token(ctx) -> str                the raw token in effect (AuthError when there is none)
    logout(ctx, *, force=False) -> LoggedOut
                                     forget the stored token; an anonymous one that has not expired is kept
                                     (UsageError, nothing written) unless force

Status(kind, source, token (masked), expires_at, user_id, api_url, credits, granted); LoggedOut(logged_out,
discarded_anonymous, until, env_token).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from nemo_cli.errors import AuthError, UsageError, mask
from nemo_cli.flows.observe import SILENT, Observer
from nemo_cli.settings import env

if TYPE_CHECKING:
    from nemo_cli.context import Context


@dataclass(frozen=True)
class Status:
    kind: str  # "user" | "anonymous"
    source: str  # "env" (NEMO_TOKEN) | "store"
    token: str  # masked: never the secret
    expires_at: str | None
    user_id: str | None
    api_url: str
    credits: dict[str, Any] | None = None  # available, frozen, total
    granted: dict[str, Any] | None = None  # credits, expires_at: what an anonymous acquisition was granted

    def public(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"logged_in": True, "kind": self.kind, "source": self.source, "token": self.token,
                               "expires_at": self.expires_at, "user_id": self.user_id, "api_url": self.api_url}
        if self.credits is not None:
            doc["credits"] = self.credits
        if self.granted is not None:
            doc["granted"] = self.granted
        return doc


@dataclass(frozen=True)
class LoggedOut:
    logged_out: bool  # whether there was a stored token to forget
    discarded_anonymous: bool  # an anonymous token still valid was discarded (--force)
    until: str | None  # that token's expiry, when known
    env_token: bool  # NEMO_TOKEN is set and stays in effect


def _status(ctx: "Context", credits: dict[str, Any] | None, granted: dict[str, Any] | None = None) -> Status:
    token, kind = ctx.credentials.token()
    if not token:
        raise AuthError("not logged in")
    stored = ctx.profile().token if not env("NEMO_TOKEN") else {}
    return Status(kind or "user", "env" if env("NEMO_TOKEN") else "store", mask(token), stored.get("expires_at"),
                  stored.get("user_id"), ctx.settings.api_url, credits, granted)


def status(ctx: "Context") -> Status:
    found = _status(ctx, None)  # not logged in: said before the service is asked
    return replace(found, credits=ctx.client.credits().public())


def ensure(ctx: "Context", observer: Observer = SILENT) -> Status:
    """An acquisition is told to the observer as it happens (event "granted": credits, expires_at), before
    the credits are asked for."""
    grant = ctx.credentials.ensure()
    granted = None if grant is None else {"credits": grant.credits, "expires_at": grant.expires_at}
    if granted is not None:
        observer.event("granted", granted)
    return replace(status(ctx), granted=granted)


def login(ctx: "Context", token: str) -> Status:
    token = token.strip()
    if not token or any(ch.isspace() for ch in token):
        raise UsageError("that is not a token (empty, or it contains spaces)")
    balance = ctx.client_for(token).credits().public()  # AuthError if the service refuses it: nothing stored
    with ctx.store.edit() as prof:
        prof.set_token(token, "user")
    return _status(ctx, balance)


def token(ctx: "Context") -> str:
    value, _ = ctx.credentials.token()
    if not value:
        raise AuthError("not logged in")
    return value


def logout(ctx: "Context", *, force: bool = False) -> LoggedOut:
    """The service gives one anonymous token per client id per week: discarding one still valid leaves this
    client id without a token (and its credits and sessions out of reach) until then, so it takes force."""
    from nemo_cli.credentials import expired

    with ctx.store.edit() as prof:
        stored = prof.token
        until = stored.get("expires_at") if isinstance(stored.get("expires_at"), str) else None
        anonymous = stored.get("kind") == "anonymous" and not expired(until)
        when = f"until {until}" if until else "for the rest of the week it was issued in"
        if anonymous and not force:  # raised inside edit(): nothing is written
            raise UsageError(
                "not discarding the anonymous token: the service gives one anonymous token per client id per "
                f"week, so no new one could be had {when}, and this one's credits and sessions would be out of reach",
                hint="keep it (`nemo auth login` replaces it with your registered token), "
                "or discard it anyway with `nemo auth logout --force`",
            )
        prof.clear_token()
    return LoggedOut(bool(stored), anonymous, until, bool(env("NEMO_TOKEN")))
