"""The dependency directions of the design: app → commands → flows → {api, store, files, credentials,
sessions, draft, media} → errors (the per-family rules are beside this file). Read from the source (every import, also those inside functions), so a lazy import cannot hide
a wrong turn."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "nemo_cli"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every nemo_cli module a file imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("nemo_cli")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nemo_cli"):
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


MODULES = {module_name(p): imports(p) for p in PACKAGE.rglob("*.py")}


def offenders(where: str, forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[str]:
    def hits(target: str, prefixes: tuple[str, ...]) -> bool:
        return any(target == p or target.startswith(p + ".") for p in prefixes)

    return sorted(
        f"{mod} imports {target}"
        for mod, targets in MODULES.items()
        if mod == where or mod.startswith(where + ".")
        for target in targets
        if hits(target, forbidden) and not hits(target, allowed)
    )


def test_the_api_layer_imports_neither_commands_nor_the_store():
    assert offenders("nemo_cli.api", ("nemo_cli.commands", "nemo_cli.app", "nemo_cli.store", "nemo_cli.context",
                                      "nemo_cli.output", "nemo_cli.emulator")) == []


def test_the_store_does_not_import_the_api():
    assert offenders("nemo_cli.store", ("nemo_cli.api", "nemo_cli.commands", "nemo_cli.context")) == []


def test_the_emulator_imports_no_client_code():
    client = ("nemo_cli.commands", "nemo_cli.app", "nemo_cli.api", "nemo_cli.store", "nemo_cli.context",
              "nemo_cli.output", "nemo_cli.flows")
    assert offenders("nemo_cli.emulator", client) == []


def test_the_client_never_imports_the_emulator():
    wrong = [
        f"{mod} imports {target}"
        for mod, targets in MODULES.items()
        if not mod.startswith("nemo_cli.emulator") and mod != "nemo_cli.commands.emulator"
        for target in targets
        if target.startswith("nemo_cli.emulator")
    ]
    assert wrong == []


def test_nothing_below_the_root_imports_the_root_app():
    wrong = [
        f"{mod} imports {target}"
        for mod, targets in MODULES.items()
        if mod not in ("nemo_cli.app", "nemo_cli.__main__") and not mod.startswith("nemo_cli.docgen")
        for target in targets
        if target == "nemo_cli.app" or target.startswith("nemo_cli.app.")
    ]
    assert wrong == []


def test_only_commands_and_the_root_import_commands():
    wrong = [
        f"{mod} imports {target}"
        for mod, targets in MODULES.items()
        if not mod.startswith(("nemo_cli.commands", "nemo_cli.docgen")) and mod not in ("nemo_cli.app",)
        for target in targets
        if target.startswith("nemo_cli.commands")
    ]
    assert wrong == []


# -- commands → flows → the foundations: each layer imports only downwards ----------------------------
# A command is flags → one flow call → output; a flow never reaches back up to a command, the CLI's output
# or the start-up code; the foundations (store, settings, credentials, sessions, files, draft, media,
# output, context) know neither.

FOUNDATIONS = ("nemo_cli.context", "nemo_cli.credentials", "nemo_cli.sessions", "nemo_cli.settings", "nemo_cli.store",
               "nemo_cli.durable", "nemo_cli.files", "nemo_cli.draft", "nemo_cli.media", "nemo_cli.mp4", "nemo_cli.output",
               "nemo_cli.errors", "nemo_cli.extras", "nemo_cli.options", "nemo_cli.helpcache")


def test_no_command_imports_the_api():
    assert offenders("nemo_cli.commands", ("nemo_cli.api",)) == []


def test_flows_import_neither_commands_nor_output_nor_the_start_up_code():
    assert offenders("nemo_cli.flows", ("nemo_cli.commands", "nemo_cli.app", "nemo_cli.output", "nemo_cli.completion",
                                        "nemo_cli.docgen", "nemo_cli.emulator")) == []


def test_the_foundations_import_no_flow_and_no_command():
    assert [w for f in FOUNDATIONS for w in offenders(f, ("nemo_cli.flows", "nemo_cli.commands", "nemo_cli.app"))] == []


def test_the_package_root_holds_only_the_entry_and_the_foundations():
    """Features live in flows/ (their views in commands/): a new verb's module at the root is a wrong turn."""
    root = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__", "app"}
    assert {f"nemo_cli.{m}" for m in root} <= set(FOUNDATIONS)


