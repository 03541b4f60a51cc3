"""The emulator over HTTP on loopback (httpx against emu.url / emu.cdn_url): every endpoint of the contract,
both render-status and both SSE flavours, renders that are real MP4s of the draft, the CDN's rules and
Range, every fault kind, and the control endpoints."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from nemo_cli.emulator.media import probe

ATTRIBUTION = {"X-Skill-Source": "tests", "X-Skill-Version": "0", "X-Skill-Platform": "ci"}
REMOVE = "remove the section between 0:02 and 0:04 and join the remaining parts"


class Api:
    """A bare HTTP client of the contract: what a test needs to drive the emulator by hand."""

    def __init__(self, emu, token: str | None = None) -> None:
        self.emu = emu
        self.http = httpx.Client(base_url=emu.url, timeout=30)
        self.client_id = str(uuid.uuid4())
        self.token = token or self.anonymous().json()["data"]["token"]

    def anonymous(self, client_id: str | None = None) -> httpx.Response:
        return self.http.post("/api/auth/anonymous-token", headers={"X-Client-Id": self.client_id if client_id is None else client_id})

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **ATTRIBUTION, **extra}

    def call(self, method: str, path: str, headers: dict | None = None, **kw) -> httpx.Response:
        return self.http.request(method, path, headers=headers if headers is not None else self.headers(), **kw)

    def data(self, method: str, path: str, **kw):
        reply = self.call(method, path, **kw)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["code"] == 0, body
        return body["data"]

    def session(self) -> str:
        return self.data("POST", "/api/tasks/me/with-session/nemo_agent", json={"task_name": "t", "language": "en"})["session_id"]

    def state(self, sid: str) -> dict:
        return self.data("GET", f"/api/state/nemo_agent/me/{sid}/latest")["state"]

    def credits(self) -> dict:
        return self.data("GET", "/api/credits/balance/simple")

    def upload(self, sid: str, *paths: Path) -> httpx.Response:
        handles = [open(p, "rb") for p in paths]
        try:
            files = [("files", (p.name, h, "application/octet-stream")) for p, h in zip(paths, handles)]
            return self.call("POST", f"/api/upload-video/nemo_agent/me/{sid}", files=files)
        finally:
            for h in handles:
                h.close()

    def run_body(self, sid: str, text: str) -> dict:
        return {"app_name": "nemo_agent", "user_id": "me", "session_id": sid, "new_message": {"role": "user", "parts": [{"text": text}]}}

    def run(self, sid: str, text: str) -> list:
        """The events of one /run_sse stream: parsed JSON objects, and "keepalive" for the rest."""
        events = []
        with self.http.stream("POST", "/run_sse", json=self.run_body(sid, text), headers=self.headers(Accept="text/event-stream")) as reply:
            assert reply.status_code == 200, reply.read()
            assert reply.headers["content-type"].startswith("text/event-stream")
            for frame in reply.iter_text():
                events.extend(_frames(frame))
        return events

    def render(self, sid: str, draft: dict, render_id: str | None = None) -> str:
        render_id = render_id or f"render_{uuid.uuid4().hex[:12]}"
        reply = self.call("POST", "/api/render/proxy/lambda", json={"id": render_id, "sessionId": sid, "draft": draft, "output": {"format": "mp4", "quality": "high"}})
        assert reply.status_code == 200, reply.text
        assert reply.json() == {"success": True, "data": {"id": render_id, "status": "pending", "progress": 0, "createdAt": reply.json()["data"]["createdAt"]}}
        return render_id

    def status(self, render_id: str) -> dict:
        reply = self.call("GET", f"/api/render/proxy/lambda/{render_id}")
        assert reply.status_code == 200, reply.text
        body = reply.json()
        return body["data"] if "success" in body else body

    def wait(self, render_id: str) -> tuple[dict, list[dict]]:
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status = self.status(render_id)
            seen.append(status)
            if status["status"] in ("completed", "failed", "cancelled"):
                return status, seen
            time.sleep(0.03)
        raise AssertionError(f"render {render_id} did not end: {seen[-1]}")


def _frames(text: str) -> list:
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        data = [line[5:].strip() for line in block.split("\n") if line.startswith("data:")]
        if not block.strip():
            continue
        if not data or not "".join(data):
            out.append("keepalive")
            continue
        event = json.loads("".join(data))
        out.append("keepalive" if event.get("type") == "heartbeat" else event)
    return out


def _text(events: list) -> str:
    """The text a user would see: typed text events, or ADK's closing (non-partial) text events."""
    out = ""
    for e in events:
        if not isinstance(e, dict):
            continue
        if e.get("type") == "text":
            out += e["content"]
        for part in (e.get("content") or {}).get("parts", []) if isinstance(e.get("content"), dict) else []:
            if "text" in part and not e.get("partial"):
                out += part["text"]
    return out


