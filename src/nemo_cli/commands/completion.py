"""`nemo completion [SHELL]`: print or install the completion script; and the hidden helper the scripts
call for values that live in the store (`nemo __complete KIND`)."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from nemo_cli.commands import common

if TYPE_CHECKING:
    from nemo_cli.context import Context


class Shell(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion(
    shell: Annotated[
        Optional[Shell],
        typer.Argument(metavar="SHELL", help="bash, zsh or fish (default: the shell $SHELL names).", show_default=False),
    ] = None,
    install: Annotated[
        bool, typer.Option("--install", help="Write the script where SHELL loads it from (and say where) instead of printing it.")
    ] = False,
    rc: Annotated[
        bool,
        typer.Option("--rc", help="With --install: also add the lines SHELL needs to ~/.bashrc or ~/.zshrc, once (fish needs none)."),
    ] = False,
    json: common.Json = False,
    quiet: common.Quiet = False,
) -> None:
    """Print the completion script for SHELL, or install it: commands, options, session and render ids,
    media files.

    --install writes it where the shell looks: bash-completion's directory
    (~/.local/share/bash-completion/completions/nemo), ~/.zfunc/_nemo for zsh (which must be on $fpath:
    the command prints the line to add), ~/.config/fish/completions/nemo.fish. Nothing else is changed
    unless --rc is given; then the lines the shell needs are appended to its rc file, once.

    \b
    Examples:
      $ nemo completion --install bash
      $ nemo completion --install zsh --rc
      $ source <(nemo completion bash)
    """
    from nemo_cli.completion import model, scripts
    from nemo_cli.commands.tree import root_command
    from nemo_cli.errors import UsageError

    ctx = common.use(json=json, quiet=quiet)
    name = shell.value if shell is not None else _login_shell()
    if rc and not install:
        raise UsageError("--rc goes with --install", hint=f"nemo completion --install {name} --rc")
    script = scripts.render(name, model.from_click(root_command()))  # the whole tree, whatever this run built
    if install:
        _install(ctx, name, script, rc)
    else:
        ctx.out.chunk(script)


def _install(ctx: "Context", shell: str, script: str, rc: bool) -> None:
    from nemo_cli.completion import install
    from nemo_cli.errors import BadInput

    where = install.target(shell)
    try:
        install.write_script(where, script)
        changed = install.add_to_rc(where) if rc and where.rc is not None else False
    except OSError as exc:
        failed = exc.filename or where.path
        raise BadInput(f"cannot write {failed}: {exc.strerror or exc}") from None
    lines = [f"wrote the {shell} completion to {where.path}"]
    if rc and where.rc is not None:
        lines.append(f"{'added its lines to' if changed else 'already loaded by'} {where.rc}")
    doc = {"shell": shell, "path": str(where.path), "rc": str(where.rc) if rc and where.rc else None, "rc_changed": changed}
    out = ctx.out
    out.result(doc, lines, quiet=str(where.path))
    if rc and where.rc is not None:
        out.info(f"it works in new {shell} shells (or now: source {where.rc})")
    elif where.rc_lines:
        out.info(f"{where.loads}; otherwise add to {where.rc}:")
        for line in where.rc_lines:
            out.info(f"  {line}")
        out.info(f"(or run `nemo completion --install {shell} --rc` to add them)")
    else:
        out.info(f"{where.loads}")


def _login_shell() -> str:
    """bash, zsh or fish, from $SHELL; else a usage error that asks for it."""
    import os

    from nemo_cli.errors import UsageError

    found = os.path.basename(os.environ.get("SHELL", "").rstrip("/"))
    if found in Shell.__members__:
        return found
    said = f"$SHELL is {os.environ['SHELL']!r}" if os.environ.get("SHELL") else "$SHELL is not set"
    raise UsageError(f"say which shell: {said}", hint="nemo completion bash, zsh or fish")


def stored_values(
    kind: Annotated[str, typer.Argument()],
    profile: Annotated[Optional[str], typer.Option("--profile", "-p")] = None,
) -> None:
    """Completion candidates from the store (sessions, renders, profiles), one `value<TAB>note` a line."""
    from nemo_cli.completion import stored

    ctx = common.use()
    ctx.out.chunk(stored.lines(kind, profile or ctx.profile_name))


def register(app: typer.Typer) -> None:
    app.command("completion")(completion)
    app.command("__complete", hidden=True)(stored_values)