# -- api/ is the wire only: transport, endpoints, models, stream, multipart, ranged fetch -------------
# Local files (the .part target, space checks, symlink rules) are nemo_cli.files; the accepted media
# table is the service's (api.media_types), read by nemo_cli.media, not the other way round.

API_MAY_IMPORT = ("nemo_cli.api", "nemo_cli.errors", "nemo_cli.mp4")  # itself, and two leaves
LEAVES = ("nemo_cli.errors", "nemo_cli.mp4")  # import nothing of nemo_cli: allowing them lets nothing in


def test_the_api_layer_imports_only_itself_errors_and_the_mp4_format():
    """Neither the store, settings, media, draft, output, context, files, commands nor any other module
    of the CLI: the wire knows nothing of local state or of how the CLI words things."""
    wrong = [
        f"{mod} imports {target}"
        for mod, targets in MODULES.items()
        if mod == "nemo_cli.api" or mod.startswith("nemo_cli.api.")
        for target in targets
        if target != "nemo_cli" and not any(target == p or target.startswith(p + ".") for p in API_MAY_IMPORT)
    ]
    assert wrong == []


def test_what_the_api_layer_may_import_besides_itself_imports_nothing_of_the_client():
    assert {leaf: sorted(t for t in MODULES[leaf] if t != leaf) for leaf in LEAVES} == {leaf: [] for leaf in LEAVES}


_PLACING = {"replace", "rename", "link", "symlink", "unlink", "fsync", "readlink", "lstat", "disk_usage", "chmod"}


def test_the_api_layer_places_no_local_file():
    """Renaming, linking, fsyncing, lstat-ing a path or asking for free space is nemo_cli.files' business
    (or the store's): the download engine hands bytes to a Target its caller made."""
    wrong = []
    for path in (PACKAGE / "api").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in _PLACING and isinstance(node.value, ast.Name) \
                    and node.value.id in ("os", "shutil", "Path"):
                wrong.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.value.id}.{node.attr}")
    assert wrong == []


def test_the_download_targets_live_beside_the_store_not_in_the_api():
    from nemo_cli import files
    from nemo_cli.api import download

    assert {"FileTarget", "StreamTarget", "check_target", "exists_error"} <= set(vars(files))
    assert not {"FileTarget", "StreamTarget", "check_target", "exists_error", "_check_space"} & set(vars(download))


def test_the_store_and_durable_import_neither_files_nor_the_api():
    """The store is read on the fast paths (completion): it must not drag the download engine and httpx in."""
    assert offenders("nemo_cli.store", ("nemo_cli.files", "nemo_cli.api")) == []
    assert offenders("nemo_cli.durable", ("nemo_cli.files", "nemo_cli.api", "nemo_cli.store")) == []


# -- credentials beside the Context; the HTTP test seam is injected -----------------------------------
# Tokens, expiry, anonymous acquisition, the client id and the browser link are nemo_cli.credentials'
# (which knows no Context); the Context holds settings, store, output and lazily built clients. Tests
# hand a transport to the invocation (commands.common.Injected), never swap a module global.

_CREDENTIAL_RULES = {"token", "token_expired", "acquire_anonymous", "client_id", "new_client_id", "browser_link",
                     "now_iso", "expired", "anonymous_limit_hint", "_Credentials", "_FixedCredentials"}


def test_credentials_import_no_context_and_nothing_of_the_commands():
    assert offenders("nemo_cli.credentials", ("nemo_cli.context", "nemo_cli.commands", "nemo_cli.app")) == []


def test_the_context_module_defines_none_of_the_credential_rules():
    tree = ast.parse((PACKAGE / "context.py").read_text(encoding="utf-8"))
    defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert defined & _CREDENTIAL_RULES == set()


def _calls(path: Path, name: str) -> list[int]:
    return [n.lineno for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name]


def test_renewing_a_token_builds_no_full_client_inside_a_request():
    """The renewal callback asks a token-only client; the transport builds no client of the API at all."""
    assert _calls(PACKAGE / "credentials.py", "NemoClient") == []
    assert offenders("nemo_cli.api.http", ("nemo_cli.api.client",)) == []


def test_no_module_global_named_transport_override_anywhere():
    wrong = []
    for path in [*PACKAGE.rglob("*.py"), *Path(__file__).parents[1].rglob("*.py")]:
        if path == Path(__file__):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
            wrong += [f"{path.name}:{node.lineno}" for t in targets if isinstance(t, ast.Name) and t.id == "transport_override"]
        wrong += [f"{path.name}:{n.lineno}" for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and n.value == "transport_override"  # monkeypatch.setattr(mod, "…")
                  or isinstance(n, ast.Attribute) and n.attr == "transport_override"]
    assert wrong == []


