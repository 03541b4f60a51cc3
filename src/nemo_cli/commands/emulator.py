"""`nemo emulator`: a local NemoVideo API for tests and CI (`serve`, `exec`) and test clips (`media`).

The emulator (and starlette, uvicorn, imageio-ffmpeg) is imported only inside these commands, so no
other command ever loads it.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, List, Optional

import typer

from nemo_cli.commands import common

if TYPE_CHECKING:
    from nemo_cli.emulator.server import Emulator, Options

app = common.new_app(
    name="emulator",
    help=(
        "A local emulator of the NemoVideo API, for trying nemo and testing scripts without the service or "
        "credits. Needs the `nemo-cli[emulator]` extra.\n\n"
        "`nemo emulator exec -- ./my-pipeline.sh` runs a script against a fresh one; "
        "`nemo emulator serve` keeps one running.\n\n"
        "\b\nExamples:\n"
        "  $ nemo emulator exec -- sh -c 'nemo session new -q && nemo credits -q'\n"
        "  $ nemo emulator media clip.mp4 --seconds 3"
    ),
    no_args_is_help=True,
)


class RenderStatus(str, Enum):
    nested = "nested"
    top = "top"


class SseFlavor(str, Enum):
    adk = "adk"
    typed = "typed"


class DownloadFlavor(str, Enum):
    file = "file"
    json = "json"
    json_error = "json-error"
    html = "html"


Host = Annotated[str, typer.Option("--host", metavar="ADDR", help="Address to listen on.")]
Port = Annotated[int, typer.Option("--port", metavar="N", min=0, max=65535, help="API port (0: a free one).")]
CdnPort = Annotated[int, typer.Option("--cdn-port", metavar="N", min=0, max=65535, help="Port of the CDN origin that serves results (0: a free one).")]
RenderOpt = Annotated[RenderStatus, typer.Option("--render-status", help="Shape of render status replies: nested (data.status, data.outputUrl) or top (status, output.url).")]
SseOpt = Annotated[SseFlavor, typer.Option("--sse", help="Event shape of /run_sse: adk (Agent Development Kit) or typed.")]
DownloadOpt = Annotated[
    DownloadFlavor,
    typer.Option(
        "--download",
        help=(
            "How the download fallback (GET /api/render/proxy/ID/download) answers: file (the MP4), json (a "
            "signed CDN link in a JSON envelope), json-error (an error envelope with HTTP 200) or html (an HTML page)."
        ),
    ),
]
SilentRate = Annotated[float, typer.Option("--silent-rate", metavar="RATE", min=0, max=1, help="Share of edits that stream no text at all.")]
Seed = Annotated[int, typer.Option("--seed", metavar="N", help="Seed of silent edits and fault rates (same seed, same run).")]
EditSeconds = Annotated[float, typer.Option("--edit-seconds", metavar="S", min=0, help="How long the agent works on a message.")]
RenderSeconds = Annotated[float, typer.Option("--render-seconds", metavar="S", min=0, help="How long a render takes (at least).")]
KeepaliveSeconds = Annotated[float, typer.Option("--keepalive-seconds", metavar="S", min=0.01, help="Keep-alive interval of a /run_sse stream.")]
Credits = Annotated[int, typer.Option("--credits", metavar="N", min=0, help="Credits of each new user.")]
Faults = Annotated[
    Optional[List[str]],
    typer.Option(
        "--fault",
        metavar="KIND[:RATE]",
        help=(
            "Inject a fault into this share of the requests it applies to (repeatable): status, rate_limit, "
            "expire_token, drop, slow, malformed, sse_drop, cut, plan_limit, credits, code, render_fail. "
            "Parameters go after commas: `status,status=502:0.1`, `slow,delay=1,path=/run_sse:0.5`."
        ),
        show_default=False,
    ),
]
DataDir = Annotated[
    Optional[Path],
    typer.Option("--data-dir", metavar="DIR", help="Keep uploads and renders in DIR (default: a temporary directory, removed on exit).", show_default=False),
]
FreePlan = Annotated[bool, typer.Option("--free-plan", help="New users are on the free plan: renders are refused with HTTP 402.")]
TlsCert = Annotated[
    Optional[Path],
    typer.Option("--tls-cert", metavar="PEM", help="Serve both origins over https with this certificate (needs --tls-key); clients must trust its CA (SSL_CERT_FILE, ca_bundle).", show_default=False),
]
TlsKey = Annotated[Optional[Path], typer.Option("--tls-key", metavar="PEM", help="The private key of --tls-cert.", show_default=False)]


def _options(
    host: str,
    port: int,
    cdn_port: int,
    render_status: RenderStatus,
    sse: SseFlavor,
    silent_rate: float,
    seed: int,
    edit_seconds: float,
    render_seconds: float,
    keepalive_seconds: float,
    credits: int,
    faults: list[str] | None,
    data_dir: Path | None,
    free_plan: bool,
    log: Any = None,
    download: DownloadFlavor = DownloadFlavor.file,
) -> "Options":
    from nemo_cli.errors import BadInput, UsageError

    server, faults_mod = _emulator_modules()
    standing = []
    for text in faults or []:
        try:
            standing.append(faults_mod.parse_flag(text))
        except ValueError as exc:
            raise UsageError(f"--fault {exc}", hint="e.g. --fault status:0.1 or --fault sse_drop,after=2:0.5") from None
    if data_dir is not None:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BadInput(f"cannot use --data-dir {data_dir}: {exc.strerror}") from None
    return server.Options(
        render_flavor=render_status.value,
        sse_flavor=sse.value,
        silent_rate=silent_rate,
        seed=seed,
        edit_seconds=edit_seconds,
        render_seconds=render_seconds,
        keepalive_seconds=keepalive_seconds,
        credits=credits,
        data_dir=data_dir,
        host=host,
        port=port,
        cdn_port=cdn_port,
        faults=standing,
        free_plan=free_plan,
        log=log,
        download_flavor=download.value,
    )


def _emulator_modules() -> Any:
    """The emulator's modules, once the emulator extra is known to be installed (exit 12 if not)."""
    from nemo_cli import extras

    extras.require("emulator", "`nemo emulator`")
    from nemo_cli.emulator import faults, server

    return server, faults


