"""The KPI engine stores every producer's figures but never imports the apps that produce them (pop, training):
they register their producers with it (`kpis.producers`, from their AppConfig.ready). Checked on the source, so
a lazy import inside a function counts as much as one at the top of a module."""

from __future__ import annotations

import ast
from pathlib import Path

import kpis

KPIS_DIR = Path(kpis.__file__).parent
PRODUCER_APPS = ("pop", "training")


def _imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, module) for every import statement in the source, at any depth."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _from_producer_app(module: str) -> bool:
    return module.split(".")[0] in PRODUCER_APPS


def test_nothing_under_kpis_imports_pop_or_training() -> None:
    files = sorted(KPIS_DIR.rglob("*.py"))
    assert len(files) > 40  # the scan sees the app, its definitions, commands, migrations and tests
    offending = [f"{path.relative_to(KPIS_DIR.parent)}:{line} imports {module}" for path in files
                 for line, module in _imported_modules(path.read_text()) if _from_producer_app(module)]
    assert offending == []


def test_the_scan_finds_every_kind_of_import() -> None:
    """The check can fail: top-level, lazy, dotted and aliased imports of a producer app are all found."""
    source = ("import pop\nimport training.services as ts\nfrom pop.kpis import registry\n"
              "def f():\n    from training import services\n")
    assert [module for _, module in _imported_modules(source) if _from_producer_app(module)] == [
        "pop", "training.services", "pop.kpis", "training"]
    assert not _from_producer_app("population") and not _from_producer_app("kpis.pending")
