"""The emulator's agent in Chinese: every request it understands in English (titles, cuts, trims, lengths,
music, speed, transitions, grades, generation, the music question) written in Chinese gives the very same
draft, and the reply comes in the session's language. Then end to end: a Chinese session, Chinese edits
and a Chinese question through the real `nemo`, asserting output, exit codes and what the server got."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nemo_cli.emulator import agent_zh
from nemo_cli.emulator.agent import respond
from tests.emulator.test_emulator_agent import clip_state, track, video
from tests.e2e.test_question_e2e import checked, ready, sent


def with_music(seconds: float = 8) -> dict:
    state = clip_state(seconds)
    state["draft"] = respond("add lo-fi background music at 35%", state).draft
    return state


SAME = [  # (Chinese, English, the state both are sent to)
    ("加个标题 'Hello'", "add title 'Hello'", clip_state(8)),
    ("加个标题'Hello'", "add title 'Hello'", clip_state(8)),
    ("添加标题“你好”", "add a title “你好”", clip_state(8)),
    ("标题改成「周末」", "add title '周末'", clip_state(8)),
    ("加个标题", "add a title with the file name", clip_state(8)),
    ("删除0:02到0:04之间的部分", "remove the section between 0:02 and 0:04", clip_state(8)),
    ("把2到4秒删掉", "remove 0:02-0:04", clip_state(8)),
    ("删除0:01到0:02和0:05到0:06之间的部分", "remove 0:01-0:02 and 0:05-0:06", clip_state(8)),
    ("删除0:02到0:04之间的部分", "remove 0:02-0:04", clip_state(3, 3)),
    ("保留0:02到0:06", "keep 0:02-0:06", clip_state(8)),
    ("剪掉开头五秒", "trim the first 5 seconds", clip_state(8)),
    ("去掉最后两秒", "trim the last 2 seconds", clip_state(8)),
    ("把开头的3秒剪掉", "trim the first 3 seconds", clip_state(8)),
    ("剪成4秒", "make it 4 seconds long", clip_state(8)),
    ("剪成4秒的精彩集锦", "compile the best moments into a 4-second clip", clip_state(8)),
    ("挑出最好的镜头", "cut the best takes", clip_state(8)),
    ("加一段lo-fi背景音乐，音量35%", "add lo-fi background music at 35%", clip_state(8)),
    ("背景音乐音量调到20%", "set the music volume to 20%", with_music()),
    ("删除背景音乐", "remove the music", with_music()),
    ("加速2倍", "speed it up 2x", clip_state(8)),
    ("2倍速播放", "play it at 2x speed", clip_state(8)),
    ("加速一倍", "double the speed", clip_state(8)),
    ("放慢到0.5倍", "slow it down to 0.5x", clip_state(8)),
    ("慢动作", "slow motion", clip_state(3, 3)),
    ("加交叉淡化转场", "add crossfade transitions", clip_state(3, 3)),
    ("加溶解转场", "add dissolve transitions", clip_state(3, 3)),
    ("去掉所有转场", "remove the transitions", {**clip_state(3, 3), "draft": respond("add transitions", clip_state(3, 3)).draft}),
    ("调成黑白", "black and white look", clip_state(8)),
    ("电影感调色，曝光+0.3，对比度+15", "cinematic look, exposure +0.3, contrast +15", clip_state(3, 3)),
    ("调整曝光、对比度和饱和度", "adjust exposure, contrast, and saturation", clip_state(8)),
    ("删除0:02到0:04之间的部分，然后加个标题'好'", "remove 0:02-0:04 and add title '好'", clip_state(8)),
]


@pytest.mark.parametrize("zh, en, state", SAME, ids=[zh for zh, _, _ in SAME])
def test_chinese_gives_the_same_edit_as_english(zh, en, state):
    chinese, english = respond(zh, state, language="zh-CN"), respond(en, state)
    assert english.draft is not None, english.text  # the English counterpart is a real edit
    assert chinese.draft == english.draft
    assert [(t.name, t.args) for t in chinese.tools] == [(t.name, t.args) for t in english.tools]
    assert chinese.cost == english.cost
    assert chinese.text.startswith("好的！我") and english.text.startswith("Done! I")


def test_replies_follow_the_sessions_language_not_the_instructions():
    zh = respond("加个标题 'Hello'", clip_state(8), language="zh-CN")
    assert zh.text == "好的！我添加了标题“Hello”（0:00–0:03）。可以在时间线中预览，满意后点击导出。"
    en = respond("加个标题 'Hello'", clip_state(8), language="en")
    assert en.text == 'Done! I added the title "Hello" (0:00–0:03). You can preview it in the timeline, then click Export when you\'re ready.'
    english_words = respond("add title 'Hello'", clip_state(8), language="zh-Hans")
    assert english_words.text == zh.text
    cut = respond("删除0:02到0:04之间的部分", clip_state(8), language="zh-CN")
    assert cut.text == "好的！我删除了0:02–0:04，并把其余部分接在一起；视频现在长0:06。"
    speed = respond("加速2倍", clip_state(8), language="zh-CN")
    assert speed.text == "好的！我把视频加速到了2倍速；视频现在长0:04。"
    grade = respond("调成黑白", clip_state(8), language="zh-CN")
    assert grade.text.startswith("好的！我给所有片段应用了黑白调色。")


def test_chinese_replies_that_change_nothing_or_refuse():
    unknown = respond("今天天气怎么样", clip_state(8), language="zh-CN")
    assert unknown.draft is None and unknown.text.startswith("抱歉，我不确定“今天天气怎么样”要改什么。")
    nothing = respond("删除背景音乐", clip_state(8), language="zh-CN")
    assert nothing.draft is None and nothing.text == "视频保持原样：没有可删除的背景音乐。"
    refused = respond("删除0:00到0:20之间的部分", clip_state(8), language="zh-CN")
    assert refused.draft is None and refused.text.startswith("这个做不到：删除0:00–0:20会让这段0:08的视频什么都不剩。")
    empty = respond("加个标题'X'", clip_state(), language="zh-CN")
    assert empty.draft is None and "请先上传一段素材" in empty.text
    length = respond("视频多长？", clip_state(5, 3), language="zh-CN")
    assert length.text == "视频长0:08，共2个片段。你想改什么？"


def test_chinese_music_styles_name_the_track_in_chinese():
    turn = respond("加上轻快的背景音乐，音量35%", clip_state(8), language="zh-CN")
    assert track(turn, "trk_music")["m"] == {"title": "轻快音乐", "volume": 35, "kind": "music"}
    assert turn.text.startswith("好的！我添加了轻快背景音乐，音量35%。")


def test_chinese_generation_without_footage():
    turn = respond("生成一段15秒的海上日落视频", clip_state(), language="zh-CN")
    assert [t.name for t in turn.tools] == ["video_generate", "music_add", "title_add"]
    assert turn.tools[0].args == {"prompt": "海上日落", "duration_ms": 15000}
    assert video(turn) == [(0, 15000, "generated", 0)] and turn.cost == 100
    assert track(turn, "trk_title")["sg"][0]["m"]["text"] == "海上日落"
    assert turn.text.startswith("好的！我生成了一段15秒的视频：海上日落")


def test_the_music_question_in_chinese_and_its_answers():
    asked = respond("加背景音乐", clip_state(8), language="zh-CN")
    assert asked.draft is None and asked.cost == 0 and asked.chunks == []
    (question,) = asked.question["questions"]
    assert question["prompt"] == "你想要哪种风格的背景音乐？"
    assert [o["label"] for o in question["options"]] == ["欢快流行", "舒缓钢琴", "电影感", "Lo-fi"]
    for answer, title in [("舒缓钢琴", "舒缓钢琴音乐"), ("2", "舒缓钢琴音乐"), ("lo-fi", "Lo-fi music"), ("爵士", "爵士音乐")]:
        turn = respond(answer, clip_state(8), language="zh-CN", asked=asked.pending)
        assert track(turn, "trk_music")["m"]["title"] == title, answer
    # a new instruction instead of an answer: the question is dropped, the instruction carried out
    other = respond("加个标题'新'", clip_state(8), language="zh-CN", asked=asked.pending)
    assert [t.name for t in other.tools] == ["title_add"]


def test_speed_changes_keep_exact_source_offsets_for_later_cuts():
    state = clip_state(8)
    state["draft"] = respond("加速2倍", state, language="zh-CN").draft
    assert video(respond("remove 0:01-0:02", state)) == [(0, 1000, "med_1", 0), (1000, 2000, "med_1", 4000)]


@pytest.mark.parametrize("text, value", [("5", 5), ("1.5", 1.5), ("五", 5), ("十", 10), ("十五", 15), ("二十", 20),
                                          ("两", 2), ("一百二十", 120), ("三十五", 35)])
def test_chinese_numbers(text, value):
    assert agent_zh.number(text) == value


@pytest.mark.parametrize("text, ms", [("0:02", 2000), ("5秒", 5000), ("第5秒", 5000), ("五秒钟", 5000), ("1分20秒", 80000),
                                      ("2分钟", 120000), ("1小时", 3600000), ("500毫秒", 500), ("1.5秒", 1500)])
def test_chinese_times(text, ms):
    assert agent_zh.parse_time(text) == ms


# -- end to end ----------------------------------------------------------------------------------------


def test_a_chinese_session_edits_in_chinese_and_answers_in_chinese(emulator):
    ready(emulator, language="zh-CN")
    made = next(r for r in emulator.requests if r.path == "/api/tasks/me/with-session/nemo_agent")
    assert made.json["language"] == "zh-CN"

    title = checked(emulator.nemo("edit", "加个标题 'Hello'"))
    assert title.returncode == 0, title.stderr
    assert title.stdout == "好的！我添加了标题“Hello”（0:00–0:03）。可以在时间线中预览，满意后点击导出。\n"
    assert "hint: “点击导出” is for the web editor; here: `nemo export --wait`" in title.stderr

    cut = checked(emulator.nemo("edit", "--json", "删除0:02到0:04之间的部分", "--expect-change"))
    assert cut.returncode == 0, cut.stderr
    done = json.loads(cut.stdout.splitlines()[-1])
    assert done["text"] == "好的！我删除了0:02–0:04，并把其余部分接在一起；视频现在长0:03。"
    assert "timeline: 5s → 3s" in done["changes"]

    assert sent(emulator) == ["加个标题 'Hello'", "删除0:02到0:04之间的部分"]  # the UTF-8 text, exactly, once each
    state = checked(emulator.nemo("state"))
    assert 'Title: "Hello"' in state.stdout and "3s" in state.stdout


def test_a_chinese_question_asked_and_answered_by_number(emulator):
    ready(emulator, language="zh-CN")
    asked = checked(emulator.nemo("edit", "加背景音乐"))
    assert asked.returncode == 13
    assert asked.stdout.splitlines() == ["你想要哪种风格的背景音乐？", "  1. 欢快流行", "  2. 舒缓钢琴", "  3. 电影感", "  4. Lo-fi"]
    assert asked.stderr.startswith("error: the service asks “你想要哪种风格的背景音乐？” (1. 欢快流行, 2. 舒缓钢琴, 3. 电影感, 4. Lo-fi)")
    answered = checked(emulator.nemo("edit", "2"))
    assert answered.returncode == 0, answered.stderr
    assert answered.stdout == "好的！我添加了舒缓钢琴背景音乐，音量30%。如需微调音量，可以打开音频面板。\n"
    assert "hint: “打开音频面板” is for the web editor; here: `nemo state`" in answered.stderr
    assert sent(emulator) == ["加背景音乐", "舒缓钢琴"]


def test_chinese_speed_and_grade_through_chat(emulator, tmp_path):
    ready(emulator, language="zh-CN")
    talk = checked(subprocess.run([sys.executable, "-m", "nemo_cli", "chat"], input="加速2倍\n调成黑白\n状态\n",
                                  capture_output=True, text=True, cwd=tmp_path, env=emulator.env(), timeout=120))
    assert talk.returncode == 0, talk.stderr
    assert "好的！我把视频加速到了2倍速；视频现在长0:02.5。" in talk.stdout
    assert "好的！我给所有片段应用了黑白调色。" in talk.stdout
    assert sent(emulator) == ["加速2倍", "调成黑白"]  # 状态 is routed to `nemo state`, not sent
    state = json.loads(checked(emulator.nemo("state", "--json")).stdout)
    (segment,) = [s for t in state["draft"]["t"] if t["tt"] == 0 for s in t["sg"]]
    assert (segment["d"], segment["m"]["speed"], segment["m"]["grade"]["look"]) == (2500, 2.0, "black and white")
