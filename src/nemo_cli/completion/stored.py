"""Completion values that live in the store: session ids, render ids, profile names.

The completion scripts (generated from the command tree into completions/, printed by `nemo completion
SHELL`) know every command and option by heart and call `nemo __complete KIND` only for these. This reads
the store and nothing else — never the network — and a missing or broken store means no candidates,
never an error on the user's prompt.
"""

from __future__ import annotations

from typing import Any

KINDS = ("sessions", "renders", "profiles")


def candidates(kind: str, profile: str) -> list[tuple[str, str]]:
    """(value, description) pairs, the most useful first: the active session, then the newest."""
    from nemo_cli.errors import NemoError
    from nemo_cli.store import Store

    store = Store(profile=profile)
    try:
        if kind == "profiles":
            return [(name, "") for name in sorted(store.load().get("profiles", {}))]
        prof = store.profile()
        if kind == "sessions":
            active = prof.session.get("id")
            rows = dict(prof.sessions)
            if active and active not in rows:
                rows[active] = {}
            found = [(sid, _describe(info.get("name"), "active" if sid == active else "")) for sid, info in _newest(rows)]
            return sorted(found, key=lambda item: item[0] != active)
        if kind == "renders":
            return [(rid, _describe(info.get("status"), info.get("session"))) for rid, info in _newest(prof.renders)]
    except NemoError:
        return []
    return []


def lines(kind: str, profile: str) -> str:
    """What `nemo __complete KIND` prints: one `value<TAB>description` line per candidate (fish shows an
    option's own help for a value without one, so there always is one)."""
    return "".join(
        f"{value}\t{desc or kind.rstrip('s')}\n"
        for value, desc in candidates(kind, profile)
        if value and not any(ch in value for ch in "\t\n\r ")
    )


def _newest(rows: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return sorted(rows.items(), key=lambda item: str(item[1].get("created") or ""), reverse=True)


def _describe(*parts: Any) -> str:
    return ", ".join(" ".join(str(p).split()) for p in parts if p)
