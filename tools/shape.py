"""The house rules that import-linter does not check, run by `make lint`:

- no import of the project's own modules inside a function (the sign of a dodged import cycle);
  an AppConfig.ready() that loads its app's signal receivers and tasks is the one exception;
- no ORM query in a views.py or api.py: pages and API views read through selectors and permission
  functions, and write through services;
- no function in apps/ longer than 60 lines unless its docstring says why (a paragraph that starts
  with "Long because");
- no test module imports another test module: shared data lives in conftest.py or a helper module.

Run it as `python tools/shape.py [ROOT]`; it prints one line per finding and exits 1 if there is any.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

PROJECT = ("apps", "alliance")
MAX_LINES = 60
LONG_MARK = "Long because"
# Calls that run or build a query. `.get(`, `.all(`, `.count(` and the like are left out: dicts and
# other objects have them too; a query through them still needs one of these or `.objects`.
QUERY_METHODS = frozenset(
    {
        "filter",
        "exclude",
        "annotate",
        "aggregate",
        "select_related",
        "prefetch_related",
        "order_by",
        "values",
        "values_list",
        "get_or_create",
        "update_or_create",
        "bulk_create",
        "bulk_update",
        "select_for_update",
        "raw",
        "extra",
    }
)
QUERY_FUNCTIONS = frozenset({"get_object_or_404", "get_list_or_404"})


def _project_module(name: str | None) -> bool:
    return name is not None and name.split(".")[0] in PROJECT


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def local_imports(path: Path, tree: ast.AST) -> Iterator[str]:
    for function in _functions(tree):
        if function.name == "ready" and path.name == "apps.py":
            continue
        for node in ast.walk(function):
            names: list[str | None] = []
            if isinstance(node, ast.ImportFrom):
                names = [node.module] if node.level == 0 else ["." * node.level]
                if node.level:
                    names = ["apps"]  # a relative import is always the project's own
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if _project_module(name):
                    yield (
                        f"{path}:{node.lineno}: {function.name}() imports {name} inside a function; "
                        "import it at the top (an import cycle means a dependency runs the wrong way)"
                    )


def view_queries(path: Path, tree: ast.AST) -> Iterator[str]:
    if path.name not in {"views.py", "api.py"}:
        return
    seen: set[int] = set()
    for node in ast.walk(tree):
        what = ""
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            what = ".objects"
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in QUERY_METHODS:
                what = f".{func.attr}()"
            elif isinstance(func, ast.Name) and func.id in QUERY_FUNCTIONS:
                what = f"{func.id}()"
        if what and node.lineno not in seen:
            seen.add(node.lineno)
            yield (
                f"{path}:{node.lineno}: {what} in a view module; read through a selector or a "
                "permission function, write through a service"
            )


def long_functions(path: Path, tree: ast.AST) -> Iterator[str]:
    for function in _functions(tree):
        length = (function.end_lineno or function.lineno) - function.lineno + 1
        if length <= MAX_LINES:
            continue
        docstring = ast.get_docstring(function) or ""
        if LONG_MARK in docstring:
            continue
        yield (
            f"{path}:{function.lineno}: {function.name}() is {length} lines (at most {MAX_LINES}); split "
            f'it, or say why not in its docstring ("{LONG_MARK} ...")'
        )


def test_imports(path: Path, tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            module = node.module if node.level == 0 else node.module.split(".")[-1]
            if module.split(".")[-1].startswith("test_"):
                yield (
                    f"{path}:{node.lineno}: imports the test module {node.module}; share data through "
                    "conftest.py fixtures or a helper module"
                )


def findings(root: Path) -> list[str]:
    found: list[str] = []
    for package in PROJECT:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            relative = path.relative_to(root)
            found.extend(local_imports(relative, tree))
            found.extend(view_queries(relative, tree))
            if package == "apps":
                found.extend(long_functions(relative, tree))
    for path in sorted((root / "tests").rglob("test_*.py")):
        found.extend(test_imports(path.relative_to(root), ast.parse(path.read_text(), filename=str(path))))
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    found = findings(root)
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} finding(s): see tools/shape.py for the rules", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
