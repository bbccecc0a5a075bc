"""Claim matching measured on a held-out sample: same-story clusters of Reuters-21578 (1987) and
BBC News (2004-05), corpora the matcher was never tuned on (its settings were fitted on
`topical_small`, bench/grouping.py).

    python bench/grouping_heldout.py                     # precision and recall on the labels
    python bench/grouping_heldout.py --pick /tmp/draft   # the pairs to label, with their text

How the pairs were chosen (`pick`, without running the matcher): documents of one corpus are a
same-story cluster when their titles share two content words that are not common in titles
(Reuters: within two days of each other) and their bodies share at least a fifth of their
content words; byte-identical texts are left out, and so are clusters of more than MAX_CLUSTER
documents (chains of look-alike notices). Every figure the extractor finds in them is ingested
into a scratch ledger (no `ledger check`, so no groups). Candidate pairs are two claims of
*different* documents of one cluster in the same unit whose values are within 10% of the larger
(as in bench/grouping.py). A fixed random sample of candidates (seed 1616, PER_CORPUS from each
corpus) was labelled by reading both sentences, before the matcher was run on them: "same" when
both assert the same figure of the same thing and time (the same 15.1 billion dlr deficit; not
two 5 pct rises of different companies). The labels (bench/labels/grouping_heldout.csv) are
corpus ids and character offsets in the text `corpora.document_text` gives; the text stays in
../shared.

Two batches: 1, 180 pairs (seed 1616, 90 per corpus), whose errors were read once before the
rounding-aware matcher was written; 2, 70 more pairs (`--pick --seed 1617 --count 35`, none of
batch 1), labelled after that matcher was written and before it was run on them: batch 2 is
the one no setting was chosen on.

The sample is uniform over the candidate pairs, so precision and recall are plain proportions
over it (recall is within the candidate set: pairs further apart are taken as different).
"""

from __future__ import annotations

import csv
import itertools
import random
import re
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import click
import sqlite_utils

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpora import document_text, iter_corpus, require_corpora  # noqa: E402

from ledger.check import run_checks  # noqa: E402
from ledger.matching import matching_rules, write_groups  # noqa: E402
from ledger.store import Ledger  # noqa: E402

LABELS = Path(__file__).resolve().parent / "labels" / "grouping_heldout.csv"
NEAR = 0.10
PER_CORPUS = 90
SEED = 1616
TITLE_SHARED = 2  # content words two titles share
BODY_OVERLAP = 0.2  # Jaccard of two bodies' content words
DAYS_APART = 2  # Reuters: a story and its follow-ups
MAX_CLUSTER = 12  # a chain of 47 dividend notices is no story: left out
COMMON_TITLE = 0.005  # title words in more titles than this say nothing ("qtr", "net", "bank")

Key = tuple[str, int, int]  # (corpus document id, start, end)
_WORD = re.compile(r"[a-z][a-z'.]+")


