"""The layout keeps its promises: no import cycles, exact public APIs, modules that import on their own,
and no reference to documents outside the repository.

These checks apply to every module under ``src/`` and ``plugins/*/src`` — including ones added later —
and their messages say what to change.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE_ROOTS = [ROOT / "src", *sorted((ROOT / "plugins").glob("*/src"))]
CORE = "dualprev_core"


@attrs.frozen
class Module:
    name: str
    path: Path
    is_package: bool

    @property
    def public(self) -> bool:
        """A module is private when any part of its dotted name starts with ``_``."""
        return not any(part.startswith("_") for part in self.name.split("."))


def modules() -> dict[str, Module]:
    out: dict[str, Module] = {}
    for src in SOURCE_ROOTS:
        for path in sorted(src.rglob("*.py")):
            parts = list(path.relative_to(src).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            out[".".join(parts)] = Module(".".join(parts), path, is_package)
    return out


MODULES = modules()


@attrs.frozen
class Edge:
    source: str
    target: str
    line: int
    where: str  # "module level" or "in function f"

    def __str__(self) -> str:
        return f"{self.source} imports {self.target} ({MODULES[self.source].path.relative_to(ROOT)}:{self.line}, {self.where})"


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """Nodes under ``if TYPE_CHECKING:`` (annotations only; never executed)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                out |= {id(n) for n in ast.walk(stmt)}
    return out


def _scopes(tree: ast.AST) -> Iterator[tuple[ast.AST, str]]:
    """Every node with the name of the function it runs in (``module level`` outside any)."""
    stack: list[tuple[ast.AST, str]] = [(tree, "module level")]
    while stack:
        node, where = stack.pop()
        yield node, where
        for child in ast.iter_child_nodes(node):
            inner = f"in function {child.name}" if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else where
            stack.append((child, inner))


