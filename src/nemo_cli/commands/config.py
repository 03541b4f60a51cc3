"""`nemo config`: read and change settings stored in the profile."""

from __future__ import annotations

from typing import Annotated

import typer

from nemo_cli.commands import common

Key = Annotated[str, typer.Argument(metavar="KEY", help="A setting name (`nemo config list` shows them all).")]


def get(key: Key, json: common.Json = False, quiet: common.Quiet = False) -> None:
    """Print a setting's value in effect (flag > environment > config > default)."""
    ctx = common.use(json=json, quiet=quiet)
    value = ctx.settings.get(key)
    ctx.out.result({"key": key, "value": value, "origin": ctx.settings.origin(key)}, str(value), quiet=str(value))


def set_(
    key: Key,
    value: Annotated[str, typer.Argument(metavar="VALUE")],
    json: common.Json = False,
    quiet: common.Quiet = False,
) -> None:
    """Store a setting in the profile."""
    from nemo_cli.settings import lookup, parse_value

    ctx = common.use(json=json, quiet=quiet)
    setting = lookup(key)
    parsed = parse_value(setting, value, "value")
    with ctx.store.edit() as prof:
        prof.set_setting(key, parsed)
    if ctx.settings.origin(key) == "env":
        ctx.out.warn(f"{setting.env} is set and wins over the stored value")
    ctx.out.result({"key": key, "value": parsed}, f"{key} = {parsed}")


def unset(key: Key, json: common.Json = False, quiet: common.Quiet = False) -> None:
    """Remove a stored setting (its default applies again)."""
    from nemo_cli.settings import lookup

    ctx = common.use(json=json, quiet=quiet)
    lookup(key)
    with ctx.store.edit() as prof:
        removed = prof.unset_setting(key)
    ctx.out.result({"key": key, "removed": removed}, f"{key} unset" if removed else f"{key} was not set")


def list_(json: common.Json = False, quiet: common.Quiet = False) -> None:
    """List every setting with its value in effect and where it comes from."""
    from nemo_cli.settings import SETTINGS

    ctx = common.use(json=json, quiet=quiet)
    rows = [
        {"key": k, "value": ctx.settings.get(k), "origin": ctx.settings.origin(k), "env": s.env, "help": s.help}
        for k, s in SETTINGS.items()
    ]
    width = max(len(r["key"]) for r in rows)
    lines = [f"{r['key']:{width}}  {r['value']!s:32}  ({r['origin']})  {r['help']}" for r in rows]
    ctx.out.result(rows, lines, quiet=[r["key"] for r in rows])


def path(json: common.Json = False) -> None:
    """Print the path of the store file."""
    ctx = common.use(json=json)
    ctx.out.result({"path": str(ctx.store.path)}, str(ctx.store.path), quiet=str(ctx.store.path))


def register(app: typer.Typer) -> None:
    sub = common.new_app(name="config", help="Settings: get, set, unset, list, path.", no_args_is_help=True)
    sub.command("get")(get)
    sub.command("set")(set_)
    sub.command("unset")(unset)
    sub.command("list")(list_)
    sub.command("path")(path)
    app.add_typer(sub, name="config")
