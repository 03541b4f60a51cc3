"""Optional extras (`pip install 'nemo-cli[emulator]'`): what each one brings, and the one way a command
says it needs an extra that is not installed -- a configuration error (exit 12) naming the extra and the
command that installs it the way nemo itself was installed (pipx or pip), never an internal error about
a missing module.

    extras.require("emulator", "`nemo emulator serve`")  # imports every module of the extra, or raises

EXTRAS mirrors [project.optional-dependencies] in pyproject.toml (a test keeps them equal).
"""

from __future__ import annotations

import os
import sys

from nemo_cli.errors import ConfigError

# extra → {module imported: distribution on PyPI}
EXTRAS: dict[str, dict[str, str]] = {
    "emulator": {
        "starlette": "starlette",
        "uvicorn": "uvicorn",
        "python_multipart": "python-multipart",
        "imageio_ffmpeg": "imageio-ffmpeg",
        "pylopdf_fonts_zh_cn": "pylopdf-fonts-zh-cn",
    },
    "jq": {"jq": "jq"},
    "socks": {"socksio": "socksio"},
    "mcp": {"mcp": "mcp"},
}
DISTRIBUTION = "nemo-cli"


def require(extra: str, what: str) -> None:
    """Import every module of `extra` (they are imported soon anyway), or raise the ConfigError of
    `missing`. A module that is there but cannot be imported counts as missing: reinstalling fixes both."""
    import importlib

    for module in EXTRAS[extra]:
        try:
            importlib.import_module(module)
        except ImportError:
            raise missing(extra, what, module) from None


def missing(extra: str, what: str, module: str | None = None) -> ConfigError:
    """`WHAT needs the EXTRA extra (MODULE is not installed)` with the command that installs it."""
    because = f" ({module} is not installed)" if module else ""
    return ConfigError(f"{what} needs the {extra} extra{because}", hint=install_hint(extra))


def install_hint(extra: str) -> str:
    """How to add the extra to this installation: pipx's way inside a pipx venv, else pip's, with this
    interpreter (so it lands next to nemo)."""
    spec = f"'{DISTRIBUTION}[{extra}]'"
    if _in_pipx():
        packages = " ".join(EXTRAS[extra].values())
        return f"install it with: pipx install --force {spec} (or: pipx inject {DISTRIBUTION} {packages})"
    python = sys.executable or "python3"
    return f"install it with: {_quote(python)} -m pip install {spec}"


def _in_pipx() -> bool:
    parts = os.path.normpath(sys.prefix).split(os.sep)
    return any(a == "pipx" and b == "venvs" for a, b in zip(parts, parts[1:]))


def _quote(path: str) -> str:
    import shlex

    return shlex.quote(path)
