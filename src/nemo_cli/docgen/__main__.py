"""`python -m nemo_cli.docgen [--check] [--root DIR]`: see the package docstring."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nemo_cli import docgen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nemo_cli.docgen", description=docgen.__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when a generated file differs")
    parser.add_argument("--root", type=Path, default=None, help="the checkout (default: the one nemo_cli is in)")
    args = parser.parse_args(argv)
    root = args.root or docgen.checkout_root()
    try:
        files = docgen.outputs(root)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.check:
        problems = docgen.differences(root, files)
        for rel, problem in problems:
            print(f"{rel}: {problem}", file=sys.stderr)
        if problems:
            print("run `python -m nemo_cli.docgen` to regenerate", file=sys.stderr)
        return 1 if problems else 0
    for rel in docgen.write(root, files):
        print(f"wrote {rel}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
