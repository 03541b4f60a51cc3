"""The MCP front end (nemo_cli.mcp) sits beside the commands: it calls the flows with a Context and shows
their errors; it never runs a command nor reaches the API itself. The SDK (`mcp`, ~1.3 s of imports) is
imported only there and by `nemo mcp`, so no other command pays for it."""

from __future__ import annotations

import ast

from tests.layers.test_layers import MODULES, PACKAGE, module_name, offenders


def test_the_mcp_front_end_imports_neither_commands_nor_the_api():
    assert offenders("nemo_cli.mcp", ("nemo_cli.commands", "nemo_cli.api", "nemo_cli.app", "nemo_cli.output",
                                      "nemo_cli.emulator", "nemo_cli.docgen")) == []


def test_nothing_else_imports_the_front_end_but_its_command():
    wrong = [
        f"{mod} imports {target}"
        for mod, targets in MODULES.items()
        if not mod.startswith("nemo_cli.mcp") and mod != "nemo_cli.commands.mcp"
        for target in targets
        if target == "nemo_cli.mcp" or target.startswith("nemo_cli.mcp.")
    ]
    assert wrong == []


def test_only_the_front_end_and_its_command_import_the_sdk():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        mod = module_name(path)
        if mod.startswith("nemo_cli.mcp") or mod == "nemo_cli.commands.mcp":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            wrong += [f"{mod} imports {n}" for n in names if n == "mcp" or n.startswith("mcp.")]
    assert wrong == []


def test_the_command_imports_the_sdk_only_inside_itself():
    """`nemo mcp`'s module is imported whenever the whole tree is built (`nemo --help`): nothing of the
    front end or the SDK at its top."""
    tree = ast.parse((PACKAGE / "commands" / "mcp.py").read_text(encoding="utf-8"))
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = [a.name for n in top if isinstance(n, ast.Import) for a in n.names] + \
        [n.module or "" for n in top if isinstance(n, ast.ImportFrom)]
    assert not [n for n in names if n.startswith(("mcp", "nemo_cli.mcp"))]
