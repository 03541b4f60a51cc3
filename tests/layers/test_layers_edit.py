"""The edit and workflow flows' layer rules: the protocol (nemo_cli.flows.edit, nemo_cli.flows.workflows)
apart from its terminal view (nemo_cli.commands.edit_view), and the commands thin."""

from __future__ import annotations

import ast

from tests.layers.test_layers import MODULES, PACKAGE, offenders

FLOWS = ("nemo_cli.flows.edit", "nemo_cli.flows.workflows")
COMMANDS = ("nemo_cli.commands.edit", "nemo_cli.commands.edit_view", "nemo_cli.commands.workflows")


def test_the_edit_and_workflow_commands_import_nothing_of_the_api():
    assert [hit for mod in COMMANDS for hit in offenders(mod, ("nemo_cli.api",))] == []


def test_the_old_root_modules_are_gone():
    """edit_flow, questions and guitalk live in nemo_cli.flows.edit now; recipes in nemo_cli.flows.workflows."""
    gone = ("nemo_cli.edit_flow", "nemo_cli.questions", "nemo_cli.guitalk", "nemo_cli.recipes")
    assert [m for m in gone if m in MODULES] == []
    assert [m for m in gone if (PACKAGE / f"{m.split('.')[-1]}.py").exists()] == []
    assert sorted(f"{mod} imports {t}" for mod, targets in MODULES.items() for t in targets
                  if any(t == m or t.startswith(m + ".") for m in gone)) == []


def test_the_flows_neither_print_nor_import_the_output_nor_the_commands():
    assert [hit for mod in FLOWS for hit in offenders(mod, ("nemo_cli.output", "nemo_cli.commands", "nemo_cli.app"))] == []
    wrong = []
    for path in [*(PACKAGE / "flows" / "edit").rglob("*.py"), PACKAGE / "flows" / "workflows.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "out" and isinstance(node.value, ast.Name) and node.value.id == "ctx":
                wrong.append(f"{path.relative_to(PACKAGE)}:{node.lineno} ctx.out")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("print", "input"):
                wrong.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.func.id}()")
            if isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr") and isinstance(node.value, ast.Name) and node.value.id == "sys":
                wrong.append(f"{path.relative_to(PACKAGE)}:{node.lineno} sys.{node.attr}")
    assert wrong == []


def test_the_edit_view_sends_nothing():
    """The view shows a turn; it neither reaches the service nor the store (the flow does)."""
    assert offenders("nemo_cli.commands.edit_view", ("nemo_cli.api", "nemo_cli.store", "nemo_cli.context")) == []
