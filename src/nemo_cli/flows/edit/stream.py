"""One message out, its reply stream in: the POST (sent exactly once), the reader thread and the limits.

Why a reader thread: the stream is read in a thread that only parses and queues events; the calling
thread waits on the queue with a deadline, so the idle and total limits, the "still working" notices, the
observer's clock and Ctrl-C all work while the socket is silent (a blocking read cannot be interrupted by
a clock). See nemo_cli.api.sse for the event table.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nemo_cli import errors

if TYPE_CHECKING:
    from nemo_cli.context import Context
    from nemo_cli.flows.edit.observer import EditObserver
    from nemo_cli.flows.edit.outcome import Event


def span(seconds: float) -> str:
    """12s, 2m 30s, 0.4s."""
    if seconds < 10 and seconds != int(seconds):
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}m {secs}s" if minutes and secs else f"{minutes}m" if minutes else f"{secs}s"


@dataclass
class Limits:
    total: float
    idle: float
    notice: float
    recover_first: float
    recover_interval: float
    recover_looks: int

    @classmethod
    def of(cls, ctx: "Context", timeout: float | None) -> "Limits":
        s = ctx.settings
        return cls(
            total=timeout if timeout is not None else s.get("edit.timeout"),
            idle=s.get("edit.idle_timeout"),
            notice=s.get("edit.notice_interval"),
            recover_first=s.get("edit.recover_first"),
            recover_interval=s.get("edit.recover_interval"),
            recover_looks=s.get("edit.recover_looks"),
        )


class Reply:
    """The reply as it arrives: every event in order, and the text, with a line break between two
    messages (a text that ended, or tool work, then more text) and at the end. Each piece goes on to the
    observer as it comes."""

    def __init__(self, observer: "EditObserver") -> None:
        self.observer = observer
        self.events: list[Event] = []
        self.parts: list[str] = []
        self._boundary = False  # the next text starts a new message

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def line_open(self) -> bool:
        return bool(self.parts) and not self.parts[-1].endswith("\n")

    def event(self, event: "Event") -> None:
        kind = event["type"]
        if kind == "skipped":  # a frame nobody could read: the observer may mention it; it is no event
            self.observer.stream_event(event)
            return
        self.events.append(event)
        if kind == "question":
            return  # shown once the turn has ended waiting for the answer
        if kind == "text" and event["text"]:
            if self._boundary and self.line_open:
                self._add("\n", None)
            self._boundary = False
            self._add(event["text"], event)
        else:
            self.observer.stream_event(event)
        if kind == "text" and event.get("end"):
            self._boundary = True
        elif kind in ("tool_call", "tool_result"):
            self._boundary = bool(self.parts)

    def _add(self, text: str, event: "Event | None") -> None:
        self.parts.append(text)
        self.observer.text(text, event)

    def end_line(self) -> None:
        """The reply is over: close its line (text data ends with a newline)."""
        if self.line_open:
            self._add("\n", None)

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        """An event made here, not by the stream (state_change from the state, done)."""
        self.events.append({"type": kind, **data})
        self.observer.event(kind, data)


@dataclass
class Heard:
    ended: str  # "closed" (cleanly), "dropped", "error"
    error: errors.NemoError | None = None
    reason: str = ""
    open_calls: int = 0
    turn_complete: bool = False
    waiting: bool = False  # every call left open is long-running: a question waits for the user
    opened: bool = False  # the service accepted the message (its stream began)
    questions: list["Event"] = field(default_factory=list)


def _reader(ctx: "Context", sid: str, instruction: str, read_timeout: float, q: "queue.Queue[tuple[str, Any]]") -> None:
    """The reader thread: POST once, then parse the stream into the queue. Never sends anything again."""
    import httpx

    from nemo_cli.api import sse

    norm = sse.Normaliser()
    put = q.put
    try:
        with ctx.client.run_stream(sid, instruction, read_timeout) as response:
            put(("open", response))
            ctype = response.headers.get("content-type", "")
            if "json" in ctype:
                _json_reply(ctx, response, norm, put)
            elif "html" in ctype:  # a web page where the stream should be: the API URL (or a proxy) is wrong
                from nemo_cli.api.http import not_the_api

                error = not_the_api(response, f"a web page ({ctype.split(';')[0]}), not a stream", {})
                error.hint = f"{error.hint}; `nemo state` shows whether the message arrived"
                raise error
            else:
                sse.pump(response.iter_bytes(), lambda event: put(("event", event)), norm)
        put(("end", norm))
    except httpx.TransportError as exc:  # while streaming: the connection broke
        put(("dropped", (norm, _reason(exc))))
    except errors.NetworkError as exc:
        cause = exc.__context__
        if isinstance(cause, httpx.TransportError) and not isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout)):
            put(("dropped", (norm, str(exc))))  # the request went out; its answer did not come back
        else:
            put(("error", exc))
    except errors.NemoError as exc:
        put(("error", exc))
    except BaseException as exc:  # noqa: BLE001  (handed to the waiting thread, which decides)
        put(("crash", exc))


def _json_reply(ctx: "Context", response: Any, norm: Any, put: Any) -> None:
    """A JSON answer instead of a stream: an error envelope (2001, 1002…), or a list of events."""
    import json

    response.read()
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, list):
        for item in body:
            for event in norm.message("", json.dumps(item)):
                put(("event", event))
        for event in norm.finish():
            put(("event", event))
        return
    ctx.client.http.unwrap(response)  # raises the envelope's typed error
    raise errors.NetworkError(
        "the service answered the message with JSON instead of a stream",
        hint="check the API URL (`nemo config get api_url`); rerun with --debug to see the reply",
    )


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _abort(response: Any) -> None:
    """Unblock the reader thread's socket read (closing alone does not interrupt a blocked recv)."""
    import socket

    try:
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except Exception:  # noqa: BLE001  (best effort: the thread is a daemon anyway)
        pass


