"""The emulator's editing agent (rules → exact draft edits) and its SSE encoders (→ the recorded wire format)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from nemo_cli.flows import workflows as recipes
from nemo_cli.emulator import events
from nemo_cli.emulator.agent import ToolStep, Turn, parse_time, respond

from tests.support.recordings import SSE as FIXTURES


# -- a session state in the emulator's draft format -------------------------------------------------------


def clip_state(*seconds: float, names: tuple[str, ...] = ()) -> dict:
    """A state with uploaded clips laid end to end on trk_video, as the emulator writes it after uploads."""
    infos, segs, cursor = [], [], 0
    for i, secs in enumerate(seconds):
        name = names[i] if i < len(names) else f"clip{i + 1}.mp4"
        ms = round(secs * 1000)
        infos.append({"id": f"med_{i + 1}", "filename": name, "file_type": "video", "cdn_url": f"http://cdn/f/{name}",
                      "duration": float(secs), "width": 320, "height": 240, "fps": 25, "hash": f"h{i}"})
        segs.append({"id": f"seg_up{i + 1}", "st": cursor, "d": ms, "src": f"med_{i + 1}", "in": 0,
                     "m": {"title": name, "width": 320, "height": 240}})
        cursor += ms
    draft = {"t": [{"id": "trk_video", "tt": 0, "m": {"title": Path(infos[0]["filename"]).stem}, "sg": segs}],
             "d": cursor, "x_emu": {"rev": 3}} if seconds else {"t": [], "d": 0, "x_emu": {"rev": 0}}
    return {"draft": draft, "video_infos": infos, "canvas_config": {"width": 320, "height": 240, "aspect_ratio": "4:3"},
            "generated_media": [], "x_emu_revision": 3}


def video(turn: Turn) -> list[tuple[int, int, str, int]]:
    """(st, d, src, in) of each video segment of the turn's new draft."""
    assert turn.draft is not None
    track = next(t for t in turn.draft["t"] if t["tt"] == 0)
    return [(s["st"], s["d"], s["src"], s["in"]) for s in track["sg"]]


def track(turn: Turn, track_id: str) -> dict:
    assert turn.draft is not None
    return next(t for t in turn.draft["t"] if t["id"] == track_id)


def assert_contiguous(turn: Turn) -> None:
    assert turn.draft is not None
    cursor = 0
    for st, d, _, _ in video(turn):
        assert st == cursor and d > 0
        cursor += d
    assert turn.draft["d"] == cursor


def assert_unchanged(turn: Turn) -> None:
    assert turn.draft is None and turn.cost == 0 and turn.chunks


# -- cutting --------------------------------------------------------------------------------------------


def test_remove_a_range_and_join():
    turn = respond("remove the section between 0:02 and 0:04 and join the remaining parts", clip_state(8))
    assert video(turn) == [(0, 2000, "med_1", 0), (2000, 4000, "med_1", 4000)]
    assert turn.draft["d"] == 6000 and turn.cost == 10
    assert turn.text == "Done! I removed 0:02–0:04 and joined the rest; the video is now 0:06."
    assert [(t.name, t.args) for t in turn.tools] == [("timeline_remove_range", {"start_ms": 2000, "end_ms": 4000})]
    assert turn.tools[0].result == {"ok": True, "changed": True, "duration_ms": 6000}


def test_remove_across_two_clips_maps_to_each_source():
    turn = respond("cut out 0:04-0:06", clip_state(5, 3))
    assert video(turn) == [(0, 4000, "med_1", 0), (4000, 2000, "med_2", 1000)]
    assert_contiguous(turn)


@pytest.mark.parametrize("instruction", ["delete from 5s to 8s", "remove 0:05 - 0:08", "cut out 5 seconds to 8 seconds",
                                         "Remove the part from 0:05.000 to 0:08", "get rid of 0:05–0:08"])
def test_remove_phrasings(instruction):
    turn = respond(instruction, clip_state(10))
    assert video(turn) == [(0, 5000, "med_1", 0), (5000, 2000, "med_1", 8000)]


