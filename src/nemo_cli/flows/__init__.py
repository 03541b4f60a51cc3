"""The verbs of the CLI as code: what `nemo` does, for every front end (the commands, chat, batch, MCP).

One module (or package) per verb family. A flow:
- takes a Context (settings, store, sessions, a lazily built client) and resolved values (a session id,
  a path, a render id), never flags or argv;
- returns typed results (dataclasses) and raises the typed errors of nemo_cli.errors;
- never prints: what a person should see while it works (progress, a status line, a warning, the text a
  stream sends) reaches them through the observer the caller passes in (nemo_cli.flows.observe).

commands → flows → {api, store, files, credentials, draft, media} → errors. tests/layers/ holds it.
"""
