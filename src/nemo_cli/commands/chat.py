"""`nemo chat`: the iterative workflow as a conversation — rough cut, look, refine.

Each line is routed by the contract's table and planned into steps, each a verb with its values
(nemo_cli.flows.chat): an export in chat is the render flow's export to `.`, an edit is the edit flow
followed by the session's state. The steps' flows are called in-process and shown by the views their
one-shot commands use (commands/chat_view.py), so each action prints, fails and exits as `nemo export -o .`
or `nemo edit "…"` does on its own, and its Ctrl-C handling (stop waiting, say how to pick it up again) is
what returns chat to the prompt. This module owns the rest: reading lines, the prompt, its history, the
question asked in place, the exit code of a script of turns and each turn's --json record.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, Iterator, Optional

import typer

from nemo_cli.commands import common
from nemo_cli.commands.json_options import Jq, JsonFields

if TYPE_CHECKING:
    from nemo_cli.context import Context
    from nemo_cli.flows.chat import Step, Turn
    from nemo_cli.output import Output

PROMPT = "nemo> "
HISTORY_LINES = 1000
LEAVE = ("exit", "quit", "bye", ":q", "退出")
HELP = ("help", "?", "帮助")
HELP_LINES = [
    "Type what you want; each line is one turn:",
    "  export [1080p|720p] [to PATH]   render and download (导出, download, send me the video)",
    "  credits                         the balance (积分, balance, 余额)",
    "  status                          the track summary (状态, show tracks)",
    "  upload FILE… or just a path     upload media into the session (上传)",
    "  anything else                   an edit, sent to the service and streamed",
    "Ctrl-C cancels the current wait; Ctrl-D (or `exit`) leaves.",
]


def chat(
    typer_ctx: typer.Context,
    line: Annotated[
        Optional[str],
        typer.Argument(metavar="LINE", help="Route this one line, carry it out and exit with its exit code.", show_default=False),
    ] = None,
    answer: common.Answer = None,
    expect_change: Annotated[
        bool, typer.Option("--expect-change", help="An edit that leaves the timeline as it was fails its turn with exit 14.")
    ] = False,
    session: common.SessionOpt = None,
    json: Annotated[bool, typer.Option("--json", help="Print one NDJSON record per turn on stdout.")] = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Talk to the editor: each line is an edit, or export / credits / status / upload.

    Lines are routed like the service's own agent does, on English and Chinese keywords: export,
    download → `nemo export -o .` (a render-named MP4 here, or the path the line names: "export 1080p to
    cut.mp4"); credits, balance → `nemo credits`; status, show tracks → `nemo state`; upload or the path
    of a media file → `nemo upload`; anything else is an edit, streamed, followed by the track summary. A session is started when an upload or edit needs one and none is in effect.

    On a terminal: a prompt with line editing and history (kept next to the store), Ctrl-C cancels the
    current wait, Ctrl-D leaves. With stdin not a terminal each input line is one turn, and the exit code
    is the first failing turn's (0 if none failed). With LINE, that one line is carried out.

    When the service asks a question instead of editing, its options are listed with numbers; on a
    terminal the answer is asked for in place (a number, an option's label or your own words; Enter
    skips). Elsewhere the question ends the turn with exit 13 and the next line, if it is an edit, is the
    answer (then the question does not count as a failure); --answer answers it up front.

    \b
    Examples:
      $ nemo chat
      $ nemo chat "export 1080p mp4"
      $ nemo chat "add background music" --answer first --expect-change
      $ printf 'upload raw.mp4\\nadd title "Hi"\\nexport to hi.mp4\\n' | nemo chat
      $ nemo chat credits --json-fields exit_code,commands
    """
    from nemo_cli.errors import Question

    ctx = common.use(json=json, quiet=quiet)
    talk = Conversation(ctx, typer_ctx, session=session, json=ctx.out.json_mode, quiet=quiet,
                        answers=tuple(answer or ()), expect_change=expect_change)
    if line is not None:
        raise typer.Exit(talk.turn(line))
    if ctx.terminal.can_prompt:
        _interactive(ctx, talk)
        return
    first_failure = 0
    asked = 0  # a question's exit code, held until the next turn shows whether it answers it
    for raw in sys.stdin:
        text = raw.strip()
        if text.lower() in LEAVE:
            break
        if not text or text.startswith("#"):
            continue  # blank lines and comments in a script of turns
        code = talk.turn(text)
        if code == 130:  # Ctrl-C: without a prompt to return to, it ends the script of turns
            raise typer.Exit(130)
        if asked and talk.last_action != "edit":
            first_failure = first_failure or asked  # the question was left unanswered
        asked = 0
        if code == Question.exit_code:
            asked = code
        else:
            first_failure = first_failure or code
    raise typer.Exit(first_failure or asked)


