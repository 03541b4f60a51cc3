"""`nemo doctor`: check the setup, the network path and the credentials, one line per check."""

from __future__ import annotations

import typer

from nemo_cli.commands import common


def doctor(json: common.Json = False, quiet: common.Quiet = False) -> None:
    """Check what nemo needs, one line each (ok, warn or fail): the store, the settings, the proxy, TLS,
    the API, the token, the active session, the clock and the emulator extra.

    Reads only: it never gets or renews a token and never writes the store; it asks the service for the
    credits and the session's state, once each, without retries. Exits with the first failed check's exit
    code (12 for a configuration problem, 9 for the network, 3 for a rejected token, 4 for an unknown
    session), 0 when nothing failed; warnings do not change it. `-q` prints the worst status only.

    \b
    Examples:
      $ nemo doctor
      $ nemo doctor -q
      $ nemo doctor --json | grep '"status"'
    """
    from nemo_cli.flows import doctor as flow

    ctx = common.use(json=json, quiet=quiet)
    report = flow.examine(ctx)
    width = max(len(c.name) for c in report.checks)
    lines = [f"{c.status:<4}  {c.name:<{width}}  {c.detail}" for c in report.checks]
    ctx.out.result(report.public(), lines, quiet=report.status)
    if report.error is not None:
        raise report.error


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
