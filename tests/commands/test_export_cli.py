"""`nemo export` and its subcommands through CliRunner against a stub service (httpx.MockTransport) that
records every request: stdout, stderr, exit codes, files, the store and what the service received.
Streaming and resuming over a real socket are in test_download.py and the emulator tests."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from nemo_cli import app as nemo_app
from nemo_cli.commands.common import Injected
from nemo_cli.store import Store

APP = nemo_app.build()
# The stub service's transport, handed to every in-process run (a fixture sets it for one test).
STUB = Injected()
TOKEN = "nmv_usr_stubtoken987654"
SID = "5529798706024415232"
VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 4000  # an MP4's head: nothing else is saved
DRAFT = {"t": [{"tt": 0, "sg": [{"d": 5000, "x-undocumented": [1, 2]}], "zz": "kept"}], "d": 5000}
RENDER_ID = re.compile(r"^render_\d{13}_[0-9a-f]{8}$")


class Service:
    """The API and a CDN in one handler; knobs for each behaviour a test needs."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.draft: dict = DRAFT
        self.shape = "nested"
        self.start_failures = 0  # submits answered 500 before one succeeds
        self.plan_limit = False
        self.ends = "completed"
        self.looks_to_end = 3
        self.status_5xx = 0  # status looks answered 503 first
        self.looks: dict[str, int] = {}
        self.with_url = True
        self.cdn_down = False
        self.interrupt_on_look = False
        self.cut_cdn = False
        self.api_download_down = False
        self.unknown: set[str] = set()  # render ids the service knows nothing about: 404 on every path

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.url.host == "cdn.test":
            if "authorization" in request.headers:
                return httpx.Response(403, text="no Authorization here")
            if self.cdn_down:
                return httpx.Response(503)
            return self._video(request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"code": 1001, "message": "bad token"})
        if path == f"/api/state/nemo_agent/me/{SID}/latest":
            return httpx.Response(200, json={"code": 0, "data": {"state": {"draft": self.draft}}})
        if path == "/api/auth/claim-token":
            return httpx.Response(200, json={"code": 0, "data": {"claim_token": "clm_claimclaimclaim42", "expires_in": 604800}})
        if path == "/api/render/proxy/lambda" and request.method == "POST":
            if self.plan_limit:
                return httpx.Response(402, json={"success": False, "error": "free plan"})
            if self.start_failures:
                self.start_failures -= 1
                return httpx.Response(500, json={"success": False, "error": "lambda cold"})
            body = json.loads(request.content)
            return httpx.Response(200, json={"success": True, "data": {"id": body["id"], "status": "pending", "progress": 0}})
        match = re.fullmatch(r"/api/render/proxy/(?:lambda/)?([^/]+)(/cancel|/download)?", path)
        if match and match.group(1) in self.unknown:  # the render endpoints' refusal, as the service words it
            return httpx.Response(404, json={"success": False, "message": "render not found", "error": "render not found"})
        match = re.fullmatch(r"/api/render/proxy/lambda/([^/]+)(/cancel)?", path)
        if match and match.group(2):
            return httpx.Response(200, json={"success": True, "data": {"id": match.group(1), "status": "cancelled"}})
        if match:
            return self._status(match.group(1))
        match = re.fullmatch(r"/api/render/proxy/([^/]+)/download", path)
        if match:
            return httpx.Response(503, text="down") if self.api_download_down else self._video(request)
        return httpx.Response(404, json={"code": 404, "message": "no route"})

    def _status(self, rid: str) -> httpx.Response:
        if self.interrupt_on_look:
            raise KeyboardInterrupt
        if self.status_5xx:
            self.status_5xx -= 1
            return httpx.Response(503, text="busy")
        n = self.looks[rid] = self.looks.get(rid, 0) + 1
        fields: dict = {"id": rid, "status": "pending", "progress": 0, "createdAt": 1_700_000_000_000}
        if n >= self.looks_to_end:
            fields.update(status=self.ends, progress=100, completedAt=1_700_000_042_000)
            if self.ends == "failed":
                fields["error"] = "the codec gave up"
            elif self.with_url:
                url = f"https://cdn.test/renders/{rid}.mp4"
                fields.update({"output": {"url": url}} if self.shape == "top" else {"outputUrl": url})
        elif n > 1:
            fields.update(status="processing", progress=50)
        if self.shape == "top":
            return httpx.Response(200, json=fields)
        return httpx.Response(200, json={"success": True, "data": fields})

    def _video(self, request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "video/mp4", "etag": '"abc"'}
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", request.headers.get("range", ""))
        if match and request.headers.get("if-range", '"abc"') == '"abc"':
            start = int(match.group(1))
            headers["content-range"] = f"bytes {start}-{len(VIDEO) - 1}/{len(VIDEO)}"
        body = VIDEO[start:]
        headers["content-length"] = str(len(body))
        status = 206 if start else 200
        if self.cut_cdn and request.url.host == "cdn.test":
            return httpx.Response(status, headers=headers, stream=_CutStream(body[: len(body) // 2]))
        return httpx.Response(status, content=body, headers=headers)

    def posts(self, path: str) -> list[dict]:
        return [json.loads(r.content) for r in self.requests if r.method == "POST" and r.url.path == path]

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.host}{r.url.path}" for r in self.requests]


class _CutStream(httpx.SyncByteStream):
    """Half the body, then the connection drops."""

    def __init__(self, part: bytes) -> None:
        self.part = part

    def __iter__(self):
        yield self.part
        raise httpx.ReadError("connection reset by peer")


@pytest.fixture
def service(monkeypatch):
    svc = Service()
    monkeypatch.setattr(STUB, "transport", httpx.MockTransport(svc))
    for name, value in {
        "NEMO_TOKEN": TOKEN, "NEMO_SESSION": SID, "NEMO_API_URL": "http://api.test", "NEMO_WEB_URL": "https://web.test",
        "NEMO_EXPORT_POLL_MIN": "0.001", "NEMO_EXPORT_POLL_MAX": "0.002", "NEMO_RETRY_BACKOFF": "0",
    }.items():
        monkeypatch.setenv(name, value)
    return svc


def nemo(*args: str, input: str | None = None):
    result = CliRunner().invoke(APP, list(args), input=input, obj=STUB)
    assert "Traceback" not in result.output and "internal error" not in result.stderr, result.stderr
    assert TOKEN not in result.output and "stubtoken" not in result.stderr
    return result


def renders() -> dict:
    return Store().profile().renders


# -- starting -----------------------------------------------------------------------------------


def test_export_without_wait_prints_the_id_and_records_the_render(service):
    done = nemo("export")
    assert done.exit_code == 0, done.stderr
    rid = done.stdout.strip()
    assert RENDER_ID.match(rid)
    body = service.posts("/api/render/proxy/lambda")[0]
    assert body == {"id": rid, "sessionId": SID, "draft": DRAFT, "output": {"format": "mp4", "quality": "high"}}
    assert f"nemo export wait {rid}" in done.stderr
    assert renders()[rid]["session"] == SID and renders()[rid]["status"] == "pending"
    assert not any("lambda/" in p for p in service.paths())  # returned at once: no status look


def test_quiet_prints_only_the_id(service):
    done = nemo("export", "-q")
    assert RENDER_ID.match(done.stdout.strip()) and done.stderr == ""


def test_output_options_are_sent(service):
    done = nemo("export", "--quality", "medium", "--resolution", "1080p", "--fps", "30", "-q")
    assert done.exit_code == 0
    assert service.posts("/api/render/proxy/lambda")[0]["output"] == {"format": "mp4", "quality": "medium", "resolution": "1080p", "fps": 30}
    nemo("export", "-r", "1280x720", "-q")
    assert service.posts("/api/render/proxy/lambda")[1]["output"]["resolution"] == "1280x720"


@pytest.mark.parametrize("args", [["-r", "4k"], ["-r", "1921x1080"], ["-r", "641x480"], ["--fps", "0"], ["--quality", "ultra"], ["--format", "gif"]])
def test_bad_output_options_are_usage_errors_before_any_request(service, args):
    done = nemo("export", *args)
    assert done.exit_code == 2
    assert not service.requests


def test_a_draft_not_ready_is_refused_without_a_render(service):
    service.draft = {"t": [{"tt": 0, "sg": []}]}
    done = nemo("export", "--wait")
    assert done.exit_code == 6
    assert "nothing to export yet: upload or generate first" in done.stderr
    assert not service.posts("/api/render/proxy/lambda")


def test_a_saved_draft_is_rendered_as_is(service, tmp_path):
    saved = tmp_path / "draft.json"
    saved.write_text(json.dumps({"t": [{"tt": 0, "sg": [{"d": 1}]}], "new": True}))
    assert nemo("export", "--draft", str(saved), "-q").exit_code == 0
    assert service.posts("/api/render/proxy/lambda")[0]["draft"] == {"t": [{"tt": 0, "sg": [{"d": 1}]}], "new": True}
    assert not any("/api/state/" in p for p in service.paths())
    assert nemo("export", "--draft", "-", "-q", input=json.dumps(DRAFT)).exit_code == 0
    (tmp_path / "bad.json").write_text("{not json")
    assert nemo("export", "--draft", str(tmp_path / "bad.json")).exit_code == 6


def test_a_failed_submit_is_retried_once_with_a_new_id(service):
    service.start_failures = 1
    done = nemo("export", "-q")
    assert done.exit_code == 0, done.stderr
    first, second = (b["id"] for b in service.posts("/api/render/proxy/lambda"))
    assert first != second and RENDER_ID.match(first) and RENDER_ID.match(second)
    assert done.stdout.strip() == second
    assert list(renders()) == [second]


def test_two_failed_submits_give_up(service):
    service.start_failures = 2
    done = nemo("export")
    assert done.exit_code == 9
    assert len(service.posts("/api/render/proxy/lambda")) == 2


def test_402_is_a_plan_limit_not_credits(service):
    service.plan_limit = True
    done = nemo("export", "--wait")
    assert done.exit_code == 7
    assert "plan" in done.stderr and "credit" not in done.stderr.split("hint:")[0]
    assert len(service.posts("/api/render/proxy/lambda")) == 1  # no retry: it would be refused again


# -- waiting ------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["nested", "top"])
def test_wait_follows_both_status_shapes_to_the_url(service, shape):
    service.shape = shape
    done = nemo("export", "--wait")
    assert done.exit_code == 0, done.stderr
    rid = service.posts("/api/render/proxy/lambda")[0]["id"]
    assert done.stdout.strip() == f"https://cdn.test/renders/{rid}.mp4"
    assert f"render {rid}: pending" in done.stderr and f"render {rid}: processing 50%" in done.stderr
    assert "open it in the editor: https://web.test/workspace/claim?ct=clm_claimclaimclaim42" in done.stderr
    assert renders()[rid]["status"] == "completed"


def test_a_failed_render_exits_11_with_the_reason(service):
    service.ends = "failed"
    done = nemo("export", "--wait")
    assert done.exit_code == 11
    assert "error: render failed: the codec gave up" in done.stderr
    rid = service.posts("/api/render/proxy/lambda")[0]["id"]
    assert renders()[rid]["status"] == "failed"


def test_a_failed_render_still_prints_its_json_record(service):
    service.ends = "failed"
    done = nemo("export", "--wait", "--json")
    assert done.exit_code == 11
    doc = json.loads(done.stdout)
    assert doc["status"] == "failed" and doc["error"] == "the codec gave up"


def test_a_cancelled_render_is_not_success(service):
    service.ends = "cancelled"
    assert nemo("export", "--wait").exit_code == 11


def test_5xx_while_polling_is_ridden_out(service):
    service.status_5xx = 2
    done = nemo("export", "--wait", "-q")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith("https://cdn.test/")


def test_timeout_exits_10_with_the_command_that_resumes(service, tmp_path):
    service.looks_to_end = 10**9
    done = nemo("export", "-o", str(tmp_path / "o.mp4"), "--timeout", "0.05")
    assert done.exit_code == 10
    rid = service.posts("/api/render/proxy/lambda")[0]["id"]
    assert f"nemo export wait {rid} -o {tmp_path / 'o.mp4'}" in done.stderr


def test_ctrl_c_prints_the_exact_command_that_picks_it_up(service, tmp_path):
    service.interrupt_on_look = True
    done = nemo("export", "-o", str(tmp_path / "o.mp4"))
    assert done.exit_code == 130
    rid = service.posts("/api/render/proxy/lambda")[0]["id"]
    assert f"hint: pick it up again: nemo export wait {rid} -o {tmp_path / 'o.mp4'}" in done.stderr
    assert renders()[rid]["output"] == str(tmp_path / "o.mp4")
    service.interrupt_on_look = False
    again = nemo("export", "wait", rid, "-o", str(tmp_path / "o.mp4"))
    assert again.exit_code == 0, again.stderr
    assert (tmp_path / "o.mp4").read_bytes() == VIDEO


# -- delivering ---------------------------------------------------------------------------------


def test_output_downloads_the_video_without_the_token_on_the_cdn(service, tmp_path):
    out = tmp_path / "out.mp4"
    done = nemo("export", "-o", str(out))
    assert done.exit_code == 0, done.stderr
    assert out.read_bytes() == VIDEO and done.stdout.strip() == str(out)
    cdn = [r for r in service.requests if r.url.host == "cdn.test"]
    assert cdn and all("authorization" not in r.headers for r in cdn)
    assert f"saved {out}" in done.stderr and "open it in the editor: https://web.test/workspace/claim?ct=" in done.stderr
    rid = service.posts("/api/render/proxy/lambda")[0]["id"]
    assert renders()[rid]["output"] == str(out) and renders()[rid]["bytes"] == len(VIDEO)


def test_json_prints_the_final_record(service, tmp_path):
    out = tmp_path / "out.mp4"
    doc = json.loads(nemo("export", "-o", str(out), "--json").stdout)
    assert RENDER_ID.match(doc["id"]) and doc["status"] == "completed" and doc["session"] == SID
    assert doc["path"] == str(out) and doc["bytes"] == len(VIDEO)
    assert doc["sha256"] == hashlib.sha256(VIDEO).hexdigest()
    assert doc["seconds"] == 42.0 and doc["url"].startswith("https://cdn.test/")
    assert doc["link"] == "https://web.test/workspace/claim?ct=clm_claimclaimclaim42"


def test_an_unfetchable_url_falls_back_to_the_api(service, tmp_path):
    service.cdn_down = True
    out = tmp_path / "out.mp4"
    done = nemo("export", "-o", str(out))
    assert done.exit_code == 0, done.stderr
    assert out.read_bytes() == VIDEO
    assert any(p.endswith("/download") for p in service.paths())


def test_a_broken_download_keeps_its_part_and_says_how_to_resume(service, tmp_path):
    service.cut_cdn = service.api_download_down = True
    out = tmp_path / "out.mp4"
    done = nemo("export", "-o", str(out))
    assert done.exit_code == 9, done.stderr
    rid = service.posts("/api/render/proxy/lambda")[0]["id"]
    part = tmp_path / "out.mp4.part"
    kept = part.stat().st_size
    assert not out.exists() and 0 < kept < len(VIDEO)
    assert f"bytes are kept in {part}; `nemo export wait {rid} -o {out}` resumes from there" in done.stderr
    service.cut_cdn = service.api_download_down = False
    again = nemo("export", "wait", rid, "-o", str(out))
    assert again.exit_code == 0, again.stderr
    assert out.read_bytes() == VIDEO and not part.exists()
    last = [r for r in service.requests if r.url.host == "cdn.test"][-1]
    assert last.headers["range"] == f"bytes={kept}-" and last.headers["if-range"] == '"abc"'
    assert "validator" not in renders()[rid]


def test_an_existing_file_is_refused_before_the_render_starts(service, tmp_path):
    out = tmp_path / "out.mp4"
    out.write_bytes(b"keep me")
    done = nemo("export", "-o", str(out))
    assert done.exit_code == 6 and "already exists" in done.stderr and "--force" in done.stderr
    assert out.read_bytes() == b"keep me" and not service.requests
    assert nemo("export", "-o", str(out), "--force").exit_code == 0
    assert out.read_bytes() == VIDEO


def test_a_directory_gets_a_file_named_after_the_render(service, tmp_path):
    done = nemo("export", "-o", str(tmp_path), "-q")
    rid = service.posts("/api/render/proxy/lambda")[0]["id"]
    assert done.stdout.strip() == str(tmp_path / f"{rid}.mp4")
    assert (tmp_path / f"{rid}.mp4").read_bytes() == VIDEO


def test_a_missing_directory_is_refused(service, tmp_path):
    done = nemo("export", "-o", str(tmp_path / "nope" / "out.mp4"))
    assert done.exit_code == 6 and "no such directory" in done.stderr and not service.requests


def test_dash_writes_the_video_to_stdout(service):
    done = nemo("export", "-o", "-")
    assert done.exit_code == 0, done.stderr
    assert done.stdout_bytes == VIDEO


def test_dash_and_json_do_not_mix(service):
    assert nemo("export", "-o", "-", "--json").exit_code == 2


# -- subcommands --------------------------------------------------------------------------------


def test_list_status_download_cancel(service, tmp_path):
    rid = nemo("export", "-q").stdout.strip()
    listed = nemo("export", "list", "--no-refresh")  # the store only: the stub's render moves on each look
    assert listed.exit_code == 0 and rid in listed.stdout and "pending" in listed.stdout
    record = json.loads(nemo("export", "list", "--json", "--no-refresh").stdout)[0]
    assert record["render_id"] == rid and record["id"] == rid  # id: the earlier name, kept as an alias
    assert nemo("export", "list", "-q", "--no-refresh").stdout.split() == [rid]

    first = nemo("export", "status", rid)
    assert first.exit_code == 0 and first.stdout.startswith(f"{rid}: pending")
    early = nemo("export", "download", rid, "-o", str(tmp_path / "a.mp4"))
    assert early.exit_code == 6 and "not finished" in early.stderr and f"nemo export wait {rid}" in early.stderr
    assert nemo("export", "status", rid, "-q").stdout.strip() == "completed"
    got = nemo("export", "download", rid, "-o", str(tmp_path / "a.mp4"))
    assert got.exit_code == 0, got.stderr
    assert (tmp_path / "a.mp4").read_bytes() == VIDEO

    other = nemo("export", "-q").stdout.strip()
    cancelled = nemo("export", "cancel", other)
    assert cancelled.exit_code == 0 and f"cancelled render {other}" in cancelled.stdout
    assert renders()[other]["status"] == "cancelled"


@pytest.mark.parametrize(
    "command",
    [["status"], ["status", "--json"], ["wait"], ["download", "-o", "{tmp}/x.mp4"], ["cancel"]],
    ids=["status", "status --json", "wait", "download", "cancel"],
)
def test_an_unknown_render_is_bad_input_named_in_one_line(service, tmp_path, command):
    service.unknown.add("render_0_nothere")
    args = [command[0], "render_0_nothere", *(a.format(tmp=tmp_path) for a in command[1:])]
    done = nemo("export", *args)
    assert done.exit_code == 6, done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("error:")] == [
        "error: the service knows no render render_0_nothere"
    ]
    assert done.stdout == "" and "render_0_nothere" not in renders() and list(tmp_path.iterdir()) == []


def test_wait_on_a_render_started_elsewhere(service, tmp_path):
    done = nemo("export", "wait", "render_1_elsewhere", "-o", str(tmp_path / "x.mp4"), "--json")
    assert done.exit_code == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["path"] == str(tmp_path / "x.mp4") and doc["link"] is None  # no known session: no link


# -- the render flow in-process (what batch, chat and an MCP server call) --------------------------


class Seen:
    """An observer that keeps what the flow told it."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def status(self, text):
        self.calls.append(("status", text))

    def progress(self, done, total=None, label=""):
        self.calls.append(("progress", label, done, total))

    def warn(self, text, hint=None):
        self.calls.append(("warn", text))

    def event(self, kind, data):
        self.calls.append(("event", kind))


def flow_context(service):
    from nemo_cli.context import Context

    return Context(transport=httpx.MockTransport(service))


def test_the_flow_exports_in_process_and_prints_nothing(service, tmp_path, capsys):
    from nemo_cli.flows import render

    seen = Seen()
    out = tmp_path / "flow.mp4"
    done = render.export(flow_context(service), SID, render.Options(resolution="720p"), render.Destination.of(str(out)), seen)
    assert capsys.readouterr() == ("", "")
    assert done.path == str(out) and out.read_bytes() == VIDEO and done.bytes == len(VIDEO)
    assert done.sha256 == hashlib.sha256(VIDEO).hexdigest() and done.state.status == "completed" and done.seconds == 42.0
    assert renders()[done.render_id]["output"] == str(out) and renders()[done.render_id]["resolution"] == "720p"
    labels = {c[1] for c in seen.calls if c[0] == "progress"}
    assert labels == {"rendering", "downloading"} and ("progress", "rendering", 100, 100) in seen.calls
    assert ("event", "download") in seen.calls and any(c[0] == "status" and c[1].startswith("saved ") for c in seen.calls)


def test_the_flow_pieces_submit_look_wait_deliver_cancel(service, tmp_path):
    from nemo_cli import errors
    from nemo_cli.flows import render

    ctx = flow_context(service)
    started = render.submit(ctx, SID, render.Options())
    assert RENDER_ID.match(started.id) and started.status == "pending" and renders()[started.id]["session"] == SID
    assert render.look(ctx, started.id).status == "pending"
    final = render.wait(ctx, started.id, Seen())
    assert final.status == "completed" and renders()[started.id]["status"] == "completed"
    done = render.deliver(ctx, final, render.Destination.of(str(tmp_path) + "/"), Seen())
    assert done.path == str(tmp_path / f"{started.id}.mp4") and (tmp_path / f"{started.id}.mp4").read_bytes() == VIDEO
    other = render.submit(ctx, SID, render.Options())
    assert render.cancel(ctx, other.id).status == "cancelled" and renders()[other.id]["status"] == "cancelled"
    service.unknown.add("render_0_nothere")
    with pytest.raises(errors.BadInput, match="the service knows no render render_0_nothere"):
        render.look(ctx, "render_0_nothere")


def test_the_flow_refuses_to_submit_what_it_cannot_record(service, isolated_env):
    from nemo_cli import errors
    from nemo_cli.flows import render

    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "config.toml").write_text('[profiles.default]\nrenders = "none"\n')
    with pytest.raises(errors.ConfigError):
        render.submit(flow_context(service), SID, render.Options(), draft=DRAFT)
    assert not service.requests


def test_renders_in_threads_side_by_side(service, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from nemo_cli.flows import render

    def one(n: int):
        return render.export(flow_context(service), SID, render.Options(), render.Destination.of(str(tmp_path / f"{n}.mp4")), Seen())

    with ThreadPoolExecutor(3) as pool:
        done = list(pool.map(one, range(3)))
    assert sorted(d.path for d in done) == sorted(str(tmp_path / f"{n}.mp4") for n in range(3))
    assert all((tmp_path / f"{n}.mp4").read_bytes() == VIDEO for n in range(3)) and len(set(d.render_id for d in done)) == 3


@pytest.mark.parametrize("where", ["file", "directory"])
def test_the_output_path_is_checked_once(service, tmp_path, monkeypatch, where):
    from nemo_cli import files

    calls = []
    real = files.check_target
    monkeypatch.setattr(files, "check_target", lambda path, force: (calls.append(path), real(path, force))[1])
    given = str(tmp_path / "o.mp4") if where == "file" else str(tmp_path)
    done = nemo("export", "-o", given, "-q")
    assert done.exit_code == 0, done.stderr
    assert calls == [Path(done.stdout.strip())]  # when -o is made into a Destination, or at delivery in a directory