class Conversation:
    """Carries out turns: plans a line into steps (nemo_cli.flows.chat), starts a session when one is
    needed, calls each step's flow in-process and shows it as its one-shot command would
    (commands/chat_view.py), and (with --json) makes one NDJSON record of the turn."""

    def __init__(self, ctx: "Context", typer_ctx: typer.Context, *, session: str | None, json: bool, quiet: bool,
                 answers: tuple[str, ...] = (), expect_change: bool = False) -> None:
        from nemo_cli.options import Globals

        self.ctx = ctx
        self.session = session
        self.json = json
        self.quiet = quiet
        self.answers = answers
        self.expect_change = expect_change
        self.count = 0
        self.last_action: str | None = None  # the action of the last turn (None: it was refused)
        self.question: dict[str, Any] | None = None  # what the service asked in the last turn, if it is waiting
        self._flags = Globals.from_params(typer_ctx.find_root().params).as_dict()  # for the hints of errors

    def turn(self, line: str, *, answer: bool = False) -> int:
        """One line, start to end; returns its exit code (0, or the first failing step's). `answer`:
        the line answers the service's question (an edit, whatever its words)."""
        from nemo_cli.errors import NemoError
        from nemo_cli.flows import chat as flow

        self.count += 1
        self.last_action = None
        self.question = None
        text = line.strip()
        if text.lower() in HELP and not answer:
            for help_line in HELP_LINES:
                self.ctx.out.info(help_line)
            return 0
        try:
            turn = flow.plan(text, session=self.session, json=self.json, quiet=self.quiet,
                             answers=self.answers, expect_change=self.expect_change, answer=answer)
        except NemoError as exc:
            self.ctx.out.error(exc.message, exc.hint)
            self._record(text, None, exc.exit_code, [], exc.message)
            return exc.exit_code
        self.last_action = turn.route.action
        if turn.needs_session and self.current_session() is None:
            turn.start_session(_session_name())
        results: list[dict[str, Any]] = []
        code, error = 0, None
        for step, argv in zip(turn.steps, turn.commands):
            code, docs, error = self._step(step)
            results.append({"argv": argv, "exit_code": code, "output": docs})
            if code:
                break
        self._record(text, turn, code, results, error)
        return code

    # -- the pieces --------------------------------------------------------------------------------
    def current_session(self) -> str | None:
        """The session the next step acts on (--session, NEMO_SESSION, the active one), if any."""
        from nemo_cli.flows.chat import session_in_effect

        return session_in_effect(self.ctx, self.session)

    def _step(self, step: "Step") -> tuple[int, list[Any], str | None]:
        """Carry out one step as its command would run: (exit code, the documents it made with --json, its
        error). A failure is reported as `nemo` reports one (one error line and a hint) and ends the step
        only: Ctrl-C included, so chat goes on."""
        from nemo_cli.commands import chat_view

        out = chat_view.Kept(self.ctx.out) if self.json else self.ctx.out
        with _showing(self.ctx, out):
            code, error = self._run(step)
        return code, out.docs if isinstance(out, chat_view.Kept) else [], error

    def _run(self, step: "Step") -> tuple[int, str | None]:
        import os

        from nemo_cli.commands import chat_view
        from nemo_cli.errors import NemoError
        from nemo_cli.settings import point_at_source

        out = self.ctx.out
        try:
            result = chat_view.carry_out(self.ctx, step, self.session)
            self.question = chat_view.asked(result)
            chat_view.conclude(self.ctx, result)
            return 0, None
        except NemoError as exc:
            out.error(exc.message, exc.hint and point_at_source(exc.hint, flags=self._flags))
            return exc.exit_code, exc.message
        except KeyboardInterrupt:  # between the flow's own handlers: still just this step
            out.error("interrupted")
            return 130, "interrupted"
        except BrokenPipeError:  # the reader went away (`nemo chat … | head`): nothing worth a message
            common._silence_stdout()
            return 0, None
        except Exception as exc:  # as `nemo` reports a bug: one line, the traceback only with --debug
            if self.ctx.debug or os.environ.get("NEMO_DEBUG"):
                import traceback

                traceback.print_exc()
            message = f"internal error ({type(exc).__name__}: {exc})"
            out.error(message, "rerun with --debug for the details, and please report it")
            return 1, message

    def _record(self, line: str, turn: "Turn | None", code: int, results: list[dict[str, Any]], error: str | None) -> None:
        if self.json:
            self.ctx.out.ndjson(
                {
                    "turn": self.count,
                    "line": line,
                    "action": turn.route.action if turn else None,
                    "exit_code": code,
                    "error": error if code else None,
                    "commands": results,
                }
            )


