"""Typed endpoint methods: one per row of the contract's endpoint list."""

from __future__ import annotations

from typing import Any, Callable, ContextManager, Mapping, Sequence

from nemo_cli import errors
from nemo_cli.api import models, upload
from nemo_cli.api.http import Credentials, Renew, Transport, _message, api_error, decode, retry_after

APP = "nemo_agent"


# A 429 on the anonymous-token request asking for a longer wait than this is reported at once: its limits
# (one token per client id per week, a few per address) last hours or days, not seconds.
ANONYMOUS_LIMIT_WAIT = 300.0


class TokenClient:
    """Only the anonymous-token endpoint, on a transport of its own that sends no Authorization: what
    acquiring and renewing an anonymous token use, so a rejected token is renewed without building a full
    client inside another client's request. Built from the same transport configuration as the client."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.http = Transport(config, None)

    # 1. anonymous token (no Authorization)
    def anonymous_token(self, client_id: str, on_missing_client_id: Callable[[], str]) -> models.AnonymousToken:
        """A new anonymous token. A 429 raises RateLimited with `retry_after` (seconds) when the service
        said when another can be had."""
        try:
            data = self._anonymous_token(client_id)
        except errors.NemoError as exc:
            if exc.status != 400:
                raise
            # HTTP 400 means the client id was missing or refused: make a new one, persist it, retry once
            data = self._anonymous_token(on_missing_client_id())
        granted = models.AnonymousToken.parse(data, "anonymous token")
        if not _sendable(granted.token):  # stored, it would fail every request that carries it
            raise errors.NetworkError(
                "the service sent a malformed anonymous token reply (token: not a token a request can carry)",
                hint="rerun with --debug to see the reply",
            )
        return granted

    def _anonymous_token(self, client_id: str) -> Any:
        path = "/api/auth/anonymous-token"
        with self.http.send(
            "POST", path, auth=False, headers={"X-Client-Id": client_id}, rate_limit_max=ANONYMOUS_LIMIT_WAIT
        ) as response:
            try:
                return self.http.unwrap(response)
            except errors.RateLimited as exc:
                said = _message(decode(response))  # the service's own words: which limit, when known
                limited = errors.RateLimited(
                    "the service gives one anonymous token per client id per week and refused another "
                    f"(HTTP 429{': ' + said if said else ''})",
                    code=exc.code,
                    status=exc.status,
                )
                wait = retry_after(response, -1.0, cap=float("inf"))
                limited.retry_after = wait if wait >= 0 else None
                raise limited from None


def _sendable(token: str) -> bool:
    """Whether a token can go in an Authorization header: printable ASCII, no spaces."""
    return bool(token) and token.isascii() and token.isprintable() and not any(ch.isspace() for ch in token)


class NemoClient:
    """Every endpoint but the anonymous token's (TokenClient). `credentials` gives the token to send;
    `renew` is called with a token the service rejected (1001) and returns a fresh one or raises AuthError
    (None: a rejected token is an error at once)."""

    def __init__(
        self,
        config: Mapping[str, Any],
        credentials: Credentials | None,
        on_state: Callable[[str, models.SessionState], None] | None = None,
        renew: Renew | None = None,
    ) -> None:
        self.http = Transport(config, credentials, renew=renew)
        self.on_state = on_state  # told of every state reply (the ids in it), for a caller to remember

    # 2. new session
    def new_session(self, name: str, language: str) -> models.NewSession:
        data = self.http.call(
            "POST", f"/api/tasks/me/with-session/{APP}", json={"task_name": name, "language": language}
        )
        return models.NewSession.parse(data, "new session")

    # 3. claim token, for browser links
    def claim_token(self, task_id: str | None, session_id: str) -> models.ClaimToken:
        data = self.http.call("POST", "/api/auth/claim-token", json={"task_id": task_id, "session_id": session_id})
        return models.ClaimToken.parse(data, "claim token")

    # 6. credits
    def credits(self) -> models.Credits:
        return models.Credits.parse(self.http.call("GET", "/api/credits/balance/simple"), "credits")

    # 7. state
    def state(self, session_id: str) -> models.SessionState:
        data = self.http.call("GET", f"/api/state/{APP}/me/{session_id}/latest")
        state = models.SessionState.parse(data, "state")
        if self.on_state is not None:
            self.on_state(session_id, state)
        return state

    # 5. upload: local files as one streamed multipart body, or URLs for the service to fetch
    def upload_files(
        self, session_id: str, body: upload.MultipartBody, sent: Callable[[int], None] = lambda n: None
    ) -> models.UploadResult:
        data = upload.send_files(self.http, self.upload_path(session_id), body, sent)
        return models.UploadResult.parse(data, "upload")

    def upload_urls(self, session_id: str, urls: Sequence[str]) -> models.UploadResult:
        data = self.http.call("POST", self.upload_path(session_id), json=upload.url_body(urls), retry=False)
        return models.UploadResult.parse(data, "upload")

    def upload_path(self, session_id: str) -> str:
        return f"/api/upload-video/{APP}/me/{session_id}"

    def run_path(self) -> str:
        return "/run_sse"

    # 4. send a message: the reply is a stream (nemo_cli.api.sse reads it)
    def run_stream(self, session_id: str, message: str, read_timeout: float) -> ContextManager[Any]:
        """POST the message and yield the open streaming response. Never resent once it may have reached
        the service (the service would run and charge it twice): only a refused connection, a 429 or a
        rejected token (1001) is sent again, as for every request. `read_timeout` bounds one silent read;
        the caller enforces its own idle and total limits on top."""
        import httpx

        body = {
            "app_name": APP,
            "user_id": "me",
            "session_id": session_id,
            "new_message": {"role": "user", "parts": [{"text": message}]},
            "streaming": True,
        }
        connect = float(self.http.config.get("connect_timeout", 10))
        return self.http.send(
            "POST",
            self.run_path(),
            stream=True,
            retry=False,
            headers={"Accept": "text/event-stream", "Cache-Control": "no-store"},
            json=body,
            timeout=httpx.Timeout(read_timeout, connect=connect),
        )

    def stream_error(self, code: Any, message: str) -> errors.NemoError:
        """The typed error for an error event inside a stream, as if it had come in an envelope (so 2001
        gets the registration link for an anonymous user)."""
        if isinstance(code, int) and not isinstance(code, bool):
            return api_error(200, code, message, self.http._error_context())  # same layer: the envelope path uses it too
        said = ": ".join(str(x) for x in (code, message) if x) or "no reason given"
        return errors.NetworkError(
            f"the service stopped with an error ({said})", reason="stream_stopped"
        )

    # 8-11. renders
    def render_start(self, body: dict[str, Any]) -> models.RenderStatus:
        data = self.http.call("POST", "/api/render/proxy/lambda", json=body)
        return models.RenderStatus.from_reply(data, body.get("id"))

    def render_status(self, render_id: str) -> models.RenderStatus:
        data = self.http.call("GET", f"/api/render/proxy/lambda/{render_id}")
        return models.RenderStatus.from_reply(data, render_id)

    def render_poll(self, render_id: str) -> tuple[models.RenderStatus | None, float | None]:
        """One look for a poller, with no retries of its own (the poller's schedule decides when to look
        again): (the status, or None after a 5xx; the service's Retry-After in seconds, if it gave one)."""
        with self.http.send("GET", f"/api/render/proxy/lambda/{render_id}", retry=False) as response:
            advice = retry_after(response, 0.0) or None
            if response.status_code >= 500:
                return None, advice
            data = self.http.unwrap(response)
        return models.RenderStatus.from_reply(data, render_id), advice

    def render_cancel(self, render_id: str) -> Any:
        return self.http.call("POST", f"/api/render/proxy/lambda/{render_id}/cancel")

    def download_path(self, render_id: str) -> str:
        return f"/api/render/proxy/{render_id}/download"
