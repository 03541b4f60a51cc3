"""The emulator agent's Chinese: the same requests as its English rules (nemo_cli.emulator.agent), written
the way Chinese-speaking users write them, read into the same actions and tools (nemo_cli.emulator.edits)
with the same reader (nemo_cli.emulator.reading).

    加个标题'Hello' · 删除0:02到0:04之间的部分 · 剪掉开头5秒 · 保留0:30到1:45 · 剪成30秒的精彩集锦
    加上轻快的背景音乐，音量35% · 背景音乐音量调到20% · 删除背景音乐 · 加速2倍 · 放慢到0.5倍 · 慢动作
    加交叉淡化转场 · 调成黑白 · 电影感调色，曝光+0.3，对比度+15 · 调整曝光、对比度和饱和度
    生成一段10秒的城市夜景视频 (a session without footage)

`read(reader)` runs after the English rules, on the same masked text (quotes are NUL characters, so words
inside a title are never read as requests), and adds actions only where no rule has read the words yet.
Numbers may be digits or Chinese numerals (五秒, 十五秒, 两倍); times are M:SS, or N秒 / N分(钟)N秒 /
N小时 / N毫秒, and the first end of a range may leave its unit to the second ("2到4秒"). Pure, like the
agent itself.
"""

from __future__ import annotations

import re

from nemo_cli.emulator import edits
from nemo_cli.emulator.reading import Reader

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUM = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+)"
_SEC = r"秒钟?"
_MIN = r"(?:分钟|分)"
_HOUR = r"(?:个)?(?:小时|钟头)"
TIME = (rf"(?:\d+:\d{{1,2}}(?::\d{{1,2}})?(?:\.\d+)?"
        rf"|第?{NUM}\s*{_HOUR}(?:\s*{NUM}\s*{_MIN})?(?:\s*{NUM}\s*{_SEC})?"
        rf"|第?{NUM}\s*{_MIN}(?:\s*{NUM}\s*{_SEC})?"
        rf"|第?{NUM}\s*毫秒"
        rf"|第?{NUM}\s*{_SEC})")
START = rf"(?:{TIME}|第?{NUM})"  # the first end of a range: its unit may come with the second
_TO = r"\s*(?:到|至|~|～|-|—|–)\s*"
_PART = r"(?:\s*(?:之间|中间))?(?:\s*的)?(?:\s*(?:部分|片段|内容|画面|那段|这段|一段))?"
_CUT = r"(?:删除|删掉|删去|剪掉|剪去|去掉|去除|切掉|移除|拿掉|裁掉)"
_ADD = r"(?:添加一个|添加一段|添加|加一个|加一段|加一首|加一点|加上|加个|加点|加首|加入|加|配上|配|放点|放|来一段|来首|来点|插入|换上|用|要)"
_SIDE = r"(?P<edge>最前面|前面|开头|开始|片头|前|最后面|最后|结尾|末尾|片尾|后面|后)"
_FIRST = ("最前面", "前面", "开头", "开始", "片头", "前")


def number(text: str) -> float:
    """Digits or a Chinese numeral up to the hundreds: "15", "1.5", "十五", "二十", "一百二十", "两"."""
    t = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", t):
        return float(t)
    total = digit = 0
    for ch in t:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch == "十":
            total += (digit or 1) * 10
            digit = 0
        elif ch == "百":
            total += (digit or 1) * 100
            digit = 0
        else:
            raise ValueError(f"not a number: {text!r}")
    return float(total + digit)


def parse_time(text: str, unit_ms: int = 1000) -> int:
    """A Chinese time as whole milliseconds ("1分20秒" → 80000, "0:02" → 2000, "第5秒" → 5000); a bare
    number counts in `unit_ms`."""
    t = text.strip().lstrip("第")
    if ":" in t:
        return edits.parse_time(t)
    total, found = 0.0, False
    for value, unit in re.findall(rf"({NUM})\s*({_HOUR}|分钟|分|毫秒|秒钟|秒)?", t):
        found = True
        n = number(value)
        total += n * (3_600_000 if "时" in unit or "钟头" in unit else 60_000 if unit.startswith("分")
                      else 1 if unit == "毫秒" else 1000 if unit else unit_ms)
    if not found:
        raise ValueError(f"not a time: {text!r}")
    return round(total)


