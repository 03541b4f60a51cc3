"""The stream reader and normaliser (nemo_cli.api.sse): the recorded streams of both shapes, and synthetic
ones for every edge the contract names (keep-alives, comments, tool events, errors, empty streams, a
truncated last line, bad UTF-8, data that is not JSON), each also fed byte by byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nemo_cli.api import sse

from tests.support.recordings import SSE as FIXTURES


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse(data: bytes, chunk: int | None = None) -> list[dict]:
    if chunk is None:
        return sse.parse([data])
    return sse.parse(data[i : i + chunk] for i in range(0, len(data), chunk))


def text_of(events: list[dict]) -> str:
    return "".join(e["text"] for e in events if e["type"] == "text")


def types(events: list[dict]) -> list[str]:
    return [e["type"] for e in events]


def frame(obj: object) -> bytes:
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


def adk_text(text: str, partial: bool | None = None, **extra: object) -> bytes:
    event: dict = {"content": {"parts": [{"text": text}], "role": "model"}, "invocationId": "e-1", "author": "nemo_agent"}
    if partial is not None:
        event["partial"] = partial
    event.update(extra)
    return frame(event)


# -- the recorded streams ----------------------------------------------------------------------------


def test_adk_text_stream_hides_nothing_it_should_show_and_shows_the_text_once():
    events = parse(fixture("adk-text.sse"))
    assert types(events) == ["tool_call", "tool_result", "text"]
    call, result, text = events
    assert call["name"] == "edit_multitrack" and call["id"] == "call_4ea853f3"
    assert call["args"] == {"instruction": "add title 'Urban Dreams'"}
    assert result["name"] == "edit_multitrack" and result["ok"] is True and result["result"] == {"ok": True, "changed": True}
    assert text == {"type": "text", "text": "Added title 'Urban Dreams'. Anything else?", "end": True}


def test_adk_partial_chunks_and_the_closing_full_text_print_each_word_once():
    events = parse(fixture("adk-partial-with-pings.sse"))
    assert text_of(events) == "Added background music Lo-fi at 35%. Anything else?"
    # the ping comment arrives between the tool call and its result, in stream order
    assert types(events)[:3] == ["tool_call", "heartbeat", "tool_result"]
    assert events[1] == {"type": "heartbeat", "via": "comment"}
    chunks = [e["text"] for e in events if e["type"] == "text"]
    assert chunks == ["Added background music ", "Lo-fi at 35%. ", "Anything else?", ""]  # streamed, then closed
    assert events[-1]["end"] is True


def test_adk_silent_stream_has_no_text_and_no_open_tool_call():
    events: list[dict] = []
    norm = sse.pump([fixture("adk-silent.sse")], events.append)
    assert types(events) == ["tool_call", "tool_result"]
    assert norm.open_calls == {}


def test_typed_events_with_all_keepalive_forms():
    events = parse(fixture("typed-events.sse"))
    assert types(events) == ["tool_call", "heartbeat", "heartbeat", "tool_result", "text"]
    assert [e.get("via") for e in events if e["type"] == "heartbeat"] == ["event", "empty"]
    assert text_of(events) == "Removed 2s between 0:02 and 0:04. Done."
    assert events[3]["ok"] is True and events[3]["result"] == {"ok": True}


@pytest.mark.parametrize("name", ["adk-text.sse", "adk-partial-with-pings.sse", "adk-silent.sse", "typed-events.sse"])
@pytest.mark.parametrize("chunk", [1, 2, 7, 64])
def test_any_chunking_gives_the_same_events(name, chunk):
    assert parse(fixture(name), chunk) == parse(fixture(name))


@pytest.mark.parametrize("name", ["adk-partial-with-pings.sse", "typed-events.sse"])
@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_other_line_endings_give_the_same_events(name, newline):
    data = fixture(name).replace(b"\n", newline)
    assert parse(data, 3) == parse(fixture(name))


def test_a_byte_order_mark_is_ignored():
    assert parse(b"\xef\xbb\xbf" + fixture("adk-text.sse"), 1) == parse(fixture("adk-text.sse"))


# -- synthetic streams --------------------------------------------------------------------------------


def test_keepalives_only():
    data = b": ping\n\ndata:\n\ndata: \n\n" + frame({"type": "heartbeat"}) + b":\n\nevent: ping\ndata: {}\n\n"
    events = parse(data, 5)
    assert types(events) == ["heartbeat"] * 6
    assert [e["via"] for e in events] == ["comment", "empty", "empty", "event", "comment", "event"]


def test_empty_stream():
    assert parse(b"") == []
    assert sse.parse([]) == []
    assert parse(b"\n\n\n") == []


def test_a_truncated_last_line_that_is_complete_json_is_still_read():
    assert text_of(parse(b'data: {"type": "text", "content": "Hi there"}')) == "Hi there"
    assert text_of(parse(b'data: {"type": "text", "content": "Hi there"}\n')) == "Hi there"


def test_a_last_line_cut_in_the_middle_is_skipped_not_printed():
    events = parse(frame({"type": "text", "content": "Done."}) + b'data: {"type": "text", "cont', 4)
    assert text_of(events) == "Done."
    assert events[-1]["type"] == "skipped" and events[-1]["reason"] == "not JSON"


def test_bad_utf8_is_replaced_not_fatal():
    events = parse(b'data: {"type": "text", "content": "caf\xff\xfe!"}\n\n')
    assert text_of(events) == "caf\ufffd\ufffd!"


def test_a_character_split_across_chunks_survives():
    data = frame({"type": "text", "content": "已完成 — café"})
    data = data.replace(b"\\u5df2\\u5b8c\\u6210", "已完成".encode()).replace(b"\\u2014", "—".encode()).replace(b"\\u00e9", "é".encode())
    assert "已完成".encode() in data
    assert text_of(parse(data, 1)) == "已完成 — café"


def test_data_that_is_not_json_is_skipped():
    events = parse(b"data: hello world\n\ndata: [1, 2]\n\n" + frame({"type": "text", "content": "ok"}))
    assert types(events) == ["skipped", "skipped", "text"]
    assert events[0]["reason"] == "not JSON" and events[1]["reason"] == "not a JSON object"


def test_multiline_data_is_joined_before_parsing():
    data = b'data: {"type": "text",\ndata:  "content": "two lines"}\n\n'
    assert text_of(parse(data)) == "two lines"


def test_unknown_fields_and_event_types_are_tolerated():
    data = frame({"type": "text", "content": "a", "extra": 1}) + frame({"type": "progress", "pct": 5}) + frame({"what": 1})
    events = parse(data)
    assert types(events) == ["text", "skipped", "skipped"]


def test_tool_events_of_both_shapes_and_failures():
    data = (
        frame({"type": "tool_call", "name": "trim", "args": {"a": 1}})
        + frame({"type": "tool_result", "name": "trim", "result": {"ok": False, "error": "no media"}})
        + frame({"content": {"role": "model", "parts": [{"functionCall": {"id": "c1", "name": "grade", "args": {}}}]}})
        + frame({"content": {"role": "model", "parts": [{"functionResponse": {"id": "c1", "name": "grade", "response": {"status": "error"}}}]}})
        + frame({"content": {"role": "model", "parts": [{"functionCall": {"id": "c2", "name": "music"}}]}})
    )
    events: list[dict] = []
    norm = sse.pump([data], events.append)
    assert [(e["type"], e["name"], e.get("ok")) for e in events] == [
        ("tool_call", "trim", None), ("tool_result", "trim", False),
        ("tool_call", "grade", None), ("tool_result", "grade", False),
        ("tool_call", "music", None),
    ]
    assert norm.open_calls == {"c2": "music"}  # a call whose result never came


@pytest.mark.parametrize(
    "data, code, message",
    [
        (frame({"invocationId": "e", "author": "a", "errorCode": "2001", "errorMessage": "out of credits"}), 2001, "out of credits"),
        (frame({"type": "error", "code": 2001, "message": "insufficient credits"}), 2001, "insufficient credits"),
        (b'event: error\ndata: {"code": 1001, "message": "token expired"}\n\n', 1001, "token expired"),
        (frame({"code": 2001, "message": "no credits", "data": None}), 2001, "no credits"),
        (frame({"invocationId": "e", "errorCode": "SAFETY", "errorMessage": "blocked"}), "SAFETY", "blocked"),
    ],
)
def test_error_events(data, code, message):
    events = parse(frame({"type": "text", "content": "Working on it. "}) + data)
    assert events[-1] == {"type": "error", "code": code, "message": message}


def test_thoughts_and_echoed_user_messages_are_not_reply_text():
    data = (
        frame({"content": {"role": "user", "parts": [{"text": "add music"}]}, "invocationId": "e"})
        + frame({"content": {"role": "model", "parts": [{"text": "let me think", "thought": True}, {"text": "Done."}]}, "invocationId": "e"})
    )
    assert text_of(parse(data)) == "Done."


def test_state_delta_and_turn_complete():
    data = frame({"invocationId": "e", "content": {"role": "model", "parts": [{"text": "ok"}]}, "actions": {"stateDelta": {"draft_rev": 2}}, "turnComplete": True})
    events: list[dict] = []
    norm = sse.pump([data], events.append)
    assert events[-1] == {"type": "state_change", "source": "stream", "delta": {"draft_rev": 2}}
    assert norm.turn_complete is True


# -- ADK text rules ----------------------------------------------------------------------------------


def test_a_closing_text_longer_than_its_chunks_adds_only_the_rest():
    data = adk_text("Added ", True) + adk_text("music", True) + adk_text("Added music at 35%.", False)
    events = parse(data)
    assert [e["text"] for e in events] == ["Added ", "music", " at 35%."]


def test_a_closing_text_told_slightly_differently_is_not_printed_again():
    data = adk_text("Added the music ", True) + adk_text("at 35 %.", True) + adk_text("Added the music at 35%.", False)
    assert text_of(parse(data)) == "Added the music at 35 %."


def test_two_messages_without_partials_are_both_shown():
    data = adk_text("Trimming now.") + frame({"content": {"parts": [{"functionCall": {"name": "trim"}}]}}) + adk_text("Done.")
    events = parse(data)
    assert [e["text"] for e in events if e["type"] == "text"] == ["Trimming now.", "Done."]


# -- the trailing "temporary issue" note -------------------------------------------------------------


def test_the_note_after_a_normal_reply_is_dropped():
    data = adk_text("Added music. Anything else?") + adk_text("I encountered a temporary issue. Please try again.")
    events = parse(data)
    assert text_of(events) == "Added music. Anything else?"
    assert events[-1]["type"] == "skipped" and "temporary issue" in events[-1]["data"]


def test_the_note_split_over_chunks_is_dropped():
    data = (
        adk_text("Done. ", True) + adk_text("I enc", True) + adk_text("ountered a temporary", True)
        + adk_text(" issue, sorry.", True) + adk_text("Done. I encountered a temporary issue, sorry.", False)
    )
    assert text_of(parse(data, 9)).strip() == "Done."


def test_the_note_in_the_same_chunk_as_the_reply_is_cut_off():
    events = parse(frame({"type": "text", "content": "Removed 2s. I encountered a temporary issue."}))
    assert text_of(events) == "Removed 2s."


def test_the_note_alone_is_not_dropped():
    events = parse(adk_text("I encountered a temporary issue. Please try again."))
    assert text_of(events) == "I encountered a temporary issue. Please try again."


def test_held_text_that_turns_out_not_to_be_the_note_is_printed_whole():
    data = adk_text("Done. ", True) + adk_text("I", True) + adk_text(" added a title.", True) + adk_text("Done. I added a title.", False)
    events = parse(data)
    assert text_of(events) == "Done. I added a title."
    assert "skipped" not in types(events)


def test_held_text_is_flushed_when_the_stream_ends():
    events = parse(frame({"type": "text", "content": "Done. I"}))
    assert text_of(events) == "Done. I"


def test_words_containing_the_phrase_letters_are_not_held_forever():
    events = parse(frame({"type": "text", "content": "Mini"}) + frame({"type": "text", "content": " encountered"}))
    assert text_of(events) == "Mini encountered"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("seed", range(6))
def test_random_chunkings_keep_every_event_and_keepalive_in_order(newline, seed):
    """Comments, empty keep-alives and events in a random order, cut at random places (inside
    comments, between \\r and \\n, inside multi-byte characters): the same events, in order."""
    import random

    rng = random.Random(seed)
    nl = newline.encode()
    data, expected = b"", []
    for i in range(60):
        kind = rng.choice(["comment", "empty", "text", "call", "multi"])
        if kind == "comment":
            data += b": ping " + str(i).encode() + nl + nl
            expected.append(("heartbeat", "comment"))
        elif kind == "empty":
            data += b"data:" + nl + nl
            expected.append(("heartbeat", "empty"))
        elif kind == "text":
            data += b'data: {"type": "text", "content": "t' + str(i).encode() + "é已 ".encode() + b'"}' + nl + nl
            expected.append(("text", f"t{i}é已 "))
        elif kind == "call":
            data += b'data: {"type": "tool_call", "name": "n' + str(i).encode() + b'"}' + nl + nl
            expected.append(("tool_call", f"n{i}"))
        else:
            data += b'data: {"type": "text",' + nl + b'data: "content": "m' + str(i).encode() + b'"}' + nl + nl
            expected.append(("text", f"m{i}"))
    cuts = sorted(rng.sample(range(1, len(data)), 40))
    chunks = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)])]
    events = sse.parse(chunks)
    got = [(e["type"], e.get("via") or e.get("text") or e.get("name")) for e in events]
    assert got == expected
