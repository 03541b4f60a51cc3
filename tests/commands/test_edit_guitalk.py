"""The service's GUI talk → the command that does it (the contract's table, English and Chinese)."""

from __future__ import annotations

import pytest

from nemo_cli.flows.edit.guitalk import CREDITS, EDIT, EXPORT, LINK, STATE, UPLOAD, translate


@pytest.mark.parametrize(
    "reply, commands",
    [
        ("Done! Click Export to download your video.", [EXPORT]),
        ("Click the 'Export' button when you are ready.", [EXPORT]),
        ("Use the Export button in the top right.", [EXPORT]),
        ("Click Upload to add your footage.", [UPLOAD]),
        ("Press Generate to start.", [EDIT]),
        ("Tap on Share to send it to a friend.", [LINK]),
        ("click the top-up button", [CREDITS]),
        ("Open the properties panel to fine-tune it.", [STATE]),
        ("Drag the clip to reorder the scenes.", [EDIT]),
        ("Drag and drop your files here.", [EDIT]),
        ("Preview it in the timeline.", [STATE]),
        ("Please check your billing page.", [CREDITS]),
        ("Open the export panel and click Export.", [STATE, EXPORT]),
        ("已完成，点击导出即可下载。", [EXPORT]),
        ("请打开设置面板", [STATE]),
        ("可以拖拽片段调整顺序", [EDIT]),
        ("点击“上传”按钮添加素材", [UPLOAD]),
        ("余额不足，请前往账户充值", [CREDITS]),
        ("导出前可以先预览", [EXPORT, STATE]),
    ],
)
def test_gui_talk_is_translated(reply, commands):
    assert [h.command for h in translate(reply)] == commands


@pytest.mark.parametrize(
    "reply",
    [
        "Added lo-fi background music at 35%. Anything else?",
        "The scene opens with a drop of rain on the window.",
        "I removed 2 seconds between 0:02 and 0:04.",
        "",
    ],
)
def test_ordinary_replies_give_no_hint(reply):
    assert translate(reply) == []


def test_one_hint_per_command_and_the_words_it_came_from():
    hints = translate("Click Export. Or click the Download button. Then open the timeline panel.")
    assert [(h.said, h.command) for h in hints] == [("Click Export", EXPORT), ("open the timeline panel", STATE)]
    assert hints[0].line() == "“Click Export” is for the web editor; here: `nemo export --wait` (renders and downloads the video)"
    assert hints[0].public() == {"said": "Click Export", "command": EXPORT}
