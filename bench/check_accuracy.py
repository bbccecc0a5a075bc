"""How well `ledger check` judges macro-statistical figures in real news, against hand labels.

bench/labels/official_checks.csv (the development set), official_checks_heldout.csv,
official_checks_heldout2.csv, official_checks_heldout3.csv, official_checks_heldout4.csv,
official_checks_heldout5.csv and official_checks_heldout6.csv (labelled before ledger was run on
their stories; bench/labels/README.md says how) hold figures from the BBC and Reuters corpora
(corpus, story id, character span of the figure in the story's title + text, publication date,
category, the outcome the official data give, and a note with the reference values read): never
their text. The first five held-out sets have since been read and tuned on (they are seen); the
sealed one (SEALED) is held out. The stories are read from ../shared/corpora (bench/corpora.py),
written to a scratch folder with a manifest (the labelled publication date; a Reuters story's
dateline opens its text, as on the wire), ingested and checked with the default pack, as `ledger
check` does on a fresh clone.
`--with-shared` also imports the whole official-statistics folder (../shared/reference-data: IMF
WEO, BoE, BP, ...) first, as a user with those files would.

Prints the four figures issue 15 asks for:

- checkable figures given a reference verdict (consistent, inconsistent or revised);
- agreement with the labels (every labelled figure);
- uncheckable figures (forecasts, a quarter's or a month's figure with only annual data, regional,
  company and sector figures) given consistent or inconsistent;
- company and sector figures compared with a national statistic.

    python bench/check_accuracy.py
        [--split fit|heldout|heldout2|heldout3|heldout4|heldout5|heldout6|all]
        [--with-shared] [--misses] [--why]

The held-out sets in SEALED are sealed: only their four totals are printed (no row, no miss, no
expected -> got count), so they can be measured without being tuned on, by the lead only. The
sixth was labelled to judge issue 15's ninth round, the one that unseals the fifth, and is run by
the lead only, at its end. The second was sealed until the round that labelled the third to judge
it, the third until issue 15's fourth round (the one the fourth judged), the fourth until its fifth
round (the one the fifth judged), and the fifth until its ninth (the one the sixth judges): their
misses are read from then on, so their figures are seen ones, no longer held out.

A labelled figure the extractor does not find counts as `no-reference` (nothing was checked).

`--why` names, for each figure of an open set that is judged wrongly (a checkable one with no
verdict or the wrong one, an uncheckable one given a verdict), the step that lost it (CAUSES: read
from the check's explanation and the label's note, never from the story), and counts them by cause:
story ids and offsets only, no corpus text.
"""

from __future__ import annotations

import csv
import os
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import click
from corpora import SHARED, document_text, iter_corpus, require_corpora

from ledger.check import run_checks
from ledger.refdata.lookup import reference_databases
from ledger.refdata.store import import_paths, imported_path
from ledger.store import Ledger