def test_several_ranges_refer_to_the_timeline_the_message_was_written_for():
    # the client's own trim recipe, two ranges in one sentence
    text = recipes.trim(["0:01-0:02", "0:04-0:05"], None, 8000).instruction
    turn = respond(text, clip_state(8))
    assert video(turn) == [(0, 1000, "med_1", 0), (1000, 2000, "med_1", 2000), (3000, 3000, "med_1", 5000)]
    assert turn.text.startswith("Done! I removed 0:01–0:02 and 0:04–0:05")
    # two separate removals: still the positions the user saw
    again = respond("remove 0:01-0:02 and remove 0:04-0:05", clip_state(8))
    assert video(again) == video(turn)


def test_trim_first_and_last():
    first = respond("trim the first 2 seconds", clip_state(8))
    assert video(first) == [(0, 6000, "med_1", 2000)]
    last = respond("Trim the last 1.5 seconds", clip_state(8))
    assert video(last) == [(0, 6500, "med_1", 0)]
    assert respond("cut 3s from the end", clip_state(8)).draft["d"] == 5000


@pytest.mark.parametrize("instruction", ["cut from 0:01 to 0:05", "keep only 0:01-0:05", "Keep 1s to 5s",
                                         recipes.trim([], "0:01-0:05", 8000).instruction])
def test_cut_from_a_to_b_keeps_that_span(instruction):
    turn = respond(instruction, clip_state(8))
    assert video(turn) == [(0, 4000, "med_1", 1000)]
    assert "kept 0:01–0:05" in turn.text


def test_keep_a_length():
    turn = respond("make it 5 seconds long", clip_state(8))
    assert video(turn) == [(0, 5000, "med_1", 0)]
    shorter = respond("shorten it to 0:03", clip_state(4, 4))
    assert video(shorter) == [(0, 3000, "med_1", 0)]


def test_compile_best_moments_takes_three_evenly_spaced_spans():
    turn = respond("compile the best moments into a 3-second clip", clip_state(8))
    assert video(turn) == [(0, 1000, "med_1", 800), (1000, 1000, "med_1", 3400), (2000, 1000, "med_1", 6100)]
    assert turn.draft["d"] == 3000
    demo = respond(recipes.demo_clip(60, None, None).instruction, clip_state(150))
    assert demo.draft["d"] == 60000 and len(video(demo)) == 3
    assert_contiguous(demo)


def test_best_takes_keeps_four_fifths():
    turn = respond("cut the best takes", clip_state(5, 5))
    assert video(turn) == [(0, 5000, "med_1", 0), (5000, 3000, "med_2", 0)]


# -- adding things --------------------------------------------------------------------------------------


@pytest.mark.parametrize("instruction", ["add title 'Urban Dreams'", 'add a title "Urban Dreams"',
                                         "Add a title card that says “Urban Dreams”", "add title Urban Dreams"])
def test_title(instruction):
    turn = respond(instruction, clip_state(8))
    assert track(turn, "trk_title") == {"id": "trk_title", "tt": 7,
                                        "sg": [{"id": "seg_title", "st": 0, "d": 3000, "m": {"text": "Urban Dreams"}}]}
    assert video(turn) == [(0, 8000, "med_1", 0)] and turn.cost == 10
    # the deterministic GUI talk the client has to translate
    assert turn.text.endswith("You can preview it in the timeline, then click Export when you're ready.")


def test_title_with_the_file_name_and_short_video():
    turn = respond("add a title with the file name", clip_state(2, names=("city timelapse.mov",)))
    assert track(turn, "trk_title")["sg"][0]["m"]["text"] == "city timelapse"
    assert track(turn, "trk_title")["sg"][0]["d"] == 2000  # never longer than the timeline


def test_title_words_are_not_commands():
    turn = respond("add title 'Remove 0:01-0:02 and add music'", clip_state(8))
    assert [t.name for t in turn.tools] == ["title_add"]
    assert video(turn) == [(0, 8000, "med_1", 0)]


