"""Hostile input from the user's side: odd file names, paths that are directories, named pipes, loops or
symbolic links, 100 KB instructions, a store edited by hand with wrong types, NEMO_* variables set to empty
values. Each gets correct behaviour or one clear `error:` line with its exit code, never a traceback, and
no file appears anywhere but where the user said (every test compares the tree before and after).

Uploads and long instructions run the real `nemo` against the emulator; the rest runs in-process against
a stub service (httpx.MockTransport)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from nemo_cli import app as nemo_app
from nemo_cli.commands.common import Injected
from nemo_cli.errors import EXIT_CODES
from nemo_cli.settings import ENV_VARS, SETTINGS

APP = nemo_app.build()
# The stub service's transport, handed to every in-process run (a fixture sets it for one test).
STUB = Injected()
DOCUMENTED = {code for code, _, _ in EXIT_CODES}
TOKEN = "nmv_usr_hostilehostile55"
SID = "5529798706024415232"
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64
DRAFT = {"t": [{"tt": 0, "sg": [{"d": 5000}]}], "d": 5000}


def tree(root: Path) -> set[str]:
    """Every path under root (the isolated store and the emulator's own storage excluded)."""
    return {str(p.relative_to(root)) for p in root.rglob("*") if not {"nemo-config", "emulator-data"} & set(p.parts)}


def clean(result, *, code: int | None = None, said: str | None = None):
    """No traceback, no token, a documented exit code, and one `error:` line exactly when it failed."""
    out = result.stdout + result.stderr
    assert "Traceback" not in out and "internal error" not in result.stderr, result.stderr
    assert "hostilehostile" not in out
    exit_code = result.exit_code if hasattr(result, "exit_code") else result.returncode  # CliRunner or subprocess
    assert exit_code in DOCUMENTED, (exit_code, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == (exit_code != 0), result.stderr
    if code is not None:
        assert exit_code == code, (exit_code, result.stderr)
    if said is not None:
        assert said in errors[0], errors
    return result


# -- a stub service for the in-process tests -------------------------------------------------------


class Service:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.url.host == "cdn.test":
            return httpx.Response(200, content=VIDEO, headers={"content-length": str(len(VIDEO))})
        if path == "/api/auth/anonymous-token":
            return httpx.Response(200, json={"code": 0, "data": {"token": TOKEN, "expires_at": "2099-01-01T00:00:00Z"}})
        if path == "/api/credits/balance/simple":
            return httpx.Response(200, json={"code": 0, "data": {"available": 100, "frozen": 0}})
        if path == f"/api/state/nemo_agent/me/{SID}/latest":
            return httpx.Response(200, json={"code": 0, "data": {"state": {"draft": DRAFT}}})
        if path == "/api/auth/claim-token":
            return httpx.Response(200, json={"code": 0, "data": {"claim_token": "clm_claim", "expires_in": 60}})
        if path.startswith("/api/render/proxy/lambda/"):
            rid = path.rsplit("/", 1)[1]
            return httpx.Response(200, json={"success": True, "data": {"id": rid, "status": "completed", "progress": 100,
                                                                      "outputUrl": f"https://cdn.test/{rid}.mp4"}})
        if path == "/api/render/proxy/lambda":
            return httpx.Response(200, json={"success": True, "data": {"id": json.loads(request.content)["id"], "status": "pending"}})
        if path == "/run_sse":
            return httpx.Response(200, headers={"content-type": "text/event-stream"},
                                  content=b'data: {"type": "text", "content": "Done."}\n\n')
        return httpx.Response(404, json={"code": 404, "message": "no route"})

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


@pytest.fixture
def service(monkeypatch):
    svc = Service()
    monkeypatch.setattr(STUB, "transport", httpx.MockTransport(svc))
    for name, value in {"NEMO_TOKEN": TOKEN, "NEMO_SESSION": SID, "NEMO_API_URL": "http://api.test",
                        "NEMO_RETRY_BACKOFF": "0", "NEMO_EXPORT_POLL_MIN": "0.001", "NEMO_EXPORT_POLL_MAX": "0.001"}.items():
        monkeypatch.setenv(name, value)
    return svc


def nemo(*args, input=None, env=None):
    return CliRunner().invoke(APP, [str(a) for a in args], input=input, env=env, obj=STUB)


# -- file names, uploaded for real ------------------------------------------------------------------

NAMES = ["-weird.mp4", "a b.mp4", "vidéo 漢字 😀.mp4", "--.mp4", "tab\there.mov", "it's [1] $HOME.mp4", "back\\slash.mp4"]


@pytest.fixture
def sid(emulator):
    done = emulator.nemo("session", "new", "-q")
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def run_in(emulator, cwd: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "nemo"), *args], cwd=cwd, env=emulator.env(), input=input,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", NAMES)
def test_odd_file_names_upload_under_their_own_name(emulator, sid, tmp_path, name):
    work = tmp_path / "work"
    emulator.media(work / name, seconds=2)
    before = tree(tmp_path)
    args = ["upload", "--json", "--", name]  # `--`: a leading dash is a name, not an option
    done = clean(run_in(emulator, work, *args))
    assert done.returncode == 0, done.stderr
    files = json.loads(done.stdout)["files"]
    assert [f["filename"] for f in files] == [name]  # the service's record names the file as it is on disk
    state = json.loads(emulator.nemo("state", "--json").stdout)
    assert [m["filename"] for m in state["video_infos"]] == [name]
    assert tree(tmp_path) == before


@pytest.mark.parametrize("name", ["line\nbreak.mp4", "cr\rname.mp4", 'quote"d.mp4'])
def test_names_an_upload_cannot_carry_are_refused_with_one_line(emulator, sid, tmp_path, name):
    work = tmp_path / "work"
    emulator.media(work / name, seconds=2)
    done = clean(run_in(emulator, work, "upload", "--", name), code=6, said="line break or a double quote")
    assert "rename" in done.stderr
    assert not [r for r in emulator.requests if r.path.startswith("/api/upload-video/")]


def test_a_leading_dash_without_double_dash_is_a_usage_error_and_sends_nothing(emulator, sid, tmp_path):
    work = tmp_path / "work"
    emulator.media(work / "-weird.mp4", seconds=2)
    done = run_in(emulator, work, "upload", "-weird.mp4")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[:2] == [
        "error: no such option: -weird.mp4",
        "hint: a file whose name starts with - goes after --: `nemo upload -- -weird.mp4`; see `nemo upload --help`",
    ]
    assert not [r for r in emulator.requests if r.path.startswith("/api/upload-video/")]


def test_a_dash_file_in_a_subdirectory_and_a_relative_dot_path(emulator, sid, tmp_path):
    work = tmp_path / "work"
    emulator.media(work / "-x" / "-clip.mp4", seconds=2)
    done = clean(run_in(emulator, work, "upload", "-q", "./-x/-clip.mp4"))
    assert done.returncode == 0 and done.stdout.startswith("http")
    assert json.loads(emulator.nemo("state", "--json").stdout)["video_infos"][0]["filename"] == "-clip.mp4"


# -- 100 KB instructions, sent once -------------------------------------------------------------------

LONG = ("add title 'Hostile' " + "and keep everything else exactly as it is " * 2600)[:100_000]


@pytest.mark.parametrize("how", ["argument", "file", "stdin"])
def test_a_100_kb_instruction_is_sent_once_whole(emulator, sid, tmp_path, how):
    assert len(LONG.encode()) == 100_000
    path = tmp_path / "instruction.txt"
    path.write_text(LONG)
    before = tree(tmp_path)
    if how == "argument":
        done = emulator.nemo("edit", LONG)
    elif how == "file":
        done = emulator.nemo("edit", "--file", path)
    else:
        done = emulator.nemo("edit", "-", input=LONG)
    clean(done)
    assert done.returncode == 0, done.stderr
    runs = [r for r in emulator.requests if r.path == "/run_sse"]
    assert len(runs) == 1
    assert runs[0].json["new_message"]["parts"][0]["text"] == LONG.strip()
    assert tree(tmp_path) == before


# -- paths that are directories, pipes, loops --------------------------------------------------------


def deny_reading(monkeypatch, path: Path) -> None:
    """Every open of `path` fails as for a file of mode 000 read by anyone but root (EACCES). Injected at
    the open itself, so the test means the same as root, who reads any file whatever its mode."""
    import builtins
    import errno
    import io

    denied = os.path.abspath(path)

    def guarded(opener):
        def open_(file, *args, **kwargs):
            if isinstance(file, (str, bytes, os.PathLike)) and os.path.abspath(os.fsdecode(file)) == denied:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(file))
            return opener(file, *args, **kwargs)

        return open_

    for module, name in ((os, "open"), (builtins, "open"), (io, "open")):
        monkeypatch.setattr(module, name, guarded(getattr(module, name)))


