"""`ledger ingest` end to end, as a user runs it: speed against the regex floor, `--jobs` speed-up,
cost growth from 1 MB to 1,000 MB, and the re-ingest of an unchanged corpus.

    python bench/ingest.py --work /tmp/ledger-bench                  # speed and --jobs 2
    python bench/ingest.py --work /tmp/ledger-bench --sizes 1,10,100,1000 --reingest

Inputs are built in WORK (outside the repository) by repeating the BBC and Reuters corpora under
new ids, one story per file, with a manifest.csv per folder (bench/corpora.py). Each ingest runs
as a child process (`ledger ingest DIR --db WORK/...db`) on a fresh database; its peak memory is
the child's own `ru_maxrss` from wait4 (largest single process, workers included) and the sampled
sum over its process tree (psutil, when installed). Database bytes are the file plus its WAL.
CPU seconds are the child's and its workers' (user + system, from wait4): on a shared machine they
say what a run costs when its wall time says mostly how busy the others were, so each table is
printed with the load average it was measured under.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import build_corpus, require_corpora  # noqa: E402

BARE = re.compile(r"\d[\d,.]*")


def ledger_command() -> list[str]:
    """The `ledger` script of the running interpreter's environment."""
    script = Path(sys.executable).parent / "ledger"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from ledger.cli import cli; cli()"]


