"""Precision and recall of claim matching (ledger/matching.py) on a labelled sample of the
shared `topical_small` corpus (37 articles on chips and tech policy, where figures repeat).

    python bench/grouping.py                  # evaluate against bench/labels/grouping.csv
    python bench/grouping.py --candidates     # print the pairs to label (sentences shown)

How the labels were made: every claim the extractor finds in the corpus (with its manifest's
dates) is ingested into a scratch ledger and grouped by `ledger check`. Candidate pairs are
claims of *different* articles in the same unit whose values are within 10% of each other (two
claims further apart, or in different units, are taken as different claims; recall is measured
within this candidate set). Two strata were labelled by reading both sentences: every candidate
pair the matcher groups, and a fixed random sample (seed 16) of the pairs it does not. A pair is
"the same claim" when both sentences assert the same figure about the same thing and time (the
same $52bn of CHIPS subsidies; not two different 10% shares). Labels are stored as article file
names and character offsets only: the corpus text stays in the shared folder.

Recall weights the sampled stratum by its sampling rate (misses found in the sample stand for
their share of all ungrouped candidates).
"""

from __future__ import annotations

import csv
import itertools
import random
import shutil
import sys
import tempfile
from pathlib import Path

import click
import sqlite_utils

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpora import SHARED  # noqa: E402

from ledger.check import run_checks  # noqa: E402
from ledger.matching import write_groups  # noqa: E402
from ledger.sources import MANIFEST_COLUMNS  # noqa: E402
from ledger.store import Ledger  # noqa: E402

CORPUS = SHARED / "corpora" / "topical_small"
LABELS = Path(__file__).resolve().parent / "labels" / "grouping.csv"
NEAR = 0.10  # candidate pairs: values within 10% of the larger
SAMPLE = 80  # ungrouped candidate pairs labelled
SEED = 16

Key = tuple[str, int, int]  # (article file name, start, end)


def ledger_of(corpus: Path, work: Path) -> sqlite_utils.Database:
    """The corpus ingested and grouped in a scratch ledger."""
    folder = work / "sources"
    shutil.copytree(corpus, folder, ignore=shutil.ignore_patterns("manifest.csv"))
    _manifest(corpus / "manifest.csv", folder / "manifest.csv")
    with Ledger(work / "claims.db") as ledger:
        ledger.ingest([folder])
    db = sqlite_utils.Database(work / "claims.db")
    run_checks(db)
    write_groups(db)
    return db


def _manifest(theirs: Path, ours: Path) -> None:
    """The corpus's manifest with only the columns a ledger manifest has (its dates matter:
    "last year" is read against them); a year alone is left out, as a manifest wants a day."""
    with theirs.open(encoding="utf-8") as source, ours.open("w", encoding="utf-8") as target:
        reader = csv.DictReader(source)
        kept = [column for column in MANIFEST_COLUMNS if column in (reader.fieldnames or [])]
        writer = csv.DictWriter(target, fieldnames=kept, extrasaction="ignore")
        writer.writeheader()
        for row in reader:
            if len(row.get("published") or "") == 4:
                row["published"] = ""
            writer.writerow(row)


def candidates(db: sqlite_utils.Database) -> tuple[list[tuple[Key, Key]], set[frozenset[Key]]]:
    """The candidate pairs (different articles, one unit, values within NEAR) and the pairs the
    matcher grouped, both as (file, start, end) keys."""
    rows = list(db.query(
        "select claims.id, sources.path, start, [end], unit, value, group_id from claims"
        " join sources on sources.id = claims.source_id"
        " left join claim_groups on claim_groups.claim_id = claims.id"
        " where unit is not null order by claims.id"
    ))  # fmt: skip
    key = {row["id"]: (Path(row["path"]).name, row["start"], row["end"]) for row in rows}
    pairs = []
    for a, b in itertools.combinations(rows, 2):
        larger = max(abs(a["value"]), abs(b["value"]))
        if a["path"] == b["path"] or a["unit"] != b["unit"] or not larger:
            continue
        if abs(a["value"] - b["value"]) / larger <= NEAR:
            pairs.append((key[a["id"]], key[b["id"]]))
    grouped = {
        frozenset((key[a["id"]], key[b["id"]]))
        for a, b in itertools.combinations(rows, 2)
        if a["group_id"] and a["group_id"] == b["group_id"] and a["path"] != b["path"]
    }
    return pairs, grouped


