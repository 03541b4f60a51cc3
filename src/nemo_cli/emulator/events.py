"""The `/run_sse` wire format: a `Turn` as Server-Sent-Events frames, in either documented flavour.

Pure: each function returns bytes and does no I/O. Every element `encode` returns is one whole frame
(`data: <json>\n\n`), so the server can pause between frames or drop the stream after N of them.

- "adk": Agent Development Kit events exactly as its API server serialises them (see
  shared/fixtures/sse/adk-*.sse): compact camelCase JSON, keys in the framework's field order (content,
  partial, turnComplete, errorCode, errorMessage, invocationId, author, actions, nodeInfo, id, timestamp),
  unset fields left out. A turn is one event with the function calls, one with the function responses,
  then the text as `partial: true` chunks and a closing non-partial event repeating the whole text;
  `turnComplete` marks the last event.
- "typed": `{"type": "tool_call" | "tool_result" | "text" | "heartbeat" | "error", …}` (shared/fixtures/
  sse/typed-events.sse).

A turn that asks a question (`Turn.question`) is the agent's `ask_question` call and nothing after it: in
ADK one event whose `longRunningToolIds` (after `actions`, where ADK's Event declares it) lists the call's
id, with no function response and no `turnComplete` (the run pauses; the stream then simply closes); typed,
a `tool_call` named `ask_question` with the same arguments and no `tool_result`.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nemo_cli.emulator.agent import Turn

FLAVORS = ("adk", "typed")

# Keep-alives in rotation. The empty `data:` is written the way the recordings have it (no trailing
# space); the spaced form is equally legal SSE and is sent too, so a client is tested against both.
_KEEPALIVES = {
    "adk": (b": ping\n\n", b"data:\n\n", b": ping\n\n", b"data: \n\n"),
    "typed": (b'data: {"type": "heartbeat"}\n\n', b"data:\n\n", b": ping\n\n", b"data: \n\n"),
}


def _check(flavor: str) -> None:
    if flavor not in FLAVORS:
        raise ValueError(f"unknown SSE flavour {flavor!r} (expected one of {', '.join(FLAVORS)})")


def _frame(obj: dict[str, Any], flavor: str) -> bytes:
    # ADK (pydantic) writes compact JSON and raw UTF-8; the typed recordings use json.dumps' spacing.
    separators = (",", ":") if flavor == "adk" else (", ", ": ")
    return b"data: " + json.dumps(obj, separators=separators, ensure_ascii=False).encode() + b"\n\n"


def _actions() -> dict[str, Any]:
    return {"stateDelta": {}, "artifactDelta": {}, "requestedAuthConfigs": {}, "requestedToolConfirmations": {}}


QUESTION_TOOL = "ask_question"


def _adk_event(parts: list[dict[str, Any]] | None, *, invocation_id: str, author: str, event_id: str,
               timestamp: float, partial: bool | None = None, turn_complete: bool = False,
               error: tuple[str, str] | None = None, long_running: list[str] | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {}
    if parts is not None:
        event["content"] = {"parts": parts, "role": "model"}
    if partial is not None:
        event["partial"] = partial
    if turn_complete:
        event["turnComplete"] = True
    if error is not None:
        event["errorCode"], event["errorMessage"] = error
    event.update({"invocationId": invocation_id, "author": author, "actions": _actions()})
    if long_running:
        event["longRunningToolIds"] = long_running
    event.update({"nodeInfo": {"path": ""}, "id": event_id, "timestamp": timestamp})
    return event


def _ids(invocation_id: str, kind: str, n: int) -> str:
    """Stable, unique-per-invocation ids (the same turn encodes to the same ids, which tests can rely on)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"nemo-emulator/{invocation_id}/{kind}/{n}"))


def encode(turn: Turn, flavor: str, *, invocation_id: str, author: str = "nemo_agent",
           now: float | None = None) -> list[bytes]:
    """The frames of one turn, in order. `now` fixes the first event's timestamp (default: the clock)."""
    _check(flavor)
    if turn.question is not None:
        return [_ask(turn.question, flavor, invocation_id=invocation_id, author=author, now=now)]
    text = "".join(turn.chunks)
    if flavor == "typed":
        frames = []
        for step in turn.tools:
            frames.append(_frame({"type": "tool_call", "name": step.name, "args": step.args}, flavor))
            frames.append(_frame({"type": "tool_result", "name": step.name, "result": step.result}, flavor))
        frames += [_frame({"type": "text", "content": chunk}, flavor) for chunk in turn.chunks if chunk]
        return frames

    specs: list[tuple[list[dict[str, Any]], bool | None]] = []  # (parts, partial) of each event
    if turn.tools:
        call_ids = ["call_" + _ids(invocation_id, "call", i).replace("-", "")[:8] for i in range(len(turn.tools))]
        specs.append(([{"functionCall": {"id": cid, "args": s.args, "name": s.name}}
                       for cid, s in zip(call_ids, turn.tools)], None))
        specs.append(([{"functionResponse": {"id": cid, "name": s.name, "response": s.result}}
                       for cid, s in zip(call_ids, turn.tools)], None))
    if text:
        specs += [([{"text": chunk}], True) for chunk in turn.chunks if chunk]
        specs.append(([{"text": text}], False))
    start = time.time() if now is None else now
    return [_frame(_adk_event(parts, invocation_id=invocation_id, author=author, event_id=_ids(invocation_id, "event", i),
                              timestamp=round(start + 0.01 * i, 6), partial=partial,
                              turn_complete=i == len(specs) - 1), flavor)
            for i, (parts, partial) in enumerate(specs)]


def _ask(args: dict[str, Any], flavor: str, *, invocation_id: str, author: str, now: float | None) -> bytes:
    """The one frame of a question turn: the long-running ask_question call, left unanswered."""
    if flavor == "typed":
        return _frame({"type": "tool_call", "name": QUESTION_TOOL, "args": args}, flavor)
    call_id = "call_" + _ids(invocation_id, "call", 0).replace("-", "")[:8]
    return _frame(_adk_event([{"functionCall": {"id": call_id, "args": args, "name": QUESTION_TOOL}}],
                             invocation_id=invocation_id, author=author, event_id=_ids(invocation_id, "event", 0),
                             timestamp=round(time.time() if now is None else now, 6), long_running=[call_id]), flavor)


def error(flavor: str, code: int | str, message: str, *, invocation_id: str | None = None,
          author: str = "nemo_agent", now: float | None = None) -> bytes:
    """One frame reporting a failure mid-stream (e.g. 2001, out of credits).

    ADK types `errorCode` as a string (model error codes such as "SAFETY"), so the code travels as "2001";
    the typed flavour carries the number as given."""
    _check(flavor)
    if flavor == "typed":
        return _frame({"type": "error", "code": code, "message": message}, flavor)
    invocation = invocation_id or f"e-{uuid.uuid4()}"
    return _frame(_adk_event(None, invocation_id=invocation, author=author, event_id=_ids(invocation, "error", 0),
                             timestamp=round(time.time() if now is None else now, 6), turn_complete=True,
                             error=(str(code), message)), flavor)


def keepalive(flavor: str, n: int) -> bytes:
    """The n-th keep-alive of a stream (they rotate through the forms the contract lists)."""
    _check(flavor)
    forms = _KEEPALIVES[flavor]
    return forms[n % len(forms)]
