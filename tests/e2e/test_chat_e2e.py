"""`nemo chat` end to end against the emulator: through stdin, one line as an argument, and a real
pseudo-terminal (type lines, read the screen, Ctrl-C, Ctrl-D)."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

SESSIONS = "/api/tasks/me/with-session/nemo_agent"
RENDERS = "/api/render/proxy/lambda"


def chat(emulator, *args, input=None, cwd, env=None):
    return subprocess.run(
        [sys.executable, "-m", "nemo_cli", "chat", *args],
        input=input, capture_output=True, text=True, cwd=cwd, env=emulator.env(**(env or {})), timeout=120,
    )


def posts(emulator, path):
    return [r for r in emulator.requests if r.method == "POST" and r.path.startswith(path)]


def test_a_conversation_through_stdin(emulator, tmp_path):
    emulator.media(tmp_path / "raw.mp4", seconds=6)
    lines = "\n".join(["raw.mp4", "add a title 'Urban Dreams'", "", "# a comment", "status", "积分", "export"])
    result = chat(emulator, input=lines + "\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # the upload started a session first, then each turn printed what its own command prints
    sid = re.search(r"Created session (\d+)", out).group(1)
    assert re.search(r"^raw\.mp4  video  6s  320x240", out, re.M)
    assert 'title "Urban Dreams"' in out  # the edit's streamed reply
    assert out.count('2. Title: "Urban Dreams" (0-3s)') == 2  # the summary after the edit, and `status`
    assert "available: 90" in out  # 100 credits less the edit's 10
    renders = sorted(tmp_path.glob("render_*.mp4"))
    assert len(renders) == 1 and renders[0].stat().st_size > 1000
    assert out.rstrip().endswith(str(renders[0]))
    # one session, one upload, one message, one render, all in that session
    assert len(posts(emulator, SESSIONS)) == 1
    assert [r.path for r in posts(emulator, "/api/upload-video/")] == [f"/api/upload-video/nemo_agent/me/{sid}"]
    assert [r.json["new_message"]["parts"][0]["text"] for r in posts(emulator, "/run_sse")] == ["add a title 'Urban Dreams'"]
    assert [r.json["sessionId"] for r in posts(emulator, RENDERS)] == [sid]


def test_json_records_per_turn_and_the_first_failures_exit_code(emulator, tmp_path):
    emulator.media(tmp_path / "raw.mp4", seconds=4)
    lines = ["upload raw.mp4", "upload missing.mp4", "credits", "add a title 'X'", "export to cut.mp4"]
    emulator.inject("credits", path="^/run_sse")
    result = chat(emulator, "--json", input="\n".join(lines) + "\n", cwd=tmp_path)
    assert result.returncode == 6, result.stderr  # the first failure: the missing file
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["turn"], r["line"], r["action"], r["exit_code"]) for r in records] == [
        (1, "upload raw.mp4", "upload", 0),
        (2, "upload missing.mp4", "upload", 6),
        (3, "credits", "credits", 0),
        (4, "add a title 'X'", "edit", 5),
        (5, "export to cut.mp4", "export", 0),
    ]
    assert "missing.mp4: no such file" in records[1]["error"]
    assert "error: cannot upload missing.mp4: no such file" in result.stderr
    assert records[2]["commands"][0]["output"] == [{"available": 100, "frozen": 0, "total": 100}]
    assert [c["argv"][0] for c in records[3]["commands"]] == ["edit"]  # no summary after a failed edit
    exported = records[4]["commands"][0]["output"][0]
    assert exported["status"] == "completed" and exported["path"] == str(tmp_path / "cut.mp4")
    assert (tmp_path / "cut.mp4").stat().st_size == exported["bytes"]


def test_one_line_as_an_argument(emulator, tmp_path):
    emulator.media(tmp_path / "raw.mp4", seconds=4)
    first = chat(emulator, str(tmp_path / "raw.mp4"), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    result = chat(emulator, "export 720p mp4", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (render,) = posts(emulator, RENDERS)
    assert render.json["output"]["resolution"] == "720p"
    assert (tmp_path / f"{render.json['id']}.mp4").is_file()
    # the action's own exit code: out of credits is 5
    emulator.inject("credits", path="^/run_sse")
    failed = chat(emulator, "add lo-fi background music at 35%", cwd=tmp_path)
    assert failed.returncode == 5
    assert failed.stderr.count("error: ") == 1
    # a line that names no file to upload is a usage error, and nothing is sent
    before = len(emulator.requests)
    bad = chat(emulator, "upload my holiday video", cwd=tmp_path)
    assert bad.returncode == 2 and "error: upload what?" in bad.stderr
    assert len(emulator.requests) == before


# -- a real terminal -------------------------------------------------------------------------------


class Screen:
    """A child on a pseudo-terminal that is its controlling terminal (so Ctrl-C is a real SIGINT)."""

    def __init__(self, argv, env, cwd):
        import fcntl
        import pty
        import termios

        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd, close_fds=True,
            start_new_session=True, preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        os.close(slave)
        self.seen = ""

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def expect(self, pattern: str, timeout: float = 30) -> str:
        """Read until `pattern` shows up after what was read before; return what came since."""
        start = len(self.seen)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                self.seen += chunk.decode("utf-8", "replace")
                plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", self.seen[start:])
                if re.search(pattern, plain):
                    return plain
        raise AssertionError(f"never saw {pattern!r}; the screen since: {self.seen[start:]!r}")

    def wait_blocked_on_input(self, timeout: float = 30) -> None:
        """Until the child sleeps in select/poll on the terminal. Python's readline notices a SIGINT only
        while it sits in select(): one that lands while it is still handling the last keystroke waits for
        the next key. A person pressing Ctrl-C at a prompt always finds it there; a test typing at machine
        speed must wait for that moment (read from /proc, where the kernel says where the child sleeps)."""
        wchan = f"/proc/{self.proc.pid}/wchan"
        if not os.path.exists(wchan):
            return  # no /proc here: the echo the caller waited for is the best sign there is
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(wchan) as fh:
                where = fh.read()
            if where.startswith(("poll_schedule_timeout", "do_select", "do_sys_poll", "core_sys_select")):
                return
            time.sleep(0.005)
        raise AssertionError(f"the chat never went back to waiting for input (it sleeps in {where!r})")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_chat_on_a_terminal(emulator, tmp_path, isolated_env):
    emulator.media(tmp_path / "raw.mp4", seconds=6)
    screen = Screen([sys.executable, "-m", "nemo_cli", "chat"], emulator.env(TERM="xterm", COLUMNS="100"), tmp_path)
    try:
        screen.expect(r"no session yet(.|\n)*nemo> $")
        screen.type("raw.mp4\r")
        screen.expect(r"uploaded 1 file to session \d+\r?\nnemo> $")
        screen.type("a half-typed line")
        screen.expect(r"a half-typed line$")  # echoed: readline has it
        screen.wait_blocked_on_input()  # and waits for more, so the Ctrl-C lands at the prompt
        screen.type("\x03")  # Ctrl-C at the prompt drops the line
        screen.expect(r"nemo> $")
        screen.type("add lo-fi background music at 35%\r")
        shown = screen.expect(r"BGM: Lo-fi music \(0-6s, 35%\)(.|\n)*nemo> $")
        assert "Timeline (2 tracks, 6s):" in shown  # the track summary after the edit
        emulator.inject("slow", path="^/run_sse", delay=5)
        screen.type("add a title 'Late'\r")
        screen.expect(r"sending|working")
        screen.type("\x03")  # Ctrl-C cancels the wait, not the chat
        shown = screen.expect(r"stopped listening(.|\n)*nemo> $")
        assert "Traceback" not in shown
        screen.type("status\r")
        screen.expect(r"Timeline \(\d tracks?, 6s\)(.|\n)*nemo> $")
        screen.type("\x04")  # Ctrl-D leaves
        assert screen.proc.wait(timeout=30) == 0
    finally:
        screen.close()
    history = (isolated_env / "chat_history").read_text().splitlines()
    assert history[-4:] == ["raw.mp4", "add lo-fi background music at 35%", "add a title 'Late'", "status"]
    assert "a half-typed line" not in history


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_history_is_there_next_time(emulator, tmp_path, isolated_env):
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "chat_history").write_text("credits\n")
    screen = Screen([sys.executable, "-m", "nemo_cli", "chat"], emulator.env(TERM="xterm"), tmp_path)
    try:
        screen.expect(r"nemo> $")
        screen.type("\x1b[A\r")  # up arrow: the line from the last time
        screen.expect(r"available: 100(.|\n)*nemo> $")
        screen.type("exit\r")
        assert screen.proc.wait(timeout=30) == 0
    finally:
        screen.close()
    assert (isolated_env / "chat_history").read_text().splitlines() == ["credits", "credits", "exit"]


def test_json_fields_choose_from_the_turns_record_not_from_what_its_steps_made(emulator, tmp_path):
    result = chat(emulator, "credits", "--json-fields", "exit_code,commands", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "exit_code": 0,
        "commands": [{"argv": ["credits", "--json"], "exit_code": 0, "output": [{"available": 100, "frozen": 0, "total": 100}]}],
    }
