"""What a flow tells whoever is watching it work. Every method does nothing here: a command's view
overrides what it shows on the terminal, chat and batch pass their own, MCP turns them into progress
notifications. A flow calls only these (and the richer ones of its own observer subclass, if any)."""

from __future__ import annotations

from typing import Any


class Observer:
    def status(self, text: str) -> None:
        """A one-line status ("uploading 3 files", "rendering"), replaced by the next."""

    def progress(self, done: float, total: float | None = None, label: str = "") -> None:
        """How far a long step is: bytes sent, percent rendered (total None: unknown)."""

    def warn(self, text: str, hint: str | None = None) -> None:
        """Something a person should know that does not stop the flow."""

    def event(self, kind: str, data: dict[str, Any]) -> None:
        """A structured event as it happens (one line of NDJSON for `--json` streams)."""


SILENT = Observer()  # for callers that watch nothing
