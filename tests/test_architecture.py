"""The house plan, checked on the code itself: no import cycle (imports inside functions
included), no SPARQL written in the server's Python, modules and functions of a readable size,
and query executors that load neither rdflib nor Flask."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from territoires.config import ROOT

PACKAGE = ROOT / "territoires"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50

# The folders by layer, lowest first: a module imports only from its own folder and from the
# layers below it. Packages on one row stand side by side and do not import each other.
LAYERS = (
    ("config",),
    ("vocabulary",),
    ("queries",),
    ("sources",),
    ("store",),
    ("build",),
    ("web", "linking", "importer"),
    ("cli",),
)

# What only SPARQL text looks like: a group after WHERE, a projection, a template, a pattern in
# a named graph, a prefix declaration.
SPARQL = re.compile(r"\bWHERE\s*\{|\bSELECT\s+(?:DISTINCT\s+)?[?*(]|\bCONSTRUCT\s*\{|\bASK\s*\{"
                    r"|\bGRAPH\s+[?<]\S*\s*\{|\bPREFIX\s+\w*:\s*<|\bVALUES\s+[?(]")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The project modules `path` imports, wherever the import statement is (functions too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            # `from pkg import x`: x is a module of its own, or a name of pkg.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        else:
            continue
        found |= {t for t in targets if t in known}
    return found - {name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_package_has_no_import_cycle():
    known = modules()
    graph = {name: imports(path, name, set(known)) for name, path in known.items()}
    assert graph["territoires.web.app"] >= {"territoires.store", "territoires.web.context"}
    assert cycles(graph) == []


def test_the_cycle_check_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def layer(name: str) -> tuple[int, str]:
    """The row of LAYERS a module belongs to, and its folder (or top-level module)."""
    folder = name.split(".")[1] if "." in name else ""
    for row, folders in enumerate(LAYERS):
        if folder in folders:
            return row, folder
    raise LookupError(f"{name}: in no layer of LAYERS; put it in a layer's folder")


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for name, targets in graph.items():
        if name == "territoires":
            continue
        row, folder = layer(name)
        for target in sorted(targets):
            other_row, other_folder = layer(target)
            if other_folder != folder and other_row >= row:
                found.append(f"{name} imports {target}: {other_folder} is not below {folder}")
    return found


def test_every_module_is_in_a_layer_and_imports_only_below_it():
    known = modules()
    graph = {name: imports(path, name, set(known)) for name, path in known.items()}
    assert {name.split(".")[1] for name in known if "." in name} <= {
        folder for row in LAYERS for folder in row}
    assert layer_violations(graph) == []


def test_the_layer_check_finds_an_import_upwards_or_sideways():
    graph = {"territoires.store.local": {"territoires.web.app", "territoires.config"},
             "territoires.web.app": {"territoires.linking.client", "territoires.web.context"},
             "territoires.web.context": set()}
    assert layer_violations(graph) == [
        "territoires.store.local imports territoires.web.app: web is not below store",
        "territoires.web.app imports territoires.linking.client: linking is not below web"]


def test_imports_inside_functions_are_seen(tmp_path):
    source = tmp_path / "territoires" / "m.py"
    source.parent.mkdir()
    source.write_text("def f():\n    from .store import local\n")
    known = {"territoires.store", "territoires.store.local"}
    assert imports(source, "territoires.m", known) == {"territoires.store.local"}


def test_no_sparql_is_written_in_python():
    """Every query the server and the build run is a named .rq file (territoires/queries/); only
    their loader writes SPARQL: the VALUES block that binds a list of values."""
    loader = PACKAGE / "queries" / "loader.py"
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in modules().values() if path != loader
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if SPARQL.search(line)]
    assert found == []


@pytest.mark.parametrize("text", [
    'q = f"SELECT ?s WHERE {{ ?s ?p ?o }}"', "ASK { ?s ?p ?o }", "PREFIX ti: <def/territoires#>",
    "  GRAPH <x> { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o }", "SELECT DISTINCT ?g"])
def test_the_sparql_check_sees_sparql(text):
    assert SPARQL.search(text)


def test_modules_and_functions_are_of_a_readable_size():
    long = []
    for path in modules().values():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_MODULE_LINES:
            long.append(f"{path.relative_to(ROOT)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length}")
    assert long == []


def test_query_executors_load_neither_rdflib_nor_flask():
    """An executor process imports territoires.store.process and what it needs, nothing more."""
    code = ("import sys, territoires.store.process; "
            "print(sorted(m for m in ('rdflib', 'flask', 'werkzeug') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"