LABEL_FILES = {
    "fit": Path(__file__).resolve().parent / "labels" / "official_checks.csv",
    "heldout": Path(__file__).resolve().parent / "labels" / "official_checks_heldout.csv",
    "heldout2": Path(__file__).resolve().parent / "labels" / "official_checks_heldout2.csv",
    "heldout3": Path(__file__).resolve().parent / "labels" / "official_checks_heldout3.csv",
    "heldout4": Path(__file__).resolve().parent / "labels" / "official_checks_heldout4.csv",
    "heldout5": Path(__file__).resolve().parent / "labels" / "official_checks_heldout5.csv",
    "heldout6": Path(__file__).resolve().parent / "labels" / "official_checks_heldout6.csv",
}
# Sets kept sealed: only their four totals are printed, never a row's outcome (heldout3 was
# sealed until issue 15's fourth round, heldout4 until its fifth and heldout5 until its ninth;
# each is seen from then on). heldout6 judges the ninth round.
SEALED = {"heldout6"}
VERDICTS = {"consistent", "inconsistent", "revised"}
UNCHECKABLE = {"forecast", "frequency", "subnational", "company"}
# Why a figure got no verdict, or the wrong one: the first of these its check's explanation says
# (in order; ledger/check.py and ledger/refdata/checking.py write these words).
CAUSES = (
    (r"\Anot extracted\Z", "not extracted"),
    (r"no metric, nothing to compare", "no metric"),
    (r"no reference for \w+ of no subject", "metric with no series, and no subject"),
    (r"no reference for ", "wrong metric (one with no official series)"),
    (r"no subject to look official series up by", "no subject"),
    (r"no official series of ", "no series for its subject"),
    (r"was not over when it was published", "period not over at publication"),
    (r"forecast words \((\w+)\)", "refusal cue firing wrongly: forecast {0}"),
    (
        r"(?:about a|company's|security's|sector's|region's|regional|cross rate|another crude)"
        r"[^;]*never",
        "refusal cue firing wrongly: scope",
    ),
    (r"a change of a level", "refusal: read as a change of a level"),
    (r"\b(?:an?) (\w+) figure with no period", "period missing ({0} figure)"),
    (r"no period: taken as", "period missing"),
    (r"\b(?:an?) (monthly|quarterly) figure: no official", "frequency mismatch (read as {0})"),
    (r"not loaded, so not compared", "missing series in the pack"),
    (r"the figure is (?:less than half|more than \d+ times)", "off the series' level"),
    (r"\b(?:an?) annual figure: no official annual value", "no value for the year"),
)
# What the label's note names first: the subject's code and the year the figure is of.
_NOTED_SUBJECT = re.compile(r"\A(?:US\$ per )?([A-Z]{3}|WTI|BRENT)\b")
_NOTED_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_QUOTE_OF_A_YEAR = re.compile(r"(?:EIA:\w+|FRED:EXCH) [^;]*; [^;]*: [\d.]+ \w+ for \w+ \d{4};")
_COMPARED = re.compile(r" for ([A-Z]{3}|WTI|BRENT) ((?:19|20)\d\d)")


@dataclass
class Label:
    corpus: str
    doc_id: str
    start: int
    end: int
    published: str
    category: str
    expected: str
    note: str


@dataclass
class Result:
    label: Label
    outcome: str
    quote: str | None
    official_rows: int
    explanation: str


def read_labels(path: Path) -> list[Label]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            Label(
                **{**row, "start": int(row["start"]), "end": int(row["end"])}  # type: ignore[arg-type]
            )
            for row in csv.DictReader(handle)
        ]


def story_text(document: dict) -> tuple[str, int]:
    """A story's text as a source file holds it, its Reuters dateline put back at the head of
    the text as on the wire ("TOKYO, March 3 -"), and how far that moves the text's offsets."""
    text = document_text(document)
    dateline = (document.get("dateline") or "").strip()
    if not dateline:
        return text, 0
    head = len(text) - len(document["text"])
    return f"{text[:head]}{dateline} {text[head:]}", len(dateline) + 1


class Shift(NamedTuple):
    """How far a story's labels move in its source file: those from `after` on (its text, past
    the title) by `by`, the length of the Reuters dateline put back before the text."""

    after: int
    by: int

    def of(self, offset: int) -> int:
        return offset + self.by if offset >= self.after else offset


