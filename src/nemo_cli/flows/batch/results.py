"""The results file of a batch (`plan.results.json`, next to the plan): what each job has done so far.

It is rewritten after every step of every job, atomically (temp file, fsync, rename, fsync of the
directory), so after a crash or Ctrl-C it always holds a whole, recent picture, and a re-run picks up
from it: a job recorded done (with its output still there) is skipped, one whose edit went through
resumes at its export in the same session, any other starts over in a new session (re-sending an edit
into a session that may already hold it could apply it twice).

Records are keyed by the job's fingerprint, so a job changed in the plan since is a new job.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from nemo_cli.durable import write_atomic
from nemo_cli.errors import BadInput

VERSION = 1


class Results:
    def __init__(self, path: Path, plan: Path, records: dict[str, dict[str, Any]] | None = None) -> None:
        self.path = path
        self.plan = plan
        self.jobs: dict[str, dict[str, Any]] = records or {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path, plan: Path) -> "Results":
        """The results of earlier runs (none when the file is missing); a broken file is refused, never
        silently overwritten: it may be the only record of which jobs are done."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path, plan)
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(f"cannot read the results file {path}: {getattr(exc, 'strerror', None) or exc}") from None
        try:
            data = json.loads(text)
            records = data["jobs"]
            if not isinstance(records, dict) or not all(isinstance(r, dict) for r in records.values()):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise BadInput(
                f"the results file {path} is damaged",
                hint=f"move it away to run every job again (`mv {path} {path}.bak`), or use --restart",
            ) from None
        return cls(path, plan, records)

    def get(self, fingerprint: str) -> dict[str, Any]:
        with self._lock:
            return dict(self.jobs.get(fingerprint, {}))

    def outputs(self) -> set[str]:
        """Every output path a job of this plan has written, or may have (its export had started)."""
        with self._lock:
            return {str(r["output"]) for r in self.jobs.values() if r.get("output") and (r.get("bytes") is not None or r.get("edited"))}

    def update(self, fingerprint: str, **fields: Any) -> dict[str, Any]:
        """Change a job's record and write the file at once; returns the new record."""
        with self._lock:
            record = self.jobs.setdefault(fingerprint, {})
            record.update(fields)
            self._write()
            return dict(record)

    def forget(self, fingerprint: str) -> None:
        with self._lock:
            if self.jobs.pop(fingerprint, None) is not None:
                self._write()

    def _write(self) -> None:
        doc = {"version": VERSION, "plan": str(self.plan), "jobs": self.jobs}
        payload = (json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        write_atomic(self.path, payload)
