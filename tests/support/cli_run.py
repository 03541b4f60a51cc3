"""Running `nemo` in-process many times (fuzzing): CliRunner's isolation around a command tree converted
once. `CliRunner().invoke(APP)` converts the whole Typer tree again on every call (~100 ms); this costs a
few ms a run. Not a test module: the fuzz tests import it (tests.support.cli_run)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import typer
from typer.testing import CliRunner

from nemo_cli import app as nemo_app
from nemo_cli.commands.common import Injected

COMMAND = typer.main.get_command(nemo_app.build())


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run(args: list[str], input: str | None = None, transport: Any = None) -> Result:
    """`nemo ARGS` with stdin `input`: its exit code, stdout, stderr, and any exception that escaped.
    `transport` (an httpx transport, e.g. httpx.MockTransport) replaces the network for every client."""
    exception = None
    with CliRunner().isolation(input=input) as (stdout, stderr, _):
        try:
            COMMAND.main(args=args, prog_name="nemo", standalone_mode=True, obj=Injected(transport))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException as exc:  # noqa: BLE001  (the caller asserts there is none)
            code, exception = 1, exc
        sys.stdout.flush()
        sys.stderr.flush()
        out, err = stdout.getvalue(), stderr.getvalue()
    return Result(code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), exception)
