"""The package map holds: who may import whom, no import circles, a docstring per package.

The import graph is read with `ast` from the sources, not from a running interpreter, so it sees
every import: at module top, inside functions and methods, under ``if TYPE_CHECKING:``, in the
relative forms (``from . import x``, ``from ..a import b``) and as ``import a.b.c``. Each import
is resolved to the module it names: ``from p import x`` names the module ``p.x`` when ``x`` is a
submodule, else the package ``p`` itself (its ``__init__.py``); ``import a.b.c`` names ``a.b.c``.
The rules are DESIGN.md's "Layout" and docs/architecture.md: the wings below never import the
faces above them, and no module reaches itself again through its imports.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT_PACKAGE = "leonet"

# Packages whose modules are run by a tool from their path, never imported: Alembic loads
# `migrations/env.py` and the version scripts itself (pyproject's pytest `norecursedirs` too).
NOT_IMPORTED = ("migrations",)

# Wing -> the wings it must never import (DESIGN.md "Layout"; issue 11 "Done means").
# A wing is the first name under `leonet`; `cli` is the module `leonet.cli`.
FACES = ("server", "commands", "cli")
FORBIDDEN: Mapping[str, tuple[str, ...]] = {
    "physics": ("control", "regional", "scenario", "reporting", "distributed", *FACES),
    # `control.detect` hands a run with ``client=`` to `distributed` (as `regional` does).
    "control": ("regional", "scenario", "reporting", *FACES),
    "distributed": ("control", "regional", "scenario", "reporting", *FACES),
    "regional": ("scenario", "reporting", *FACES),
    "scenario": ("reporting", *FACES),
    "reporting": FACES,
    "packets": ("control", "regional", "scenario", "reporting", *FACES),
    "server": ("commands", "cli"),
    # Shared by every wing, like `errors`: it may import nothing of leonet.
    "notebook": ("physics", "control", "regional", "scenario", "reporting", "distributed",
                 "packets", "data", *FACES),
}


@dataclass(frozen=True)
class Import:
    """One import statement's target, resolved: `source` imports module `target` at `line`."""

    source: str
    target: str
    line: int


def module_files(src: Path, package: str = ROOT_PACKAGE) -> dict[str, Path]:
    """Every module of `package` under `src`, by dotted name (a package by its ``__init__``)."""
    modules: dict[str, Path] = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        if any(part in NOT_IMPORTED for part in parts):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _is_package(modules: Mapping[str, Path], name: str) -> bool:
    return modules[name].name == "__init__.py"


def _imports_of(name: str, path: Path, modules: Mapping[str, Path]) -> Iterator[Import]:
    """The modules of `modules` that `name` imports, anywhere in its file."""
    package = name if _is_package(modules, name) else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    yield Import(name, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            if stem not in modules:
                continue
            for alias in node.names:
                sub = f"{stem}.{alias.name}"
                yield Import(name, sub if sub in modules else stem, node.lineno)


def import_graph(src: Path, package: str = ROOT_PACKAGE) -> dict[str, list[Import]]:
    """Module -> its imports of other modules of `package`, read from the sources under `src`."""
    modules = module_files(src, package)
    return {name: sorted(set(_imports_of(name, path, modules)), key=lambda i: (i.line, i.target))
            for name, path in modules.items()}


def wing(module: str) -> str:
    """The first name under the root package: ``leonet.control.policy.core`` -> ``control``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layering_violations(graph: Mapping[str, list[Import]],
                        forbidden: Mapping[str, tuple[str, ...]] = FORBIDDEN) -> list[str]:
    """Each import of a wing that the importer's wing must not use, as a readable line."""
    return [f"{i.source}:{i.line} imports {i.target} ({wing(i.source)} must not import "
            f"{wing(i.target)})"
            for imports in graph.values() for i in imports
            if wing(i.target) in forbidden.get(wing(i.source), ())]


def import_cycles(graph: Mapping[str, list[Import]]) -> list[list[Import]]:
    """One cycle through every strongly connected group of modules (Tarjan), as its imports.

    Empty when the graph is a DAG; a module importing itself is a cycle of one.
    """
    edges = {m: sorted({i.target for i in imports if i.target in graph})
             for m, imports in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(start: str) -> None:
        # Iterative Tarjan: the import graph is deep enough to make recursion fragile.
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(edges[target])))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1 or node in edges[node]:
                        groups.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return [_cycle_in(group, graph) for group in sorted(groups)]


