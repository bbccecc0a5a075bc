"""Extraction cost in machine instructions: a speed figure that load on the machine cannot move.

    python bench/instructions.py                 # ~200 KB of BBC + Reuters text
    python bench/instructions.py --bytes 500000

CPU time on a shared two-core machine spreads by a third between runs of the same build, so a
change that costs 5% cannot be seen in `bench/throughput.py` while others work. Instructions can:
this runs itself under valgrind's cachegrind (`apt-get install valgrind`) twice, warmed up alike
(rules compiled, text read, one pass of each engine), the second time with one more pass of
ledger.extract and of the bare pattern over the same documents; the difference is what that pass
costs. The counts repeat to well under 0.1% (PYTHONHASHSEED is fixed), so compare two builds by
running this on each (a base commit through PYTHONPATH, as `git worktree add` gives it).
The floor / ledger ratio printed is NOT throughput.py's rule: the bare pattern's tight C loop
runs several instructions a cycle and the extractor's Python far fewer, so on the same build
this says about 1/79 where the clock says 1/170. Instructions gate a change; the clock, on an
idle machine, reports the rule.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import BARE, take_documents  # noqa: E402

_TOTAL = re.compile(r"I\s+refs:\s+([\d,]+)")


def _passes(size: int, ledger_passes: int, bare_passes: int) -> None:
    """The measured program: warm up, then run each engine the given number of times."""
    from ledger import extract

    texts = take_documents(size)
    for text in texts:
        extract(text)
    for _ in range(ledger_passes):
        for text in texts:
            extract(text)
    for _ in range(bare_passes):
        for text in texts:
            BARE.findall(text)


def _instructions(size: int, ledger_passes: int, bare_passes: int) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        completed = subprocess.run(
            [
                "valgrind",
                "--tool=cachegrind",
                "--cache-sim=no",
                f"--cachegrind-out-file={scratch}/out",
                sys.executable,
                __file__,
                "--run",
                f"{size},{ledger_passes},{bare_passes}",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
            check=False,
        )
    found = _TOTAL.search(completed.stderr)
    if completed.returncode != 0 or found is None:
        raise click.ClickException(f"valgrind failed: {completed.stderr.strip()[-400:]}")
    return int(found.group(1).replace(",", ""))


@click.command()
@click.option("--bytes", "size", default=200_000, show_default=True, help="Text to extract.")
@click.option("--run", hidden=True, help="Internal: size,ledger_passes,bare_passes.")
def main(size: int, run: str | None) -> None:
    if run is not None:
        _passes(*(int(part) for part in run.split(",")))
        return
    megabytes = sum(len(text.encode("utf-8")) for text in take_documents(size)) / 1e6
    base = _instructions(size, 0, 0)
    ledger = _instructions(size, 1, 0) - base
    bare = _instructions(size, 0, 20) - base  # twenty passes: one is too few to count well
    per_mb = ledger / megabytes
    from ledger import BUILD  # as the measured process (same environment) chose it

    print(f"{megabytes:.2f} MB of news")
    print(f"ledger.extract ({BUILD}): {per_mb / 1e6:,.1f} M instructions per MB")
    print(f"bare pattern:   {bare / 20 / megabytes / 1e6:,.2f} M instructions per MB")
    print(f"floor / ledger: 1/{per_mb / (bare / 20 / megabytes):.0f}")


if __name__ == "__main__":
    main()