def _span(start: str, end: str) -> tuple[int, int]:
    b = parse_time(end)
    bare = re.fullmatch(rf"第?{NUM}", start.strip()) is not None
    unit = 60_000 if bare and re.search(r"分", end) and not re.search(r"秒", end) else 1000
    x = parse_time(start, unit)
    return min(x, b), max(x, b)


def read(r: Reader) -> None:
    if not r.has_media:
        _generate(r)
    for rule in (_keep_range, _remove_range, _trim, _speed, _keep_length, _best_takes, _drop_tracks, _title,
                 _music, _transitions, _grade):
        rule(r)


def _generate(r: Reader) -> None:
    pattern = (rf"(?:生成|创建|制作|做|拍|来)\s*(?:一段|一个|一条|一部)?\s*(?:(?P<n>{TIME})\s*(?:长)?\s*(?:的)?)?\s*"
               r"(?P<subject>[^，。,；;！!？?\x00]{0,30}?)\s*(?:的)?\s*(?:视频|短片|片子|影片|动画|片段)")
    for m in r.each(pattern):
        subject = r.original[m.start("subject"):m.end("subject")].strip() if m.group("subject") else ""
        n = parse_time(m.group("n")) if m.group("n") else None
        explicit = {w for w, zh in (("music", "音乐"), ("title", "标题")) if zh in r.text}
        r.add(m, "video_generate", {"prompt": subject, "duration_ms": max(1000, min(n or edits.GENERATED_MS, 300_000))},
              lambda tl, subject=subject, n=n, explicit=explicit: edits.generate(tl, subject, n, explicit))


def _keep_range(r: Reader) -> None:
    for pattern in (rf"(?:只保留|保留|只留下|只留|留下|只要|截取|截出|剪成|裁成|裁剪成)\s*(?:从)?\s*(?P<a>{START}){_TO}(?P<b>{TIME}){_PART}",):
        for m in r.each(pattern):
            x, y = _span(m.group("a"), m.group("b"))
            r.add(m, "timeline_keep_range", {"start_ms": x, "end_ms": y}, lambda tl, x=x, y=y: edits.keep_range(tl, x, y))


def _remove_range(r: Reader) -> None:
    one = rf"(?:从)?\s*(?P<a>{START}){_TO}(?P<b>{TIME}){_PART}"
    more = re.compile(rf"\s*(?:和|、|以及|还有|，|,)\s*(?:从)?\s*(?P<a>{START}){_TO}(?P<b>{TIME}){_PART}")
    for pattern in (rf"{_CUT}\s*{one}", rf"把\s*{one}\s*{_CUT}"):
        for m in r.each(pattern):
            spans = [_span(m.group("a"), m.group("b"))]
            end = m.end()
            while (extra := more.match(r.text, end)) and r.free(extra.start(), extra.end()):
                spans.append(_span(extra.group("a"), extra.group("b")))
                end = extra.end()
            args = {"start_ms": spans[0][0], "end_ms": spans[0][1]} if len(spans) == 1 else {
                "ranges": [{"start_ms": x, "end_ms": y} for x, y in spans]}
            r.add_span(m.start(), end, "timeline_remove_range", args, lambda tl, spans=spans: edits.remove(tl, spans))


def _trim(r: Reader) -> None:
    patterns = [
        rf"{_CUT}\s*(?:掉)?\s*{_SIDE}\s*(?:的)?\s*(?P<n>{TIME})",
        rf"把\s*{_SIDE}\s*(?:的)?\s*(?P<n>{TIME})\s*{_CUT}",
        rf"{_SIDE}\s*(?:的)?\s*{_CUT}\s*(?P<n>{TIME})",
        rf"{_SIDE}\s*(?:的)?\s*(?P<n>{TIME})\s*(?:不要了|不要|剪掉|去掉|删掉)",
    ]
    for pattern in patterns:
        for m in r.each(pattern):
            edge = "first" if m.group("edge") in _FIRST else "last"
            n = parse_time(m.group("n"))
            r.add(m, "timeline_trim", {"edge": "start" if edge == "first" else "end", "duration_ms": n},
                  lambda tl, edge=edge, n=n: edits.trim(tl, edge, n))


