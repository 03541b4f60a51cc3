"""The `/run_sse` stream: bytes → SSE messages (httpx-sse) → normalised events.

Both documented shapes (typed events and Agent Development Kit events) come out as one small vocabulary.
These are the lines `nemo edit --json` prints (NDJSON, one event per line; `at` is seconds since the
message was sent; unknown fields may be added later, these stay):

| type          | fields                                   | meaning                                            |
|---------------|------------------------------------------|----------------------------------------------------|
| `text`        | `text`, `end`                            | reply text as it arrives; `end: true` closes one message (may carry `""`) |
| `tool_call`   | `name`, `id`, `args`, `long_running`?    | the service started internal work (a tool); `long_running: true` marks a call the turn waits on (e.g. a question) |
| `question`    | `id`, `call`, `prompt`, `options`, `allow_multiple` | the service asks the user; `options` is a list of `{id, label}` |
| `tool_result` | `name`, `id`, `ok`, `result`             | that work finished (`ok: false` = it failed)       |
| `heartbeat`   | `via` (`comment`, `empty`, `event`)      | a keep-alive: still working                        |
| `state_change`| `source`, `delta` or `changes`           | `source: "stream"`: the stream's `stateDelta`; `source: "state"`: what changed in the session's state, in words (`changes`) |
| `error`       | `code`, `message`                        | the service reported an error (the command then fails) |
| `done`        | `outcome`, `text`, `changes`, `hints`, `summary`, `cost`, `seconds` | the last line of a successful edit; `outcome` is `reply`, `silent` or `recovered` |

`text`, `tool_call`, `tool_result`, `heartbeat`, `error`, `question` and `state_change` (stream) come from
this module; `state_change` (state) and `done` from the edit flow (nemo_cli.flows.edit), whose view prints
`question` only when the turn ends waiting for the answer (and then no `done`).

Questions: the agent may stop and ask instead of editing. On the ADK shape that is a `functionCall` whose id
the event lists in `longRunningToolIds` (the contract's `ask_question`, with `args.questions`), left
unanswered when the stream ends. The typed shape has no such list: a `tool_call` is long-running when it
says so (`long_running` / `longRunning`) or is named `ask_question`, the one long-running tool the contract
names (an ADK call named so counts too, listed or not). `Normaliser.waiting` tells whether every call
still open is such a one: a clean end then means "waiting for the answer", not a cut stream.

Rules applied here: ADK `partial` chunks are passed on as they come and the closing full text, which
repeats them, only adds what they lacked (each text once); model "thought" parts and echoed user
messages are not text; a trailing "I encountered a temporary issue" note after a normal reply is dropped
(reported as an internal `skipped` event, never printed); keep-alives of all three kinds (`: ping`
comments, empty `data:` lines, heartbeat events) become `heartbeat`; a `data:` that is not JSON becomes
`skipped`; bad UTF-8 is replaced, not fatal; a last event the server left unterminated is still read.
"""

from __future__ import annotations

import codecs
import json
import re
from difflib import SequenceMatcher
from typing import Any, Callable, Iterable, Iterator

from httpx_sse import EventSource

Event = dict[str, Any]
INTERNAL = frozenset({"skipped"})  # never printed, never in --json; shown with --verbose
NOISE = "i encountered a temporary issue"
_HEARTBEATS = frozenset({"heartbeat", "ping", "keepalive", "keep_alive", "keep-alive"})
_COMMENT = re.compile(r"^:[^\n]*\n", re.M)  # a whole comment line (after \r\n and \r became \n)


