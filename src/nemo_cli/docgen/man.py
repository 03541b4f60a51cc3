"""Man pages in roff, written by hand from the command tree: `nemo.1` and one page per top-level command.

Plain `man` macros only (no tbl, no groff extensions), pure ASCII with escapes for everything else, so
the pages render without a warning under `groff -man -ww -z` and read the same under mandoc. No date
and no version in the header: a page changes only when what it says changes.
"""

from __future__ import annotations

import re

import nemo_cli.docgen.facts as facts
from nemo_cli.docgen.tree import Command, Param

_CHARS = {
    "\u2026": "...",
    "\u2014": "\\(em",
    "\u2013": "\\(en",
    "\u2192": "\\(->",
    "\u00d7": "\\(mu",
    "\u2018": "\\(oq",
    "\u2019": "\\(cq",
    "\u201c": "\\(lq",
    "\u201d": "\\(rq",
}


def page_name(cmd: Command) -> str:
    return "-".join(("nemo",) + cmd.path)


def pages(tree: Command) -> dict[str, str]:
    """File name → roff source, for the root and each top-level command."""
    out = {"nemo.1": _root_page(tree)}
    for cmd in tree.subcommands:
        out[page_name(cmd) + ".1"] = _command_page(cmd, tree)
    return out


# -- text --------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Plain text → roff text: backslashes, dashes (as \\- so options copy and paste) and non-ASCII."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "".join(ch if ord(ch) < 128 else _CHARS.get(ch, f"\\[u{ord(ch):04X}]") for ch in text)


def inline(text: str) -> str:
    """Escaped text with `code` in bold."""
    parts = re.split(r"`([^`]+)`", text)
    return "".join(escape(p) if i % 2 == 0 else f"\\fB{escape(p)}\\fR" for i, p in enumerate(parts))


def _lines(*chunks: str) -> str:
    """Join roff lines; a text line that starts with . or ' is protected with \\&."""
    out = []
    for chunk in chunks:
        for line in chunk.split("\n"):
            out.append("\\&" + line if line[:1] in (".", "'") and not _is_request(line) else line)
    return "\n".join(out)


def _is_request(line: str) -> bool:
    return bool(re.match(r"\.(TH|SH|SS|PP|TP|RS|RE|nf|fi|B|I|BR|IR|br|sp|ad|nh|hy)\b", line))


def paragraphs(help_text: str) -> str:
    """A docstring → roff paragraphs. A `\\b` paragraph (click's no-rewrap marker) or an indented one
    stays as it is, in a literal block."""
    out = []
    for para in re.split(r"\n\s*\n", help_text.strip()):
        lines = para.split("\n")
        if lines[0].strip() == "\b" or all(line.startswith("    ") for line in lines):
            literal = [line for line in lines if line.strip() != "\b"]
            out.append(_literal("\n".join(literal)))
        else:
            out.append(".PP\n" + inline(" ".join(line.strip() for line in lines)))
    return "\n".join(out)


LITERAL_WIDTH = 80 - 7 - 2  # a page 80 columns wide, less man's indent and the block's own


def _literal(text: str) -> str:
    import textwrap

    lines = [part for line in textwrap.dedent(text).split("\n") for part in _fit(line)]
    body = "\n".join(escape(line) if line.strip() else "" for line in lines)
    return f".PP\n.RS 2\n.nf\n{body}\n.fi\n.RE"


def _fit(line: str, width: int = LITERAL_WIDTH) -> list[str]:
    """A literal line that fits the page: the padding before an aligned `# comment` squeezed, then a shell
    example (`$ …`) continued on the next line with a backslash at a space outside quotes (still a command
    that runs when pasted)."""
    if len(line) <= width:
        return [line]
    line = re.sub(r"(\S) {3,}(# )", r"\1  \2", line)
    if len(line) <= width or not line.lstrip().startswith("$ "):
        return [line]
    indent = " " * (len(line) - len(line.lstrip()) + 4)
    parts, rest = [], line
    while len(rest) > width:
        quote, spaces = "", []
        for i, ch in enumerate(rest[: width - 1]):
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "'\"":
                quote = ch
            elif ch == " " and i > len(indent):
                spaces.append(i)
        if not spaces:
            break
        parts.append(rest[: spaces[-1]] + " \\")
        rest = indent + rest[spaces[-1] + 1 :]
    return parts + [rest]


