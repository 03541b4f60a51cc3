"""The stream parser on questions (nemo_cli.api.sse): an `ask_question` call the turn waits on, in both
shapes, from byte-exact fixtures; which open calls at a clean end mean "waiting for the answer" and which
still mean a cut stream; and the emulator encoding a question the way the fixture has it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nemo_cli.api import sse

FIXTURES = Path(__file__).parents[1] / "fixtures" / "questions"
OPTIONS = [
    {"id": "upbeat_pop", "label": "Upbeat pop"},
    {"id": "calm_piano", "label": "Calm piano"},
    {"id": "cinematic", "label": "Cinematic"},
    {"id": "lo_fi", "label": "Lo-fi"},
]


def pumped(data: bytes, chunk: int | None = None) -> tuple[list[dict], sse.Normaliser]:
    events: list[dict] = []
    chunks = [data] if chunk is None else [data[i : i + chunk] for i in range(0, len(data), chunk)]
    norm = sse.pump(chunks, events.append)
    return events, norm


def frame(obj: object) -> bytes:
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


def call_event(call_id: str, name: str, args: dict, long_running: list[str] | None = None) -> bytes:
    event: dict = {"content": {"parts": [{"functionCall": {"id": call_id, "args": args, "name": name}}], "role": "model"},
                   "invocationId": "e-1", "author": "nemo_agent", "actions": {"stateDelta": {}}}
    if long_running is not None:
        event["longRunningToolIds"] = long_running
    return frame(event)


def result_event(call_id: str, name: str) -> bytes:
    return frame({"content": {"parts": [{"functionResponse": {"id": call_id, "name": name, "response": {"ok": True}}}],
                              "role": "model"}, "invocationId": "e-1", "author": "nemo_agent"})


@pytest.mark.parametrize("chunk", [None, 1, 7])
def test_adk_fixture_a_text_then_the_question_and_the_turn_waits(chunk):
    events, norm = pumped((FIXTURES / "adk-ask-question.sse").read_bytes(), chunk)
    assert [e["type"] for e in events] == ["heartbeat", "text", "tool_call", "question"]
    assert events[1] == {"type": "text", "text": "Happy to add background music.", "end": True}
    call, question = events[2], events[3]
    assert (call["name"], call["id"], call["long_running"]) == ("ask_question", "call_5f2c9a1e", True)
    assert question == {"type": "question", "id": "music_style", "call": "call_5f2c9a1e",
                        "prompt": "Which music style do you want?", "options": OPTIONS, "allow_multiple": False}
    assert norm.open_calls == {"call_5f2c9a1e": "ask_question"}
    assert norm.waiting is True and norm.turn_complete is False
    assert norm.questions == [question]


def test_typed_fixture_carries_the_same_question_by_the_tools_name():
    events, norm = pumped((FIXTURES / "typed-ask-question.sse").read_bytes())
    assert [e["type"] for e in events] == ["heartbeat", "text", "tool_call", "question"]
    assert events[2]["long_running"] is True and events[2]["id"] is None
    question = events[3]
    assert (question["id"], question["call"], question["prompt"]) == ("music_style", None, "Which music style do you want?")
    assert question["options"] == OPTIONS
    assert norm.waiting is True


def test_an_ordinary_call_left_open_is_not_a_question():
    # a proxy closing the stream at its timeout leaves the edit's call open: that is a cut, not a question
    events, norm = pumped(call_event("call_1", "edit_multitrack", {"instruction": "trim"}))
    assert [e["type"] for e in events] == ["tool_call"] and "long_running" not in events[0]
    assert norm.open_calls and norm.waiting is False and norm.questions == []


def test_a_question_and_an_ordinary_call_both_open_is_not_waiting_only_for_the_user():
    data = call_event("call_q", "ask_question", {"questions": [{"id": "q", "prompt": "Which?", "options": []}]}, ["call_q"])
    data += call_event("call_e", "edit_multitrack", {})
    _, norm = pumped(data)
    assert norm.waiting is False and len(norm.questions) == 1


def test_any_listed_long_running_call_waits_and_a_question_is_read_from_its_arguments():
    # the list marks long-running calls, whatever their name; one without questions asks nothing we can show
    _, norm = pumped(call_event("call_r", "render_preview", {"id": 3}, ["call_r"]))
    assert norm.waiting is True and norm.questions == []
    events, norm = pumped(call_event("call_c", "choose", {"questions": [{"prompt": "Keep it?", "options": ["Yes", "No"]}]},
                                     ["call_c"]))
    assert events[-1] == {"type": "question", "id": "q1", "call": "call_c", "prompt": "Keep it?",
                          "options": [{"id": "1", "label": "Yes"}, {"id": "2", "label": "No"}], "allow_multiple": False}
    assert norm.waiting is True


def test_ask_question_counts_as_long_running_even_when_not_listed():
    events, norm = pumped(call_event("call_q", "ask_question", {"questions": [{"id": "s", "prompt": "Which style?",
                                                                              "options": [{"id": "a", "label": "A"}],
                                                                              "allow_multiple": True}]}))
    assert norm.waiting is True and events[-1]["allow_multiple"] is True


def test_an_answered_question_call_no_longer_waits():
    data = call_event("call_q", "ask_question", {"questions": [{"id": "q", "prompt": "Which?"}]}, ["call_q"])
    data += result_event("call_q", "ask_question")
    events, norm = pumped(data)
    assert [e["type"] for e in events] == ["tool_call", "question", "tool_result"]
    assert norm.open_calls == {} and norm.waiting is False


def test_typed_long_running_flag_marks_a_call():
    events, norm = pumped(frame({"type": "tool_call", "name": "approve", "long_running": True, "args": {}}))
    assert events[0]["long_running"] is True and norm.waiting is True
    _, norm = pumped(frame({"type": "tool_call", "name": "approve", "args": {}}))
    assert norm.waiting is False


@pytest.mark.parametrize("args", [{"questions": "nope"}, {"questions": [1, None, {"id": "x"}]}, {}, None, [1, 2]])
def test_malformed_question_arguments_ask_nothing_and_break_nothing(args):
    events, norm = pumped(frame({"type": "tool_call", "name": "ask_question", "args": args}))
    assert [e["type"] for e in events] == ["tool_call"]
    assert norm.waiting is True and norm.questions == []


def test_the_emulator_encodes_a_question_the_way_the_fixture_has_it():
    from nemo_cli.emulator import agent, events

    turn = agent.respond("add background music", _state())
    assert turn.question is not None and turn.draft is None and turn.cost == 0 and turn.tools == []
    (adk,) = events.encode(turn, "adk", invocation_id="e-7c1f3b52", now=1795351702.5)
    recorded = json.loads((FIXTURES / "adk-ask-question.sse").read_bytes().split(b"data: ", 1)[1])
    ours = json.loads(adk[len(b"data: "):])
    assert list(ours) == [k for k in recorded]  # the same keys in the same order
    assert ours["longRunningToolIds"] == [ours["content"]["parts"][0]["functionCall"]["id"]]
    assert ours["content"]["parts"][0]["functionCall"]["args"] == recorded["content"]["parts"][1]["functionCall"]["args"]
    assert adk.endswith(b"}\n\n") and b", " not in adk.split(b'"prompt"')[0]  # compact, like the recordings
    (typed,) = events.encode(turn, "typed", invocation_id="e-1")
    recorded_typed = (FIXTURES / "typed-ask-question.sse").read_bytes().split(b"\n\n")[2] + b"\n\n"
    assert typed == recorded_typed


def _state() -> dict:
    seg = {"id": "s1", "st": 0, "d": 8000, "src": "m1", "in": 0, "m": {"title": "clip.mp4"}}
    return {"draft": {"t": [{"id": "trk_video", "tt": 0, "sg": [seg]}], "d": 8000}, "video_infos": []}
