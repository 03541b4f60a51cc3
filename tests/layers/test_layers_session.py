"""The auth, session, upload, state, credits, doctor and config family: its commands are flags → one flow
call → output, its flows never print, and the wire does not know the CLI's words (the hints a user sees
for an API error are worded in nemo_cli.errors, by the reason the API names)."""

from __future__ import annotations

import ast

from tests.layers.test_layers import PACKAGE, offenders

COMMANDS = ("auth", "session", "upload", "state", "credits", "doctor", "config", "common")
FLOWS = ("auth", "session", "upload", "account", "doctor", "config")


def test_these_commands_import_nothing_of_the_api():
    assert [hit for name in COMMANDS for hit in offenders(f"nemo_cli.commands.{name}", ("nemo_cli.api",))] == []


def test_these_flows_import_neither_the_output_nor_the_commands():
    forbidden = ("nemo_cli.output", "nemo_cli.commands", "nemo_cli.app")
    assert [hit for name in FLOWS for hit in offenders(f"nemo_cli.flows.{name}", forbidden)] == []


def test_these_flows_never_touch_the_output():
    """Nothing reads ctx.out (or any `.out` of anything): what a person sees goes through an observer."""
    wrong = []
    for name in FLOWS:
        path = PACKAGE / "flows" / f"{name}.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "out":
                wrong.append(f"flows/{name}.py:{node.lineno}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                wrong.append(f"flows/{name}.py:{node.lineno} print")
    assert wrong == []


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def test_the_api_layer_words_no_cli_command():
    """No string of api/ (but docstrings, which document) names a `nemo …` command: the wire raises typed
    errors with a reason, and nemo_cli.errors.HINTS words the next step."""
    wrong = []
    for path in (PACKAGE / "api").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs \
                    and "`nemo " in node.value:
                wrong.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert wrong == []


def test_every_reason_the_api_names_has_its_hint():
    from nemo_cli.errors import HINTS

    named = set()
    for path in (PACKAGE / "api").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "reason" and isinstance(node.value, ast.Constant):
                named.add(node.value.value)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "because" \
                    and node.args and isinstance(node.args[0], ast.Constant):
                named.add(node.args[0].value)
    assert named and named <= set(HINTS)