def _speed(r: Reader) -> None:
    fast = r"(?:加速|加快|快进|提速)"
    slow = r"(?:放慢|慢放|减速|降速|慢速)"
    patterns = [  # (pattern, the factor when the words name none)
        (rf"(?P<verb>{fast})(?:播放)?\s*(?:到|为|成|至)?\s*(?P<f>{NUM})\s*倍速?", None),
        (rf"(?P<verb>{slow})(?:播放)?\s*(?:到|为|成|至)?\s*(?P<f>{NUM})\s*倍速?", None),
        (rf"(?:播放速度|速度|倍速)\s*(?:调到|调成|调为|改成|改为|设为|设置为|调整为|调整到|为)\s*(?P<f>{NUM})\s*倍?速?", None),
        (rf"(?P<f>{NUM})\s*倍速(?:播放)?", None),
        (rf"{slow}(?:到|为|成)?\s*一半|半速|慢动作", 0.5),
        (rf"{fast}(?:播放)?(?:一点|一些|点)?", 2.0),
        (rf"{slow}(?:播放)?(?:一点|一些|点)?", 0.5),
    ]
    for pattern, default in patterns:
        for m in r.each(pattern):
            f = number(m.group("f")) if "f" in m.groupdict() and m.group("f") else default
            if f is None:
                continue
            if m.groupdict().get("verb") and re.match(fast, m.group("verb")) and f == 1:
                f = 2.0  # 加速一倍: one time faster, i.e. twice the speed
            r.add(m, "speed_set", {"factor": f}, lambda tl, f=f: edits.speed(tl, f))


def _keep_length(r: Reader) -> None:
    highlights = bool(re.search(r"精彩|精华|高光|集锦|亮点|最好的片段|最佳片段", r.text))
    verbs = r"(?:剪辑成|剪成|缩短到|缩短为|缩短成|压缩到|压缩成|压缩为|浓缩成|浓缩为|合成|做成|剪到|控制在)"
    pattern = (rf"{verbs}\s*(?:一个|一段|一条)?\s*(?P<n>{TIME})\s*(?:以内|之内|左右)?(?:\s*的)?"
               r"(?:\s*(?:短片|短视频|视频|片段|精华|集锦|demo|演示|版本|剪辑))?")
    for m in r.each(pattern):
        n = parse_time(m.group("n"))
        r.add(m, "timeline_keep_length", {"duration_ms": n, "mode": "highlights" if highlights else "first"},
              lambda tl, n=n: edits.keep_length(tl, n, highlights))


def _best_takes(r: Reader) -> None:
    for m in r.each(r"(?:挑出|挑选|挑|选出|选|保留|剪出|用)?\s*(?:最好|最佳|最棒)的\s*(?:镜头|素材|条)"):
        r.add(m, "timeline_best_takes", {"keep_ratio": 0.8}, edits.best_takes)


def _drop_tracks(r: Reader) -> None:
    drop = r"(?:删除|删掉|去掉|移除|取消|关掉|拿掉|不要)"
    for pattern, music in ((rf"{drop}\s*(?:背景音乐|音乐|配乐|bgm)", True), (rf"{drop}\s*(?:开场|片头)?标题", False)):
        for m in r.each(pattern):
            r.add(m, "track_remove", {"track": "music" if music else "title"}, lambda tl, music=music: edits.drop(tl, music))


