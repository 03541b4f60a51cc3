"""What a command gets: output, settings, the store and a lazily built API client.

Nothing here is built until a command asks for it, so a broken store only hits commands that read it,
and `--help` never pays for httpx or pydantic.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Any

from nemo_cli import __version__
from nemo_cli.errors import AuthError, ConfigError, RateLimited, SessionNotFound
from nemo_cli.output import Output, Terminal
from nemo_cli.settings import Settings, env
from nemo_cli.store import Profile, Store

if TYPE_CHECKING:
    from nemo_cli.api.client import NemoClient


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def expired(expires: Any) -> bool:
    """Whether a stored `expires_at` (ISO 8601) has passed; an absent or unreadable one has not."""
    if not isinstance(expires, str):
        return False
    try:
        when = datetime.fromisoformat(expires.replace("Z", "+00:00"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when <= datetime.now(timezone.utc)


class Context:
    def __init__(
        self,
        *,
        json_mode: bool = False,
        quiet: bool = False,
        debug: bool = False,
        no_color: bool = False,
        profile: str | None = None,
        api_url: str | None = None,
        skill_source: str | None = None,
    ) -> None:
        self.terminal = Terminal.detect(no_color=no_color)
        self.out = Output(self.terminal, json_mode=json_mode, quiet=quiet)
        self.debug = debug
        self.profile_name = profile or env("NEMO_PROFILE") or "default"
        self._flags = {"api_url": api_url, "skill_source": skill_source}
        self._session_in_effect: str | None = None  # the last one `session_id()` resolved
        self._learned: dict[str, dict[str, str]] = {}  # what state replies said about sessions: task_id, user_id

    # -- store and settings ---------------------------------------------------------------------
    @cached_property
    def store(self) -> Store:
        return Store(profile=self.profile_name)

    def profile(self) -> Profile:
        return self.store.profile()

    @cached_property
    def settings(self) -> Settings:
        return Settings(self.profile().settings, flags=self._flags, stored_origin=f"the store {self.store.path}")

    # -- identity -------------------------------------------------------------------------------
    def client_id(self) -> str:
        """The persisted client id (created once); NEMO_CLIENT_ID wins."""
        override = env("NEMO_CLIENT_ID")
        if override:
            return override
        current = self.profile().client_id
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

    def token(self) -> tuple[str | None, str | None]:
        """(token, kind): NEMO_TOKEN (a user token) wins over the store."""
        from_env = env("NEMO_TOKEN")
        if from_env:
            return from_env, "user"
        stored = self.profile().token
        return stored.get("value"), stored.get("kind") or "user"

    def token_expired(self) -> bool:
        if env("NEMO_TOKEN"):
            return False
        return expired(self.profile().token.get("expires_at"))

    def acquire_anonymous(self) -> str:
        """Ask for an anonymous token with the persisted client id, store it, and return it."""
        from nemo_cli.api.client import NemoClient

        client_id = self.client_id()
        try:
            data = NemoClient(self._transport_config(), credentials=None).anonymous_token(
                client_id, on_missing_client_id=self.new_client_id
            )
        except RateLimited as exc:
            # not "run `nemo auth`" or "wait a while": that loops back here for days
            exc.hint = anonymous_limit_hint(exc.retry_after, self.web_url())
            raise
        with self.store.edit() as prof:
            prof.set_token(data.token, "anonymous", data.expires_at, data.user_id)
        self.granted = data  # what the service said it granted (credits, expires_at), for `nemo auth` to tell
        return data.token

    # -- the API --------------------------------------------------------------------------------
    def _transport_config(self) -> dict[str, Any]:
        s = self.settings
        platform = s.skill_platform or ("ci" if os.environ.get("CI") else "terminal")
        return {
            "base_url": s.api_url,
            "headers": {
                "X-Skill-Source": s.skill_source,
                "X-Skill-Version": s.skill_version or __version__,
                "X-Skill-Platform": platform,
                "User-Agent": f"nemo-cli/{__version__}",
            },
            "connect_timeout": s.connect_timeout,
            "read_timeout": s.read_timeout,
            "retries": s.retries,
            "retry_backoff": s.retry_backoff,
            "rate_limit_wait": s.rate_limit_wait,
            "debug": self.debug,
            "web_url": s.web_url,
            "ca_bundle": s.ca_bundle or None,
        }

    @cached_property
    def client(self) -> "NemoClient":
        """The API client; it acquires an anonymous token on first use when there is none."""
        from nemo_cli.api.client import NemoClient

        return NemoClient(self._transport_config(), credentials=_Credentials(self), on_state=self._learn)

    def client_for(self, token: str) -> "NemoClient":
        """A client bound to one given token (to validate it before it is stored)."""
        from nemo_cli.api.client import NemoClient

        return NemoClient(self._transport_config(), credentials=_FixedCredentials(token))

    # -- sessions -------------------------------------------------------------------------------
    def session_id(self, override: str | None = None) -> str:
        """--session > NEMO_SESSION > the active session."""
        sid = override or env("NEMO_SESSION") or self.profile().session.get("id")
        if not sid:
            raise SessionNotFound("no active session")
        self._session_in_effect = str(sid)
        return str(sid)

    def session_facts(self, sid: str) -> dict[str, str]:
        """What is known of a session's task id and user id: the store's record (a malformed sessions table
        is a ConfigError), then what the service said in this run."""
        prof = self.profile()
        record, active = prof.sessions.get(sid, {}), prof.session
        known = {k: _id_text(record.get(k)) for k in ("task_id", "user_id")}
        if not known["task_id"] and active.get("id") == sid:
            known["task_id"] = _id_text(active.get("task_id"))
        return {**{k: v for k, v in known.items() if v}, **self._learned.get(sid, {})}

    def _learn(self, sid: str, state: Any) -> None:
        """Every state reply names the session's task (and maybe its user): remember them, in this run and,
        for a session the store knows, in the store (a session adopted from elsewhere had no task id)."""
        facts = {k: v for k, v in {"task_id": state.task_id, "user_id": state.user_id}.items() if v}
        if not facts:
            return
        self._learned.setdefault(sid, {}).update(facts)
        try:
            if not self.profile().note_session(sid, **facts):  # a read-only look first: most replies say nothing new
                return
            with self.store.edit() as prof:
                prof.note_session(sid, **facts)
        except ConfigError:
            pass  # a malformed sessions table stays as it is; the commands that write sessions report it

    def web_url(self) -> str:
        return str(self.settings.web_url).rstrip("/")

    def browser_link(self, sid: str) -> tuple[str, float | None]:
        """`<web>/workspace/claim?ct=<claim token>` for a session: a claim token, never the API token."""
        from urllib.parse import quote

        task_id = self.session_facts(sid).get("task_id")
        if not task_id:  # a session made elsewhere (web editor, another machine): its state names its task
            self.client.state(sid)
            task_id = self._learned.get(sid, {}).get("task_id")
        claim = self.client.claim_token(task_id, sid)
        return f"{self.web_url()}/workspace/claim?ct={quote(claim.claim_token)}", claim.expires_in


def _id_text(value: Any) -> str | None:
    """An id from the store as text: a hand-edited number is the same id; anything else is no id."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value) or None


