"""Every tunable in one table: its type, default, environment variable and meaning.

Precedence everywhere: flag > environment > store (`nemo config set`) > default. Every wait the CLI
makes (polls, retries, keep-alive notices) reads its interval from here, so tests can shrink them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from nemo_cli.errors import ConfigError

DEFAULT_API_URL = "https://mega-api-prod.nemovideo.ai"
DEFAULT_WEB_URL = "https://nemovideo.com"


@dataclass(frozen=True)
class Setting:
    key: str
    kind: type
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "NEMO_" + self.key.upper().replace(".", "_").replace("-", "_")


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in [
        Setting("api_url", str, DEFAULT_API_URL, "API base URL"),
        Setting("web_url", str, DEFAULT_WEB_URL, "web app URL, for browser links"),
        Setting("language", str, "en", "language of new sessions (ISO code: en, zh-CN, ja…)"),
        Setting("skill_source", str, "nemo-cli", "X-Skill-Source: the calling integration's name"),
        Setting("skill_version", str, "", "X-Skill-Version (default: the package version)"),
        Setting("skill_platform", str, "", "X-Skill-Platform (default: `terminal`, or `ci` when CI is set)"),
        Setting("connect_timeout", float, 10.0, "seconds to wait for a connection"),
        Setting("read_timeout", float, 60.0, "seconds to wait for a reply (not for streams)"),
        Setting("retries", int, 3, "retries of a GET (or of an unanswered upload) after a network error or 5xx"),
        Setting("retry_backoff", float, 0.5, "first retry delay in seconds; doubles each time, with jitter"),
        Setting("rate_limit_wait", float, 30.0, "seconds to wait after a 429 without Retry-After"),
        Setting("ca_bundle", str, "", "CA certificates to verify https with (a PEM file or a directory); wins over SSL_CERT_FILE"),
        Setting("edit.notice_interval", float, 120.0, "seconds between 'still working' notices"),
        Setting("edit.idle_timeout", float, 600.0, "seconds of nothing but keep-alives before giving up"),
        Setting("edit.timeout", float, 900.0, "seconds an edit may take in all"),
        Setting("edit.recover_first", float, 30.0, "after a dropped stream: seconds before the first look"),
        Setting("edit.recover_interval", float, 60.0, "after a dropped stream: seconds between looks"),
        Setting("edit.recover_looks", int, 5, "after a dropped stream: unchanged looks before failing"),
        Setting("export.poll_min", float, 1.0, "first render status poll interval in seconds"),
        Setting("export.poll_max", float, 6.0, "longest render status poll interval in seconds"),
        Setting("export.timeout", float, 1800.0, "seconds `export --wait` waits for a render"),
        Setting("export.error_grace", float, 120.0, "seconds of failing status polls a render wait rides out"),
    ]
}

ENV_VARS: dict[str, str] = {
    "NEMO_TOKEN": "API token to use (wins over the store)",
    "NEMO_API_URL": "API base URL",
    "NEMO_WEB_URL": "web app URL for browser links",
    "NEMO_CLIENT_ID": "client id (a UUID) used for anonymous tokens",
    "NEMO_SESSION": "session id to act on (wins over the active session)",
    "NEMO_PROFILE": "store profile to use (default: `default`)",
    "NEMO_CONFIG_DIR": "directory of the store (config.toml)",
    "NEMO_DEBUG": "set to 1 to log every request and response to stderr (tokens masked)",
    "NO_COLOR": "disable colour, spinners and progress bars",
    "CI": "when set, X-Skill-Platform defaults to `ci`",
    "HTTPS_PROXY": "proxy for https:// URLs (a CONNECT tunnel), e.g. http://user:password@proxy:3128; also https_proxy",
    "HTTP_PROXY": "proxy for http:// URLs; also http_proxy",
    "ALL_PROXY": "proxy for either scheme when its own variable is unset; also all_proxy",
    "NO_PROXY": "hosts reached directly: names (and their subdomains), IPs, CIDR blocks, `*`; also no_proxy",
    "SSL_CERT_FILE": "CA certificates (PEM) to verify https with, when the ca_bundle setting is unset",
    "SSL_CERT_DIR": "a directory of CA certificates, likewise (used together with SSL_CERT_FILE)",
}


def parse_value(setting: Setting, raw: Any, origin: str) -> Any:
    """Convert a raw value (string from env or CLI, or a TOML value) to the setting's type."""
    try:
        if setting.kind is float:
            if isinstance(raw, bool):
                raise ValueError
            value: Any = float(raw)
            if value < 0:
                raise ValueError
            return value
        if setting.kind is int:
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError
            value = int(raw)
            if value < 0:
                raise ValueError
            return value
        if not isinstance(raw, str):
            raise ValueError
        if setting.key.endswith("_url") and raw and not raw.startswith(("http://", "https://")):
            raise ValueError
        return raw
    except (TypeError, ValueError):
        want = {float: "a non-negative number", int: "a non-negative whole number"}.get(
            setting.kind, "an http(s) URL" if setting.key.endswith("_url") else "text"
        )
        if origin == setting.env:  # `nemo config set` would not help: the environment wins over the store
            hint = f"set {setting.env} to {want}, or unset it (`unset {setting.env}`)"
        elif origin.startswith("--"):
            hint = f"give {origin} {want}"
        else:
            hint = f"fix it with `nemo config set {setting.key} VALUE` or `nemo config unset {setting.key}`"
        raise ConfigError(f"{origin}: {setting.key} must be {want}, not {raw!r}", hint=hint) from None


