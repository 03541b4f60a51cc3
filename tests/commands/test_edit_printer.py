"""The recorded streams through the parser, the edit flow's reply and `nemo edit`'s view: exactly what
reaches stdout and stderr in human, verbose, quiet and --json modes (no network)."""

from __future__ import annotations

import json
from pathlib import Path
import pytest

from nemo_cli.api import sse
from nemo_cli.commands.edit_view import EditView
from nemo_cli.flows.edit.stream import Reply, span
from nemo_cli.output import Output, Terminal

from tests.support.recordings import SSE as FIXTURES


def play(name: str | bytes, *, json_mode: bool = False, quiet: bool = False, verbose: bool = False, tty: bool = False):
    data = name if isinstance(name, bytes) else (FIXTURES / name).read_bytes()
    out = Output(Terminal(stdout_tty=tty, stderr_tty=tty, stdin_tty=False, no_color=True), json_mode=json_mode, quiet=quiet)
    reply = Reply(EditView(out, verbose))
    sse.pump([data[i : i + 5] for i in range(0, len(data), 5)], reply.event)
    reply.end_line()
    return reply


EXPECTED = {
    "adk-text.sse": "Added title 'Urban Dreams'. Anything else?\n",
    "adk-partial-with-pings.sse": "Added background music Lo-fi at 35%. Anything else?\n",
    "adk-silent.sse": "",
    "typed-events.sse": "Removed 2s between 0:02 and 0:04. Done.\n",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_human_output(name, capsys):
    printer = play(name)
    got = capsys.readouterr()
    assert got.out == EXPECTED[name]
    assert got.err == ""
    assert printer.text == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_quiet_prints_no_reply_but_keeps_it(name, capsys):
    """-q: the reply is not printed (the run prints what changed in the timeline instead), but it is
    still read whole, for the `done` outcome and the hints."""
    printer = play(name, quiet=True, verbose=True)
    got = capsys.readouterr()
    assert got.out == "" and got.err == ""
    assert printer.text == EXPECTED[name]


def test_verbose_tool_lines(capsys):
    play("adk-partial-with-pings.sse", verbose=True)
    assert capsys.readouterr().err.splitlines() == ["tool: edit_multitrack", "tool: edit_multitrack → done"]


def test_verbose_lines_do_not_land_in_the_middle_of_a_line_on_a_terminal(capsys):
    data = b'data: {"type": "text", "content": "Working on it"}\n\ndata: {"type": "tool_call", "name": "trim"}\n\n' \
           b'data: {"type": "text", "content": "Done."}\n\n'
    play(data, verbose=True, tty=True)
    got = capsys.readouterr()
    assert got.out == "Working on it\nDone.\n"
    assert got.err == "tool: trim\n"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_json_output_is_ndjson_of_the_normalised_events(name, capsys):
    play(name, json_mode=True)
    lines = capsys.readouterr().out.splitlines()
    events = [json.loads(line) for line in lines]
    expected = [e for e in sse.parse([(FIXTURES / name).read_bytes()]) if e["type"] not in sse.INTERNAL]
    assert [{k: v for k, v in e.items() if k != "at"} for e in events] == expected
    assert all(e["at"] >= 0 for e in events)
    assert "".join(e["text"] for e in events if e["type"] == "text") == EXPECTED[name].rstrip("\n")


def test_skipped_events_are_never_printed(capsys):
    play(b"data: not json\n\ndata: {\"type\": \"text\", \"content\": \"ok\"}\n\n", json_mode=True)
    assert [json.loads(line)["type"] for line in capsys.readouterr().out.splitlines()] == ["text"]
    play(b"data: not json\n\n", verbose=True)
    assert capsys.readouterr().err == "skipped: not JSON\n"


@pytest.mark.parametrize("seconds, said", [(0.4, "0.4s"), (12, "12s"), (120, "2m"), (150, "2m 30s"), (600, "10m")])
def test_durations_in_words(seconds, said):
    assert span(seconds) == said
