"""Claim lists out of the ledger: CSV, JSON, JSON lines, Markdown and schema.org ClaimReview.

Every format carries each claim's latest verdict and its provenance (source id, path, title,
publisher, url, start, end, sentence), and its check outcomes when `ledger check` has run. The
records come from `Ledger.iter_claims()`; this module only formats them, writing each as it comes
(JSON and ClaimReview as one valid array), so an export of a million claims holds one at a time.

ClaimReview follows Google's fact-check markup rules: one `ClaimReview` per claim that has a
verdict, with `claimReviewed`, `url`, `reviewRating` (`alternateName` plus a 1-5 truthfulness
scale where the verdict sits on one), `author`, `datePublished`, and an `itemReviewed` Claim with
its `author`, `datePublished` and `appearance` (the source's url, or a CreativeWork naming it).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from unicodedata import east_asian_width

from ledger.config import Organisation
from ledger.escaping import csv_cell, json_text, printable
from ledger.extraction.sentence_fields import source_type
from ledger.review import SUMMARY_MAX
from ledger.rules import default_rules

FORMATS = ("csv", "json", "jsonl", "markdown", "claimreview")

# Columns of the flat formats, in order: the claim, its verdict, its provenance, its checks.
COLUMNS = (
    "id",
    "claim_url",
    "quote",
    "figure",
    "value",
    "value_high",
    "kind",
    "unit",
    "bound",
    "change",
    "basis",
    "metric",
    "subject",
    "period",
    "attribution",
    "attribution_type",
    "checkworthiness",
    "verdict",
    "verdict_text",
    "verdict_reviewer",
    "verdict_evidence_url",
    "verdict_at",
    "notes_count",
    "check_summary",
    "checks",
    "source_id",
    "source_path",
    "source_title",
    "source_publisher",
    "source_url",
    "source_published",
    "start",
    "end",
    "sentence",
    "sentence_start",
    "rule",
    "fingerprint",
    "related",
    "extractor_version",
    "first_seen",
    "last_seen",
    "retired_at",
)

MARKDOWN_COLUMNS = ("claim", "figure", "quote", "metric", "verdict", "why", "evidence", "source")

# Verdict -> (label shown by search engines, place on a 1 (false) .. 5 (true) scale or None).
RATINGS: dict[str, tuple[str, int | None]] = {
    "accurate": ("Accurate", 5),
    "mostly-accurate": ("Mostly accurate", 4),
    "needs-context": ("Needs context", 3),
    "misleading": ("Misleading", 2),
    "inaccurate": ("Inaccurate", 1),
    "unverifiable": ("Unverifiable", None),
}
BEST_RATING, WORST_RATING = 5, 1


class Counted(Iterator[dict[str, Any]]):
    """Rows passed through, counted: how many a writer read, without holding them."""

    def __init__(self, rows: Iterable[dict[str, Any]]) -> None:
        self.rows = iter(rows)
        self.count = 0

    def __next__(self) -> dict[str, Any]:
        row = next(self.rows)
        self.count += 1
        return row


@dataclass(frozen=True)
class ExportOptions:
    """Where the claim pages are published, who publishes the reviews, and whether only verdicts
    a second reviewer signed off are published (ClaimReview)."""

    site_url: str | None = None
    organisation: Organisation = field(default_factory=Organisation)
    signed_off: bool = False


def record(row: dict[str, Any], options: ExportOptions | None = None) -> dict[str, Any]:
    """A claim row reduced to the exported columns, in order, with its page's URL and its
    figure in words ('more than 3.3 trillion CNY, 2023')."""
    from ledger.describe import claim_words

    site_url = options.site_url if options else None
    found = {column: row.get(column) for column in COLUMNS}
    found["claim_url"] = claim_url(site_url, row["id"])
    found["figure"] = claim_words(row) if row.get("value") is not None else None
    return found


def write_csv(
    rows: Iterable[dict[str, Any]], out: IO[str], options: ExportOptions | None = None
) -> None:
    """CSV with a header; list columns (checks, related) as JSON text; no cell a spreadsheet
    would run as a formula (`ledger.escaping.csv_cell`)."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        flat = record(row, options)
        for key in ("checks", "related"):
            flat[key] = json.dumps(flat[key] or [])
        writer.writerow({key: csv_cell(value) for key, value in flat.items()})


