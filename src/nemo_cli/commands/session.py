"""`nemo session`: create, list, pick, show and open editing sessions."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from nemo_cli.commands import common
from nemo_cli.commands.json_options import Jq, JsonFields


def new(
    name: Annotated[Optional[str], typer.Option("--name", "-n", help="Task name (default: a dated one).")] = None,
    language: Annotated[
        Optional[str], typer.Option("--language", "-l", help="Language of the session (en, zh-CN, ja…; default: config `language`).")
    ] = None,
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Start a new session and make it the active one; -q prints its id.

    \b
    Examples:
      $ nemo session new --name "Product demo"
      $ sid=$(nemo session new -q) && nemo upload raw.mp4 --session "$sid"
      $ nemo session new --language zh-CN --json-fields session_id,language
    """
    from nemo_cli.flows import session as flow

    ctx = common.use(json=json, quiet=quiet)
    made = flow.new(ctx, name=name, language=language)
    ctx.out.result(made.public(), f"Created session {made.session_id} ({made.name}); it is now active.", quiet=made.session_id)


def list_(json: common.Json = False, json_fields: JsonFields = None, jq: Jq = None, quiet: common.Quiet = False) -> None:
    """List the sessions this profile knows, the active one marked with *.

    \b
    Examples:
      $ nemo session list
      $ nemo session list --jq '.[] | select(.active) | .session_id'
    """
    from nemo_cli.flows import session as flow

    ctx = common.use(json=json, quiet=quiet)
    rows = [known.public() for known in flow.listing(ctx)]
    # str(): a store edited by hand may hold any type here
    lines = [f"{'*' if r['active'] else ' '} {r['session_id']}  {str(r.get('created') or '')[:19]:19}  {r.get('name') or ''}" for r in rows]
    ctx.out.result(rows, lines or ["No sessions yet: `nemo session new` starts one."], quiet=[r["session_id"] for r in rows])


def use(
    session_id: Annotated[str, typer.Argument(metavar="ID", help="A session id (see `nemo session list`).")],
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Make a session the active one (any id the service knows, also one made elsewhere).

    \b
    Examples:
      $ nemo session use "$(nemo session list -q | head -n 1)"
    """
    from nemo_cli.flows import session as flow

    ctx = common.use(json=json, quiet=quiet)
    flow.use(ctx, session_id)
    ctx.out.result({"session_id": session_id, "active": True}, f"Session {session_id} is now active.", quiet=session_id)


def show(session: common.SessionOpt = None, json: common.Json = False, json_fields: JsonFields = None, jq: Jq = None, quiet: common.Quiet = False) -> None:
    """Show the session in effect (--session, NEMO_SESSION, or the active one).

    \b
    Examples:
      $ nemo session show
      $ nemo session show -q
    """
    from nemo_cli.flows import session as flow

    ctx = common.use(json=json, quiet=quiet)
    sid = ctx.sessions.resolve(session)
    doc = flow.show(ctx, sid).public()
    lines = [f"session: {sid}" + (" (active)" if doc["active"] else "")]
    lines += [f"{k}: {doc[k]}" for k in ("task_id", "name", "created") if doc.get(k)]
    ctx.out.result(doc, lines, quiet=sid)


def open_(
    session: common.SessionOpt = None,
    browser: Annotated[bool, typer.Option("--browser", "-b", help="Also open the link in a web browser.")] = False,
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Print a browser link to the session's project (a claim token, never your API token).

    \b
    Examples:
      $ nemo session open
      $ nemo session open --json-fields url,expires_in
    """
    from nemo_cli.flows import session as flow

    ctx = common.use(json=json, quiet=quiet)
    link = flow.link(ctx, ctx.sessions.resolve(session))
    if browser:
        import webbrowser

        if not webbrowser.open(link.url):
            ctx.out.warn("could not open a browser; copy the link instead")
    ctx.out.result(link.public(), link.url, quiet=link.url)


def register(app: typer.Typer) -> None:
    sub = common.new_app(
        name="session",
        help=(
            "Editing sessions: new, list, use, show, open.\n\n"
            "\b\nExamples:\n  $ nemo session new --name \"Product demo\"\n  $ nemo session list\n"
        ),
        no_args_is_help=True,
    )
    sub.command("new")(new)
    sub.command("list")(list_)
    sub.command("use")(use)
    sub.command("show")(show)
    sub.command("open")(open_)
    app.add_typer(sub, name="session")