def _tls_files(cert: Path | None, key: Path | None) -> tuple[Path | None, Path | None]:
    """--tls-cert and --tls-key: both or neither, each a readable PEM file."""
    import ssl

    from nemo_cli.errors import BadInput, UsageError

    if cert is None and key is None:
        return None, None
    if cert is None or key is None:
        raise UsageError("--tls-cert and --tls-key go together", hint="give both, or neither for plain http")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(str(cert), str(key))
    except (OSError, ssl.SSLError) as exc:
        reason = "not a PEM certificate and its private key" if isinstance(exc, ssl.SSLError) else (exc.strerror or str(exc)).lower()
        raise BadInput(f"cannot serve https with --tls-cert {cert} and --tls-key {key}: {reason}") from None
    return cert, key


def _start(options: "Options") -> "Emulator":
    from nemo_cli.errors import UsageError

    server, _ = _emulator_modules()
    emu = server.Emulator(options)
    try:
        return emu.start()
    except OSError as exc:
        emu.stop()
        raise UsageError(
            f"cannot listen on {options.host}: {exc.strerror or exc}",
            hint="pick other --port/--cdn-port values, or 0 for free ones",
        ) from None


@app.command("serve")
def serve(
    host: Host = "127.0.0.1",
    port: Port = 0,
    cdn_port: CdnPort = 0,
    render_status: RenderOpt = RenderStatus.nested,
    sse: SseOpt = SseFlavor.adk,
    silent_rate: SilentRate = 0.3,
    seed: Seed = 1,
    edit_seconds: EditSeconds = 1.0,
    render_seconds: RenderSeconds = 2.0,
    keepalive_seconds: KeepaliveSeconds = 0.5,
    credits: Credits = 100,
    fault: Faults = None,
    data_dir: DataDir = None,
    free_plan: FreePlan = False,
    download: DownloadOpt = DownloadFlavor.file,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    json: common.Json = False,
    quiet: common.Quiet = False,
) -> None:
    """Run an emulator until Ctrl-C: prints its base URL on stdout (point NEMO_API_URL at it), one line
    per request on stderr (not with -q).

    \b
    Examples:
      $ timeout 3 nemo emulator serve --fault rate_limit:0.1 -q  # exit 124
    """
    import signal
    import threading

    ctx = common.use(json=json, quiet=quiet)
    log = None if quiet or json else (lambda line: ctx.out.info(line))
    options = _options(host, port, cdn_port, render_status, sse, silent_rate, seed, edit_seconds, render_seconds,
                       keepalive_seconds, credits, fault, data_dir, free_plan, log, download)  # fmt: skip
    options.tls_cert, options.tls_key = _tls_files(tls_cert, tls_key)
    emu = _start(options)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        doc = {"url": emu.url, "cdn_url": emu.cdn_url, "web_url": emu.web_url}
        ctx.out.result(doc, emu.url, quiet=emu.url)
        if not (quiet or json):
            ctx.out.info(f"CDN at {emu.cdn_url}; use it with: export NEMO_API_URL={emu.url} NEMO_WEB_URL={emu.web_url}")
            ctx.out.info("Ctrl-C stops it")
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        emu.stop()
    if not quiet:
        ctx.out.info("emulator stopped")