# -- pieces ------------------------------------------------------------------------------------


def _synopsis_line(cmd: Command, words: list[str]) -> str:
    rendered = []
    for word in words:
        optional = word.startswith("[") and word.endswith("]")
        core = word[1:-1] if optional else word
        core = f"\\fI{escape(core.rstrip('.'))}\\fR" + ("..." if core.endswith("...") else "")
        rendered.append(f"[{core}]" if optional else core)
    return f"\\fB{escape(cmd.name)}\\fR " + " ".join(rendered)


def _synopsis(cmd: Command) -> str:
    """One line per way to call the command: itself (when it runs on its own), then each subcommand."""
    lines = []
    for node in cmd.walk():
        if node.subcommands and not _runs_alone(node):
            continue
        words = [w for w in node.synopsis() if w != "COMMAND"] if node.subcommands else node.synopsis()
        lines.append(_synopsis_line(node, words))
    return ".SH SYNOPSIS\n" + "\n.br\n".join(lines)


def _runs_alone(cmd: Command) -> bool:
    """A group with options of its own beyond --help does something when called alone (`nemo auth`)."""
    return any(not p.is_help for p in cmd.params)


def _param_entry(param: Param) -> str:
    if param.is_option:
        names = ", ".join(f"\\fB{escape(n)}\\fR" for n in param.opts)
        if param.takes_value:
            names += f" \\fI{escape(param.metavar)}\\fR" + ("..." if param.variadic else "")
        if param.secondary_opts:
            names += " | " + ", ".join(f"\\fB{escape(n)}\\fR" for n in param.secondary_opts)
    else:
        names = f"\\fI{escape(param.metavar)}\\fR" + ("..." if param.variadic else "")
    return f".TP\n{names}\n{inline(' '.join(param.help.split()) or '(no description)')}"


def _params(cmd: Command, with_help: bool = False) -> str:
    return "\n".join(_param_entry(p) for p in cmd.arguments + cmd.options if with_help or not p.is_help)


def _environment() -> str:
    entries = [f".TP\n.B {escape(name)}\n{inline(text)}" for name, text in facts.environment()]
    intro = (
        ".PP\nSettings are resolved in this order: command-line flag, environment variable, "
        "the store (\\fBnemo config set\\fR), built-in default. An empty variable counts as unset."
    )
    return ".SH ENVIRONMENT\n" + intro + "\n" + "\n".join(entries)


def _files() -> str:
    entries = [f".TP\n.I {escape(path)}\n{inline(text)}" for path, text in facts.store_files()]
    return ".SH FILES\n" + "\n".join(entries)


def _exit_status() -> str:
    entries = [f".TP\n.B {code}\n{escape(name)}: {inline(text)}" for code, name, text in facts.EXIT_CODES]
    intro = ".PP\nEvery failure prints one \\fBerror:\\fR line (and often a \\fBhint:\\fR line) on standard error."
    return ".SH EXIT STATUS\n" + intro + "\n" + "\n".join(entries)


def _examples(examples: list[tuple[str, str]]) -> str:
    body = [f".PP\n{inline(text)}\n{_literal(code)}" for text, code in examples]
    return ".SH EXAMPLES\n" + "\n".join(body)