def _content(text: str) -> frozenset[str]:
    rules = matching_rules()
    return frozenset(
        word.strip(".'") for word in _WORD.findall(text.casefold())
        if len(word) > 2 and word.strip(".'") not in rules.stopwords
        and word not in rules.figure_words
    )  # fmt: skip


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def clusters(corpus: str) -> Iterator[list[dict]]:
    """Same-story clusters (two documents or more) of one corpus, connected pairs of alike
    documents, in a fixed order."""
    documents = [d for d in iter_corpus(corpus) if d.get("title")]
    titles = [_content(d["title"]) for d in documents]
    bodies = [_content(d["text"]) for d in documents]
    days = [date.fromisoformat(d["date"][:10]) if d.get("date") else None for d in documents]
    parent = list(range(len(documents)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    seen_texts: set[str] = set()
    unique = []
    for i, document in enumerate(documents):
        if document["text"] not in seen_texts:
            seen_texts.add(document["text"])
            unique.append(i)
    for i, j in _title_neighbours(unique, titles):
        if days[i] and days[j] and abs((days[i] - days[j]).days) > DAYS_APART:
            continue
        if _jaccard(bodies[i], bodies[j]) >= BODY_OVERLAP:
            parent[root(j)] = root(i)
    found: dict[int, list[dict]] = {}
    for i in unique:
        found.setdefault(root(i), []).append(documents[i])
    for group in found.values():
        if 1 < len(group) <= MAX_CLUSTER:
            yield group


def _title_neighbours(ids: list[int], titles: list[frozenset[str]]) -> Iterator[tuple[int, int]]:
    """Pairs of documents whose titles share TITLE_SHARED content words (an inverted index:
    comparing every pair of 20,000 titles would take minutes)."""
    postings: dict[str, list[int]] = {}
    for i in ids:
        for word in titles[i]:
            postings.setdefault(word, []).append(i)
    common = {word for word, found in postings.items() if len(found) > len(ids) * COMMON_TITLE}
    for i in ids:
        shared: dict[int, int] = {}
        for word in titles[i] - common:
            for j in postings[word]:
                if j > i:
                    shared[j] = shared.get(j, 0) + 1
        yield from sorted((i, j) for j, count in shared.items() if count >= TITLE_SHARED)


def scratch_ledger(documents: list[dict], work: Path) -> sqlite_utils.Database:
    """The documents ingested (one file each, named by corpus id) into a scratch ledger."""
    folder = work / "sources"
    folder.mkdir()
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "publisher", "title", "published"])
        for document in documents:
            (folder / f"{document['id']}.txt").write_text(document_text(document), "utf-8")
            published = (document.get("date") or "")[:10]
            row = [document.get("publisher") or "", document.get("title") or "", published]
            writer.writerow([f"{document['id']}.txt", *row])
    with Ledger(work / "claims.db") as ledger:
        ledger.ingest([folder])
    return sqlite_utils.Database(work / "claims.db")


def claim_rows(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query(
        "select claims.id, sources.path, start, [end], unit, value from claims"
        " join sources on sources.id = claims.source_id"
        " where unit is not null and retired_at is null and rejected_at is null order by claims.id"
    ))  # fmt: skip


def key_of(row: dict) -> Key:
    return (Path(row["path"]).stem, row["start"], row["end"])


def candidate_pairs(rows: list[dict], cluster_of: dict[str, int]) -> list[tuple[Key, Key]]:
    """Two claims of different documents of one cluster, one unit, values within NEAR."""
    by_cluster: dict[int, list[dict]] = {}
    for row in rows:
        by_cluster.setdefault(cluster_of[key_of(row)[0]], []).append(row)
    pairs = []
    for members in by_cluster.values():
        for a, b in itertools.combinations(members, 2):
            larger = max(abs(a["value"]), abs(b["value"]))
            if key_of(a)[0] == key_of(b)[0] or a["unit"] != b["unit"] or not larger:
                continue
            if abs(a["value"] - b["value"]) / larger <= NEAR:
                pairs.append((key_of(a), key_of(b)))
    return pairs


def corpus_ledger(work: Path) -> tuple[sqlite_utils.Database, dict[str, list[tuple[Key, Key]]]]:
    """Both corpora's clusters in one scratch ledger, and each corpus's candidate pairs."""
    documents, cluster_of = [], {}
    corpus_docs: dict[str, list[str]] = {}
    for index, corpus in enumerate(("reuters", "bbc")):
        for number, cluster in enumerate(clusters(corpus)):
            for document in cluster:
                documents.append(document)
                cluster_of[document["id"]] = index * 100_000 + number
                corpus_docs.setdefault(corpus, []).append(document["id"])
    db = scratch_ledger(documents, work)
    rows = claim_rows(db)
    pairs = {}
    for corpus, ids in corpus_docs.items():
        mine = set(ids)
        pairs[corpus] = candidate_pairs([r for r in rows if key_of(r)[0] in mine], cluster_of)
    return db, pairs


