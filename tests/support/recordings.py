"""Where the recorded /run_sse replies are: shared/ beside the checkout (as CI lays it), else the workplace's."""

from __future__ import annotations

from pathlib import Path

_CANDIDATES = (Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "sse", Path("/work/shared/fixtures/sse"))
SSE = next((p for p in _CANDIDATES if p.is_dir()), _CANDIDATES[0])
