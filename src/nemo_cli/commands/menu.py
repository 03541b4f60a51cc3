"""The root help's menu: data only, read by the command tree and by the root group that draws it."""

from __future__ import annotations

# The root help's menu, as `gh` groups its commands: (heading, [(command, one-line description)]). The
# order here is the order of the help, the man page, the README and the completion scripts. A command
# missing here is listed under the last heading with the first sentence of its help.
MENU: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Core pipeline",
        [
            ("auth", "Tokens: acquire, log in, show, print, log out."),
            ("session", "Editing sessions: new, list, use, show, open."),
            ("upload", "Upload media files (or URLs) into the session."),
            ("edit", "Describe an edit in words; the reply streams back."),
            ("export", "Render the timeline to an MP4 and download it."),
        ],
    ),
    (
        "Workflows",
        [
            ("trim", "Cut sections out, or keep one section."),
            ("grade", "Colour-grade the whole clip, Lightroom style."),
            ("film", "Cut raw footage into a film: best takes, music."),
            ("demo-clip", "Compile the best moments into a short demo clip."),
            ("chat", "Talk to the editor: one edit (or command) a line."),
            ("batch", "Run a plan of jobs, each in its own session."),
        ],
    ),
    (
        "Timeline and account",
        [
            ("state", "Show the timeline of the active session."),
            ("credits", "Show the credit balance."),
        ],
    ),
    (
        "For agents",
        [
            ("mcp", "Serve nemo's verbs to AI agents as MCP tools (stdio)."),
            ("agent-skill", "Print a skill file that teaches an agent to use nemo."),
        ],
    ),
    (
        "Settings and tools",
        [
            ("config", "Settings: get, set, unset, list, path."),
            ("doctor", "Check the setup, the network and the token."),
            ("completion", "Print or install the shell completion script."),
            ("emulator", "A local NemoVideo API for trying nemo offline."),
            ("help", "Help on a command: `nemo help export`."),
        ],
    ),
]
