"""`nemo config`: read and change settings stored in the profile."""

from __future__ import annotations

from typing import Annotated

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
    from nemo_cli.flows import config as flow

    ctx = common.use(json=json, quiet=quiet)
    found = flow.get(ctx, key)
    ctx.out.result({"key": key, "value": found.value, "origin": found.origin}, str(found.value), quiet=str(found.value))


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
    from nemo_cli.flows import config as flow

    ctx = common.use(json=json, quiet=quiet)
    stored = flow.set_(ctx, key, value)
    if stored.overridden_by:
        ctx.out.warn(f"{stored.overridden_by} is set and wins over the stored value")
    ctx.out.result({"key": key, "value": stored.value}, f"{key} = {stored.value}")


def unset(key: Key, json: common.Json = False, json_fields: JsonFields = None, jq: Jq = None, quiet: common.Quiet = False) -> None:
    """Remove a stored setting (its default applies again).

    \b
    Examples:
      $ nemo config unset export.timeout
    """
    from nemo_cli.flows import config as flow

    ctx = common.use(json=json, quiet=quiet)
    removed = flow.unset(ctx, key)
    ctx.out.result({"key": key, "removed": removed}, f"{key} unset" if removed else f"{key} was not set")


def list_(json: common.Json = False, json_fields: JsonFields = None, jq: Jq = None, quiet: common.Quiet = False) -> None:
    """List every setting with its value in effect and where it comes from.

    \b
    Examples:
      $ nemo config list
      $ nemo config list --jq '.[] | select(.origin != "default") | .key'
    """
    from nemo_cli.flows import config as flow

    ctx = common.use(json=json, quiet=quiet)
    rows = [found.public() for found in flow.listing(ctx)]
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
