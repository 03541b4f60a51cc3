"""Shared fixtures. Every test gets its own empty store; no test talks to anything but 127.0.0.1."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """A throwaway NEMO_CONFIG_DIR and no inherited NEMO_* variables, CI flag or colour."""
    import os

    for name in list(os.environ):
        if name.startswith("NEMO_") or name in ("CI", "NO_COLOR"):
            monkeypatch.delenv(name, raising=False)
    config = tmp_path / "nemo-config"
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(config))
    return config