def examples_for(cmd: Command) -> list[tuple[str, str]]:
    """The curated examples of a page, else the `nemo …` snippets its help text quotes, else --help."""
    key = cmd.path[0] if cmd.path else ""
    if facts.EXAMPLES.get(key):
        return facts.EXAMPLES[key]
    quoted = []
    for node in cmd.walk():
        for snippet in re.findall(r"`([^`]*\bnemo [^`]+)`", node.help):
            quoted.append((f"From {node.name}:", snippet))
    return quoted or [("Show every option:", f"{cmd.name} --help")]


def _header(name: str, summary: str) -> str:
    title = name.upper()
    return _lines(
        f'.TH {escape(title)} 1 "" "nemo" "User Commands"',
        ".ad l\n.nh",  # ragged right, no hyphens: ids and options stay whole for copying
        ".SH NAME",
        f"{escape(name)} \\- {inline(summary.rstrip('.'))}",
    )


def _see_also(names: list[str]) -> str:
    return ".SH SEE ALSO\n" + ",\n".join(f"\\fB{escape(n)}\\fR(1)" for n in names)


# -- pages -------------------------------------------------------------------------------------

_OUTPUT = """.SH OUTPUT
.PP
Standard output carries data only: the result of the command, an id, a path, a document.
Everything meant for people (progress, notices, warnings, errors, hints) goes to standard error, so
\\fB$(nemo ...)\\fR and pipes see nothing but the data.
.PP
\\fB\\-\\-json\\fR prints one JSON document (NDJSON, one object a line, for streams).
\\fB\\-q\\fR, \\fB\\-\\-quiet\\fR prints only the one value a script wants: an id, a path, a number.
Colour, spinners and progress bars appear only on a terminal, and never with \\fB\\-\\-no\\-color\\fR or
\\fBNO_COLOR\\fR."""


def _root_page(tree: Command) -> str:
    commands = "\n".join(f".TP\n\\fB{escape(page_name(c))}\\fR(1)\n{inline(c.short_help)}" for c in tree.subcommands)
    return _lines(
        _header("nemo", tree.short_help),
        ".SH SYNOPSIS",
        "\\fBnemo\\fR [\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...",
        ".SH DESCRIPTION",
        paragraphs(tree.help),
        ".SH COMMANDS",
        commands,
        ".SH OPTIONS",
        ".PP\nThe global options (all but \\fB\\-V\\fR and \\fB\\-h\\fR) go anywhere on the line, before or after "
        "the command (not after \\fB\\-\\-\\fR): \\fBnemo credits \\-\\-debug\\fR is \\fBnemo \\-\\-debug credits\\fR.",
        _params(tree, with_help=True),
        _OUTPUT,
        _environment(),
        _files(),
        _exit_status(),
        _examples(examples_for(tree)),
        _see_also([page_name(c) for c in tree.subcommands]),
    ) + "\n"


def _command_page(cmd: Command, tree: Command) -> str:
    nodes = [n for n in cmd.walk() if not n.subcommands or _runs_alone(n)]
    description = [paragraphs(cmd.help)]
    options = []
    for node in nodes:
        if len(nodes) > 1 or node is not cmd:
            description.append(f".SS {escape(node.name)}")
            options.append(f".SS {escape(node.name)}")
        if node is not cmd:
            description.append(paragraphs(node.help))
        elif node.own_help:
            description.append(".PP\nWith no subcommand:\n" + paragraphs(node.own_help))
        options.append(_params(node))
    global_note = ".PP\nEvery command also takes \\fB\\-h\\fR, \\fB\\-\\-help\\fR. The global options (" + ", ".join(
        f"\\fB{escape(p.opts[-1])}\\fR" for p in tree.global_options
    ) + ") go anywhere on the line; see \\fBnemo\\fR(1)."
    return _lines(
        _header(page_name(cmd), cmd.short_help),
        _synopsis(cmd),
        ".SH DESCRIPTION",
        *description,
        ".SH OPTIONS",
        *options,
        global_note,
        _environment(),
        _files(),
        _exit_status(),
        _examples(examples_for(cmd)),
        _see_also(["nemo"]),
    ) + "\n"
