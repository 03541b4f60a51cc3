"""How a question is shown and how an answer becomes the next message (nemo_cli.flows.edit.questions), on plain data."""

from __future__ import annotations

import pytest

from nemo_cli.flows.edit import questions

STYLE = {"type": "question", "id": "music_style", "call": "c1", "prompt": "Which music style do you want?",
         "options": [{"id": "a", "label": "Upbeat pop"}, {"id": "b", "label": "Calm piano"}, {"id": "c", "label": "First"}],
         "allow_multiple": False}


def test_lines_number_the_options():
    assert questions.lines(STYLE) == ["Which music style do you want?", "  1. Upbeat pop", "  2. Calm piano", "  3. First"]
    several = {**STYLE, "allow_multiple": True}
    assert questions.lines(several)[-1] == "  (one or more: separate them with commas)"
    assert questions.lines({"prompt": "", "options": []}) == ["The service asks you to choose:"]
    assert questions.summary(STYLE) == "“Which music style do you want?” (1. Upbeat pop, 2. Calm piano, 3. First)"


@pytest.mark.parametrize("given, label", [
    ("first", "First"),  # a label wins over the word
    ("FIRST", "First"),
    ("last", "First"),
    ("1", "Upbeat pop"),
    (" 2 ", "Calm piano"),
    ("calm  PIANO", "Calm piano"),
    ("4", None),
    ("0", None),
    ("1,2", None),  # one option only
    ("Jazz", None),
    ("", None),
])
def test_pick_an_answer_given_up_front(given, label):
    assert questions.pick(STYLE, given) == label


def test_pick_first_when_no_option_is_called_that():
    plain = {**STYLE, "options": STYLE["options"][:2]}
    assert questions.pick(plain, "first") == "Upbeat pop" and questions.pick(plain, "Last") == "Calm piano"


def test_several_options_by_number_when_the_question_allows_it():
    several = {**STYLE, "allow_multiple": True}
    assert questions.pick(several, "1, 3") == "Upbeat pop, First"
    assert questions.as_message(several, "3，1") == "First, Upbeat pop"
    assert questions.as_message(several, "1 1") == "Upbeat pop"


def test_a_question_without_options_takes_words_but_not_positions():
    free = {"prompt": "What should the title say?", "options": []}
    assert questions.pick(free, "Hello there") == "Hello there"
    assert questions.pick(free, "first") is None and questions.pick(free, "2") is None


def test_a_typed_message_becomes_a_label_only_when_it_is_one():
    assert questions.as_message(STYLE, "2") == "Calm piano"
    assert questions.as_message(STYLE, "upbeat pop") == "Upbeat pop"
    assert questions.as_message(STYLE, "jazz please") is None
    assert questions.as_message(STYLE, "9") is None
    assert questions.as_message(None, "2") is None
