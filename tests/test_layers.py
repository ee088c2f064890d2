"""The packages are the layers: SQL lives only in db/, and imports go one way.

server (app, command line, identity, live fan-out) -> graph (types, resolvers, loaders)
-> domain (rules) and db (SQL, transactions). Nothing below imports what is above it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = ("SELECT ", "INSERT ", "UPDATE ", "DELETE ", " FROM ", " WHERE ", " ILIKE ", "COPY ")
# Who may import whom (first-party packages only).
ALLOWED = {
    "server": {"server", "graph", "domain", "db", "demo"},
    "graph": {"graph", "domain", "db"},
    "domain": {"domain", "db"},
    "db": {"db"},
    "demo": {"demo", "db", "domain"},
}


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _docstrings(tree: ast.AST) -> set[int]:
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def sql_in(path: Path) -> Iterator[tuple[int, str]]:
    """String literals (f-strings included) that read as SQL, and calls of `text(...)`; docstrings aside."""
    tree = ast.parse(path.read_text())
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        literal = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            literal = node.value
        elif isinstance(node, ast.JoinedStr):
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        if literal is not None and any(k in literal for k in KEYWORDS):
            yield node.lineno, literal
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "text":
            yield node.lineno, "text(...)"


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module.split(".")[0]


def test_sql_is_written_only_in_db() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {value[:80]!r}"
        for package in ("server", "graph", "domain", "demo")
        for path in _modules(package)
        for line, value in sql_in(path)
    ]
    assert found == []


def test_the_scan_sees_sql_where_there_is_some() -> None:
    """The scan above would notice SQL: db/ is full of it."""
    assert sum(1 for path in _modules("db") for _ in sql_in(path)) > 50


def test_packages_import_only_the_layers_below() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: imports {target}"
        for package, allowed in ALLOWED.items()
        for path in _modules(package)
        for line, target in imports_of(path)
        if target in ALLOWED and target not in allowed
    ]
    assert wrong == []
