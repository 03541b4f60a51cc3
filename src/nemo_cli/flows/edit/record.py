"""Turns kept in the store, for a front end that answers "how did that message go?" later, maybe from
another process (MCP's edit_status): a turn id of the caller's, what the turn was (session, idempotency
key), and how it ended. The service names no turn, so the caller issues the ids; a message is sent once per
turn id, and a key already recorded names the turn that carried it (nothing is sent again).

    remember(ctx, turn_id, **fields)     add or update a turn's record (None drops a field)
    recall(ctx, turn_id) -> dict         the record ({} when unknown)
    by_key(ctx, key) -> str | None       the turn that carried an idempotency key

The table keeps the last KEEP turns (oldest dropped first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nemo_cli.errors import ConfigError

if TYPE_CHECKING:
    from nemo_cli.context import Context

TABLE = "turns"
KEEP = 200


def remember(ctx: "Context", turn_id: str, **fields: Any) -> None:
    with ctx.store.edit() as prof:
        table = _table(prof.data, ctx)
        prof.data[TABLE] = table
        entry = table.pop(turn_id, None)
        entry = entry if isinstance(entry, dict) else {}
        entry.update(fields)
        table[turn_id] = {k: v for k, v in entry.items() if v is not None}  # TOML has no null
        for old in list(table)[: max(0, len(table) - KEEP)]:
            del table[old]


def recall(ctx: "Context", turn_id: str) -> dict[str, Any]:
    entry = _table(ctx.profile().data, ctx).get(turn_id)
    return dict(entry) if isinstance(entry, dict) else {}


def by_key(ctx: "Context", key: str) -> str | None:
    for turn_id, entry in _table(ctx.profile().data, ctx).items():
        if isinstance(entry, dict) and entry.get("key") == key:
            return turn_id
    return None


def _table(data: dict[str, Any], ctx: "Context") -> dict[str, Any]:
    value = data.get(TABLE)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"the store {ctx.store.path}: [{TABLE}] of profile {ctx.profile_name!r} should be a table",
                          hint="fix it by hand, or remove that entry with a text editor")
    return value
