"""What `--json` prints, chosen by `--json-fields FIELDS` and filtered by `--jq EXPR`, and the same key for the
same thing everywhere (session_id, render_id; the earlier names kept as aliases). The real `nemo` against
the emulator."""

from __future__ import annotations

import json
import re

import pytest


def ok(done):
    assert done.returncode == 0, done.stderr
    return done


def test_json_alone_prints_everything(emulator):
    doc = json.loads(ok(emulator.nemo("session", "new", "--json")).stdout)
    assert set(doc) == {"session_id", "task_id", "name", "language", "created"}


def test_fields_keep_only_the_keys_asked_for_in_that_order(emulator):
    done = ok(emulator.nemo("session", "new", "--json-fields", "language,session_id"))
    doc = json.loads(done.stdout)
    assert list(doc) == ["language", "session_id"] and doc["language"] == "en"
    listed = json.loads(ok(emulator.nemo("session", "list", "--json-fields", "session_id")).stdout)
    assert listed == [{"session_id": doc["session_id"]}]


def test_a_field_no_record_has_is_null_and_warned_about(emulator):
    done = ok(emulator.nemo("config", "get", "language", "--json-fields", "value,valeu"))
    assert json.loads(done.stdout) == {"value": "en", "valeu": None}
    assert "warning: --json-fields: this output has no key 'valeu'" in done.stderr


def test_jq_filters_without_a_jq_program(emulator):
    sid = ok(emulator.nemo("session", "new", "--jq", ".session_id")).stdout
    assert re.fullmatch(r"\S+\n", sid)  # a string comes out raw, as `jq -r` (and gh --jq) print it
    rows = ok(emulator.nemo("config", "list", "--jq", '.[] | select(.key | startswith("export.")) | {key, value}')).stdout
    assert [json.loads(line)["key"] for line in rows.splitlines()] == [
        "export.poll_min", "export.poll_max", "export.timeout", "export.error_grace"
    ]


def test_fields_then_jq(emulator):
    done = ok(emulator.nemo("config", "get", "language", "--json-fields", "key,origin", "--jq", "keys"))
    assert json.loads(done.stdout) == ["key", "origin"]


def test_a_stream_gets_them_per_event(session):
    done = ok(session.nemo("edit", "add a title 'Fields'", "--json-fields", "type"))
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events and all(list(e) == ["type"] for e in events) and events[-1] == {"type": "done"}
    outcome = ok(session.nemo("edit", "add a title 'Again'", "--jq", 'select(.type == "done") | .outcome')).stdout
    assert outcome in ("reply\n", "silent\n")


@pytest.mark.parametrize(
    "args,said",
    [
        (["--json-fields", "a,,b"], "error: --json-fields takes key names separated by commas, not 'a,,b'"),
        (["--jq", ".["], "error: --jq: syntax error"),
    ],
)
def test_a_bad_selection_is_a_usage_error_before_anything_is_sent(emulator, args, said):
    done = emulator.nemo("session", "new", *args)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(said), done.stderr
    assert not [r for r in emulator.requests if r.method == "POST"]


def test_jq_without_the_package_names_the_extra(emulator, tmp_path):
    hidden = tmp_path / "no-jq"
    (hidden / "jq").mkdir(parents=True)
    (hidden / "jq" / "__init__.py").write_text("raise ImportError('jq is not installed here')\n")
    done = emulator.nemo("credits", "--jq", ".available", env={"PYTHONPATH": hidden})
    assert done.returncode == 2 and done.stdout == ""
    assert "error: --jq needs the jq package" in done.stderr and "nemo-cli[jq]" in done.stderr
    assert not emulator.requests


def test_a_render_is_render_id_and_its_session_session_id_with_the_old_names_kept(session, tmp_path):
    sid = ok(session.nemo("session", "show", "-q")).stdout.strip()
    started = json.loads(ok(session.nemo("export", "--json")).stdout)
    assert started["render_id"] and started["session_id"] == sid
    assert started["id"] == started["render_id"] and started["session"] == sid  # aliases for one release
    done = json.loads(ok(session.nemo("export", "wait", started["render_id"], "-o", tmp_path / "o.mp4", "--json")).stdout)
    assert done["render_id"] == started["render_id"] == done["id"]
    status = json.loads(ok(session.nemo("export", "status", started["render_id"], "--json")).stdout)
    assert status["render_id"] == status["id"] and status["session_id"] == status["session"] == sid
    listed = json.loads(ok(session.nemo("export", "list", "--json-fields", "render_id,session_id")).stdout)
    assert listed == [{"render_id": started["render_id"], "session_id": sid}]
    for args in (["session", "show"], ["session", "use", sid]):
        assert json.loads(ok(session.nemo(*args, "--json")).stdout)["session_id"] == sid
