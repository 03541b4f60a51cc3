"""The service asks a question instead of editing, end to end: the real `nemo` in a subprocess against the
emulator on loopback, whose agent asks which music style when a message wants background music of no
named style. Asserted: what is printed (stdout, stderr), the exit code (13: waiting for your answer), and
what the emulator received — above all, every message exactly once, and the answer as the option's label."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

import pytest

QUESTION = [
    "Which music style do you want?",
    "  1. Upbeat pop",
    "  2. Calm piano",
    "  3. Cinematic",
    "  4. Lo-fi",
]
ASKED = "error: the service asks “Which music style do you want?” (1. Upbeat pop, 2. Calm piano, 3. Cinematic, 4. Lo-fi)"


def ready(emulator, *, language: str | None = None) -> str:
    """An anonymous token, a session and a 5-second clip in it (a URL upload: no ffmpeg needed)."""
    sid = emulator.nemo("session", "new", "-q", *(["--language", language] if language else []))
    assert sid.returncode == 0, sid.stderr
    up = emulator.nemo("upload", "--url", "https://example.com/clip.mp4")
    assert up.returncode == 0, up.stderr
    return sid.stdout.strip()


def sent(emulator) -> list[str]:
    """The text of every message the emulator was sent, in order."""
    return [r.json["new_message"]["parts"][0]["text"] for r in emulator.requests if r.method == "POST" and r.path == "/run_sse"]


def after_last_message(emulator) -> list[str]:
    posts = [i for i, r in enumerate(emulator.requests) if r.method == "POST" and r.path == "/run_sse"]
    return [f"{r.method} {r.path}" for r in emulator.requests[posts[-1] + 1 :]]


def checked(result) -> subprocess.CompletedProcess:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert "nmv_usr_" not in result.stdout + result.stderr
    return result


def music(emulator) -> str:
    state = checked(emulator.nemo("state", "--json"))
    titles = [t["m"]["title"] for t in json.loads(state.stdout)["draft"]["t"] if t.get("tt") == 1]
    assert len(titles) == 1, titles
    return titles[0]


# -- nemo edit ---------------------------------------------------------------------------------------


def test_a_question_ends_the_edit_at_once_and_its_number_answers_it(emulator):
    ready(emulator)
    asked = checked(emulator.nemo("edit", "add background music"))
    assert asked.returncode == 13
    assert asked.stdout.splitlines() == QUESTION
    lines = asked.stderr.splitlines()
    assert lines[0] == ASKED + " and is waiting for your answer"
    assert lines[1].startswith('hint: answer with the next message: nemo edit "Upbeat pop" (or its number: nemo edit 1)')
    assert len(lines) == 2
    # ended at once: no watching of the state after the message (a cut stream would be recovered by polling it)
    assert after_last_message(emulator) == []
    assert sent(emulator) == ["add background music"]

    answered = checked(emulator.nemo("edit", "2"))
    assert answered.returncode == 0, answered.stderr
    assert "answering “Which music style do you want?” (1. Upbeat pop, 2. Calm piano, 3. Cinematic, 4. Lo-fi) with: Calm piano" in answered.stderr
    assert answered.stdout.startswith("Done! I added Calm piano background music at 30%.")
    assert sent(emulator) == ["add background music", "Calm piano"]  # the label, once; the question, once
    assert music(emulator) == "Calm piano music"

    # the question is answered: a number now goes as it is (and the agent does not understand it)
    literal = checked(emulator.nemo("edit", "2"))
    assert literal.returncode == 0 and "answering" not in literal.stderr
    assert sent(emulator)[-1] == "2" and literal.stdout.startswith("Sorry, I'm not sure what to change for \"2\".")


def test_an_option_label_in_another_case_is_sent_as_the_option_wrote_it(emulator):
    ready(emulator)
    assert checked(emulator.nemo("edit", "add some background music")).returncode == 13
    answered = checked(emulator.nemo("edit", "upbeat POP"))
    assert answered.returncode == 0, answered.stderr
    assert sent(emulator) == ["add some background music", "Upbeat pop"]
    assert music(emulator) == "Upbeat pop music"


def test_an_answer_in_words_of_ones_own_goes_as_written(emulator):
    ready(emulator)
    assert checked(emulator.nemo("edit", "add background music at 35%")).returncode == 13
    answered = checked(emulator.nemo("edit", "jazz"))
    assert answered.returncode == 0, answered.stderr
    assert "answering" not in answered.stderr
    assert sent(emulator) == ["add background music at 35%", "jazz"]
    assert "Jazz background music at 35%" in answered.stdout  # the first message's volume, the answer's style


def test_json_prints_one_question_event_and_no_done(emulator):
    ready(emulator)
    asked = checked(emulator.nemo("edit", "--json", "add background music"))
    assert asked.returncode == 13
    events = [json.loads(line) for line in asked.stdout.splitlines()]
    questions = [e for e in events if e["type"] == "question"]
    assert len(questions) == 1 and not [e for e in events if e["type"] == "done"]
    q = questions[0]
    assert (q["id"], q["prompt"], q["allow_multiple"]) == ("music_style", "Which music style do you want?", False)
    assert [o["label"] for o in q["options"]] == ["Upbeat pop", "Calm piano", "Cinematic", "Lo-fi"]
    assert [o["id"] for o in q["options"]] == ["upbeat_pop", "calm_piano", "cinematic", "lo_fi"]
    call = next(e for e in events if e["type"] == "tool_call")
    assert call["name"] == "ask_question" and call["long_running"] is True and q["call"] == call["id"]
    assert events[-1] == q  # the question is the last line
    assert asked.stderr.startswith(ASKED)


def test_the_typed_shape_asks_the_same_way(emulator):
    ready(emulator)
    emulator.options.sse_flavor = "typed"
    asked = checked(emulator.nemo("edit", "add background music"))
    assert asked.returncode == 13 and asked.stdout.splitlines() == QUESTION
    assert after_last_message(emulator) == []


def test_answer_first_sends_the_first_options_label_once(emulator):
    ready(emulator)
    done = checked(emulator.nemo("edit", "add background music", "--answer", "first"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:5] == QUESTION
    assert lines[5].startswith("Done! I added Upbeat pop background music at 30%.")
    assert "with: Upbeat pop (--answer first)" in done.stderr
    assert sent(emulator) == ["add background music", "Upbeat pop"]
    assert music(emulator) == "Upbeat pop music"


@pytest.mark.parametrize("given, label", [("cinematic", "Cinematic"), ("4", "Lo-fi"), ("last", "Lo-fi")])
def test_answer_by_label_number_or_last(emulator, given, label):
    ready(emulator)
    done = checked(emulator.nemo("edit", "--json", "add background music", f"--answer={given}"))
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert [e["type"] for e in events].count("question") == 1
    assert events[-1]["type"] == "done" and any(label in change for change in events[-1]["changes"])
    assert sent(emulator) == ["add background music", label]


def test_answer_that_matches_no_option_sends_no_answer(emulator):
    ready(emulator)
    asked = checked(emulator.nemo("edit", "add background music", "--answer", "Jazz"))
    assert asked.returncode == 13
    assert asked.stdout.splitlines() == QUESTION
    assert "error: --answer 'Jazz' matches none of the options of “Which music style do you want?”" in asked.stderr
    assert "no answer was sent" in asked.stderr
    assert sent(emulator) == ["add background music"]
    # the question is still open: its number answers it
    answered = checked(emulator.nemo("edit", "3"))
    assert answered.returncode == 0 and sent(emulator) == ["add background music", "Cinematic"]


def test_answer_does_nothing_when_nothing_is_asked(emulator):
    ready(emulator)
    done = checked(emulator.nemo("edit", "add title 'Plain'", "--answer", "first"))
    assert done.returncode == 0, done.stderr
    assert "answering" not in done.stderr
    assert sent(emulator) == ["add title 'Plain'"]


def test_a_set_e_script_stops_at_the_question(emulator, tmp_path):
    ready(emulator)
    script = tmp_path / "edit.sh"
    script.write_text(textwrap.dedent("""\
        set -e
        nemo edit "add background music" > question.txt
        echo "not reached" > after.txt
        """))
    done = subprocess.run(["bash", str(script)], cwd=tmp_path, env=emulator.env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 13
    assert (tmp_path / "question.txt").read_text().splitlines() == QUESTION
    assert not (tmp_path / "after.txt").exists()


# -- open calls at the end of a stream -----------------------------------------------------------------


def test_a_clean_end_with_an_ordinary_call_open_is_still_recovered_by_state(emulator):
    ready(emulator)
    emulator.inject("sse_drop", path="/run_sse", after=1, clean=1)  # a proxy ending the stream at its timeout
    done = checked(emulator.nemo("edit", "trim the first 2 seconds"))
    assert done.returncode == 0, done.stderr
    assert "not sending the message again" in done.stderr
    assert done.stdout.splitlines()[0] == "The connection dropped, but the service went on; what changed:"
    assert "  - timeline: 5s → 3s" in done.stdout.splitlines()
    assert sent(emulator) == ["trim the first 2 seconds"]
    assert any(path.endswith("/latest") for path in after_last_message(emulator))


def test_a_connection_cut_right_after_the_question_is_still_the_question(emulator):
    ready(emulator)
    emulator.inject("sse_drop", path="/run_sse", after=1)  # the question's event arrives whole, then the cut
    asked = checked(emulator.nemo("edit", "add background music"))
    assert asked.returncode == 13
    assert asked.stdout.splitlines() == QUESTION
    assert after_last_message(emulator) == [] and sent(emulator) == ["add background music"]


# -- nemo chat ---------------------------------------------------------------------------------------


def chat(emulator, *args, input=None, cwd, env=None):
    return checked(subprocess.run(
        [sys.executable, "-m", "nemo_cli", "chat", *args],
        input=input, capture_output=True, text=True, cwd=cwd, env=emulator.env(**(env or {})), timeout=120,
    ))


def test_chat_one_line_asks_and_the_next_line_answers(emulator, tmp_path):
    ready(emulator)
    asked = chat(emulator, "add background music", cwd=tmp_path)
    assert asked.returncode == 13
    assert asked.stdout.splitlines() == QUESTION  # and no track summary after it
    assert asked.stderr.startswith(ASKED)
    answered = chat(emulator, "1", cwd=tmp_path)
    assert answered.returncode == 0, answered.stderr
    assert "BGM: Upbeat pop music (0-5s, 30%)" in answered.stdout  # the summary after the answered edit
    assert sent(emulator) == ["add background music", "Upbeat pop"]
    again = chat(emulator, "add background music", "--answer", "Calm piano", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert sent(emulator)[2:] == ["add background music", "Calm piano"]


def test_piped_chat_a_question_answered_by_the_next_line_is_no_failure(emulator, tmp_path):
    ready(emulator)
    answered = chat(emulator, "--json", input="add background music\nCinematic\nstatus\n", cwd=tmp_path)
    assert answered.returncode == 0, answered.stderr
    records = [json.loads(line) for line in answered.stdout.splitlines()]
    assert [(r["line"], r["exit_code"]) for r in records] == [("add background music", 13), ("Cinematic", 0), ("status", 0)]
    question = next(d for d in records[0]["commands"][0]["output"] if d["type"] == "question")
    assert question["prompt"] == "Which music style do you want?"
    assert sent(emulator) == ["add background music", "Cinematic"]
    unanswered = chat(emulator, input="add background music\nstatus\n", cwd=tmp_path)
    assert unanswered.returncode == 13
    assert sent(emulator)[2:] == ["add background music"]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_chat_on_a_terminal_asks_in_place(emulator, tmp_path):
    from tests.e2e.test_chat_e2e import Screen

    ready(emulator)
    screen = Screen([sys.executable, "-m", "nemo_cli", "chat"], emulator.env(TERM="xterm", COLUMNS="120"), tmp_path)
    try:
        screen.expect(r"nemo> $")
        screen.type("add background music\r")
        shown = screen.expect(r"answer \(1-4, a label or your own words; Enter skips\)> $")
        assert re.search(r"Which music style do you want\?\r?\n  1\. Upbeat pop\r?\n  2\. Calm piano\r?\n  3\. Cinematic\r?\n  4\. Lo-fi", shown)
        screen.type("3\r")
        shown = screen.expect(r"BGM: Cinematic music \(0-5s, 30%\)(.|\n)*nemo> $")
        assert "Traceback" not in shown
        screen.type("add background music\r")
        screen.expect(r"Enter skips\)> $")
        screen.type("\r")  # skipped: back at the prompt, the question still open
        screen.expect(r"the question stays open(.|\n)*nemo> $")
        screen.type("\x04")
        assert screen.proc.wait(timeout=30) == 0
    finally:
        screen.close()
    assert sent(emulator) == ["add background music", "Cinematic", "add background music"]


# -- nemo batch --------------------------------------------------------------------------------------


def test_batch_reports_a_question_as_its_own_status_and_an_answer_key_answers_it(emulator, tmp_path):
    clip = emulator.media(tmp_path / "raw.mp4", seconds=2)
    plan = tmp_path / "plan.toml"
    plan.write_text(textwrap.dedent(f"""\
        [[job]]
        name = "asks"
        file = "{clip}"
        instruction = "add background music"
        output = "out/asks.mp4"

        [[job]]
        name = "answered"
        file = "{clip}"
        instruction = "add background music"
        answer = "last"
        output = "out/answered.mp4"
        """))
    done = checked(emulator.nemo("batch", str(plan), "--json", "--jobs", "1"))
    assert done.returncode == 13, done.stderr
    report = json.loads(done.stdout)
    asks, answered = report["jobs"]
    assert (asks["status"], asks["failed_step"], asks["exit_code"]) == ("question", "edit", 13)
    assert asks["question"] == {"prompt": "Which music style do you want?",
                                "options": ["Upbeat pop", "Calm piano", "Cinematic", "Lo-fi"]}
    assert answered["status"] == "done" and (tmp_path / "out" / "answered.mp4").stat().st_size > 1000
    assert not (tmp_path / "out" / "asks.mp4").exists()
    assert (report["question"], report["done"], report["failed"]) == (1, 1, 0)
    assert "error: 1 of 2 jobs did not finish: job 1 (asks) (a question)" in done.stderr
    results = json.loads((tmp_path / "plan.results.json").read_text())
    assert sorted(r["status"] for r in results["jobs"].values()) == ["done", "question"]
    assert sent(emulator) == ["add background music", "add background music", "Lo-fi"]