def listen(ctx: "Context", sid: str, instruction: str, limits: Limits, reply: Reply, started: float) -> Heard:
    """Send the message and follow the stream to its end, enforcing the idle and total limits."""
    observer = reply.observer
    q: queue.Queue[tuple[str, Any]] = queue.Queue()
    thread = threading.Thread(
        target=_reader, args=(ctx, sid, instruction, limits.idle + 10.0, q), name="nemo-edit-stream", daemon=True
    )
    response = None
    last_activity = started
    next_notice = started + limits.notice
    observer.sending(started)
    thread.start()
    try:
        while True:
            now = time.monotonic()
            if now >= started + limits.total:
                raise errors.Timeout(
                    f"no complete reply within {span(limits.total)}; stopped listening",
                    hint="the service may still be working on it: `nemo state` shows the outcome; "
                    "`--timeout SECONDS` waits longer",
                )
            if now >= last_activity + limits.idle:
                raise errors.Timeout(
                    f"nothing but keep-alives for {span(limits.idle)}; stopped listening",
                    hint="the service may still be working on it: `nemo state` shows the outcome "
                    "(`nemo config set edit.idle_timeout SECONDS` waits longer)",
                )
            if now >= next_notice:
                observer.still_working(now - started, now - last_activity)
                next_notice = now + limits.notice
            wait = min(started + limits.total, last_activity + limits.idle, next_notice) - now
            if observer.tick_interval:
                wait = min(wait, observer.tick_interval)  # keep the observer's clock moving
            try:
                kind, item = q.get(timeout=max(wait, 0.001))
            except queue.Empty:
                observer.tick()
                continue
            if kind == "event":
                reply.event(item)
                if item["type"] == "error":
                    return Heard("error", error=ctx.client.stream_error(item.get("code"), item.get("message") or ""), opened=True)
                if item["type"] != "heartbeat":
                    last_activity = time.monotonic()
                    next_notice = last_activity + limits.notice
            elif kind == "open":
                response = item
                observer.opened()
            elif kind == "end":
                return Heard("closed", open_calls=len(item.open_calls), turn_complete=item.turn_complete,
                             waiting=item.waiting, questions=list(item.questions))
            elif kind == "dropped":
                norm, reason = item
                return Heard("dropped", reason=reason, open_calls=len(norm.open_calls), turn_complete=norm.turn_complete,
                             waiting=norm.waiting, questions=list(norm.questions))
            elif kind == "error":
                return Heard("error", error=item, opened=response is not None)
            else:  # "crash": a bug in the reader; let it surface as one
                raise item
    finally:
        observer.stream_ended()
        if thread.is_alive() and response is not None:
            _abort(response)
            thread.join(timeout=0.5)
