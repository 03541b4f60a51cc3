"""The API origin: every endpoint of the contract (uploads and /run_sse have modules of their own)."""

from __future__ import annotations

import re
import uuid
from html import escape
from typing import TYPE_CHECKING, Any

from nemo_cli.emulator.replies import endpoint, json_body, json_response, ok
from nemo_cli.emulator.world import Refused, Render, Token

if TYPE_CHECKING:
    from nemo_cli.emulator.service import Service

APP = "nemo_agent"
ATTRIBUTION = ("x-skill-source", "x-skill-version", "x-skill-platform")
_RENDER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class Api:
    def __init__(self, svc: "Service") -> None:
        self.svc = svc
        self.world = svc.world

    def auth(self, request: Any, scope: str) -> Token:
        return self.world.authenticate(request.headers.get("authorization"), scope)

    def _app(self, request: Any) -> None:
        if request.path_params.get("app") != APP:
            raise Refused(f"unknown app {request.path_params.get('app')!r}", status=404)

    # 1. anonymous token
    async def anonymous_token(self, request: Any) -> Any:
        client_id = (request.headers.get("x-client-id") or "").strip()
        if not client_id:
            raise Refused("the X-Client-Id header is required", status=400)
        try:
            uuid.UUID(client_id)
        except ValueError:
            raise Refused("X-Client-Id must be a UUID", status=400) from None
        ip = request.client.host if request.client else "?"
        token, user = self.world.anonymous_token(client_id, ip)  # Refused 429 with Retry-After past a limit
        data = {"token": token.value, "user_id": user.id, "expires_at": self.world.iso(token.expires or 0), "credits": user.available}
        if not self.svc.options.anonymous_user_id:  # the contract: user_id "where given"
            del data["user_id"]
        return json_response(200, ok(data))

    # 2. new session
    async def new_session(self, request: Any) -> Any:
        token = self.auth(request, "write")
        self._app(request)
        payload = await json_body(request)
        name, language = payload.get("task_name"), payload.get("language")
        if name is not None and not isinstance(name, str) or language is not None and not isinstance(language, str):
            raise Refused("task_name and language must be text", status=400)
        session = self.world.new_session(token.user_id, name or "Untitled", language or "en")
        return json_response(200, ok({"task_id": session.task_id, "session_id": session.id, "user_id": token.user_id}))

    # 3. claim token: the project is named by both ids. A missing task_id (null, as a client that adopted
    # a session made elsewhere sends when it never learned it) or one that is not the session's task is a
    # bad request (HTTP 400): the browser link fails.
    async def claim_token(self, request: Any) -> Any:
        token = self.auth(request, "write")
        payload = await json_body(request)
        sid, task_id = payload.get("session_id"), payload.get("task_id")
        if not isinstance(sid, (str, int)) or isinstance(sid, bool) or not str(sid):
            raise Refused("session_id is required", status=400)
        if not isinstance(task_id, (str, int)) or isinstance(task_id, bool) or not str(task_id):
            raise Refused("task_id is required", status=400)
        session = self.world.session(str(sid), token.user_id)
        if str(task_id) != session.task_id:
            raise Refused(f"task {task_id} is not the task of session {session.id}", status=400)
        value, expires_in = self.world.claim(session)
        return json_response(200, ok({"claim_token": value, "expires_in": expires_in}))

    # 6. credits
    async def credits(self, request: Any) -> Any:
        token = self.auth(request, "read")
        return json_response(200, ok(self.world.balance(token.user_id)))

    # 7. state
    async def state(self, request: Any) -> Any:
        token = self.auth(request, "read")
        self._app(request)
        session = self.world.session(request.path_params["sid"], token.user_id)
        data = {"task_id": session.task_id, "session_id": session.id, "user_id": session.user_id, "state": self.world.state(session)}
        return json_response(200, ok(data))

    # 8. start a render
    async def render_start(self, request: Any) -> Any:
        token = self.auth(request, "render")
        missing = [h for h in ATTRIBUTION if not request.headers.get(h, "").strip()]
        if missing:
            names = ", ".join("X-Skill-" + h.split("-")[-1].capitalize() for h in missing)
            raise Refused(f"attribution headers required: {names}", status=402)
        if self.world.user(token.user_id).free_plan:
            raise Refused("the free plan cannot export; upgrade to render", status=402)
        payload = await json_body(request)
        render_id, sid, draft = payload.get("id"), payload.get("sessionId"), payload.get("draft")
        output = payload.get("output") if isinstance(payload.get("output"), dict) else {}
        if not isinstance(render_id, str) or not _RENDER_ID.match(render_id):
            raise Refused("id: a unique render id (letters, digits, _ . -) is required", status=400)
        if not isinstance(sid, (str, int)) or isinstance(sid, bool):
            raise Refused("sessionId is required", status=400)
        session = self.world.session(str(sid), token.user_id)
        if not isinstance(draft, dict) or not any(isinstance(t, dict) and t.get("sg") for t in draft.get("t") or []):
            raise Refused("the draft has nothing to render (no track with segments)", status=400)
        if str(output.get("format", "mp4")).lower() != "mp4":
            raise Refused(f"unsupported output format {output.get('format')!r}: only mp4", status=400)
        fault = request.scope.get("emu.fault")
        render = Render(render_id, session.id, token.user_id, draft, output, self.world.stamp())
        if fault is not None and fault.kind == "render_fail":
            render.fail_with = str(fault.params.get("error"))
        self.world.add_render(render)
        self.svc.renderer.start(render)
        data = {"id": render.id, "status": "pending", "progress": 0, "createdAt": render.created_ms}
        return json_response(200, {"success": True, "data": data})

    # 9. render status
    async def render_status(self, request: Any) -> Any:
        token = self.auth(request, "read")
        render = self.world.render(request.path_params["rid"], token.user_id)
        return json_response(200, self.render_doc(render))

    # 11. cancel
    async def render_cancel(self, request: Any) -> Any:
        token = self.auth(request, "render")
        render = self.world.render(request.path_params["rid"], token.user_id)
        if not self.svc.renderer.cancel(render):
            raise Refused(f"render {render.id} already {render.status}; nothing to cancel", status=409)
        return json_response(200, self.render_doc(render))

    # 10. download fallback: the file itself, or (as some deployments answer) JSON with a signed link
    async def render_download(self, request: Any) -> Any:
        from starlette.responses import FileResponse, HTMLResponse

        from nemo_cli.emulator.cdn import signed_url

        token = self.auth(request, "read")
        render = self.world.render(request.path_params["rid"], token.user_id)
        if render.status != "completed" or render.path is None or not render.path.is_file():
            raise Refused(f"render {render.id} is {render.status}, not completed", status=409)
        flavor = self.svc.options.download_flavor
        if flavor == "json":
            return json_response(200, ok({"url": signed_url(self.svc, "renders", render.path.name)}))
        if flavor == "json-error":
            message = "the download link could not be issued; try again later"
            return json_response(200, {"success": False, "message": message, "error": message})
        if flavor == "html":
            page = "<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Sign in to continue</h1></body></html>"
            return HTMLResponse(page)
        return FileResponse(render.path, media_type="video/mp4", filename=f"{render.id}.mp4")

    def render_doc(self, render: Render) -> dict[str, Any]:
        with self.world.lock:
            status, error = render.status, render.error
            progress = self.svc.renderer.progress(render)
            created, completed = render.created_ms, render.completed_ms
        via = "r" if self.svc.options.cdn_redirect else "f"
        url = f"{self.svc.cdn_url}/{via}/renders/{render.id}.mp4" if status == "completed" else None
        fields: dict[str, Any] = {"id": render.id, "status": status, "progress": progress, "createdAt": created}
        if completed is not None:
            fields["completedAt"] = completed
        if error:
            fields["error"] = error
        if self.svc.options.render_flavor == "top":
            if url:
                fields["output"] = {"url": url}
            return fields
        return {"success": True, "data": {**fields, "outputUrl": url}}

    # the web app, for browser links: enough to show that a link works
    async def web(self, request: Any) -> Any:
        from starlette.responses import HTMLResponse

        path = request.path_params.get("path", "")
        if path == "workspace/claim":
            ct = request.query_params.get("ct", "")
            with self.world.lock:
                claim = self.world.claims.get(ct)
            if claim is None:
                return HTMLResponse("<h1>This link is not valid</h1>", status_code=404)
            return HTMLResponse(f"<h1>NemoVideo (emulator)</h1><p>Session {escape(claim['session_id'])} opened in the editor.</p>")
        bind = request.query_params.get("bind")
        extra = f"<p>Register to bind {escape(bind)} and get more credits.</p>" if bind else ""
        return HTMLResponse(f"<h1>NemoVideo (emulator)</h1>{extra}")

    def routes(self) -> list[Any]:
        from starlette.routing import Route

        from nemo_cli.emulator.runs import Runs
        from nemo_cli.emulator.uploads import Uploads

        uploads, runs = Uploads(self.svc), Runs(self.svc)

        def r(path: str, fn: Any, fam: str = "api", methods: tuple[str, ...] = ("POST",)) -> Any:
            return Route(path, endpoint(fam, fn), methods=list(methods))

        return [
            r("/api/auth/anonymous-token", self.anonymous_token),
            r("/api/tasks/me/with-session/{app}", self.new_session),
            r("/api/auth/claim-token", self.claim_token),
            r("/run_sse", runs.run_sse, "sse"),
            r("/api/upload-video/{app}/me/{sid}", uploads.upload),
            r("/api/credits/balance/simple", self.credits, methods=("GET",)),
            r("/api/state/{app}/me/{sid}/latest", self.state, methods=("GET",)),
            r("/api/render/proxy/lambda", self.render_start, "render"),
            r("/api/render/proxy/lambda/{rid}", self.render_status, "render", ("GET",)),
            r("/api/render/proxy/lambda/{rid}/cancel", self.render_cancel, "render"),
            r("/api/render/proxy/{rid}/download", self.render_download, "render", ("GET", "HEAD")),
            r("/web", self.web, methods=("GET",)),
            r("/web/{path:path}", self.web, methods=("GET",)),
        ]


def build(svc: "Service") -> Any:
    from starlette.applications import Starlette

    async def not_found(request: Any, exc: Any) -> Any:
        status = getattr(exc, "status_code", 404)
        fam = "render" if request.url.path.startswith("/api/render/") else "api"
        message = "method not allowed" if status == 405 else f"no such endpoint: {request.method} {request.url.path}"
        content = {"success": False, "message": message, "error": message} if fam == "render" else {"code": status, "message": message, "data": None}
        return json_response(status, content)

    return Starlette(routes=Api(svc).routes(), exception_handlers={404: not_found, 405: not_found})
