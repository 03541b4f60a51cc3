"""`--json-fields FIELDS` and `--jq EXPR`: the two options that choose what `--json` prints, declared once.

Every command with `--json` takes them, as `json_fields: JsonFields = None, jq: Jq = None`. Their values
never reach the command's body: each option's callback checks its value while the command line is parsed
(so a bad list or expression is exit 2 before anything is sent) and hands it to nemo_cli.output, whose
Output applies it to every JSON document and NDJSON event the command prints. Both imply --json.

Why two options and not gh's `--json FIELDS`: `--json` is a flag on every command, and an option whose
value may be left out takes the next word as its value (`nemo edit --json add music` would select the
fields "add"), so `--json` stays a plain flag and the selection gets its own name.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer


def _fields(value: Optional[str]) -> Optional[str]:
    from nemo_cli.output import request_fields

    return request_fields(value)


def _jq(value: Optional[str]) -> Optional[str]:
    from nemo_cli.output import request_jq

    return request_jq(value)


JsonFields = Annotated[
    Optional[str],
    typer.Option(
        "--json-fields",
        metavar="FIELDS",
        help="Print only these keys of the JSON, comma-separated (e.g. session_id,status); implies --json.",
        callback=_fields,
        show_default=False,
    ),
]
Jq = Annotated[
    Optional[str],
    typer.Option(
        "--jq",
        metavar="EXPR",
        help="Filter the JSON through a jq expression (needs the nemo-cli[jq] extra); implies --json.",
        callback=_jq,
        show_default=False,
    ),
]
