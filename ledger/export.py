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
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from ledger.escaping import csv_cell, json_text, printable
from ledger.rules import default_rules

FORMATS = ("csv", "json", "jsonl", "markdown", "claimreview")

# Columns of the flat formats, in order: the claim, its verdict, its provenance, its checks.
COLUMNS = (
    "id",
    "quote",
    "value",
    "value_high",
    "kind",
    "unit",
    "bound",
    "change",
    "metric",
    "subject",
    "period",
    "attribution",
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

MARKDOWN_COLUMNS = ("id", "quote", "value", "unit", "metric", "period", "verdict", "source_id")

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


def record(row: dict[str, Any]) -> dict[str, Any]:
    """A claim row reduced to the exported columns, in order."""
    return {column: row.get(column) for column in COLUMNS}


def write_csv(rows: Iterable[dict[str, Any]], out: IO[str]) -> None:
    """CSV with a header; list columns (checks, related) as JSON text; no cell a spreadsheet
    would run as a formula (`ledger.escaping.csv_cell`)."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        flat = record(row)
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


def write_json(rows: Iterable[dict[str, Any]], out: IO[str]) -> None:
    write_json_array((record(row) for row in rows), out)


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> None:
    for row in rows:
        out.write(json_text(json.dumps(record(row), ensure_ascii=False)) + "\n")


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


def write_markdown(rows: Iterable[dict[str, Any]], out: IO[str]) -> None:
    out.write("| " + " | ".join(MARKDOWN_COLUMNS) + " |\n")
    out.write("|" + "---|" * len(MARKDOWN_COLUMNS) + "\n")
    for row in rows:
        out.write("| " + " | ".join(markdown_cell(row.get(c)) for c in MARKDOWN_COLUMNS) + " |\n")


def author_type(name: str) -> str:
    """'Organization' when the name reads like one, else 'Person' (schema.org author types).

    >>> author_type("National Bureau of Statistics"), author_type("Wang Zhigang")
    ('Organization', 'Person')
    """
    words = {word.strip(".,'()").lower() for word in name.split()}
    # the words that make a source an organisation: [attribution_words] in cues.toml
    organisations = default_rules().organisations
    return "Organization" if not words.isdisjoint(organisations) else "Person"


def claim_review(row: dict[str, Any], *, site_url: str, organisation: str) -> dict[str, Any]:
    """One schema.org ClaimReview (JSON-LD) for a claim row that has a verdict."""
    label, value = RATINGS[row["verdict"]]
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": label, "name": label}
    if value is not None:
        rating.update(ratingValue=value, bestRating=BEST_RATING, worstRating=WORST_RATING)
    appearance: dict[str, Any] = {"@type": "CreativeWork"}
    if row.get("source_url"):
        appearance["url"] = row["source_url"]
    if row.get("source_title"):
        appearance["headline"] = row["source_title"]
    if row.get("source_publisher"):
        appearance["publisher"] = {"@type": "Organization", "name": row["source_publisher"]}
    if row.get("source_published"):
        appearance["datePublished"] = row["source_published"]
    claim: dict[str, Any] = {"@type": "Claim", "appearance": appearance}
    if row.get("attribution"):
        claim["author"] = {"@type": author_type(row["attribution"]), "name": row["attribution"]}
    elif row.get("source_publisher"):
        claim["author"] = {"@type": "Organization", "name": row["source_publisher"]}
    if row.get("source_published"):
        claim["datePublished"] = row["source_published"]
    author: dict[str, Any] = {"@type": "Organization", "name": organisation}
    if row.get("verdict_reviewer"):
        author = {"@type": "Person", "name": row["verdict_reviewer"]}
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"{site_url.rstrip('/')}/claims/claims/{row['id']}",
        "claimReviewed": " ".join(row["sentence"].split()),
        "reviewRating": rating,
        "itemReviewed": claim,
        "author": author,
        "datePublished": str(row["verdict_at"])[:10],
    }
    if row.get("verdict_text"):
        review["reviewBody"] = row["verdict_text"]
    return review


def write_claimreview(
    rows: Iterable[dict[str, Any]],
    out: IO[str],
    *,
    site_url: str = "http://127.0.0.1:8001",
    organisation: str = "ledger",
) -> None:
    """A JSON array of ClaimReview objects, for the claims with a verdict (others are left out).

    Written safe to paste into `<script type="application/ld+json">`: a note reading
    `</script><script>alert(1)</script>` ran in Chromium when it was written raw."""
    reviews = (
        claim_review(row, site_url=site_url, organisation=organisation)
        for row in rows
        if row.get("verdict") in RATINGS
    )
    write_json_array(reviews, out, html=True)


WRITERS: dict[str, Callable[[Iterable[dict[str, Any]], IO[str]], None]] = {
    "csv": write_csv,
    "json": write_json,
    "jsonl": write_jsonl,
    "markdown": write_markdown,
}


def write(
    rows: Iterable[dict[str, Any]], fmt: str, out: IO[str], **claimreview_options: str
) -> int:
    """Write claim rows from `Ledger.iter_claims()` to `out` in one of `FORMATS`, each as it is
    read; return how many rows were read (claimreview leaves out those with no verdict)."""
    if fmt != "claimreview" and fmt not in WRITERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    counted = Counted(rows)
    if fmt == "claimreview":
        write_claimreview(counted, out, **claimreview_options)
    else:
        WRITERS[fmt](counted, out)
    return counted.count


def export(rows: Iterable[dict[str, Any]], fmt: str, **claimreview_options: str) -> str:
    """`write` into a string: claim rows from `Ledger.claims()` in one of `FORMATS`.

    >>> print(export([], "markdown"), end="")
    | id | quote | value | unit | metric | period | verdict | source_id |
    |---|---|---|---|---|---|---|---|
    """
    out = io.StringIO()
    write(rows, fmt, out, **claimreview_options)
    return out.getvalue()


def shorten(text: str, width: int | None) -> str:
    """Collapse whitespace and cut to `width` characters with an ellipsis.

    >>> shorten("more than  3.3 trillion yuan", 12)
    'more than 3…'
    >>> shorten("c-0123456789abcdef", None)
    'c-0123456789abcdef'
    """
    text = " ".join(text.split())
    return text if width is None or len(text) <= width else text[: width - 1] + "…"


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
            widths = [max(width, len(cell)) for width, cell in zip(widths, line, strict=True)]
            cells.write("\t".join(line) + "\n")
            count += 1

        def text(line: list[str]) -> str:
            return "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()

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