def floor_seconds(corpus: Path) -> tuple[float, int]:
    """Best of three passes of the bare number pattern over the corpus's text, in memory."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(corpus.rglob("*.txt"))]
    size = sum(len(text.encode("utf-8")) for text in texts)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for text in texts:
            BARE.findall(text)
        best = min(best, time.perf_counter() - started)
    return best, size


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and its descendants (0 once it is gone)."""
    try:
        import psutil
    except ImportError:
        return 0
    try:
        parent = psutil.Process(pid)
        processes = [parent, *parent.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            total += process.memory_info().rss
    return total


def ingested_mb(db: Path) -> float:
    """MB of text already in a ledger being written (read alongside the writer, WAL allows it)."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as connection:
            return (connection.execute("select sum(chars) from sources").fetchone()[0] or 0) / 1e6
    except sqlite3.Error:
        return 0.0


def run_ingest(
    corpus: Path,
    db: Path,
    *,
    jobs: int | None = None,
    deadline: float | None = None,
    progress_every: float = 60.0,
) -> dict:
    """Run `ledger ingest` in a child process; wall seconds, peak memory, exit code, summary.

    With a `deadline` (seconds) the ingest is interrupted then (SIGINT, as Ctrl-C: every source is
    written whole, so the ledger stays whole) and the figures cover what it did. Every
    `progress_every` seconds the MB already stored and the memory are sampled, so a long run shows
    whether its time per MB and its memory stay flat as the ledger grows.
    """
    command = [*ledger_command(), "ingest", str(corpus), "--db", str(db)]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    peak_tree = 0
    samples: list[dict] = []
    interrupted = False
    log = db.with_suffix(".log")
    started = time.perf_counter()
    with open(log, "w+") as output:
        child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, text=True)
        finished = threading.Event()

        def sample() -> None:
            nonlocal peak_tree, interrupted
            next_sample = progress_every
            while not finished.wait(0.25):
                rss = tree_rss(child.pid)
                peak_tree = max(peak_tree, rss)
                elapsed = time.perf_counter() - started
                if elapsed >= next_sample:
                    next_sample += progress_every
                    samples.append(
                        {"seconds": round(elapsed), "mb": round(ingested_mb(db), 1),
                         "tree_rss_mb": round(rss / 1e6)}
                    )  # fmt: skip
                if deadline is not None and elapsed >= deadline and not interrupted:
                    interrupted = True
                    child.send_signal(signal.SIGINT)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4, not Popen.wait: it also gives the child's resource usage (its peak RSS)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = code = os.waitstatus_to_exitcode(status)
        finished.set()
        sampler.join()
        output.seek(0)
        text = output.read()
    crashed = code not in (0, 1) or "Traceback" in text  # 1 alone: some files failed, each named
    if crashed and not interrupted:
        raise click.ClickException(f"ledger ingest failed ({code}): {text.strip()[-300:]}")
    return {
        "seconds": seconds,
        "exit": code,
        "interrupted": interrupted,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss * 1024 / 1e6,
        "peak_tree_rss_mb": peak_tree / 1e6,
        "samples": samples,
        "summary": (text.strip().splitlines() or [""])[-1],
    }


def db_figures(db: Path) -> dict:
    """Claims, sources and bytes of a ledger after a checkpoint (file + WAL)."""
    with sqlite3.connect(db) as connection:
        connection.execute("pragma wal_checkpoint(truncate)")
        claims = connection.execute("select count(*) from claims").fetchone()[0]
        sources = connection.execute("select count(*) from sources").fetchone()[0]
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file())
    return {"claims": claims, "sources": sources, "db_bytes": size}


def load_average() -> str:
    """The machine's load average now, to print beside figures measured on a shared machine."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def fresh(db: Path) -> Path:
    for path in db.parent.glob(db.name + "*"):
        path.unlink()
    return db


@click.command()
@click.option(
    "--work",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("/tmp/ledger-bench"),
    show_default=True,
    help="Where the corpora and databases go (outside the repository).",
)
@click.option("--speed-mb", default=10.0, show_default=True, help="Corpus for the speed figures.")
@click.option("--jobs", "jobs", default=2, show_default=True, help="Processes for the speed-up.")
@click.option("--sizes", default="", help="Cost growth at these MB, e.g. 1,10,100,1000.")
@click.option("--growth-jobs", default=1, show_default=True, help="--jobs for the growth runs.")
@click.option("--reingest", is_flag=True, help="Re-ingest the largest growth corpus unchanged.")
@click.option(
    "--deadline", type=float, help="Interrupt each growth ingest after this many seconds."
)
@click.option("--sample-every", default=60.0, show_default=True, help="Progress sample, seconds.")
@click.option("--skip-speed", is_flag=True, help="Only the growth table.")
@click.option("--keep", is_flag=True, help="Keep the databases (corpora are always kept).")
def main(
    work: Path,
    speed_mb: float,
    jobs: int,
    sizes: str,
    growth_jobs: int,
    reingest: bool,
    deadline: float | None,
    sample_every: float,
    skip_speed: bool,
    keep: bool,
) -> None:
    """Measure `ledger ingest` end to end against the bare number pattern."""
    require_corpora()
    if Path(__file__).resolve().parent.parent in work.resolve().parents:
        raise click.ClickException("--work must be outside the repository")
    work.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    if not skip_speed:
        corpus = work / f"corpus-{speed_mb:g}mb"
        built = build_corpus(corpus, speed_mb)
        mb = built["bytes"] / 1e6
        floor, _ = floor_seconds(corpus)
        one = run_ingest(corpus, fresh(work / "speed-1.db"), jobs=1)
        many = run_ingest(corpus, fresh(work / f"speed-{jobs}.db"), jobs=jobs)
        figures = db_figures(work / "speed-1.db")
        results["speed"] = {"mb": mb, "floor_s": floor, "one": one, "many": many, **figures}
        click.echo(f"corpus: {built['files']:,} files, {mb:.1f} MB; {figures['claims']:,} claims")
        click.echo(load_average())
        click.echo("| run | seconds | MB/s | floor / run | CPU s | peak RSS MB |")
        click.echo("|---|---:|---:|---:|---:|---:|")
        click.echo(f"| bare pattern, in memory | {floor:.2f} | {mb / floor:.1f} | 1.0x | | |")
        for name, run in (("ledger ingest --jobs 1", one), (f"ledger ingest --jobs {jobs}", many)):
            click.echo(
                f"| {name} | {run['seconds']:.1f} | {mb / run['seconds']:.2f} | "
                f"{run['seconds'] / floor:.0f}x | {run['cpu_seconds']:.1f} "
                f"| {run['peak_tree_rss_mb']:.0f} |"
            )
        click.echo(
            f"\none core at 1/{one['seconds'] / floor:.0f} of the floor (goal: 1/20 or less); "
            f"--jobs {jobs} speed-up {one['seconds'] / many['seconds']:.2f}x (goal: 1.7x)\n"
        )
    if sizes:
        rows = []
        for size in [float(s) for s in sizes.split(",")]:
            corpus = work / f"corpus-{size:g}mb"
            built = build_corpus(corpus, size)
            db = fresh(work / f"growth-{size:g}.db")
            run = run_ingest(
                corpus, db, jobs=growth_jobs, deadline=deadline, progress_every=sample_every
            )
            figures = db_figures(db)
            mb = built["bytes"] / 1e6
            if run["interrupted"]:  # the figures cover the part ingested before the deadline
                mb = ingested_mb(db)
            files = figures["sources"] if run["interrupted"] else built["files"]
            row = {"mb": mb, "files": files, "corpus_mb": built["bytes"] / 1e6, **run, **figures}
            if reingest and size == max(float(s) for s in sizes.split(",")):
                row["reingest"] = run_ingest(corpus, db, jobs=growth_jobs)
            rows.append(row)
            click.echo(f"{size:g} MB done: {json.dumps(row)}", err=True)
            if not keep and "reingest" not in row:
                fresh(db)
        results["growth"] = rows
        click.echo(f"cost growth (ledger ingest --jobs {growth_jobs}, fresh database each):")
        click.echo(load_average())
        click.echo(
            "| input MB | files | claims | seconds | s/MB | CPU s/MB "
            "| peak RSS MB (largest process) | peak RSS MB (tree) | DB MB | DB bytes/claim |"
        )
        click.echo("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for row in rows:
            per_claim = row["db_bytes"] / row["claims"] if row["claims"] else float("nan")
            per_mb = 1 / row["mb"] if row["mb"] else float("nan")
            click.echo(
                f"| {row['mb']:.1f} | {row['files']:,} | {row['claims']:,} | {row['seconds']:.1f} "
                f"| {row['seconds'] * per_mb:.3f} | {row['cpu_seconds'] * per_mb:.3f} "
                f"| {row['peak_rss_mb']:.0f} "
                f"| {row['peak_tree_rss_mb']:.0f} | {row['db_bytes'] / 1e6:.0f} | {per_claim:.0f} |"
            )
        for row in rows:
            if row["interrupted"]:
                click.echo(
                    f"\nthe {row['corpus_mb']:.0f} MB run was stopped at its deadline after "
                    f"{row['mb']:.0f} MB; its progress (time per MB should stay flat):"
                )
            if len(row["samples"]) > 1:
                click.echo("| seconds | MB stored | s/MB since last sample | RSS MB (tree) |")
                click.echo("|---:|---:|---:|---:|")
                last = {"seconds": 0, "mb": 0.0}
                for point in row["samples"]:
                    gained = point["mb"] - last["mb"]
                    rate = (point["seconds"] - last["seconds"]) / gained if gained else float("nan")
                    click.echo(
                        f"| {point['seconds']} | {point['mb']:.1f} | {rate:.2f} "
                        f"| {point['tree_rss_mb']} |"
                    )
                    last = point
        for row in rows:
            if "reingest" in row:
                again = row["reingest"]
                click.echo(
                    f"\nre-ingest of the unchanged {row['mb']:.0f} MB corpus: "
                    f"{again['seconds']:.1f} s ({again['summary']})"
                )
    (work / "results.json").write_text(json.dumps(results, indent=2))
    if not keep:
        for name in ("speed-1.db", f"speed-{jobs}.db"):
            fresh(work / name)
    click.echo(f"figures saved to {work / 'results.json'}")


if __name__ == "__main__":
    main()
