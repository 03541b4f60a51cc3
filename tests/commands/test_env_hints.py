"""Hints that point the right way: when a setting's value comes from an environment variable (or a flag),
`nemo config set` cannot change it (the environment wins), so the hint names the variable (or the flag).
A value from the store keeps the `nemo config …` hint."""

from __future__ import annotations

import socket

import pytest

from nemo_cli.settings import point_at_source


def lines(done, prefix: str) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith(prefix)]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the rewrite itself ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hint,environ,flags,expected",
    [
        ("check the API URL (`nemo config get api_url`), then retry", {"NEMO_API_URL": "http://x"}, {},
         "check the API URL (NEMO_API_URL in the environment), then retry"),
        ("(`nemo config set edit.idle_timeout SECONDS` waits longer)", {"NEMO_EDIT_IDLE_TIMEOUT": "5"}, {},
         "(`NEMO_EDIT_IDLE_TIMEOUT=SECONDS` in the environment waits longer)"),
        ("or `nemo config unset retries`", {"NEMO_RETRIES": "2"}, {}, "or `unset NEMO_RETRIES`"),
        ("check the API URL (`nemo config get api_url`)", {"NEMO_API_URL": "http://x"}, {"api_url": "http://y"},
         "check the API URL (the --api-url option)"),
        # from the store or the default: `nemo config` is the right place
        ("check the API URL (`nemo config get api_url`)", {}, {}, "check the API URL (`nemo config get api_url`)"),
        ("check the API URL (`nemo config get api_url`)", {"NEMO_API_URL": ""}, {}, "check the API URL (`nemo config get api_url`)"),
        # only the setting named is looked at; what is not a setting is left alone
        ("`nemo config get retries`", {"NEMO_API_URL": "http://x"}, {}, "`nemo config get retries`"),
        ("`nemo config list` shows every setting", {"NEMO_API_URL": "http://x"}, {}, "`nemo config list` shows every setting"),
        ("`nemo config get no_such`", {"NEMO_NO_SUCH": "1"}, {}, "`nemo config get no_such`"),
    ],
)
def test_point_at_source(hint, environ, flags, expected):
    assert point_at_source(hint, flags=flags, environ=environ) == expected


# -- a bad value ------------------------------------------------------------------------------------------


def test_a_bad_value_from_the_environment_names_the_variable(emulator):
    done = emulator.nemo("config", "get", "export.poll_min", env={"NEMO_EXPORT_POLL_MIN": "fast"})
    assert done.returncode == 12 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: NEMO_EXPORT_POLL_MIN: export.poll_min must be a non-negative number, not 'fast'",
        "hint: set NEMO_EXPORT_POLL_MIN to a non-negative number, or unset it (`unset NEMO_EXPORT_POLL_MIN`)",
    ]


def test_a_bad_api_url_from_the_environment_names_the_variable_before_any_request(emulator):
    done = emulator.nemo("credits", env={"NEMO_API_URL": "ftp://files.example"})
    assert done.returncode == 12 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: NEMO_API_URL: api_url must be an http(s) URL, not 'ftp://files.example'",
        "hint: set NEMO_API_URL to an http(s) URL, or unset it (`unset NEMO_API_URL`)",
    ]
    assert emulator.requests == []


def test_a_bad_api_url_flag_names_the_flag(emulator):
    done = emulator.nemo("--api-url", "files.example", "credits")
    assert done.returncode == 12
    assert done.stderr.splitlines() == [
        "error: --api-url: api_url must be an http(s) URL, not 'files.example'",
        "hint: give --api-url an http(s) URL",
    ]


def test_a_bad_stored_value_still_points_at_nemo_config(emulator):
    store = emulator.config_dir / "config.toml"
    emulator.config_dir.mkdir(parents=True, exist_ok=True)
    store.write_text('[profiles.default.settings]\n"export.poll_min" = "fast"\n')
    done = emulator.nemo("config", "get", "export.poll_min", env={"NEMO_EXPORT_POLL_MIN": None})
    assert done.returncode == 12
    assert lines(done, "hint:") == [
        "hint: fix it with `nemo config set export.poll_min VALUE` or `nemo config unset export.poll_min`"
    ]
    assert str(store) in lines(done, "error:")[0]


def test_export_wait_with_a_bad_poll_setting_names_the_variable(emulator, tmp_path):
    clip = emulator.media(tmp_path / "clip.mp4")
    assert emulator.nemo("session", "new", "-q").returncode == 0
    assert emulator.nemo("upload", clip).returncode == 0
    done = emulator.nemo("export", "--wait", "-o", tmp_path / "out.mp4", env={"NEMO_EXPORT_POLL_MIN": "-1"})
    assert done.returncode == 12
    assert lines(done, "error:") == ["error: NEMO_EXPORT_POLL_MIN: export.poll_min must be a non-negative number, not '-1'"]
    assert lines(done, "hint:") == [
        "hint: set NEMO_EXPORT_POLL_MIN to a non-negative number, or unset it (`unset NEMO_EXPORT_POLL_MIN`)"
    ]


# -- hints written for `nemo config`, met while the value came from elsewhere ------------------------------


@pytest.mark.parametrize(
    "where,expected",
    [
        ("env", "hint: check your connection and the API URL (NEMO_API_URL in the environment), then retry"),
        ("flag", "hint: check your connection and the API URL (the --api-url option), then retry"),
        ("store", "hint: check your connection and the API URL (`nemo config get api_url`), then retry"),
    ],
)
def test_an_unreachable_api_url_hint_names_where_it_came_from(emulator, where, expected):
    dead = f"http://127.0.0.1:{closed_port()}"
    env = {"NEMO_TOKEN": emulator.world.add_user(), "NEMO_RETRIES": "0"}
    args = ["credits"]
    if where == "env":
        env["NEMO_API_URL"] = dead
    else:
        env["NEMO_API_URL"] = None
        if where == "flag":
            args = ["--api-url", dead, *args]
        else:
            assert emulator.nemo("config", "set", "api_url", dead, env=env).returncode == 0
    done = emulator.nemo(*args, env=env)
    assert done.returncode == 9 and done.stdout == ""
    assert lines(done, "error:") == [f"error: cannot connect to {dead}"]
    assert lines(done, "hint:") == [expected]


def test_the_edit_idle_timeout_hint_names_the_variable(emulator):
    emulator.svc.options.edit_seconds = 5.0  # keep-alives only, far longer than the idle limit below
    assert emulator.nemo("session", "new", "-q").returncode == 0
    done = emulator.nemo("edit", "add a title 'Hello'", env={"NEMO_EDIT_IDLE_TIMEOUT": "0.3"})
    assert done.returncode == 10, done.stderr
    [hint] = lines(done, "hint:")
    assert "(`NEMO_EDIT_IDLE_TIMEOUT=SECONDS` in the environment waits longer)" in hint
    assert "nemo config" not in hint
    assert len([r for r in emulator.requests if r.path == "/run_sse"]) == 1  # sent once, never again
