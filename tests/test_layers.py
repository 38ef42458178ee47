"""The layers point one way: a contract over every module's imports (read with ``ast``).

- **Libraries** (``workflows/``, ``search_index/``) never import the app (``expertnet``)
  nor Flask: they are usable, and tested, without either.
- **Services** (models, operations, queries, services, commands, everything in ``core/``)
  never import a page module (``<feature>/views``) or an API module (``expertnet/api/``,
  ``<feature>/api.py``): the edges call them, never the other way round.
- **Pages and API never import each other**, and a page module imports no other feature's
  page modules: what two edges share lives below them (``core/web.py``, ``core/urls.py``,
  a feature's ``queries.py``, ``downloads.py``...).
- Only the app's wiring (``expertnet/__init__.py``, ``app_setup.py``) imports the edges to
  register them, and only it imports the top-level command line (``expertnet/cli.py``).

Every import counts, also one inside a function (a lazy import is still a dependency);
imports under ``if TYPE_CHECKING:`` do not, since they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = "expertnet"
LIBRARIES = ("workflows", "search_index")
#: Modules that put the application together: they may import every layer.
WIRING = frozenset({APP, f"{APP}.app_setup", f"{APP}.cli"})


# --- the checker ----------------------------------------------------------------------------


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """Line numbers inside ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for child in node.body:
                    lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(path: Path, module: str, known: set[str]) -> list[tuple[str, int]]:
    """The modules ``module`` (at ``path``) imports: ``(dotted name, line)``.

    ``from package import name`` counts as importing ``package.name`` when that is a module.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skip = _type_checking_lines(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.append((sub if sub in known else target, node.lineno))
    return out


def import_graph(root: Path, packages: tuple[str, ...]) -> dict[str, list[tuple[str, int]]]:
    paths = {
        module_name(root, p): p
        for package in packages
        for p in sorted((root / package).rglob("*.py"))
        if "migrations" not in p.parts
    }
    known = set(paths)
    return {m: imports_of(p, m, known) for m, p in paths.items()}


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def layer(module: str, app: str = APP, libraries: tuple[str, ...] = LIBRARIES) -> str:
    """``library``, ``wiring``, ``api``, ``view``, ``service`` or ``outside`` (third party)."""
    if any(_within(module, lib) for lib in libraries):
        return "library"
    if not _within(module, app):
        return "outside"
    if module in {app, f"{app}.app_setup", f"{app}.cli"}:
        return "wiring"
    parts = module.split(".")
    if _within(module, f"{app}.api") or (len(parts) >= 3 and parts[2] == "api"):
        return "api"
    if len(parts) >= 3 and parts[2] == "views":
        return "view"
    return "service"


def feature(module: str) -> str:
    """``expertnet.consultation.views.panel`` → ``expertnet.consultation``."""
    return ".".join(module.split(".")[:2])


def violations(
    graph: dict[str, list[tuple[str, int]]],
    app: str = APP,
    libraries: tuple[str, ...] = LIBRARIES,
) -> list[str]:
    """Every import that breaks the contract, as ``importer:line -> imported (rule)``."""
    found = []
    for module, imports in sorted(graph.items()):
        mine = layer(module, app, libraries)
        for target, line in imports:
            theirs = layer(target, app, libraries)
            rule = None
            if mine == "library":
                if _within(target, app) or target.split(".")[0].startswith(("flask", "flask_")):
                    rule = "a library imports the app or Flask"
            elif target == f"{app}.cli" and mine != "wiring":
                rule = "only the wiring imports the command line"
            elif mine == "service" and theirs in ("view", "api"):
                rule = f"a service imports {'a page' if theirs == 'view' else 'the API'}"
            elif mine == "view" and theirs == "api":
                rule = "a page imports the API"
            elif mine == "api" and theirs == "view":
                rule = "the API imports a page"
            elif mine == "view" and theirs == "view" and feature(module) != feature(target):
                rule = "a page imports another feature's pages"
            if rule:
                found.append(f"{module}:{line} -> {target} ({rule})")
    return found


# --- the contract, on this code base --------------------------------------------------------


def test_the_layers_point_one_way():
    graph = import_graph(ROOT, (APP, *LIBRARIES))
    assert len(graph) > 100  # the scan found the code base
    assert violations(graph) == []


def queries_built_in(path: Path) -> list[int]:
    """Lines where the module calls SQLAlchemy's ``select(...)`` itself."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "select")
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "select")
        )
    ]