def write_json_array(items: Iterable[Any], out: IO[str], *, html: bool = False) -> None:
    r"""What `json.dumps(list(items), indent=2, ensure_ascii=False)` and a newline give, written
    an item at a time, with control characters escaped (`ledger.escaping.json_text`; and `<`,
    `>`, `&` too when `html`, for JSON-LD that may be embedded in a page).

    >>> items = [{"a": [1, {"b": None}], "c": "x\ny\u2028"}, {}, []]
    >>> out = io.StringIO()
    >>> write_json_array(items, out)
    >>> out.getvalue() == json.dumps(items, indent=2, ensure_ascii=False).replace(
    ...     "\u2028", "\\u2028") + "\n"
    True
    >>> json.loads(out.getvalue()) == items
    True
    """
    started = False
    for item in items:
        out.write(",\n  " if started else "[\n  ")
        # An item alone, one level further in: JSON strings hold no raw newline, so every
        # newline of the dump starts a line to indent.
        dumped = json.dumps(item, indent=2, ensure_ascii=False)
        out.write(json_text(dumped, html=html).replace("\n", "\n  "))
        started = True
    out.write("\n]\n" if started else "[]\n")


def write_json(
    rows: Iterable[dict[str, Any]], out: IO[str], options: ExportOptions | None = None
) -> None:
    write_json_array((record(row, options) for row in rows), out)


def write_jsonl(
    rows: Iterable[dict[str, Any]], out: IO[str], options: ExportOptions | None = None
) -> None:
    for row in rows:
        out.write(json_text(json.dumps(record(row, options), ensure_ascii=False)) + "\n")


def markdown_cell(value: Any) -> str:
    r"""A value made safe for a Markdown table cell.

    >>> markdown_cell("a | b\nc")
    'a \\| b c'
    >>> markdown_cell(None)
    ''
    """
    if value is None:
        return ""
    if isinstance(value, float):
        value = f"{value:g}"
    return printable(" ".join(str(value).split()).replace("|", "\\|"))


def _link(text: str, url: str | None) -> str:
    """A Markdown link, or the text alone when there is no http(s) or site-relative URL."""
    if not url or not url.startswith(("http://", "https://", "/")):
        return markdown_cell(text)
    return f"[{markdown_cell(text)}](<{url.replace('>', '%3E').replace(' ', '%20')}>)"


def write_markdown(
    rows: Iterable[dict[str, Any]], out: IO[str], options: ExportOptions | None = None
) -> None:
    """A table to publish: each claim linked to its page, its figure in words, the verdict with
    the reviewer's reason and evidence link, and the source linked."""
    out.write("| " + " | ".join(MARKDOWN_COLUMNS) + " |\n")
    out.write("|" + "---|" * len(MARKDOWN_COLUMNS) + "\n")
    for row in rows:
        flat = record(row, options)
        cells = [
            _link(row["id"], flat["claim_url"]),
            markdown_cell(flat["figure"]),
            markdown_cell(row.get("quote")),
            markdown_cell(row.get("metric")),
            markdown_cell(row.get("verdict")),
            markdown_cell(row.get("verdict_text")),
            _link("evidence", row.get("verdict_evidence_url")) if row.get(
                "verdict_evidence_url") else "",
            _link(row.get("source_title") or row.get("source_id") or "", row.get("source_url")),
        ]  # fmt: skip
        out.write("| " + " | ".join(cells) + " |\n")


def author_type(row: dict[str, Any]) -> str:
    """The schema.org type of a claim's author: the attribution's type as the extractor stored
    it (a person or an organisation), else as its name reads (a ledger from before it was
    stored, a reviewer's correction).

    >>> [author_type({"attribution": n}) for n in ("National Bureau of Statistics",
    ...  "Wang Zhigang", "Beat", "Dr Li")]
    ['Organization', 'Person', 'Organization', 'Person']
    >>> author_type({"attribution": "Keating", "attribution_type": "person"})
    'Person'
    """
    stored = row.get("attribution_type") or source_type(default_rules(), row["attribution"])
    return "Person" if stored == "person" else "Organization"


