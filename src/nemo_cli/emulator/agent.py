"""The emulator's editing "agent": deterministic rules that turn an instruction (English or Chinese) into a
draft edit.

Pure: no I/O, no clock, no randomness. `respond(instruction, state)` reads the session state (never mutates
it) and returns a `Turn`: the reply text split into stream chunks, the tool steps it "ran", the new draft
(a modified deep copy, or None when nothing changed) and the credits the message costs. Replies are in the
session's language (`language="zh-CN"`: Chinese; anything else: English), whatever the instruction's;
the Chinese phrasings are read by nemo_cli.emulator.agent_zh, the edits themselves live in
nemo_cli.emulator.edits.

Questions: a message whose only request is background music of no named style ("add background music",
"加背景音乐") is not guessed at: the turn asks which style (`Turn.question`, the `ask_question` call's
arguments, sent as a long-running call the stream leaves open) and changes nothing. `Turn.pending` is what
the service remembers; the session's next message, given back as `asked=`, answers it when it is an
option's label (any case) or number, or words that are no instruction of their own (a style the options
did not list): the first instruction is then carried out with that style. A new instruction instead
drops the question.

The timeline is the first video track (`tt` 0): contiguous segments, each a span of a source (`src` from
`in` for `d` ms). Every cut is computed on timeline positions and mapped back to exact source offsets; the
other tracks (music, title, anything unknown) then follow the new length. Keys we do not know are copied
untouched. Several actions in one instruction are applied in the order they are written. Timestamps
the user writes ("remove 0:45-1:20") mean the timeline as it was when the message was sent, even after an
earlier action of the same message has cut it; lengths ("the last 5 seconds") mean the timeline as it is.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from nemo_cli.emulator import agent_zh, edits
from nemo_cli.emulator.edits import (GENERATED_MS, GRADE_KEYS, TIME, TRANSITION_STYLES, Action, Outcome, Refusal,
                                     Timeline, fmt_time, parse_time)
from nemo_cli.emulator.reading import Reader

EDIT_COST = 10
GENERATE_COST = 100


@dataclass
class ToolStep:
    name: str
    args: dict
    result: dict


@dataclass
class Turn:
    chunks: list[str]
    tools: list[ToolStep]
    draft: dict | None
    cost: int
    question: dict | None = None  # ask_question's arguments: the turn ends waiting for the answer
    pending: dict | None = None  # what the service keeps for the next message: the instruction asked about

    @property
    def text(self) -> str:
        return "".join(self.chunks)


# --------------------------------------------------------------------------------------------------------
# Reading the instruction (English; the Chinese rules are in agent_zh, the shared machinery in reading)

_SEP = r"\s*(?:-|to|and|until|till|through|thru)\s*"
_NEXT_ACTION = r"(?=\s*(?:[,.;!?]|$|\s(?:and|then)\s+(?:then\s+)?(?:add|remove|trim|cut|apply|make|keep|sync|delete|put|use|set)\b))"
_CLIP_NOUN = r"(?:clip|video|cut|version|demo|edit|reel|highlights?|short|montage|trailer|teaser|film|movie)"
_LOOK_WORDS = (r"warm(?:er)?|cool(?:er)?|cold|cinematic|vintage|retro|film|filmic|moody|dramatic|natural|bright|"
               r"dark|pastel|golden[\s-]hour|teal[\s-]and[\s-]orange|black[\s-]and[\s-]white|b&w|monochrome|"
               r"teal[\s-]orange|sepia|faded|vibrant|matte|noir|lightroom(?:[\s-]style)?|instagram(?:[\s-]style)?|hdr")
_STOP = {"a", "an", "the", "some", "me", "us", "nice", "background", "bg", "with", "in", "and", "of", "it",
         "to", "my", "our", "this", "that", "please", "also", "then", "new", "more", "soft", "light", "add",
         "sync", "put", "use", "play", "insert", "include", "lay", "set", "apply", "give", "across", "clip",
         "video", "whole", "entire", "color", "colour", "style", "on"}


class _Reader(Reader):
    """The English rules."""

    def read(self) -> list[Action]:
        if not self.has_media:
            self._generate()
        self._keep_range()
        self._remove_range()
        self._trim()
        self._speed()
        self._keep_length()
        self._best_takes()
        self._drop_tracks()
        self._title()
        self._music()
        self._transitions()
        self._grade()
        if edits.CJK.search(self.text):
            agent_zh.read(self)
        return sorted(self.actions, key=lambda a: a.start)

    # The rules, in priority order: a later rule never takes words an earlier one has read.

    def _generate(self) -> None:
        pattern = (rf"\b(?:generate|create|make|produce|render|film|shoot)\s+(?:me\s+|us\s+)?(?:a|an|one|some)?\s*"
                   rf"(?:(?P<n>{TIME})\s+(?:long\s+)?)?(?:(?:short|quick|little|new|cinematic)\s+)?"
                   r"(?:video|clip|film|movie|reel|short|animation|footage)\b"
                   r"(?:\s+(?:of|about|showing|with|featuring|that\s+shows|on)\s+(?P<subject>[^,.;!?\x00]+?)"
                   rf"(?:{_NEXT_ACTION}|(?=\s+(?:with|and)\s+(?:[a-z-]+\s+){{0,3}}(?:music|title|transitions)\b)))?")
        for m in self.each(pattern):
            subject = self.original[m.start("subject"):m.end("subject")].strip() if m.group("subject") else ""
            n = parse_time(m.group("n")) if m.group("n") else None
            explicit = {w for w in ("music", "title") if re.search(rf"\b{w}\b", self.text)}
            self.add(m, "video_generate", {"prompt": subject, "duration_ms": max(1000, min(n or GENERATED_MS, 300_000))},
                     lambda tl, subject=subject, n=n, explicit=explicit: edits.generate(tl, subject, n, explicit))

    def _keep_range(self) -> None:
        patterns = [
            rf"\b(?:keep(?:\s+only)?|only\s+keep|just\s+keep)\s+(?:(?:the\s+)?(?:part|section|segment|bit|portion|footage)\s+)?"
            rf"(?:from\s+|between\s+)?(?P<a>{TIME}){_SEP}(?P<b>{TIME})",
            rf"\b(?:cut|trim|crop)\s+(?:it\s+|the\s+(?:video|clip|footage)\s+)?(?:down\s+)?(?:to|from)\s+"
            rf"(?:the\s+(?:part|section)\s+)?(?:from\s+|between\s+)?(?P<a>{TIME}){_SEP}(?P<b>{TIME})",
        ]
        for pattern in patterns:
            for m in self.each(pattern):
                a, b = parse_time(m.group("a")), parse_time(m.group("b"))
                self.add(m, "timeline_keep_range", {"start_ms": min(a, b), "end_ms": max(a, b)},
                         lambda tl, a=a, b=b: edits.keep_range(tl, a, b))

    def _remove_range(self) -> None:
        pattern = (r"\b(?:remove|delete|cut(?:\s+out|\s+away)?|drop|erase|take\s+out|get\s+rid\s+of|skip|chop(?:\s+out)?)\s+"
                   r"(?:(?:the|a|that|those|everything|all)\s+)?(?:(?:sections?|parts?|segments?|bits?|portions?|pieces?|footage|"
                   r"stretch(?:es)?|scenes?)\s+)?"
                   rf"(?:(?:from|between|at)\s+)?(?P<a>{TIME}){_SEP}(?P<b>{TIME})")
        # "…, and between 0:04 and 0:05": more ranges for the same removal
        more = rf"\s*,?\s*(?:and\s+|&\s+)?(?:also\s+)?(?:(?:from|between)\s+)?(?P<a>{TIME}){_SEP}(?P<b>{TIME})"
        for m in self.each(pattern):
            spans = [(parse_time(m.group("a")), parse_time(m.group("b")))]
            end = m.end()
            while (extra := re.compile(more).match(self.text, end)) and self.free(extra.start(), extra.end()):
                spans.append((parse_time(extra.group("a")), parse_time(extra.group("b"))))
                end = extra.end()
            spans = [(min(a, b), max(a, b)) for a, b in spans]
            args = {"start_ms": spans[0][0], "end_ms": spans[0][1]} if len(spans) == 1 else {
                "ranges": [{"start_ms": a, "end_ms": b} for a, b in spans]}
            self.add_span(m.start(), end, "timeline_remove_range", args, lambda tl, spans=spans: edits.remove(tl, spans))

    def _trim(self) -> None:
        verbs = r"(?:trim|cut|remove|delete|drop|chop|lose|skip|shave|cut\s+out)"
        patterns = [
            rf"\b{verbs}(?:\s+off)?\s+(?:the\s+)?(?P<edge>first|last|opening|final|initial)\s+(?P<n>{TIME})",
            rf"\b{verbs}\s+(?:off\s+)?(?P<n>{TIME})\s+(?:off\s+)?(?:from\s+|of\s+|at\s+)?(?:the\s+)?"
            r"(?P<edge>start|beginning|front|end|ending)\b",
        ]
        for pattern in patterns:
            for m in self.each(pattern):
                edge = "first" if m.group("edge") in ("first", "opening", "initial", "start", "beginning", "front") else "last"
                n = parse_time(m.group("n"))
                self.add(m, "timeline_trim", {"edge": "start" if edge == "first" else "end", "duration_ms": n},
                         lambda tl, edge=edge, n=n: edits.trim(tl, edge, n))

    def _speed(self) -> None:
        x = r"(?P<f>\d+(?:\.\d+)?)\s*(?:x|×|times)"
        it = r"(?:\s+(?:it|the\s+(?:video|clip|footage)|everything))?"
        patterns = [  # (pattern, factor when the pattern names none)
            (rf"\bspeed{it}\s+up(?:\s+(?:by|to)\s+{x}(?:\s+speed)?)?", 2.0),
            (rf"\bslow{it}\s+down(?:\s+(?:to|by)\s+{x}(?:\s+speed)?)?", 0.5),
            (rf"\b(?:make|play)\s+(?:it|the\s+(?:video|clip))\s+(?:at\s+)?{x}(?:\s+(?:faster|speed|as\s+fast))?", None),
            (rf"\b(?:set|change)\s+(?:the\s+)?(?:playback\s+)?speed\s+to\s+{x}", None),
            (rf"\b(?:play(?:\s+it)?\s+)?at\s+{x}(?:\s+speed)?\b", None),
            (rf"\b{x}\s+speed\b", None),
            (r"\b(?:double|twice\s+the)\s+(?:the\s+)?speed\b|\btwice\s+as\s+fast\b", 2.0),
            (r"\b(?:half(?:\s+the)?\s+speed|slow[\s-]+motion|slow[\s-]?mo)\b", 0.5),
        ]
        for pattern, default in patterns:
            for m in self.each(pattern):
                f = float(m.group("f")) if "f" in m.groupdict() and m.group("f") else default
                if f is None:
                    continue
                self.add(m, "speed_set", {"factor": f}, lambda tl, f=f: edits.speed(tl, f))

    def _keep_length(self) -> None:
        highlights = bool(re.search(r"\b(?:best\s+(?:moments|parts|bits|scenes|shots)|highlights?|compile|montage)\b", self.text))
        patterns = [
            rf"\b(?:into|as|to)?\s*(?:a|an|one)\s+(?P<n>{TIME})\s+(?:long\s+)?{_CLIP_NOUN}\b",
            rf"\b(?:make|keep|get)\s+(?:it|the\s+(?:video|clip))\s+(?:only\s+|just\s+|under\s+|to\s+)?(?P<n>{TIME})(?:\s+long)?",
            rf"\b(?:shorten|cut|trim|reduce|condense|bring|edit)\s+(?:it\s+|the\s+(?:video|clip)\s+)?(?:down\s+)?"
            rf"to\s+(?:about\s+|around\s+|roughly\s+|just\s+)?(?P<n>{TIME})(?:\s+long)?",
        ]
        for pattern in patterns:
            for m in self.each(pattern):
                n = parse_time(m.group("n"))
                self.add(m, "timeline_keep_length", {"duration_ms": n, "mode": "highlights" if highlights else "first"},
                         lambda tl, n=n: edits.keep_length(tl, n, highlights))

    def _best_takes(self) -> None:
        for m in self.each(r"\b(?:(?:cut|keep|pick|select|use|choose|find)\s+(?:only\s+)?(?:the\s+)?)?"
                           r"(?:best|good|strongest)\s+takes?\b|\b(?:remove|drop|cut)\s+(?:the\s+)?(?:bad|weak|worst)\s+takes\b"):
            self.add(m, "timeline_best_takes", {"keep_ratio": 0.8}, edits.best_takes)

    def _title(self) -> None:
        verbs = r"(?:(?:add|put|insert|set|create|include|show|use|make)\s+(?:in\s+)?(?:a\s+|the\s+|an?\s+opening\s+)?)?"
        quoted = [
            rf"\b{verbs}(?:title(?:\s+card)?|heading)\b[^\x00.;!?]{{0,30}}?(?P<q>\x00+)",
            rf"(?:\b(?:add|put|use|set)\s+)?(?P<q>\x00+)\s+as\s+(?:the\s+|a\s+)?title\b",
        ]
        self.quoted_titles(quoted)
        stem = (rf"\b{verbs}title\s+(?:with|using|from|showing|of)\s+(?:the\s+|its\s+)?(?:file\s*name|name\s+of\s+the\s+"
                r"(?:file|video|clip))|\buse\s+the\s+file\s*name\s+as\s+(?:the\s+|a\s+)?title\b")
        for m in self.each(stem):
            self.add(m, "title_add", {"from": "file_name"}, lambda tl: edits.title(tl, None))
        bare = (r"\b(?:add|put|insert)\s+(?:a\s+|the\s+)?title\b(?:\s*(?::|saying|called|reading)?\s+"
                rf"(?!(?:and|then|to|for|on|at|with|in)\b)(?P<t>[^,.;!?\x00]+?){_NEXT_ACTION})?")
        for m in self.each(bare):
            text = self.original[m.start("t"):m.end("t")].strip() if m.group("t") else None
            if text and re.match(r"(?i)(and|then|to|for|on|at)\b", text):
                text = None
            self.add(m, "title_add", {"text": text} if text else {"from": "file_name"},
                     lambda tl, text=text: edits.title(tl, text))

    def _drop_tracks(self) -> None:
        pattern = (r"\b(?:remove|delete|drop|take\s+out|get\s+rid\s+of|mute)\s+(?:the\s+|all\s+)?"
                   r"(?P<what>background\s+music|music|bgm|soundtrack|title(?:\s+card)?)\b")
        for m in self.each(pattern):
            music = "title" not in m.group("what")
            self.add(m, "track_remove", {"track": "music" if music else "title"},
                     lambda tl, music=music: edits.drop(tl, music))

    def clause_before(self, pos: int) -> int:
        """Where the clause ending at `pos` starts: after punctuation, a quote, "and"/"then", or read words."""
        start = 0
        for m in re.finditer(r"[,.;:!?\x00]|\b(?:and|then|but|also)\b", self.text[:pos]):
            start = m.end()
        for a, b in self.taken:
            if b <= pos:
                start = max(start, b)
        return start

    def _music(self) -> None:
        change = (r"\b(?:set|change|lower|raise|turn|make|put|adjust|reduce|increase|drop|bring)\s+(?:down\s+|up\s+)?"
                  r"(?:the\s+)?(?:background\s+)?(?:music|bgm|soundtrack)(?:'s)?(?:\s+volume)?\s+(?:down\s+|up\s+)?"
                  r"(?:to\s+)?(?P<v>\d{1,3})\s*(?:%|percent)")
        for m in self.each(change):
            v = max(0, min(100, int(m.group("v"))))
            self.add_span(m.start(), m.end(), "music_volume", {"volume": v},
                          lambda tl, v=v: edits.music(tl, None, v, only_volume=True))
        noun = (r"\b(?:background\s+music|music|soundtrack|bgm|score)\b(?:\s+(?:at|@|with|on|to)?\s*(?:a\s+)?"
                r"(?:volume\s+(?:of\s+|at\s+)?)?(?P<v>\d{1,3})\s*(?:%|percent)(?:\s+volume)?)?")
        for m in self.each(noun):
            start = self.clause_before(m.start())
            verbs = r"\b(?:add|sync|put|include|use|play|insert|lay|set|with|want|need|give)\b"
            verb = None
            for verb in re.finditer(verbs, self.text[start:m.start()]):
                pass
            if verb is None and not re.search(verbs, self.text[:start]):
                continue  # "the music is too loud" is not a request to add music
            begin = start + verb.start() if verb else start  # a verb shared with an earlier item is fine
            mid = self.text[start + verb.end() if verb else start:m.start()]
            words = [w for w in re.findall(r"[a-z0-9][a-z0-9&'/-]*", mid) if w not in _STOP]
            style = " ".join(words[-3:]) or None
            v = max(0, min(100, int(m.group("v")))) if m.group("v") else None
            self.add_music(begin, m.end(), style, v)


    def _transitions(self) -> None:
        for m in self.each(r"\b(?:remove|delete|clear|no)\s+(?:the\s+|all\s+|any\s+)?transitions?\b"):
            self.add(m, "transitions_set", {"style": None}, lambda tl: edits.transitions(tl, None))
        for m in self.each(r"\btransitions?\b"):
            start = self.clause_before(m.start())
            words = re.findall(r"[a-z][a-z-]*", self.text[start:m.start()])
            style = "crossfade"
            for k in (3, 2, 1):  # the longest known style name right before "transitions"
                if len(words) >= k and " ".join(words[-k:]) in TRANSITION_STYLES:
                    style = TRANSITION_STYLES[" ".join(words[-k:])]
                    break
            self.add_span(start, m.end(), "transitions_set", {"style": style},
                          lambda tl, style=style: edits.transitions(tl, style))

    def _grade(self) -> None:
        pieces: list[re.Match] = []
        look: str | None = None
        values: dict[str, float] = {}
        looks = rf"\b(?P<look>(?:(?:{_LOOK_WORDS})[\s-]+){{0,2}}(?:{_LOOK_WORDS}))[\s-]+(?:colou?r\s*)?(?:look|grade|grading|style|feel|tone|filter|lut)\b"
        for m in self.each(looks):
            pieces.append(m)
            written = self.original[m.start("look"):m.end("look")]  # as the user wrote it: "Lightroom"
            named = re.sub(r"(?i)[\s-]+style$", "", written).replace("-", " ")
            # "Lightroom-style grading with a warm look": the tool's name is not the look, the adjective is
            if look is None or re.match(r"(?i)(lightroom|instagram)", look):
                look = named
        for m in self.each(r"\bcolou?r[\s-]*(?:grad(?:e|ing)|correct(?:ion)?)\b"):
            pieces.append(m)
        keys = "|".join(GRADE_KEYS)
        value_after = rf"\b(?P<k>{keys})\s*(?:by|to|of|at|:|=)?\s*(?P<v>[+-]?\s*\d+(?:\.\d+)?)%?"
        value_before = rf"(?P<v>[+-]\s*\d+(?:\.\d+)?)\s+(?P<k>{keys})\b"
        for pattern in (value_after, value_before):
            for m in self.each(pattern):
                pieces.append(m)
                self.taken.append((m.start(), m.end()))
                v = float(m.group("v").replace(" ", ""))
                values[m.group("k")] = round(max(-5.0, min(5.0, v)), 2) if m.group("k") == "exposure" else int(max(-100, min(100, round(v))))
        nudges = {"exposure": 0.3, "contrast": 10, "saturation": 5, "brightness": 10, "temperature": 10,
                  "tint": 5, "highlights": -10, "shadows": 10, "vibrance": 10, "sharpness": 10}
        # A verb naming settings without values ("adjust exposure, contrast, and saturation"): a gentle nudge.
        adjust = (r"\b(?P<verb>adjust|tweak|fix|balance|boost|increase|raise|add|more|enhance|reduce|lower|decrease|"
                  r"less|drop|tone\s+down)\b(?=(?P<rest>[^.;!?\x00]{0,60}))")
        for m in self.each(adjust):
            named = [k for k in GRADE_KEYS if re.search(rf"\b{k}\b", m.group("rest")) and k not in values]
            if not named:
                continue
            sign = -1 if m.group("verb") in ("reduce", "lower", "decrease", "less", "drop") or m.group("verb").startswith("tone") else 1
            for k in named:
                values[k] = sign * nudges[k]
            pieces.append(m)
        if not pieces:
            return
        first = min(pieces, key=lambda p: p.start())
        for p in pieces:
            if self.free(p.start(), p.end()):
                self.taken.append((p.start(), p.end()))
        ordered = {k: values[k] for k in GRADE_KEYS if k in values}
        args = {"look": look, **ordered}
        self.actions.append(Action(first.start(), first.end(), "color_grade", args,
                                   lambda tl: edits.grade(tl, look, ordered)))


# --------------------------------------------------------------------------------------------------------
# The turn


def _chunks(text: str, words: int = 4) -> list[str]:
    """The reply in the pieces it is streamed in: a few words each, whitespace kept, joined = the text."""
    tokens = re.findall(r"\S+\s*", text)
    return ["".join(tokens[i:i + words]) for i in range(0, len(tokens), words)]




def _reply(text: str) -> Turn:
    return Turn(chunks=_chunks(text), tools=[], draft=None, cost=0)


HELP = ("I can remove a range (\"remove 0:10-0:20\"), keep one (\"cut from 0:30 to 1:45\"), trim the start "
        "or end (\"trim the first 5 seconds\"), shorten the video (\"make it 30 seconds long\"), change its "
        "speed (\"speed it up 2x\"), and add a title, background music, transitions or color grading.")
HELP_ZH = ("我可以删除一段（“删除0:10到0:20之间的部分”）、只保留一段（“保留0:30到1:45”）、剪掉开头或结尾"
           "（“剪掉开头5秒”）、缩短视频（“剪成30秒”）、调整速度（“加速2倍”），还可以添加标题、背景音乐、转场或调色。")

MUSIC_STYLES = {"en": ["Upbeat pop", "Calm piano", "Cinematic", "Lo-fi"], "zh": ["欢快流行", "舒缓钢琴", "电影感", "Lo-fi"]}
MUSIC_QUESTION = {"en": "Which music style do you want?", "zh": "你想要哪种风格的背景音乐？"}


def _question(instruction: str, zh: bool) -> Turn:
    """Ask which music style, instead of guessing one: the turn changes nothing and waits for the answer."""
    labels = MUSIC_STYLES["zh" if zh else "en"]
    options = [{"id": re.sub(r"[^a-z0-9]+", "_", en.lower()).strip("_"), "label": label}
               for en, label in zip(MUSIC_STYLES["en"], labels)]
    args = {"questions": [{"id": "music_style", "prompt": MUSIC_QUESTION["zh" if zh else "en"], "options": options,
                           "allow_multiple": False}]}
    return Turn(chunks=[], tools=[], draft=None, cost=0, question=args,
                pending={"instruction": instruction, "options": labels})


def _answer(asked: dict, text: str, state: dict) -> str | None:
    """The style the message chooses for the pending question: an option's label (any case) or number, or
    words that read as no instruction of their own. None: the message is a new instruction."""
    options = [str(o) for o in asked.get("options") or []]
    said = " ".join(text.split())
    for label in options:
        if label.casefold() == said.casefold():
            return label
    if re.fullmatch(r"\d+", said) and 1 <= int(said) <= len(options):
        return options[int(said) - 1]
    tl = Timeline(state if isinstance(state, dict) else {})
    if not said or len(said) > 40 or _Reader(text, tl, bool(tl.segments())).read():
        return None
    return re.sub(r"(?i)\s*(?:background\s+)?music$|\s*(?:的)?(?:背景)?音乐$", "", said) or None


def respond(instruction: str, state: dict, *, silent: bool = False, language: str = "en",
            asked: dict | None = None, music_style: str | None = None) -> Turn:
    """Apply an instruction to a copy of the session's draft. `silent` drops the text of an edit that changed
    something (the service ends about 30% of edits that way); replies that change nothing always have text.
    `language`: the session's (replies in Chinese for zh…). `asked`: the `pending` of the session's last
    turn, when it asked a question; `music_style`: the answer, used where a music request names no style."""
    zh = str(language or "").lower().startswith("zh")
    if asked and isinstance(asked.get("instruction"), str):
        style = _answer(asked, instruction or "", state)
        if style is not None:
            return respond(asked["instruction"], state, silent=silent, language=language, music_style=style)
    tl = Timeline(state if isinstance(state, dict) else {})
    tl.zh = zh
    before = copy.deepcopy(tl.draft)
    start_length = tl.length
    has_media = bool(tl.segments())
    actions = _Reader(instruction or "", tl, has_media, music_style).read()
    say = tl.say
    if not actions:
        shown = " ".join((instruction or "").split())
        shown = shown if len(shown) <= 60 else shown[:57] + "…"
        low = (instruction or "").lower()
        if has_media and (re.search(r"\b(?:how\s+long|length|duration|what'?s\s+(?:in|on)\s+the\s+timeline)\b", low)
                          or re.search(r"多长|多久|时长|长度", low)):
            n = len(tl.segments())
            return _reply(say(f"The video is {fmt_time(tl.length)} long, in {n} segment{'s' if n != 1 else ''}. "
                              "What would you like to change?",
                              f"视频长{fmt_time(tl.length)}，共{n}个片段。你想改什么？"))
        if has_media and (re.search(r"\b(?:generate|create|produce)\b", low) or re.search(r"生成", low)):
            return _reply(say("This session already has footage, so I edit it rather than generate a new clip. "
                              f"{HELP} Start a new session to generate from a description.",
                              f"这个会话里已经有素材了，所以我会剪辑它，而不是生成新的视频。{HELP_ZH}如需根据描述生成，请新建一个会话。"))
        return _reply(say(f"Sorry, I'm not sure what to change for \"{shown}\". {HELP} What would you like to do?",
                          f"抱歉，我不确定“{shown}”要改什么。{HELP_ZH}你想做什么？"))
    if not has_media and not any(a.tool == "video_generate" for a in actions):
        return _reply(say("There's no video in this session yet. Upload a clip first, or ask me to generate one "
                          "(for example \"generate a 10-second clip of a city at night\").",
                          "这个会话里还没有视频。请先上传一段素材，或者让我生成一段（例如“生成一段10秒的城市夜景视频”）。"))
    if len(actions) == 1 and actions[0].unsure == "music_style":
        return _question(instruction, zh)

    tools: list[ToolStep] = []
    outcomes: list[Outcome] = []
    generated = False
    for action in actions:
        try:
            outcome = action.run(tl)
        except Refusal as refusal:
            return _reply(say(f"I can't do that: {refusal}. Tell me which part to keep instead, for example "
                              f"\"keep 0:00-{fmt_time(max(1000, tl.length // 2))}\".",
                              f"这个做不到：{refusal}。告诉我要保留哪一部分，例如“保留0:00到{fmt_time(max(1000, tl.length // 2))}”。"))
        generated = generated or action.tool == "video_generate"
        outcomes.append(outcome)
        for name, args in [(action.tool, action.args), *outcome.extra]:
            tools.append(ToolStep(name, args, {"ok": True, "changed": outcome.changed, "duration_ms": tl.length}))

    tl.draft["d"] = tl.length
    changed = tl.draft != before
    done = [o.phrase for o in outcomes if o.changed and o.phrase]
    notes = [o.note for o in outcomes if o.note]
    if not changed or not done:
        text = say("I left the video as it was: " + "; ".join(notes or ["nothing needed changing"]) + ".",
                   "视频保持原样：" + "；".join(notes or ["没有需要修改的地方"]) + "。")
        return Turn(chunks=_chunks(text), tools=tools, draft=None, cost=0)

    shorter = tl.length != start_length and not generated
    if zh:
        text = "好的！我" + ("，然后".join(done) if len(done) > 1 else done[0])
        text += f"；视频现在长{fmt_time(tl.length)}。" if shorter else "。"
        if notes:
            text += "注意：" + "；".join(notes) + "。"
    else:
        text = "Done! I " + edits.join_phrases(done)
        text += f"; the video is now {fmt_time(tl.length)}." if shorter else "."
        if notes:
            text += " Note: " + "; ".join(notes) + "."
    # One closing sentence at most; a title's (preview + Export) wins, so GUI talk is predictable in tests.
    closings = [o.closing for o in outcomes if o.changed and o.closing]
    closing = next((c for c in closings if "Export" in c or "导出" in c), closings[0] if closings else "")
    if closing:
        text += ("" if zh else " ") + closing
    return Turn(chunks=[] if silent else _chunks(text), tools=tools, draft=tl.draft,
                cost=GENERATE_COST if generated else EDIT_COST)
