"""`nemo batch` calls the flows in-process: no step re-enters the CLI (no `nemo` or `python -m nemo_cli`
process, no run of the command tree), and the batch command reaches the service only through flows."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.layers.test_layers import MODULES, PACKAGE, offenders

BATCH = sorted((PACKAGE / "flows" / "batch").glob("*.py")) + [PACKAGE / "commands" / "batch.py"]
# what starts a process (or replaces this one)
_PROCESS_MODULES = {"subprocess", "multiprocessing", "pty", "pexpect", "concurrent.futures.process"}
_PROCESS_CALLS = {"system", "popen", "fork", "forkpty", "posix_spawn", "posix_spawnp", "create_subprocess_exec",
                  "create_subprocess_shell", "ProcessPoolExecutor", "Popen", "run", "call", "check_call", "check_output"}
_PROCESS_CALL_OWNERS = {"os", "subprocess", "asyncio", "multiprocessing", "pty", "concurrent.futures"}


def _process_starts(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [f"{where} imports {a.name}" for a in node.names if a.name.split(".")[0] in _PROCESS_MODULES or a.name in _PROCESS_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module in _PROCESS_MODULES or node.module.split(".")[0] in _PROCESS_MODULES:
                found.append(f"{where} imports from {node.module}")
            found += [f"{where} imports {node.module}.{a.name}" for a in node.names
                      if a.name in _PROCESS_CALLS and node.module.split(".")[0] in _PROCESS_CALL_OWNERS]
        elif isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            if owner == "sys" and node.attr in ("executable", "argv", "orig_argv"):
                found.append(f"{where} reads sys.{node.attr}")  # the interpreter or the line, to run it again
            if owner in _PROCESS_CALL_OWNERS and (node.attr in _PROCESS_CALLS or node.attr.startswith(("exec", "spawn"))):
                found.append(f"{where} uses {owner}.{node.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ("nemo_cli", "-m", "nemo"):
            found.append(f"{where} names {node.value!r} (an argv of the CLI?)")
    return found


def test_the_rule_sees_a_nemo_subprocess():
    sample = PACKAGE.parent / "_sample_batch_step.py"
    sample.write_text("import subprocess, sys\n"
                      "def step():\n    subprocess.run([sys.executable, '-m', 'nemo_cli', 'export'])\n", encoding="utf-8")
    try:
        found = _process_starts(sample)
    finally:
        sample.unlink()
    assert any("imports subprocess" in f for f in found)
    assert any("sys.executable" in f for f in found) and any("'nemo_cli'" in f for f in found)


def test_no_batch_step_starts_a_process_of_the_cli():
    assert [f for path in BATCH for f in _process_starts(path)] == []


def test_the_batch_flows_import_nothing_of_the_commands_or_the_app():
    assert offenders("nemo_cli.flows.batch", ("nemo_cli.commands", "nemo_cli.app")) == []


def test_the_batch_command_runs_no_other_command():
    # the shared helpers of commands and the edit command's view (how a question is worded) only: never a
    # command module, the command tree or the in-process runner of an argv (common.run, global_args)
    allowed = ("nemo_cli.commands.common", "nemo_cli.commands.json_options", "nemo_cli.commands.edit_view")
    assert {"nemo_cli.commands.common", "nemo_cli.commands.edit_view"} <= MODULES["nemo_cli.commands.batch"]  # the rule reads it
    wrong = offenders("nemo_cli.commands.batch", ("nemo_cli.commands", "nemo_cli.app"), allowed)
    assert [w for w in wrong if not w.endswith(" imports nemo_cli.commands")] == []  # `from nemo_cli.commands import common`
    source = ast.parse((PACKAGE / "commands" / "batch.py").read_text(encoding="utf-8"))
    used = {n.attr for n in ast.walk(source) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "common"}
    assert used.isdisjoint({"run", "global_args", "RootGroup"})


def test_the_batch_command_imports_nothing_of_the_api():
    assert offenders("nemo_cli.commands.batch", ("nemo_cli.api",)) == []