def test_pages_and_api_build_no_queries():
    """Views and API read through their feature's ``queries.py`` (one read layer, shared);
    they never build a query themselves."""
    found = []
    for path in sorted((ROOT / APP).rglob("*.py")):
        module = module_name(ROOT, path)
        if layer(module) in ("view", "api"):
            found += [f"{module}:{line}" for line in queries_built_in(path)]
    assert found == []


def test_the_query_check_sees_a_query(tmp_path):
    page = tmp_path / "page.py"
    page.write_text("from sqlalchemy import select\nrows = db.session.scalars(select(X))\n")
    assert queries_built_in(page) == [2]


# --- the checker, on small made-up code bases -----------------------------------------------


def _write(root: Path, files: dict[str, str]) -> dict[str, list[tuple[str, int]]]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return import_graph(root, (APP, *LIBRARIES))


#: A small, clean application: pages and API share a helper in core and a query module.
CLEAN = {
    "expertnet/__init__.py": "from . import app_setup\n",
    "expertnet/app_setup.py": "from .shop import views, api\nfrom .cli import main\n",
    "expertnet/cli.py": "from .shop.commands import group\n",
    "expertnet/core/__init__.py": "",
    "expertnet/core/web.py": "import flask\n",
    "expertnet/api/__init__.py": "from ..core.web import page_of\nfrom ..shop import api\n",
    "expertnet/shop/__init__.py": "",
    "expertnet/shop/models.py": "from workflows import State\n",
    "expertnet/shop/queries.py": "from .models import Item\n",
    "expertnet/shop/commands.py": "from ..core.cli import CommandError\n",
    "expertnet/shop/views/__init__.py": "from . import orders\n",
    "expertnet/shop/views/orders.py": "from ._common import load\nfrom ..queries import items\n",
    "expertnet/shop/views/_common.py": "from ...core.web import page_of\n",
    "expertnet/shop/api.py": "from ..api import bp\nfrom .queries import items\n",
    "workflows/__init__.py": "from .model import State\n",
    "workflows/model.py": "import enum\n",
    "search_index/__init__.py": "import whoosh\n",
}


def test_checker_accepts_a_clean_code_base(tmp_path):
    graph = _write(tmp_path, CLEAN)
    assert "expertnet.shop.views.orders" in graph
    assert violations(graph) == []


@pytest.mark.parametrize(
    "name, text, expected",
    [
        (
            "expertnet/shop/queries.py",
            "def f():\n    from ..api import page_of\n",
            "expertnet.shop.queries:2 -> expertnet.api (a service imports the API)",
        ),
        (
            "expertnet/shop/operations.py",
            "from .views import orders\n",
            "expertnet.shop.operations:1 -> expertnet.shop.views.orders (a service imports a page)",
        ),
        (
            "expertnet/shop/api.py",
            "from .views._common import load\n",
            "expertnet.shop.api:1 -> expertnet.shop.views._common (the API imports a page)",
        ),
        (
            "expertnet/shop/views/orders.py",
            "from ...api import doc\n",
            "expertnet.shop.views.orders:1 -> expertnet.api (a page imports the API)",
        ),
        (
            "expertnet/other/views.py",
            "from ..shop.views._common import load\n",
            "expertnet.other.views:1 -> expertnet.shop.views._common "
            "(a page imports another feature's pages)",
        ),
        (
            "expertnet/shop/commands.py",
            "from ..cli import CommandError\n",
            "expertnet.shop.commands:1 -> expertnet.cli (only the wiring imports the command line)",
        ),
        (
            "workflows/model.py",
            "import enum\nfrom expertnet.core import roles\n",
            "workflows.model:2 -> expertnet.core (a library imports the app or Flask)",
        ),
        (
            "search_index/__init__.py",
            "from flask import current_app\n",
            "search_index:1 -> flask (a library imports the app or Flask)",
        ),
    ],
)
def test_checker_reports_a_new_violation(tmp_path, name, text, expected):
    graph = _write(tmp_path, {**CLEAN, name: text})
    assert violations(graph) == [expected]


def test_checker_ignores_type_checking_imports(tmp_path):
    text = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..api import bp\n"
    graph = _write(tmp_path, {**CLEAN, "expertnet/shop/queries.py": text})
    assert violations(graph) == []
