"""Tests marked `pure_python` where the extractor is compiled (ledger/compiled.py).

Such a test patches a function, class or global of the extractor's modules. Compiled code calls
those directly in C and never sees the patch, so the test would pass without testing anything:
where the extractor is compiled, they all run in one pure Python pytest process
(LEDGER_PURE_PYTHON=1), and each reports the outcome it had there (conftest.py wires it in).
The doctests of compiled modules are read from their sources: the root conftest.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
# set in the pure Python process: where it writes each test's outcome
PURE_REPORT_ENV = "LEDGER_TEST_PURE_REPORT"
PURE_MARK = "pure_python"


def pure_outcomes(session: pytest.Session) -> dict[str, dict[str, str]]:
    """Run every selected `pure_python` test in one pure Python pytest process; each node id's
    outcome and, for a failure, its report."""
    selected = [item.nodeid for item in session.items if item.get_closest_marker(PURE_MARK)]
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "outcomes.json"
        env = {**os.environ, "LEDGER_PURE_PYTHON": "1", PURE_REPORT_ENV: str(report)}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o"]
        command += ["addopts=", *selected]
        run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        outcomes: dict[str, dict[str, str]] = (
            json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
        )
    for nodeid in selected:  # a test the process never reported (it crashed, say)
        outcomes.setdefault(nodeid, {"outcome": "failed", "report": run.stdout[-3000:]})
    return outcomes


class PureReport:
    """A plugin of the pure Python process: each test's outcome, written when the session ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.outcomes: dict[str, dict[str, str]] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        known = self.outcomes.get(report.nodeid, {}).get("outcome")
        if known in ("failed", "skipped"):  # a failed teardown after a pass still fails
            return
        outcome: dict[str, Any] = {"outcome": report.outcome}
        if report.failed or report.skipped:
            outcome["report"] = report.longreprtext
        if report.when == "call" or report.failed or report.skipped:
            self.outcomes[report.nodeid] = outcome

    def pytest_sessionfinish(self) -> None:
        self.path.write_text(json.dumps(self.outcomes), encoding="utf-8")
