"""`nemo mcp` as a command: without the extra (or with an mcp 1.x) it says which extra to install (exit
12), never an internal error; the plain CLI's start-up never imports the SDK."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

NEMO = str(Path(sys.executable).parent / "nemo")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([NEMO, *args], capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})


def test_without_the_extra_it_names_it(tmp_path):
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "mcp.py").write_text("raise ModuleNotFoundError(\"No module named 'mcp'\", name='mcp')\n")
    done = run("mcp", env={"PYTHONPATH": str(shadow)})
    assert done.returncode == 12 and done.stdout == ""
    error, hint = done.stderr.splitlines()
    assert error == "error: `nemo mcp` needs the mcp extra (mcp is not installed)"
    assert hint == f"hint: install it with: {sys.executable} -m pip install 'nemo-cli[mcp]'"


def test_an_mcp_1x_is_the_missing_extra_too(tmp_path):
    old = tmp_path / "old" / "mcp"
    (old / "server").mkdir(parents=True)
    (old / "__init__.py").write_text("")
    (old / "server" / "__init__.py").write_text("")  # 1.x: mcp.server.fastmcp, no mcpserver
    done = run("mcp", env={"PYTHONPATH": str(tmp_path / "old")})
    assert done.returncode == 12, done.stderr
    assert done.stderr.splitlines()[0] == "error: `nemo mcp` needs the mcp extra (mcp>=2.3 is not installed)"
    assert "Traceback" not in done.stderr


def test_help_does_not_import_the_sdk():
    code = "import sys; from nemo_cli.app import main\ntry: main(['--help'])\nexcept SystemExit: pass\n" \
           "print('SDK' if any(m == 'mcp' or m.startswith(('mcp.', 'nemo_cli.mcp')) for m in sys.modules) else 'clean', file=sys.stderr)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stderr.strip().splitlines()[-1] == "clean"
    assert "mcp" in done.stdout
