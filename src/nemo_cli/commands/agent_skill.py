"""`nemo agent-skill`: a skill file (Markdown with name/description front matter) that teaches an AI agent
using a shell to drive nemo: the rules, a worked pipeline, every command from the command tree, the exit
codes (errors.EXIT_CODES) and the JSON keys. The checkout's SKILL.md is this output (the docs generator
writes it; the drift test compares).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from nemo_cli.commands import common

if TYPE_CHECKING:
    from nemo_cli.completion.model import Command

DESCRIPTION = (
    "Edit videos with NemoVideo from the shell using the `nemo` CLI: upload local footage or URLs, describe "
    "edits in plain words (trim, titles, music, colour, transitions), and export the result to an MP4. Use "
    "when a task asks to cut, trim, grade, caption, score or otherwise edit a video file."
)

RULES = """\
- stdout is data, stderr is for people. Use `-q` for the one value that matters (an id, a path) and
  `--json` (or `--json-fields a,b`) for records; never parse the human text.
- A message is sent once. After a dropped connection, a timeout (exit 9 or 10) or an interruption, do
  not send the same `nemo edit` again: it would run, and be charged, twice. Look with `nemo state` first;
  nemo itself never re-sends and watches the state after a drop.
- Exit 13 means the service asked a question (printed with numbered options). Answer it with the next
  message: `nemo edit "2"` or `nemo edit "Calm piano"` (or give `--answer first` up front).
- A render is never started twice: if `nemo export --wait` is interrupted or times out, resume with
  `nemo export wait RENDER_ID -o out.mp4` (the id is in the hint and in `nemo export list`).
- Check before spending: `nemo credits -q` (a generation costs about 100 credits, an edit about 50; an
  export is free), and `nemo state --check-ready` before exporting.
- Relative paths are relative to the current directory; `nemo upload` checks every file (type, size)
  before a byte is sent. Exit codes, not messages, tell what went wrong (table below).
