"""`nemo chat` calls the flows in-process: it never runs the command tree (argv in, captured stdout
parsed back) and never reaches past the flows to the wire; the chat flow (routing a line to verbs and
their values) knows nothing of the commands or of the terminal."""

from __future__ import annotations

import ast

from tests.layers.test_layers import MODULES, PACKAGE, offenders

CHAT_COMMANDS = sorted((PACKAGE / "commands").glob("chat*.py"))


def test_there_is_a_chat_command_and_a_chat_flow():
    assert [p.name for p in CHAT_COMMANDS] == ["chat.py", "chat_view.py"]
    assert {"nemo_cli.flows.chat", "nemo_cli.flows.chat.routing", "nemo_cli.flows.chat.turns"} <= set(MODULES)


def test_the_chat_commands_import_neither_the_command_tree_nor_the_api():
    wrong = []
    for path in CHAT_COMMANDS:
        module = f"nemo_cli.commands.{path.stem}"
        wrong += offenders(module, ("nemo_cli.commands.tree", "nemo_cli.app", "nemo_cli.api"))
    assert wrong == []


def test_the_chat_commands_run_no_command_line():
    """No `main(…)` (click's entry), no `standalone_mode`, no `common.run(…)`, no `global_args` (the
    options turned back into words for a command line), no captured stdout: a step is a flow call."""
    wrong = []
    for path in CHAT_COMMANDS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                if (isinstance(func, ast.Name) and func.id in ("main", "run")) or (
                    isinstance(func, ast.Attribute)
                    and (func.attr == "main" or (func.attr == "run" and isinstance(func.value, ast.Name) and func.value.id == "common"))
                ):
                    wrong.append(f"{path.name}:{node.lineno} runs a command line")
                if any(k.arg == "standalone_mode" for k in node.keywords):
                    wrong.append(f"{path.name}:{node.lineno} passes standalone_mode")
            name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
            if name in ("standalone_mode", "global_args", "redirect_stdout", "redirect_stderr"):
                wrong.append(f"{path.name}:{node.lineno} uses {name}")
    assert wrong == []


def test_the_chat_flow_imports_neither_commands_nor_output():
    assert offenders("nemo_cli.flows.chat", ("nemo_cli.commands", "nemo_cli.output", "nemo_cli.app")) == []


def test_the_old_top_level_chat_modules_are_gone():
    assert not {"nemo_cli.routing", "nemo_cli.chat_turns"} & set(MODULES)


def test_the_chat_flow_never_prints_nor_touches_the_output():
    wrong = []
    for path in (PACKAGE / "flows" / "chat").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "out":
                wrong.append(f"{path.name}:{node.lineno} .out")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("print", "input"):
                wrong.append(f"{path.name}:{node.lineno} {node.func.id}()")
    assert wrong == []
