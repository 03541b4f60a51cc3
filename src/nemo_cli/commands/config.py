"""`nemo config`: read and change settings stored in the profile."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from nemo_cli.commands import common
from nemo_cli.commands.json_options import Jq, JsonFields

Key = Annotated[str, typer.Argument(metavar="KEY", help="A setting name (`nemo config list` shows them all).")]


def get(key: Key, json: common.Json = False, json_fields: JsonFields = None, jq: Jq = None, quiet: common.Quiet = False) -> None:
    """Print a setting's value in effect (flag > environment > config > default).

    \b
    Examples:
      $ nemo config get api_url
      $ nemo config get export.timeout --json
    """
    ctx = common.use(json=json, quiet=quiet)
    _setting(key)
    value = ctx.settings.get(key)
    ctx.out.result({"key": key, "value": value, "origin": ctx.settings.origin(key)}, str(value), quiet=str(value))


def set_(
    key: Key,
    value: Annotated[str, typer.Argument(metavar="VALUE")],
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Store a setting in the profile. An unknown name or a value of the wrong kind is exit 2, and nothing
    is stored.

    \b
    Examples:
      $ nemo config set export.timeout 3600
      $ nemo config set language zh-CN
    """
    from nemo_cli.errors import ConfigError, UsageError
    from nemo_cli.settings import parse_value

    ctx = common.use(json=json, quiet=quiet)
    setting = _setting(key)
    try:
        parsed = parse_value(setting, value, "VALUE")
    except ConfigError as exc:  # the value typed here, not a broken store: a usage error
        raise UsageError(exc.message.removeprefix("VALUE: "), hint="`nemo config list` shows each setting with its current value") from None
    with ctx.store.edit() as prof:
        prof.set_setting(key, parsed)
    if ctx.settings.origin(key) == "env":
        ctx.out.warn(f"{setting.env} is set and wins over the stored value")
    ctx.out.result({"key": key, "value": parsed}, f"{key} = {parsed}")


def unset(key: Key, json: common.Json = False, json_fields: JsonFields = None, jq: Jq = None, quiet: common.Quiet = False) -> None:
    """Remove a stored setting (its default applies again).

    \b
    Examples:
      $ nemo config unset export.timeout
    """
    ctx = common.use(json=json, quiet=quiet)
    _setting(key)
    with ctx.store.edit() as prof:
        removed = prof.unset_setting(key)
    ctx.out.result({"key": key, "removed": removed}, f"{key} unset" if removed else f"{key} was not set")


def list_(json: common.Json = False, json_fields: JsonFields = None, jq: Jq = None, quiet: common.Quiet = False) -> None:
    """List every setting with its value in effect and where it comes from.

    \b
    Examples:
      $ nemo config list
      $ nemo config list --jq '.[] | select(.origin != "default") | .key'
    """
    from nemo_cli.settings import SETTINGS

    ctx = common.use(json=json, quiet=quiet)
    rows = [
        {"key": k, "value": ctx.settings.get(k), "origin": ctx.settings.origin(k), "env": s.env, "help": s.help}
        for k, s in SETTINGS.items()
    ]
    width = max(len(r["key"]) for r in rows)
    lines = [f"{r['key']:{width}}  {r['value']!s:32}  ({r['origin']})  {r['help']}" for r in rows]
    ctx.out.result(rows, lines, quiet=[r["key"] for r in rows])


def path(json: common.Json = False, json_fields: JsonFields = None, jq: Jq = None) -> None:
    """Print the path of the store file.

    \b
    Examples:
      $ nemo config path
      $ ls -l "$(nemo config path)"
    """
    ctx = common.use(json=json)
    ctx.out.result({"path": str(ctx.store.path)}, str(ctx.store.path), quiet=str(ctx.store.path))


def _setting(key: str) -> Any:
    """The setting named on the command line; an unknown name is a usage error that suggests the nearest."""
    import difflib

    from nemo_cli.errors import UsageError
    from nemo_cli.settings import SETTINGS

    if key in SETTINGS:
        return SETTINGS[key]
    near = difflib.get_close_matches(key, list(SETTINGS), n=1, cutoff=0.6)
    near = near or [k for k in SETTINGS if k.split(".")[-1] == key.split(".")[-1]][:1]
    raise UsageError(
        f"unknown setting {key!r}" + (f"; did you mean {near[0]!r}?" if near else ""),
        hint="`nemo config list` shows every setting",
    )


def register(app: typer.Typer) -> None:
    sub = common.new_app(
        name="config",
        help=(
            "Settings: get, set, unset, list, path.\n\n"
            "\b\nExamples:\n  $ nemo config set export.timeout 3600\n  $ nemo config list\n"
        ),
        no_args_is_help=True,
    )
    sub.command("get")(get)
    sub.command("set")(set_)
    sub.command("unset")(unset)
    sub.command("list")(list_)
    sub.command("path")(path)
    app.add_typer(sub, name="config")