@pytest.fixture
def api(emulator):
    return Api(emulator)


@pytest.fixture
def clip(emulator, tmp_path):
    return emulator.media(tmp_path / "clip.mp4", seconds=8)


@pytest.fixture
def loaded(api, clip):
    """A session with the 8-second clip uploaded."""
    sid = api.session()
    assert api.upload(sid, clip).json()["code"] == 0
    return sid


# -- tokens, sessions, claim tokens, credits -------------------------------------------------------


def test_anonymous_token_rules(emulator, api):
    assert api.anonymous("").status_code == 400  # missing X-Client-Id
    assert api.http.post("/api/auth/anonymous-token").status_code == 400
    assert api.anonymous("not-a-uuid").status_code == 400
    other = str(uuid.uuid4())
    first = api.anonymous(other)
    data = first.json()["data"]
    assert first.status_code == 200 and data["token"].startswith("nmv_usr_") and data["credits"] == 100
    assert data["expires_at"].endswith("Z") and data["user_id"].startswith("usr_")
    # one token per client id per week...
    again = api.anonymous(other)
    assert again.status_code == 429 and again.json()["code"] == 429
    # ...unless the last one expired: then the same client id gets a new one, for the same user
    emulator.world.expire(data["token"])
    renewed = api.anonymous(other).json()["data"]
    assert renewed["token"] != data["token"] and renewed["user_id"] == data["user_id"]
    # a week later every anonymous token has expired
    emulator.world.advance(7 * 24 * 3600 + 1)
    reply = api.call("GET", "/api/credits/balance/simple")
    assert reply.status_code == 401 and reply.json()["code"] == 1001


def test_per_ip_limit(tmp_path):
    from nemo_cli.emulator.server import Emulator, Options

    with Emulator(Options(ip_limit=2, data_dir=tmp_path)) as emu:
        api = Api(emu)
        assert api.anonymous(str(uuid.uuid4())).status_code == 200
        limited = api.anonymous(str(uuid.uuid4()))
        assert limited.status_code == 429 and "per week" in limited.json()["message"]


def test_requests_without_a_valid_token_get_1001(api):
    for headers in ({}, {"Authorization": "Bearer nmv_usr_madeup"}, {"Authorization": "Basic abc"}):
        reply = api.call("GET", "/api/credits/balance/simple", headers=headers)
        assert reply.status_code == 401 and reply.json()["code"] == 1001


def test_sessions_state_and_claim_tokens(emulator, api):
    sid = api.session()
    assert sid.isdigit() and len(sid) == 19
    state = api.state(sid)
    assert state["draft"]["t"] == [] and state["video_infos"] == [] and state["generated_media"] == []
    assert set(state["canvas_config"]) == {"width", "height", "aspect_ratio"}
    # unknown session, someone else's session: 1002 in an HTTP 200 envelope
    for path_sid, client in ((str(10**18), api), (sid, Api(emulator))):
        reply = client.call("GET", f"/api/state/nemo_agent/me/{path_sid}/latest")
        assert reply.status_code == 200 and reply.json()["code"] == 1002
    assert api.call("GET", f"/api/state/other_app/me/{sid}/latest").status_code == 404
    task = api.data("GET", f"/api/state/nemo_agent/me/{sid}/latest")["task_id"]  # a null task id is refused
    claim = api.data("POST", "/api/auth/claim-token", json={"task_id": task, "session_id": sid})
    assert claim["claim_token"].startswith("clm_") and claim["expires_in"] == 604800
    page = httpx.get(f"{emulator.web_url}/workspace/claim", params={"ct": claim["claim_token"]})
    assert page.status_code == 200 and sid in page.text
    assert httpx.get(f"{emulator.web_url}/workspace/claim", params={"ct": "clm_nope"}).status_code == 404
    # a claim token has no API access
    reply = api.call("GET", "/api/credits/balance/simple", headers={"Authorization": f"Bearer {claim['claim_token']}"})
    assert reply.status_code == 401 and reply.json()["code"] == 1001
    assert api.credits() == {"available": 100, "frozen": 0, "total": 100}


