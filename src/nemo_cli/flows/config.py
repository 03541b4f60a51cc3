"""Settings stored in the profile: read one (flag > environment > config > default), store, remove, list.

    get(ctx, key) -> Value            Value(key, value, origin, env, help): origin "flag" | "env" | "config" | "default"
    set_(ctx, key, text) -> Stored    the text parsed as the setting's kind, then stored; Stored(key, value,
                                      overridden_by: the environment variable that wins over it, if set)
    unset(ctx, key) -> bool           whether there was a stored value to remove
    listing(ctx) -> list[Value]       every setting
    setting(key)                      the setting named, or UsageError suggesting the nearest name

An unknown name or a value of the wrong kind is a UsageError, and nothing is stored.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from nemo_cli.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from nemo_cli.context import Context


@dataclass(frozen=True)
class Value:
    key: str
    value: Any
    origin: str
    env: str  # the environment variable that sets it
    help: str

    def public(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Stored:
    key: str
    value: Any
    overridden_by: str | None  # the environment variable that is set and wins over the stored value


def setting(key: str) -> Any:
    import difflib

    from nemo_cli.settings import SETTINGS

    if key in SETTINGS:
        return SETTINGS[key]
    near = difflib.get_close_matches(key, list(SETTINGS), n=1, cutoff=0.6)
    near = near or [k for k in SETTINGS if k.split(".")[-1] == key.split(".")[-1]][:1]
    raise UsageError(
        f"unknown setting {key!r}" + (f"; did you mean {near[0]!r}?" if near else ""),
        hint="`nemo config list` shows every setting",
    )


def get(ctx: "Context", key: str) -> Value:
    found = setting(key)
    return Value(key, ctx.settings.get(key), ctx.settings.origin(key), found.env, found.help)


def set_(ctx: "Context", key: str, text: str) -> Stored:
    from nemo_cli.settings import parse_value

    found = setting(key)
    try:
        parsed = parse_value(found, text, "VALUE")
    except ConfigError as exc:  # the value typed here, not a broken store: a usage error
        raise UsageError(exc.message.removeprefix("VALUE: "), hint="`nemo config list` shows each setting with its current value") from None
    with ctx.store.edit() as prof:
        prof.set_setting(key, parsed)
    return Stored(key, parsed, found.env if ctx.settings.origin(key) == "env" else None)


def unset(ctx: "Context", key: str) -> bool:
    setting(key)
    with ctx.store.edit() as prof:
        return bool(prof.unset_setting(key))


def listing(ctx: "Context") -> list[Value]:
    from nemo_cli.settings import SETTINGS

    return [Value(k, ctx.settings.get(k), ctx.settings.origin(k), s.env, s.help) for k, s in SETTINGS.items()]
