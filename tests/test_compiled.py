"""The compiled extractor (ledger/compiled.py, setup.py): the same claims as its pure Python
source, all of its modules or none, and never a build older than its source."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from shared_corpora import corpus_path

import ledger
from ledger.compiled import (
    COMPILED_MODULES,
    EXT_SUFFIX,
    LIBRARY,
    RECORD,
    build_record,
    choose,
    extension_name,
    native_path,
    source_path,
)

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# what a process reports of the build it imported, and a digest of the claims it extracts
REPORT = """
import hashlib, json, sys
import ledger
from ledger.compiled import COMPILED_MODULES
sys.path.insert(0, sys.argv[1])
from corpora import sample_text
texts = [open(path, encoding="utf-8").read() for path in sys.argv[3:]]
texts += [sample_text(int(sys.argv[2]))] if int(sys.argv[2]) else []
claims = [claim.model_dump_json() for text in texts for claim in ledger.extract(text)]
print(json.dumps({
    "compiled": ledger.COMPILED,
    "build": ledger.BUILD,
    "origins": [sys.modules[name].__spec__.origin for name in COMPILED_MODULES],
    "claims": len(claims),
    "digest": hashlib.sha256("\\n".join(claims).encode()).hexdigest(),
}))
"""
SEEDS = sorted((ROOT / "sources").glob("*.txt"))  # the five seed articles


def report(*, pure: bool, news_bytes: int = 0, path: Path | None = None) -> dict:
    """What a fresh process with (or without) LEDGER_PURE_PYTHON=1 imports and extracts from
    the seed articles and `news_bytes` of the shared corpora; `path` puts a copy of the package
    first on its path."""
    env = {key: value for key, value in os.environ.items() if key != "LEDGER_PURE_PYTHON"}
    env |= {"LEDGER_PURE_PYTHON": "1"} if pure else {}
    env |= {"PYTHONPATH": str(path)} if path else {}
    command = [sys.executable, "-W", "always", "-c", REPORT, str(BENCH), str(news_bytes)]
    run = subprocess.run(
        [*command, *map(str, SEEDS)], capture_output=True, text=True, env=env, cwd=path or ROOT
    )
    assert run.returncode == 0, run.stderr
    return {**json.loads(run.stdout), "stderr": run.stderr}


def test_the_extractors_modules_are_all_compiled_or_all_pure() -> None:
    """Every module of the compiled group comes from its native file, or every one from its .py:
    never a mix (compiled modules call each other in C, past any pure one)."""
    for name in COMPILED_MODULES:
        origin = importlib.import_module(name).__spec__.origin
        assert origin is not None and origin.endswith(EXT_SUFFIX if ledger.COMPILED else ".py")
    forced = report(pure=True)
    assert forced["compiled"] is False
    assert forced["build"] == "pure Python: LEDGER_PURE_PYTHON is set"
    assert all(origin.endswith(".py") for origin in forced["origins"])
    assert "running the pure Python extractor" not in forced["stderr"]


@pytest.mark.skipif(not ledger.COMPILED, reason=f"the extractor is not compiled: {ledger.BUILD}")
def test_compiled_and_pure_extractors_give_the_same_claims() -> None:
    """The seed articles and 300 KB of BBC and Reuters news give the same claims, every field,
    from the compiled extractor as from its pure Python source."""
    corpus_path("bbc"), corpus_path("reuters")  # a visible skip without the shared corpora
    compiled, pure = report(pure=False, news_bytes=300_000), report(pure=True, news_bytes=300_000)
    assert (compiled["compiled"], pure["compiled"]) == (True, False)
    assert compiled["claims"] > 1_500
    assert (compiled["claims"], compiled["digest"]) == (pure["claims"], pure["digest"])


def _package_copy(tmp_path: Path) -> Path:
    """A copy of the package under tmp_path, with its native files and their record: the real
    ones where the extractor is compiled, else empty stand-ins (never imported: a stale build
    runs as pure Python) and a record of the sources as they are."""
    shutil.copytree(
        ROOT / "ledger", tmp_path / "ledger", ignore=shutil.ignore_patterns("__pycache__")
    )
    if not ledger.COMPILED:
        for name in [LIBRARY, *(extension_name(tmp_path, m) for m in COMPILED_MODULES)]:
            native_path(tmp_path, name).write_bytes(b"")
        (tmp_path / "ledger" / RECORD).write_text(build_record(tmp_path), encoding="utf-8")
    return tmp_path


def _edit(source: Path) -> None:
    source.write_text(source.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def test_an_edited_source_makes_the_whole_extractor_pure_with_one_warning(tmp_path: Path) -> None:
    """A source edited after it was compiled (or checked out: mtimes say nothing then) is
    what runs: every module of the group is imported from its .py, and one warning says which
    module is stale and how to rebuild."""
    root = _package_copy(tmp_path)
    _edit(source_path(root, "ledger.numbers"))
    stale = report(pure=False, path=root)
    assert stale["compiled"] is False
    assert stale["build"] == "pure Python: the compiled build is stale"
    assert all(origin.startswith(str(root)) for origin in stale["origins"])
    assert all(origin.endswith(".py") for origin in stale["origins"])
    warnings = [line for line in stale["stderr"].splitlines() if "UserWarning" in line]
    assert len(warnings) == 1
    assert warnings[0].endswith(
        "running the pure Python extractor: ledger.numbers changed since it was compiled: "
        "pip install -e . rebuilds it"
    )
    assert stale["claims"] > 10


@pytest.mark.skipif(not ledger.COMPILED, reason=f"the extractor is not compiled: {ledger.BUILD}")
def test_a_copy_of_a_current_build_runs_compiled_however_old_its_files_look(
    tmp_path: Path,
) -> None:
    """A build is current by the contents of its sources, not their times: a touched source
    (as after a checkout that changed nothing) keeps the compiled extractor."""
    root = _package_copy(tmp_path)
    for name in COMPILED_MODULES:
        os.utime(source_path(root, name))
    current = report(pure=False, path=root)
    assert current["compiled"] is True and "UserWarning" not in current["stderr"]
    assert all(origin.startswith(str(root)) for origin in current["origins"])


def _sources_only(tmp_path: Path) -> Path:
    """The group's sources under tmp_path, with stand-in native files and their record."""
    for name in COMPILED_MODULES:
        copy = tmp_path / source_path(ROOT, name).relative_to(ROOT)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source_path(ROOT, name), copy)
    for name in [LIBRARY, *(extension_name(tmp_path, m) for m in COMPILED_MODULES)]:
        native_path(tmp_path, name).write_bytes(b"")
    (tmp_path / "ledger" / RECORD).write_text(build_record(tmp_path), encoding="utf-8")
    return tmp_path