def test_registered_users_and_scopes(emulator):
    token = httpx.post(f"{emulator.url}/_emulator/users", json={"credits": 7, "scopes": ["read"]}).json()["token"]
    api = Api(emulator, token=token)
    assert api.credits() == {"available": 7, "frozen": 0, "total": 7}
    reply = api.call("POST", "/api/tasks/me/with-session/nemo_agent", json={"task_name": "x"})
    assert reply.status_code == 403 and "write" in reply.json()["message"]


# -- uploads ---------------------------------------------------------------------------------------


def test_multipart_upload_puts_files_on_the_timeline(emulator, api, tmp_path):
    a = emulator.media(tmp_path / "a.mp4", seconds=8)
    b = emulator.media(tmp_path / "b.mp4", seconds=3)
    sid = api.session()
    body = api.upload(sid, a, b).json()
    assert body["code"] == 0 and body["data"]["session_state_applied"] is True
    files = body["data"]["files"]
    assert [f["filename"] for f in files] == ["a.mp4", "b.mp4"]
    assert [round(f["duration"]) for f in files] == [8, 3]
    assert all((f["file_type"], f["width"], f["height"], f["fps"]) == ("video", 320, 240, 12.0) for f in files)
    assert files[0]["hash"] == hashlib.sha256(a.read_bytes()).hexdigest()
    # the CDN serves the very bytes uploaded
    assert httpx.get(files[1]["cdn_url"]).content == b.read_bytes()
    state = api.state(sid)
    [track] = state["draft"]["t"]
    assert track["tt"] == 0 and track["m"]["title"] == "a"
    starts = [(s["st"], s["d"], s["in"]) for s in track["sg"]]
    assert starts == [(0, files[0]["duration"] * 1000, 0), (files[0]["duration"] * 1000, files[1]["duration"] * 1000, 0)]
    assert state["draft"]["d"] == sum(s["d"] for s in track["sg"])
    assert state["canvas_config"] == {"width": 320, "height": 240, "aspect_ratio": "4:3"}
    assert [v["filename"] for v in state["video_infos"]] == ["a.mp4", "b.mp4"]


def test_upload_refusals(emulator, api, tmp_path, clip):
    sid = api.session()
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    fake = tmp_path / "fake.mp4"
    fake.write_text("not a video")
    for path, code in ((text, 4001), (fake, 4001)):
        reply = api.upload(sid, path)
        assert reply.status_code == 200 and reply.json()["code"] == code, reply.text
    emulator.options.max_upload_bytes = 1000
    reply = api.upload(sid, clip)
    assert reply.json()["code"] == 4002
    assert api.state(sid)["draft"]["t"] == []  # nothing refused reached the timeline
    assert api.call("POST", f"/api/upload-video/nemo_agent/me/{sid}", files=[("other", ("x.mp4", b"x"))]).status_code == 400
    assert api.call("POST", f"/api/upload-video/nemo_agent/me/{sid}", content=b"raw", headers={**api.headers(), "Content-Type": "video/mp4"}).status_code == 400


