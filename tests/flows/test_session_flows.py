"""The verbs of auth, session, upload and credits called in-process, as chat, batch and an MCP server call
them: a Context, resolved values in, typed results out, nothing printed."""

from __future__ import annotations

import pytest

from nemo_cli.errors import BadInput, UsageError
from nemo_cli.flows import account, auth, session, upload


@pytest.fixture
def ctx(emulator, monkeypatch):
    from nemo_cli.context import Context

    for name, value in emulator.env().items():  # its URLs, the test's store, fast waits
        if name.startswith("NEMO_"):
            monkeypatch.setenv(name, value)
    return Context()


class Heard(upload.UploadObserver):
    def __init__(self):
        self.heard = []

    def event(self, kind, data):
        self.heard.append((kind, data))

    def progress(self, done, total=None, label=""):
        self.heard.append(("progress", label))

    def status(self, text):
        self.heard.append(("status", text))

    def uploaded(self, files):
        self.heard.append(("uploaded", [f.name for f in files]))


def test_a_token_is_acquired_told_and_shown_masked(ctx, capsys):
    seen = Heard()
    found = auth.ensure(ctx, seen)
    assert found.kind == "anonymous" and found.granted is not None
    assert seen.heard == [("granted", found.granted)]
    assert auth.token(ctx) not in str(found.public()) and found.public()["credits"]["available"] == 100
    assert account.credits(ctx) == account.Credits(available=100, frozen=0, total=100)
    with pytest.raises(UsageError):  # an anonymous token still valid is kept without force
        auth.logout(ctx)
    assert auth.status(ctx).kind == "anonymous"
    gone = auth.logout(ctx, force=True)
    assert gone.logged_out and gone.discarded_anonymous
    assert capsys.readouterr() == ("", "")


def test_a_session_is_made_listed_linked_and_read(ctx, capsys):
    made = session.new(ctx, name="demo", language="en")
    assert made.active and made.name == "demo" and made.task_id
    assert [(k.session_id, k.active) for k in session.listing(ctx)] == [(made.session_id, True)]
    link = session.link(ctx, made.session_id)
    assert "/workspace/claim?ct=" in link.url and auth.token(ctx) not in link.url
    state = session.state(ctx, made.session_id)
    assert not state.ready_for_export and state.lines
    with pytest.raises(BadInput):
        session.require_ready(state)
    other = session.new(ctx, activate=False)
    assert ctx.profile().session.get("id") == made.session_id and not other.active
    assert capsys.readouterr() == ("", "")


def test_upload_checks_every_path_first_and_returns_the_files(ctx, emulator, tmp_path, capsys):
    sid = session.new(ctx).session_id
    clip = emulator.media(tmp_path / "clip.mp4")
    before = len(emulator.requests)
    with pytest.raises(upload.Refused) as refused:
        upload.upload(ctx, sid, paths=[str(clip), str(tmp_path / "missing.mp4"), str(tmp_path / "notes.txt")])
    assert len(refused.value.problems) == 2 and len(emulator.requests) == before
    seen = Heard()
    done = upload.upload(ctx, sid, paths=[str(clip)], observer=seen)
    [got] = done.files
    assert got.name == "clip.mp4" and got.cdn_url and got.duration and got.path == str(clip.absolute())
    assert ("uploaded", ["clip.mp4"]) in seen.heard and any(kind == "progress" for kind, _ in seen.heard)
    assert session.state(ctx, sid).ready_for_export
    assert capsys.readouterr() == ("", "")


def test_upload_of_urls_and_each_going_on_past_a_failure(ctx, emulator, tmp_path, capsys):
    sid = session.new(ctx).session_id
    before = len(emulator.requests)
    with pytest.raises(BadInput):
        upload.upload(ctx, sid, urls=["https://example.com/a.mov", "ftp://example.com/b.mov"])
    assert len(emulator.requests) == before
    done = upload.upload(ctx, sid, urls=["https://example.com/footage/take1.mov"])
    assert [(f.name, f.url, f.path) for f in done.files] == [("take1.mp4", "https://example.com/footage/take1.mov", None)]
    clip = emulator.media(tmp_path / "clip.mp4")
    seen = Heard()
    seen.failed = lambda item, error: seen.heard.append(("failed", item))
    both = upload.each(ctx, sid, [str(tmp_path / "missing.mp4"), str(clip)], observer=seen)
    assert [f.name for f in both.files] == ["clip.mp4"] and [item for item, _ in both.failed] == [str(tmp_path / "missing.mp4")]
    assert ("failed", str(tmp_path / "missing.mp4")) in seen.heard
    assert capsys.readouterr() == ("", "")
