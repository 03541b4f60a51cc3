"""`nemo auth`: make sure there is a token; log in, show, print, log out."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from nemo_cli.commands import common
from nemo_cli.commands.json_options import Jq, JsonFields


def _status(ctx: Any, *, with_credits: bool = True) -> dict[str, Any]:
    from nemo_cli.errors import AuthError, mask
    from nemo_cli.settings import env

    token, kind = ctx.credentials.token()
    if not token:
        raise AuthError("not logged in")
    stored = ctx.profile().token if not env("NEMO_TOKEN") else {}
    doc: dict[str, Any] = {
        "logged_in": True,
        "kind": kind,
        "source": "env" if env("NEMO_TOKEN") else "store",
        "token": mask(token),
        "expires_at": stored.get("expires_at"),
        "user_id": stored.get("user_id"),
        "api_url": ctx.settings.api_url,
    }
    if with_credits:
        doc["credits"] = ctx.client.credits().public()
    return doc


def _show(ctx: Any, doc: dict[str, Any]) -> None:
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
    ctx = common.use(json=json, quiet=quiet)
    granted = None
    grant = ctx.credentials.ensure()  # the grant, when an anonymous token was acquired
    if grant is not None:
        granted = {"credits": grant.credits, "expires_at": grant.expires_at}
        ctx.out.info(_acquired(granted))
    doc = _status(ctx)
    if granted is not None:
        doc["granted"] = granted
    _show(ctx, doc)


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
    if not token or any(ch.isspace() for ch in token):
        raise UsageError("that is not a token (empty, or it contains spaces)")
    balance = ctx.client_for(token).credits().public()  # raises AuthError if the service refuses it
    with ctx.store.edit() as prof:
        prof.set_token(token, "user")
    ctx.out.info(f"Logged in; {balance['available']} credits available.")
    _show(ctx, {**_status(ctx, with_credits=False), "credits": balance})


def status(json: common.Json = False, json_fields: JsonFields = None, jq: Jq = None, quiet: common.Quiet = False) -> None:
    """Show the token in effect (masked), its kind and expiry, and the credits. Exit 3 when not logged in.

    \b
    Examples:
      $ nemo auth status
      $ nemo auth status -q
    """
    ctx = common.use(json=json, quiet=quiet)
    _show(ctx, _status(ctx))


def token() -> None:
    """Print the raw token in effect (NEMO_TOKEN or the stored one). The only command that shows it.

    \b
    Examples:
      $ NEMO_TOKEN=$(nemo auth token) nemo credits
    """
    from nemo_cli.errors import AuthError

    ctx = common.use()
    value, _ = ctx.credentials.token()
    if not value:
        raise AuthError("not logged in")
    ctx.out.value(value)


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
    from nemo_cli.credentials import expired
    from nemo_cli.errors import UsageError
    from nemo_cli.settings import env

    ctx = common.use(json=json, quiet=quiet)
    with ctx.store.edit() as prof:
        stored = prof.token
        until = stored.get("expires_at") if isinstance(stored.get("expires_at"), str) else None
        anonymous = stored.get("kind") == "anonymous" and not expired(until)
        when = f"until {until}" if until else "for the rest of the week it was issued in"
        if anonymous and not force:  # raised inside edit(): nothing is written
            raise UsageError(
                "not discarding the anonymous token: the service gives one anonymous token per client id per "
                f"week, so no new one could be had {when}, and this one's credits and sessions would be out of reach",
                hint="keep it (`nemo auth login` replaces it with your registered token), "
                "or discard it anyway with `nemo auth logout --force`",
            )
        prof.clear_token()
    if anonymous:
        ctx.out.warn(
            f"discarded an anonymous token: the service gives no new one to this client id {when}; "
            "log in with a registered token meanwhile (`nemo auth login`)"
        )
    if env("NEMO_TOKEN"):
        ctx.out.warn("NEMO_TOKEN is still set in the environment and stays in effect")
    had = bool(stored)
    ctx.out.result({"logged_out": had}, "Logged out." if had else "No stored token.")


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
