"""Which figures of unseen news `ledger check` compares with a national or aggregate series
although their words say a company, a sector, a market, a region, an index or a product is what
is measured (issue 15: "No company or sector figure is matched to a national statistic").

Ingests every BBC and Reuters story of ../shared/corpora (bench/corpora.py) but those that hold a
labelled sentence of any set in bench/labels (official_checks*.csv, news*.jsonl: only their story
ids are read, never printed) and those repeating a sentence of such a story (the corpora repeat
stories under other ids), checks them with the default pack as `ledger check` does, takes every
claim given `consistent`, `inconsistent` or `revised` against an official series, and flags those
whose sentence says what else is measured, by the classes of SCOPE_CLASSES. The ledger is built
once in `--work` and reused, so a change to the checker is measured by checking again only.

    python bench/check_census.py --work /tmp/ledger-census [--list]

Prints the number of verdicts against official series, how many are flagged, and the count per
class and per metric; `--list` adds each flagged claim as story id, character span (in the
story file as ingested: title, dateline, text), metric, outcome, series subject and classes.
No corpus text is printed or stored: the flags are for a reader to look the sentences up.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

import click
from check_accuracy import story_text
from corpora import document_text, iter_corpus, require_corpora
from pick_official_checks import LABELS, fold, sentences

from ledger.check import run_checks
from ledger.refdata.lookup import reference_databases
from ledger.store import Ledger

VERDICTS = ("consistent", "inconsistent", "revised")
# What a sentence says is measured other than an economy, by class: the reader's first sort of
# the flagged figures (a flag is a reason to read the sentence, not a finding).
SCOPE_CLASSES = {
    "company named": re.compile(
        r"(?-i:\b[A-Z][\w&.]*\s+(?:Inc|Corp|Corporation|Co|Cos|Ltd|Plc|plc|PLC|AG|SA|NV|GmbH|"
        r"Group|Holdings|Airways|Airlines|Motors|Bancorp|Industries)\b)",
    ),
    # "their" but not the banks' base rates in general ("U.K. clearing banks cut their base
    # lending rates to 10 pct": Bank Rate, as the check reads them), one bank's "its" kept
    "its / the company's": re.compile(
        r"\b(?:its|their(?!\s+base\s+(?:lending\s+)?rates?\b)|"
        r"the\s+(?:company|group|firm|bank|carrier|airline|retailer)'s)\s+"
        r"(?:\w+\s+){0,2}(?:sales|profits?|revenues?|earnings|turnover|shares?|output|exports|"
        r"prices?|rates?|growth|income|losses|costs|stake|capacity)\b",
        re.I,
    ),
    "company results": re.compile(
        r"\b(?:pre-?tax\s+profits?|net\s+(?:profit|income|loss)|revenues?|turnover|earnings|"
        r"dividend|operating\s+(?:profit|income)|same-store|like-for-like)\b",
        re.I,
    ),
    "sector or trade": re.compile(
        r"\b(?:retail\s+sales|car\s+sales|(?:house|home|property)\s+prices|sector|industry|"
        r"manufacturing|manufacturers|retailers?|airlines?|carmakers?|steel|textiles?|"
        r"tourism|construction|farm|agricultur\w*|mining|exports?\s+of|imports?\s+of|"
        r"sales\s+of|output\s+of|production\s+of)\b",
        re.I,
    ),
    "market share": re.compile(r"\bmarket\s+share\b|\bshare\s+of\s+the\s+\w*\s*market\b", re.I),
    "shares or index": re.compile(
        r"\b(?:shares?|stocks?|share\s+price|index|indices|FTSE|Dow|Nikkei|Nasdaq|Dax|CAC|"
        r"Hang\s+Seng|points?|bourse|stock\s+exchange|bonds?|yields?)\b",
        re.I,
    ),
    "city or region": re.compile(
        r"\b(?:London|Scotland|Scottish|Wales|Welsh|Northern\s+Ireland|England|Texas|California|"
        r"New\s+York\s+(?:city|state)|Ontario|Quebec|Alberta|Bavaria|Hong\s+Kong|province|"
        r"state's|region|regional|city|county|south[\s-]east|north[\s-]east|Midlands)\b",
        re.I,
    ),
    "product or commodity": re.compile(
        r"\b(?:petrol|gasoline|coffee|cocoa|sugar|wheat|corn|grain|copper|gold|tin|rubber|"
        r"cattle|hogs|soybeans?|tickets?|phones?|cars?|computers?|chips?|cigarettes?|gallon)\b",
        re.I,
    ),
}
REPEATED_SENTENCE_MIN = 40  # shorter sentences ("Shr 1.20 dlrs") repeat across unrelated stories


def labelled_stories() -> set[str]:
    """The story ids of every labelled set, sealed ones included: their stories stay out of the
    census so that it never reads (or tunes on) a labelled sentence."""
    stories: set[str] = set()
    for path in sorted(LABELS.glob("official_checks*.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            stories |= {row["doc_id"] for row in csv.DictReader(handle)}
    for path in sorted(LABELS.glob("news*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            stories |= {json.loads(line)["doc"] for line in handle if line.strip()}
    return stories


def unseen_documents() -> list[dict]:
    """The BBC and Reuters stories of no labelled set, nor repeating a sentence of one."""
    labelled = labelled_stories()
    documents = [doc for corpus in ("bbc", "reuters") for doc in iter_corpus(corpus)]
    seen = {
        fold(sentence)
        for doc in documents
        if doc["id"] in labelled
        for _, sentence in sentences(document_text(doc))
        if len(sentence) > REPEATED_SENTENCE_MIN
    }
    return [
        doc
        for doc in documents
        if doc["id"] not in labelled
        and not any(
            fold(sentence) in seen
            for _, sentence in sentences(document_text(doc))
            if len(sentence) > REPEATED_SENTENCE_MIN
        )
    ]


def build(work: Path) -> Path:
    """The census ledger in `work` (built once: ingesting 20 MB of news takes minutes)."""
    db_path = work / "claims.db"
    if db_path.exists():
        return db_path
    folder = work / "sources"
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for document in unseen_documents():
        text, _ = story_text(document)
        (folder / f"{document['id']}.txt").write_text(text, encoding="utf-8")
        rows.append({"file": f"{document['id']}.txt", "publisher": document.get("publisher") or "",
                     "title": document.get("title") or "",
                     "published": (document.get("date") or "")[:10]})  # fmt: skip
    with open(folder / "manifest.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with Ledger(work / "building.db") as ledger:
        ledger.ingest([folder])
    os.replace(work / "building.db", db_path)  # only a whole ingest is reused
    return db_path


def verdicts(db_path: Path) -> list[dict]:
    """Every claim with a consistent/inconsistent/revised row against an official series, with
    its sentence and the series' subject."""
    with Ledger(db_path) as ledger:
        run_checks(ledger.db, official=reference_databases(db_path, None, pack=True))
        query = """
            select claims.id, claims.source_id, claims.start, claims.[end], claims.metric,
                   claims.sentence_start, checks.outcome, checks.subject_code,
                   sentences.text as sentence
            from checks join claims on claims.id = checks.claim_id
            left join sentences on sentences.source_id = claims.source_id
                               and sentences.start = claims.sentence_start
            where checks.against_type = 'official' and checks.outcome in (?, ?, ?)
            group by claims.id order by claims.source_id, claims.start
        """
        cursor = ledger.db.execute(query, VERDICTS)
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor]


