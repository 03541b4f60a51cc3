"""Who this client is to the service: the token a request carries (NEMO_TOKEN, else the store's), its expiry,
the anonymous token acquired (and renewed) with the persisted client id, and the browser link of a session.

No Context here: `Credentials` is given the store and the transport configuration, and asks for anonymous
tokens through a small token-only client of its own (`api.client.TokenClient`), built from that same
configuration. The API client is given `Credentials.current` and `Credentials.identity` (the token and who
it belongs to) and `Credentials.renew` as a plain callback for a rejected token (1001): renewing never
builds a full client inside another one's request.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Mapping

from nemo_cli.errors import AuthError, RateLimited
from nemo_cli.settings import env

if TYPE_CHECKING:
    from nemo_cli.api.client import NemoClient, TokenClient
    from nemo_cli.api.models import AnonymousToken
    from nemo_cli.store import Store


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def seconds_left(expires: Any) -> float | None:
    """Seconds until a stored `expires_at` (ISO 8601; no zone means UTC); None when absent or unreadable."""
    if not isinstance(expires, str):
        return None
    try:
        when = datetime.fromisoformat(expires.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return (when - datetime.now(timezone.utc)).total_seconds()


def expired(expires: Any) -> bool:
    """Whether a stored `expires_at` has passed; an absent or unreadable one has not."""
    left = seconds_left(expires)
    return left is not None and left <= 0


# (the session in effect, its user id when known): what an out-of-credits link binds when the token's own
# reply named no user
SessionHint = Callable[[], "tuple[str | None, str | None]"]


class Credentials:
    """The token in effect for one store profile; an anonymous one is acquired when there is none (or it
    expired) and renewed when the service rejects it. A user's token is never replaced."""

    def __init__(
        self,
        store: "Store",
        config: Callable[[], Mapping[str, Any]],
        session: SessionHint = lambda: (None, None),
    ) -> None:
        self.store = store
        self._config = config  # the transport configuration, read only when a token must be asked for
        self._session = session
        self.granted: "AnonymousToken | None" = None  # what the service said it granted, when this run acquired one

    @cached_property
    def tokens(self) -> "TokenClient":
        from nemo_cli.api.client import TokenClient

        return TokenClient(self._config())

    # -- the token ------------------------------------------------------------------------------
    def token(self) -> tuple[str | None, str | None]:
        """(token, kind): NEMO_TOKEN (a user token) wins over the store."""
        from_env = env("NEMO_TOKEN")
        if from_env:
            return from_env, "user"
        stored = self.store.profile().token
        return stored.get("value"), stored.get("kind") or "user"

    def token_expired(self) -> bool:
        if env("NEMO_TOKEN"):
            return False
        return expired(self.store.profile().token.get("expires_at"))

    def usable(self) -> bool:
        """Whether there is a token to send: one, and not an anonymous one that has expired."""
        token, kind = self.token()
        return bool(token) and not (kind == "anonymous" and self.token_expired())

    def ensure(self) -> "AnonymousToken | None":
        """Make sure there is a usable token: acquire an anonymous one when there is none (or the anonymous one
        expired). The grant when one was acquired, else None."""
        if self.usable():
            return None
        self.acquire_anonymous()
        return self.granted

    # -- the client id --------------------------------------------------------------------------
    def client_id(self) -> str:
        """The persisted client id (created once); NEMO_CLIENT_ID wins."""
        override = env("NEMO_CLIENT_ID")
        if override:
            return override
        current = self.store.profile().client_id
        if current:
            return current
        with self.store.edit() as prof:
            if not prof.client_id:  # another process may have made one meanwhile
                prof.client_id = str(uuid.uuid4())
            return prof.client_id  # type: ignore[return-value]

    def new_client_id(self) -> str:
        """The service said the client id was missing or bad (HTTP 400): make and persist a new one."""
        with self.store.edit() as prof:
            prof.client_id = str(uuid.uuid4())
            return prof.client_id

    # -- anonymous tokens -----------------------------------------------------------------------
    def acquire_anonymous(self) -> str:
        """Ask for an anonymous token with the persisted client id, store it, and return it."""
        try:
            data = self.tokens.anonymous_token(self.client_id(), on_missing_client_id=self.new_client_id)
        except RateLimited as exc:
            # not "run `nemo auth`" or "wait a while": that loops back here for days
            exc.hint = anonymous_limit_hint(exc.retry_after, str(self.tokens.http.web_url))
            raise
        with self.store.edit() as prof:
            prof.set_token(data.token, "anonymous", data.expires_at, data.user_id)
        self.granted = data
        return data.token

    # -- what the API client is given -----------------------------------------------------------
    def current(self) -> tuple[str, str]:
        """The token to send, acquiring an anonymous one when there is no usable token."""
        token, kind = self.token()
        if not token or (kind == "anonymous" and self.token_expired()):
            return self.acquire_anonymous(), "anonymous"
        return token, kind or "user"

    def identity(self) -> tuple[str | None, str | None]:
        """(kind, the id a registration link binds): the user id from the token's reply, else from the
        session's replies, else the session id."""
        _, kind = self.token()
        user_id = self.store.profile().token.get("user_id")
        if user_id:
            return kind, user_id
        sid, session_user = self._session()
        return kind, session_user or sid

    def renew(self, rejected: str) -> str:
        """The renewal callback, called on 1001. Only an anonymous token is replaced; a user's never is."""
        token, kind = self.token()
        if kind != "anonymous":
            source = "NEMO_TOKEN" if env("NEMO_TOKEN") else "the stored token"
            raise AuthError(
                f"the service rejected {source} (invalid or expired)",
                hint="log in again with `nemo auth login`" + (" or fix NEMO_TOKEN" if env("NEMO_TOKEN") else ""),
                code=1001,
            )
        if token and token != rejected:  # another process already renewed it
            return token
        return self.acquire_anonymous()


