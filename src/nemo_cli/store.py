"""The TOML store: client id, token, sessions, renders and settings, per profile.

Layout of config.toml:

    [profiles.default]
    client_id = "…"
    [profiles.default.token]      value, kind ("anonymous" | "user"), expires_at, user_id
    [profiles.default.session]    the active one: id, task_id, created
    [profiles.default.sessions."<id>"]  task_id, name, created, user_id (learned from the service's replies)
    [profiles.default.renders."<id>"]   session, created, status, output, url
    [profiles.default.questions."<id>"] the question a session's agent is waiting on: prompt, options, …
    [profiles.default.settings]   whatever `nemo config set` stored

Every change is read-modify-write under a cross-process lock and lands by atomic rename after fsync, so
twenty `nemo` processes started together never lose an update, and a kill never leaves half a file.
A file that does not parse is never overwritten: the user is told where it is and how to fix it.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from nemo_cli.durable import write_atomic
from nemo_cli.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FILE_NAME = "config.toml"
LOCK_TIMEOUT = 30.0


def config_dir() -> Path:
    override = os.environ.get("NEMO_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("nemo", appauthor=False))


def _drop_none(value: Any) -> Any:
    """TOML has no null: drop None values (meaning 'unset') recursively."""
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value if v is not None]
    return value


class Store:
    def __init__(self, path: Path | None = None, profile: str = "default") -> None:
        self.path = path or config_dir() / FILE_NAME
        self.profile_name = profile

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    # -- reading --------------------------------------------------------------------------------
    def load(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except IsADirectoryError:
            raise ConfigError(f"the store {self.path} is a directory", hint="remove it or set NEMO_CONFIG_DIR") from None
        except OSError as exc:
            raise ConfigError(
                f"cannot read the store {self.path}: {exc.strerror}", hint="check its permissions"
            ) from None
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(
                f"the store {self.path} is not valid TOML ({exc})",
                hint=f"fix it by hand, or move it away (`mv {self.path} {self.path}.bak`) to start afresh",
            ) from None
        profiles = data.get("profiles", {})
        if not isinstance(profiles, dict) or not all(isinstance(p, dict) for p in profiles.values()):
            raise ConfigError(
                f"the store {self.path} has a malformed [profiles] table",
                hint=f"fix it by hand, or move it away (`mv {self.path} {self.path}.bak`) to start afresh",
            )
        return data

    def profile(self) -> "Profile":
        """A read-only snapshot of this profile."""
        return Profile(self.load().get("profiles", {}).get(self.profile_name, {}), self)

    # -- writing --------------------------------------------------------------------------------
    @contextmanager
    def edit(self) -> Iterator["Profile"]:
        """Lock, re-read, let the caller change the profile, write atomically."""
        from filelock import FileLock, Timeout as LockTimeout

        self._ensure_dir()
        lock = FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT, mode=0o600)
        try:
            lock.acquire()
        except LockTimeout:
            raise ConfigError(
                f"the store {self.path} stayed locked for {LOCK_TIMEOUT:.0f}s",
                hint=f"another nemo may be stuck; if none runs, remove {self.lock_path}",
            ) from None
        try:
            data = self.load()
            profiles = data.setdefault("profiles", {})
            prof = Profile(profiles.setdefault(self.profile_name, {}), self)
            yield prof
            self._write(data)
        finally:
            lock.release()

    def _ensure_dir(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise ConfigError(f"cannot create {self.path.parent}: {exc.strerror}") from None

    def _write(self, data: dict[str, Any]) -> None:
        import tomli_w

        write_atomic(self.path, tomli_w.dumps(_drop_none(data)).encode("utf-8"), mode=0o600)


class Profile:
    """A profile's table with typed accessors; mutations only take effect inside `Store.edit()`."""

    def __init__(self, data: dict[str, Any], store: Store) -> None:
        self.data = data
        self.store = store

    def _table(self, name: str) -> dict[str, Any]:
        value = self.data.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ConfigError(
                f"the store {self.store.path}: [{name}] of profile {self.store.profile_name!r} should be a table",
                hint=f"fix it by hand, or remove that entry with a text editor",
            )
        return value

    def _set_table(self, name: str) -> dict[str, Any]:
        table = self._table(name)
        self.data[name] = table
        return table

    # client id
    @property
    def client_id(self) -> str | None:
        value = self.data.get("client_id")
        return value if isinstance(value, str) and value else None

    @client_id.setter
    def client_id(self, value: str) -> None:
        self.data["client_id"] = value

    # token
    @property
    def token(self) -> dict[str, Any]:
        table = self._table("token")
        return table if isinstance(table.get("value"), str) and table.get("value") else {}

    def set_token(self, value: str, kind: str, expires_at: str | None = None, user_id: str | None = None) -> None:
        self._table("token")  # a hand-broken entry is reported, not silently replaced
        self.data["token"] = _drop_none(
            {"value": value, "kind": kind, "expires_at": expires_at, "user_id": user_id}
        )

    def clear_token(self) -> None:
        self.data.pop("token", None)

    # sessions
    @property
    def session(self) -> dict[str, Any]:
        table = self._table("session")
        return table if isinstance(table.get("id"), str) and table.get("id") else {}

    @property
    def sessions(self) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self._table("sessions").items() if isinstance(v, dict)}

    def add_session(
        self, session_id: str, task_id: str | None, name: str | None, created: str | None, user_id: str | None = None
    ) -> None:
        self._set_table("sessions")[session_id] = _drop_none(
            {"task_id": task_id, "name": name, "created": created, "user_id": user_id}
        )

    def note_session(self, session_id: str, task_id: str | None = None, user_id: str | None = None) -> bool:
        """Fill in what the service said about a session this profile knows (its task id, its user id), in
        its record and, for the active one, in [session]. A session it does not know is not added. True
        when anything changed."""
        facts = {k: v for k, v in {"task_id": task_id, "user_id": user_id}.items() if v}
        changed = False
        entry = self.sessions.get(session_id)
        if entry is not None:
            for key, value in facts.items():
                if entry.get(key) != value:
                    entry[key] = value
                    changed = True
        active = self.session
        if task_id and active.get("id") == session_id and active.get("task_id") != task_id:
            active["task_id"] = task_id
            changed = True
        return changed

    def use_session(self, session_id: str) -> None:
        known = self.sessions.get(session_id, {})
        self._table("session")  # a hand-broken entry is reported, not silently replaced
        self.data["session"] = _drop_none(
            {"id": session_id, "task_id": known.get("task_id"), "created": known.get("created")}
        )

    # renders
    @property
    def renders(self) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self._table("renders").items() if isinstance(v, dict)}

    def record_render(self, render_id: str, **fields: Any) -> None:
        table = self._set_table("renders")
        entry = table.get(render_id) if isinstance(table.get(render_id), dict) else {}
        entry.update(fields)
        table[render_id] = _drop_none(entry)

    # questions the service is waiting on, per session
    @property
    def questions(self) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self._table("questions").items() if isinstance(v, dict)}

    def set_question(self, session_id: str, question: dict[str, Any]) -> None:
        self._set_table("questions")[session_id] = _drop_none(question)

    def clear_question(self, session_id: str) -> bool:
        table = self._table("questions")
        if session_id not in table:
            return False
        del table[session_id]
        if not table:
            self.data.pop("questions", None)
        return True

    # settings
    @property
    def settings(self) -> dict[str, Any]:
        return self._table("settings")

    def set_setting(self, key: str, value: Any) -> None:
        self._set_table("settings")[key] = value

    def unset_setting(self, key: str) -> bool:
        return self._set_table("settings").pop(key, None) is not None
