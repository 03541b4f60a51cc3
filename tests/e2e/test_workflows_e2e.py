"""The workflow recipes end to end: the real `nemo` against the emulator over loopback. Each recipe's
change must really be in the draft afterwards, it must name its workflow in X-Skill-Source, and bad
parameters must be refused before a message (and a credit) goes out."""

from __future__ import annotations

import json

import pytest

from nemo_cli import draft as timeline


@pytest.fixture
def clip_seconds():
    return 8  # the length of the clip in the session fixture (conftest)


def draft(emulator):
    done = emulator.nemo("state", "--draft")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def runs(emulator):
    return [r for r in emulator.requests if r.path == "/run_sse"]


def video_segments(d):
    return [s for t in timeline.tracks(d) if t.get("tt") == 0 for s in timeline.segments(t)]


def test_trim_remove_cuts_the_range_and_names_its_workflow(session):
    done = session.nemo("trim", "--remove", "0:02-0:04")
    assert done.returncode == 0, done.stderr
    d = draft(session)
    assert timeline.duration_ms(d) == 6000
    assert [(s["in"], s["d"]) for s in video_segments(d)] == [(0, 2000), (4000, 4000)]
    [run] = runs(session)
    assert run.headers["x-skill-source"] == "video-trimmer-in-between"
    assert "0:02" in json.dumps(run.json) and "0:04" in json.dumps(run.json)
    assert "warning" not in done.stderr


def test_trim_keep_keeps_one_range(session):
    done = session.nemo("trim", "--keep", "1-5.5")
    assert done.returncode == 0, done.stderr
    d = draft(session)
    assert timeline.duration_ms(d) == 4500
    assert [(s["in"], s["d"]) for s in video_segments(d)] == [(1000, 4500)]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--remove", "0:05-0:12"], "past the end"),
        (["--remove", "0:01-0:03", "--remove", "0:02-0:04"], "overlap"),
        (["--remove", "0:04-0:02"], "end must come after the start"),
        (["--remove", "1:75-2:00"], "not a timestamp"),
    ],
)
def test_bad_trim_ranges_are_refused_before_anything_is_sent(session, args, message):
    done = session.nemo("trim", *args)
    assert done.returncode in (2, 6), done.stderr
    assert message in done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert "Traceback" not in done.stderr
    assert runs(session) == []
    assert timeline.duration_ms(draft(session)) == 8000


def test_dry_run_prints_the_instruction_and_sends_nothing(session):
    done = session.nemo("trim", "--remove", "0:02-0:04.5", "--dry-run", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["sent"] is False and doc["workflow"] == "video-trimmer-in-between"
    assert "0:02" in doc["instruction"] and "0:04.5" in doc["instruction"]
    # a dry run still checks the range against the media
    assert session.nemo("trim", "--remove", "0:45-1:20", "--dry-run").returncode == 6
    assert runs(session) == []
    assert timeline.duration_ms(draft(session)) == 8000


def test_grade_records_the_values_on_every_segment(session):
    done = session.nemo("grade", "--look", "cinematic", "--exposure", "+0.5", "--contrast", "10", "--saturation", "-5")
    assert done.returncode == 0, done.stderr
    grades = [s["m"]["grade"] for s in video_segments(draft(session))]
    assert grades and all(g.get("exposure") == 0.5 and g.get("contrast") == 10 and g.get("saturation") == -5 for g in grades)
    assert runs(session)[0].headers["x-skill-source"] == "video-editing-with-lightroom"


def test_grade_values_out_of_range_are_refused(session):
    done = session.nemo("grade", "--exposure", "9")
    assert done.returncode in (2, 6)
    assert "exposure" in done.stderr
    assert runs(session) == []


def test_film_adds_transitions_and_music_at_the_volume_asked(session):
    done = session.nemo("film", "--transitions", "crossfade", "--music", "upbeat", "--music-volume", "25")
    assert done.returncode == 0, done.stderr
    d = draft(session)
    music = [t for t in timeline.tracks(d) if t.get("tt") == 1]
    assert len(music) == 1 and timeline.volume(music[0]) == 25
    assert any(s["m"].get("transition") == "crossfade" for s in video_segments(d))
    assert runs(session)[0].headers["x-skill-source"] == "film-maker"


def test_demo_clip_keeps_the_length_and_adds_the_title(session):
    done = session.nemo("demo-clip", "--length", "5", "--title", "Product tour")
    assert done.returncode == 0, done.stderr
    d = draft(session)
    assert timeline.duration_ms(d) == 5000
    titles = [timeline.name(t) for t in timeline.tracks(d) if t.get("tt") == 7]
    assert titles == ["Product tour"]
    assert runs(session)[0].headers["x-skill-source"] == "demo-clip-maker"


def test_a_recipe_on_an_empty_timeline_is_refused(emulator):
    assert emulator.nemo("session", "new", "-q").returncode == 0
    done = emulator.nemo("film", "--best-takes")
    assert done.returncode == 6
    assert "nothing to edit yet" in done.stderr
    assert runs(emulator) == []
