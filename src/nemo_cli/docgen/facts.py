"""What every page of the documentation says alike, taken from the code that decides it: the environment
(settings.ENV_VARS and the SETTINGS table), the store's location (store.py, platformdirs), the exit
codes (errors.EXIT_CODES), and the examples of each command.
"""

from __future__ import annotations

from nemo_cli.errors import EXIT_CODES

__all__ = ["EXIT_CODES", "EXAMPLES", "environment", "store_files"]


def environment() -> list[tuple[str, str]]:
    """(variable, meaning) for every variable nemo reads: ENV_VARS first, then each setting's NEMO_<KEY>."""
    from nemo_cli.settings import ENV_VARS, SETTINGS

    rows = list(ENV_VARS.items())
    for setting in SETTINGS.values():
        if setting.env in ENV_VARS:
            continue
        default = setting.default
        if isinstance(default, float) and default.is_integer():
            default = int(default)
        note = f"setting `{setting.key}`" + (f", default {default}" if default != "" else "")
        rows.append((setting.env, f"{setting.help} ({note})"))
    return rows


def store_files() -> list[tuple[str, str]]:
    """(path, meaning): where the store lives on each platform (platformdirs' user config directory)."""
    from nemo_cli.store import FILE_NAME

    lock = FILE_NAME + ".lock"
    return [
        (
            f"$NEMO_CONFIG_DIR/{FILE_NAME}",
            "The store, when NEMO_CONFIG_DIR is set (on every platform). `nemo config path` prints the one in use.",
        ),
        (
            f"~/.config/nemo/{FILE_NAME}",
            f"Otherwise, on Linux and other Unix systems; `$XDG_CONFIG_HOME/nemo/{FILE_NAME}` when XDG_CONFIG_HOME is set.",
        ),
        (
            f"~/Library/Application Support/nemo/{FILE_NAME}",
            "On macOS (recent versions of platformdirs honour XDG_CONFIG_HOME there too).",
        ),
        (f"%LOCALAPPDATA%\\nemo\\{FILE_NAME}", "On Windows."),
        (
            lock,
            "Next to the store: the lock that serialises concurrent nemo processes. "
            "The store holds, per profile, the client id, the token, the sessions, the renders and the "
            "settings; it and its lock are created readable by you alone (0600).",
        ),
    ]


# Examples per top-level command: (what it does, the command line). Every `nemo` invocation in them is
# checked against the command tree by the drift test, so they cannot go stale silently.
EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "": [
        ("Get a token, start a session, upload, edit and download the result:",
         "nemo auth && nemo session new -q && nemo upload raw.mp4 \\\n"
         '  && nemo edit "cut the best takes, add transitions" \\\n'
         "  && nemo export --wait -o out.mp4"),
        ("Keep ids in variables and read JSON with jq:",
         "sid=$(nemo session new -q)\nnemo credits --json | jq .available"),
        ("Try a script offline against the built-in emulator:", "nemo emulator exec -- bash my-edit.sh"),
    ],
    "auth": [
        ("Make sure there is a token (an anonymous one is acquired when needed):", "nemo auth"),
        ("Log in with your own token, read from a file:", "nemo auth login --with-token < token.txt"),
        ("Check the login in a script (exit status 3 when not logged in):", "nemo auth status -q >/dev/null"),
    ],
    "session": [
        ("Start a session and keep its id:", "sid=$(nemo session new -q --name promo)"),
        ("Show the sessions this profile knows:", "nemo session list"),
        ("Go back to an earlier session:", "nemo session use 5529798706024415232"),
        ("Open the project in a web browser:", "nemo session open --browser"),
    ],
    "upload": [
        ("Upload a clip to the active session:", "nemo upload raw.mp4"),
    ],
    "edit": [
        ("Describe an edit in words:", 'nemo edit "remove the section between 0:45 and 1:20 and join the rest"'),
    ],
    "state": [
        ("Show the timeline:", "nemo state"),
        ("Fail a script early when there is nothing to export:", "nemo state --check-ready || exit 1"),
        ("Count the tracks:", "nemo state --json | jq '.draft.t | length'"),
    ],
    "credits": [
        ("Show the balance:", "nemo credits"),
        ("Stop when fewer than 100 credits are left:", '[ "$(nemo credits -q)" -ge 100 ] || exit 5'),
    ],
    "export": [
        ("Render the timeline and download it:", "nemo export --wait -o out.mp4"),
    ],
    "config": [
        ("List every setting, its value and where it comes from:", "nemo config list"),
        ("Wait longer for slow edits:", "nemo config set edit.timeout 1800"),
        ("Print where the store is:", "nemo config path"),
    ],
    "completion": [
        ("Install bash completion for your user (bash-completion loads it):", "nemo completion --install bash"),
        ("Install zsh completion and add the fpath line to ~/.zshrc:", "nemo completion --install zsh --rc"),
        ("Install fish completion:", "nemo completion --install fish"),
        ("Load it into the running bash only:", "source <(nemo completion bash)"),
    ],
    "help": [
        ("The help of a subcommand, as `--help` shows it:", "nemo help export status"),
    ],
    "emulator": [
        ("Run a script against a fresh local emulator:", "nemo emulator exec -- bash examples/trim-in-between.sh"),
    ],
    "mcp": [
        ("Serve the tools on stdin/stdout (an MCP client starts this itself):", "nemo mcp"),
        ("Only the tools that change nothing and spend nothing:", "nemo mcp --read-only"),
        ("Serve another profile's store and token:", "nemo --profile work mcp"),
    ],
    "agent-skill": [
        ("Install the skill for an agent that reads ~/.claude/skills:",
         "mkdir -p ~/.claude/skills/nemo\nnemo agent-skill > ~/.claude/skills/nemo/SKILL.md"),
    ],
}
