"""What reading an instruction shares between the English rules (nemo_cli.emulator.agent) and the Chinese
ones (nemo_cli.emulator.agent_zh): the instruction with its quotes masked, the words already read, and the
actions found so far. A rule claims the words it reads (`add`, `add_span`); a later rule never reads them
again (`each` skips them).
"""

from __future__ import annotations

import re
from typing import Callable

from nemo_cli.emulator import edits
from nemo_cli.emulator.edits import DEFAULT_MUSIC_STYLE, DEFAULT_MUSIC_VOLUME, Action, Outcome, Timeline

_QUOTE = re.compile(r"(?<![\w])'([^'\n]+?)'(?![\w])|\"([^\"\n]+)\"|“([^”\n]+)”|‘([^’\n]+)’|«([^»\n]+)»|「([^」\n]+)」|『([^』\n]+)』")


def quotes(text: str) -> list[re.Match]:
    """The quoted parts of an instruction. An ASCII quote pair right after a CJK character counts too (the
    look-behind of _QUOTE takes a CJK character for a word character)."""
    found = list(_QUOTE.finditer(text))
    taken = [(m.start(), m.end()) for m in found]
    for m in re.finditer(r"(?<=[\u3400-\u9fff\uff0c\uff1a])'([^'\n]+?)'|(?<=[\u3400-\u9fff\uff0c\uff1a])\"([^\"\n]+)\"", text):
        if all(m.end() <= a or m.start() >= b for a, b in taken):
            found.append(m)
    return sorted(found, key=lambda m: m.start())


class Reader:
    """Finds every action in an instruction; quoted text is masked so its words are not read as commands."""

    def __init__(self, instruction: str, tl: Timeline, has_media: bool, music_style: str | None = None) -> None:
        self.music_style = music_style  # the answer to "which music style?", for a music request that names none
        self.original = instruction
        self.quotes: list[tuple[int, int, str]] = []
        # ASCII quotes (' and ") in a Chinese sentence sit right after a character, which \w counts as a word:
        # "加个标题'Hello'" quotes Hello all the same
        chars = [c.lower() if len(c.lower()) == 1 else c for c in instruction]
        for m in quotes(instruction):
            text = next(g for g in m.groups() if g is not None)
            self.quotes.append((m.start(), m.end(), text))
            chars[m.start():m.end()] = "\x00" * (m.end() - m.start())
        self.text = "".join(chars).replace("–", "-").replace("—", "-")
        self.tl = tl
        self.has_media = has_media
        self.taken: list[tuple[int, int]] = []
        self.actions: list[Action] = []

    def quote_at(self, pos: int) -> str | None:
        return next((q for a, b, q in self.quotes if a <= pos < b), None)

    def quoted_titles(self, patterns: list[str]) -> None:
        """A title for each quoted text that one of `patterns` (its group `q` at the quote) introduces."""
        for pattern in patterns:
            for m in self.each(pattern):
                text = self.quote_at(m.start("q"))
                self.add(m, "title_add", {"text": text}, lambda tl, text=text: edits.title(tl, text))

    def free(self, a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in self.taken)

    def add(self, m: re.Match, tool: str, args: dict, run: Callable[[Timeline], Outcome]) -> None:
        self.add_span(m.start(), m.end(), tool, args, run)

    def add_span(self, start: int, end: int, tool: str, args: dict, run: Callable[[Timeline], Outcome],
                 unsure: str | None = None) -> None:
        if self.free(start, end):
            self.taken.append((start, end))
            self.actions.append(Action(start, end, tool, args, run, unsure))

    def each(self, pattern: str) -> list[re.Match]:
        return [m for m in re.finditer(pattern, self.text) if self.free(m.start(), m.end())]

    def add_music(self, start: int, end: int, style: str | None, volume: int | None) -> None:
        """A request for background music; with no style named (and no answer to "which style?" given) it is
        marked unsure: alone in a message, it makes the agent ask."""
        unsure = "music_style" if style is None and self.music_style is None else None
        style = style or self.music_style
        self.add_span(start, end, "music_add",
                      {"style": style or DEFAULT_MUSIC_STYLE, "volume": DEFAULT_MUSIC_VOLUME if volume is None else volume},
                      lambda tl, style=style, v=volume: edits.music(tl, style, v), unsure)