# -- the emulator stands alone, and no import cycle --------------------------------------------------
# The emulator is the service's stand-in, a separate program: it shares no code with the client but the
# exit-code table (errors), so it cannot share the client's reading of the API either. The cycle finder
# works on the whole package (relative imports resolved too); the no-cycle rule covers the emulator for
# now and is meant for all of src/ once the rest of the package has lost its cycles.


def _relative_imports(source: str, module: str, is_package: bool = False) -> set[str]:
    """What `from . import x` / `from ..mod import y` in `module`'s source name, made absolute."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return found


def _module_of(target: str) -> str | None:
    """The module an import names: `nemo_cli.emulator.service.Abort` → `nemo_cli.emulator.service`."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        mod = module_name(path)
        named = MODULES[mod] | _relative_imports(path.read_text(encoding="utf-8"), mod, path.name == "__init__.py")
        graph[mod] = {m for t in named if (m := _module_of(t)) and m != mod}
    return graph


IMPORT_GRAPH = _graph()  # module → the nemo_cli modules it imports (anywhere in it, relative imports too)


def import_cycles(graph: dict[str, set[str]], where: str = "nemo_cli") -> list[list[str]]:
    """Every import cycle (a strongly connected set of modules, sorted) with a module in `where`.
    Imports under TYPE_CHECKING and inside functions count: a cycle hidden that way is still a knot."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(mod: str) -> None:
        index[mod] = low[mod] = len(index)
        stack.append(mod)
        on_stack.add(mod)
        for nxt in sorted(graph.get(mod, ())):
            if nxt not in index:
                visit(nxt)
                low[mod] = min(low[mod], low[nxt])
            elif nxt in on_stack:
                low[mod] = min(low[mod], index[nxt])
        if low[mod] == index[mod]:
            members = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                members.append(top)
                if top == mod:
                    break
            if (len(members) > 1 or mod in graph.get(mod, ())) and any(
                    m == where or m.startswith(where + ".") for m in members):
                found.append(sorted(members))

    for mod in sorted(graph):
        if mod not in index:
            visit(mod)
    return sorted(found)


def test_the_cycle_finder_finds_cycles_and_only_them():
    graph = {"p.a": {"p.b"}, "p.b": {"p.c"}, "p.c": {"p.a", "p.d"}, "p.d": set(), "p.e": {"p.e"}, "q.x": {"q.y"},
             "q.y": {"q.x"}}
    assert import_cycles(graph, "p") == [["p.a", "p.b", "p.c"], ["p.e"]]
    assert import_cycles(graph, "q") == [["q.x", "q.y"]]


def test_the_graph_reads_relative_imports():
    source = "from .agent import Turn\nfrom .. import errors\nfrom . import faults\n"
    assert _relative_imports(source, "nemo_cli.emulator.events") == {
        "nemo_cli.emulator.agent", "nemo_cli.emulator.agent.Turn", "nemo_cli", "nemo_cli.errors", "nemo_cli.emulator",
        "nemo_cli.emulator.faults"}
    assert _relative_imports("from .server import Emulator\n", "nemo_cli.emulator", is_package=True) == {
        "nemo_cli.emulator.server", "nemo_cli.emulator.server.Emulator"}


def test_the_emulator_imports_nothing_of_the_client_but_errors():
    assert offenders("nemo_cli.emulator", ("nemo_cli",), allowed=("nemo_cli.emulator", "nemo_cli.errors")) == []
    inside = ("nemo_cli.emulator", "nemo_cli.errors")
    assert [f"{mod} imports {target}" for mod, targets in IMPORT_GRAPH.items() if mod.startswith("nemo_cli.emulator.")
            for target in targets if not any(target == p or target.startswith(p + ".") for p in inside)] == []


def test_no_import_cycle_in_the_emulator():
    assert import_cycles(IMPORT_GRAPH, "nemo_cli.emulator") == []


def test_no_import_cycle_anywhere_in_src():
    """The whole package, not only the emulator: the command tree and the root group share the menu through
    commands/menu.py, and docgen's pages import docgen.facts, not the docgen package that imports them."""
    assert import_cycles(IMPORT_GRAPH) == []
