"""Doctests of the extractor's compiled modules: read from their sources, run compiled.

mypyc drops docstrings, so pytest's own doctest collection (`--doctest-modules`, pyproject.toml)
finds none in a compiled module, and stops at its file not being the .py it collects. Where the
extractor is compiled (ledger/compiled.py), each of its modules' doctests are read from the .py
and run in the namespace of the compiled module, so the examples test the code that runs.
"""

from __future__ import annotations

import ast
import doctest
import importlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

# internal to pytest, and what its own doctest collection is built of
from _pytest.doctest import (
    DoctestItem,
    DoctestModule,
    _get_checker,
    _get_continue_on_failure,
    _get_runner,
    get_optionflags,
)

from ledger import COMPILED
from ledger.compiled import COMPILED_MODULES

ROOT = Path(__file__).resolve().parent


def module_name(path: Path) -> str | None:
    """The compiled module whose source is `path`, if it is one."""
    try:
        parts = path.resolve().relative_to(ROOT).with_suffix("").parts
    except ValueError:
        return None
    name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    return name if name in COMPILED_MODULES else None


def _docstrings(tree: ast.Module, prefix: str) -> Iterator[tuple[str, str, int]]:
    """(qualified name, docstring, line) of the module, its classes and functions, as
    doctest.DocTestFinder names them."""
    nodes: list[tuple[str, ast.AST]] = [(prefix, tree)]
    while nodes:
        name, node = nodes.pop(0)
        text = ast.get_docstring(node, clean=False)  # type: ignore[arg-type]
        if text:
            yield name, text, getattr(node, "lineno", 1)
        for child in getattr(node, "body", []):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                nodes.append((f"{name}.{child.name}", child))


def source_doctests(path: Path, module: ModuleType) -> list[doctest.DocTest]:
    """The doctests of `path`'s docstrings, each run in the namespace of `module` (compiled)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parser = doctest.DocTestParser()
    tests = []
    for name, text, line in _docstrings(tree, module.__name__):
        test = parser.get_doctest(text, dict(vars(module)), name, str(path), line)
        if test.examples:
            tests.append(test)
    return sorted(tests)  # in name order, as DocTestFinder gives them


class SourceDoctests(DoctestModule):
    """The doctests of a compiled module, from its source, run against the compiled module."""

    def _getobj(self) -> ModuleType:
        name = module_name(self.path)
        assert name is not None
        return importlib.import_module(name)  # the compiled module, not the .py at self.path

    def collect(self) -> Iterable[DoctestItem]:
        runner = _get_runner(
            verbose=False,
            optionflags=get_optionflags(self.config),
            checker=_get_checker(),
            continue_on_failure=_get_continue_on_failure(self.config),
        )
        for test in source_doctests(self.path, self.obj):
            yield DoctestItem.from_parent(self, name=test.name, runner=runner, dtest=test)


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> list[pytest.Collector]:
    collectors: list[pytest.Collector] = yield
    if not COMPILED or module_name(file_path) is None:
        return collectors
    return [
        SourceDoctests.from_parent(parent, path=file_path)
        if isinstance(collector, DoctestModule)
        else collector
        for collector in collectors
    ]
