"""`nemo …` command lines inside shell text, and whether they parse against the command tree.

The drift test runs every command line the README, the man pages and examples/ show through `problem`,
so an example that names a renamed option or a removed command fails the build instead of a reader.
"""

from __future__ import annotations

import re
import shlex

from nemo_cli.docgen.tree import Command

_OPERATORS = set("|&;()<>")


def invocations(text: str) -> list[list[str]]:
    """The words after each `nemo` that starts a command (also inside quotes and `$(…)`)."""
    lines = text.replace("\\\n", " ").split("\n")
    if len(lines) > 1:  # a newline ends a command
        return [words for line in lines for words in invocations(line)]
    lexer = shlex.shlex(lines[0], posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:  # unbalanced quotes: a fragment, not a command line
        return []
    found: list[list[str]] = []
    current: list[str] | None = None
    for i, token in enumerate(tokens):
        if re.search(r"\s", token):  # a quoted string may hold a command line of its own: bash -c '…', "$(…)"
            found += invocations(token)
        if current is not None:
            redirect = token.isdigit() and i + 1 < len(tokens) and tokens[i + 1][:1] in "<>"  # 2>/dev/null
            if set(token) <= _OPERATORS or redirect:
                found.append(current)
                current = None
            else:
                current.append(token)
                continue
        starts = i == 0 or set(tokens[i - 1]) <= _OPERATORS or tokens[i - 1].endswith(("$", "="))
        if token == "nemo" and starts:
            current = []
    if current is not None:
        found.append(current)
    return found


def problem(tree: Command, words: list[str], pending: set[str] = frozenset()) -> str | None:  # type: ignore[assignment]
    """Why `nemo WORDS` would not parse against the tree, or None. Top-level commands in `pending` may be
    missing (not built yet); once they exist they are checked like the rest."""
    node, argn, i = tree, 0, 0
    while i < len(words):
        word = words[i]
        if word == "--":
            break
        if word.startswith("-") and word != "-":
            name = word.split("=", 1)[0]
            param = node.option(name)
            if param is None:  # a global option, which goes anywhere
                param = next((p for p in tree.global_options if name in p.names), None)
            if param is None:
                return f"{node.name}: no option {name}"
            i += 1 if param.takes_value and "=" not in word else 0
        elif node.subcommands:
            sub = next((c for c in node.subcommands if c.path[-1] == word), None)
            if sub is None:
                return None if node is tree and word in pending else f"{node.name}: no command {word!r}"
            node, argn = sub, 0
        else:
            argn += 1
            args = node.arguments
            if argn > len(args) and not (args and args[-1].variadic):
                return f"{node.name}: too many arguments ({word!r})"
        i += 1
    return None
