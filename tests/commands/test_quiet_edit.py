"""`-q` on an edit (and on the workflows, which are edits) prints the one thing a script wants: what changed
in the timeline, one line per change, and not the service's reply. The real `nemo` against the emulator."""

from __future__ import annotations

import json

import pytest

from nemo_cli import draft as timeline


@pytest.fixture
def clip_seconds():
    return 8  # the length of the clip in the session fixture (conftest)


def state(emu):
    done = emu.nemo("state", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def reply_text(emu, *args):
    """What the same kind of edit says in words (its text events), from a --json run."""
    done = emu.nemo(*args, "--json")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    return "".join(e["text"] for e in events if e["type"] == "text")


@pytest.mark.parametrize(
    "args",
    [["edit", "add a title 'Quiet please'"], ["trim", "--remove", "0:01-0:02"]],
    ids=["edit", "trim"],
)
def test_q_prints_only_the_changes(session, args):
    said = reply_text(session, "edit", "add a title 'Words first'")
    assert said.strip()  # the service does answer in words: -q must leave them out
    before = state(session)
    done = session.nemo(*args, "-q")
    assert done.returncode == 0, done.stderr
    changes = timeline.diff(before, state(session))
    assert changes and done.stdout.splitlines() == changes
    assert said.strip().splitlines()[0] not in done.stdout
    assert done.stderr == ""  # no progress notes either


def test_q_with_nothing_changed_prints_nothing(session):
    session.svc.options.silent_rate = 0.0
    done = session.nemo("edit", "what is on the timeline?", "-q")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
