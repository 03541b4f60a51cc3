"""`nemo mcp` end to end: the installed `nemo` started as a subprocess and driven by the MCP SDK's own stdio
client, against the emulator on loopback. One server (and one emulator) per module: starting the SDK
costs over a second. Asserted: the tools and their structured results, what the emulator received (above
all, one POST per message whatever happens), the file exported, and that no token ever shows."""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

import anyio
import pytest
from anyio.from_thread import start_blocking_portal

mcp = pytest.importorskip("mcp")
from mcp import ClientSession, StdioServerParameters, stdio_client  # noqa: E402

from nemo_cli.emulator.server import Emulator, Options  # noqa: E402

NEMO = str(Path(sys.executable).parent / "nemo")
FAST = {"NEMO_RETRY_BACKOFF": "0.01", "NEMO_RATE_LIMIT_WAIT": "0.05", "NEMO_EDIT_RECOVER_FIRST": "0.05",
        "NEMO_EDIT_RECOVER_INTERVAL": "0.05", "NEMO_EXPORT_POLL_MIN": "0.02", "NEMO_EXPORT_POLL_MAX": "0.1"}
SEEN: dict[str, str] = {}  # ids one test leaves for a later one (the module shares one server)
ALL_TOOLS = {"credits", "session_new", "session_list", "session_link", "upload", "edit", "edit_status", "state",
             "export", "export_status", "export_cancel"}


class Server:
    """One `nemo mcp` subprocess and a client session held by a task of a blocking portal (the SDK's
    task groups must be entered and left by one task); tests call it synchronously."""

    def __init__(self, portal, env: dict[str, str], cwd: Path, args: tuple[str, ...] = ()) -> None:
        self.errlog = tempfile.TemporaryFile("w+")  # the server's stderr (a real file: the SDK needs fileno)
        self.results: list = []
        params = StdioServerParameters(command=NEMO, args=["mcp", *args], env=env, cwd=str(cwd))

        async def hold(*, task_status=anyio.TASK_STATUS_IGNORED) -> None:
            async with stdio_client(params, errlog=self.errlog) as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                stop = anyio.Event()
                task_status.started((session, stop))
                await stop.wait()

        self.portal = portal
        self.future, (self.session, self.stop) = portal.start_task(hold)

    def call(self, name: str, arguments: dict | None = None, progress=None):
        result = self.portal.call(lambda: self.session.call_tool(name, arguments or {}, progress_callback=progress))
        self.results.append(result)
        return result

    def tools(self) -> dict:
        return {t.name: t for t in self.portal.call(self.session.list_tools).tools}

    def close(self) -> str:
        self.portal.call(self.stop.set)
        self.future.result(timeout=15)
        self.errlog.seek(0)
        return self.errlog.read()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("mcp")
    emu = Emulator(Options(silent_rate=0.0, seed=1, edit_seconds=0.05, render_seconds=0.3, keepalive_seconds=0.05,
                           credits=1000, data_dir=base / "emulator-data"))
    emu.start()
    work = base / "work"
    work.mkdir()
    from nemo_cli.emulator.media import make_clip

    make_clip(work / "clip.mp4", 3)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}, **FAST,
           "NEMO_API_URL": emu.url, "NEMO_WEB_URL": emu.web_url, "NEMO_CONFIG_DIR": str(base / "config")}
    with start_blocking_portal(backend="asyncio") as portal:
        server = Server(portal, env, work)
        try:
            yield emu, server, work, base
        finally:
            log = server.close()
            token = _token(base / "config")
            assert "Traceback" not in log, log
            assert token and token not in log
            for result in server.results:  # no token in any result
                assert token not in str(result.structured_content) + str(result.content)
            emu.stop()


def _token(config: Path) -> str | None:
    import tomllib

    data = tomllib.loads((config / "config.toml").read_text())
    return data["profiles"]["default"]["token"]["value"]


def runs(emu) -> list:
    return [r for r in emu.requests if r.method == "POST" and r.path == "/run_sse"]


def data(result) -> dict:
    assert not result.is_error, result.content[0].text
    return result.structured_content


def test_lists_every_tool_with_its_parameters(world):
    _, server, _, _ = world
    tools = server.tools()
    assert set(tools) == ALL_TOOLS
    params = {name: set(t.input_schema.get("properties", {})) for name, t in tools.items()}
    assert params["edit"] == {"instruction", "session_id", "wait_seconds", "idempotency_key"}
    assert params["upload"] == {"paths", "urls", "session_id"}
    assert params["export"] == {"session_id", "output_path", "wait_seconds", "idempotency_key"}
    assert params["export_status"] == {"render_id", "output_path", "wait_seconds"}
    assert params["edit_status"] == {"turn_id", "wait_seconds"}
    assert params["session_new"] == {"name", "language"}
    assert tools["state"].annotations.read_only_hint and not tools["edit"].annotations.read_only_hint