def test_music_with_style_and_volume():
    turn = respond("add lo-fi background music at 35%", clip_state(8))
    assert track(turn, "trk_music") == {
        "id": "trk_music", "tt": 1, "m": {"title": "Lo-fi music", "volume": 35, "kind": "music"},
        "sg": [{"id": "seg_music", "st": 0, "d": 8000, "m": {"title": "Lo-fi music", "volume": 35}}]}
    assert "Lo-fi background music at 35%" in turn.text
    # no style named: alone, that asks which (tests/e2e/test_question_e2e.py); beside another request, lo-fi
    default = respond("add transitions and sync background music", clip_state(8))
    assert track(default, "trk_music")["m"] == {"title": "Lo-fi music", "volume": 30, "kind": "music"}
    louder = respond("set the music volume to 80%", {**clip_state(8), "draft": turn.draft})
    assert track(louder, "trk_music")["m"] == {"title": "Lo-fi music", "volume": 80, "kind": "music"}
    assert track(louder, "trk_music")["sg"][0]["m"]["volume"] == 80


def test_music_and_title_follow_the_new_length():
    state = clip_state(8)
    state["draft"] = respond("add jazz music at 40% and add title 'Hi'", state).draft
    turn = respond("trim the first 6 seconds", state)
    assert turn.draft["d"] == 2000
    assert track(turn, "trk_music")["sg"][0]["d"] == 2000
    assert track(turn, "trk_title")["sg"][0]["d"] == 2000


def test_transitions_on_every_segment():
    turn = respond("add dissolve transitions", clip_state(3, 3))
    assert [s["m"]["transition"] for s in track(turn, "trk_video")["sg"]] == ["dissolve", "dissolve"]
    assert "dissolve transitions at the 1 join" in turn.text
    plain = respond("add transitions", clip_state(3, 3))
    assert {s["m"]["transition"] for s in track(plain, "trk_video")["sg"]} == {"crossfade"}
    assert plain.draft["d"] == 6000  # metadata only


def test_colour_grading_values_are_recorded_on_segments():
    turn = respond("warm film look, exposure +0.5, contrast +10, saturation -5", clip_state(3, 3))
    for seg in track(turn, "trk_video")["sg"]:
        assert seg["m"]["grade"] == {"look": "warm film", "exposure": 0.5, "contrast": 10, "saturation": -5}
    text = recipes.grade("teal-orange", {"exposure": -0.3, "contrast": None, "saturation": 20,
                                         "temperature": None, "highlights": -15, "shadows": None}).instruction
    graded = respond(text, clip_state(8))
    assert track(graded, "trk_video")["sg"][0]["m"]["grade"] == {
        "look": "teal orange", "exposure": -0.3, "contrast": 0, "saturation": 20, "highlights": -15}
    lightroom = respond("apply Lightroom-style color grading and adjust exposure, contrast, and saturation", clip_state(8))
    grade = track(lightroom, "trk_video")["sg"][0]["m"]["grade"]
    assert grade["look"] == "Lightroom" and grade["exposure"] > 0 and grade["contrast"] > 0 and grade["saturation"] > 0


def test_generation_without_media():
    turn = respond("generate a 15-second clip of a sunset over the sea", clip_state())
    assert turn.cost == 100
    assert video(turn) == [(0, 15000, "generated", 0)]
    assert [t["tt"] for t in turn.draft["t"]] == [0, 1, 7]  # stage two: music and a title of its own
    assert [t.name for t in turn.tools] == ["video_generate", "music_add", "title_add"]
    assert track(turn, "trk_music")["sg"][0]["d"] == 15000
    assert track(turn, "trk_title")["sg"][0]["m"]["text"] == "A sunset over the sea"
    assert turn.draft["x_emu"] == {"rev": 0}
    # with footage in the session, nothing is generated
    assert_unchanged(respond("generate a clip of a sunset", clip_state(8)))
    # music asked for in the same message replaces the automatic one
    own = respond("generate a clip of a city at night with jazz music", clip_state())
    assert [t.name for t in own.tools] == ["video_generate", "title_add", "music_add"]
    assert track(own, "trk_music")["m"]["title"] == "Jazz music"
    assert own.tools[0].args == {"prompt": "a city at night", "duration_ms": 10000}