def pick(pairs: dict[str, list[tuple[Key, Key]]], seed: int, count: int) -> list[tuple[Key, Key]]:
    """`count` candidate pairs of each corpus, drawn with `seed`, none already labelled."""
    labelled = set(read_labels()) if LABELS.exists() else set()
    chosen = []
    for corpus in ("reuters", "bbc"):
        fresh = [pair for pair in pairs[corpus] if frozenset(pair) not in labelled]
        chosen += random.Random(seed).sample(fresh, min(count, len(fresh)))
    return chosen


def write_draft(chosen: list[tuple[Key, Key]], draft: Path) -> None:
    """Each pair with the two figures in context, to label by reading (kept outside the repo)."""
    texts = {}
    for corpus in ("reuters", "bbc"):
        wanted = {key[0] for pair in chosen for key in pair}
        for document in iter_corpus(corpus):
            if document["id"] in wanted:
                texts[document["id"]] = document_text(document)
    with draft.open("w", encoding="utf-8") as out:
        for number, (a, b) in enumerate(chosen):
            out.write(f"## p{number:03d} {a} {b}\n")
            for doc, start, end in (a, b):
                text = texts[doc]
                before, after = text[max(0, start - 220) : start], text[end : end + 120]
                around = f"{before}[[{text[start:end]}]]{after}"
                out.write(f"   {doc}: {' '.join(around.split())}\n")


@click.command()
@click.option("--pick", "draft", type=click.Path(path_type=Path), help="Write pairs to label.")
@click.option("--seed", default=SEED, show_default=True, help="--pick: the draw.")
@click.option("--count", default=PER_CORPUS, show_default=True, help="--pick: pairs per corpus.")
def main(draft: Path | None, seed: int, count: int) -> None:
    require_corpora()
    with tempfile.TemporaryDirectory() as work:
        db, pairs = corpus_ledger(Path(work))
        click.echo(", ".join(f"{c}: {len(p)} candidate pairs" for c, p in pairs.items()))
        if draft:
            write_draft(pick(pairs, seed, count), draft)
            return
        run_checks(db)
        write_groups(db)
        grouped = grouped_pairs(db)
    report(grouped)


def grouped_pairs(db: sqlite_utils.Database) -> set[frozenset[Key]]:
    rows = list(db.query(
        "select claim_groups.group_id, sources.path, start, [end] from claim_groups"
        " join claims on claims.id = claim_groups.claim_id"
        " join sources on sources.id = claims.source_id"
    ))  # fmt: skip
    by_group: dict[str, list[Key]] = {}
    for row in rows:
        by_group.setdefault(row["group_id"], []).append(key_of(row))
    return {
        frozenset(pair) for members in by_group.values()
        for pair in itertools.combinations(members, 2)
    }  # fmt: skip


def read_labels() -> dict[frozenset[Key], tuple[bool, str]]:
    """The labelled pairs: whether each is the same claim, and its batch."""
    with LABELS.open(encoding="utf-8") as handle:
        return {
            frozenset(((row["doc_a"], int(row["start_a"]), int(row["end_a"])),
                       (row["doc_b"], int(row["start_b"]), int(row["end_b"])))):
            (row["same"] == "1", row["batch"])
            for row in csv.DictReader(handle)
        }  # fmt: skip


def report(grouped: set[frozenset[Key]]) -> None:
    """Precision and recall on each batch of labels, and on all of them."""
    labels = read_labels()
    batches = sorted({batch for _, batch in labels.values()})
    for name in [*batches, "all"]:
        chosen = {k: same for k, (same, b) in labels.items() if name in ("all", b)}
        said = [pair in grouped for pair in chosen]
        true = list(chosen.values())
        hit = sum(g and t for g, t in zip(said, true, strict=True))
        precision = hit / sum(said) if any(said) else 0.0
        recall = hit / sum(true) if any(true) else 0.0
        click.echo(f"batch {name}: {len(chosen)} pairs, {sum(true)} the same claim, "
                   f"{sum(said)} grouped, {hit} both: precision {precision:.2f}, "
                   f"recall {recall:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
