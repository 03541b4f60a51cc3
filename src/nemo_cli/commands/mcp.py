"""`nemo mcp`: serve the CLI's verbs to AI agents as Model Context Protocol tools, over stdio.

The SDK (the `mcp` extra, ~1.3 s of imports) is imported only when this command runs.
"""

from __future__ import annotations

from typing import Annotated

import typer

from nemo_cli.commands import common


def mcp(
    read_only: Annotated[
        bool,
        typer.Option("--read-only", help="Offer only the tools that change nothing and spend nothing: credits, "
                                         "session_list, state, edit_status, export_status."),
    ] = False,
) -> None:
    """Run an MCP server on stdin/stdout for AI agents (Claude, Cursor…): every verb of nemo as a tool.

    Tools: credits, session_new, session_list, session_link, upload (local paths and URLs), edit,
    edit_status, state, export (to an MP4 on this machine), export_status, export_cancel. stdout carries
    only the protocol; logs go to stderr. The store, profile and settings are the CLI's: `nemo auth` once
    serves both. Relative paths are taken from the server's working directory. Needs the
    `nemo-cli[mcp]` extra.

    An MCP client starts it itself: `{"mcpServers": {"nemo": {"command": "nemo", "args": ["mcp"]}}}`.

    \b
    Examples:
      $ nemo mcp
      $ nemo mcp --read-only
      $ nemo --profile work mcp
    """
    from nemo_cli import extras

    extras.require("mcp", "`nemo mcp`")
    try:
        import mcp.server.mcpserver  # noqa: F401  (2.x; an mcp 1.x imports as `mcp` but has no such server)
    except ImportError:
        raise extras.missing("mcp", "`nemo mcp`", "mcp>=2.3") from None
    from nemo_cli.mcp.server import serve

    serve(common.use(), read_only=read_only)


def register(app: typer.Typer) -> None:
    app.command("mcp")(mcp)
