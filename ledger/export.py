"""Claim lists out of the ledger: CSV, JSON, JSON lines, Markdown and schema.org ClaimReview.

Every format carries each claim's latest verdict and its provenance (source id, path, title,
publisher, url, start, end, sentence), and its check outcomes when `ledger check` has run. The
records come from `Ledger.claims()`; this module only formats them.

ClaimReview follows Google's fact-check markup rules: one `ClaimReview` per claim that has a
verdict, with `claimReviewed`, `url`, `reviewRating` (`alternateName` plus a 1-5 truthfulness
scale where the verdict sits on one), `author`, `datePublished`, and an `itemReviewed` Claim with
its `author`, `datePublished` and `appearance` (the source's url, or a CreativeWork naming it).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from typing import Any

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


def record(row: dict[str, Any]) -> dict[str, Any]:
    """A claim row reduced to the exported columns, in order."""
    return {column: row.get(column) for column in COLUMNS}


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    """CSV with a header; list columns (checks, related) as JSON text."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        flat = record(row)
        for key in ("checks", "related"):
            flat[key] = json.dumps(flat[key] or [])
        writer.writerow(flat)
    return out.getvalue()


def to_json(rows: Iterable[dict[str, Any]]) -> str:
    return json.dumps([record(row) for row in rows], indent=2, ensure_ascii=False) + "\n"


def to_jsonl(rows: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(record(row), ensure_ascii=False) + "\n" for row in rows)


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
    return " ".join(str(value).split()).replace("|", "\\|")


def to_markdown(rows: Iterable[dict[str, Any]]) -> str:
    lines = [
        "| " + " | ".join(MARKDOWN_COLUMNS) + " |",
        "|" + "---|" * len(MARKDOWN_COLUMNS),
    ]
    for row in rows:
        lines.append("| " + " | ".join(markdown_cell(row.get(c)) for c in MARKDOWN_COLUMNS) + " |")
    return "\n".join(lines) + "\n"


# Words that make an attribution an organisation rather than a person, for the Claim's author.
ORGANISATION_WORDS = frozenset(
    [
        "academy",
        "administration",
        "agency",
        "association",
        "authority",
        "bank",
        "board",
        "bureau",
        "center",
        "centre",
        "commission",
        "committee",
        "company",
        "corporation",
        "council",
        "department",
        "federation",
        "fund",
        "government",
        "group",
        "inc",
        "institute",
        "ministry",
        "office",
        "organisation",
        "organization",
        "party",
        "reuters",
        "society",
        "times",
        "university",
        "xinhua",
    ]
)


def author_type(name: str) -> str:
    """'Organization' when the name reads like one, else 'Person' (schema.org author types).

    >>> author_type("National Bureau of Statistics"), author_type("Wang Zhigang")
    ('Organization', 'Person')
    """
    words = {word.strip(".,'()").lower() for word in name.split()}
    return "Organization" if words & ORGANISATION_WORDS else "Person"


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


def to_claimreview(
    rows: Iterable[dict[str, Any]],
    *,
    site_url: str = "http://127.0.0.1:8001",
    organisation: str = "ledger",
) -> str:
    """A JSON array of ClaimReview objects, for the claims with a verdict (others are left out)."""
    reviews = [
        claim_review(row, site_url=site_url, organisation=organisation)
        for row in rows
        if row.get("verdict") in RATINGS
    ]
    return json.dumps(reviews, indent=2, ensure_ascii=False) + "\n"


WRITERS: dict[str, Callable[[Iterable[dict[str, Any]]], str]] = {
    "csv": to_csv,
    "json": to_json,
    "jsonl": to_jsonl,
    "markdown": to_markdown,
}


def export(rows: Iterable[dict[str, Any]], fmt: str, **claimreview_options: str) -> str:
    """Render claim rows from `Ledger.claims()` in one of `FORMATS`."""
    if fmt == "claimreview":
        return to_claimreview(rows, **claimreview_options)
    if fmt not in WRITERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return WRITERS[fmt](rows)


def shorten(text: str, width: int) -> str:
    """Collapse whitespace and cut to `width` characters with an ellipsis.

    >>> shorten("more than  3.3 trillion yuan", 12)
    'more than 3…'
    """
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def to_table(rows: Iterable[dict[str, Any]], columns: dict[str, int]) -> str:
    """A plain-text table for the terminal: {column: max width}, cells cut to fit.

    >>> print(to_table([{"id": "c-1", "value": 3.3e12}], {"id": 4, "value": 10}), end="")
    id   value
    ---  -------
    c-1  3.3e+12
    """
    cells = [[shorten(markdown_cell(row.get(c)).replace("\\|", "|"), w) for c, w in columns.items()]
             for row in rows]  # fmt: skip
    header = list(columns)
    widths = [max([len(h)] + [len(line[i]) for line in cells]) for i, h in enumerate(header)]
    lines = [header, ["-" * w for w in widths], *cells]
    return "".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() + "\n"
        for line in lines
    )


CLAIMS_TABLE_COLUMNS = {
    "id": 18,
    "figure": 34,
    "quote": 30,
    "metric": 20,
    "verdict": 15,
    "source_id": 20,
}


def claims_table(rows: Iterable[dict[str, Any]]) -> str:
    """The terminal table `ledger claims` prints: each figure in words beside its quote."""
    from ledger.web.render import claim_words

    return to_table(({**row, "figure": claim_words(row)} for row in rows), CLAIMS_TABLE_COLUMNS)


def plain_rows(rows: Iterable[dict[str, Any]], fmt: str) -> str:
    """Any rows as `json` (an array), `nl` (one object a line) or `csv` (header from the first).

    >>> print(plain_rows([{"id": 1, "ok": True}], "csv"), end="")
    id,ok
    1,True
    """
    rows = list(rows)
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if fmt == "nl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    raise ValueError(f"unknown format {fmt!r}")