- An agent that speaks the Model Context Protocol can use `nemo mcp` instead: the same verbs as tools."""

PIPELINE = """\
```sh
nemo auth                                   # a token (an anonymous one is acquired when needed)
sid=$(nemo session new -q --name promo)     # a session; it becomes the active one
nemo upload raw.mp4                         # local files (or --url URL)
nemo edit "remove the section between 0:45 and 1:20 and add a title 'Launch'"
case $? in
  0) ;;                                     # done: the reply and what changed are on stdout
  13) nemo edit "1" ;;                      # a question: answer with an option's number or label
  9|10) nemo state ;;                       # dropped or timed out: look, do not send it again
  *) exit 1 ;;
esac
nemo state --check-ready && nemo export --wait -o out.mp4 --json --json-fields render_id,path,sha256
```"""

# The keys of each command's --json, as the README's "JSON output" section tells them in full.
JSON_KEYS: list[tuple[str, str]] = [
    ("nemo auth, auth status", "logged_in, kind, source, token (masked), expires_at, user_id, api_url, credits"),
    ("nemo session new / list / show / use", "session_id, active, task_id, name, language, created, user_id"),
    ("nemo session open", "session_id, url (a claim-token link), expires_in"),
    ("nemo upload", "session_id, files (filename, file_type, cdn_url, duration, width, height, fps), session_state_applied, failed"),
    ("nemo edit, trim, grade, film, demo-clip", "NDJSON events: text, tool_call, tool_result, question, state_change, done (outcome, text, changes, hints, summary, cost, seconds)"),
    ("nemo state", "the service's state: draft, video_infos, generated_media, canvas_config (`--draft`: the draft only)"),
    ("nemo credits", "available, frozen, total"),
    ("nemo export and export list / status / wait / download / cancel",
     "render_id, session_id, status, progress, url, error, created, path, bytes, sha256, seconds, link, video, mismatch"),
    ("nemo batch", "plan, results, jobs (index, name, status, session_id, render_id, output, exit_code, error, hint…), done, failed…"),
    ("nemo config get / list", "key, value, origin, env, help"),
]


SHARED = ("json", "json_fields", "jq", "quiet")  # the output options most commands take, told once


def render(tree: "Command") -> str:
    """The skill file for this command tree."""
    from nemo_cli.errors import EXIT_CODES

    parts = [
        "---",
        "name: nemo",
        f"description: {DESCRIPTION}",
        "---",
        "",
        "# nemo: edit videos with NemoVideo from the shell",
        "",
        tree.help.split("\n\n")[0],
        "",
        "## Rules",
        "",
        RULES,
        "",
        "## A worked pipeline",
        "",
        PIPELINE,
        "",
        "## Commands",
        "",
        "Global options go anywhere on the line: " + ", ".join(
            f"`{' '.join(p.opts)}{' ' + p.metavar if p.metavar else ''}`" for p in tree.global_options) + ". "
        "Most commands also take `--json` (one JSON document; NDJSON for streams), `--json-fields a,b` (only "
        "those keys), `--jq EXPR` and `-q` (only the essential value): listed as *output* below.",
        "",
    ]
    for cmd in list(tree.walk())[1:]:
        if cmd.subcommands and not cmd.own_help:
            parts += [f"### {cmd.name}", "", _first_paragraph(cmd.help), ""]
            continue
        usage = " ".join([cmd.name, *cmd.synopsis()])
        parts += [f"### {cmd.name}", "", f"`{usage}`: {_first_paragraph(cmd.help)}", ""]
        rows = [p for p in cmd.params if not p.is_help and not p.is_global and p.name not in SHARED]
        for p in rows:
            name = " ".join(p.names) if p.is_option else p.metavar
            value = f" {p.metavar}" if p.is_option and p.takes_value else ""
            parts.append(f"- `{name}{value}`: {_one_line(p.help)}")
        shared = [f"`{p.names[-1]}`" for p in cmd.params if p.name in SHARED]
        if shared:
            parts.append(f"- *output*: {', '.join(shared)}")
        if rows or shared:
            parts.append("")
    parts += ["## Exit codes", "", "| code | name | meaning |", "|---|---|---|"]
    parts += [f"| {code} | {name} | {text} |" for code, name, text in EXIT_CODES]
    parts += ["", "## JSON keys", "", "| command | keys of `--json` |", "|---|---|"]
    parts += [f"| {where} | {keys} |" for where, keys in JSON_KEYS]
    return "\n".join(parts).rstrip() + "\n"


def _first_paragraph(text: str) -> str:
    return _one_line(text.split("\n\n")[0])


def _one_line(text: str) -> str:
    return " ".join(text.split())


def agent_skill() -> None:
    """Print a skill file that teaches an AI agent to use nemo from a shell.

    Markdown with `name` and `description` front matter, generated from the command tree: the rules (never
    send a message again after a disconnect; answer a question with the next `nemo edit`), a worked
    pipeline, every command and option, the exit codes and the JSON keys. Save it where your agent looks
    for skills.

    \b
    Examples:
      $ nemo agent-skill > SKILL.md
      $ nemo agent-skill | head -4
    """
    from nemo_cli.commands.tree import root_command
    from nemo_cli.completion.model import from_click

    ctx = common.use()
    ctx.out.chunk(render(from_click(root_command())))  # the whole tree, whatever this run built


class _Command(common.NemoCommand):
    """The "Learn more" pointer kept on one line: this page's name is long enough that wrapping it at the
    help's width would split the sentence every help ends with."""

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        with formatter.section("Learn more"):
            formatter.write(" " * formatter.current_indent
                            + f"`man {common.man_page(ctx)}`: every option, the environment, exit codes and examples.\n")


def register(app: typer.Typer) -> None:
    app.command("agent-skill", cls=_Command)(agent_skill)
