"""The download fallback answering JSON (a signed link, or an error envelope with HTTP 200) or an HTML
page, and the rule under all of it: nothing but an MP4 is ever saved under the video's name.

End to end: the real `nemo` against the emulator over loopback (its `download_flavor` option), asserting
output, exit code, the files left, and from the emulator's request log which requests carried the token.
The JSON shapes the contract lists go through the engine against a stub (httpx.MockTransport)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import httpx
import pytest

DOWNLOAD = r"^/api/render/proxy/[^/]+/download$"
RESULT_URL = r"^/f/renders/"


@pytest.fixture
def clip_seconds():
    return 2  # the length of the clip in the session fixture (conftest)


def rendered_bytes(emu, render_id):
    return (emu.data_dir / "renders" / f"{render_id}.mp4").read_bytes()


def downloads(emu):
    return [r for r in emu.requests if re.search(DOWNLOAD, r.path)]


def cdn(emu):
    return [r for r in emu.requests if r.origin == "cdn"]


def errors_in(stderr):
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def nothing_saved(out):
    return not out.exists() and not out.with_name(out.name + ".part").exists()


def test_a_json_reply_is_followed_without_the_token(session, tmp_path):
    session.svc.options.download_flavor = "json"
    session.inject("status", path=RESULT_URL, status=503)  # the result URL fails once: the fallback is asked
    out = tmp_path / "out.mp4"
    done = session.nemo("export", "--wait", "-o", out)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out) and not errors_in(done.stderr)
    doc = json.loads(session.nemo("export", "list", "--json").stdout)[0]
    assert out.read_bytes() == rendered_bytes(session, doc["render_id"]) and doc["path"] == str(out)
    assert not out.with_name("out.mp4.part").exists()
    assert "fetched from the API's download endpoint" in done.stderr
    [asked] = downloads(session)
    assert asked.headers["authorization"].startswith("Bearer ") and asked.status == 200
    first, signed = cdn(session)
    assert first.status == 503 and "signature=" not in first.query
    # the signed link, exactly as handed out (the emulator's CDN checks the signature), without the token
    assert signed.path == f"/f/renders/{doc['id']}.mp4" and re.search(r"signature=[0-9a-f]{64}", signed.query)
    assert signed.status == 200 and "authorization" not in signed.headers
    assert session.requests.index(asked) < session.requests.index(signed)


def test_an_error_envelope_with_http_200_is_an_error_and_nothing_is_saved(session, tmp_path):
    session.svc.options.download_flavor = "json-error"
    session.inject("status", path=RESULT_URL, status=503)
    out = tmp_path / "out.mp4"
    done = session.nemo("export", "--wait", "-o", out)
    assert done.returncode == 9, done.stderr
    [error] = errors_in(done.stderr)
    assert "the download endpoint: it answered with an error: the download link could not be issued" in error
    assert nothing_saved(out) and done.stdout == ""
    [asked] = downloads(session)
    assert asked.status == 200 and asked.headers["authorization"].startswith("Bearer ")
    assert [r.status for r in cdn(session)] == [503]  # no link, nothing followed


@pytest.mark.parametrize("code,exit_code,said", [(1002, 4, "session not found"), (2001, 5, "out of credits")])
def test_a_service_code_in_an_http_200_envelope_keeps_its_exit_code(session, tmp_path, code, exit_code, said):
    # the download endpoint answers {"success": false, "code": N, …} with HTTP 200 (before: saved as the video)
    session.inject("status", path=RESULT_URL, status=503)
    session.inject("code", path=DOWNLOAD, code=code)
    out = tmp_path / "out.mp4"
    done = session.nemo("export", "--wait", "-o", out)
    assert done.returncode == exit_code, done.stderr
    [error] = errors_in(done.stderr)
    assert said in error and f"injected service error {code}" in error
    assert nothing_saved(out)
    [asked] = downloads(session)
    assert asked.status == 200 and asked.fault == "code" and "authorization" in asked.headers


def test_an_html_page_is_an_error_and_nothing_is_saved(session, tmp_path):
    session.svc.options.download_flavor = "html"
    session.inject("status", path=RESULT_URL, status=503)
    out = tmp_path / "out.mp4"
    done = session.nemo("export", "--wait", "-o", out, "--json")
    assert done.returncode == 9, done.stderr
    [error] = errors_in(done.stderr)
    assert error.startswith("error: could not download render render_")
    assert "the download endpoint: the service sent an HTML page instead of the video" in error
    assert nothing_saved(out) and done.stdout == ""
    [asked] = downloads(session)
    assert asked.status == 200 and asked.headers["authorization"].startswith("Bearer ")
    assert all("authorization" not in r.headers for r in cdn(session))


def test_an_html_page_never_reaches_stdout(session, tmp_path):
    session.svc.options.download_flavor = "html"
    rid = json.loads(session.nemo("export", "--wait", "--json").stdout)["render_id"]
    session.inject("status", path=RESULT_URL, status=503)
    done = subprocess.run([sys.executable, "-m", "nemo_cli", "export", "download", rid, "-o", "-"],
                          env=session.env(), capture_output=True, timeout=120)  # fmt: skip
    assert done.returncode == 9, done.stderr
    assert done.stdout == b""  # not one byte of the page went down the pipe
    assert b"the service sent an HTML page instead of the video" in done.stderr


def test_a_result_url_that_answers_something_else_falls_back_to_the_file(session, tmp_path):
    # the CDN answers HTTP 200 with a (broken) JSON body: refused, and the API's file is fetched instead
    session.inject("malformed", path=RESULT_URL)
    out = tmp_path / "out.mp4"
    done = session.nemo("export", "--wait", "-o", out)
    assert done.returncode == 0, done.stderr
    doc = json.loads(session.nemo("export", "list", "--json").stdout)[0]
    assert out.read_bytes() == rendered_bytes(session, doc["render_id"])
    assert "fetched from the API's download endpoint" in done.stderr
    [bad] = cdn(session)
    assert bad.status == 200 and bad.fault == "malformed"
    [asked] = downloads(session)
    assert asked.status == 200 and "range" not in asked.headers


def test_a_kept_part_that_is_not_video_is_removed_instead_of_resumed(session, tmp_path):
    # a run cut more often than it retries keeps its .part; its head is then junk (as an older client, or
    # a server that sent a page, could have left it): the resumed transfer is refused before the rename,
    # the .part goes, and the fallback fetches the whole file
    session.inject("cut", path=RESULT_URL, after=4000, times=20)
    session.inject("status", path=DOWNLOAD, status=503, times=20)
    out = tmp_path / "out.mp4"
    first = session.nemo("export", "--wait", "-o", out, "--json")
    assert first.returncode == 9
    part = tmp_path / "out.mp4.part"
    kept = part.read_bytes()
    assert len(kept) >= 4000
    part.write_bytes(b"<!DOCTYPE html><html><body>" + kept[27:])
    session.svc.faults.clear()
    before = len(session.requests)
    rid = re.search(r"nemo export wait (render_\S+)", first.stderr).group(1)
    again = session.nemo("export", "wait", rid, "-o", out, "--json")
    assert again.returncode == 0, again.stderr
    assert out.read_bytes() == rendered_bytes(session, rid) and not part.exists()
    later = session.requests[before:]
    resumed = [r for r in later if r.origin == "cdn"]
    assert resumed and resumed[0].headers.get("range") == f"bytes={len(kept)}-"
    [whole] = [r for r in later if re.search(DOWNLOAD, r.path)]
    assert "range" not in whole.headers and whole.status == 200


def test_the_emulators_signed_links_are_checked(session, tmp_path):
    session.svc.options.download_flavor = "json"
    rid = json.loads(session.nemo("export", "--wait", "--json").stdout)["render_id"]
    auth = next(r.headers["authorization"] for r in session.requests if "authorization" in r.headers)
    reply = httpx.get(f"{session.url}/api/render/proxy/{rid}/download", headers={"Authorization": auth})
    link = reply.json()["data"]["url"]
    assert httpx.get(link).content == rendered_bytes(session, rid)
    assert httpx.get(re.sub(r"signature=[0-9a-f]", "signature=x", link)).status_code == 403
    assert httpx.get(re.sub(r"expires=\d+", "expires=1", link)).status_code == 403
    assert httpx.get(link, headers={"Authorization": auth}).status_code == 403
    assert httpx.get(re.sub(r"signature=[0-9a-f]+", "signature=%C3%A9", link)).status_code == 403
    session.world.advance(3601)  # the service's clock: the link has expired
    assert httpx.get(link).status_code == 403


def test_the_flavor_is_a_flag_of_the_emulator_commands(tmp_path):
    probe = "import json,os,urllib.request; print(json.load(urllib.request.urlopen(os.environ['NEMO_EMULATOR_URL'] + '/_emulator'))['download_flavor'])"
    done = subprocess.run([sys.executable, "-m", "nemo_cli", "emulator", "exec", "--download", "json-error", "--", sys.executable, "-c", probe],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "json-error"
    bad = subprocess.run([sys.executable, "-m", "nemo_cli", "emulator", "exec", "--download", "xml", "--", "true"],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert bad.returncode == 2 and bad.stdout == ""


# -- the shapes a JSON reply may take (the engine against a stub) ------------------------------------

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 40
TOKEN = "nmv_usr_jsonshapes0123456789"


def _fetch(tmp_path, reply, monkeypatch, *, content_type="application/json"):
    from nemo_cli.api.client import NemoClient
    from nemo_cli.api.download import Fetch
    from nemo_cli.files import FileTarget

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "cdn.test":
            if "authorization" in request.headers:
                return httpx.Response(403)
            return httpx.Response(200, content=MP4, headers={"content-type": "video/mp4"})
        if request.url.path == "/files/signed.mp4":  # a relative link on the API host
            return httpx.Response(200, content=MP4)
        body = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
        return httpx.Response(200, content=body, headers={"content-type": content_type})

    class Creds:
        def current(self):
            return TOKEN, "user"

        def identity(self):
            return "user", None

    config = {"base_url": "http://api.test", "retries": 0, "retry_backoff": 0, "transport": httpx.MockTransport(handler)}
    client = NemoClient(config, Creds())
    out = tmp_path / "out.mp4"
    job = Fetch(client, "render_1", None, FileTarget(out, mp4=True), sleep=lambda s: None, mp4=True)
    return job, out, seen


LINK = "https://cdn.test/v/render_1.mp4?sig=abc"


@pytest.mark.parametrize(
    "reply",
    [
        {"code": 0, "data": {"url": LINK}},
        {"code": 0, "message": "success", "data": {"outputUrl": LINK}},
        {"success": True, "data": {"output": {"url": LINK}}},
        {"output": {"url": LINK}},
        {"outputUrl": LINK},
        {"url": LINK},
        {"code": 0, "data": {"data": {"signedUrl": LINK}}},
        {"code": 0, "data": LINK},
    ],
)
def test_every_documented_json_shape_is_followed_without_the_token(tmp_path, monkeypatch, reply):
    job, out, seen = _fetch(tmp_path, reply, monkeypatch)
    result = job.run()
    assert out.read_bytes() == MP4 and result.source == "api"
    api, followed = seen
    assert api.url.path == "/api/render/proxy/render_1/download" and api.headers["authorization"] == f"Bearer {TOKEN}"
    assert str(followed.url) == LINK and "authorization" not in followed.headers


def test_a_json_reply_labelled_as_text_and_a_relative_link(tmp_path, monkeypatch):
    job, out, seen = _fetch(tmp_path, b'  {"code": 0, "data": {"url": "/files/signed.mp4"}}', monkeypatch, content_type="text/plain")
    job.run()
    assert out.read_bytes() == MP4
    assert str(seen[1].url) == "http://api.test/files/signed.mp4" and "authorization" not in seen[1].headers


@pytest.mark.parametrize(
    "reply,said",
    [
        ({"code": 0, "data": {"status": "completed"}}, "its JSON reply holds no link to the video"),
        ({"code": 0, "data": {"url": "ftp://cdn.test/x.mp4"}}, "its JSON reply holds no link to the video"),
        (b'{"code": 0, "data": {"url": "https://cdn.test/', "the service sent a reply that is not JSON"),
        ({"success": False, "error": "expired"}, "it answered with an error: expired"),
        ({"code": 5003, "message": "storage busy"}, "the service answered error 5003: storage busy"),
    ],
)
def test_a_json_reply_without_a_usable_link_is_an_error(tmp_path, monkeypatch, reply, said):
    from nemo_cli import errors

    job, out, seen = _fetch(tmp_path, reply, monkeypatch)
    with pytest.raises(errors.NetworkError) as caught:
        job.run()
    assert f"the download endpoint: {said}" in caught.value.message
    assert nothing_saved(out) and len(seen) == 1


@pytest.mark.parametrize(
    "body,content_type,said",
    [
        (b"", "video/mp4", "an empty reply"),
        (b"<html><head><title>Login</title></head></html>", "text/html; charset=utf-8", "an HTML page"),
        (b"\n<!doctype html>\n<p>hi", "", "an HTML page"),
        (b'<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>', "application/xml", "an XML document"),
        (b"Service Unavailable\n", "text/plain", 'a text reply ("Service Unavailable")'),
        (b"\x00\x00\x00\x20moov" + bytes(64), "video/mp4", "data that is not an MP4 (labelled video/mp4)"),
    ],
)
def test_a_body_that_is_not_an_mp4_says_what_it_is(tmp_path, monkeypatch, body, content_type, said):
    from nemo_cli import errors

    job, out, seen = _fetch(tmp_path, body, monkeypatch, content_type=content_type)
    with pytest.raises(errors.NetworkError) as caught:
        job.run()
    assert f"the download endpoint: the service sent {said} instead of the video" in caught.value.message
    assert nothing_saved(out)
