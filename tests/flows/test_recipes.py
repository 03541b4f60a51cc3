"""Timestamp and range rules, and the instruction each recipe composes."""

import pytest

from nemo_cli.errors import BadInput, UsageError
from nemo_cli.flows import workflows as recipes


@pytest.mark.parametrize(
    "text,ms",
    [("45", 45000), ("0:45", 45000), ("1:20", 80000), ("01:02:03", 3723000), ("1:20.5", 80500), ("0.250", 250), ("90", 90000)],
)
def test_timestamps(text, ms):
    assert recipes.parse_timestamp(text) == ms


@pytest.mark.parametrize("text", ["", "abc", "1:2:3:4", "1:75", "1:60:00", "-5", "1:20.1234", "1::2"])
def test_bad_timestamps(text):
    with pytest.raises(UsageError):
        recipes.parse_timestamp(text)


def test_format_round_trip():
    for ms in [0, 45000, 80500, 3723000]:
        assert recipes.parse_timestamp(recipes.format_timestamp(ms)) == ms


def test_ranges_sorted_and_checked():
    assert recipes.check_ranges([(80000, 90000), (5000, 10000)], 120000) == [(5000, 10000), (80000, 90000)]
    with pytest.raises(UsageError, match="overlap"):
        recipes.check_ranges([(5000, 20000), (10000, 30000)], None)
    with pytest.raises(BadInput, match="past the end"):
        recipes.check_ranges([(5000, 130000)], 120000)
    with pytest.raises(UsageError, match="empty range"):
        recipes.parse_range("1:20-0:45")
    with pytest.raises(UsageError, match="not a range"):
        recipes.parse_range("0:45")


def test_trim_remove_instruction_and_check():
    recipe = recipes.trim(["0:45-1:20"], None, 120000)
    assert recipe.workflow == "video-trimmer-in-between"
    assert recipe.instruction == "Remove the section between 0:45 and 1:20 and join the remaining parts smoothly."
    track = {"tt": 0, "sg": [{"st": 0, "d": 85000}]}
    assert recipe.verify({}, {"draft": {"t": [track]}}) == []
    track["sg"][0]["d"] = 120000
    assert "85s" in recipe.verify({}, {"draft": {"t": [track]}})[0]


def test_trim_several_ranges_and_keep():
    text = recipes.trim(["0:45-1:20", "0:05-0:10"], None, None).instruction
    assert text == "Remove the sections between 0:05 and 0:10, and between 0:45 and 1:20, and join the remaining parts smoothly."
    keep = recipes.trim([], "0:30-1:45", None)
    assert "keep only the part from 0:30 to 1:45" in keep.instruction
    with pytest.raises(UsageError):
        recipes.trim(["0:01-0:02"], "0:30-1:45", None)
    with pytest.raises(UsageError):
        recipes.trim([], None, None)


def test_grade_ranges_and_looks():
    recipe = recipes.grade("Cinematic", {"exposure": 0.5, "contrast": -20, "saturation": None})
    assert recipe.workflow == "video-editing-with-lightroom"
    assert recipe.instruction == (
        "Apply Lightroom-style color grading across the whole clip with a cinematic look, "
        "adjusting exposure +0.5 EV, contrast -20."
    )
    with pytest.raises(UsageError, match="between -5 and \\+5 EV"):
        recipes.grade(None, {"exposure": 6})
    with pytest.raises(UsageError, match="unknown look"):
        recipes.grade("sepia-ish", {})
    with pytest.raises(UsageError, match="nothing to grade"):
        recipes.grade(None, {"exposure": None})


def test_film_and_demo_clip():
    film = recipes.film(True, "crossfade", "upbeat", 30)
    assert film.workflow == "film-maker"
    assert film.instruction == "Cut the best takes, add crossfade transitions between the shots, and sync upbeat background music at 30% volume."
    with pytest.raises(UsageError):
        recipes.film(False, None, None, None)
    with pytest.raises(UsageError):
        recipes.film(False, None, "lo-fi", 130)
    demo = recipes.demo_clip(60, None, "Urban Dreams")
    assert demo.workflow == "demo-clip-maker"
    assert demo.instruction == "Trim the best moments and compile them into a 60-second demo clip with the title 'Urban Dreams'."
    long_source = {"draft": {"t": [{"tt": 0, "sg": [{"st": 0, "d": 120000}]}]}}
    result = {"draft": {"t": [{"tt": 0, "sg": [{"st": 0, "d": 60000}]}, {"tt": 7, "sg": [{"d": 3000, "m": {"text": "Urban Dreams"}}]}]}}
    assert demo.verify(long_source, result) == []
    assert len(demo.verify(long_source, long_source)) == 2
    with pytest.raises(UsageError):
        recipes.demo_clip(0, None, None)