def draft_summary(row: dict[str, Any]) -> str:
    """What ClaimReview's claimReviewed says: the reviewer's summary, else the words of the
    claim's sentence around its figure, whole words only, at most SUMMARY_MAX characters: an
    aside in brackets that does not hold the figure is left out, and a cut sentence ends at a
    clause or a word that carries meaning, not on "an" or "of".

    >>> draft_summary({"sentence": "Total R&D spending exceeded 3.3 trillion yuan in 2023.",
    ...                "quote": "exceeded 3.3 trillion yuan"})
    'Total R&D spending exceeded 3.3 trillion yuan in 2023.'
    >>> len(draft_summary({"sentence": "In a speech, " + "x " * 60 + "it hit $5bn in 2024.",
    ...                    "quote": "$5bn"})) <= 75
    True
    >>> draft_summary({"sentence": "China's total R&D expenditure exceeded 3.3 trillion yuan, "
    ...                "representing an increase of 8.4 percent, the bureau said in its report.",
    ...                "quote": "exceeded 3.3 trillion yuan"})
    "China's total R&D expenditure exceeded 3.3 trillion yuan"
    >>> draft_summary({"sentence": "Today, China has some 540 satellites in space (the actual "
    ...                "number has exceeded 900) and is launching a competitor to Starlink.",
    ...                "quote": "some 540 satellites"})
    'China has some 540 satellites in space and is launching a competitor'
    """
    if row.get("summary"):
        return str(row["summary"])
    quote = row.get("quote") or ""
    sentence = _without_asides(" ".join((row.get("sentence") or "").split()), quote)
    if len(sentence) <= SUMMARY_MAX:
        return sentence
    at = max(sentence.find(quote), 0)
    # the clause holding the figure (rfind gives -1 when there is no break: start at 0)
    breaks = [sentence.rfind(mark, 0, at) for mark in (", ", "; ")]
    start = max((found + 2 for found in breaks if found >= 0), default=0)
    if at + len(quote) - start > SUMMARY_MAX:  # the clause is too long: keep what is nearest
        start = at
    summary = ""
    for word in sentence[start:].split():
        if len(summary) + len(word) + 1 > SUMMARY_MAX:
            break
        summary = f"{summary} {word}".strip()
    summary = _ended_well(summary, len(quote) + at - start)
    return (summary[:1].upper() + summary[1:]) if summary else quote[:SUMMARY_MAX]


def _without_asides(sentence: str, quote: str) -> str:
    """The sentence without bracketed asides that do not hold the quote."""
    kept = re.sub(r"\s*\([^()]*\)", lambda m: m.group() if quote in m.group() else "", sentence)
    return " ".join(kept.split())


def _ended_well(summary: str, quote_end: int) -> str:
    """A cut summary ended at its last clause break after the figure, else without the
    dangling words at its end."""
    breaks = [summary.rfind(mark) for mark in (", ", "; ", " - ", " — ")]
    cut = max(breaks)
    if cut >= quote_end:
        return summary[:cut]
    from ledger.matching import matching_rules

    # a word that says nothing ("an", "of", "the") would leave the summary broken off
    dangling = matching_rules().stopwords
    words = summary.split()
    while len(words) > 1 and words[-1].strip(",;:").lower() in dangling:
        words.pop()
    return " ".join(words).rstrip(",;:")


def claim_url(site_url: str | None, claim: str) -> str:
    """Where a claim's page is published: on `site_url`, else the path Datasette serves it at."""
    path = f"/claims/claims/{claim}"
    return f"{site_url.rstrip('/')}{path}" if site_url else path