def lookup(setting_key: str) -> Setting:
    try:
        return SETTINGS[setting_key]
    except KeyError:
        raise ConfigError(
            f"unknown setting {setting_key!r}", hint="`nemo config list` shows every setting"
        ) from None


class Settings:
    """Resolved values: flags > environment > stored > default."""

    def __init__(
        self,
        stored: Mapping[str, Any],
        flags: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        stored_origin: str = "config",
    ) -> None:
        self._stored = stored
        self._stored_origin = stored_origin  # how errors name the store: its file, when known
        self._flags = dict(flags or {})
        self._environ = os.environ if environ is None else environ

    def get(self, key: str) -> Any:
        setting = lookup(key)
        if self._flags.get(key) is not None:
            return parse_value(setting, self._flags[key], f"--{key.replace('_', '-')}")
        raw = self._environ.get(setting.env)
        if raw:  # an empty variable counts as unset
            return parse_value(setting, raw, setting.env)
        if key in self._stored:
            return parse_value(setting, self._stored[key], self._stored_origin)
        return setting.default

    def origin(self, key: str) -> str:
        setting = lookup(key)
        if self._flags.get(key) is not None:
            return "flag"
        if self._environ.get(setting.env):
            return "env"
        if key in self._stored:
            return "config"
        return "default"

    def __getattr__(self, name: str) -> Any:
        # settings.api_url, settings.edit_timeout (for edit.timeout)
        key = name if name in SETTINGS else name.replace("_", ".", 1)
        if key not in SETTINGS:
            raise AttributeError(name)
        return self.get(key)


_CONFIG_COMMAND = re.compile(r"`nemo config (get|set|unset) ([a-z_.]+)( [^`]*)?`")


def point_at_source(hint: str, flags: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> str:
    """A hint that sends the user to `nemo config …` for a setting whose value came from the environment
    (or a flag), where `nemo config set` changes nothing: name the variable (or the flag) instead.

    `nemo config get api_url` -> NEMO_API_URL in the environment
    `nemo config set edit.idle_timeout SECONDS` -> `NEMO_EDIT_IDLE_TIMEOUT=SECONDS` in the environment
    """

    def point(match: re.Match[str]) -> str:
        verb, key, rest = match.group(1), match.group(2), (match.group(3) or "").strip()
        setting = SETTINGS.get(key)
        if setting is None:
            return match.group(0)
        if (flags or {}).get(key) is not None:
            flag = "--" + key.replace("_", "-")
            return f"`{flag} {rest}`" if verb == "set" and rest else f"the {flag} option"
        if not env(setting.env, environ):
            return match.group(0)
        if verb == "set":
            return f"`{setting.env}={rest or 'VALUE'}` in the environment"
        if verb == "unset":
            return f"`unset {setting.env}`"
        return f"{setting.env} in the environment"

    return _CONFIG_COMMAND.sub(point, hint)


def env(name: str, environ: Mapping[str, str] | None = None, default: Callable[[], str | None] = lambda: None) -> str | None:
    """An environment variable, where an empty value counts as unset."""
    value = (os.environ if environ is None else environ).get(name)
    return value if value else default()
