"""flows.edit.record: the turns a front end (MCP) issues ids for, kept in the store so that a status can be
answered after the process that followed the turn is gone, and an idempotency key names its turn."""

from __future__ import annotations

import pytest

from nemo_cli.context import Context
from nemo_cli.errors import ConfigError
from nemo_cli.flows.edit import record


def test_a_turn_is_remembered_updated_and_found_by_its_key():
    ctx = Context()
    record.remember(ctx, "turn_1", session="s1", key="k1", status="running", instruction="add a title")
    record.remember(ctx, "turn_1", status="done", reply="Done!", error=None)
    again = Context()  # another process: only the store
    assert record.recall(again, "turn_1") == {"session": "s1", "key": "k1", "status": "done",
                                              "instruction": "add a title", "reply": "Done!"}
    assert record.by_key(again, "k1") == "turn_1"
    assert record.by_key(again, "k2") is None and record.recall(again, "turn_2") == {}


def test_only_the_last_turns_are_kept(monkeypatch):
    monkeypatch.setattr(record, "KEEP", 3)
    ctx = Context()
    for n in range(5):
        record.remember(ctx, f"turn_{n}", status="done")
    assert [t for t in (f"turn_{n}" for n in range(5)) if record.recall(ctx, t)] == ["turn_2", "turn_3", "turn_4"]


def test_a_broken_table_is_a_config_error_not_overwritten():
    ctx = Context()
    ctx.store.path.parent.mkdir(parents=True, exist_ok=True)
    ctx.store.path.write_text('[profiles.default]\nturns = "oops"\n')
    with pytest.raises(ConfigError):
        record.recall(ctx, "turn_1")
    with pytest.raises(ConfigError):
        record.remember(ctx, "turn_1", status="running")
    assert 'turns = "oops"' in ctx.store.path.read_text()
