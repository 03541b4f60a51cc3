"""`nemo chat` lines → the steps that carry them out and the command lines they stand for (routing
dispatch, no network)."""

import pytest

from nemo_cli.errors import UsageError
from nemo_cli.flows.chat import turns as chat_turns


@pytest.mark.parametrize(
    "line,commands",
    [
        ("export", [["export", "-o", "."]]),
        ("export 1080p mp4", [["export", "-o", ".", "--resolution", "1080p", "--format", "mp4"]]),
        ("please export to out/cut.mp4", [["export", "-o", "out/cut.mp4", "--format", "mp4"]]),
        ("download it into /tmp/renders", [["export", "-o", "/tmp/renders"]]),
        ("send me the video", [["export", "-o", "."]]),
        ("导出 720p", [["export", "-o", ".", "--resolution", "720p"]]),
        ("export to final.mp4 overwrite", [["export", "-o", "final.mp4", "--format", "mp4", "--force"]]),
        ("credits", [["credits"]]),
        ("余额", [["credits"]]),
        ("what is my balance", [["edit", "--", "what is my balance"], ["state"]]),  # English keywords lead
        ("status", [["state"]]),
        ("show tracks", [["state"]]),
        ("状态", [["state"]]),
        ("add lo-fi music at 35%", [["edit", "--", "add lo-fi music at 35%"], ["state"]]),
        ("add a download button overlay", [["edit", "--", "add a download button overlay"], ["state"]]),
        ("upload missing.mp4", [["upload", "--", "missing.mp4"]]),
        ("上传 clips/a.mov", [["upload", "--", "clips/a.mov"]]),
    ],
)
def test_lines_become_commands(line, commands):
    assert chat_turns.plan(line).commands == commands


def test_a_path_alone_is_an_upload(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "raw.mp4").write_bytes(b"\0")
    (tmp_path / "b-roll.mov").write_bytes(b"\0")
    turn = chat_turns.plan("raw.mp4 b-roll.mov")
    assert turn.route.action == "upload" and turn.needs_session
    assert turn.commands == [["upload", "--", "raw.mp4", "b-roll.mov"]]


def test_session_and_output_modes_pass_through():
    turn = chat_turns.plan("add a title", session="42", json=True)
    assert turn.commands == [["edit", "--session", "42", "--json", "--", "add a title"], ["state", "--session", "42", "--json"]]
    assert turn.needs_session
    assert chat_turns.plan("credits", session="42", quiet=True).commands == [["credits", "-q"]]  # credits has no session
    assert chat_turns.plan("export", session="42").commands == [["export", "-o", ".", "--session", "42"]]


def test_an_edit_that_looks_like_an_option_stays_text():
    assert chat_turns.plan("-5 dB on the music").commands[0] == ["edit", "--", "-5 dB on the music"]


def test_upload_without_a_file_is_refused():
    with pytest.raises(UsageError, match="upload what"):
        chat_turns.plan("upload my holiday video")


@pytest.mark.parametrize(
    "line,target",
    [("export", None), ("export 1080p mp4", None), ("export to a.mp4", "a.mp4"), ("export as 'my cut.mp4'", "my cut.mp4"),
     ("export it to ~/Videos", "~/Videos"), ("导出到 x.mp4", "x.mp4"), ("export to 1080p", None)],
)
def test_export_target(line, target):
    assert chat_turns.export_target(line) == target


def test_a_lone_dash_is_not_an_edit_reading_stdin():
    with pytest.raises(UsageError, match="say what to do"):
        chat_turns.plan("-")


def test_root_options_are_passed_on():
    from nemo_cli.options import Globals

    params = {"version": False, "debug": True, "no_color": True, "profile": "work", "api_url": "http://127.0.0.1:1"}
    assert Globals.from_params(params).args() == ["--debug", "--no-color", "--profile", "work", "--api-url", "http://127.0.0.1:1"]
    assert Globals.from_params({"debug": False, "no_color": False, "profile": None, "api_url": None}).args() == []


def test_steps_are_verbs_with_their_values():
    from nemo_cli.flows.chat import Credits, Edit, Export, State, Upload

    assert chat_turns.plan("export 1080p to cut.mp4 overwrite").steps == [Export("cut.mp4", "1080p", "mp4", True)]
    assert chat_turns.plan("download it into out/").steps == [Export("out/")]
    assert chat_turns.plan("upload a.mov b.mp4").steps == [Upload(("a.mov", "b.mp4"))]
    assert chat_turns.plan("余额").steps == [Credits()] and chat_turns.plan("show tracks").steps == [State()]
    turn = chat_turns.plan("add music", answers=("first",), expect_change=True)
    assert turn.steps == [Edit("add music", ("first",), True), State()]
    assert turn.commands[0] == ["edit", "--answer=first", "--expect-change", "--", "add music"]


def test_an_answer_is_an_edit_whatever_its_words():
    from nemo_cli.flows.chat import Edit, State

    turn = chat_turns.plan("export", answer=True)
    assert turn.route.action == "edit" and turn.steps == [Edit("export"), State()]


def test_a_new_session_goes_first_when_a_step_needs_one():
    turn = chat_turns.plan("upload a.mp4", json=True)
    turn.start_session("nemo chat 2026-01-01 10:00")
    assert turn.commands == [["session", "new", "--name", "nemo chat 2026-01-01 10:00", "--json"],
                             ["upload", "--json", "--", "a.mp4"]]