def to_label(
    pairs: list[tuple[Key, Key]], grouped: set[frozenset[Key]]
) -> list[tuple[Key, Key, str]]:
    """Every grouped candidate pair, and SAMPLE of the others (seeded), with their stratum."""
    chosen = [(a, b, "grouped") for a, b in pairs if frozenset((a, b)) in grouped]
    rest = [(a, b) for a, b in pairs if frozenset((a, b)) not in grouped]
    sample = random.Random(SEED).sample(rest, min(SAMPLE, len(rest)))
    return chosen + [(a, b, "sample") for a, b in sample]


@click.command()
@click.option("--candidates", "show", is_flag=True, help="Print the pairs to label, with text.")
def main(show: bool) -> None:
    if not CORPUS.exists():
        raise click.ClickException(f"corpus not found: {CORPUS} (set LEDGER_SHARED)")
    with tempfile.TemporaryDirectory() as work:
        db = ledger_of(CORPUS, Path(work))
        pairs, grouped = candidates(db)
        labelled = to_label(pairs, grouped)
        if show:
            texts = {p.name: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")}
            for a, b, stratum in labelled:
                click.echo(f"{stratum}\t{a}\t{b}")
                for name, start, end in (a, b):
                    text = texts[name]
                    click.echo(f"    {text[max(0, start - 150):start]}[[{text[start:end]}]]"
                               f"{text[end:end + 100]}".replace("\n", " "))  # fmt: skip
            return
    report(pairs, grouped)


def report(pairs: list[tuple[Key, Key]], grouped: set[frozenset[Key]]) -> None:
    """Precision and recall over the labelled sample, each pair weighted by how many candidate
    pairs it stands for (Horvitz-Thompson): a pair of the first stratum stands for itself, a
    sampled pair for its share of the rest. The sample is fixed, so any matcher is measured on
    the same pairs."""
    labels: dict[frozenset[Key], tuple[bool, str]] = {}
    with LABELS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            a = (row["file_a"], int(row["start_a"]), int(row["end_a"]))
            b = (row["file_b"], int(row["start_b"]), int(row["end_b"]))
            labels[frozenset((a, b))] = (row["same"] == "1", row["stratum"])
    first = sum(1 for _, stratum in labels.values() if stratum == "grouped")
    sampled = len(labels) - first
    weight = {"grouped": 1.0, "sample": (len(pairs) - first) / sampled}
    hit = sum(weight[s] for pair, (same, s) in labels.items() if same and pair in grouped)
    said = sum(weight[s] for pair, (_, s) in labels.items() if pair in grouped)
    true = sum(weight[s] for same, s in labels.values() if same)
    click.echo(f"candidate pairs (different articles, one unit, within {NEAR:.0%}): {len(pairs)}; "
               f"grouped by the matcher: {len(grouped)}")  # fmt: skip
    click.echo(f"labelled: {first} pairs (stratum 1, weight 1) + {sampled} sampled "
               f"(weight {weight['sample']:.1f}); the same claim: "
               f"{sum(1 for same, _ in labels.values() if same)}")  # fmt: skip
    in_sample = [(pair in grouped, same) for pair, (same, _) in labels.items()]
    click.echo(f"labelled pairs grouped: {sum(g for g, _ in in_sample)}, of which the same "
               f"claim: {sum(g and same for g, same in in_sample)}; the same claim not grouped: "
               f"{sum(same and not g for g, same in in_sample)}")  # fmt: skip
    precision = hit / said if said else 0.0
    recall = hit / true if true else 0.0
    click.echo(f"precision {precision:.2f}, recall {recall:.2f} (weighted)")


if __name__ == "__main__":
    main()
