"""Fixtures and settings shared by the tests.

bench/ is put on sys.path here, once, for the tests that run a benchmark's shapes or corpora
(`corpora`, `pathological`, `load`). Tests that take long are marked `slow`: `pytest -m "not slow"`
is the quick loop. Tests marked `pure_python` run on the extractor's pure Python modules where it
is compiled (compiled_build.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from compiled_build import PURE_MARK, PURE_REPORT_ENV, PureReport, pure_outcomes
from made_up_ledger import PASSWORD, make_ledger

from ledger import COMPILED
from ledger.rules import Rules, load_rules
from ledger.store import Ledger
from ledger.web.reviewers import add_reviewer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

# Tests (or whole files) that take seconds each, by node id prefix: processes killed and
# restarted, servers, a browser, a Dask cluster, timing curves. Listed in one place so that
# `pytest -m "not slow"` (under a minute) is kept in step; a test can also say
# `@pytest.mark.slow` itself.
SLOW = (
    "tests/test_browser.py",
    "tests/test_concurrency.py",
    "tests/test_crash.py",
    "tests/test_distributed.py",
    "tests/test_check.py::test_repeated_figures_across_sources_are_compared_once_and_capped",
    "tests/test_cli.py::test_ctrl_c_leaves_every_source_whole_and_the_next_ingest_finishes",
    "tests/test_cli.py::test_worker_processes_give_the_same_claims",
    "tests/test_extract.py::test_random_news_like_text_keeps_offsets",
    "tests/test_pathological.py::test_hostile_input_is_linear",
    "tests/test_properties.py::test_ids_are_the_same_in_other_processes",
    "tests/test_reads.py::test_a_listing_never_sorts_more_than_a_source",
    "tests/test_web.py::test_ledger_serve_over_http",
    "tests/test_web.py::test_sql_is_read_only_and_time_limited",
    "tests/test_web.py::test_sql_that_allocates_is_cut_off_and_does_not_stall_pages",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get(PURE_REPORT_ENV):  # this is the pure Python run of a compiled install's
        config.pluginmanager.register(PureReport(Path(os.environ[PURE_REPORT_ENV])))


_PURE_OUTCOMES = pytest.StashKey[dict[str, dict[str, str]]]()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Where the extractor is compiled, a `pure_python` test gives the outcome it had in the
    pure Python run of them all, made when the first of them is reached (compiled_build.py)."""
    if not COMPILED or pyfuncitem.get_closest_marker(PURE_MARK) is None:
        return None
    stash = pyfuncitem.session.stash
    if _PURE_OUTCOMES not in stash:
        stash[_PURE_OUTCOMES] = pure_outcomes(pyfuncitem.session)
    outcome = stash[_PURE_OUTCOMES][pyfuncitem.nodeid]
    if outcome["outcome"] == "failed":
        pytest.fail(f"in the pure Python run:\n{outcome['report']}", pytrace=False)
    if outcome["outcome"] == "skipped":
        pytest.skip(f"in the pure Python run: {outcome['report']}")
    return True


@pytest.fixture
def new_ledger(tmp_path: Path) -> Iterator[Ledger]:
    """An empty ledger, open for writing, at tmp_path/claims.db."""
    with Ledger(tmp_path / "claims.db") as opened:
        yield opened


@pytest.fixture
def ledger(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The made-up ledger of tests/made_up_ledger.py at tmp_path/claims.db, and the ids of its
    claims the tests look up ("big", "rise", "other")."""
    path = tmp_path / "claims.db"
    return path, make_ledger(path)


@pytest.fixture
def reviewers(tmp_path: Path) -> Path:
    """A reviewers file beside the ledger with one reviewer, "ana", whose password is PASSWORD."""
    path = tmp_path / "reviewers.json"
    # Few iterations keep the test fast; the CLI uses the library's default (480,000).
    add_reviewer(path, "ana", PASSWORD, iterations=1000)
    return path


# A metric whose keywords backtrack without end on a run of a's, as a newsroom's own rule gone
# wrong would: ("a" * 300 + " 540 satellites.") holds it for longer than any timer allows.
BACKTRACKING_METRIC = """[[metric]]
id = "slow"
comment = "catastrophic backtracking on purpose"
keywords = '''(?:a|aa)+(?:a|aa)+(?:a|aa)+(?:a|aa)+ \\d+ [#]'''
kinds = ["count"]
examples = ["x"]

"""


@pytest.fixture(scope="session")
def backtracking_rules(tmp_path_factory: pytest.TempPathFactory) -> Rules:
    """The package's rules with the metric `slow` (BACKTRACKING_METRIC) added."""
    import shutil

    rules_dir = tmp_path_factory.mktemp("backtracking") / "rules"
    shutil.copytree(ROOT / "ledger" / "rules", rules_dir)
    metrics = rules_dir / "metrics.toml"
    text = metrics.read_text(encoding="utf-8")
    first = '[[metric]]\nid = "rd_spending"'
    assert first in text
    metrics.write_text(text.replace(first, BACKTRACKING_METRIC + first), encoding="utf-8")
    return load_rules(rules_dir)
