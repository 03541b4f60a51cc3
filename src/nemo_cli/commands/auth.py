"""`nemo auth`: make sure there is a token; log in, show, print, log out."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from nemo_cli.commands import common
from nemo_cli.commands.json_options import Jq, JsonFields


def _show(ctx: Any, doc: dict[str, Any]) -> None:
    """The status of flows.auth as lines (and -q its kind)."""
    lines = [
        f"Logged in to {doc['api_url']} with a{'n' if doc['kind'] == 'anonymous' else ''} {doc['kind']} token"
        + (" (from NEMO_TOKEN)" if doc["source"] == "env" else ""),
        f"  token:   {doc['token']}",
    ]
    if doc.get("expires_at"):
        lines.append(f"  expires: {doc['expires_at']}")
    if doc.get("credits"):
        c = doc["credits"]
        lines.append(f"  credits: {c['available']} available, {c['frozen']} frozen")
    ctx.out.result(doc, lines, quiet=doc["kind"])


def auth(
    typer_ctx: typer.Context, json: common.Json = False, json_fields: JsonFields = None, jq: Jq = None, quiet: common.Quiet = False
) -> None:
    """Make sure there is a usable token, then show the status.

    With no token (and no NEMO_TOKEN), an anonymous one is acquired and stored, and nemo says what the
    service granted with it (its free credits and until when it is valid; a new anonymous user gets 100
    credits for 7 days); an expired anonymous token is renewed with the same client id. With --json the
    grant is under `granted`.

    \b
    Examples:
      $ nemo auth
      $ nemo auth --json-fields kind,expires_at
    """
    if typer_ctx.invoked_subcommand is not None:
        return
    from nemo_cli.flows import auth as flow
    from nemo_cli.flows.observe import Observer

    ctx = common.use(json=json, quiet=quiet)

    class Told(Observer):
        def event(self, kind: str, data: dict[str, Any]) -> None:
            if kind == "granted":  # said as soon as it is acquired, before the credits are asked for
                ctx.out.info(_acquired(data))

    _show(ctx, flow.ensure(ctx, Told()).public())


def _acquired(granted: dict[str, Any]) -> str:
    """What the service said it granted, and nothing it did not say."""
    said = []
    if granted.get("credits") is not None:
        said.append(f"{granted['credits']:g} free credits")
    if granted.get("expires_at"):
        said.append(f"valid until {granted['expires_at']}")
    return "Acquired an anonymous token" + (f" ({', '.join(said)})." if said else ".")


def login(
    with_token: Annotated[bool, typer.Option("--with-token", help="Read the token from standard input.")] = False,
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Log in with your own token (from the NemoVideo web app).

    The token is checked with a credits call before it is stored.

    \b
    Examples:
      $ nemo auth login --with-token < token.txt
      $ cat token.txt | nemo auth login --with-token -q
    """
    from nemo_cli.errors import UsageError
    from nemo_cli.flows import auth as flow

    ctx = common.use(json=json, quiet=quiet)
    if with_token:
        token = sys.stdin.read().strip()
    elif ctx.terminal.can_prompt:
        import getpass

        token = getpass.getpass("Paste your NemoVideo token: ", stream=sys.stderr).strip()
    else:
        raise UsageError(
            "no token given and no terminal to ask on", hint="pipe it in: `nemo auth login --with-token < token.txt`"
        )
    done = flow.login(ctx, token)  # checked with the service before it is stored
    ctx.out.info(f"Logged in; {(done.credits or {}).get('available')} credits available.")
    _show(ctx, done.public())


def status(json: common.Json = False, json_fields: JsonFields = None, jq: Jq = None, quiet: common.Quiet = False) -> None:
    """Show the token in effect (masked), its kind and expiry, and the credits. Exit 3 when not logged in.

    \b
    Examples:
      $ nemo auth status
      $ nemo auth status -q
    """
    from nemo_cli.flows import auth as flow

    ctx = common.use(json=json, quiet=quiet)
    _show(ctx, flow.status(ctx).public())


def token() -> None:
    """Print the raw token in effect (NEMO_TOKEN or the stored one). The only command that shows it.

    \b
    Examples:
      $ NEMO_TOKEN=$(nemo auth token) nemo credits
    """
    from nemo_cli.flows import auth as flow

    ctx = common.use()
    ctx.out.value(flow.token(ctx))


def logout(
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Also discard an anonymous token (the service gives one per client id per week).")
    ] = False,
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Forget the stored token (the client id is kept).

    A registered token is forgotten at once. An anonymous token that has not expired is kept unless
    --force is given: the service gives one anonymous token per client id per week, so once it is
    discarded `nemo auth` cannot get another until the week is over, and its credits and sessions are out
    of reach.

    \b
    Examples:
      $ nemo auth login --with-token < token.txt && nemo auth logout
      $ nemo auth logout --force
    """
    from nemo_cli.flows import auth as flow

    ctx = common.use(json=json, quiet=quiet)
    done = flow.logout(ctx, force=force)
    if done.discarded_anonymous:
        when = f"until {done.until}" if done.until else "for the rest of the week it was issued in"
        ctx.out.warn(
            f"discarded an anonymous token: the service gives no new one to this client id {when}; "
            "log in with a registered token meanwhile (`nemo auth login`)"
        )
    if done.env_token:
        ctx.out.warn("NEMO_TOKEN is still set in the environment and stays in effect")
    ctx.out.result({"logged_out": done.logged_out}, "Logged out." if done.logged_out else "No stored token.")


def register(app: typer.Typer) -> None:
    sub = common.new_app(
        name="auth",
        help=(
            "Tokens: acquire, log in, show, print, log out.\n\n"
            "With no subcommand: make sure there is a usable token, then show the status. With no token (and "
            "no NEMO_TOKEN) an anonymous one is acquired and stored, and nemo says what the service granted "
            "with it (its free credits and until when it is valid); --json has them under `granted`.\n\n"
            "\b\nExamples:\n  $ nemo auth\n  $ nemo auth --json-fields kind,expires_at\n"
            "  $ nemo auth login --with-token < token.txt\n"
        ),
    )
    sub.callback(invoke_without_command=True)(auth)
    sub.command("login")(login)
    sub.command("status")(status)
    sub.command("token")(token)
    sub.command("logout")(logout)
    app.add_typer(sub, name="auth")