def _cycle_in(group: list[str], graph: Mapping[str, list[Import]]) -> list[Import]:
    """A shortest cycle through the first module of a strongly connected `group` (BFS)."""
    members = set(group)
    start = group[0]
    came_by: dict[str, Import] = {}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for imp in graph[module]:
                if imp.target not in members:
                    continue
                if imp.target == start:
                    path = [imp]
                    while path[0].source != start:
                        path.insert(0, came_by[path[0].source])
                    return path
                if imp.target not in came_by:
                    came_by[imp.target] = imp
                    following.append(imp.target)
        frontier = following
    raise AssertionError(f"{group} is not strongly connected")


def describe_cycle(cycle: list[Import]) -> str:
    """``a -> b (a:3) -> a (b:7)``: the path with the line of each import."""
    steps = [f"{i.target} ({i.source}:{i.line})" for i in cycle]
    return " -> ".join([cycle[0].source, *steps])


# --- the tree as it is ------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> dict[str, list[Import]]:
    return import_graph(SRC)


def test_the_graph_sees_the_tree(graph: dict[str, list[Import]]) -> None:
    # A guard on the reader itself: it finds the facade's imports of both wings.
    targets = {i.target for i in graph["leonet.api"]}
    assert any(wing(t) == "physics" for t in targets)
    assert any(wing(t) == "control" for t in targets)
    assert len(graph) > 100


def test_no_wing_imports_one_above_it(graph: dict[str, list[Import]]) -> None:
    violations = layering_violations(graph)
    assert not violations, "layering broken:\n" + "\n".join(violations)


def test_no_import_cycles(graph: dict[str, list[Import]]) -> None:
    cycles = import_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(map(describe_cycle, cycles))


def test_nothing_below_imports_the_facade(graph: dict[str, list[Import]]) -> None:
    # `leonet.api` re-exports the wings for users; a module that imported it would depend on
    # every wing at once (DESIGN.md: "no package imports a face").
    users = [f"{i.source}:{i.line}" for imports in graph.values() for i in imports
             if i.target == "leonet.api"]
    assert not users, f"imports of leonet.api: {users}"


# Issue 11: only the facade, the command line, the errors and the package files sit at the top;
# every other module is in a package whose name says its job.
TOP_LEVEL_MODULES = {"__init__.py", "__main__.py", "api.py", "cli.py", "errors.py"}


def test_top_level_holds_only_the_facade_cli_and_errors() -> None:
    loose = sorted(p.name for p in (SRC / ROOT_PACKAGE).glob("*.py")
                   if p.name not in TOP_LEVEL_MODULES)
    assert not loose, f"modules at the top of src/leonet/ (move each into a package): {loose}"


# --- package docstrings -----------------------------------------------------------------

# "May import ...", "imports nothing of leonet", "never imports ..." and the like.
SAYS_WHAT_IT_MAY_IMPORT = re.compile(
    r"\b(may|must|never|only|nothing)\b[^.]*\bimport|\bimports?\b[^.]*\b(nothing|only|never)\b",
    re.I)


def package_dirs(src: Path, package: str = ROOT_PACKAGE) -> list[Path]:
    """Every folder under the package that holds Python files or an ``__init__.py``."""
    return sorted({p.parent for p in (src / package).rglob("*.py")
                   if not any(part in NOT_IMPORTED for part in p.relative_to(src).parts)})


def docstring_problem(folder: Path) -> str | None:
    """Why `folder`'s ``__init__.py`` docstring is not one paragraph saying what the package
    holds and what it may import, or None when it is."""
    init = folder / "__init__.py"
    if not init.is_file():
        return "no __init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    if not doc:
        return "no docstring"
    # The first paragraph is the summary; doctest examples and lists may follow it.
    summary = doc.split("\n\n")[0]
    rule = SAYS_WHAT_IT_MAY_IMPORT.search(summary)
    if rule is None:
        return f"its first paragraph does not say what it may import: {summary[:80]!r}..."
    if len(summary[:rule.start()].split()) < 5:
        return f"its first paragraph does not say what it holds: {summary[:80]!r}..."
    return None


