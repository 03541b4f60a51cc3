"""`nemo --help` without importing Typer: the root help exactly as Typer last rendered it.

Importing Typer and building the whole command tree costs about ten bare Python start-ups, while the
root help only changes when the installed code does. So the rendered text is kept in the user cache dir
under a key of everything it depends on: the package version, the path, size and mtime of every module of
nemo_cli and of Typer, the Python version and the output width. A changed file means a new render, never
a stale text. Any problem reading or writing the cache just means rendering (a read-only home costs
speed, not correctness). Only stdlib modules a bare interpreter has already loaded are used here.
"""

from __future__ import annotations

import os
import sys
from nemo_cli import __version__

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing would cost more than the cache saves
if TYPE_CHECKING:
    from typing import Callable

FILE_NAME = "root-help.txt"


def cache_dir() -> str:
    """The platform's user cache dir for nemo (platformdirs' answer, without its import cost)."""
    home = os.path.expanduser("~")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Caches", "nemo")
    if sys.platform == "win32":
        return os.path.join(os.environ.get("LOCALAPPDATA") or home, "nemo", "Cache")
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache"), "nemo")


def width() -> int:
    """The columns click's help formatter will see (shutil.get_terminal_size's rules)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def _files(top: str) -> list[str]:
    found = []
    for root, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(root, name)
                st = os.stat(path)
                found.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return found


def key() -> str:
    typer_dir = next((os.path.join(p, "typer") for p in sys.path if os.path.isfile(os.path.join(p or ".", "typer", "__init__.py"))), "")
    parts = [__version__, sys.version, str(width()), str(sys.stdout.isatty())]
    parts += _files(os.path.dirname(os.path.abspath(__file__)))
    parts += _files(typer_dir) if typer_dir else ["no typer"]
    return "|".join(parts)


def root_help(render: "Callable[[], str]") -> str:
    """The cached root help, or `render()`'s text (then cached for the next call)."""
    try:
        current = key()
    except OSError:
        return render()
    path = os.path.join(cache_dir(), FILE_NAME)
    try:
        with open(path, encoding="utf-8") as fh:
            stored_key, _, text = fh.read().partition("\n")
        if stored_key == current and text:
            return text
    except (OSError, UnicodeDecodeError):
        pass
    text = render()
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(current + "\n" + text)
        os.replace(tmp, path)  # atomic: concurrent `nemo --help`s never read half a file
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    return text