# -- several actions, clamping, refusals, unknowns ------------------------------------------------------


def test_several_actions_in_order():
    text = recipes.film(True, "crossfade", "lo-fi", 35).instruction
    turn = respond(text, clip_state(5, 5))
    assert [t.name for t in turn.tools] == ["timeline_best_takes", "transitions_set", "music_add"]
    assert video(turn) == [(0, 5000, "med_1", 0), (5000, 3000, "med_2", 0)]
    assert track(turn, "trk_music")["sg"][0]["d"] == 8000 and track(turn, "trk_music")["m"]["volume"] == 35
    assert turn.cost == 10
    demo = respond(recipes.demo_clip(4, "jazz", "Launch").instruction, clip_state(8))
    assert [t.name for t in demo.tools] == ["timeline_keep_length", "music_add", "title_add"]
    assert demo.draft["d"] == 4000 and track(demo, "trk_music")["sg"][0]["d"] == 4000


def test_ranges_past_the_end_are_clamped():
    turn = respond("remove the section between 0:05 and 1:20", clip_state(8))
    assert video(turn) == [(0, 5000, "med_1", 0)]
    assert "0:05–0:08" in turn.text
    kept = respond("cut from 0:06 to 0:45", clip_state(8))
    assert video(kept) == [(0, 2000, "med_1", 6000)]
    assert_unchanged(respond("remove 0:45-1:20", clip_state(8)))  # nothing there to remove


@pytest.mark.parametrize("instruction", ["remove 0:00-0:20", "trim the first 8 seconds", "keep 0:30-0:40",
                                         "remove 0:00-0:08 and add title 'X'"])
def test_removing_everything_is_refused(instruction):
    turn = respond(instruction, clip_state(8))
    assert_unchanged(turn)
    assert turn.text.startswith("I can't do that") and turn.tools == []


def test_unknown_instruction_gets_a_polite_reply():
    turn = respond("what's the weather like?", clip_state(8))
    assert_unchanged(turn)
    assert turn.tools == [] and turn.text.startswith("Sorry") and "title" in turn.text


def test_edits_without_media_ask_for_an_upload():
    turn = respond("trim the first 2 seconds", clip_state())
    assert_unchanged(turn)
    assert "upload" in turn.text.lower()


def test_unknown_keys_pass_through_and_state_is_untouched():
    state = clip_state(8)
    state["draft"]["t"][0]["zz"] = {"keep": 1}
    state["draft"]["t"][0]["sg"][0]["fx"] = [1, 2]
    state["draft"]["t"].append({"id": "trk_sticker", "tt": 5, "sg": [{"id": "x", "st": 1000, "d": 500, "q": 1}], "w": 2})
    before = copy.deepcopy(state)
    turn = respond("remove 0:02-0:04 and add title 'T'", state)
    assert state == before
    assert turn.draft["x_emu"] == {"rev": 3}
    assert track(turn, "trk_video")["zz"] == {"keep": 1}
    assert [s.get("fx") for s in track(turn, "trk_video")["sg"]] == [[1, 2], [1, 2]]
    assert track(turn, "trk_sticker") == before["draft"]["t"][1]


def test_first_upload_without_a_track_builds_the_timeline_from_media():
    state = clip_state(4, 4)
    state["draft"] = {"t": [], "d": 0}
    turn = respond("trim the last 2 seconds", state)
    assert video(turn) == [(0, 4000, "med_1", 0), (4000, 2000, "med_2", 0)]


def test_silent_turns_do_the_work_without_text():
    turn = respond("remove 0:02-0:04", clip_state(8), silent=True)
    assert turn.chunks == [] and turn.tools and turn.draft["d"] == 6000 and turn.cost == 10
    # a reply that changes nothing always speaks
    assert respond("hello", clip_state(8), silent=True).chunks


def test_chunks_join_to_the_text_and_turns_are_deterministic():
    a = respond("add lo-fi background music at 35% and add title 'X'", clip_state(8))
    b = respond("add lo-fi background music at 35% and add title 'X'", clip_state(8))
    assert a == b and len(a.chunks) > 1 and "".join(a.chunks) == a.text


