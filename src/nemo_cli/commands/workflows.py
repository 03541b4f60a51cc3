"""The advertised workflows as checked commands: `trim`, `grade`, `film`, `demo-clip`.

Each one validates its parameters before a credit is spent (nemo_cli.flows.workflows), composes one
precise instruction, sends it through the same flow as `nemo edit`, then checks the new state and warns when
the change it asked for is not visible. `--dry-run` prints the instruction and sends nothing. A question
from the service ends the command with exit 13 (or is answered with `--answer`), and `--expect-change`
exits 14 when the timeline did not change at all, as for `nemo edit`.
"""

from __future__ import annotations

from typing import Annotated, Any, Callable, Optional

import typer

from nemo_cli.commands import common
from nemo_cli.commands.json_options import Jq, JsonFields

DryRun = Annotated[bool, typer.Option("--dry-run", help="Print the instruction and send nothing.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show tool calls and results on stderr.")]
Timeout = Annotated[
    Optional[float], typer.Option("--timeout", metavar="SECONDS", help="Give up after this long (default: config edit.timeout).")
]


def _run(
    workflow: str,
    build: Callable[[Any], Any],
    *,
    dry_run: bool,
    session: str | None,
    verbose: bool,
    timeout: float | None,
    json: bool,
    quiet: bool,
    answer: list[str] | None = None,
    expect_change: bool = False,
) -> None:
    """Flags → the workflow flow → output: the one path every recipe command takes."""
    from nemo_cli.commands import edit_view
    from nemo_cli.errors import NemoError
    from nemo_cli.flows import workflows

    ctx = common.use(json=json, quiet=quiet, skill_source=workflow)
    if dry_run:
        try:
            sid = ctx.sessions.resolve(session)
        except NemoError:
            sid = None  # a dry run needs no session: it only loses the checks against the media's length
        recipe, _ = workflows.prepare(ctx, sid, build, dry_run=True)
        ctx.out.result({"workflow": recipe.workflow, "instruction": recipe.instruction, "sent": False}, recipe.instruction, quiet=recipe.instruction)
        return
    outcome = workflows.run(ctx, ctx.sessions.resolve(session), build, edit_view.EditView(ctx.out, verbose),
                            answer=list(answer or []), expect_change=expect_change, timeout=timeout)
    edit_view.finish(ctx.out, outcome)