def test_a_session_is_made_active_and_listed(world):
    emu, server, _, _ = world
    made = server.call("session_new", {"name": "mcp test"})
    sid = data(made)["session_id"]
    assert isinstance(sid, str) and data(made)["active"] is True and made.content[0].text.startswith(f"session {sid}")
    listed = data(server.call("session_list"))
    assert listed["active"] == sid and any(s["session_id"] == sid and s["active"] for s in listed["sessions"])
    balance = data(server.call("credits"))
    assert set(balance) == {"available", "frozen", "total"}


def test_bad_paths_are_refused_with_nothing_sent(world):
    emu, server, work, _ = world
    (work / "notes.txt").write_text("not a video")
    (work / "dir.mp4").mkdir(exist_ok=True)
    (work / "dangling.mp4").symlink_to(work / "gone.mp4")
    (work / "to-dir.mp4").symlink_to(work / "dir.mp4")
    before = len(emu.requests)
    for paths in (["missing.mp4"], ["notes.txt"], ["dir.mp4"], ["dangling.mp4"], ["to-dir.mp4"], ["clip.mp4", "missing.mp4"]):
        refused = server.call("upload", {"paths": paths})
        assert refused.is_error
        err = refused.structured_content["error"]
        assert err["error"] in ("BadInput", "Refused") and err["exit_code"] == "INPUT", err
        assert str(work) in err["message"]  # the absolute path the server saw
    assert server.call("upload", {}).structured_content["error"]["exit_code"] == "USAGE"
    assert len(emu.requests) == before  # not a byte sent


def test_a_local_clip_is_uploaded_by_its_relative_path(world):
    emu, server, work, _ = world
    seen = []

    async def progress(done, total, message):
        seen.append(done)

    up = data(server.call("upload", {"paths": ["clip.mp4"]}, progress))
    [f] = up["files"]
    assert f["path"] == str(work / "clip.mp4") and f["cdn_url"].startswith("http") and f["duration"] > 0
    assert seen and seen == sorted(seen)
    state = data(server.call("state"))
    assert state["ready_for_export"] is True and state["lines"]
    assert "draft" not in state and "draft" in data(server.call("state", {"draft": True}))


def test_edit_reply_and_silent_edit(world):
    emu, server, _, _ = world
    done = data(server.call("edit", {"instruction": "add title 'MCP Dreams'", "wait_seconds": 30}))
    assert done["status"] == "done" and done["sent"] is True and "MCP Dreams" in done["reply"]
    assert isinstance(done["turn_id"], str)
    again = data(server.call("edit_status", {"turn_id": done["turn_id"]}))
    assert again["status"] == "done" and again["reply"] == done["reply"] and again["sent"] is False
    SEEN["turn"] = done["turn_id"]
    posts = len(runs(emu))
    emu.options.silent_rate = 1.0
    try:
        silent = data(server.call("edit", {"instruction": "add lo-fi background music at 35%", "wait_seconds": 30}))
    finally:
        emu.options.silent_rate = 0.0
    assert silent["status"] == "done" and silent["reply_kind"] == "silent" and silent["changes"]
    assert len(runs(emu)) == posts + 1


def test_a_retry_with_the_same_key_returns_the_same_turn(world):
    emu, server, _, _ = world
    first = data(server.call("edit", {"instruction": "add title 'Once'", "idempotency_key": "k-1", "wait_seconds": 30}))
    posts = len(runs(emu))
    retry = data(server.call("edit", {"instruction": "add title 'Once'", "idempotency_key": "k-1", "wait_seconds": 30}))
    assert retry["turn_id"] == first["turn_id"] and retry["sent"] is False and retry["status"] == "done"
    assert len(runs(emu)) == posts


def test_a_question_is_answered_with_edit(world):
    emu, server, _, _ = world
    asked = data(server.call("edit", {"instruction": "add background music", "wait_seconds": 30}))
    assert asked["status"] == "awaiting_input"
    q = asked["question"]
    assert q["prompt"] == "Which music style do you want?" and [o["label"] for o in q["options"]][:2] == ["Upbeat pop", "Calm piano"]
    answered = data(server.call("edit", {"instruction": "2", "wait_seconds": 30}))
    assert answered["status"] == "done" and "Calm piano" in answered["reply"]
    assert [r.json["new_message"]["parts"][0]["text"] for r in runs(emu)][-2:] == ["add background music", "Calm piano"]


def test_a_dropped_stream_is_recovered_without_a_second_post(world):
    emu, server, _, _ = world
    before = len(runs(emu))
    emu.inject("sse_drop", path="/run_sse", after=2)
    done = data(server.call("edit", {"instruction": "trim the first 1 seconds", "wait_seconds": 30}))
    assert done["status"] == "done" and done["reply_kind"] == "recovered" and done["changes"]
    posts = runs(emu)[before:]
    assert len(posts) == 1 and posts[0].fault == "sse_drop"
    after = emu.requests[emu.requests.index(posts[0]) + 1:]
    assert [r.path for r in after if r.method != "GET"] == []


