"""Shared fixtures. Every test gets its own empty store; no test talks to anything but 127.0.0.1."""

from __future__ import annotations

import signal

import pytest

# A suite started in the background by a non-interactive shell (`bash .ci/run &`) inherits SIGINT ignored,
# and so would every `nemo` it starts: the Ctrl-C tests would see a child that cannot be interrupted. A
# Python handler here is SIG_DFL in an exec'd child, which then installs its own as usual.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """A throwaway NEMO_CONFIG_DIR and no inherited NEMO_* variables, CI flag, colour or proxy (a proxy
    variable of the machine would route the tests' loopback traffic through it)."""
    import os

    for name in list(os.environ):
        if name.startswith("NEMO_") or name in ("CI", "NO_COLOR") or name.lower() in PROXY_VARIABLES:
            monkeypatch.delenv(name, raising=False)
    config = tmp_path / "nemo-config"
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(config))
    return config


# -- the emulator, for end-to-end tests ----------------------------------------------------------

# Waits the CLI takes from the environment, shortened so end-to-end tests never sleep for long
FAST_WAITS = {
    "NEMO_RETRY_BACKOFF": "0.01",
    "NEMO_RATE_LIMIT_WAIT": "0.05",
    "NEMO_EDIT_RECOVER_FIRST": "0.05",
    "NEMO_EDIT_RECOVER_INTERVAL": "0.05",
    "NEMO_EXPORT_POLL_MIN": "0.02",
    "NEMO_EXPORT_POLL_MAX": "0.1",
}


def _emulator_class():
    """The fixture's object: the in-process Emulator plus helpers to run the real `nemo` against it."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from nemo_cli.emulator.server import Emulator

    bin_dir = Path(sys.executable).parent

    class TestEmulator(Emulator):
        config_dir: Path
        clips: Path  # generated clips shared by the whole test run, copied on request

        def env(self, **extra):
            """os.environ + NEMO_API_URL/NEMO_WEB_URL for this emulator, the test's NEMO_CONFIG_DIR, fast
            waits, the venv's bin first on PATH; `NAME=None` removes a variable."""
            env = {
                **os.environ,
                **FAST_WAITS,
                "NEMO_API_URL": self.url,
                "NEMO_WEB_URL": self.web_url,
                "NEMO_CONFIG_DIR": str(self.config_dir),
                "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            }
            for name, value in extra.items():
                if value is None:
                    env.pop(name, None)
                else:
                    env[name] = str(value)
            return env

        def nemo(self, *args, input=None, env=None, timeout=120):
            """Run the real `nemo` entry point as a subprocess (text mode, output captured)."""
            return subprocess.run(
                [str(bin_dir / "nemo"), *map(str, args)],
                input=input,
                env=self.env(**(env or {})),
                capture_output=True,
                text=True,
                timeout=timeout,
            )

        def media(self, path, seconds=8):
            """A generated clip (testsrc + sine, 320x240, H.264/AAC) at `path`."""
            from nemo_cli.emulator.media import make_clip

            path = Path(path)
            cached = self.clips / f"clip-{seconds:g}s.mp4"
            if not cached.exists():
                part = cached.with_suffix(".part.mp4")
                make_clip(part, seconds)
                part.replace(cached)
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cached, path)
            return path

    return TestEmulator


@pytest.fixture(scope="session")
def _emulator_clips(tmp_path_factory):
    return tmp_path_factory.mktemp("emulator-clips")


@pytest.fixture
def emulator(tmp_path, isolated_env, _emulator_clips):
    """A started emulator with fast timings and no silent edits, stopped after the test."""
    yield from _started(tmp_path, isolated_env, _emulator_clips)


def _started(tmp_path, config_dir, clips, **options):
    from nemo_cli.emulator.server import Options

    emu = _emulator_class()(
        Options(
            silent_rate=0.0,
            seed=1,
            edit_seconds=0.05,
            render_seconds=0.3,
            keepalive_seconds=0.05,
            credits=100,
            data_dir=tmp_path / "emulator-data",
            **options,
        )
    )
    emu.config_dir = config_dir
    emu.clips = clips
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


# -- TLS: a test certificate authority and the emulator over https --------------------------------


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory):
    """A throwaway certificate authority (trustme) and a certificate it issued for 127.0.0.1 and localhost:
    `.ca` (the CA's PEM, what a client must trust), `.cert` and `.key` (what the server presents)."""
    from types import SimpleNamespace

    import trustme

    where = tmp_path_factory.mktemp("test-ca")
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1", "localhost")
    files = SimpleNamespace(ca=where / "ca.pem", cert=where / "cert.pem", key=where / "key.pem")
    ca.cert_pem.write_to_path(str(files.ca))
    issued.cert_chain_pems[0].write_to_path(str(files.cert))
    issued.private_key_pem.write_to_path(str(files.key))
    return files


@pytest.fixture
def tls_emulator(tmp_path, isolated_env, _emulator_clips, test_ca):
    """The emulator with both origins (API and CDN) on https, presenting a certificate of `test_ca`. Its
    `env()` trusts nothing special: tests choose the trust store (SSL_CERT_FILE, ca_bundle…) themselves."""
    yield from _started(tmp_path, isolated_env, _emulator_clips, tls_cert=test_ca.cert, tls_key=test_ca.key)


@pytest.fixture
def clip_seconds():
    """The length of the clip `session` uploads; None for the emulator's default. A module overrides it."""
    return None


@pytest.fixture
def session(emulator, tmp_path, clip_seconds):
    """The emulator with a new active session holding one uploaded clip."""
    clip = emulator.media(tmp_path / "clip.mp4", **({} if clip_seconds is None else {"seconds": clip_seconds}))
    for args in (("session", "new", "-q"), ("upload", clip)):
        done = emulator.nemo(*args)
        assert done.returncode == 0, done.stderr
    return emulator
