"""Imports only go downwards (docs/architecture.md, Layers).

The layer order is declared once: the order of the ``techtransfer.*`` apps in ``INSTALLED_APPS``, bottom first.
``config`` (settings, URL map, API root) and the ``techtransfer`` command line sit on top of every app. This test
reads every module's imports with ``ast`` (module level and inside functions, relative imports resolved) and
fails on
- an import from an app to an app above it (which also rules out every app-level cycle),
- a circle of imports between modules of the package (modules that depend on each other),
- an import inside a function without a comment saying why (only a real cycle with Django's loading, a heavy
  optional library or a start-up cost justifies one).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

PACKAGE = "techtransfer"
SRC = Path(__file__).resolve().parent.parent / "src" / PACKAGE
TOP = ("config", "cli", "__main__")  # above every app: they assemble the platform


def layer_order() -> list[str]:
    """The apps, bottom first, as INSTALLED_APPS declares them, then the top modules."""
    apps = [name.split(".")[1] for name in settings.INSTALLED_APPS if name.startswith(f"{PACKAGE}.")]
    return apps + list(TOP)


@dataclass(frozen=True)
class Import:
    module: str  # importing module, dotted
    target: str  # imported module (or module.name), dotted
    line: int
    in_function: bool
    commented: bool
    type_checking: bool


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def read_imports(root: Path) -> list[Import]:
    """Every import of every module below ``root`` (a package folder)."""
    found: list[Import] = []
    for path in sorted(root.rglob("*.py")):
        module = _module_name(path, root)
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source, str(path))

        def visit(node, in_function=False, type_checking=False):
            for child in ast.iter_child_nodes(node):
                inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
                guarded = type_checking or (
                    isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test)
                )
                if isinstance(child, ast.Import | ast.ImportFrom):
                    if isinstance(child, ast.Import):
                        targets = [alias.name for alias in child.names]
                    else:
                        base = _resolve(child, module, path.name == "__init__.py")
                        targets = [f"{base}.{alias.name}" for alias in child.names]
                    line = child.lineno
                    commented = "#" in lines[line - 1] or (line > 1 and lines[line - 2].strip().startswith("#"))
                    found.extend(Import(module, t, line, in_function, commented, guarded) for t in targets)
                visit(child, inner, guarded)

        visit(tree)
    return found


def _app_of(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == PACKAGE else None


def upward_imports(imports: list[Import], order: list[str]) -> list[str]:
    rank = {app: i for i, app in enumerate(order)}
    problems = []
    for imp in imports:
        source, target = _app_of(imp.module), _app_of(imp.target)
        if source is None or target is None or target == source or target not in rank:
            continue  # not ours, or the package face (``techtransfer.__version__``)
        if source not in rank:
            problems.append(f"{imp.module}:{imp.line}: app {source!r} is not in the layer order")
        elif rank[target] > rank[source]:
            problems.append(f"{imp.module}:{imp.line} imports {imp.target}: {source} is below {target}")
    return problems


def module_circles(imports: list[Import], modules: set[str]) -> list[list[str]]:
    """Strongly connected groups of two or more modules tied by imports (an import moved into a function to dodge
    a circle still counts: the modules still depend on each other)."""
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for imp in imports:
        if imp.type_checking:
            continue
        target = imp.target if imp.target in modules else imp.target.rpartition(".")[0]
        if target in modules and target != imp.module:
            graph[imp.module].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return circles


def uncommented_function_imports(imports: list[Import]) -> list[str]:
    return [f"{imp.module}:{imp.line} imports {imp.target}" for imp in imports if imp.in_function and not imp.commented]


def _modules(root: Path) -> set[str]:
    return {_module_name(p, root) for p in root.rglob("*.py")}


# --- the platform ------------------------------------------------------------------------------------------------


def test_every_app_is_in_the_layer_order():
    order = layer_order()
    apps = {p.name for p in SRC.iterdir() if (p / "__init__.py").exists()}
    assert apps - set(order) == set(), "add the app to INSTALLED_APPS at its layer"


def test_imports_only_go_downwards():
    assert upward_imports(read_imports(SRC), layer_order()) == []


def test_no_circle_of_module_imports():
    assert module_circles(read_imports(SRC), _modules(SRC)) == []


def test_imports_inside_functions_say_why():
    assert uncommented_function_imports(read_imports(SRC)) == []


# --- the checker itself: it must fail on what it forbids ---------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / PACKAGE
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for folder in [root, *[p for p in root.rglob("*") if p.is_dir()]]:
        (folder / "__init__.py").touch()
    return root


def test_checker_fails_on_a_deliberate_upward_import(tmp_path):
    root = _tree(
        tmp_path,
        {
            "core/views.py": "from techtransfer.trading.models import Auction\n",
            "trading/models.py": "from techtransfer.core import views\nfrom ..core.errors import DomainError\n",
            "catalog/services.py": "def f():\n    from . import models\n    from techtransfer.trading import x\n",
            "core/errors.py": "",
        },
    )
    problems = upward_imports(read_imports(root), ["core", "catalog", "trading", *TOP])
    assert problems == [
        "techtransfer.catalog.services:3 imports techtransfer.trading.x: catalog is below trading",
        "techtransfer.core.views:1 imports techtransfer.trading.models.Auction: core is below trading",
    ]


def test_checker_fails_on_a_module_circle_and_an_unexplained_function_import(tmp_path):
    root = _tree(
        tmp_path,
        {
            "matching/a.py": "from techtransfer.matching import b\n",
            "matching/b.py": "from .c import thing\n",
            "matching/c.py": "from techtransfer.matching.a import other\n"
            "def later():\n    from techtransfer.matching import d  # optional: d is slow to load\n"
            "    from techtransfer.matching import e\n",
            "matching/d.py": "",
            "matching/e.py": "",
        },
    )
    imports = read_imports(root)
    assert module_circles(imports, _modules(root)) == [
        ["techtransfer.matching.a", "techtransfer.matching.b", "techtransfer.matching.c"]
    ]
    assert uncommented_function_imports(imports) == ["techtransfer.matching.c:4 imports techtransfer.matching.e"]
