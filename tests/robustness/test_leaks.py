"""Leak scan: the whole pipeline with --debug, a token renewed half-way and a browser link made, then
every secret the service ever issued to this client (each API token of its history, each claim token) is
looked for everywhere it must not be: stdout, stderr, the URLs requested, files written, and any request
to the CDN, across a redirect too. An API token may only be in the store (mode 0600) and in what
`nemo auth token` prints; a claim token only inside the browser link it was made for."""

from __future__ import annotations

import json
import stat

import pytest


@pytest.fixture
def secrets_run(emulator, tmp_path):
    clip = emulator.media(tmp_path / "clip.mp4")
    out = tmp_path / "out"
    out.mkdir()
    debug = {"NEMO_DEBUG": "1"}
    runs = []

    def nemo(*args, **kw):
        done = emulator.nemo("--debug", *args, env=debug, **kw)
        runs.append((args, done))
        return done

    assert nemo("auth").returncode == 0
    assert nemo("auth", "status", "--json").returncode == 0
    sid = nemo("session", "new", "-q").stdout.strip()
    assert sid
    assert nemo("upload", clip).returncode == 0
    emulator.inject("expire_token", path="^/api/state/")  # the token is renewed half-way: a history of two
    assert nemo("state").returncode == 0
    assert nemo("edit", "remove the section between 0:02 and 0:04 and join the remaining parts").returncode == 0
    assert nemo("edit", "--json", "add title 'Leak check'").returncode == 0
    assert nemo("session", "open").returncode == 0
    assert nemo("session", "list", "--json").returncode == 0
    assert nemo("credits").returncode == 0
    exported = nemo("export", "--wait", "-o", out / "film.mp4", "--json")
    assert exported.returncode == 0, exported.stderr
    rid = json.loads(exported.stdout)["id"]
    assert nemo("export", "status", rid).returncode == 0
    assert nemo("export", "download", rid, "-o", out / "again.mp4").returncode == 0
    assert nemo("export", "list").returncode == 0
    emulator.svc.options.cdn_redirect = True  # the result URL now answers 302 to the file
    assert nemo("export", "--wait", "-o", out / "redirected.mp4").returncode == 0
    assert nemo("chat", "credits").returncode == 0
    assert nemo("config", "list").returncode == 0
    nemo("export", "status", "render_unknown")  # a failure's error line, too
    printed = emulator.nemo("auth", "token")
    assert printed.returncode == 0
    return runs, printed.stdout.strip()


def test_secrets_go_nowhere_but_the_store_and_auth_token(emulator, secrets_run, tmp_path, isolated_env):
    runs, printed = secrets_run
    tokens, claims = list(emulator.world.tokens), list(emulator.world.claims)
    assert len(tokens) >= 2 and claims, "the run should have renewed its token and made a claim token"

    # stdout and stderr of every command, --debug included. A claim token exists to be handed to a browser:
    # it may stand in the browser link nemo prints (`<web>/workspace/claim?ct=…`), and nowhere else.
    links = [f"{emulator.web_url}/workspace/claim?ct={claim}" for claim in claims]
    for args, done in runs:
        for stream, text in (("stdout", done.stdout), ("stderr", done.stderr)):
            for link in links:
                text = text.replace(link, "<browser link>")
            for secret in tokens + claims:
                assert secret not in text, f"nemo {' '.join(map(str, args))} printed a secret on {stream}"
    assert any(link in done.stdout for link in links for args, done in runs if args[:2] == ("session", "open"))
    assert any("debug: > GET" in done.stderr for _, done in runs), "--debug logged nothing"

    # `nemo auth token` prints the one in effect: the renewed one
    latest = max(emulator.world.tokens.values(), key=lambda t: t.issued)
    assert printed == latest.value

    # no secret in a URL; nothing secret, and no Authorization at all, to the CDN
    for record in emulator.requests:
        url = record.path + "?" + record.query
        assert not any(secret in url for secret in tokens + claims), url
        if record.origin == "cdn":
            assert "authorization" not in record.headers, record.path
            assert not any(secret in value for value in record.headers.values() for secret in tokens)
    assert any(r.origin == "cdn" for r in emulator.requests), "the downloads should have used the CDN"
    hops = [r.path.split("/")[1] for r in emulator.requests if r.origin == "cdn" and r.path.endswith(".mp4")]
    assert "r" in hops and "f" in hops, "one download should have followed the CDN's redirect"

    # on disk: only in the store, which is readable by its owner alone
    store = isolated_env / "config.toml"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert any(t in store.read_text() for t in tokens)
    for path in tmp_path.rglob("*"):
        if not path.is_file() or path == store or path.is_relative_to(tmp_path / "emulator-data"):
            continue
        data = path.read_bytes()
        for secret in tokens + claims:
            assert secret.encode() not in data, f"{path} holds a secret"
