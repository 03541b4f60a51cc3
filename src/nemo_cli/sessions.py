"""Which session a command works on, and what is known of it (its task id, its user id).

The store records sessions; the service's state replies name a session's task (and maybe its user), which
this run remembers and writes back for a session the store knows (one adopted from elsewhere had no task
id). The Context builds one `Sessions` for its store and hands `learn` to the API client it builds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from nemo_cli.errors import ConfigError, SessionNotFound
from nemo_cli.settings import env

if TYPE_CHECKING:
    from nemo_cli.store import Profile, Store


class Sessions:
    def __init__(self, store: "Store", profile: "Callable[[], Profile]") -> None:
        self._store = store
        self._profile = profile
        self._in_effect: str | None = None  # the last one `resolve()` gave
        self._learned: dict[str, dict[str, str]] = {}  # what state replies said in this run

    def resolve(self, override: str | None = None) -> str:
        """--session > NEMO_SESSION > the active session."""
        sid = override or env("NEMO_SESSION") or self._profile().session.get("id")
        if not sid:
            raise SessionNotFound("no active session")
        self._in_effect = str(sid)
        return str(sid)

    def facts(self, sid: str) -> dict[str, str]:
        """What is known of a session's task id and user id: the store's record (a malformed sessions table
        is a ConfigError), then what the service said in this run."""
        prof = self._profile()
        record, active = prof.sessions.get(sid, {}), prof.session
        known = {k: _id_text(record.get(k)) for k in ("task_id", "user_id")}
        if not known["task_id"] and active.get("id") == sid:
            known["task_id"] = _id_text(active.get("task_id"))
        return {**{k: v for k, v in known.items() if v}, **self._learned.get(sid, {})}

    def learn(self, sid: str, state: Any) -> None:
        """Told of every state reply: remember the ids in it, in this run and in the store."""
        facts = {k: v for k, v in {"task_id": state.task_id, "user_id": state.user_id}.items() if v}
        if not facts:
            return
        self._learned.setdefault(sid, {}).update(facts)
        try:
            if not self._profile().note_session(sid, **facts):  # a read-only look first: most replies say nothing new
                return
            with self._store.edit() as prof:
                prof.note_session(sid, **facts)
        except ConfigError:
            pass  # a malformed sessions table stays as it is; the commands that write sessions report it

    def hint(self) -> tuple[str | None, str | None]:
        """(the session in effect, its user id when known), for the id an out-of-credits link binds."""
        sid = self._in_effect or env("NEMO_SESSION") or self._profile().session.get("id")
        if not sid:
            return None, None
        try:
            return sid, self.facts(sid).get("user_id")
        except ConfigError:
            return sid, None  # a malformed sessions table: the error being reported matters more


def _id_text(value: Any) -> str | None:
    """An id from the store as text: a hand-edited number is the same id; anything else is no id."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value) or None