class _Lines:
    """What httpx-sse's EventSource reads (`headers`, `iter_text`), fed from raw byte chunks.

    An SSE decoder swallows comment lines (`: ping`) silently, so a chunk that may hold one is split into
    lines here: the lines before each comment go on to httpx-sse first, then the comment is reported, so
    events and keep-alives keep their order. Chunks without comments (nearly all) pass through whole.
    """

    headers = {"content-type": "text/event-stream"}

    def __init__(self, chunks: Iterable[bytes], on_comment: Callable[[], None]) -> None:
        self._chunks = chunks
        self._on_comment = on_comment

    def iter_text(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        buf = ""  # held back for the next chunk: an unfinished comment line, or a \r that may start \r\n
        line_start = True  # whether the next text starts a line
        tail = "\n\n"  # the end of what httpx-sse has been given, to finish the last event at EOF
        first = True
        for chunk in self._chunks:
            text = decoder.decode(chunk)
            if first and text:
                text, first = text.lstrip("\ufeff"), False
            text, buf = buf + text, ""
            if not text:
                continue
            if not ((line_start and text[0] == ":") or "\n:" in text or "\r:" in text):
                if text[-1] == "\r":  # keep it with what follows: \r\n and \r\r cannot be told apart yet
                    cut = text.rstrip("\r")
                    text, buf = cut, text[len(cut):]
                    if not text:
                        continue
                yield text  # no comment in here: httpx-sse splits the lines itself
                tail = (tail + text)[-4:]
                line_start = text[-1] in "\r\n"
                continue
            hold = ""
            if "\r" in text:
                if text.endswith("\r"):
                    text, hold = text[:-1], "\r"
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            done = 0
            for m in _COMMENT.finditer(text, 0 if line_start else text.find("\n") + 1):
                if m.start() > done:
                    yield text[done : m.start()]
                    tail = (tail + text[done : m.start()])[-4:]
                self._on_comment()
                done = m.end()
            rest = text[done:]
            newline = rest.rfind("\n")
            if rest[newline + 1 : newline + 2] == ":" and (newline >= 0 or done > 0 or line_start):
                buf, rest = rest[newline + 1 :], rest[: newline + 1]  # a comment still arriving
            buf += hold
            if rest:
                yield rest
                tail = (tail + rest)[-4:]
            line_start = True if buf[:1] == ":" else rest[-1:] == "\n" if rest else (done > 0 or line_start)
        rest = (buf + decoder.decode(b"", final=True)).replace("\r\n", "\n").replace("\r", "\n")
        if rest[:1] == ":" and line_start:
            self._on_comment()
            rest = rest.partition("\n")[2]
        if rest:
            yield rest
            tail = (tail + rest)[-4:]
        tail = tail.replace("\r\n", "\n").replace("\r", "\n")
        if not tail.endswith("\n\n"):  # the connection closed before the blank line ending the last event
            yield "\n" if tail.endswith("\n") else "\n\n"


class _Noise:
    """Holds back text that may be the start of a trailing "temporary issue" note after a normal reply,
    and drops that note up to the end of its message."""

    def __init__(self) -> None:
        self.seen = False  # a normal reply has been passed on
        self.held = ""
        self.dropping = False

    def text(self, text: str) -> tuple[str, str]:
        """(text to pass on now, text dropped)."""
        if self.dropping:
            return "", text
        s, self.held = self.held + text, ""
        low = s.lower()
        idx = low.find(NOISE)
        while idx >= 0:
            if (idx == 0 or not s[idx - 1].isalnum()) and (self.seen or s[:idx].strip()):
                self.dropping = True
                return self._pass(s[:idx].rstrip()), s[idx:]
            idx = low.find(NOISE, idx + 1)
        k = low.find("i", max(0, len(s) - len(NOISE) + 1))
        while k >= 0:
            if NOISE.startswith(low[k:]) and (k == 0 or not s[k - 1].isalnum()) and (self.seen or s[:k].strip()):
                self.held = s[k:]
                return self._pass(s[:k]), ""
            k = low.find("i", k + 1)
        return self._pass(s), ""

    def _pass(self, text: str) -> str:
        if text.strip():
            self.seen = True
        return text

    def end(self) -> str:
        """A message ended: what was held back was not the note after all."""
        out = "" if self.dropping else self._pass(self.held)
        self.held, self.dropping = "", False
        return out


QUESTION_TOOL = "ask_question"  # the contract's name for the agent's question


def _label(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}"
    return ""


def questions(args: Any, call_id: Any = None) -> list[Event]:
    """The `question` events of a question call's arguments: `{"questions": [{id, prompt, options: [{id,
    label}], allow_multiple}]}`, tolerantly (one question at the top level; `question` / `text` for the
    prompt; options as plain strings or with `text` / `value` for the label; ids made up from positions)."""
    args = _dict(args)
    raw = args.get("questions")
    items = raw if isinstance(raw, list) else [args] if any(k in args for k in ("prompt", "question", "options")) else []
    out: list[Event] = []
    for n, item in enumerate(items, 1):
        if isinstance(item, str):
            item = {"prompt": item}
        if not isinstance(item, dict):
            continue
        prompt = next((_label(item[k]) for k in ("prompt", "question", "text", "title") if _label(item.get(k))), "")
        options = []
        raw_options = item.get("options") if isinstance(item.get("options"), list) else item.get("choices")
        for m, option in enumerate(raw_options if isinstance(raw_options, list) else [], 1):
            if isinstance(option, dict):
                label = next((_label(option[k]) for k in ("label", "text", "value", "title", "id") if _label(option.get(k))), "")
                oid = _label(option.get("id")) or str(m)
            else:
                label, oid = _label(option), str(m)
            if label:
                options.append({"id": oid, "label": label})
        if not prompt and not options:
            continue
        qid = _label(item.get("id")) or f"q{n}"
        multiple = item.get("allow_multiple", item.get("allowMultiple"))
        out.append({"type": "question", "id": qid, "call": call_id, "prompt": prompt, "options": options,
                    "allow_multiple": multiple is True})
    return out


def _ok(result: Any) -> bool:
    if isinstance(result, dict):
        if result.get("ok") is False or result.get("success") is False:
            return False
        if result.get("error") not in (None, "", False, {}):
            return False
        if str(result.get("status", "")).lower() in ("error", "failed", "failure"):
            return False
    return True


def _code(value: Any) -> Any:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value if isinstance(value, (int, str)) and value != "" else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class Normaliser:
    """Turns SSE messages (event name, data) into normalised events. One per stream: it keeps the state
    that prints each ADK text once and that drops the trailing note."""

    def __init__(self) -> None:
        self._acc: list[str] = []  # partial chunks of the open ADK message
        self._noise = _Noise()
        self.turn_complete = False  # an ADK event said `turnComplete`
        self.open_calls: dict[str, str] = {}  # tool calls without a result yet (id or name → name)
        self.long_running: set[str] = set()  # keys of open_calls the turn waits on (questions)
        self._long_ids: set[str] = set()  # every id an event listed in longRunningToolIds
        self.questions: list[Event] = []  # every question asked on this stream, in order

    @property
    def waiting(self) -> bool:
        """Every call still open is long-running (and there is one): the turn waits for the user."""
        return bool(self.open_calls) and all(key in self.long_running for key in self.open_calls)

    # -- entry points -------------------------------------------------------------------------------
    def keepalive(self, via: str) -> list[Event]:
        return [{"type": "heartbeat", "via": via}]

    def message(self, event: str, data: str) -> list[Event]:
        """One SSE message: its `event:` name (usually empty) and its joined `data:` lines."""
        name = event.strip().lower() if event else ""
        if name in _HEARTBEATS or ((not data or data.isspace()) and name in ("", "message")):
            return self.keepalive("event" if name in _HEARTBEATS else "empty")
        try:
            obj = json.loads(data) if data and not data.isspace() else {}
        except ValueError:
            return [{"type": "skipped", "reason": "not JSON", "data": data[:200]}]
        if not isinstance(obj, dict):
            return [{"type": "skipped", "reason": "not a JSON object", "data": data[:200]}]
        if name == "error":
            return self._close() + [self._error(obj)]
        kind = obj.get("type")
        if isinstance(kind, str):
            return self._typed(kind.lower(), obj)
        if "content" in obj or "invocationId" in obj or "errorCode" in obj or "errorMessage" in obj or "actions" in obj or "partial" in obj:
            return self._adk(obj)
        if _code(obj.get("code")) not in (None, 0):  # an API envelope inside the stream
            return self._close() + [self._error(obj)]
        return [{"type": "skipped", "reason": "unknown event", "data": data[:200]}]

    def finish(self) -> list[Event]:
        """The stream ended: pass on anything still held back."""
        return self._close()

    # -- the two shapes -----------------------------------------------------------------------------
    def _typed(self, kind: str, obj: dict[str, Any]) -> list[Event]:
        if kind in ("text", "message", "delta"):
            text = next((obj[k] for k in ("content", "text", "delta") if isinstance(obj.get(k), str)), "")
            partial = obj.get("partial")
            return self._text(text, None if partial is None else bool(partial))
        if kind in ("tool_call", "function_call"):
            args = next((obj[k] for k in ("args", "arguments", "input") if k in obj), {})
            flagged = obj.get("long_running") is True or obj.get("longRunning") is True
            return self._close() + self._call(obj.get("name"), obj.get("id"), args, flagged)
        if kind in ("tool_result", "function_response", "tool_response"):
            result = next((obj[k] for k in ("result", "output", "response") if k in obj), None)
            return self._close() + [self._result(obj.get("name"), obj.get("id"), result)]
        if kind in _HEARTBEATS:
            return self.keepalive("event")
        if kind == "error":
            return self._close() + [self._error(obj)]
        if kind in ("state_change", "state", "state_delta"):
            delta = next((obj[k] for k in ("delta", "state", "stateDelta") if isinstance(obj.get(k), dict)), {})
            return [{"type": "state_change", "source": "stream", "delta": delta}]
        return [{"type": "skipped", "reason": f"unknown event type {kind!r}", "data": ""}]

    def _adk(self, obj: dict[str, Any]) -> list[Event]:
        out: list[Event] = []
        listed = obj.get("longRunningToolIds")
        if isinstance(listed, (list, dict)):  # a set, serialised as a list
            self._long_ids |= {str(i) for i in listed if isinstance(i, (str, int)) and not isinstance(i, bool)}
            self.long_running |= {key for key in self.open_calls if key in self._long_ids}  # listed late
        content = obj.get("content")
        parts = content.get("parts") if isinstance(content, dict) and content.get("role") != "user" else None
        if isinstance(parts, list) and parts:
            texts = []
            for part in parts:
                if not isinstance(part, dict):
                    continue
                text = part.get("text")
                if isinstance(text, str):
                    if not part.get("thought"):
                        texts.append(text)
                elif part.get("functionCall") is not None:
                    call = _dict(part["functionCall"])
                    listed_here = call.get("id") is not None and str(call.get("id")) in self._long_ids
                    out += self._close() + self._call(call.get("name"), call.get("id"), call.get("args", {}), listed_here)
                elif part.get("functionResponse") is not None:
                    response = _dict(part["functionResponse"])
                    out += self._close() + [self._result(response.get("name"), response.get("id"), response.get("response"))]
            if texts:
                out = self._text("".join(texts), bool(obj.get("partial"))) + out
        actions = obj.get("actions")
        if actions:
            delta = _dict(_dict(actions).get("stateDelta"))
            if delta:
                out.append({"type": "state_change", "source": "stream", "delta": delta})
        if obj.get("errorCode") not in (None, "") or obj.get("errorMessage"):
            out += self._close() + [self._error(obj)]
        if obj.get("turnComplete"):
            self.turn_complete = True
        return out

    # -- pieces -------------------------------------------------------------------------------------
    def _text(self, text: str, partial: bool | None) -> list[Event]:
        """partial True: a chunk of an open message; False: the closing full text, which repeats the
        chunks; None (typed events): a chunk of its own."""
        end = partial is False
        if partial:
            self._acc.append(text)
        elif partial is False:
            text = self._remainder(text)
        out, dropped = self._noise.text(text)
        if end:
            out += self._noise.end()
        events: list[Event] = []
        if out or end:
            events.append({"type": "text", "text": out, "end": end})
        if dropped:
            events.append({"type": "skipped", "reason": "trailing temporary-issue note", "data": dropped})
        return events

    def _remainder(self, full: str) -> str:
        acc, self._acc = "".join(self._acc), []
        if not acc:
            return full
        if full.startswith(acc):
            return full[len(acc):]
        if " ".join(full.split()) == " ".join(acc.split()) or SequenceMatcher(None, acc, full).ratio() > 0.6:
            return ""  # the same reply, told slightly differently: it has been printed
        return full  # a new message after chunks that never closed

    def _close(self) -> list[Event]:
        """A message boundary (a tool event, an error, the end): flush held text; open chunks are done."""
        self._acc = []
        held = self._noise.end()
        return [{"type": "text", "text": held, "end": False}] if held else []

    def _call(self, name: Any, cid: Any, args: Any, long_running: bool = False) -> list[Event]:
        """A tool call, and the question(s) it asks when it is a long-running question call."""
        name = str(name) if name else "tool"
        key = str(cid) if cid else name
        self.open_calls[key] = name
        args = args if args is not None else {}
        long_running = long_running or name == QUESTION_TOOL
        event: Event = {"type": "tool_call", "name": name, "id": cid, "args": args}
        if not long_running:
            return [event]
        self.long_running.add(key)
        event["long_running"] = True
        asked = questions(args, cid)
        self.questions += asked
        return [event, *asked]

    def _result(self, name: Any, cid: Any, result: Any) -> Event:
        name = str(name) if name else "tool"
        key = str(cid) if cid and str(cid) in self.open_calls else name
        if key not in self.open_calls:  # matched by name when the ids are missing or differ
            key = next((k for k, v in self.open_calls.items() if v == name), key)
        self.open_calls.pop(key, None)
        self.long_running.discard(key)
        return {"type": "tool_result", "name": name, "id": cid, "ok": _ok(result), "result": result}

    def _error(self, obj: dict[str, Any]) -> Event:
        code = _code(obj.get("errorCode"))
        if code is None:
            code = _code(obj.get("code"))
        message = next(
            (obj[k] for k in ("errorMessage", "message", "error", "msg", "detail") if isinstance(obj.get(k), str) and obj[k]),
            "",
        )
        if not message and isinstance(obj.get("error"), dict):
            message = str(obj["error"].get("message") or "")
        return {"type": "error", "code": code, "message": message}


def pump(chunks: Iterable[bytes], emit: Callable[[Event], None], normaliser: Normaliser | None = None) -> Normaliser:
    """Read a whole stream, calling `emit` with each normalised event the moment it is complete.

    Errors of the byte source (a dropped connection) propagate to the caller unchanged.
    """
    norm = normaliser or Normaliser()
    source = _Lines(chunks, lambda: emit(norm.keepalive("comment")[0]))
    for message in EventSource(source).iter_sse():  # type: ignore[arg-type]  # duck-typed response
        for event in norm.message(message.event, message.data):
            emit(event)
    for event in norm.finish():
        emit(event)
    return norm


def parse(chunks: Iterable[bytes]) -> list[Event]:
    """Every normalised event of a finished stream (for tests and tools)."""
    events: list[Event] = []
    pump(chunks, events.append)
    return events