def trim(
    remove: Annotated[
        Optional[list[str]],
        typer.Option("--remove", "-r", metavar="START-END", help="A range to cut out and join around (repeatable), e.g. 0:45-1:20."),
    ] = None,
    keep: Annotated[
        Optional[str], typer.Option("--keep", "-k", metavar="START-END", help="Keep only this range, e.g. 0:30-1:45.")
    ] = None,
    dry_run: DryRun = False,
    session: common.SessionOpt = None,
    verbose: Verbose = False,
    timeout: Timeout = None,
    answer: common.Answer = None,
    expect_change: common.ExpectChange = False,
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Cut sections out and join the rest, or keep one section (workflow: video-trimmer-in-between).

    Timestamps are SS, MM:SS or HH:MM:SS with optional .mmm. Ranges are sorted; overlapping, empty and
    past-the-end ranges are refused before anything is sent. Afterwards the new duration is checked.
    -q prints only what changed in the timeline, one line per change (--dry-run -q: the instruction).

    \b
    Examples:
      $ nemo trim --remove 0:02-0:04
      $ nemo trim --remove 0:01-0:02 --remove 0:05-0:06
      $ nemo trim --keep 0:01-0:06 --dry-run
    """
    from nemo_cli.flows import workflows

    _run(
        "video-trimmer-in-between",
        lambda media_ms: workflows.trim(remove or [], keep, media_ms),
        dry_run=dry_run, session=session, verbose=verbose, timeout=timeout, json=json, quiet=quiet,
        answer=answer, expect_change=expect_change,
    )


def _signed(name: str, help: str) -> Any:
    return Annotated[Optional[float], typer.Option(f"--{name}", metavar="±N", help=help)]


def grade(
    look: Annotated[Optional[str], typer.Option("--look", metavar="NAME", help="A look: natural, cinematic, warm, cool, vintage, moody, vibrant, black-and-white, teal-orange, film.")] = None,
    exposure: _signed("exposure", "Exposure in EV, -5 to +5.") = None,
    contrast: _signed("contrast", "Contrast, -100 to +100.") = None,
    saturation: _signed("saturation", "Saturation, -100 to +100.") = None,
    temperature: _signed("temperature", "Colour temperature, -100 (cool) to +100 (warm).") = None,
    highlights: _signed("highlights", "Highlights, -100 to +100.") = None,
    shadows: _signed("shadows", "Shadows, -100 to +100.") = None,
    dry_run: DryRun = False,
    session: common.SessionOpt = None,
    verbose: Verbose = False,
    timeout: Timeout = None,
    answer: common.Answer = None,
    expect_change: common.ExpectChange = False,
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Lightroom-style colour grading across the clip (workflow: video-editing-with-lightroom).

    -q prints only what changed in the timeline, one line per change.

    \b
    Examples:
      $ nemo grade --look cinematic --exposure +0.3 --contrast 15
      $ nemo grade --saturation -10 --temperature 20 --dry-run
    """
    from nemo_cli.flows import workflows

    adjustments = {
        "exposure": exposure, "contrast": contrast, "saturation": saturation,
        "temperature": temperature, "highlights": highlights, "shadows": shadows,
    }
    _run(
        "video-editing-with-lightroom",
        lambda media_ms: workflows.grade(look, adjustments),
        dry_run=dry_run, session=session, verbose=verbose, timeout=timeout, json=json, quiet=quiet,
        answer=answer, expect_change=expect_change,
    )


def film(
    best_takes: Annotated[bool, typer.Option("--best-takes", help="Cut the best takes.")] = False,
    transitions: Annotated[Optional[str], typer.Option("--transitions", metavar="STYLE", help="crossfade, fade, dissolve, wipe, slide, zoom or cut.")] = None,
    music: Annotated[Optional[str], typer.Option("--music", metavar="STYLE", help="Background music style, e.g. upbeat, lo-fi, cinematic.")] = None,
    music_volume: Annotated[Optional[int], typer.Option("--music-volume", metavar="PCT", help="Music volume, 0-100 percent.")] = None,
    dry_run: DryRun = False,
    session: common.SessionOpt = None,
    verbose: Verbose = False,
    timeout: Timeout = None,
    answer: common.Answer = None,
    expect_change: common.ExpectChange = False,
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Cut raw footage into a film: best takes, transitions, music (workflow: film-maker).

    -q prints only what changed in the timeline, one line per change.

    \b
    Examples:
      $ nemo film --best-takes --transitions crossfade
      $ nemo film --music upbeat --music-volume 30 -q
    """
    from nemo_cli.flows import workflows

    _run(
        "film-maker",
        lambda media_ms: workflows.film(best_takes, transitions, music, music_volume),
        dry_run=dry_run, session=session, verbose=verbose, timeout=timeout, json=json, quiet=quiet,
        answer=answer, expect_change=expect_change,
    )


def demo_clip(
    length: Annotated[float, typer.Option("--length", metavar="SECONDS", help="Length of the clip in seconds.")] = 60,
    music: Annotated[Optional[str], typer.Option("--music", metavar="STYLE", help="Background music style.")] = None,
    title: Annotated[Optional[str], typer.Option("--title", metavar="TEXT", help="A title over the opening.")] = None,
    dry_run: DryRun = False,
    session: common.SessionOpt = None,
    verbose: Verbose = False,
    timeout: Timeout = None,
    answer: common.Answer = None,
    expect_change: common.ExpectChange = False,
    json: common.Json = False,
    json_fields: JsonFields = None,
    jq: Jq = None,
    quiet: common.Quiet = False,
) -> None:
    """Compile the best moments into a short demo clip (workflow: demo-clip-maker).

    -q prints only what changed in the timeline, one line per change.

    \b
    Examples:
      $ nemo demo-clip --length 5 --music lo-fi --title "Product tour"
      $ nemo demo-clip --length 5 --dry-run
    """
    from nemo_cli.flows import workflows

    _run(
        "demo-clip-maker",
        lambda media_ms: workflows.demo_clip(length, music, title),
        dry_run=dry_run, session=session, verbose=verbose, timeout=timeout, json=json, quiet=quiet,
        answer=answer, expect_change=expect_change,
    )


def register(app: typer.Typer) -> None:
    app.command("trim")(trim)
    app.command("grade")(grade)
    app.command("film")(film)
    app.command("demo-clip")(demo_clip)