def _title(r: Reader) -> None:
    add = r"(?:添加一个|加一个|加上|加个|添加|加入|加|放|插入|设置|做|写)"
    quoted = [
        rf"{add}\s*(?:个|一个|上)?\s*(?:开场|片头)?\s*标题\s*(?:[:：]|为|是|叫|写着|内容是|文字是)?\s*(?P<q>\x00+)",
        rf"标题\s*(?:改成|改为|设为|设置为|换成|就叫|叫|用|是)\s*[:：]?\s*(?P<q>\x00+)",
        rf"(?:用|把|以)\s*(?P<q>\x00+)\s*(?:作为|当作|当成|当|做)\s*标题",
    ]
    r.quoted_titles(quoted)
    for m in r.each(r"(?:用|以)\s*文件名\s*(?:作为|当作|当|做)?\s*标题|标题\s*(?:用|为)\s*文件名"):
        r.add(m, "title_add", {"from": "file_name"}, lambda tl: edits.title(tl, None))
    for m in r.each(rf"{add}\s*(?:个|一个|上)?\s*(?:开场|片头)?\s*标题(?:\s*[:：]\s*(?P<t>[^，。,；;！!？?\x00]+))?"):
        text = r.original[m.start("t"):m.end("t")].strip() if m.group("t") else None
        r.add(m, "title_add", {"text": text} if text else {"from": "file_name"}, lambda tl, text=text: edits.title(tl, text))


_VOLUME = r"(?:百分之(?P<pv>" + NUM + r")|(?P<v>\d{1,3})\s*(?:%|％))"


def _volume(m: re.Match) -> int | None:
    raw = m.group("pv") or m.group("v")
    return max(0, min(100, int(number(raw)))) if raw else None


def _music(r: Reader) -> None:
    set_to = r"(?:调到|调成|调为|设为|设置为|设置成|改成|改为|调整到|调整为|降到|降低到|降为|提高到|调低到|调高到|为|到|是)"
    for pattern in (rf"(?:把\s*)?(?:背景)?音乐(?:的)?\s*音量\s*{set_to}?\s*{_VOLUME}",):
        for m in r.each(pattern):
            v = _volume(m)
            r.add(m, "music_volume", {"volume": v}, lambda tl, v=v: edits.music(tl, None, v, only_volume=True))
    add = (rf"{_ADD}\s*(?P<style>[^，。,；;！!？?\x00]{{0,12}}?)\s*(?:的)?\s*(?:背景音乐|音乐|配乐|bgm)"
           rf"(?:\s*[，,]?\s*(?:音量)\s*(?:为|是|调到|设为|设置为|在)?\s*{_VOLUME})?")
    for m in r.each(add):
        style = re.sub(r"^(?:一点|一段|一首|一些|点|些|段|首|个|上|一)+", "", m.group("style").strip())
        style = re.sub(r"(?:的|风格|风|类型|背景)+$", "", style).strip() or None
        r.add_music(m.start(), m.end(), style, _volume(m))


_TRANSITIONS = {"交叉淡化": "crossfade", "交叉溶解": "crossfade", "平滑": "crossfade", "顺滑": "crossfade",
                "淡入淡出": "fade", "淡化": "fade", "溶解": "dissolve", "擦除": "wipe", "滑动": "slide", "推拉": "zoom",
                "缩放": "zoom", "甩镜": "whip pan", "故障": "glitch", "旋转": "spin", "黑场": "fade to black",
                "模糊": "blur", "硬切": "cut"}


def _transitions(r: Reader) -> None:
    for m in r.each(r"(?:删除|删掉|去掉|移除|取消|不要)\s*(?:所有的?|全部的?)?\s*转场"):
        r.add(m, "transitions_set", {"style": None}, lambda tl: edits.transitions(tl, None))
    styles = "|".join(sorted(_TRANSITIONS, key=len, reverse=True))
    for m in r.each(rf"(?:添加|加上|加入|加个|加|使用|用|换成)?\s*(?P<style>{styles})?\s*(?:的)?\s*转场(?:效果|特效)?"):
        style = _TRANSITIONS.get(m.group("style") or "", "crossfade")
        r.add(m, "transitions_set", {"style": style}, lambda tl, style=style: edits.transitions(tl, style))