def test_a_slow_turn_returns_running_within_wait_seconds_and_is_never_resent(world):
    emu, server, _, _ = world
    before = len(runs(emu))
    emu.options.edit_seconds = 2.0
    try:
        started = time.monotonic()
        heard = []

        async def progress(done, total, message):
            heard.append(message)

        first = data(server.call("edit", {"instruction": "add title 'Slow'", "wait_seconds": 0.5}, progress))
        assert time.monotonic() - started < 1.5
        assert heard  # the client asked for progress: it heard of the turn while it waited
        assert first["status"] == "running" and first["sent"] is True
        busy = server.call("edit", {"instruction": "add title 'Other'", "wait_seconds": 0})
        assert busy.is_error and busy.structured_content["error"]["exit_code"] == "USAGE"
        retry = data(server.call("edit", {"instruction": "add title 'Slow'", "wait_seconds": 0}))
        assert retry["turn_id"] == first["turn_id"] and retry["sent"] is False
        final = data(server.call("edit_status", {"turn_id": first["turn_id"], "wait_seconds": 30}))
    finally:
        emu.options.edit_seconds = 0.05
    assert final["status"] == "done" and "Slow" in final["reply"]
    assert len(runs(emu)) == before + 1


def test_export_to_a_file_matches_the_emulators_mp4(world):
    emu, server, work, _ = world
    seen = []

    async def progress(done, total, message):
        seen.append(done)

    result = data(server.call("export", {"output_path": "out.mp4", "wait_seconds": 60}, progress))
    assert result["status"] == "done", result
    path = Path(result["path"])
    assert path == work / "out.mp4" and path.read_bytes()[4:8] == b"ftyp"
    assert result["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    served = (emu.data_dir / "renders" / f"{result['render_id']}.mp4").read_bytes()
    assert result["sha256"] == hashlib.sha256(served).hexdigest()
    assert seen and seen == sorted(seen)
    status = data(server.call("export_status", {"render_id": result["render_id"]}))
    assert status["status"] == "done" and status["sha256"] == result["sha256"]
    refused = server.call("export", {"output_path": "out.mp4"})
    assert refused.is_error and refused.structured_content["error"]["exit_code"] == "INPUT"  # exists: not overwritten


def test_an_export_retried_with_its_key_starts_no_second_render(world):
    emu, server, work, _ = world
    submits = lambda: [r for r in emu.requests if r.method == "POST" and r.path.startswith("/api/render/proxy/lambda")]
    first = data(server.call("export", {"idempotency_key": "render-1", "wait_seconds": 30}))
    count = len(submits())
    again = data(server.call("export", {"idempotency_key": "render-1", "wait_seconds": 30}))
    assert again["render_id"] == first["render_id"] and again["started"] is False and first["started"] is True
    assert len(submits()) == count
    # a finished render downloaded later, to a directory given relative to the server's cwd
    (work / "later").mkdir()
    fetched = data(server.call("export_status", {"render_id": first["render_id"], "output_path": "later", "wait_seconds": 30}))
    assert fetched["status"] == "done" and fetched["path"] == str(work / "later" / f"{first['render_id']}.mp4")
    assert fetched["sha256"] == hashlib.sha256(Path(fetched["path"]).read_bytes()).hexdigest()


def test_a_render_is_cancelled(world):
    emu, server, _, _ = world
    emu.options.render_seconds = 30
    try:
        started = data(server.call("export", {"wait_seconds": 0.2}))
        assert started["status"] == "running"
        cancelled = data(server.call("export_cancel", {"render_id": started["render_id"]}))
        assert cancelled["status"] == "cancelled"
        final = data(server.call("export_status", {"render_id": started["render_id"], "wait_seconds": 10}))
    finally:
        emu.options.render_seconds = 0.3
    assert final["status"] == "failed" and final["error"]["exit_code"] == "RENDER"


def test_errors_are_tool_errors_with_our_fields(world):
    _, server, _, _ = world
    unknown = server.call("edit_status", {"turn_id": "turn_nope"})
    assert unknown.is_error and unknown.structured_content["error"]["exit_code"] == "INPUT"
    bad = server.call("edit", {"wait_seconds": "soon"})
    assert bad.is_error and bad.structured_content["error"]["exit_code"] == "USAGE"
    assert "Traceback" not in bad.content[0].text


def test_read_only_hides_the_rest(world):
    emu, _, work, base = world
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}, **FAST,
           "NEMO_API_URL": emu.url, "NEMO_WEB_URL": emu.web_url, "NEMO_CONFIG_DIR": str(base / "config")}
    with start_blocking_portal(backend="asyncio") as portal:
        server = Server(portal, env, work, ("--read-only",))
        try:
            assert set(server.tools()) == {"credits", "session_list", "edit_status", "state", "export_status"}
            before = len(emu.requests)
            refused = server.call("edit", {"instruction": "add title 'No'"})
            assert refused.is_error and "edit" in refused.content[0].text
            assert len(emu.requests) == before
            assert not server.call("credits").is_error
            # a turn another server followed, answered from the store: nothing is sent
            earlier = data(server.call("edit_status", {"turn_id": SEEN["turn"]}))
            assert earlier["status"] == "done" and "MCP Dreams" in earlier["reply"] and earlier["sent"] is False
            assert len(emu.requests) == before + 1  # the credits look only
        finally:
            log = server.close()
    assert "Traceback" not in log