def _package_cases() -> list[object]:
    cases: list[object] = []
    for folder in package_dirs(SRC):
        name = ".".join(folder.relative_to(SRC).parts)
        cases.append(pytest.param(folder, id=name))
    return cases


@pytest.mark.parametrize("folder", _package_cases())
def test_package_docstring_says_what_it_holds_and_may_import(folder: Path) -> None:
    problem = docstring_problem(folder)
    assert problem is None, f"{folder.relative_to(SRC)}: {problem}"


# --- the checker fails when it should: small synthetic trees -----------------------------


def _tree(root: Path, files: Mapping[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_checker_finds_a_cycle_through_a_function_level_and_relative_import(
        tmp_path: Path) -> None:
    src = _tree(tmp_path, {
        "leonet/__init__.py": '"""Root."""\n',
        "leonet/control/__init__.py": '"""Control."""\n',
        "leonet/control/a.py": "from leonet.control import b\n",
        "leonet/control/b.py": "import leonet.control.c\n",
        "leonet/control/c.py": "def f():\n    from . import a\n    return a\n",
        "leonet/control/d.py": "from .a import thing\n",
    })
    cycles = import_cycles(import_graph(src))
    assert len(cycles) == 1
    assert describe_cycle(cycles[0]) == (
        "leonet.control.a -> leonet.control.b (leonet.control.a:1) -> leonet.control.c "
        "(leonet.control.b:1) -> leonet.control.a (leonet.control.c:2)")


def test_checker_counts_an_import_of_a_package_as_its_init(tmp_path: Path) -> None:
    # `pkg/__init__` re-exports `pkg.core`, which imports a name from `pkg`: a cycle.
    src = _tree(tmp_path, {
        "leonet/__init__.py": "",
        "leonet/physics/__init__.py": "from leonet.physics.core import f\n",
        "leonet/physics/core.py": "from leonet.physics import g\n",
    })
    assert [describe_cycle(c) for c in import_cycles(import_graph(src))] == [
        "leonet.physics -> leonet.physics.core (leonet.physics:1) -> leonet.physics "
        "(leonet.physics.core:1)"]


def test_checker_finds_physics_importing_control(tmp_path: Path) -> None:
    src = _tree(tmp_path, {
        "leonet/__init__.py": "",
        "leonet/physics/__init__.py": "",
        "leonet/physics/links.py": (
            "import numpy\n\n"
            "def decide():\n"
            "    from ..control.policy import Policy\n"
            "    return Policy\n"),
        "leonet/control/__init__.py": "",
        "leonet/control/policy/__init__.py": "from leonet.physics import links\n",
        "leonet/reporting/__init__.py": "import leonet.control.policy\n",
    })
    graph = import_graph(src)
    assert layering_violations(graph) == [
        "leonet.physics.links:4 imports leonet.control.policy (physics must not import control)"]
    # control -> physics and reporting -> control are allowed; this pair is a cycle, though.
    assert [describe_cycle(c) for c in import_cycles(graph)] == [
        "leonet.control.policy -> leonet.physics.links (leonet.control.policy:1) -> "
        "leonet.control.policy (leonet.physics.links:4)"]


def test_checker_passes_a_clean_tree_and_flags_bad_docstrings(tmp_path: Path) -> None:
    src = _tree(tmp_path, {
        "leonet/__init__.py": '"""The root of a small tree; imports nothing of leonet."""\n',
        "leonet/physics/__init__.py": (
            '"""Orbits and links of a small sky. May import `leonet.errors` only.\n\n'
            '>>> 1 + 1\n2\n"""\n'),
        "leonet/physics/a.py": "from leonet.physics import b\n",
        "leonet/physics/b.py": "import math\n",
        "leonet/control/__init__.py": '"""Decisions of a small tree.\n\nMay import physics."""\n',
        "leonet/control/x.py": "from leonet.physics.a import b\n",
        "leonet/regional/__init__.py": '"""May import anything."""\n',
        "leonet/server/y.py": "",
    })
    graph = import_graph(src)
    assert layering_violations(graph) == []
    assert import_cycles(graph) == []
    problems = {folder.name: docstring_problem(folder) for folder in package_dirs(src)}
    assert problems["leonet"] is None
    assert problems["physics"] is None
    assert problems["control"].startswith("its first paragraph does not say what it may import")
    assert problems["regional"].startswith("its first paragraph does not say what it holds")
    assert problems["server"] == "no __init__.py"