def test_url_upload_makes_a_generated_clip(api):
    sid = api.session()
    data = api.data("POST", f"/api/upload-video/nemo_agent/me/{sid}", json={"urls": ["https://example.com/media/city.mov"], "source_type": "url"})
    [f] = data["files"]
    assert f["filename"] == "city.mp4" and f["duration"] == pytest.approx(5.0, abs=0.1)
    assert httpx.get(f["cdn_url"]).status_code == 200
    reply = api.call("POST", f"/api/upload-video/nemo_agent/me/{sid}", json={"urls": ["https://example.com/a.exe"], "source_type": "url"})
    assert reply.json()["code"] == 4001
    assert api.call("POST", f"/api/upload-video/nemo_agent/me/{sid}", json={"urls": ["ftp://x/a.mp4"]}).status_code == 400


# -- /run_sse --------------------------------------------------------------------------------------


def test_run_sse_adk_edits_the_draft_and_charges(api, loaded):
    before = api.state(loaded)
    events = api.run(loaded, REMOVE)
    dicts = [e for e in events if isinstance(e, dict)]
    assert all(e["invocationId"] == dicts[0]["invocationId"] and e["author"] == "nemo_agent" for e in dicts)
    parts = [p for e in dicts for p in e["content"]["parts"]]
    assert any("functionCall" in p for p in parts) and any("functionResponse" in p for p in parts)
    assert any(e.get("partial") for e in dicts) and dicts[-1].get("turnComplete")
    assert "0:02" in _text(events)
    after = api.state(loaded)
    assert after["draft"]["d"] == before["draft"]["d"] - 2000
    assert after["x_emu_revision"] > before["x_emu_revision"]
    assert api.credits() == {"available": 90, "frozen": 0, "total": 90}


def test_run_sse_typed_flavour_with_keepalives(emulator, api, loaded):
    emulator.options.sse_flavor = "typed"
    # A keep-alive goes out whenever the stream has been quiet for keepalive_seconds (0.05): the agent's quiet
    # second is 20 of those, timed by the same event loop; only a loop stalled for 0.95 s would send none.
    emulator.options.edit_seconds = 1.0
    events = api.run(loaded, "add title 'Urban Dreams'")
    types = [e["type"] if isinstance(e, dict) else e for e in events]
    assert types.index("tool_call") < types.index("tool_result") < types.index("text")
    assert "keepalive" in types
    titles = [t for t in api.state(loaded)["draft"]["t"] if t["tt"] == 7]
    assert titles[0]["sg"][0]["m"]["text"] == "Urban Dreams"


def test_credits_are_frozen_while_the_agent_works(emulator, api, loaded):
    # The cost is held before the stream's headers go out and charged when the agent's work ends, 2 s later:
    # the balance is read as soon as the request log shows the stream answered, a loopback call, so only
    # a test stalled for 2 s could miss the hold.
    emulator.options.edit_seconds = 2.0
    seen = []
    worker = threading.Thread(target=lambda: seen.extend(api.run(loaded, REMOVE)))
    worker.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and worker.is_alive():
        if any(r.path == "/run_sse" and r.status == 200 for r in emulator.requests):
            break
        time.sleep(0.01)
    held = api.credits()
    worker.join(timeout=60)
    assert not worker.is_alive() and seen
    assert held == {"available": 90, "frozen": 10, "total": 100}
    assert api.credits() == {"available": 90, "frozen": 0, "total": 90}


def test_silent_edits_change_the_draft_without_text(emulator, api, loaded):
    emulator.options.silent_rate = 1.0
    events = api.run(loaded, REMOVE)
    assert _text(events) == "" and any(isinstance(e, dict) for e in events)
    assert api.state(loaded)["draft"]["d"] == 6000


def test_an_instruction_it_does_not_understand_costs_nothing(api, loaded):
    before = api.state(loaded)["draft"]
    events = api.run(loaded, "what is the weather like?")
    assert _text(events).strip()
    assert api.state(loaded)["draft"] == before and api.credits()["available"] == 100


