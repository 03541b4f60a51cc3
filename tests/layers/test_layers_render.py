"""The render flow's layer rules: `nemo export` is flags → one flow call → its view; the whole life of a
render is nemo_cli.flows.render (the old top-level renders / render_watch modules are gone); the flow
never prints (no ctx.out, no nemo_cli.output) and knows nothing of the commands."""

from __future__ import annotations

import ast
import importlib.util

from tests.layers.test_layers import MODULES, PACKAGE, offenders

FLOW = PACKAGE / "flows" / "render"


def test_the_export_command_and_its_view_import_nothing_of_the_api():
    for module in ("nemo_cli.commands.export", "nemo_cli.commands.export_view"):
        assert module in MODULES
        assert offenders(module, ("nemo_cli.api",)) == []


def test_the_old_render_modules_are_gone():
    for name in ("nemo_cli.renders", "nemo_cli.render_watch"):
        assert name not in MODULES
        assert importlib.util.find_spec(name) is None
        assert not any(name in targets for targets in MODULES.values())


def test_the_render_flow_never_prints():
    assert offenders("nemo_cli.flows.render", ("nemo_cli.output", "nemo_cli.commands", "nemo_cli.app")) == []
    wrong = []
    for path in FLOW.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "out":  # ctx.out, anything.out
                wrong.append(f"{path.name}:{node.lineno} .out")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("print", "input"):
                wrong.append(f"{path.name}:{node.lineno} {node.func.id}()")
    assert wrong == []


def test_the_render_flow_has_its_public_verbs():
    from nemo_cli.flows import render

    for name in ("submit", "look", "wait", "deliver", "export", "cancel", "follow", "ready", "Options", "Destination",
                 "Delivered", "Render", "RenderState"):
        assert getattr(render, name) is not None, name
