"""One exception tree; each class owns its exit code and a default hint.

    NemoError (1)
    ├── UsageError (2)             bad arguments our own checks catch after click's parsing
    ├── AuthError (3)              not logged in, token rejected (1001 for a user token), missing scope (403)
    ├── SessionNotFound (4)        no active session, or 1002
    ├── OutOfCredits (5)           2001
    ├── BadInput (6)               bad local file, 4001/4002, draft not ready for export
    ├── PlanLimit (7)              HTTP 402: the free plan cannot export
    ├── RateLimited (8)            HTTP 429 that did not clear after the one retry
    ├── NetworkError (9)           connection failures, 5xx, malformed replies
    ├── Timeout (10)               a wait (edit stream, render, recovery) ran out
    ├── RenderFailed (11)          a render ended failed or cancelled
    ├── ConfigError (12)           the store or a setting is broken
    ├── Question (13)              the service asked a question and waits for the answer
    ├── NoChange (14)              --expect-change: the edit left the timeline as it was
    └── Interrupted (130)          Ctrl-C

`app.main` is the one place that turns these into `error: …` lines and exit codes.

The wire (nemo_cli.api) knows nothing of the CLI's commands: where its error calls for a next step, it
names a machine-readable `reason` (HINTS' keys) and this module words the hint, the same for every front
end that shows it.
"""

from __future__ import annotations

import re

EXIT_CODES: list[tuple[int, str, str]] = [
    (0, "OK", "success"),
    (1, "ERROR", "an unexpected error (please report it)"),
    (2, "USAGE", "bad command line: unknown option, missing or invalid argument"),
    (3, "AUTH", "not logged in, token rejected or expired, or missing a scope (HTTP 403)"),
    (4, "SESSION", "no active session, or the session was not found (1002)"),
    (5, "CREDITS", "out of credits (2001)"),
    (6, "INPUT", "bad input: unreadable or unsupported file, too large (4001/4002), draft not ready"),
    (7, "PLAN", "plan limit: the free plan cannot export (HTTP 402)"),
    (8, "RATE_LIMIT", "rate limited (HTTP 429) even after waiting"),
    (9, "NETWORK", "network or server failure (connection, 5xx, malformed reply)"),
    (10, "TIMEOUT", "a wait ran out (edit stream, render, recovery polling)"),
    (11, "RENDER", "the render failed or was cancelled"),
    (12, "CONFIG", "the store or a setting is broken"),
    (13, "QUESTION", "the service is waiting for your answer: send it as the next message (or pass --answer)"),
    (14, "NO_CHANGE", "the edit changed nothing in the timeline (--expect-change)"),
    (130, "INTERRUPTED", "interrupted (Ctrl-C)"),
]


class NemoError(Exception):
    exit_code = 1
    default_hint: str | None = None

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        code: int | None = None,
        status: int | None = None,
        reason: str | None = None,
    ) -> None:
        message = without_repeats(message)
        super().__init__(message)
        self.message = message
        self.reason = reason  # why, for a program (a key of HINTS), when the raiser said
        self.hint = hint if hint is not None else HINTS.get(reason or "", self.default_hint)
        self.code = code  # the service's envelope code, when there was one
        self.status = status  # the HTTP status, when there was one

    def because(self, reason: str) -> "NemoError":
        """Name the reason after the fact (a layer above learned it), and take its hint."""
        self.reason = reason
        self.hint = HINTS.get(reason, self.hint)
        return self

    def __str__(self) -> str:
        return self.message


# The next step for each reason the wire names (nemo_cli.api raises with `reason=`, never with these words).
HINTS: dict[str, str] = {
    "not_the_api": "check the API URL (`nemo config get api_url`)",
    "not_the_api_or_proxy": "check the API URL (`nemo config get api_url`), or the proxy in the way: it may have answered instead of the service",
    "reply_not_json": "check the API URL (`nemo config get api_url`); rerun with --debug to see the reply",
    "tls_unverified": "behind a proxy or firewall that inspects TLS? give nemo your organisation's CA certificates: "
    "`nemo config set ca_bundle PATH` (or SSL_CERT_FILE); verification is never turned off",
    "ca_bundle_broken": "point it at a PEM file of CA certificates, or a directory of them: `nemo config set ca_bundle PATH`",
    **{f"ca_{var.lower()}_broken": f"fix or unset {var}, or set ca_bundle, which wins over it: `nemo config set ca_bundle PATH`"
       for var in ("SSL_CERT_FILE", "SSL_CERT_DIR")},
    "missing_scope": "use a token with that scope: `nemo auth login`",
    "stream_stopped": "`nemo state` shows whether anything changed; send the message again if nothing did",
    "upload_sent_in_full": "the file(s) went out in full, so the service may have them: check with `nemo state` before uploading again",
}


class UsageError(NemoError):
    exit_code = 2


class AuthError(NemoError):
    exit_code = 3
    default_hint = "run `nemo auth` for an anonymous token, or `nemo auth login` with your own"


class SessionNotFound(NemoError):
    exit_code = 4
    default_hint = "start one with `nemo session new`, or pick one with `nemo session use ID`"


class OutOfCredits(NemoError):
    exit_code = 5


class BadInput(NemoError):
    exit_code = 6


class PlanLimit(NemoError):
    exit_code = 7
    default_hint = "this is a plan limit, not a credit problem: register or upgrade to export"


class RateLimited(NemoError):
    exit_code = 8
    default_hint = "wait a while and try again"
    retry_after: float | None = None  # seconds the service said to wait, when it said (the anonymous-token limit)


class NetworkError(NemoError):
    exit_code = 9
    default_hint = "check your connection and the API URL (`nemo config get api_url`), then retry"


class Timeout(NemoError):
    exit_code = 10


class RenderFailed(NemoError):
    exit_code = 11


class ConfigError(NemoError):
    exit_code = 12


class Question(NemoError):
    exit_code = 13


class NoChange(NemoError):
    exit_code = 14


class Interrupted(NemoError):
    exit_code = 130


def without_repeats(message: str) -> str:
    """A message says each thing once: where our words are followed by the service's saying the same
    (`session not found: session not found`), the first is dropped (`session not found`)."""
    parts = message.split(": ")
    kept = [part for part, after in zip(parts, parts[1:]) if not _restates(after, part)]
    return ": ".join([*kept, parts[-1]])


def _restates(later: str, earlier: str) -> bool:
    a, b = earlier.strip().lower(), later.strip().lower()
    return bool(a) and (b == a or (b.startswith(a) and not (b[len(a)].isalnum() or b[len(a)] in "._-/")))


def mask(token: str | None) -> str:
    """A token's printable form: its kind prefix and last four characters, never the secret part."""
    if not token:
        return "(none)"
    if len(token) <= 12:
        return "****"
    # the kind prefix (`nmv_usr_`, `clm_`) is not secret; anything after it is, but for the last four
    kind = re.match(r"[a-z]{2,4}_(?:[a-z]{2,4}_)?", token)
    prefix = kind.group(0) if kind and len(token) - kind.end() >= 8 else ""
    return f"{prefix}…{token[-4:]}"
