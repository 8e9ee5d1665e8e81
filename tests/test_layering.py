"""The layering rule (CONTRIBUTING.md), checked on the source: which project module imports which.

Layers, bottom to top: `foundation` (site-wide machinery: page cache, API plumbing, the cache
client), `catalog`, `community`, `fansite`. A module may import its own layer and those below it,
never one above; `bench` and `tests` sit outside and nothing in the site imports them.
Migrations are held to the same rule as their app: community's name `catalog.images` (the
upload paths of its fields), which is downward; they must never import a higher layer, or a
historical migration would break whenever that layer changed.

The imports are read with `ast`, not by importing anything, so a module that is never loaded
(a management command, a migration) is checked as well, and a violation is named by file and line.

Two checks:

- Upward imports: every import statement counts, wherever it is (module level, inside a function,
  under `if TYPE_CHECKING:`). A lazy import inside a function still makes the lower layer depend
  on the higher one; only the moment of failure changes.
- Import circles among project modules: every import that runs, at module level or inside a
  function. An import moved into a function is the usual way to hide a circle (the alert badge
  imported the follow views that way, while they imported the badge's cache key): it no longer
  fails at start-up, but the two modules still need each other, so neither can be read, tested
  or moved alone. The way out is the shared piece in a module of its own. Imports under
  `if TYPE_CHECKING:` are left out: they never run, and mypy reads annotations in any order.
  An edge goes to the module named: `from pkg import name` goes to `pkg.name` when that is a
  module, else to `pkg` (its `__init__`); the parent packages Python also loads for a dotted name
  are left out, as a package may import its own submodules.

Dotted paths in strings (settings' INSTALLED_APPS, REST_FRAMEWORK, `include("catalog.urls")`)
are not imports and are not checked here; Django resolves them once every app is loaded.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Bottom to top: each layer may import those before it.
LAYERS = ("foundation", "catalog", "community", "fansite")
OUTSIDE = ("bench", "tests")  # may import the site; the site never imports them


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    target: str  # the imported project module, dotted
    path: str  # the importing file, from the project's root
    line: int
    runs: bool  # not only for the type checker (under `if TYPE_CHECKING:`)

    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _project_files() -> dict[str, Path]:
    files = {}
    for top in LAYERS:
        for path in sorted((ROOT / top).rglob("*.py")):
            files[_module_name(path, ROOT)] = path
    return files


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(tree: ast.Module) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import in the module, anywhere, and whether it ever runs."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def visit(node: ast.AST, runs: bool) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append((node, runs))
            return
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.body:
                visit(statement, False)
            for statement in node.orelse:
                visit(statement, runs)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, runs)

    visit(tree, True)
    return found


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute name `from …x import` refers to."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _top(name: str) -> str:
    return name.split(".")[0]


def _imports(files: dict[str, Path], root: Path = ROOT) -> list[Import]:
    project = {*LAYERS, *OUTSIDE}
    imports = []
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, runs in _statements(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = _resolve(module, path, node)
                # `from pkg import name`: the submodule pkg.name if there is one, else pkg.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base
                    for alias in node.names
                ]
            for target in dict.fromkeys(targets):  # `from x import a, b`: one edge
                if _top(target) in project:
                    where = path.relative_to(root).as_posix()
                    imports.append(Import(module, target, where, node.lineno, runs))
    return imports


def _rank(module: str) -> int:
    top = _top(module)
    return LAYERS.index(top) if top in LAYERS else len(LAYERS)  # outside: above everything


def upward_imports(imports: list[Import]) -> list[str]:
    return [
        f"{i.where()}: {i.source} imports {i.target}, a layer above {_top(i.source)}"
        for i in imports
        if _rank(i.target) > _rank(i.source)
    ]


def circles(imports: list[Import]) -> list[list[Import]]:
    """One shortest circle for each group of modules that need each other (a strongly connected
    component of the graph), through its first module in alphabetical order."""
    graph: dict[str, list[Import]] = {}
    for i in imports:
        if i.runs and i.target != i.source:
            graph.setdefault(i.source, []).append(i)
    found = []
    for group in _groups(graph):
        start = min(group)
        paths: dict[str, list[Import]] = {start: []}
        queue = [start]
        while queue:  # breadth first, back to `start`: the shortest circle through it
            current = queue.pop(0)
            for edge in graph.get(current, []):
                if edge.target == start:
                    found.append([*paths[current], edge])
                    queue = []
                    break
                if edge.target in group and edge.target not in paths:
                    paths[edge.target] = [*paths[current], edge]
                    queue.append(edge.target)
    return sorted(found, key=lambda circle: circle[0].source)


def _groups(graph: dict[str, list[Import]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for edge in graph.get(module, []):
            if edge.target not in index:
                visit(edge.target)
                low[module] = min(low[module], low[edge.target])
            elif edge.target in on_stack:
                low[module] = min(low[module], index[edge.target])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(group)

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return groups


def test_no_import_runs_up_a_layer():
    """catalog never imports community or fansite, community never imports fansite, foundation
    imports no app; no site module imports bench or tests."""
    problems = upward_imports(_imports(_project_files()))
    assert not problems, "Imports against the layering rule:\n" + "\n".join(problems)


def test_no_import_circles():
    found = circles(_imports(_project_files()))
    described = [
        " -> ".join([circle[0].source, *(f"{e.target} ({e.where()})" for e in circle)])
        for circle in found
    ]
    assert not found, "Import circles:\n" + "\n".join(described)


# ---- The checks themselves ----------------------------------------------------------------------


def _imports_of(tmp_path: Path, sources: dict[str, str]) -> list[Import]:
    files = {}
    for name, text in sources.items():
        path = tmp_path / (name.replace(".", "/") + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        files[name] = path
    return _imports(files, tmp_path)


def test_the_walk_reads_every_layer_and_the_migrations():
    """Guards the checks above against passing because they read nothing."""
    imports = _imports(_project_files())
    edges = {(i.source, i.target) for i in imports}
    assert ("catalog.api", "foundation.api") in edges
    assert ("community.apps", "community.invalidation") in edges  # inside ready()
    assert ("fansite.urls", "community.views.accounts") in edges
    assert ("community.migrations.0002_fans", "catalog.images") in edges


def test_an_upward_import_is_named_with_its_line(tmp_path):
    imports = _imports_of(
        tmp_path,
        {
            "catalog.views": "import os\n\nfrom fansite.urls import x, y\n",
            "fansite.urls": "from catalog import views\nfrom community import views\n",
            "community.views": "def f():\n    from fansite import urls\n",
            "foundation.api": "from community.security import client_ip\n",
            "catalog.migrations.0002_fans": "from community.models import User\n",
            "community.tasks": (
                "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import bench\n"
            ),
        },
    )
    assert upward_imports(imports) == [
        "catalog/views.py:3: catalog.views imports fansite.urls, a layer above catalog",
        "community/views.py:2: community.views imports fansite.urls, a layer above community",
        "foundation/api.py:1: foundation.api imports community.security, a layer above foundation",
        "catalog/migrations/0002_fans.py:1: catalog.migrations.0002_fans imports community.models,"
        " a layer above catalog",
        "community/tasks.py:4: community.tasks imports bench, a layer above community",
    ]


def test_a_circle_is_found_through_a_lazy_import_but_not_a_type_only_one(tmp_path):
    imports = _imports_of(
        tmp_path,
        {
            "community.views.follows": "from community.templatetags.follow_tags import a\n",
            "community.templatetags.follow_tags": "def tag():\n    from ..views import follows\n",
            "community.views.talk": "from community.views import ratings\n",
            "community.views.ratings": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from community.views import talk\n"
            ),
        },
    )
    assert [[edge.where() for edge in circle] for circle in circles(imports)] == [
        ["community/templatetags/follow_tags.py:2", "community/views/follows.py:1"]
    ]
