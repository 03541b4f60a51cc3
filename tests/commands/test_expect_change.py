"""`--expect-change` end to end: an instruction the service did not understand leaves the timeline as it
was; with the flag, edit, the workflows and chat then exit 14 (after printing what the service said), so a
CI script does not go on to export an unedited video. Without the flag that is still exit 0. Every message
is sent once."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.e2e.test_question_e2e import checked, ready, sent


def test_an_instruction_the_service_did_not_understand_exits_14(emulator):
    ready(emulator)
    done = checked(emulator.nemo("edit", "make it black and white", "--expect-change"))
    assert done.returncode == 14
    assert done.stdout.startswith("Sorry, I'm not sure what to change for \"make it black and white\".")
    lines = done.stderr.splitlines()
    assert lines[-2] == "error: the edit changed nothing in the timeline"
    assert lines[-1] == "hint: the service's reply above may say why; say it differently, or look at the session with `nemo state`"
    assert sent(emulator) == ["make it black and white"]
    plain = checked(emulator.nemo("edit", "--json", "make it black and white"))
    assert plain.returncode == 0  # without the flag an unchanged timeline is no error
    assert json.loads(plain.stdout.splitlines()[-1])["changes"] == []
    assert sent(emulator) == ["make it black and white"] * 2


def test_json_prints_the_done_event_then_exits_14(emulator):
    ready(emulator)
    done = checked(emulator.nemo("edit", "--json", "--expect-change", "今天天气怎么样"))
    assert done.returncode == 14
    last = json.loads(done.stdout.splitlines()[-1])
    assert (last["type"], last["outcome"], last["changes"]) == ("done", "reply", [])
    assert last["text"].startswith("Sorry, I'm not sure what to change for \"今天天气怎么样\".")  # an English session
    assert done.stderr.count("error: ") == 1 and "changed nothing" in done.stderr
    assert sent(emulator) == ["今天天气怎么样"]


def test_an_edit_that_changes_the_timeline_passes(emulator):
    ready(emulator)
    done = checked(emulator.nemo("edit", "trim the first 2 seconds", "--expect-change"))
    assert done.returncode == 0, done.stderr
    emulator.options.silent_rate = 1.0  # no reply text: the change in the state is what counts
    silent = checked(emulator.nemo("edit", "add title 'Quiet'", "--expect-change"))
    assert silent.returncode == 0, silent.stderr
    assert silent.stdout.splitlines()[0] == "The service sent no reply text; what changed:"
    assert sent(emulator) == ["trim the first 2 seconds", "add title 'Quiet'"]


def test_an_answered_question_counts_the_change_of_the_answer(emulator):
    ready(emulator)
    done = checked(emulator.nemo("edit", "add background music", "--answer", "first", "--expect-change"))
    assert done.returncode == 0, done.stderr
    assert sent(emulator) == ["add background music", "Upbeat pop"]


def test_a_workflow_that_changed_nothing_exits_14(emulator):
    ready(emulator)
    first = checked(emulator.nemo("grade", "--look", "cinematic", "--expect-change"))
    assert first.returncode == 0, first.stderr
    again = checked(emulator.nemo("grade", "--look", "cinematic", "--expect-change"))
    assert again.returncode == 14
    assert "I left the video as it was: that color grade is already applied." in again.stdout
    assert "error: the edit changed nothing in the timeline" in again.stderr
    instruction = "Apply Lightroom-style color grading across the whole clip with a cinematic look."
    assert sent(emulator) == [instruction, instruction]


def test_chat_one_line_with_expect_change(emulator, tmp_path):
    ready(emulator)

    def chat(*args):
        return checked(subprocess.run([sys.executable, "-m", "nemo_cli", "chat", *args], capture_output=True, text=True,
                                      cwd=tmp_path, env=emulator.env(), timeout=120))

    failed = chat("make it black and white", "--expect-change")
    assert failed.returncode == 14
    assert failed.stdout.startswith("Sorry") and "Timeline (" not in failed.stdout  # no summary after a failed edit
    done = chat("add title 'Chat'", "--expect-change")
    assert done.returncode == 0, done.stderr
    assert 'Title: "Chat"' in done.stdout
    assert sent(emulator) == ["make it black and white", "add title 'Chat'"]