def write_sources(labels: list[Label], folder: Path) -> dict[str, Shift]:
    """Each labelled story as a source file with its manifest row; returns, per story, how far
    its labels' offsets move (a Reuters dateline put back at the head of the text, after its
    title: a label in the title stays where it is)."""
    wanted: dict[str, Label] = {}
    for label in labels:  # a story's first label dates it
        wanted.setdefault(label.doc_id, label)
    shifts: dict[str, Shift] = {}
    rows = []
    for corpus in ("bbc", "reuters"):
        for document in iter_corpus(corpus):
            label = wanted.get(document["id"])
            if label is None:
                continue
            text, shift = story_text(document)
            if shift:
                head = len(document_text(document)) - len(document["text"])
                shifts[document["id"]] = Shift(head, shift)
            (folder / f"{document['id']}.txt").write_text(text, encoding="utf-8")
            rows.append(
                {
                    "file": f"{document['id']}.txt",
                    "publisher": document.get("publisher") or "",
                    "title": document.get("title") or "",
                    "published": label.published,
                    "published_confidence": "labelled" if corpus == "bbc" else "wire date",
                }
            )
    with open(folder / "manifest.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return shifts


def judge(ledger: Ledger, labels: list[Label], shifts: dict[str, Shift]) -> list[Result]:
    """The ledger's outcome for each label: the claim whose quote overlaps the labelled span."""
    results = []
    for label in labels:
        shift = shifts.get(label.doc_id, Shift(0, 0))
        start, end = shift.of(label.start), shift.of(label.end)
        claim = ledger.db.execute(
            "select id, quote from claims where source_id = ? and start < ? and [end] > ? "
            "and retired_at is null order by abs(start - ?) limit 1",
            [label.doc_id, end, start, start],
        ).fetchone()
        if claim is None:
            results.append(Result(label, "no-reference", None, 0, "not extracted"))
            continue
        outcome = ledger.db.execute(
            "select outcome from check_outcomes where claim_id = ?", [claim[0]]
        ).fetchone()
        rows = ledger.db.execute(
            "select against_type, explanation from checks where claim_id = ?", [claim[0]]
        ).fetchall()
        official = sum(1 for kind, _ in rows if kind == "official")
        explanation = " | ".join(text for _, text in rows)
        results.append(
            Result(
                label, outcome[0] if outcome else "no-reference", claim[1], official, explanation
            )
        )
    return results


def figures(results: list[Result]) -> dict[str, tuple[int, int]]:
    checkable = [r for r in results if r.label.category == "checkable"]
    uncheckable = [r for r in results if r.label.category in UNCHECKABLE]
    company = [r for r in results if r.label.category == "company"]
    return {
        "checkable figures with a reference verdict": (
            sum(r.outcome in VERDICTS for r in checkable),
            len(checkable),
        ),
        "agreement with the labels": (
            sum(r.outcome == r.label.expected for r in results),
            len(results),
        ),
        "uncheckable figures given consistent/inconsistent": (
            sum(r.outcome in ("consistent", "inconsistent") for r in uncheckable),
            len(uncheckable),
        ),
        "company/sector figures compared with a national statistic": (
            sum(r.official_rows > 0 for r in company),
            len(company),
        ),
    }


def cause(result: Result) -> str:
    """The step that lost a figure judged wrongly (CAUSES), or, for a verdict on the wrong
    series, which of subject, period or band differs from what the label's note compared."""
    label, explanation = result.label, result.explanation
    if label.category != "checkable":
        return f"verdict on a {label.category} figure"
    if result.outcome in VERDICTS:
        compared = _COMPARED.search(explanation)
        subject, year = _NOTED_SUBJECT.search(label.note), _NOTED_YEAR.search(label.note)
        if compared and subject and compared.group(1) != subject.group(1):
            return "wrong subject"
        if compared and year and compared.group(2) != year.group(1):
            return "wrong period"
        if "not loaded, so not compared" in explanation:
            return "missing series in the pack"
        if _QUOTE_OF_A_YEAR.search(explanation):
            return "a day's quote checked against the year's average"
        if label.expected == "revised" and result.outcome == "inconsistent":
            return "revision band too tight"
        if "range" in explanation and result.outcome == "inconsistent":
            return "a quote outside its window"
        return f"{label.expected} read as {result.outcome}"
    for pattern, name in CAUSES:
        found = re.search(pattern, explanation)
        if found:
            return name.format(*found.groups())
    return f"{result.outcome}: other"


def causes(results: list[Result]) -> list[str]:
    """Each figure judged wrongly, by story id and offsets, with its cause; then the count per
    cause. No quote, no note, no story text."""
    wrong = [
        r
        for r in results
        if r.outcome != r.label.expected
        and (r.label.category == "checkable" or r.outcome in ("consistent", "inconsistent"))
    ]
    lines = ["\nwhy (figures judged wrongly, sealed sets left out):"]
    named = [(r, cause(r)) for r in wrong]
    lines += [f"  {r.label.doc_id} {r.label.start}-{r.label.end}: {why}" for r, why in named]
    lines.append("by cause:")
    for why, count in Counter(why for _, why in named).most_common():
        lines.append(f"  {count:3}  {why}")
    return lines


def report(
    sets: dict[str, list[Label]],
    results: list[Result],
    *,
    references: str,
    misses: bool,
    why: bool = False,
) -> list[str]:
    """The lines printed for the chosen sets: each set's four totals, then the expected -> got
    counts and (with `misses`) the misses of the sets that are not sealed. A sealed set's rows
    never reach a line, so it can be run without being read."""
    lines = []
    for name, labels in sets.items():
        chosen = [r for r in results if r.label in labels]
        lines.append(f"\n{len(chosen)} labelled figures ({LABEL_FILES[name].name}); "
                     f"references: {references}")  # fmt: skip
        for figure, (hits, total) in figures(chosen).items():
            share = f"{100 * hits / total:.1f}%" if total else "n/a"
            lines.append(f"  {figure:60} {hits:3} / {total:3}  {share}")
    sealed = [label for name in SEALED & set(sets) for label in sets[name]]
    open_results = [r for r in results if r.label not in sealed]
    lines.append("\nby expected outcome (expected -> got), sealed sets left out:")
    for (expected, got), count in sorted(
        Counter((r.label.expected, r.outcome) for r in open_results).items()
    ):
        lines.append(f"  {expected:13} -> {got:13} {count}")
    if misses:
        lines.append("\nmisses (sealed sets left out):")
        for r in open_results:
            if r.outcome != r.label.expected:
                label = r.label
                lines.append(f"- {label.doc_id} {label.start}-{label.end} ({label.category}) "
                             f"expected {label.expected}, got {r.outcome}; quote {r.quote!r}; "
                             f"label note: {label.note}\n    {r.explanation[:600]}")  # fmt: skip
    if why:
        lines += causes(open_results)
    return lines


@click.command()
@click.option(
    "--split",
    type=click.Choice([*LABEL_FILES, "all"]),
    default="fit",
    show_default=True,
    help="Which labelled set: the development one, a held-out one, or all (each reported). "
    f"Sealed sets ({', '.join(sorted(SEALED))}) print only their totals.",
)
@click.option("--with-shared", is_flag=True, help="Also import ../shared/reference-data first.")
@click.option("--misses", is_flag=True, help="List the figures whose outcome is not the label's.")
@click.option("--why", is_flag=True, help="Name the step that lost each figure judged wrongly.")
def main(split: str, with_shared: bool, misses: bool, why: bool) -> None:
    require_corpora()
    names = list(LABEL_FILES) if split == "all" else [split]
    sets = {name: read_labels(LABEL_FILES[name]) for name in names}
    labels = [label for name in names for label in sets[name]]
    with tempfile.TemporaryDirectory(prefix="ledger-check-bench-") as scratch:
        folder = Path(scratch) / "sources"
        folder.mkdir()
        shifts = write_sources(labels, folder)
        db_path = Path(scratch) / "claims.db"
        with Ledger(db_path) as ledger:
            ledger.ingest([folder])
            if with_shared:
                imported = import_paths(imported_path(db_path), "auto", [SHARED / "reference-data"])
                print(f"imported {imported.line()}")
            started = time.perf_counter()
            official = reference_databases(db_path, None, pack=True)
            summary = run_checks(ledger.db, official=official)
            print(f"{summary.line()} ({time.perf_counter() - started:.2f}s)")
            results = judge(ledger, labels, shifts)
    shared = " + the whole shared reference-data folder" if with_shared else ""
    lines = report(sets, results, references=f"default pack{shared}", misses=misses, why=why)
    for line in lines:
        print(line)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    main()
