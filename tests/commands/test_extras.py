"""Optional extras: a command that needs one that is not installed says which extra and how to install it
(exit 12, the configuration class), never "internal error (ModuleNotFoundError…)". The installed `nemo` is
run with a module of the extra made unimportable by a directory first on PYTHONPATH."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from nemo_cli import extras

ROOT = Path(__file__).resolve().parents[2]


def shadowing(tmp_path: Path, *modules: str) -> dict[str, str]:
    """PYTHONPATH holding stand-ins that fail to import, as a missing package does."""
    folder = tmp_path / "shadow"
    folder.mkdir(exist_ok=True)
    for name in modules:
        message = f"No module named {name!r}"
        (folder / f"{name}.py").write_text(f"raise ModuleNotFoundError({message!r}, name={name!r})\n")
    return {"PYTHONPATH": str(folder)}


@pytest.mark.parametrize(
    "args",
    [
        ["emulator", "serve", "--port", "0"],
        ["emulator", "exec", "--", "true"],
        ["emulator", "media", "clip.mp4"],
    ],
    ids=["serve", "exec", "media"],
)
@pytest.mark.parametrize("module", ["uvicorn", "starlette", "imageio_ffmpeg"])
def test_the_emulator_without_its_extra(emulator, tmp_path, args, module):
    done = emulator.nemo(*args, env=shadowing(tmp_path, module))
    assert done.returncode == 12, done.stderr
    assert done.stdout == ""
    error, hint = done.stderr.splitlines()
    assert error == f"error: `nemo emulator` needs the emulator extra ({module} is not installed)"
    assert hint == f"hint: install it with: {sys.executable} -m pip install 'nemo-cli[emulator]'"
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


def test_the_hint_inside_pipx(monkeypatch):
    monkeypatch.setattr(sys, "prefix", "/home/u/.local/share/pipx/venvs/nemo-cli")
    assert extras.install_hint("emulator") == (
        "install it with: pipx install --force 'nemo-cli[emulator]' "
        "(or: pipx inject nemo-cli starlette uvicorn python-multipart imageio-ffmpeg pylopdf-fonts-zh-cn)"
    )


def test_require_imports_each_module_and_names_the_missing_one(monkeypatch):
    import importlib

    real = importlib.import_module
    monkeypatch.setattr(importlib, "import_module", lambda name: (_ for _ in ()).throw(ImportError(name)) if name == "jq" else real(name))
    with pytest.raises(extras.ConfigError) as caught:
        extras.require("jq", "--jq")
    assert caught.value.exit_code == 12 and caught.value.message == "--jq needs the jq extra (jq is not installed)"
    extras.require("emulator", "the emulator")  # installed here: no error


def test_the_extras_are_the_ones_pyproject_declares():
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for extra, modules in extras.EXTRAS.items():
        names = {req.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip() for req in declared[extra]}
        assert names == set(modules.values()), extra
    assert set(declared) - {"dev"} == set(extras.EXTRAS)


def test_no_runtime_module_imports_the_docs_generator():
    """docgen is build-time only: it may use completion's scripts, nothing may use it."""
    package = ROOT / "src" / "nemo_cli"
    wrong = []
    for path in package.rglob("*.py"):
        if "docgen" in path.relative_to(package).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if isinstance(node, ast.ImportFrom) and node.module == "nemo_cli":
                names = [f"nemo_cli.{a.name}" for a in node.names]
            wrong += [f"{path.relative_to(package)} imports {n}" for n in names if n.startswith("nemo_cli.docgen")]
    assert wrong == []
