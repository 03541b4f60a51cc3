"""What a command gets: output, settings, the store, its sessions and a lazily built API client.

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
from nemo_cli.output import Output, Terminal
from nemo_cli.sessions import Sessions
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
    def sessions(self) -> Sessions:
        """Which session a command works on and what is known of it (nemo_cli.sessions)."""
        return Sessions(self.store, self.profile)

    @cached_property
    def credentials(self) -> Credentials:
        """The token in effect, acquired and renewed as the rules say (nemo_cli.credentials)."""
        return Credentials(self.store, self.transport_config, session=self.sessions.hint)

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
        return NemoClient(self.transport_config(), credentials=creds, renew=creds.renew, on_state=self.sessions.learn)

    def client_for(self, token: str) -> "NemoClient":
        """A client bound to one given token (to validate it before it is stored)."""
        from nemo_cli.api.client import NemoClient

        fixed = FixedToken(token)
        return NemoClient(self.transport_config(), credentials=fixed, renew=fixed.renew)

    def web_url(self) -> str:
        return str(self.settings.web_url).rstrip("/")