class _Credentials:
    """Bridges the API layer to the store without either importing the other."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def current(self) -> tuple[str, str]:
        token, kind = self._ctx.token()
        if not token or (kind == "anonymous" and self._ctx.token_expired()):
            return self._ctx.acquire_anonymous(), "anonymous"
        return token, kind or "user"

    def identity(self) -> tuple[str | None, str | None]:
        """(kind, the id a registration link binds): the user id from the token's reply, else from the
        session's replies, else the session id."""
        _, kind = self._ctx.token()
        prof = self._ctx.profile()
        sid = self._ctx._session_in_effect or env("NEMO_SESSION") or prof.session.get("id")
        user_id = prof.token.get("user_id")
        if not user_id and sid:
            try:
                user_id = self._ctx.session_facts(sid).get("user_id")
            except ConfigError:
                user_id = None  # a malformed sessions table: the error being reported matters more
        return kind, user_id or sid

    def renew(self, rejected: str) -> str:
        """Called on 1001. Only an anonymous token is replaced; a user's token never is."""
        token, kind = self._ctx.token()
        if kind != "anonymous":
            source = "NEMO_TOKEN" if env("NEMO_TOKEN") else "the stored token"
            raise AuthError(
                f"the service rejected {source} (invalid or expired)",
                hint="log in again with `nemo auth login`" + (" or fix NEMO_TOKEN" if env("NEMO_TOKEN") else ""),
                code=1001,
            )
        if token and token != rejected:  # another process already renewed it
            return token
        return self._ctx.acquire_anonymous()


class _FixedCredentials:
    def __init__(self, token: str) -> None:
        self._token = token

    def current(self) -> tuple[str, str]:
        return self._token, "user"

    def identity(self) -> tuple[str | None, str | None]:
        return "user", None

    def renew(self, rejected: str) -> str:
        raise AuthError("the service rejected that token (invalid or expired)", hint="copy it again from the web app", code=1001)


def anonymous_limit_hint(retry_after: float | None, web_url: str) -> str:
    """What to do after a 429 on the anonymous-token request: when another token can be had, if the service
    said, and the way that works now (a registered token)."""
    from datetime import timedelta

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
