"""Global options (--debug, --no-color, -p/--profile, --api-url) anywhere on the line, as `gh` takes them:
which words are global (nemo_cli.options.hoist against the real command tree), and the installed `nemo`
taking them after the command against the emulator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nemo_cli import options
from nemo_cli.commands.common import _shape
from nemo_cli.commands.tree import root_command

ROOT = root_command()
NEMO = str(Path(sys.executable).parent / "nemo")


def hoisted(*args: str) -> tuple[dict, list[str]]:
    found, rest, _ = options.hoist(list(args), ROOT, _shape)
    return {k: v for k, v in found.as_dict().items() if v}, rest


@pytest.mark.parametrize(
    "args,globals_,rest",
    [
        (["credits", "--debug"], {"debug": True}, ["credits"]),
        (["credits", "--json", "-p", "work", "--no-color"], {"profile": "work", "no_color": True}, ["credits", "--json"]),
        (["config", "get", "language", "-pwork", "--api-url=http://x"], {"profile": "work", "api_url": "http://x"}, ["config", "get", "language"]),
        (["--debug", "session", "show", "--profile=work"], {"debug": True, "profile": "work"}, ["session", "show"]),
        # an option's value is never global: --session takes "--debug", edit's --file reads a file named -p
        (["session", "show", "-s", "--debug"], {}, ["session", "show", "-s", "--debug"]),
        (["edit", "--file", "-p"], {}, ["edit", "--file", "-p"]),
        (["edit", "--file=-p", "--debug"], {"debug": True}, ["edit", "--file=-p"]),
        # after `--` nothing is global: the instruction is the text "--debug"
        (["edit", "--", "--debug"], {}, ["edit", "--", "--debug"]),
        (["edit", "add", "music", "--", "-p", "x"], {}, ["edit", "add", "music", "--", "-p", "x"]),
        # a command that passes its line on: after CMD, everything is CMD's
        (["emulator", "exec", "nemo", "credits", "--debug"], {}, ["emulator", "exec", "nemo", "credits", "--debug"]),
        (["emulator", "exec", "--debug", "--", "sh"], {"debug": True}, ["emulator", "exec", "--", "sh"]),
        # a command's own option of the same name wins
        (["__complete", "sessions", "-p", "work"], {}, ["__complete", "sessions", "-p", "work"]),
        # what is not understood stays for the parser to report
        (["credits", "--profile"], {}, ["credits", "--profile"]),
        (["credits", "--debug=1"], {}, ["credits", "--debug=1"]),
        (["nosuch", "--debug"], {}, ["nosuch", "--debug"]),
    ],
)
def test_which_words_are_global(args, globals_, rest):
    assert hoisted(*args) == (globals_, rest)


def test_the_globals_go_back_to_words_for_chat_and_batch():
    from nemo_cli.options import Globals

    assert Globals.from_params({"debug": True, "profile": "w", "api_url": None, "no_color": False}).args() == ["--debug", "--profile", "w"]
    assert options.Globals(no_color=True, api_url="http://x").args() == ["--no-color", "--api-url", "http://x"]


def test_leading_globals_for_the_fast_paths():
    assert options.leading(["-p", "w", "--debug", "credits"]) == (options.Globals(profile="w", debug=True), 3)
    assert options.leading(["--version"]) == (options.Globals(), 0)
    assert options.leading(["--profile"])[1] == 0  # no value: left for the parser


# -- the installed program -----------------------------------------------------------------------


def test_debug_after_the_command(emulator):
    done = emulator.nemo("credits", "--json", "--debug")
    assert done.returncode == 0, done.stderr
    assert "debug: > GET" in done.stderr and "/api/credits/balance/simple" in done.stderr
    assert done.stdout.lstrip().startswith("{")


def test_api_url_after_the_command(emulator):
    done = emulator.nemo("credits", "-q", "--api-url", emulator.url, env={"NEMO_API_URL": "http://127.0.0.1:9"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().isdigit()


def test_profile_after_the_command(emulator):
    made = emulator.nemo("session", "new", "-q", "--profile", "work")
    assert made.returncode == 0, made.stderr
    sid = made.stdout.strip()
    assert emulator.nemo("session", "show", "-q", "-p", "work").stdout.strip() == sid
    assert emulator.nemo("-p", "work", "session", "show", "-q").stdout.strip() == sid
    other = emulator.nemo("session", "show", "-q")  # the default profile has no session
    assert other.returncode == 4 and other.stdout == ""


def test_no_color_after_the_command(isolated_env):
    """On a terminal the error line is red; --no-color after the command turns that off."""
    import os
    import pty

    def stderr_on_a_terminal(*args: str) -> str:
        main, secondary = pty.openpty()
        env = {**os.environ, "NEMO_API_URL": "http://127.0.0.1:9", "NEMO_TOKEN": "nmv_usr_globalsTEST0001", "NEMO_RETRIES": "0", "TERM": "xterm"}
        subprocess.run([NEMO, *args], stderr=secondary, stdout=subprocess.DEVNULL, env=env, timeout=60)
        os.close(secondary)
        text = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            text += chunk
        os.close(main)
        return text.decode()

    assert "\x1b[31merror: " in stderr_on_a_terminal("credits")
    plain = stderr_on_a_terminal("credits", "--no-color")
    assert plain.startswith("error: cannot connect") and "\x1b[" not in plain


def test_after_double_dash_a_global_is_the_instruction(emulator):
    assert emulator.nemo("session", "new", "-q").returncode == 0
    done = emulator.nemo("edit", "-q", "--", "--debug")
    assert done.returncode == 0, done.stderr
    assert "debug: >" not in done.stderr
    sent = [r.json["new_message"]["parts"][0]["text"] for r in emulator.requests if r.method == "POST" and r.path == "/run_sse"]
    assert sent == ["--debug"]


def test_an_option_value_that_looks_global_is_a_value(emulator, tmp_path):
    assert emulator.nemo("session", "new", "-q").returncode == 0
    (tmp_path / "-p").write_text("add a title 'From a file'\n")
    done = subprocess.run([NEMO, "edit", "-q", "--file", "-p"], cwd=tmp_path, env=emulator.env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    sent = [r.json["new_message"]["parts"][0]["text"] for r in emulator.requests if r.method == "POST" and r.path == "/run_sse"]
    assert sent == ["add a title 'From a file'"]


def test_every_help_lists_the_global_options():
    for args in (["credits", "--help"], ["export", "status", "--help"], ["--help"]):
        text = subprocess.run([NEMO, *args], capture_output=True, text=True, timeout=60).stdout
        section = text.split("Global options (they go anywhere on the line):\n", 1)[1]
        for flag in ("--debug", "--no-color", "-p, --profile NAME", "--api-url URL"):
            assert flag in section, (args, flag)
