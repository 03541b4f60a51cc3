"""The agent's questions: how one is shown, and how an answer becomes the next message.

The service may stop and ask instead of editing ("Which music style do you want?" with options; see
nemo_cli.api.sse). The turn then waits: the answer is simply the next message in the session. These pure
helpers decide what that message is:

- `nemo edit 2`, `nemo edit "upbeat pop"`: when the session has a question pending (nemo_cli.flows.edit
  keeps the last one asked in the store), a bare option number, or several for a question that allows
  several ("1,3"), and an option's label in any case become the option's label as the service wrote it.
  Anything else is sent as written (a free answer, or a new instruction: the service decides).
- `--answer first` / `--answer N` / `--answer LABEL`: given up front by a script that cannot answer. A
  label wins over the words `first`/`last` and over a number, so an option called "First" is still
  reachable. An answer that matches no option is refused: nothing is sent. A question without options
  takes any text but `first`, `last` or a number.
"""

from __future__ import annotations

import re
from typing import Any

Question = dict[str, Any]  # a `question` event: id, call, prompt, options [{id, label}], allow_multiple

_NUMBERS = re.compile(r"^\s*\d+(?:\s*[,，、 ]\s*\d+)*\s*$")


def labels(question: Question) -> list[str]:
    return [str(o.get("label")) for o in question.get("options") or [] if isinstance(o, dict) and o.get("label")]


def lines(question: Question) -> list[str]:
    """The question as printed on stdout: the prompt, then the options numbered."""
    out = [str(question.get("prompt") or "The service asks you to choose:")]
    for n, label in enumerate(labels(question), 1):
        out.append(f"  {n}. {label}")
    if question.get("allow_multiple") and labels(question):
        out.append("  (one or more: separate them with commas)")
    return out


def summary(question: Question) -> str:
    """One line: the prompt and its options, for an error line or a batch report."""
    prompt = str(question.get("prompt") or "a question")
    options = labels(question)
    return f"“{prompt}”" + (f" ({', '.join(f'{n}. {label}' for n, label in enumerate(options, 1))})" if options else "")


def _by_label(question: Question, text: str) -> str | None:
    folded = " ".join(text.split()).casefold()
    return next((label for label in labels(question) if " ".join(label.split()).casefold() == folded), None)


def _by_numbers(question: Question, text: str) -> str | None:
    options = labels(question)
    if not options or not _NUMBERS.match(text):
        return None
    picks = [int(n) for n in re.findall(r"\d+", text)]
    if any(not 1 <= n <= len(options) for n in picks) or (len(picks) > 1 and not question.get("allow_multiple")):
        return None
    chosen = list(dict.fromkeys(options[n - 1] for n in picks))
    return ", ".join(chosen)


def as_message(question: Question | None, text: str) -> str | None:
    """The option label(s) a typed message stands for (a number, or a label in another case); None when
    it is neither, and the message goes as written."""
    if not question:
        return None
    return _by_label(question, text) or _by_numbers(question, text)


def pick(question: Question, answer: str) -> str | None:
    """The label an `--answer` value chooses, or None when it matches no option."""
    options = labels(question)
    if not options:  # a question without options takes free text; there is nothing to pick by position
        free = answer.strip()
        return None if not free or free.casefold() in ("first", "last") or _NUMBERS.match(free) else free
    found = _by_label(question, answer)
    if found:
        return found
    word = answer.strip().casefold()
    if word == "first":
        return options[0]
    if word == "last":
        return options[-1]
    return _by_numbers(question, answer)