def _targets(module: Module, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The project modules an import statement loads (the named module, or ``pkg.name`` when
    ``name`` is a submodule), plus the packages on the way that the importer is not inside."""
    if isinstance(node, ast.Import):
        named = [a.name for a in node.names]
    else:
        if node.level:
            base = module.name.split(".")
            if not module.is_package:
                base = base[:-1]
            base = base[: len(base) - (node.level - 1)]
            target = ".".join([*base, node.module] if node.module else base)
        else:
            target = node.module or ""
        named = [f"{target}.{a.name}" if f"{target}.{a.name}" in MODULES else target for a in node.names]
    out: list[str] = []
    for name in named:
        while name and name not in MODULES and "." in name:
            name = name.rsplit(".", 1)[0]
        if name not in MODULES:
            continue  # a third-party or standard-library module
        parts = name.split(".")
        # Importing a.b.c runs the __init__ of a and a.b first; count those the importer is not inside
        # (its own packages are already being imported) except the distribution's root façade.
        for i in range(2, len(parts)):
            pkg = ".".join(parts[:i])
            if pkg in MODULES and not module.name.startswith(pkg + ".") and pkg != module.name:
                out.append(pkg)
        out.append(name)
    return out


def import_edges() -> list[Edge]:
    edges: list[Edge] = []
    for module in MODULES.values():
        tree = ast.parse(module.path.read_text(encoding="utf-8"))
        skip = _type_checking_nodes(tree)
        for node, where in _scopes(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skip:
                for target in _targets(module, node):
                    if target != module.name:
                        edges.append(Edge(module.name, target, node.lineno, where))
    return edges


EDGES = import_edges()


def _graph(key) -> nx.DiGraph:
    g = nx.DiGraph()
    for e in EDGES:
        a, b = key(e.source), key(e.target)
        if a is not None and b is not None and a != b:
            g.add_edge(a, b)
            g.edges[a, b].setdefault("why", []).append(e)
    return g


def _cycle_report(g: nx.DiGraph, what: str) -> str:
    lines = []
    for component in nx.strongly_connected_components(g):
        if len(component) < 2:
            continue
        cycle = nx.find_cycle(g.subgraph(component))
        lines.append(f"import cycle between {what}: " + " -> ".join([a for a, _ in cycle] + [cycle[0][0]]))
        for a, b in cycle:
            lines += [f"    {e}" for e in dict.fromkeys(g.edges[a, b]["why"])]
    return "\n".join(lines)


def test_the_import_graph_sees_the_project():
    """The checks below are not vacuous: the graph holds the core and the packs, with function-level imports."""
    names = {e.source for e in EDGES}
    assert {"dualprev_core.assessment.assessment", "dualprev_core.cli.app", "dualprev_chemical.pack"} <= names
    assert any(e.where.startswith("in function") for e in EDGES)


def test_no_import_cycle_between_modules():
    """No module imports, directly or through others, a module that imports it — imports inside
    functions count (they only postpone the cycle to run time); ``if TYPE_CHECKING:`` imports do not.

    To fix a cycle, move what both need into a lower module, pass it as an argument, or type it
    under ``if TYPE_CHECKING:``.
    """
    report = _cycle_report(_graph(lambda m: m), "modules")
    assert not report, "\n" + report


def _subpackage(name: str) -> str | None:
    """``dualprev_core.x.y`` -> ``dualprev_core.x``; the root façade itself is not a layer."""
    parts = name.split(".")
    if parts[0] != CORE or len(parts) == 1:
        return None
    return ".".join(parts[:2])


def test_sub_packages_form_layers():
    """The core's sub-packages (and top-level modules) form a directed acyclic graph: e.g. ``packs``
    may use ``grading`` but ``grading`` never reaches back into ``packs``, even inside a function."""
    report = _cycle_report(_graph(_subpackage), "sub-packages of dualprev_core")
    assert not report, "\n" + report


# ------------------------------------------------------------------------------- public API


def _defined_names(module: Module) -> dict[str, int]:
    """Names a module binds at top level by ``def``, ``class`` or assignment (not by import)."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"))
    out: dict[str, int] = {}

    def visit(stmts: list[ast.stmt]) -> None:
        for s in stmts:
            if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                out.setdefault(s.name, s.lineno)
            elif isinstance(s, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = s.targets if isinstance(s, ast.Assign) else [s.target]
                for t in targets:
                    for n in ast.walk(t):
                        if isinstance(n, ast.Name):
                            out.setdefault(n.id, s.lineno)
            elif type(s).__name__ == "TypeAlias":  # ``type X = ...`` (Python 3.12+)
                out.setdefault(s.name.id, s.lineno)  # type: ignore[attr-defined]
            elif isinstance(s, ast.If | ast.Try):
                visit(s.body)
                visit(s.orelse)
                for h in getattr(s, "handlers", []):
                    visit(h.body)
                visit(getattr(s, "finalbody", []))

    visit(tree.body)
    return out


PUBLIC = sorted(n for n, m in MODULES.items() if m.public)


@pytest.mark.parametrize("name", PUBLIC)
def test_all_lists_exactly_the_public_names(name):
    """Both ways: every name in ``__all__`` exists and is public; every public name the module defines
    (``def``, ``class``, assignment — not imports) is in ``__all__``.  A module whose name (or a
    package of which) starts with ``_`` is private and exempt."""
    module = MODULES[name]
    defined = _defined_names(module)
    mod = importlib.import_module(name)
    exported = getattr(mod, "__all__", None)
    rel = module.path.relative_to(ROOT)
    if exported is None:
        public = sorted(n for n in defined if not n.startswith("_"))
        assert not public, (f"{rel} defines public names {public} but has no __all__: list them in __all__, "
                            f"prefix them with '_', or rename the module with a leading '_' if it is internal")
        return
    missing = [n for n in exported if not hasattr(mod, n)]
    assert not missing, f"{rel}: __all__ lists {missing}, which the module does not define or import"
    private = [n for n in exported if n.startswith("_") and n != "__version__"]
    assert not private, f"{rel}: __all__ lists private names {private}"
    duplicated = sorted({n for n in exported if list(exported).count(n) > 1})
    assert not duplicated, f"{rel}: __all__ lists {duplicated} more than once"
    unlisted = sorted(n for n in defined if not n.startswith("_") and n not in exported and n not in {"__all__"})
    assert not unlisted, (f"{rel}: public names not in __all__: "
                          + ", ".join(f"{n} (line {defined[n]})" for n in unlisted)
                          + " — add them to __all__ or prefix them with '_'")


FRESH = [CORE, f"{CORE}.strategies", f"{CORE}.packs", f"{CORE}.cli.app", f"{CORE}.rules", f"{CORE}.assessment",
         f"{CORE}.hidden_dangers", f"{CORE}.loading", f"{CORE}.monitoring", f"{CORE}.graph"]


@pytest.mark.parametrize("name", FRESH)
def test_module_imports_first_in_a_fresh_interpreter(name):
    """Each of these imports on its own as the very first import (a cycle through a package's
    ``__init__`` or an entry point shows only there); ``dualprev_core.strategies`` is also loaded by
    hypothesis' entry point."""
    res = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0, f"'import {name}' fails in a fresh interpreter:\n{res.stderr[-3000:]}"


# ------------------------------------------------------------------------------- self-contained

#: Documents that exist only outside the repository; users of the library do not have them.
_OUTSIDE = re.compile(r"\b" + "DESIGN" + r"(\.md| §)|" + "standards" + r"-facts|reference/(durable-rules|style|outputs|data-exchange)|"
                      + r"\.\./" + "shared|/" + "work/|" + "fact " + "sheet")


def test_no_file_refers_to_documents_outside_the_repository():
    """Docs, code, data and tests stand on their own: the design is written in docs/ (see
    docs/semantics.md and docs/architecture.md), sources are named by their public address."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()
    hits = []
    for f in files:
        path = ROOT / f
        if not path.is_file() or path.suffix in {".png", ".jpg", ".gz", ".xlsx", ".pdf"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if _OUTSIDE.search(line):
                hits.append(f"{f}:{n}: {line.strip()[:160]}")
    assert not hits, "these lines refer to documents users do not have; write what they need in docs/ instead:\n" + "\n".join(hits)


_TIMING = re.compile(r"^\s*assert\b.*(perf_counter|process_time|time\.time|monotonic|elapsed|duration)", re.M)


def test_no_test_asserts_a_wall_clock_bound():
    """Performance is measured in bench/ (figures side by side in one run), never asserted in a test:
    a timed assertion fails on a busy machine and proves nothing on a fast one."""
    hits = []
    for path in sorted([*(ROOT / "tests").rglob("*.py"), *(ROOT / "plugins").glob("*/tests/**/*.py")]):
        for m in _TIMING.finditer(path.read_text(encoding="utf-8")):
            line = path.read_text(encoding="utf-8")[: m.start()].count("\n") + 1
            hits.append(f"{path.relative_to(ROOT)}:{line}: {m.group(0).strip()}")
    assert not hits, "timing assertions in tests (move the measurement to bench/):\n" + "\n".join(hits)