@app.command("exec", context_settings={"allow_interspersed_args": False})
def exec_(
    command: Annotated[List[str], typer.Argument(metavar="CMD", help="The command and its arguments (put -- before it: `exec -- sh -c '…'`).", show_default=False)],
    host: Host = "127.0.0.1",
    port: Port = 0,
    cdn_port: CdnPort = 0,
    render_status: RenderOpt = RenderStatus.nested,
    sse: SseOpt = SseFlavor.adk,
    silent_rate: SilentRate = 0.3,
    seed: Seed = 1,
    edit_seconds: EditSeconds = 1.0,
    render_seconds: RenderSeconds = 2.0,
    keepalive_seconds: KeepaliveSeconds = 0.5,
    credits: Credits = 100,
    fault: Faults = None,
    data_dir: DataDir = None,
    free_plan: FreePlan = False,
    download: DownloadOpt = DownloadFlavor.file,
) -> None:
    """Start an emulator on free loopback ports, run CMD with NEMO_API_URL and NEMO_WEB_URL pointing at it
    and a throwaway NEMO_CONFIG_DIR (also NEMO_EMULATOR_URL and NEMO_EMULATOR_CDN_URL), stop it, and exit
    with CMD's exit code.

    \b
    Examples:
      $ nemo emulator exec -- nemo credits -q
      $ nemo emulator exec --credits 5 -- nemo credits -q
    """
    import os
    import shutil
    import subprocess
    import tempfile

    options = _options(host, port, cdn_port, render_status, sse, silent_rate, seed, edit_seconds, render_seconds,
                       keepalive_seconds, credits, fault, data_dir, free_plan, download=download)  # fmt: skip
    config_dir = tempfile.mkdtemp(prefix="nemo-config-")
    emu = None
    try:
        emu = _start(options)
        env = {k: v for k, v in os.environ.items() if k not in ("NEMO_TOKEN", "NEMO_SESSION", "NEMO_PROFILE", "NEMO_CLIENT_ID")}
        env.update(
            NEMO_API_URL=emu.url,
            NEMO_WEB_URL=emu.web_url,
            NEMO_CONFIG_DIR=config_dir,
            NEMO_EMULATOR_URL=emu.url,
            NEMO_EMULATOR_CDN_URL=emu.cdn_url,
        )
        try:
            child = subprocess.Popen(command, env=env)
        except FileNotFoundError:
            raise _Exit(127, f"command not found: {command[0]}") from None
        except PermissionError:
            raise _Exit(126, f"permission denied: {command[0]}") from None
        while True:
            try:
                code = child.wait()
                break
            except KeyboardInterrupt:
                continue  # the child got the Ctrl-C too: its exit code says how it ended
    except _Exit as exc:
        common.report(exc.message, None)
        code = exc.code
    finally:
        if emu is not None:
            emu.stop()
        shutil.rmtree(config_dir, ignore_errors=True)
    raise typer.Exit(code if code >= 0 else 128 - code)


class _Exit(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@app.command("media")
def media(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="Where to write the clip (.mp4, .mov or .mkv).", show_default=False)],
    seconds: Annotated[float, typer.Option("--seconds", metavar="S", min=0.1, max=600, help="Length of the clip.")] = 8.0,
    size: Annotated[str, typer.Option("--size", metavar="WxH", help="Picture size (even numbers).")] = "320x240",
    force: Annotated[bool, typer.Option("--force", "-f", help="Overwrite an existing file at PATH.")] = False,
    json: common.Json = False,
    quiet: common.Quiet = False,
) -> None:
    """Write a generated test clip: a test pattern with a tone, H.264 + AAC, small and quick to make.

    \b
    Examples:
      $ nemo emulator media clip.mp4
      $ nemo emulator media big.mov --seconds 30 --size 1280x720 -q
    """
    import re

    from nemo_cli.errors import BadInput, UsageError

    ctx = common.use(json=json, quiet=quiet)
    match = re.fullmatch(r"(\d{2,4})x(\d{2,4})", size.strip().lower())
    if not match or int(match.group(1)) % 2 or int(match.group(2)) % 2:
        raise UsageError(f"--size {size}: expected WIDTHxHEIGHT with even numbers, e.g. 320x240")
    if path.suffix.lower() not in (".mp4", ".mov", ".mkv"):
        raise BadInput(f"{path}: the clip must be .mp4, .mov or .mkv")
    if path.is_dir():
        raise BadInput(f"{path} is a directory", hint="give a file name, e.g. clip.mp4")
    if path.exists() and not force:
        raise BadInput(f"{path} exists", hint="--force replaces it")
    _emulator_modules()
    from nemo_cli.emulator import media as media_mod

    part = path.with_name(f".{path.name}.part{path.suffix}")
    try:
        media_mod.make_clip(part, seconds, size=f"{match.group(1)}x{match.group(2)}")
        part.replace(path)
    except media_mod.MediaError as exc:
        raise BadInput(f"cannot write {path}: {exc}") from None
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        part.unlink(missing_ok=True)
    width, height = int(match.group(1)), int(match.group(2))
    doc = {"path": str(path), "seconds": seconds, "width": width, "height": height, "bytes": path.stat().st_size}
    ctx.out.result(doc, str(path), quiet=str(path))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="emulator")