def test_run_sse_refusals_come_before_the_stream(emulator, api, loaded):
    body = api.run_body(loaded, REMOVE)
    reply = api.call("POST", "/run_sse", json=body, headers={})
    assert reply.status_code == 401 and reply.json()["code"] == 1001
    reply = api.call("POST", "/run_sse", json={**body, "session_id": "1" * 19})
    assert reply.status_code == 404 and reply.json()["code"] == 1002
    assert api.call("POST", "/run_sse", json={**body, "new_message": {}}).status_code == 400
    assert api.call("POST", "/run_sse", content=b"{", headers={**api.headers(), "Content-Type": "application/json"}).status_code == 400
    user = emulator.world.tokens[api.token].user_id
    emulator.world.users[user].available = 5
    reply = api.call("POST", "/run_sse", json=body)
    assert reply.status_code == 402 and reply.json()["code"] == 2001
    assert api.state(loaded)["draft"]["d"] == 8000 and api.credits() == {"available": 5, "frozen": 0, "total": 5}


# -- renders ---------------------------------------------------------------------------------------


def test_render_nested_is_a_real_mp4_of_the_draft(emulator, api, loaded, tmp_path):
    # `processing` lasts at least render_seconds and is polled every 0.03 s: a second of it (not the
    # fixture's 0.3 s) is seen unless the test stalls that long
    emulator.options.render_seconds = 1.0
    api.run(loaded, REMOVE)
    draft = api.state(loaded)["draft"]
    render_id = api.render(loaded, draft)
    final, seen = api.wait(render_id)
    assert [s["status"] for s in seen][-1] == "completed" and final["progress"] == 100
    assert any(s["status"] == "processing" and 0 <= s["progress"] < 100 for s in seen)
    progress = [s["progress"] for s in seen]
    assert progress == sorted(progress)
    assert final["outputUrl"].startswith(emulator.cdn_url + "/") and final["completedAt"] >= final["createdAt"]
    video = httpx.get(final["outputUrl"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    out = tmp_path / "out.mp4"
    out.write_bytes(video.content)
    info = probe(out)
    assert info.has_video and info.has_audio
    assert abs(info.duration - draft["d"] / 1000) < 0.1  # within a frame or two (AAC padding)
    # the API's download fallback serves the same bytes, with the token
    fallback = api.call("GET", f"/api/render/proxy/{render_id}/download")
    assert fallback.status_code == 200 and fallback.content == video.content
    render = emulator.world.renders[render_id]
    assert render.draft["x_emu"] == draft["x_emu"]  # the undocumented key travelled through


def test_render_top_flavour(emulator, api, loaded):
    emulator.options.render_flavor = "top"
    render_id = api.render(loaded, api.state(loaded)["draft"])
    final, _ = api.wait(render_id)
    raw = api.call("GET", f"/api/render/proxy/lambda/{render_id}").json()
    assert "success" not in raw and "data" not in raw
    assert raw["status"] == "completed" and raw["output"]["url"].startswith(emulator.cdn_url)


def test_generated_segments_render_as_test_pattern(api, tmp_path):
    sid = api.session()
    draft = {"t": [{"tt": 0, "sg": [{"id": "g", "st": 0, "d": 1500, "src": "generated", "m": {}}]}], "d": 1500}
    final, _ = api.wait(api.render(sid, draft))
    out = tmp_path / "gen.mp4"
    out.write_bytes(httpx.get(final["outputUrl"]).content)
    assert abs(probe(out).duration - 1.5) < 0.1


def test_render_refusals(emulator, api, loaded):
    draft = api.state(loaded)["draft"]
    body = {"id": "render_x", "sessionId": loaded, "draft": draft, "output": {"format": "mp4"}}
    no_attribution = {"Authorization": f"Bearer {api.token}", "X-Skill-Source": "tests"}
    reply = api.call("POST", "/api/render/proxy/lambda", json=body, headers=no_attribution)
    assert reply.status_code == 402 and reply.json()["success"] is False and "X-Skill-Version" in reply.json()["message"]
    assert api.call("POST", "/api/render/proxy/lambda", json={**body, "draft": {"t": []}}).status_code == 400
    assert api.call("POST", "/api/render/proxy/lambda", json={**body, "output": {"format": "gif"}}).status_code == 400
    assert api.call("POST", "/api/render/proxy/lambda", json={**body, "id": "../x"}).status_code == 400
    reply = api.call("POST", "/api/render/proxy/lambda", json={**body, "sessionId": "1" * 19})
    assert reply.status_code == 404 and reply.json()["code"] == 1002
    assert api.call("POST", "/api/render/proxy/lambda", json=body).status_code == 200
    assert api.call("POST", "/api/render/proxy/lambda", json=body).status_code == 409  # ids are unique
    assert api.call("GET", "/api/render/proxy/lambda/render_unknown").status_code == 404
    emulator.world.users[emulator.world.tokens[api.token].user_id].free_plan = True
    reply = api.call("POST", "/api/render/proxy/lambda", json={**body, "id": "render_y"})
    assert reply.status_code == 402 and "free plan" in reply.json()["message"]


def test_a_render_of_unknown_media_fails(api):
    sid = api.session()
    draft = {"t": [{"tt": 0, "sg": [{"id": "s", "st": 0, "d": 1000, "src": "med_missing"}]}], "d": 1000}
    final, _ = api.wait(api.render(sid, draft))
    assert final["status"] == "failed" and "med_missing" in final["error"] and final["outputUrl"] is None


def test_renders_queue_per_session_and_cancel(emulator, api, loaded):
    emulator.options.render_seconds = 30
    draft = api.state(loaded)["draft"]
    first, second = api.render(loaded, draft), api.render(loaded, draft)
    deadline = time.monotonic() + 10
    while api.status(first)["status"] != "processing" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert api.status(first)["status"] == "processing"
    assert api.status(second)["status"] == "pending"  # one render per session at a time
    cancelled = api.call("POST", f"/api/render/proxy/lambda/{second}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["data"]["status"] == "cancelled"
    assert api.call("POST", f"/api/render/proxy/lambda/{first}/cancel").json()["data"]["status"] == "cancelled"
    assert api.status(first)["status"] == "cancelled"
    reply = api.call("GET", f"/api/render/proxy/{first}/download")
    assert reply.status_code == 409
    emulator.options.render_seconds = 0.1
    done, _ = api.wait(api.render(loaded, draft))
    reply = api.call("POST", f"/api/render/proxy/lambda/{done['id']}/cancel")
    assert reply.status_code == 409 and reply.json()["success"] is False


# -- the CDN and Range -----------------------------------------------------------------------------


@pytest.fixture
def finished(api, loaded):
    final, _ = api.wait(api.render(loaded, api.state(loaded)["draft"]))
    return final


def test_cdn_refuses_authorization_and_redirects(emulator, api, finished):
    url = finished["outputUrl"]
    assert httpx.get(url, headers={"Authorization": f"Bearer {api.token}"}).status_code == 403
    redirect_url = url.replace("/f/", "/r/")
    assert httpx.get(redirect_url, headers={"Authorization": "Bearer x"}).status_code == 403
    moved = httpx.get(redirect_url)
    assert moved.status_code == 302 and moved.headers["location"] == url
    assert httpx.get(redirect_url, follow_redirects=True).content == httpx.get(url).content
    assert httpx.get(f"{emulator.cdn_url}/f/renders/nope.mp4").status_code == 404
    assert httpx.get(f"{emulator.cdn_url}/f/secrets/x").status_code == 404
    head = httpx.head(url)
    assert head.status_code == 200 and int(head.headers["content-length"]) > 0 and head.headers["accept-ranges"] == "bytes"


def test_range_on_the_cdn_and_the_download_fallback(api, finished):
    whole = httpx.get(finished["outputUrl"]).content
    download = f"/api/render/proxy/{finished['id']}/download"
    for get in (lambda h: httpx.get(finished["outputUrl"], headers=h), lambda h: api.call("GET", download, headers={**api.headers(), **h})):
        part = get({"Range": "bytes=100-199"})
        assert part.status_code == 206 and part.content == whole[100:200]
        assert part.headers["content-range"] == f"bytes 100-199/{len(whole)}"
        assert get({"Range": "bytes=1000-"}).content == whole[1000:]
        assert get({"Range": f"bytes={len(whole) + 10}-"}).status_code == 416
        etag = get({}).headers["etag"]
        assert get({"Range": "bytes=0-9", "If-Range": etag}).status_code == 206
        assert get({"Range": "bytes=0-9", "If-Range": '"changed"'}).status_code == 200  # a different file: all of it
    assert api.call("GET", download, headers={}).status_code == 401


# -- faults ----------------------------------------------------------------------------------------


def test_fault_status_rate_limit_malformed_code(emulator, api):
    emulator.inject("status", path="/credits", times=2, status=502)
    assert [api.call("GET", "/api/credits/balance/simple").status_code for _ in range(3)] == [502, 502, 200]
    emulator.inject("rate_limit", retry_after=3)
    reply = api.call("GET", "/api/credits/balance/simple")
    assert reply.status_code == 429 and reply.headers["retry-after"] == "3"
    emulator.inject("malformed")
    reply = api.call("GET", "/api/credits/balance/simple")
    assert reply.status_code == 200
    with pytest.raises(ValueError):
        reply.json()
    emulator.inject("code", code=4002)
    reply = api.call("GET", "/api/credits/balance/simple")
    assert reply.status_code == 200 and reply.json()["code"] == 4002
    emulator.inject("status", method="POST")  # waits for a POST
    assert api.call("GET", "/api/credits/balance/simple").status_code == 200
    assert api.call("POST", "/api/auth/claim-token", json={}).status_code == 503
    assert [r.fault for r in emulator.requests].count("status") == 3


def test_fault_expire_token(emulator, api):
    emulator.inject("expire_token")
    reply = api.call("GET", "/api/credits/balance/simple")
    assert reply.status_code == 401 and reply.json()["code"] == 1001
    assert api.call("GET", "/api/credits/balance/simple").status_code == 401  # it stays expired
    assert api.anonymous().status_code == 200  # and the same client id may ask again


def test_fault_drop_and_slow(emulator, api):
    emulator.inject("drop", path="/credits")
    with pytest.raises(httpx.RemoteProtocolError):
        api.call("GET", "/api/credits/balance/simple")
    emulator.inject("slow", delay=0.2)
    assert api.call("GET", "/api/credits/balance/simple").status_code == 200
    assert [r.fault for r in emulator.requests[-2:]] == ["drop", "slow"]
    assert emulator.requests[-2].status == 200  # the headers went out before the body was cut


def test_fault_cut_then_resume_with_range(emulator, finished):
    url = finished["outputUrl"]
    whole = httpx.get(url).content
    emulator.inject("cut", after=5000)
    got = bytearray()
    with pytest.raises(httpx.RemoteProtocolError):
        with httpx.stream("GET", url) as reply:
            for chunk in reply.iter_raw():
                got += chunk
    assert bytes(got) == whole[:5000]
    rest = httpx.get(url, headers={"Range": f"bytes={len(got)}-"})
    assert bytes(got) + rest.content == whole


def test_fault_sse_drop_the_run_goes_on(emulator, api, loaded):
    emulator.inject("sse_drop", after=1)
    got = []
    with pytest.raises(httpx.RemoteProtocolError):
        with api.http.stream("POST", "/run_sse", json=api.run_body(loaded, REMOVE), headers=api.headers()) as reply:
            for text in reply.iter_text():
                got.extend(e for e in _frames(text) if e != "keepalive")
    assert len(got) == 1
    deadline = time.monotonic() + 10
    while api.state(loaded)["draft"]["d"] != 6000 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert api.state(loaded)["draft"]["d"] == 6000  # applied...
    assert api.credits() == {"available": 90, "frozen": 0, "total": 90}  # ...and charged, once


def test_fault_plan_limit_credits_render_fail(emulator, api, loaded):
    draft = api.state(loaded)["draft"]
    emulator.inject("plan_limit", path="/render/proxy/lambda$")
    body = {"id": "render_p", "sessionId": loaded, "draft": draft, "output": {"format": "mp4"}}
    reply = api.call("POST", "/api/render/proxy/lambda", json=body)
    assert reply.status_code == 402 and reply.json()["success"] is False
    emulator.inject("credits", path="/run_sse")
    reply = api.call("POST", "/run_sse", json=api.run_body(loaded, REMOVE))
    assert reply.status_code == 402 and reply.json()["code"] == 2001
    emulator.inject("render_fail", error="out of render capacity")
    final, _ = api.wait(api.render(loaded, draft))
    assert final["status"] == "failed" and final["error"] == "out of render capacity"


def test_standing_fault_rates_are_seeded(tmp_path):
    from nemo_cli.emulator.faults import parse_flag
    from nemo_cli.emulator.server import Emulator, Options

    def statuses(n: int) -> list[int]:
        with Emulator(Options(faults=[parse_flag("status,path=/credits:0.5")], seed=7, data_dir=tmp_path)) as emu:
            api = Api(emu)
            return [api.call("GET", "/api/credits/balance/simple").status_code for _ in range(n)]

    first = statuses(12)
    assert first == statuses(12) and set(first) == {200, 503}


def test_fault_flag_parsing():
    from nemo_cli.emulator.faults import parse_flag

    fault = parse_flag("slow,delay=1.5,path=/run_sse:0.25")
    assert (fault.kind, fault.rate, fault.path, fault.params) == ("slow", 0.25, "/run_sse", {"delay": 1.5})
    assert parse_flag("drop").rate == 1.0
    for bad in ("nope", "status:2", "status:x", "status,oops"):
        with pytest.raises(ValueError):
            parse_flag(bad)


# -- control endpoints and the request log ---------------------------------------------------------


def test_control_endpoints(emulator, api, finished):
    base = emulator.url
    requests = httpx.get(f"{base}/_emulator/requests").json()["requests"]
    token_call = next(r for r in requests if r["path"] == "/api/render/proxy/lambda")
    assert token_call["headers"]["x-skill-platform"] == "ci" and token_call["json"]["output"] == {"format": "mp4", "quality": "high"}
    assert token_call["origin"] == "api" and token_call["status"] == 200
    assert all(name == name.lower() for r in requests for name in r["headers"])
    assert any(r["origin"] == "cdn" for r in requests) is False  # nothing fetched from the CDN yet
    httpx.get(finished["outputUrl"])
    assert emulator.requests[-1].origin == "cdn" and emulator.requests[-1].path.startswith("/f/renders/")
    assert not any(r.path.startswith("/_emulator") for r in emulator.requests)

    assert httpx.post(f"{base}/_emulator/faults", json={"kind": "nope"}).status_code == 400
    assert httpx.post(f"{base}/_emulator/faults", json={"kind": "status", "times": 0}).status_code == 400
    added = httpx.post(f"{base}/_emulator/faults", json={"kind": "code", "path": "/credits", "code": 4001})
    assert added.status_code == 200 and added.json()["fault"]["code"] == 4001
    assert httpx.get(f"{base}/_emulator/faults").json()["faults"][0]["kind"] == "code"
    assert api.call("GET", "/api/credits/balance/simple").json()["code"] == 4001
    assert httpx.get(f"{base}/_emulator/faults").json()["faults"] == []
    info = httpx.get(f"{base}/_emulator").json()
    assert info["cdn_url"] == emulator.cdn_url and "sse_drop" in info["fault_kinds"]

    assert httpx.post(f"{base}/_emulator/clock", json={"advance": 8 * 24 * 3600}).status_code == 200
    assert api.call("GET", "/api/credits/balance/simple").json()["code"] == 1001
    assert httpx.post(f"{base}/_emulator/reset").json() == {"ok": True}
    assert emulator.requests == [] and emulator.world.sessions == {}
    assert api.anonymous().status_code == 200  # a clean slate: the client id is new again


def test_unknown_endpoints_answer_in_the_envelope(api):
    reply = api.call("GET", "/api/nothing/here")
    assert reply.status_code == 404 and reply.json()["code"] == 404
    reply = api.call("GET", "/api/render/proxy/lambda")
    assert reply.status_code == 405 and reply.json()["success"] is False
