"""Compile the extractor's modules with mypyc at install time; pure Python when that fails.

`pip install .` and `pip install -e .` run this (pyproject.toml holds everything else). The
modules of `ledger.compiled.COMPILED_MODULES` become one native library, with a record of the
sha256 of each source compiled (`ledger/compiled.json`), by which `import ledger` tells a current
build from a stale one. With no compiler, an unsupported Python or `LEDGER_PURE_PYTHON=1` set,
the install goes on without them and the package runs as pure Python.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


def _load_compiled_module() -> ModuleType:
    """ledger/compiled.py alone: importing the package would import the extractor itself."""
    spec = importlib.util.spec_from_file_location(
        "_ledger_compiled", ROOT / "ledger" / "compiled.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


compiled = _load_compiled_module()


def _say(message: str) -> None:
    # pip shows a build's output only with -v; `ledger --version` says which build is in use
    print(f"ledger: {message}", file=sys.stderr, flush=True)


class BuildCompiled(build_ext):
    """build_ext with mypyc's extensions, made only when it runs (setup.py also runs for the
    package's metadata, which needs no compiling); any failure leaves a pure install."""

    def run(self) -> None:
        started = time.monotonic()
        package = Path(self.get_ext_fullpath(compiled.LIBRARY)).parent  # ledger/, here or in build/
        record = package / compiled.RECORD
        if self.inplace and not compiled.pure_python_asked() and compiled.choose(ROOT)[0]:
            # .ci/run installs twice: the second finds the first's build current
            _say("the compiled extractor is current (built from these sources): not rebuilt")
            return
        # an earlier in-place build must not outlive the sources it was built from
        natives = list(package.rglob(f"*{compiled.EXT_SUFFIX}"))
        for path in [*natives, record]:
            path.unlink(missing_ok=True)
        if compiled.pure_python_asked():
            _say(f"{compiled.PURE_PYTHON_ENV} is set: the extractor is not compiled (pure Python)")
            return
        # read before mypyc reads them: a source edited during the build is then seen as stale
        built_from = compiled.build_record(ROOT)
        try:
            self._compile()
        except (Exception, SystemExit) as error:  # mypyc exits (SystemExit) on a type error
            for path in package.rglob(f"*{compiled.EXT_SUFFIX}"):
                path.unlink()
            _say(f"compiling the extractor failed ({_reason(error)}): installed as pure Python")
            record.write_text(compiled.build_record(ROOT, _reason(error)), encoding="utf-8")
            return
        record.write_text(built_from, encoding="utf-8")
        _say(f"compiled the extractor with mypyc in {time.monotonic() - started:.0f} s")

    def _compile(self) -> None:
        from mypyc.build import mypycify

        sources = [compiled.source_path(ROOT, name) for name in compiled.COMPILED_MODULES]
        paths = [str(path.relative_to(ROOT)) for path in sources]
        self.distribution.ext_modules = mypycify(paths, group_name=compiled.GROUP)
        # a plain build_ext set up for mypyc's extensions (this one was set up for the
        # placeholder, and setting one up twice fails), building where this one would
        builder = build_ext(self.distribution)
        builder.inplace, builder.force, builder.parallel = self.inplace, self.force, self.parallel
        builder.editable_mode = getattr(self, "editable_mode", False)
        builder.ensure_finalized()
        builder.run()


def _reason(error: BaseException) -> str:
    """The last line of what went wrong, for a one-line message."""
    if isinstance(error, SystemExit):
        return "mypyc stopped at the errors it printed"
    lines = str(error).strip().splitlines()
    return lines[-1] if lines else type(error).__name__


setup(
    # a placeholder that tells setuptools the package has native code to build: BuildCompiled
    # puts mypyc's extensions in its place
    ext_modules=[Extension(compiled.LIBRARY, sources=[])],
    cmdclass={"build_ext": BuildCompiled},
)
