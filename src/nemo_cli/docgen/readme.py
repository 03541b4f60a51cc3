"""The README's generated parts: the tables inside the scripting guide and the whole command reference.

The guide's prose lives in README.md itself; only the blocks between `<!-- BEGIN GENERATED: name -->` and
`<!-- END GENERATED: name -->` and the section between `<!-- BEGIN REFERENCE -->` and
`<!-- END REFERENCE -->` are rewritten.
"""

from __future__ import annotations

import re

import nemo_cli.docgen.facts as facts
from nemo_cli.docgen.tree import Command

REFERENCE = ("<!-- BEGIN REFERENCE -->", "<!-- END REFERENCE -->")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def environment_table() -> str:
    rows = [f"| `{name}` | {_cell(text)} |" for name, text in facts.environment()]
    return "\n".join(["| variable | meaning |", "|---|---|", *rows])


def exit_code_table() -> str:
    rows = [f"| {code} | `{name}` | {_cell(text)} |" for code, name, text in facts.EXIT_CODES]
    return "\n".join(["| code | name | meaning |", "|---|---|---|", *rows])


def files_list() -> str:
    return "\n".join(f"- `{path}` — {_cell(text)}" for path, text in facts.store_files())


def reference(tree: Command) -> str:
    toc = [f"- [`{c.name}`](#{c.name.replace(' ', '-')}) — {_cell(c.short_help)}" for c in tree.walk()]
    sections = [f"### {c.name}\n\n```text\n{c.help_text.rstrip()}\n```" for c in tree.walk()]
    return "\n\n".join(
        [
            "## Command reference",
            "Every command's `--help`, generated from the command tree by `python -m nemo_cli.docgen` "
            "(do not edit by hand). The man pages in [`man/`](man/) say the same at more length: "
            "`man -l man/nemo.1`.",
            "\n".join(toc),
            *sections,
        ]
    )


BLOCKS = {"environment": environment_table, "exit-codes": exit_code_table, "files": files_list}


def update(text: str, tree: Command) -> str:
    """README.md with every generated block and the reference rewritten."""
    for name, make in BLOCKS.items():
        text = _replace(text, f"<!-- BEGIN GENERATED: {name} -->", f"<!-- END GENERATED: {name} -->", make())
    return _replace(text, *REFERENCE, reference(tree))


def _replace(text: str, begin: str, end: str, body: str) -> str:
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise ValueError(f"README.md has no {begin} … {end} block")
    return pattern.sub(lambda _: f"{begin}\n{body}\n{end}", text, count=1)