class FixedToken:
    """One given token (to validate it before it is stored): never replaced, bound to no one yet."""

    def __init__(self, token: str) -> None:
        self._token = token

    def current(self) -> tuple[str, str]:
        return self._token, "user"

    def identity(self) -> tuple[str | None, str | None]:
        return "user", None

    def renew(self, rejected: str) -> str:
        raise AuthError("the service rejected that token (invalid or expired)", hint="copy it again from the web app", code=1001)


def browser_link(client: "NemoClient", known: Mapping[str, str], session_id: str, web_url: str) -> tuple[str, float | None]:
    """`<web>/workspace/claim?ct=<claim token>` for a session, and how long it lasts: a claim token, never
    the API token. `known` is what is known of the session (its task id); a session made elsewhere (web
    editor, another machine) learns its task from its state."""
    from urllib.parse import quote

    task_id = known.get("task_id")
    if not task_id:
        task_id = client.state(session_id).task_id
    claim = client.claim_token(task_id, session_id)
    return f"{web_url.rstrip('/')}/workspace/claim?ct={quote(claim.claim_token)}", claim.expires_in


def anonymous_limit_hint(retry_after: float | None, web_url: str) -> str:
    """What to do after a 429 on the anonymous-token request: when another token can be had, if the service
    said, and the way that works now (a registered token)."""
    if retry_after is not None:
        when = (datetime.now(timezone.utc) + timedelta(seconds=retry_after)).replace(microsecond=0)
        later = f"another can be had in {_about(retry_after)} ({when.isoformat().replace('+00:00', 'Z')})"
    else:
        later = "another can be had once this client id's token has expired (a week after it was issued)"
    return f"{later}; until then, log in with a registered token from {web_url}: `nemo auth login`"


def _about(seconds: float) -> str:
    """About how long: 6 days 23 hours, 3 hours 5 minutes, 40 minutes, 12 seconds."""
    seconds = int(round(seconds))
    units = [("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)]
    parts = []
    for name, size in units:
        count, seconds = divmod(seconds, size)
        if count or parts:
            parts.append(f"{count} {name}{'' if count == 1 else 's'}")
        if len(parts) == 2:
            break
    return " ".join(p for p in parts if not p.startswith("0 ")) or "0 seconds"