@pytest.mark.parametrize("text,ms", [("45", 45000), ("0:45", 45000), ("1:20", 80000), ("01:02:03", 3723000),
                                     ("0:02.5", 2500), ("1:20.125", 80125), ("45s", 45000), ("45 seconds", 45000),
                                     ("1m20s", 80000), ("2 minutes", 120000), ("60-second", 60000), ("500ms", 500)])
def test_timestamps(text, ms):
    assert parse_time(text) == ms


# -- the SSE encoders -----------------------------------------------------------------------------------


def frames_of(raw: bytes) -> list[bytes]:
    return [f + b"\n\n" for f in raw.split(b"\n\n") if f]


def events_of(frames: list[bytes]) -> list[dict]:
    out = []
    for frame in frames:
        assert frame.endswith(b"\n\n") and frame.count(b"\n") == 2, frame
        if frame.startswith(b"data: {"):
            out.append(json.loads(frame[6:], object_pairs_hook=dict))
    return out


def recorded(name: str) -> list[dict]:
    return events_of(frames_of((FIXTURES / name).read_bytes()))


def shape(event: dict) -> list:
    """Keys in order, and the keys in order of every part and of actions: what the framework writes."""
    parts = event.get("content", {}).get("parts", [])
    return [list(event), [[list(p)] + [list(v) for v in p.values() if isinstance(v, dict)] for p in parts],
            list(event.get("actions", {}))]


def turn_with_tools(silent: bool = False) -> Turn:
    return respond("add title 'Urban Dreams' and lo-fi music at 35%", clip_state(8), silent=silent)


def test_adk_frames_match_the_recordings():
    turn = turn_with_tools()
    frames = events.encode(turn, "adk", invocation_id="e-test", now=1795351691.25)
    parsed = events_of(frames)
    assert len(frames) == len(parsed) == 2 + len(turn.chunks) + 1
    for frame in frames:  # compact JSON, raw UTF-8, exactly like the framework
        payload = frame[len(b"data: "):-2]
        assert payload == json.dumps(json.loads(payload), separators=(",", ":"), ensure_ascii=False).encode()
    call, response, *texts = parsed
    fixture = recorded("adk-partial-with-pings.sse")
    assert shape(call)[0] == shape(fixture[0])[0] and shape(response)[0] == shape(fixture[1])[0]
    assert [p["functionCall"]["name"] for p in call["content"]["parts"]] == ["title_add", "music_add"]
    assert [list(p["functionCall"]) for p in call["content"]["parts"]] == [["id", "args", "name"]] * 2
    assert [list(p["functionResponse"]) for p in response["content"]["parts"]] == [["id", "name", "response"]] * 2
    assert [p["functionCall"]["id"] for p in call["content"]["parts"]] == [
        p["functionResponse"]["id"] for p in response["content"]["parts"]]
    partials, closing = texts[:-1], texts[-1]
    assert all(shape(e) == shape(fixture[2]) for e in partials)
    assert [e["content"]["parts"][0]["text"] for e in partials] == turn.chunks
    assert closing["partial"] is False and closing["turnComplete"] is True
    assert closing["content"]["parts"][0]["text"] == turn.text
    assert [k for k in closing if k != "turnComplete"] == list(fixture[-1])
    assert list(closing).index("turnComplete") == list(closing).index("partial") + 1
    assert sum("turnComplete" in e for e in parsed) == 1
    assert {e["invocationId"] for e in parsed} == {"e-test"} and len({e["id"] for e in parsed}) == len(parsed)
    assert all(e["actions"] == fixture[0]["actions"] and e["nodeInfo"] == {"path": ""} for e in parsed)
    assert all(e["author"] == "nemo_agent" for e in parsed)
    assert [e["timestamp"] for e in parsed] == sorted(e["timestamp"] for e in parsed)


