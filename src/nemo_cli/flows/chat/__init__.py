"""`nemo chat` as a flow: a line of free text → the verbs that carry it out, with their values.

    plan(line, *, session=None, answers=(), expect_change=False, answer=False, …) -> Turn
        the route the line took (routing.route, the service's table) and its steps: Upload, Edit, State,
        Export, Credits (NewSession first when a step needs a session and none is in effect); each
        step's argv() is the one-shot command it stands for
    session_in_effect(ctx, override) -> str | None
        the session the next step acts on (--session, NEMO_SESSION, the active one), or None

The steps are carried out by calling the flows they name (flows.session, flows.upload, flows.edit,
flows.render, flows.account) in-process; reading lines, the prompt, its history and what the terminal
shows are the command's (commands/chat.py, commands/chat_view.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nemo_cli.flows.chat.routing import Route, route
from nemo_cli.flows.chat.turns import Credits, Edit, Export, NewSession, State, Step, Turn, Upload, argv, plan

if TYPE_CHECKING:
    from nemo_cli.context import Context

__all__ = ["Credits", "Edit", "Export", "NewSession", "Route", "State", "Step", "Turn", "Upload", "argv", "plan",
           "route", "session_in_effect"]


def session_in_effect(ctx: "Context", override: str | None = None) -> str | None:
    """The session a step acts on (--session, NEMO_SESSION, the active one), if there is one."""
    from nemo_cli.errors import SessionNotFound

    try:
        return ctx.sessions.resolve(override)
    except SessionNotFound:
        return None