_LOOKS = {"电影感": "cinematic", "电影": "cinematic", "暖色调": "warm", "暖色": "warm", "暖调": "warm", "温暖": "warm",
          "冷色调": "cool", "冷色": "cool", "冷调": "cool", "复古": "vintage", "怀旧": "vintage", "黑白": "black and white",
          "胶片": "film", "情绪": "moody", "暗调": "moody", "鲜艳": "vibrant", "青橙": "teal orange", "自然": "natural",
          "清新": "fresh", "日系": "fresh"}
_KEYS = {"自然饱和度": "vibrance", "曝光": "exposure", "对比度": "contrast", "对比": "contrast", "饱和度": "saturation",
         "饱和": "saturation", "亮度": "brightness", "色温": "temperature", "高光": "highlights", "阴影": "shadows",
         "锐度": "sharpness", "锐化": "sharpness"}
_NUDGE = {"exposure": 0.3, "contrast": 10, "saturation": 5, "brightness": 10, "temperature": 10, "highlights": -10,
          "shadows": 10, "vibrance": 10, "sharpness": 10}


def _grade(r: Reader) -> None:
    if any(act.tool == "color_grade" for act in r.actions):
        return  # the English rules read a grade already
    looks = "|".join(sorted(_LOOKS, key=len, reverse=True))
    keys = "|".join(sorted(_KEYS, key=len, reverse=True))
    pieces: list[re.Match] = []
    look: str | None = None
    for pattern in (
        rf"(?:调成|调为|变成|改成|转成|做成|换成|调色成|调色为|处理成|调个|来个|加个|用)\s*(?P<look>{looks})(?:\s*的)?(?:色调|风格|效果|滤镜|感觉|调色)?",
        rf"(?P<look>{looks})(?:\s*的)?\s*(?:调色|色调|风格|滤镜|效果|色彩|质感|感觉)",
        rf"调色\s*[:：]?\s*(?P<look>{looks})",
        r"(?P<look>暖色调|冷色调|电影感)",
    ):
        for m in r.each(pattern):
            pieces.append(m)
            r.taken.append((m.start(), m.end()))
            look = look or _LOOKS[m.group("look")]
    for m in r.each(r"调色|调个色|调一下色|调一调色|色彩校正|校色"):
        pieces.append(m)
        r.taken.append((m.start(), m.end()))
    values: dict[str, float] = {}
    for m in r.each(rf"(?P<k>{keys})\s*(?:调到|调成|调为|设为|设置为|为|到|[:：=])?\s*(?P<v>[+-]\s*\d+(?:\.\d+)?|\d+(?:\.\d+)?)\s*%?"):
        pieces.append(m)
        r.taken.append((m.start(), m.end()))
        key, v = _KEYS[m.group("k")], float(m.group("v").replace(" ", ""))
        values[key] = round(max(-5.0, min(5.0, v)), 2) if key == "exposure" else int(max(-100, min(100, round(v))))
    for m in r.each(rf"(?P<verb>提高|增加|调高|加强|提升|增强|降低|减少|调低|减弱|调整|调节|调)(?:一下|一点|一些)?"
                    rf"(?=(?P<rest>[^。；;！!？?\x00]{{0,30}}))"):
        named = [_KEYS[k] for k in re.findall(keys, m.group("rest")) if _KEYS[k] not in values]
        if not named:
            continue
        sign = -1 if m.group("verb") in ("降低", "减少", "调低", "减弱") else 1
        for key in dict.fromkeys(named):
            values[key] = sign * _NUDGE[key]
        pieces.append(m)
        r.taken.append((m.start(), m.start() + len(m.group("verb")) + len(m.group("rest"))))
    if not pieces:
        return
    first = min(pieces, key=lambda p: p.start())
    ordered = {k: values[k] for k in edits.GRADE_KEYS if k in values}
    r.actions.append(edits.Action(first.start(), first.end(), "color_grade", {"look": look, **ordered},
                              lambda tl: edits.grade(tl, look, ordered)))
