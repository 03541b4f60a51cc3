"""Editing sessions: start one, list and adopt them, the browser link, the timeline.

    new(ctx, *, name=None, language=None, activate=True) -> NewSession
        a session on the service, recorded in the store (and made the active one when activate);
        NewSession(session_id, task_id, name, language, created, active)
    listing(ctx) -> list[Known]          the sessions the store knows, the active one first marked
    show(ctx, session_id) -> Known       what the store knows of one (Known(session_id, active, facts))
    use(ctx, session_id) -> str          make any session id the active one (adopting one made elsewhere)
    link(ctx, session_id) -> Link        Link(session_id, url, expires): a browser link carrying a claim
                                         token, never the API token; expires in seconds, when said
    state(ctx, session_id) -> State      State(session_id, state, draft, lines, line, ready_for_export)
    require_ready(state)                 BadInput when the draft cannot be exported yet

Session resolution (--session > NEMO_SESSION > the active one) is the caller's: `ctx.sessions.resolve`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nemo_cli.errors import BadInput, UsageError

if TYPE_CHECKING:
    from nemo_cli.context import Context


@dataclass(frozen=True)
class NewSession:
    session_id: str
    task_id: str | None
    name: str
    language: str
    created: str  # ISO 8601, UTC
    active: bool

    def public(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "task_id": self.task_id, "name": self.name,
                "language": self.language, "created": self.created}


@dataclass(frozen=True)
class Known:
    """A session as the store records it: its facts are what the store holds (task_id, name, created…)."""

    session_id: str
    active: bool
    facts: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "active": self.active, **self.facts}


@dataclass(frozen=True)
class Link:
    session_id: str
    url: str
    expires: float | None  # seconds the claim token lasts, when the service said

    def public(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "url": self.url, "expires_in": self.expires}


@dataclass(frozen=True)
class State:
    session_id: str
    state: dict[str, Any]  # the whole state, as the service sent it
    draft: dict[str, Any]  # the timeline (input for an export)
    lines: list[str]  # the timeline summed up, one line per track, span, title…
    line: str  # all of it in one line
    ready_for_export: bool


def new(ctx: "Context", *, name: str | None = None, language: str | None = None, activate: bool = True) -> NewSession:
    from nemo_cli.credentials import now_iso

    created = now_iso()
    task_name = name or f"nemo-cli {created[:16].replace('T', ' ')}"
    lang = language or ctx.settings.language
    made = ctx.client.new_session(task_name, lang)
    with ctx.store.edit() as prof:
        prof.add_session(made.session_id, made.task_id, task_name, created, made.user_id)
        if activate:
            prof.use_session(made.session_id)
    return NewSession(made.session_id, made.task_id, task_name, lang, created, activate)


def listing(ctx: "Context") -> list[Known]:
    prof = ctx.profile()
    active = prof.session.get("id")
    rows = [Known(sid, sid == active, {**info}) for sid, info in prof.sessions.items()]
    if active and active not in prof.sessions:
        rows.append(Known(active, True))
    return rows


def show(ctx: "Context", session_id: str) -> Known:
    prof = ctx.profile()
    return Known(session_id, session_id == prof.session.get("id"), {**prof.sessions.get(session_id, {})})


def use(ctx: "Context", session_id: str) -> str:
    """Any id the service may know, also one made elsewhere: its task id is learned from its state when needed."""
    if not session_id.strip() or any(ch.isspace() for ch in session_id):
        raise UsageError(f"not a session id: {session_id!r}")
    with ctx.store.edit() as prof:
        if session_id not in prof.sessions:
            prof.add_session(session_id, None, None, None)
        prof.use_session(session_id)
    return session_id


def link(ctx: "Context", session_id: str) -> Link:
    from nemo_cli.credentials import browser_link

    known = ctx.sessions.facts(session_id)  # a malformed sessions table is refused before the service is asked
    url, expires = browser_link(ctx.client, known, session_id, ctx.web_url())
    return Link(session_id, url, expires)


def state(ctx: "Context", session_id: str) -> State:
    from nemo_cli import draft as timeline

    current = ctx.client.state(session_id)
    return State(session_id, current.state, current.draft, timeline.summary_lines(current.state),
                 timeline.one_line(current.state), timeline.is_ready(current.draft))


def require_ready(current: State) -> None:
    if not current.ready_for_export:
        raise BadInput("the draft is not ready for export (no track has segments)", hint="upload or generate first")