def flags(sentence: str) -> list[str]:
    return [name for name, pattern in SCOPE_CLASSES.items() if pattern.search(sentence or "")]


@click.command()
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Where the census ledger is built once and reused.")  # fmt: skip
@click.option("--list", "listing", is_flag=True, help="Each flagged claim's id and span.")
def main(work: Path, listing: bool) -> None:
    require_corpora()
    work.mkdir(parents=True, exist_ok=True)
    db_path = build(work)
    with Ledger(db_path) as ledger:
        stories = ledger.db.execute("select count(*) from sources").fetchone()[0]
        claims = ledger.db.execute("select count(*) from claims").fetchone()[0]
    found = verdicts(db_path)
    flagged = [(row, flags(row["sentence"])) for row in found]
    flagged = [(row, classes) for row, classes in flagged if classes]
    print(f"{stories:,} unseen stories, {claims:,} claims; {len(found)} given a verdict against "
          f"an official series, {len(flagged)} of them flagged")  # fmt: skip
    by_class = Counter(name for _, classes in flagged for name in classes)
    for name in SCOPE_CLASSES:
        print(f"  {name:22} {by_class[name]:4}")
    print("flagged by metric:")
    for metric, count in Counter(row["metric"] for row, _ in flagged).most_common():
        print(f"  {metric:22} {count:4}")
    if listing:
        for row, classes in flagged:
            print(f"{row['source_id']} {row['start']}-{row['end']} {row['metric']} "
                  f"{row['outcome']} {row['subject_code']}: {', '.join(classes)}")  # fmt: skip


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    main()
