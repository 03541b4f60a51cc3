"""A line of `nemo chat` → its action, by the service's own routing table (English and Chinese keywords).

| user says                                        | action  |
| export, 导出, download, send me the video        | export  |
| credits, 积分, balance, 余额                     | credits |
| status, 状态, show tracks                        | state   |
| upload, 上传, or a path to an accepted file      | upload  |
| anything else                                    | edit    |

English keywords count when they lead the line ("export 1080p mp4", "please show tracks"), so an edit that
merely mentions a word ("add a download button overlay") still goes to the service; Chinese keywords
count anywhere, since Chinese has no spaces to lead with.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from nemo_cli.media import ACCEPTED_EXTENSIONS

_LEAD = r"^\s*(?:please\s+|pls\s+|now\s+|then\s+|can you\s+|could you\s+)?"
RULES: list[tuple[str, re.Pattern[str]]] = [
    ("export", re.compile(_LEAD + r"(export|download)\b|send me the video|导出|下载", re.I)),
    ("credits", re.compile(_LEAD + r"(credits?|balance)\b|积分|余额", re.I)),
    ("state", re.compile(_LEAD + r"(status|show\s+(the\s+)?tracks|show\s+(the\s+)?timeline|state)\b|状态", re.I)),
    ("upload", re.compile(_LEAD + r"upload\b|上传", re.I)),
]
_RESOLUTION = re.compile(r"\b(2160p|1440p|1080p|720p|480p|\d{3,4}x\d{3,4})\b", re.I)


@dataclass
class Route:
    action: str  # export | credits | state | upload | edit
    text: str
    paths: list[str] = field(default_factory=list)  # upload: the files named
    options: dict[str, str] = field(default_factory=dict)  # export: resolution/format asked for


def _accepted_path(word: str) -> bool:
    path = Path(word).expanduser()
    ext = path.suffix.lower().lstrip(".")
    return ext in ACCEPTED_EXTENSIONS and path.is_file()


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def route(text: str) -> Route:
    line = text.strip()
    words = _words(line)
    # a bare path (or several) to accepted files is an upload, whatever else matches
    if words and all(_accepted_path(w) for w in words):
        return Route("upload", line, paths=words)
    for action, pattern in RULES:
        if pattern.search(line):
            if action == "upload":
                return Route("upload", line, paths=[w for w in words if _accepted_path(w)])
            if action == "export":
                opts = {}
                res = _RESOLUTION.search(line)
                if res:
                    opts["resolution"] = res.group(1).lower()
                if re.search(r"\bmp4\b", line, re.I):
                    opts["format"] = "mp4"
                return Route("export", line, options=opts)
            return Route(action, line)
    return Route("edit", line)