@contextmanager
def _showing(ctx: "Context", out: "Output") -> Iterator[None]:
    """The step's output in place of chat's for the length of one step (a Kept one under --json)."""
    own, ctx.out = ctx.out, out
    try:
        yield
    finally:
        ctx.out = own


def _session_name() -> str:
    from nemo_cli.credentials import now_iso

    return f"nemo chat {now_iso()[:16].replace('T', ' ')}"


# -- the interactive prompt -------------------------------------------------------------------------


def _interactive(ctx: "Context", talk: Conversation) -> None:
    from nemo_cli.errors import Question

    history = _History(ctx.store.path.parent / "chat_history")
    where = talk.current_session()
    ctx.out.info(
        f"nemo chat — session {where}" if where else "nemo chat — no session yet: the first upload or edit starts one"
    )
    ctx.out.info("Type an edit, or export / credits / status / upload FILE; `help` lists them. Ctrl-D leaves.")
    while True:
        try:
            line = _read(ctx, PROMPT)
        except EOFError:
            ctx.out.info("")
            return
        except KeyboardInterrupt:  # Ctrl-C at the prompt drops the line, like a shell
            ctx.out.info("")
            continue
        text = line.strip()
        if not text:
            continue
        history.add(line)
        if text.lower() in LEAVE:
            return
        code = talk.turn(text)
        while code == Question.exit_code:  # asked in place: the answer is the next edit
            answer = _answer(ctx, talk)
            if answer is None:
                break
            history.add(answer)
            code = talk.turn(answer, answer=True)


def _answer(ctx: "Context", talk: Conversation) -> str | None:
    """Read the answer to the question the edit just printed; None (Enter, Ctrl-C, Ctrl-D) skips it, and
    the question stays open: the next edit line answers it."""
    question = talk.question
    count = len(question.get("options") or []) if isinstance(question, dict) else 0
    choices = f"1-{count}, a label or your own words" if count > 1 else "your answer"
    try:
        line = _read(ctx, f"answer ({choices}; Enter skips)> ")
    except (EOFError, KeyboardInterrupt):
        ctx.out.info("")
        line = ""
    if not line.strip():
        ctx.out.info("skipped: the question stays open; your next edit line answers it")
        return None
    return line.strip()


def _read(ctx: "Context", prompt: str) -> str:
    """A line from the terminal: with line editing when stdout is the terminal too (readline draws its
    prompt there); otherwise the prompt goes to stderr, keeping stdout for data."""
    if ctx.terminal.stdout_tty:
        return input(prompt)
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")


class _History:
    """Persisted line history via readline, appended line by line (a crash loses nothing; two chats at
    once both keep theirs), trimmed to the last HISTORY_LINES when it has grown to twice that."""

    def __init__(self, path: Any) -> None:
        self.path = path
        try:
            import readline
        except ImportError:  # no readline on this platform: no editing or history, still a prompt
            self.readline = None
            return
        self.readline = readline
        readline.set_history_length(HISTORY_LINES)
        try:
            if path.exists():
                readline.read_history_file(str(path))
                if _line_count(path) > 2 * HISTORY_LINES:
                    readline.write_history_file(str(path))
        except OSError:
            pass

    def add(self, line: str) -> None:
        """Keep a line: in memory (input() has already done that when readline drew the prompt) and on disk."""
        rl = self.readline
        if rl is None:
            return
        try:
            count = rl.get_current_history_length()
            if count == 0 or rl.get_history_item(count) != line:
                rl.add_history(line)
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.exists():
                self.path.touch(mode=0o600)
            rl.append_history_file(1, str(self.path))
        except (OSError, AttributeError):
            pass  # history is a convenience: never a reason to fail a turn


def _line_count(path: Any) -> int:
    try:
        with open(path, "rb") as fh:
            return sum(1 for _ in fh)
    except OSError:
        return 0


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)
