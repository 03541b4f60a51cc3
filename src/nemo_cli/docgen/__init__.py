"""Everything generated from the command tree: shell completions, man pages, the README's reference and
SKILL.md (what `nemo agent-skill` prints).

    python -m nemo_cli.docgen           rewrite completions/, man/, README.md's generated blocks, SKILL.md
    python -m nemo_cli.docgen --check   only report what differs (exit 1); the drift test runs this

Run from a checkout. Imported on demand only: `nemo --help` never loads it.
"""

from __future__ import annotations

from pathlib import Path

from nemo_cli.docgen.tree import Command

GENERATED_DIRS = {"completions": "*", "man": "*.1"}  # directories whose files are all generated


def outputs(root: Path, tree: Command | None = None) -> dict[Path, str]:
    """Every generated file (relative to the checkout) with the content it should have."""
    from nemo_cli.commands import agent_skill
    from nemo_cli.completion import scripts
    from nemo_cli.docgen import man, readme, tree as tree_mod

    tree = tree or tree_mod.load()
    files = {Path("completions", scripts.FILE_NAMES[s]): scripts.render(s, tree) for s in scripts.SHELLS}
    files.update({Path("man", name): text for name, text in man.pages(tree).items()})
    files[Path("README.md")] = readme.update((root / "README.md").read_text(encoding="utf-8"), tree)
    files[Path("SKILL.md")] = agent_skill.render(tree)
    return files


def differences(root: Path, files: dict[Path, str]) -> list[tuple[Path, str]]:
    """(path, what is wrong) for each file that is missing, differs, or should no longer exist."""
    found = []
    for rel, text in files.items():
        path = root / rel
        if not path.exists():
            found.append((rel, "missing"))
        elif path.read_text(encoding="utf-8") != text:
            found.append((rel, "differs"))
    for folder, pattern in GENERATED_DIRS.items():
        for path in sorted((root / folder).glob(pattern)):
            rel = path.relative_to(root)
            if path.is_file() and rel not in files:
                found.append((rel, "stale (no such command any more)"))
    return found


def write(root: Path, files: dict[Path, str]) -> list[Path]:
    """Bring the checkout in line; returns what changed."""
    changed = []
    for rel, problem in differences(root, files):
        path = root / rel
        if problem.startswith("stale"):
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(files[rel], encoding="utf-8")
        changed.append(rel)
    return changed


def checkout_root() -> Path:
    """The checkout this package was installed from (editable), else the working directory."""
    here = Path(__file__).resolve().parents[3]
    return here if (here / "pyproject.toml").exists() else Path.cwd()
