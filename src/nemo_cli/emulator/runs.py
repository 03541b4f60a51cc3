"""/run_sse: one message to the agent, answered as a Server-Sent-Events stream.

The run is a task of its own, apart from the stream that reports it: the cost is held as frozen credits
when the message is accepted, the agent "works" for `edit_seconds` (spread over its tool calls, keep-alives
on the stream meanwhile), the new draft is applied and the cost charged before the last tool result is
sent, then the text follows and the stream closes (there is no end event). A client that disconnects — or
a stream the `sse_drop` fault cuts — does not stop the run: it is applied and charged all the same, as
the service does, which is why a client must never send the message again.

The agent answers in the session's language, and may ask instead of editing (agent.respond): a question
turn streams its one long-running `ask_question` call and closes, costs nothing, and the session keeps the
question (Session.question) for its next message, which the agent reads as the answer when it is one.

Refused before the stream starts (HTTP status + API envelope, see replies.py): 1001 → 401, unknown
session 1002 → 404, out of credits 2001 → 402, a bad body → 400.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import TYPE_CHECKING, Any, AsyncIterator

from nemo_cli.emulator.replies import json_body
from nemo_cli.emulator.service import Abort, Service
from nemo_cli.emulator.world import Refused, Session

if TYPE_CHECKING:
    from nemo_cli.emulator.faults import Fault

_END = object()


class Runs:
    def __init__(self, svc: "Service") -> None:
        self.svc = svc

    async def run_sse(self, request: Any) -> Any:
        from starlette.responses import StreamingResponse

        from nemo_cli.emulator import agent, events

        world, opts = self.svc.world, self.svc.options
        token = world.authenticate(request.headers.get("authorization"), "write")
        payload = await json_body(request)
        text = _message_text(payload)
        sid = payload.get("session_id")
        if not isinstance(sid, (str, int)) or isinstance(sid, bool) or not str(sid):
            raise Refused("session_id is required", status=400)
        session = world.session(str(sid), token.user_id)
        lock = self.svc.run_locks.setdefault(session.id, asyncio.Lock())
        await lock.acquire()  # one run per session at a time: the next one starts from this one's draft
        try:
            silent = self.svc.chance() < opts.silent_rate
            turn = agent.respond(text, world.state(session), silent=silent, language=session.language,
                                 asked=session.question)
            world.hold(token.user_id, turn.cost)
        except BaseException:
            lock.release()
            raise
        invocation = f"e-{uuid.uuid4()}"
        frames = events.encode(turn, opts.sse_flavor, invocation_id=invocation)
        queue: asyncio.Queue = asyncio.Queue()
        task = asyncio.create_task(self._work(session, token.user_id, turn, frames, queue, lock))
        self.svc.tasks.add(task)
        task.add_done_callback(self.svc.tasks.discard)
        fault = request.scope.get("emu.fault")
        drop_after = int(fault.params.get("after", 1)) if fault is not None and fault.kind == "sse_drop" else None
        clean = drop_after is not None and str(fault.params.get("clean", 0)).lower() in ("1", "true", "yes")
        return StreamingResponse(
            self._stream(queue, drop_after, clean),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        )

    async def _work(self, session: Session, user_id: str, turn: Any, frames: list[bytes], queue: asyncio.Queue, lock: asyncio.Lock) -> None:
        world, opts = self.svc.world, self.svc.options
        results = [i for i, frame in enumerate(frames) if _is_tool_result(frame)]
        share = opts.edit_seconds / max(1, len(results))

        def apply() -> None:
            if turn.draft is not None:
                world.set_draft(session, turn.draft)
            world.set_question(session, turn.pending)  # a new question, or none: any message moves past the last
            world.charge(user_id, turn.cost)

        try:
            if not results:
                await asyncio.sleep(share)
                apply()
            for i, frame in enumerate(frames):
                if i in results:
                    await asyncio.sleep(share)  # the tool "works"
                    if i == results[-1]:
                        apply()  # the state has changed by the time the client hears the last result
                await queue.put(frame)
        finally:
            lock.release()
            await queue.put(_END)

    async def _stream(self, queue: asyncio.Queue, drop_after: int | None, clean: bool = False) -> AsyncIterator[bytes]:
        from nemo_cli.emulator import events

        flavor, interval = self.svc.options.sse_flavor, self.svc.options.keepalive_seconds
        sent = pings = 0
        getter: asyncio.Future | None = None
        try:
            if drop_after == 0:
                raise Abort()
            while True:
                if getter is None:
                    getter = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({getter}, timeout=interval)
                if not done:
                    yield events.keepalive(flavor, pings)
                    pings += 1
                    continue
                item, getter = getter.result(), None
                if item is _END:
                    return
                yield item
                sent += 1
                if drop_after is not None and sent >= drop_after:
                    if clean:
                        return  # a clean end mid-work (a proxy's timeout); the run goes on
                    raise Abort()  # close the connection mid-stream; the run goes on
        finally:
            if getter is not None:
                getter.cancel()


def _message_text(payload: dict[str, Any]) -> str:
    message = payload.get("new_message")
    parts = message.get("parts") if isinstance(message, dict) else None
    if not isinstance(parts, list):
        raise Refused("new_message.parts is required", status=400)
    text = "".join(p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str))
    if not text.strip():
        raise Refused("new_message has no text", status=400)
    return text


def _is_tool_result(frame: bytes) -> bool:
    """Whether an encoded SSE frame carries a tool result (typed `tool_result`, ADK functionResponse)."""
    for line in frame.decode("utf-8", "replace").splitlines():
        if not line.startswith("data:"):
            continue
        try:
            event = json.loads(line[5:].strip() or "null")
        except ValueError:
            continue
        if not isinstance(event, dict):
            continue
        if event.get("type") == "tool_result":
            return True
        parts = (event.get("content") or {}).get("parts") if isinstance(event.get("content"), dict) else None
        if isinstance(parts, list) and any(isinstance(p, dict) and "functionResponse" in p for p in parts):
            return True
    return False