def test_which_build_runs_and_what_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ledger.compiled.choose: compiled only when every native file is there and was built
    from the sources that are there now; otherwise pure Python, with a warning when a build
    is there but cannot run, and none when there is none to run."""
    root = _sources_only(tmp_path)
    monkeypatch.delenv("LEDGER_PURE_PYTHON", raising=False)
    assert choose(root) == (True, "compiled with mypyc", None)
    monkeypatch.setenv("LEDGER_PURE_PYTHON", "0")  # "0" asks for nothing
    assert choose(root)[0] is True
    monkeypatch.setenv("LEDGER_PURE_PYTHON", "1")
    assert choose(root) == (False, "pure Python: LEDGER_PURE_PYTHON is set", None)
    monkeypatch.delenv("LEDGER_PURE_PYTHON")

    native_path(root, extension_name(root, "ledger.sentences")).unlink()
    compiled, build, warning = choose(root)
    assert (compiled, build) == (False, "pure Python: the compiled build is stale")
    assert warning == (
        f"sentences{EXT_SUFFIX} is missing: pip install -e . rebuilds it"  # one line
    )
    sentence_fields = source_path(root, "ledger.extraction.sentence_fields")
    sentence_fields.write_text("# edited\n", encoding="utf-8")
    assert choose(root)[2] == (
        f"sentences{EXT_SUFFIX} is missing (and 1 more): pip install -e . rebuilds it"
    )

    (root / "ledger" / RECORD).unlink()
    assert choose(root) == (
        False,
        "pure Python: not compiled",
        f"{LIBRARY.split('.')[-1]}{EXT_SUFFIX} has no build record: pip install -e . rebuilds it",
    )
    for path in root.glob(f"ledger/**/*{EXT_SUFFIX}"):
        path.unlink()
    assert choose(root) == (False, "pure Python: not compiled", None)  # a pure install
    failed = build_record(root, "command 'gcc' failed: No such file or directory")
    (root / "ledger" / RECORD).write_text(failed, encoding="utf-8")
    assert choose(root) == (
        False,
        "pure Python: compiling failed at install: command 'gcc' failed: No such file or directory",
        None,
    )


def _project_copy(tmp_path: Path) -> Path:
    """What setup.py builds from, under tmp_path: the package (with its native files and their
    record, see _package_copy), setup.py, pyproject.toml and the README it names."""
    _package_copy(tmp_path)
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, tmp_path / name)
    return tmp_path


def _build_in_place(root: Path, env: dict[str, str], before: str = "") -> str:
    """Run `setup.py build_ext --inplace` in `root` (what `pip install -e .` runs), with
    `before` run first; what it says on stderr."""
    pytest.importorskip("setuptools")
    program = f"{before}\nimport runpy, sys\nsys.argv = ['setup.py', 'build_ext', '--inplace']\n"
    program += "runpy.run_path('setup.py', run_name='__main__')\n"
    run = subprocess.run(
        [sys.executable, "-c", program], cwd=root, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    return "\n".join(line for line in run.stderr.splitlines() if line.startswith("ledger: "))


def test_an_install_that_cannot_compile_is_pure_python_and_says_why(tmp_path: Path) -> None:
    """With no mypyc (or no compiler) the install goes on: one line says so, the build of
    before is gone, and `import ledger` runs pure Python, saying why in ledger.BUILD."""
    root = _project_copy(tmp_path)
    _edit(source_path(root, "ledger.numbers"))  # so that the build of before is stale
    env = {key: value for key, value in os.environ.items() if key != "LEDGER_PURE_PYTHON"}
    said = _build_in_place(root, env, before="import sys; sys.modules['mypyc.build'] = None")
    assert said == (
        "ledger: compiling the extractor failed (import of mypyc.build halted; None in "
        "sys.modules): installed as pure Python"
    )
    assert list(root.glob(f"ledger/**/*{EXT_SUFFIX}")) == []
    installed = report(pure=False, path=root)
    assert installed["compiled"] is False and "UserWarning" not in installed["stderr"]
    assert installed["build"] == (
        "pure Python: compiling failed at install: import of mypyc.build halted; None in "
        "sys.modules"
    )


def test_ledger_pure_python_at_install_leaves_no_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LEDGER_PURE_PYTHON=1 at install time skips compiling, and removes a build of before, so
    that the package is pure Python whatever the environment says later."""
    root = _project_copy(tmp_path)
    said = _build_in_place(root, {**os.environ, "LEDGER_PURE_PYTHON": "1"})
    assert said == "ledger: LEDGER_PURE_PYTHON is set: the extractor is not compiled (pure Python)"
    assert list(root.glob(f"ledger/**/*{EXT_SUFFIX}")) == []
    assert not (root / "ledger" / RECORD).exists()
    monkeypatch.delenv("LEDGER_PURE_PYTHON", raising=False)  # nothing left to choose from
    assert choose(root) == (False, "pure Python: not compiled", None)