def claim_review(
    row: dict[str, Any], *, site_url: str | None, organisation: Organisation
) -> dict[str, Any]:
    """One schema.org ClaimReview (JSON-LD) for a claim row that has a verdict.

    Follows Google's fact-check markup: the review's author is the fact-checking organisation
    (the reviewer who wrote the verdict is named as its creator); a verdict off the 1-5 scale
    (unverifiable) gives only a textual rating (`alternateName`), no number."""
    label, value = RATINGS[row["verdict"]]
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": label, "name": label}
    if value is not None:
        rating.update(ratingValue=value, bestRating=BEST_RATING, worstRating=WORST_RATING)
    appearance: dict[str, Any] = {"@type": "CreativeWork"}
    if str(row.get("source_url") or "").startswith(("http://", "https://")):
        appearance["url"] = row["source_url"]
    if row.get("source_title"):
        appearance["headline"] = row["source_title"]
    if row.get("source_publisher"):
        appearance["publisher"] = {"@type": "Organization", "name": row["source_publisher"]}
    if row.get("source_published"):
        appearance["datePublished"] = row["source_published"]
    claim: dict[str, Any] = {"@type": "Claim", "appearance": appearance}
    if row.get("attribution"):
        claim["author"] = {"@type": author_type(row), "name": row["attribution"]}
    elif row.get("source_publisher"):
        claim["author"] = {"@type": "Organization", "name": row["source_publisher"]}
    if row.get("source_published"):
        claim["datePublished"] = row["source_published"]
    author: dict[str, Any] = {"@type": "Organization", "name": organisation.name}
    if organisation.url:
        author["url"] = organisation.url
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": claim_url(site_url, row["id"]),
        "claimReviewed": draft_summary(row),
        "reviewRating": rating,
        "itemReviewed": claim,
        "author": author,
        "datePublished": str(row["verdict_at"])[:10],
    }
    if row.get("verdict_reviewer"):
        review["creator"] = {"@type": "Person", "name": row["verdict_reviewer"]}
    if row.get("verdict_text"):
        review["reviewBody"] = row["verdict_text"]
    return review


def write_claimreview(
    rows: Iterable[dict[str, Any]], out: IO[str], options: ExportOptions | None = None
) -> int:
    """A JSON array of ClaimReview objects for the claims with a verdict (signed off by a second
    reviewer, with `signed_off`); returns how many were written.

    Written safe to paste into `<script type="application/ld+json">`: a note reading
    `</script><script>alert(1)</script>` ran in Chromium when it was written raw."""
    options = options or ExportOptions()
    written = Counted(
        claim_review(row, site_url=options.site_url, organisation=options.organisation)
        for row in rows
        if row.get("verdict") in RATINGS
        and (row.get("verdict_signed_off") or not options.signed_off)
    )
    write_json_array(written, out, html=True)
    return written.count


WRITERS: dict[str, Callable[[Iterable[dict[str, Any]], IO[str], ExportOptions], None]] = {
    "csv": write_csv,
    "json": write_json,
    "jsonl": write_jsonl,
    "markdown": write_markdown,
}


def write(
    rows: Iterable[dict[str, Any]], fmt: str, out: IO[str], options: ExportOptions | None = None
) -> int:
    """Write claim rows from `Ledger.iter_claims()` to `out` in one of `FORMATS`, each as it is
    read; return how many claims were written (claimreview: how many reviews)."""
    if fmt != "claimreview" and fmt not in WRITERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    options = options or ExportOptions()
    if fmt == "claimreview":
        return write_claimreview(rows, out, options)
    counted = Counted(rows)
    WRITERS[fmt](counted, out, options)
    return counted.count


def export(rows: Iterable[dict[str, Any]], fmt: str, options: ExportOptions | None = None) -> str:
    """`write` into a string: claim rows from `Ledger.claims()` in one of `FORMATS`.

    >>> print(export([], "markdown"), end="")
    | claim | figure | quote | metric | verdict | why | evidence | source |
    |---|---|---|---|---|---|---|---|
    """
    out = io.StringIO()
    write(rows, fmt, out, options)
    return out.getvalue()


def columns_wide(text: str) -> int:
    """How many terminal columns `text` takes: a wide character (Chinese, full-width ％) two.

    >>> columns_wide("8.4%"), columns_wide("33357.1亿元"), columns_wide("８％")
    (4, 11, 4)
    """
    return len(text) + sum(1 for c in text if not c.isascii() and east_asian_width(c) in "WF")


