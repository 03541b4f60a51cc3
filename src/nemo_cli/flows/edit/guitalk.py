"""The service's GUI talk, translated into the command that does the same thing here.

The service's replies assume a graphical editor ("click Export", "open the panel", "drag the clip",
"点击导出"). Those words are printed as the service wrote them; this module finds them and names the
command instead (the contract's table, English and Chinese):

| the service says                        | the CLI points to          |
|-----------------------------------------|----------------------------|
| "click [button]" / "点击…"              | the command that does it   |
| "open [panel]" / "打开…"                | `nemo state`               |
| "drag" / "drop" / "拖拽" / "拖动"        | another `nemo edit` message|
| "preview in the timeline" / "预览"      | `nemo state` (the summary) |
| "Export button" / "导出"                | `nemo export --wait`       |
| "check account / billing" / "账户" / "充值" | `nemo credits`          |
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EXPORT = "nemo export --wait"
STATE = "nemo state"
EDIT = 'nemo edit "…"'
CREDITS = "nemo credits"
UPLOAD = "nemo upload FILE"
LINK = "nemo session open"

# What a button's name means (first match wins); a button nobody knows is described in words instead.
_BUTTONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"export|download|render|save (the )?video|导出|下载", re.I), EXPORT),
    (re.compile(r"upload|import|add (media|files?|footage)|上传|导入", re.I), UPLOAD),
    (re.compile(r"credit|billing|balance|top.?up|recharge|buy|upgrade|subscri|plan|积分|充值|余额|账户|购买", re.I), CREDITS),
    (re.compile(r"preview|play|timeline|track|预览|播放|时间线", re.I), STATE),
    (re.compile(r"share|open in|workspace|分享", re.I), LINK),
]

_QUOTE = "\"'“”‘’「」『』【】\\[\\]<>"
_CLICK = re.compile(
    rf"\b(?:click|tap|press|hit|select)(?:ing|s)?\s+(?:on\s+)?(?:the\s+)?[{_QUOTE}]?"
    rf"(?P<button>[^\s{_QUOTE}.,;:!?()][^{_QUOTE}.,;:!?()\n]{{0,30}}?)[{_QUOTE}]?"
    r"(?:\s+(?:button|icon|tab|menu|option|link))?(?=$|[\s.,;:!?()])",
    re.I,
)
_CLICK_ZH = re.compile(rf"(?:点击|单击|点一下|按下)\s*[{_QUOTE}]?(?P<button>[^\s{_QUOTE}，。！？,.!?]{{1,4}})[{_QUOTE}]?")
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:export|download)\s+button\b|导出", re.I), EXPORT),
    (re.compile(
        r"\bopen(?:ing)?\s+(?:up\s+)?(?:the\s+|your\s+)?(?:[\w-]+\s+){0,2}"
        r"(?:panel|tab|menu|sidebar|editor|window|view|inspector|library|settings|properties)\b|打开[^\s，。！？,.!?]{0,6}",
        re.I,
    ), STATE),
    (re.compile(
        r"\bdrag(?:ging|s)?\b(?:\s+and\s+drop)?|\bdrop(?:ping)?\s+(?:it|them|the\s+[\w-]+|your\s+[\w-]+)\s+(?:on|onto|into|in|at)\b"
        r"|拖拽|拖动|拖放",
        re.I,
    ), EDIT),
    (re.compile(r"\bpreview\b[^.!?\n]{0,40}\btimeline\b|\b(?:in|on) the timeline\b|预览", re.I), STATE),
    (re.compile(r"\bcheck\s+(?:your\s+|the\s+)?(?:account|billing|balance|credits?)\b|账户|账单|充值", re.I), CREDITS),
]
_WHY = {
    EXPORT: "renders and downloads the video",
    STATE: "shows the timeline",
    EDIT: "describe the change in another message",
    CREDITS: "shows your balance",
    UPLOAD: "adds media to the session",
    LINK: "opens the session in the web editor",
}


@dataclass(frozen=True)
class Hint:
    said: str  # the words of the reply that were meant for a GUI
    command: str  # what does it here

    def line(self) -> str:
        return f"“{self.said}” is for the web editor; here: `{self.command}` ({_WHY[self.command]})"

    def public(self) -> dict[str, str]:
        return {"said": self.said, "command": self.command}


def _button(name: str) -> str:
    for pattern, command in _BUTTONS:
        if pattern.search(name):
            return command
    return EDIT


def translate(text: str) -> list[Hint]:
    """The GUI instructions in a reply, each with the command that does it; one hint per command, in the
    order the reply mentions them."""
    found: list[tuple[int, Hint]] = []
    for pattern in (_CLICK, _CLICK_ZH):
        for m in pattern.finditer(text):
            found.append((m.start(), Hint(m.group(0).strip(), _button(m.group("button")))))
    for pattern, command in _RULES:
        for m in pattern.finditer(text):
            if not any(start <= m.start() < start + len(h.said) for start, h in found):
                found.append((m.start(), Hint(m.group(0).strip(), command)))
    hints: list[Hint] = []
    for _, hint in sorted(found, key=lambda item: item[0]):
        if all(h.command != hint.command for h in hints):
            hints.append(hint)
    return hints
