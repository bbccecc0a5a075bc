"""`ledger check` with the default pack of official statistics against the seed references alone,
on the same ledger in one run: seconds, the ratio, and peak memory of each.

    python bench/check_speed.py --work /tmp/ledger-check-speed --megabytes 20
    python bench/check_speed.py --work /tmp/ledger-check-1m --megabytes 20 --claims 1000000

Builds (once, reused) a corpus of BBC and Reuters stories of that size (bench/corpora.py) and
its ledger; with `--claims` the ledger is then copied under new source ids until it holds that
many claims (bench/serve_scale.py `build_ledger`: real extraction, copied rows). It loads
sources/references.csv, then runs `run_checks` alternately without and with the pack (built
beside the ledger first, so its one-off build is not timed), `--rounds` times each, each in a
freshly spawned process so each peak RSS is its own and not the parent's. The goal (issue 15):
the pack at most twice the seed references' time, in flat memory (compare the peaks at two
`--claims` sizes).
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import build_corpus  # noqa: E402
from serve_scale import build_ledger  # noqa: E402

from ledger.check import run_checks  # noqa: E402
from ledger.refdata.lookup import reference_databases  # noqa: E402
from ledger.references import load_into  # noqa: E402
from ledger.store import Ledger  # noqa: E402

SEEDS = Path(__file__).resolve().parent.parent / "sources" / "references.csv"


def timed_check(db_path: str, pack: bool, out: multiprocessing.Queue) -> None:
    """One `ledger check` as the command runs it; puts (seconds, peak RSS in MB, summary)."""
    import sqlite_utils

    db = sqlite_utils.Database(db_path)
    official = reference_databases(db_path, None, pack=True) if pack else None
    started = time.perf_counter()
    summary = run_checks(db, official=official)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put((seconds, peak, summary.line()))


def run(db_path: Path, pack: bool) -> tuple[float, float, str]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=timed_check, args=(str(db_path), pack, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def prepare(work: Path, megabytes: float, claims: int) -> tuple[Path, str]:
    """The ledger to check, with the seed references loaded, and a line saying what it holds."""
    if claims:
        db_path = build_ledger(work, claims, jobs=2, seed_mb=megabytes)
        what = f"{megabytes:g} MB of stories ingested, copied"
    else:
        corpus = work / f"corpus-{megabytes:g}mb"
        built = build_corpus(corpus, megabytes)
        db_path = work / f"claims-{megabytes:g}mb.db"
        with Ledger(db_path) as ledger:
            ledger.ingest([corpus])
        what = f"{built['files']:,} stories, {built['bytes'] / 1e6:.1f} MB"
    with Ledger(db_path) as ledger:
        load_into(ledger.db, SEEDS)
        count = ledger.db.execute("select count(*) from claims").fetchone()[0]
    return db_path, f"{what}: {count:,} claims"


@click.command()
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--megabytes", type=float, default=20.0, show_default=True)
@click.option("--claims", type=int, default=0, help="Copy the ledger up to this many claims.")
@click.option("--rounds", type=int, default=2, show_default=True)
def main(work: Path, megabytes: float, claims: int, rounds: int) -> None:
    work.mkdir(parents=True, exist_ok=True)
    db_path, what = prepare(work, megabytes, claims)
    reference_databases(db_path, None, pack=True)  # the pack's one-off build, untimed
    print(what)
    times: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for _ in range(rounds):
        for pack in (False, True):
            seconds, peak, line = run(db_path, pack)
            times[pack].append((seconds, peak))
            print(f"  {'pack + seeds' if pack else 'seeds only  '}: {seconds:6.2f}s, "
                  f"peak {peak:5.0f} MB; {line}", flush=True)  # fmt: skip
    seeds = min(seconds for seconds, _ in times[False])
    with_pack = min(seconds for seconds, _ in times[True])
    print(f"ratio (best of {rounds}): {with_pack / seeds:.2f}x ({with_pack:.2f}s / {seeds:.2f}s)")


if __name__ == "__main__":
    main()
