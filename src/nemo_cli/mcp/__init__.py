"""`nemo mcp`: the CLI's verbs as Model Context Protocol tools, for AI agents, over stdio.

A front end beside nemo_cli.commands: server.py assembles the tools (the SDK, the error shape, stdout kept
for the protocol), tools.py holds one method per tool calling the flows, jobs.py the turns and renders that
outlive a call. It imports the flows, the Context and the errors; never the commands nor the API. The
SDK (the `mcp` extra) is imported only when `nemo mcp` runs.
"""
