"""The module layout: no import circles, and the demo site apart from the product code."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("crawler", "pipelines")
# The only product modules that start a replica (``--replica``, snapshot choice).
REPLICA_USERS = {"crawler.crawl", "crawler.cli"}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules imported anywhere in a file, function-level imports included.

    ``from a.b import c`` counts as an import of ``a.b.c`` when that is a module, else of
    ``a.b``. A package is not counted as imported by its own submodules (Python initialises
    the parent first; that is no circle)."""
    name = module_name(path)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in modules else node.module)
    return {m for m in found if m in modules and m != name and not name.startswith(m + ".")}


def test_no_import_circles_in_the_product_code():
    modules = project_modules()
    graph = {name: imports_of(path, modules) for name, path in modules.items()}
    try:
        list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        raise AssertionError(f"import circle: {' -> '.join(exc.args[1])}") from None


def test_replica_is_one_package_only_the_crawl_starts():
    modules = project_modules()
    replica = {m for m in modules if m == "crawler.replica" or m.startswith("crawler.replica.")}
    assert {"crawler.replica.server", "crawler.replica.build", "crawler.replica.sites"} <= replica
    users = {
        name
        for name, path in modules.items()
        if name not in replica and any(m in replica for m in imports_of(path, modules))
    }
    assert users == REPLICA_USERS