def test_adk_silent_turn_ends_after_the_function_response():
    turn = respond("add title 'Sunset Run'", clip_state(8), silent=True)
    parsed = events_of(events.encode(turn, "adk", invocation_id="e-s"))
    fixture = recorded("adk-silent.sse")
    assert len(parsed) == len(fixture) == 2
    assert shape(parsed[0]) == shape(fixture[0])
    assert [k for k in parsed[1] if k != "turnComplete"] == list(fixture[1]) and parsed[1]["turnComplete"] is True


def test_adk_text_only_turn():
    parsed = events_of(events.encode(respond("hello", clip_state(8)), "adk", invocation_id="e-t"))
    assert all("content" in e and "text" in e["content"]["parts"][0] for e in parsed)
    assert [e["partial"] for e in parsed] == [True] * (len(parsed) - 1) + [False]


def test_typed_frames_match_the_recording():
    turn = turn_with_tools()
    frames = events.encode(turn, "typed", invocation_id="e-x")
    parsed = events_of(frames)
    fixture = {e["type"]: list(e) for e in recorded("typed-events.sse")}
    assert [e["type"] for e in parsed] == ["tool_call", "tool_result", "tool_call", "tool_result"] + ["text"] * len(turn.chunks)
    assert all(list(e) == fixture[e["type"]] for e in parsed)
    assert "".join(e["content"] for e in parsed if e["type"] == "text") == turn.text
    for frame in frames:  # the recording's json.dumps spacing
        payload = frame[len(b"data: "):-2]
        assert payload == json.dumps(json.loads(payload), ensure_ascii=False).encode()
    assert [e["type"] for e in events_of(events.encode(turn_with_tools(silent=True), "typed", invocation_id="e"))] == [
        "tool_call", "tool_result", "tool_call", "tool_result"]


def test_encoding_is_repeatable():
    turn = turn_with_tools()
    assert events.encode(turn, "adk", invocation_id="e-1", now=5.0) == events.encode(turn, "adk", invocation_id="e-1", now=5.0)
    assert events.encode(turn, "adk", invocation_id="e-1", now=5.0) != events.encode(turn, "adk", invocation_id="e-2", now=5.0)


def test_keepalives_rotate_through_the_recorded_forms():
    recorded_bytes = b"".join((FIXTURES / n).read_bytes() for n in ("adk-partial-with-pings.sse", "typed-events.sse"))
    for flavor in ("adk", "typed"):
        forms = [events.keepalive(flavor, n) for n in range(8)]
        assert len(set(forms)) >= 2
        for form in forms:
            assert form.endswith(b"\n\n")
            assert form in recorded_bytes or form == b"data: \n\n"  # the spaced empty data line is legal SSE too
    assert b'data: {"type": "heartbeat"}\n\n' in {events.keepalive("typed", n) for n in range(4)}


def test_error_frames():
    adk = events_of([events.error("adk", 2001, "Out of credits", invocation_id="e-9", now=1.5)])[0]
    assert adk["errorCode"] == "2001" and adk["errorMessage"] == "Out of credits" and adk["turnComplete"] is True
    assert list(adk)[-6:] == ["invocationId", "author", "actions", "nodeInfo", "id", "timestamp"]
    typed = events_of([events.error("typed", 2001, "Out of credits")])[0]
    assert typed == {"type": "error", "code": 2001, "message": "Out of credits"}


def test_unknown_flavour_is_a_programming_error():
    with pytest.raises(ValueError):
        events.encode(Turn([], [ToolStep("x", {}, {})], None, 0), "xml", invocation_id="e")
    with pytest.raises(ValueError):
        events.keepalive("xml", 0)


def test_music_and_title_can_be_removed_again():
    state = clip_state(8)
    state["draft"] = respond("add jazz music and add title 'Hi'", state).draft
    turn = respond("remove the music and delete the title", state)
    assert [t["id"] for t in turn.draft["t"]] == ["trk_video"]
    assert turn.text == "Done! I removed the background music and removed the title."
    assert_unchanged(respond("remove the music", clip_state(8)))


def test_questions_about_the_timeline_are_answered_without_a_change():
    turn = respond("how long is the video?", clip_state(5, 3))
    assert_unchanged(turn)
    assert turn.text.startswith("The video is 0:08 long, in 2 segments.")