def odd_path(tmp_path: Path, kind: str, monkeypatch) -> Path:
    path = tmp_path / f"odd-{kind}"
    if kind == "directory":
        path.mkdir()
    elif kind == "loop":
        path.symlink_to(path.name)  # a link to itself: ELOOP, even for root
    elif kind == "under a file":
        (tmp_path / "plain").write_text("x")
        path = tmp_path / "plain" / "child"
    elif kind == "missing":
        pass
    elif kind == "unreadable":
        path.write_text('{"t": []}')
        deny_reading(monkeypatch, path)
    return path


KINDS = ["directory", "loop", "under a file", "missing", "unreadable"]


READERS = [
    # (the command before the path, the start of its error, a request it must not have made)
    (["edit", "--file"], "cannot read the message from {path}", "/run_sse"),
    (["export", "--draft"], "cannot read the draft {path}", "/api/render/proxy/lambda"),
    (["batch"], "{path}", "/api/"),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command,said,never", READERS, ids=["edit --file", "export --draft", "batch"])
def test_an_input_path_that_cannot_be_read(service, monkeypatch, tmp_path, kind, command, said, never):
    path = odd_path(tmp_path, kind, monkeypatch)
    before = tree(tmp_path)
    done = clean(nemo(*command, path), code=6, said=said.format(path=path))
    if kind == "unreadable":
        assert done.stderr.startswith("error: ") and ": Permission denied" in done.stderr.splitlines()[0], done.stderr
    assert not [p for p in service.paths() if p.startswith(never)]
    assert tree(tmp_path) == before


def writer(path: Path, text: str) -> threading.Thread:
    def write() -> None:
        with open(path, "w") as fh:
            fh.write(text)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_edit_file_from_a_named_pipe_is_read_like_a_file(service, tmp_path):
    """`nemo edit --file <(make-instruction)` hands nemo a pipe: it is read, not refused."""
    fifo = tmp_path / "instruction.fifo"
    os.mkfifo(fifo)
    thread = writer(fifo, "add title 'From a pipe'\n")
    done = clean(nemo("edit", "--file", fifo), code=0)
    thread.join(5)
    assert done.stdout == "Done.\n"
    sent = [json.loads(r.content) for r in service.requests if r.url.path == "/run_sse"]
    assert [s["new_message"]["parts"][0]["text"] for s in sent] == ["add title 'From a pipe'"]


def test_export_draft_from_a_named_pipe_is_read_like_a_file(service, tmp_path):
    fifo = tmp_path / "draft.fifo"
    os.mkfifo(fifo)
    thread = writer(fifo, json.dumps(DRAFT))
    done = clean(nemo("export", "--draft", fifo, "-q"), code=0)
    thread.join(5)
    assert done.stdout.startswith("render_")
    submitted = [json.loads(r.content) for r in service.requests if r.url.path == "/api/render/proxy/lambda"]
    assert [s["draft"] for s in submitted] == [DRAFT]


def test_a_batch_plan_that_is_a_named_pipe_is_refused_without_reading_it(service, tmp_path):
    """A plan anchors its relative paths and its results file next to itself: a pipe has no such place."""
    fifo = tmp_path / "plan.fifo"
    os.mkfifo(fifo)
    before = tree(tmp_path)
    clean(nemo("batch", fifo), code=6, said="not a regular file")
    assert tree(tmp_path) == before and not service.requests


def test_batch_outputs_that_are_pipes_or_links_to_directories_are_refused(service, tmp_path):
    clip = tmp_path / "in.mp4"
    clip.write_bytes(VIDEO)
    os.mkfifo(tmp_path / "out.mp4")
    plan = tmp_path / "plan.toml"
    plan.write_text('[[job]]\nfile = "in.mp4"\ninstruction = "add a title"\noutput = "out.mp4"\n')
    before = tree(tmp_path)
    clean(nemo("batch", plan), code=6, said="out.mp4")
    assert tree(tmp_path) == before and not service.requests


# -- -o: missing directories, pipes and symbolic links ----------------------------------------------


@pytest.mark.parametrize("command", [["export", "-o"], ["export", "wait", "render_1", "-o"], ["export", "download", "render_1", "-o"]])
@pytest.mark.parametrize("where", ["missing/out.mp4", "missing/", "plain/out.mp4"])
def test_output_into_a_directory_that_is_not_there(service, tmp_path, command, where):
    (tmp_path / "plain").write_text("a file, not a directory")
    before = tree(tmp_path)
    clean(nemo(*command, f"{tmp_path}/{where}"), code=6)  # as text: a Path would drop the trailing slash
    assert tree(tmp_path) == before
    assert "/api/render/proxy/lambda" not in service.paths()  # refused before a render starts
    assert not [r for r in service.requests if r.url.host == "cdn.test"]


def test_output_to_a_named_pipe_is_refused(service, tmp_path):
    fifo = tmp_path / "out.mp4"
    os.mkfifo(fifo)
    before = tree(tmp_path)
    clean(nemo("export", "download", "render_1", "-o", fifo, "--force"), code=6, said="not a regular file")
    assert tree(tmp_path) == before


def link_to_a_precious_file(tmp_path: Path) -> tuple[Path, Path]:
    target = tmp_path / "elsewhere" / "precious.txt"
    target.parent.mkdir()
    target.write_text("keep me")
    link = tmp_path / "out.mp4"
    link.symlink_to(target)
    return link, target


def test_output_at_a_link_to_a_file_is_refused_and_the_target_kept(service, tmp_path):
    link, target = link_to_a_precious_file(tmp_path)
    before = tree(tmp_path)
    clean(nemo("export", "download", "render_1", "-o", link), code=6, said="symbolic link")
    assert target.read_text() == "keep me" and link.is_symlink()
    assert tree(tmp_path) == before


def test_force_replaces_the_link_itself_never_its_target(service, tmp_path):
    link, target = link_to_a_precious_file(tmp_path)
    clean(nemo("export", "download", "render_1", "-o", link, "--force"), code=0)
    assert target.read_text() == "keep me"
    assert not link.is_symlink() and link.read_bytes() == VIDEO
    assert tree(tmp_path) == {"elsewhere", "elsewhere/precious.txt", "out.mp4"}


def test_a_dangling_link_is_refused_before_the_render_starts(service, tmp_path):
    link = tmp_path / "out.mp4"
    link.symlink_to(tmp_path / "nowhere" / "target.mp4")
    before = tree(tmp_path)
    clean(nemo("export", "-o", link), code=6, said="symbolic link")
    assert "/api/render/proxy/lambda" not in service.paths()
    assert tree(tmp_path) == before and not (tmp_path / "nowhere").exists()


def test_a_planted_part_link_is_never_written_through(service, tmp_path):
    """`out.mp4.part -> ~/.bashrc` must not turn a download into an overwrite of someone's file."""
    target = tmp_path / "victim.txt"
    target.write_text("keep me")
    (tmp_path / "out.mp4.part").symlink_to(target)
    before = tree(tmp_path)
    clean(nemo("export", "download", "render_1", "-o", tmp_path / "out.mp4"), code=6, said="out.mp4.part")
    assert target.read_text() == "keep me"
    assert tree(tmp_path) == before


def test_a_link_to_a_directory_is_that_directory(service, tmp_path):
    real = tmp_path / "real-dir"
    real.mkdir()
    (tmp_path / "dir-link").symlink_to(real)
    clean(nemo("export", "download", "render_1", "-o", tmp_path / "dir-link"), code=0)
    assert (real / "render_1.mp4").read_bytes() == VIDEO
    assert tree(tmp_path) == {"real-dir", "real-dir/render_1.mp4", "dir-link"}


# -- a store edited by hand with wrong types -----------------------------------------------------------

SAME = None  # the store's bytes do not change
URL1 = "https://cdn.test/render_1.mp4"
ACQUIRED = {"value": TOKEN, "kind": "anonymous", "expires_at": "2099-01-01T00:00:00Z"}


class AnyId:
    """Whatever id the client made up (a new client id)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and len(other) == 36

    def __repr__(self) -> str:
        return "<any id>"


WRONG = [
    # (store text, NEMO_* variables to unset so that the broken part is what gets read, and each command run
    # on that same text: its exit code, and the profile's entries it changes with what they hold afterwards
    # (every other entry is left as it was), or SAME when the file's bytes must not change at all)
    ('[profiles.default]\nrenders = "none"\n', (), [
        (["export", "list"], 12, SAME),
        (["export", "status", "render_1"], 12, SAME),
        (["export", "download", "render_1"], 12, SAME),
        (["export", "cancel", "render_1"], 12, SAME),
        (["export"], 12, SAME),
    ]),
    ("[profiles.default.renders]\nrender_1 = 5\n", (), [
        (["export", "list"], 0, SAME),
        # a junk entry for the very render being recorded gives way to its record; the table is kept
        (["export", "status", "render_1"], 0, {"renders": {"render_1": {"status": "completed", "url": URL1}}}),
        (["export", "download", "render_1"], 0,
         {"renders": {"render_1": {"status": "completed", "url": URL1, "output": "{tmp}/render_1.mp4", "bytes": len(VIDEO),
                                   "sha256": hashlib.sha256(VIDEO).hexdigest()}}}),
    ]),
    ("[profiles.default.renders.render_1]\ncreated = 5\nstatus = [1, 2]\noutput = 7\nsession = {a = 1}\nbytes = 'many'\n", (), [
        (["export", "list", "--no-refresh"], 0, SAME),
        (["export", "list", "--json", "--no-refresh"], 0, SAME),
        # a status that is not an ended one: list looks the render up and records what it is now
        (["export", "list"], 0,
         {"renders": {"render_1": {"created": 5, "status": "completed", "output": 7, "session": {"a": 1}, "bytes": "many", "url": URL1}}}),
        (["export", "status", "render_1"], 0,
         {"renders": {"render_1": {"created": 5, "status": "completed", "output": 7, "session": {"a": 1}, "bytes": "many", "url": URL1}}}),
        (["export", "download", "render_1"], 0, {"renders": {"render_1": {
            "created": 5, "status": "completed", "output": "{tmp}/render_1.mp4", "session": {"a": 1}, "bytes": len(VIDEO), "url": URL1,
            "sha256": hashlib.sha256(VIDEO).hexdigest()}}}),
    ]),
    ('[profiles.default.sessions]\n"123" = 5\n', ("NEMO_SESSION",), [
        (["session", "list"], 0, SAME),
        (["session", "show", "-s", "123"], 0, SAME),
        (["session", "use", "123"], 0, {"sessions": {"123": {}}, "session": {"id": "123"}}),  # the junk entry gives way
    ]),
    ('[profiles.default.sessions."123"]\ncreated = 5\nname = [1]\ntask_id = 9\n', ("NEMO_SESSION",), [
        (["session", "list"], 0, SAME),
        (["session", "show", "-s", "123"], 0, SAME),
        (["session", "open", "-s", "123"], 0, SAME),
    ]),
    ("[profiles.default.session]\nid = 5\ncreated = true\n", ("NEMO_SESSION",), [
        (["session", "show"], 4, SAME),
        (["session", "list"], 0, SAME),
        (["state"], 4, SAME),
    ]),
    ('[profiles.default]\nsettings = "loud"\n', (), [
        (["config", "list"], 12, SAME),
        (["credits"], 12, SAME),
        (["config", "set", "retries", "2"], 12, SAME),
    ]),
    ("[profiles.default.settings]\nretries = -1\nread_timeout = true\n", (), [
        (["config", "list"], 12, SAME),
        (["credits"], 12, SAME),
    ]),
    ('[profiles.default.settings]\nedit = { timeout = "soon" }\nunknown_key = 1\n', (), [
        (["config", "list"], 0, SAME),
        (["credits"], 0, SAME),
    ]),
    ("[profiles.default.token]\nvalue = 5\nkind = 7\n", ("NEMO_TOKEN",), [
        (["auth", "status"], 3, SAME),
        # no usable token there: as with none (or an expired one), a fresh anonymous token is stored
        (["credits"], 0, {"client_id": AnyId(), "token": ACQUIRED}),
    ]),
    ("[profiles.default.token]\nvalue = 'nmv_usr_hostilehostile55'\nkind = 7\nexpires_at = 1999\nuser_id = [1]\n", ("NEMO_TOKEN",), [
        (["auth", "status"], 0, SAME),
        (["credits"], 0, SAME),
        (["auth", "status", "--json"], 0, SAME),
    ]),
    ("[profiles.default]\nclient_id = 5\n", ("NEMO_TOKEN",), [
        (["auth", "status"], 3, SAME),
        (["config", "list"], 0, SAME),
    ]),
]


def _filled(value, tmp: Path):
    if isinstance(value, dict):
        return {k: _filled(v, tmp) for k, v in value.items()}
    return value.replace("{tmp}", str(tmp)) if isinstance(value, str) else value


@pytest.mark.parametrize("text,unset,commands", WRONG, ids=[f"store{i}" for i in range(len(WRONG))])
def test_a_store_with_wrong_types(service, monkeypatch, isolated_env, tmp_path, text, unset, commands):
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    for name in unset:
        monkeypatch.delenv(name)
    isolated_env.mkdir(parents=True, exist_ok=True)
    store = isolated_env / "config.toml"
    monkeypatch.chdir(tmp_path)
    before_tree = tree(tmp_path)
    for command, code, changes in commands:
        store.write_text(text)
        before = store.read_bytes()
        done = clean(nemo(*command), code=code, said=str(store) if code == 12 else None)  # a refusal names the file
        after = store.read_bytes()
        if changes is SAME:
            assert after == before, (command, after)
        else:
            expected = tomllib.loads(text)["profiles"]["default"] | _filled(changes, tmp_path)
            assert tomllib.loads(after.decode())["profiles"]["default"] == expected, (command, after)
        made = tree(tmp_path) - before_tree
        assert made == ({"render_1.mp4"} if command[:2] == ["export", "download"] and code == 0 else set()), (command, made)
        if made:
            assert (tmp_path / "render_1.mp4").read_bytes() == VIDEO  # only the download asked for, where it was asked
            (tmp_path / "render_1.mp4").unlink()
        assert done.exit_code == code


# -- NEMO_* variables set to empty values -----------------------------------------------------------------

ALL_VARS = sorted({name for name in ENV_VARS if name.startswith("NEMO_")} | {s.env for s in SETTINGS.values()})


@pytest.mark.parametrize("name", ALL_VARS)
def test_an_empty_variable_counts_as_unset(service, monkeypatch, tmp_path, name):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # an empty NEMO_CONFIG_DIR falls back under HOME
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.chdir(tmp_path)
    before = tree(tmp_path)
    monkeypatch.setenv(name, "")
    if name != "NEMO_API_URL":  # an empty one means the built-in URL: no test talks to the real service
        clean(nemo("credits", "--json"), code=0)
    clean(nemo("config", "list"), code=0)
    done = clean(nemo("config", "get", "api_url"), code=0)
    assert done.stdout.strip() == ("https://mega-api-prod.nemovideo.ai" if name == "NEMO_API_URL" else "http://api.test")
    if name == "NEMO_SESSION":
        clean(nemo("state"), code=4, said="no active session")
    made = tree(tmp_path) - before
    if name == "NEMO_CONFIG_DIR":
        assert all(p.startswith("home") for p in made), made
    else:
        assert not made, made


def test_every_variable_empty_at_once(service, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.chdir(tmp_path)
    for name in ALL_VARS:
        monkeypatch.setenv(name, "")
    clean(nemo("config", "list"), code=0)
    clean(nemo("session", "show"), code=4)
    clean(nemo("auth", "token"), code=3)
    assert all(p.startswith("home") for p in tree(tmp_path))
