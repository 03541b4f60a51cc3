"""What a command gets: output, settings, the store and a lazily built API client.

Nothing here is built until a command asks for it, so a broken store only hits commands that read it,
and `--help` never pays for httpx or pydantic. Tokens live in nemo_cli.credentials; the Context only builds
them for its store. A caller running commands in-process (tests) may give a transport: every client built
here (the API client, the CDN client of downloads, the token client) sends through it.
"""

from __future__ import annotations

import os
from functools import cached_property
from typing import TYPE_CHECKING, Any

from nemo_cli import __version__
from nemo_cli.credentials import Credentials, FixedToken
from nemo_cli.errors import ConfigError, SessionNotFound
from nemo_cli.output import Output, Terminal
from nemo_cli.settings import Settings, env
from nemo_cli.store import Profile, Store

if TYPE_CHECKING:
    import httpx

    from nemo_cli.api.client import NemoClient


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
        transport: "httpx.BaseTransport | None" = None,
    ) -> None:
        self.terminal = Terminal.detect(no_color=no_color)
        self.out = Output(self.terminal, json_mode=json_mode, quiet=quiet)
        self.debug = debug
        self.profile_name = profile or env("NEMO_PROFILE") or "default"
        self._flags = {"api_url": api_url, "skill_source": skill_source}
        self.transport = transport  # None: the network (proxies, TLS settings) as configured
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

    @cached_property
    def credentials(self) -> Credentials:
        """The token in effect, acquired and renewed as the rules say (nemo_cli.credentials)."""
        return Credentials(self.store, self.transport_config, session=self._session_hint)

    # -- the API --------------------------------------------------------------------------------
    def transport_config(self) -> dict[str, Any]:
        """What every client built here is made from: the API URL, headers, timeouts, retries, and the
        transport given to this Context, if any."""
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
            "transport": self.transport,
        }

    @cached_property
    def client(self) -> "NemoClient":
        """The API client; it acquires an anonymous token on first use when there is none."""
        from nemo_cli.api.client import NemoClient

        creds = self.credentials
        return NemoClient(self.transport_config(), credentials=creds, renew=creds.renew, on_state=self._learn)

    def client_for(self, token: str) -> "NemoClient":
        """A client bound to one given token (to validate it before it is stored)."""
        from nemo_cli.api.client import NemoClient

        fixed = FixedToken(token)
        return NemoClient(self.transport_config(), credentials=fixed, renew=fixed.renew)

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

    def _session_hint(self) -> tuple[str | None, str | None]:
        """(the session in effect, its user id when known), for the id an out-of-credits link binds."""
        sid = self._session_in_effect or env("NEMO_SESSION") or self.profile().session.get("id")
        if not sid:
            return None, None
        try:
            return sid, self.session_facts(sid).get("user_id")
        except ConfigError:
            return sid, None  # a malformed sessions table: the error being reported matters more

    def web_url(self) -> str:
        return str(self.settings.web_url).rstrip("/")


def _id_text(value: Any) -> str | None:
    """An id from the store as text: a hand-edited number is the same id; anything else is no id."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value) or None
