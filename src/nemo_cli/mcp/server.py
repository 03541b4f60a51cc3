"""The MCP server: the tools of nemo_cli.mcp.tools under their fixed names, our errors as tool errors, the
protocol alone on stdout, logs on stderr.

    serve(ctx, read_only=False)    run on stdio until the client closes stdin
    build(ctx, read_only=False)    the MCPServer (for in-process clients: tests, the benchmark)

`--read-only` offers only what changes nothing and spends nothing: READ_ONLY.
"""

from __future__ import annotations

import functools
import inspect
import logging
import sys
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable

from nemo_cli import __version__, errors
from nemo_cli.mcp.jobs import error_fields

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer
    from mcp.types import CallToolResult

    from nemo_cli.context import Context

log = logging.getLogger("nemo.mcp")

# name: read-only. session_link is not: it mints a claim token on the service, a new grant that hands
# the session to whoever opens the link (it spends nothing, but it changes who can reach the session).
TOOLS: dict[str, bool] = {
    "credits": True,
    "session_new": False,
    "session_list": True,
    "session_link": False,
    "upload": False,
    "edit": False,
    "edit_status": True,
    "state": True,
    "export": False,
    "export_status": True,
    "export_cancel": False,
}
READ_ONLY = [name for name, read_only in TOOLS.items() if read_only]

INSTRUCTIONS = """\
NemoVideo editing through nemo: session_new, upload (local paths or URLs), edit (describe the change in
words), state, export (an MP4, downloaded to output_path). Rules: a message is sent once per edit call;
after a timeout or a dropped connection never send it again: call edit_status (turn_id) or state. When
an edit returns awaiting_input, answer the question with another edit (an option's number or label).
Long work goes on after a call returns status running: pick it up with edit_status / export_status."""


def tool_error(exc: errors.NemoError) -> "CallToolResult":
    """Our error as an MCP tool error (is_error): class, message, hint and exit-code name, no traceback."""
    from mcp.types import CallToolResult, TextContent

    err = error_fields(exc)
    text = f"{err['error']}: {exc.message}" + (f" (hint: {exc.hint})" if exc.hint else "")
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content={"error": err}, is_error=True)


def shaped(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A tool whose nemo_cli errors come back as tool errors and whose bugs as "internal error" (the
    traceback to stderr only). functools.wraps keeps the signature the SDK builds the schema from."""

    def failed(exc: BaseException) -> "CallToolResult":
        if isinstance(exc, errors.NemoError):
            return tool_error(exc)
        log.exception("tool %s crashed", fn.__name__)
        return tool_error(errors.NemoError(f"internal error ({type(exc).__name__})", hint="see the server's log (stderr); please report it"))

    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except Exception as exc:
                return failed(exc)

        return run_async

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            return failed(exc)

    return run


async def _sdk_errors_in_our_shape(ctx: Any, call_next: Any) -> Any:
    """The SDK answers an unknown tool or arguments that fail the schema with text only: give those our
    fields too. (call_next returns the wire's dict, camelCase.)"""
    result = await call_next(ctx)
    if getattr(ctx, "method", None) == "tools/call" and isinstance(result, dict) and result.get("isError") \
            and "structuredContent" not in result:
        text = ((result.get("content") or [{}])[0] or {}).get("text", "tool error")
        return tool_error(errors.UsageError(text, hint="see the tool's name and input schema in tools/list"))
    return result


@asynccontextmanager
async def _stdout_to_stderr(_server: Any) -> AsyncIterator[None]:
    """Runs inside the SDK's stdio transport, which keeps fd 1 for the protocol: Python's sys.stdout goes
    to stderr too, so a stray print cannot sit in a buffer and reach the wire at exit."""
    saved, sys.stdout = sys.stdout, sys.stderr
    try:
        yield None
    finally:
        sys.stdout = saved


def build(ctx: "Context", read_only: bool = False) -> "MCPServer":
    from mcp.server.mcpserver import MCPServer
    from mcp.types import ToolAnnotations

    from nemo_cli.mcp.tools import Tools

    server = MCPServer("nemo", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING",
                       lifespan=_stdout_to_stderr, middleware=[_sdk_errors_in_our_shape])
    tools = Tools(ctx)
    for name, is_read_only in TOOLS.items():
        if read_only and not is_read_only:
            continue  # not offered at all: not listed, and a call is an unknown tool
        method = getattr(tools, name)
        server.add_tool(
            shaped(method), name=name, description=inspect.cleandoc(method.__doc__ or ""),
            annotations=ToolAnnotations(read_only_hint=is_read_only, destructive_hint=name == "export_cancel",
                                        idempotent_hint=is_read_only, open_world_hint=True),
        )
    return server


def serve(ctx: "Context", read_only: bool = False) -> None:
    """Logs first (the SDK's constructor configures logging only when nothing has)."""
    logging.basicConfig(level=logging.DEBUG if ctx.debug else logging.WARNING, stream=sys.stderr,
                        format="nemo mcp: %(levelname)s %(name)s: %(message)s")
    if not ctx.debug:
        for noisy in ("httpx", "httpcore", "mcp"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    build(ctx, read_only).run("stdio")
