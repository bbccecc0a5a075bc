"""Which build of the extractor this process runs: the one mypyc compiled, or its Python source.

`pip install` compiles COMPILED_MODULES into one native library (setup.py) and writes RECORD
beside it, the sha256 of each source it compiled. Modules compiled together call each other
directly in C, so they are used all together or not at all. `use_build`, the first thing
`import ledger` does, decides which, once for the process:

- compiled, when LEDGER_PURE_PYTHON is not set and every module's native file is there, built
  from the source that is there now;
- otherwise every one of them is imported from its .py, by a finder put first on
  sys.meta_path, with one warning when a build is there but stale (a source edited or checked
  out since it was compiled: the .py files are the source, and a stale build never runs).

`ledger.COMPILED` says which was chosen and `ledger.BUILD` says it in words (`ledger --version`).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import sysconfig
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

# The extractor's hot path, held to `mypy --strict` (pyproject.toml), which mypyc needs.
COMPILED_MODULES = (
    "ledger.extraction",
    "ledger.extraction.candidate",
    "ledger.extraction.document",
    "ledger.extraction.figures",
    "ledger.extraction.finish",
    "ledger.extraction.sentence_fields",
    "ledger.extract_zh",
    "ledger.fingerprints",
    "ledger.gates",
    "ledger.numbers",
    "ledger.sentences",
)
GROUP = "ledger.extractor"
LIBRARY = f"{GROUP}__mypyc"  # the name mypyc gives the group's shared library
RECORD = "compiled.json"  # beside the library: what it was built from
PURE_PYTHON_ENV = "LEDGER_PURE_PYTHON"
# how the native modules this interpreter imports end (.cpython-311-x86_64-linux-gnu.so)
EXT_SUFFIX = str(sysconfig.get_config_var("EXT_SUFFIX"))
REBUILD = "pip install -e . rebuilds it"


def pure_python_asked() -> bool:
    """Whether LEDGER_PURE_PYTHON asks for the pure Python extractor ("0" and "" do not)."""
    return os.environ.get(PURE_PYTHON_ENV, "") not in ("", "0")


def source_path(root: Path, module: str) -> Path:
    """The .py file of `module` under `root`, the folder that holds the `ledger` package."""
    path = root.joinpath(*module.split("."))
    package = path / "__init__.py"  # (ledger/rules/ is a folder of data beside rules.py)
    return package if package.exists() else path.with_suffix(".py")


def extension_name(root: Path, module: str) -> str:
    """The name of the native file of `module` as setuptools places it (a package's is its
    __init__, beside __init__.py)."""
    return f"{module}.__init__" if source_path(root, module).name == "__init__.py" else module


def native_path(root: Path, extension: str) -> Path:
    return root.joinpath(*extension.split(".")).with_name(extension.rsplit(".", 1)[-1] + EXT_SUFFIX)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_record(root: Path, error: str | None = None) -> str:
    """RECORD's text for a build of the sources under `root` (setup.py writes it), or for a
    build that failed with `error`."""
    if error is not None:
        return json.dumps({"error": error}) + "\n"
    sources = {module: _sha256(source_path(root, module)) for module in COMPILED_MODULES}
    return json.dumps({"ext_suffix": EXT_SUFFIX, "sources": sources}, indent=1) + "\n"


def _natives(root: Path) -> list[Path]:
    names = [LIBRARY, *(extension_name(root, module) for module in COMPILED_MODULES)]
    return [native_path(root, name) for name in names]


def _read_record(root: Path) -> dict[str, Any]:
    try:
        record = json.loads((root / "ledger" / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def choose(root: Path) -> tuple[bool, str, str | None]:
    """Whether to run the compiled build found under `root`, the build in use in words, and a
    warning to give (a build that is there but must not run)."""
    if pure_python_asked():
        return False, f"pure Python: {PURE_PYTHON_ENV} is set", None
    record = _read_record(root)
    natives = _natives(root)
    present = [path for path in natives if path.exists()]
    if record.get("ext_suffix") != EXT_SUFFIX:
        failed = record.get("error")
        why = f"compiling failed at install: {failed}" if failed else "not compiled"
        warning = f"{present[0].name} has no build record: {REBUILD}" if present else None
        return False, f"pure Python: {why}", warning
    built_from: dict[str, str] = record.get("sources", {})
    problems = [f"{path.name} is missing" for path in natives if path not in present]
    problems += [f"{m} is not compiled" for m in COMPILED_MODULES if m not in built_from]
    problems += [f"{m} is no longer compiled" for m in built_from if m not in COMPILED_MODULES]
    problems += [
        f"{m} changed since it was compiled"
        for m in COMPILED_MODULES
        if m in built_from and built_from[m] != _sha256(source_path(root, m))
    ]
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return False, "pure Python: the compiled build is stale", f"{problems[0]}{more}: {REBUILD}"
    return True, "compiled with mypyc", None


class _PureSource(importlib.abc.MetaPathFinder):
    """Finds `modules` in their .py files under `root`, ahead of any native file of theirs."""

    def __init__(self, root: Path, modules: frozenset[str]) -> None:
        self.root, self.modules = root, modules

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.modules or not source_path(self.root, fullname).exists():
            return None
        return importlib.util.spec_from_file_location(fullname, source_path(self.root, fullname))


@functools.cache  # once per process: its modules are imported once
def use_build() -> tuple[bool, str]:
    """Decide which build of the extractor this process imports (before any of its modules is
    imported): whether it is the compiled one, and the build in words. When it is not, every
    module compiled now or by the build that is there comes from its .py."""
    root = Path(__file__).resolve().parent.parent
    compiled, build, warning = choose(root)
    if warning is not None:
        warnings.warn(
            f"running the pure Python extractor: {warning}", stacklevel=2
        )  # at `import ledger`
    if not compiled:
        modules = {*COMPILED_MODULES, *_read_record(root).get("sources", {})}
        sys.meta_path.insert(0, _PureSource(root, frozenset(modules)))
    return compiled, build