def shorten(text: str, width: int | None) -> str:
    """Collapse whitespace and cut to `width` terminal columns with an ellipsis.

    >>> shorten("more than  3.3 trillion yuan", 12)
    'more than 3…'
    >>> shorten("c-0123456789abcdef", None)
    'c-0123456789abcdef'
    >>> shorten("研究与试验发展经费33357.1亿元", 12)
    '研究与试验…'
    """
    text = " ".join(text.split())
    if width is None or columns_wide(text) <= width:
        return text
    text = text[:width]  # no wider than it is long: at least `width` columns
    while columns_wide(text) > width - 1:
        text = text[:-1]
    return text + "…"


SPOOL_BYTES = 4 * 1024 * 1024  # of a table's cells held in memory before they go to a file


def write_table(
    rows: Iterable[dict[str, Any]], columns: dict[str, int | None], out: IO[str]
) -> int:
    """A plain-text table for the terminal: {column: max width, None for never cut}, cells cut to
    fit; returns the number of rows. The widths fit the widest cell, so every row is read before
    the first is printed: the cut cells wait in a temporary file past `SPOOL_BYTES`, not in memory.

    >>> import sys
    >>> write_table([{"id": "c-1", "value": 3.3e12}], {"id": 4, "value": 10}, sys.stdout)
    id   value
    ---  -------
    c-1  3.3e+12
    1
    """
    header = list(columns)
    widths = [len(name) for name in header]
    count = 0
    # A cell holds no tab or newline: markdown_cell and shorten collapse all whitespace.
    with tempfile.SpooledTemporaryFile(
        SPOOL_BYTES, mode="w+", encoding="utf-8", newline="\n"
    ) as cells:
        for row in rows:
            line = [shorten(markdown_cell(row.get(c)).replace("\\|", "|"), w)
                    for c, w in columns.items()]  # fmt: skip
            widths = [
                max(width, columns_wide(cell)) for width, cell in zip(widths, line, strict=True)
            ]
            cells.write("\t".join(line) + "\n")
            count += 1

        def text(line: list[str]) -> str:
            # padded to columns, not characters: a Chinese quote is twice as wide as it is long
            padded = (
                cell + " " * (w - columns_wide(cell)) for cell, w in zip(line, widths, strict=True)
            )
            return "  ".join(padded).rstrip()

        out.write(text(header) + "\n" + text(["-" * w for w in widths]) + "\n")
        cells.seek(0)
        for cell_line in cells:
            out.write(text(cell_line.removesuffix("\n").split("\t")) + "\n")
    return count


# None: never cut (an id cut short cannot be pasted into the next command)
CLAIMS_TABLE_COLUMNS: dict[str, int | None] = {
    "id": None,
    "figure": 34,
    "quote": 30,
    "metric": 20,
    "verdict": 15,
    "source_id": None,
}


def claims_table(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """The terminal table `ledger claims` prints: each figure in words beside its quote."""
    from ledger.describe import claim_words

    return write_table(
        ({**row, "figure": claim_words(row)} for row in rows), CLAIMS_TABLE_COLUMNS, out
    )


def write_rows(rows: Iterable[dict[str, Any]], fmt: str, out: IO[str]) -> int:
    """Any rows as `json` (an array), `nl` (one object a line) or `csv` (header from the first),
    written as they come; returns the number of rows.

    >>> import sys
    >>> write_rows([{"id": 1, "ok": True}], "csv", sys.stdout)
    id,ok
    1,True
    1
    """
    counted = Counted(rows)
    if fmt == "json":
        write_json_array(counted, out)
    elif fmt == "nl":
        for row in counted:
            out.write(json_text(json.dumps(row, ensure_ascii=False)) + "\n")
    elif fmt == "csv":
        first = next(counted, None)
        fields = list(first) if first is not None else []
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        if first is not None:
            for row in itertools.chain([first], counted):
                writer.writerow({key: csv_cell(value) for key, value in row.items()})
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return counted.count
