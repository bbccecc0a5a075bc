"""Reference statistics: official figures, each with its citation, that claims are checked against.

They live in a CSV file under `sources/` (`sources/references.csv`), one row per figure, read by
`ledger ingest` and `ledger reference load`, and upserted by id into the `references` table. One
figure per row: where two publications differ (a preliminary and a final figure, two data
providers), each keeps its own row and the check shows both.

Columns (header required, order free):

- `id`: a stable slug (`rd-2023-nbs-most-mof`); loading again replaces the row with that id.
- `metric`, `subject`, `period`: what the figure is about, in the extractor's terms (`rd_spending`,
  `China`, `2023` / `2020-Q4` / `2024-05`).
- `value`, `unit`: the figure with its scale applied (3.34 trillion -> 3340000000000) and its unit
  as the extractor writes it (ISO 4217 code, `percent`, `percentage_point`, the counted noun).
- `bound`: `exact` unless the source itself gives a bound ("more than 1,000": `more_than`).
- `keywords`: optional, `|`-separated; the reference applies only to claims whose clause holds one
  of them (a share of production *capacity* is not a share of *demand*).
- `publisher`, `title`, `url`, `published` (YYYY-MM-DD, may be empty): the citation.
- `note`: what exactly the figure counts, and how sure we are of it.

    >>> ref = Reference(id="pop-2023", metric="population", subject="China", period="2023",
    ...                 value=1409670000, unit="person", publisher="NBS")
    >>> ref.period_end()
    datetime.date(2023, 12, 31)
"""

from __future__ import annotations

import calendar
import csv
import io
import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Literal

import sqlite_utils
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ledger.models import validation_message
from ledger.schema import REFERENCE_COLUMNS, ensure_schema

REFERENCES_FILE = "references.csv"

# A reference never states a range (it has no value_high); every other claim bound applies.
RefBound = Literal["exact", "approx", "more_than", "at_least", "less_than", "at_most"]

PERIOD_PATTERN = r"^\d{4}(-(Q[1-4]|0[1-9]|1[0-2]))?$"


class ReferenceError(ValueError):
    """A reference file or row that cannot be trusted: one-line message naming file and line."""


class Reference(BaseModel):
    """One official figure and where it was published."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=100)
    metric: str = Field(min_length=1)
    subject: str | None = None
    period: str | None = Field(None, pattern=PERIOD_PATTERN)
    value: float
    unit: str = Field(min_length=1)
    bound: RefBound = "exact"
    keywords: str | None = None
    publisher: str = Field(min_length=1)
    title: str | None = None
    url: str | None = Field(None, pattern=r"^https?://\S+$")
    published: date | None = None
    note: str | None = None

    @field_validator(
        "subject", "period", "keywords", "title", "url", "published", "note", mode="before"
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def period_end(self) -> date | None:
        """The last day of the period the figure is about (None when it has no period)."""
        return period_end(self.period)

    def row(self) -> dict[str, object]:
        """The `references` table row."""
        data = self.model_dump()
        data["published"] = self.published.isoformat() if self.published else None
        return data


def period_months(period: str) -> tuple[int, int]:
    """The first and last month of a period label ("2004", "2004-Q3", "2004-H1", "2004-09"),
    each counted in months from year 0: the one reading of period labels that their first and
    last days and their lengths in months are derived from. ValueError for anything else.

    >>> [divmod(month, 12) for month in period_months("2004-Q3")]
    [(2004, 6), (2004, 8)]
    >>> period_months("2004")[1] - period_months("2004")[0], period_months("2004-H1")[1] % 12
    (11, 5)
    """
    year, _, part = period.partition("-")
    if len(year) != 4 or not year.isdigit():
        raise ValueError(f"not a period label: {period!r}")
    size = {"Q": 3, "H": 6}.get(part[:1], 1 if part else 12)
    number = int(part[1:] if size in (3, 6) else part[:2]) if part else 1
    if not 1 <= number <= 12 // size:
        raise ValueError(f"not a period label: {period!r}")
    first = int(year) * 12 + (number - 1) * size
    return first, first + size - 1


def period_end(period: str | None) -> date | None:
    """The last day of a period label.

    >>> period_end("2020-Q4"), period_end("2024-02"), period_end("2023")
    (datetime.date(2020, 12, 31), datetime.date(2024, 2, 29), datetime.date(2023, 12, 31))
    >>> period_end("2004-10/2004-12"), period_end("1990/2010"), period_end("2004-H1")
    (datetime.date(2004, 12, 31), datetime.date(2010, 12, 31), datetime.date(2004, 6, 30))
    >>> period_end("sometime") is None, period_end("FY1986") is None
    (True, True)
    """
    if not period:
        return None
    try:  # an interval START/END ends when its END does
        year, month = divmod(period_months(period.rpartition("/")[2])[1], 12)
    except ValueError:
        return None
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def parse_references(text: str, *, name: str = REFERENCES_FILE) -> list[Reference]:
    """Read CSV text into references; the first bad row raises `ReferenceError` with its line."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    known = set(Reference.model_fields)
    unknown = [column for column in header if column not in known]
    if unknown:
        raise ReferenceError(f"{name}: unknown column(s) {', '.join(unknown)}")
    missing = [c for c in ("id", "metric", "value", "unit", "publisher") if c not in header]
    if missing:
        raise ReferenceError(f"{name}: missing column(s) {', '.join(missing)}")
    references: list[Reference] = []
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        if None in row:
            raise ReferenceError(f"{name}, line {line}: more fields than the header has")
        try:
            reference = Reference.model_validate(row)
        except ValidationError as error:
            message = validation_message(error, "row")
            raise ReferenceError(f"{name}, line {line}: {message}") from error
        if reference.id in seen:
            raise ReferenceError(f"{name}, line {line}: id {reference.id!r} appears twice")
        seen.add(reference.id)
        references.append(reference)
    return references


def load_references(path: str | os.PathLike[str]) -> list[Reference]:
    """Read a references CSV file (UTF-8, BOM allowed)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise ReferenceError(f"{path}: cannot read references ({error})") from error
    return parse_references(text, name=str(path))


def upsert_references(db: sqlite_utils.Database, references: list[Reference]) -> int:
    """Insert or replace each reference by id, in one transaction; returns how many were written."""
    ensure_schema(db)
    with db.conn:
        db.table("references").upsert_all(
            [reference.row() for reference in references],
            pk="id",
            column_order=list(REFERENCE_COLUMNS),
        )
    return len(references)


def load_into(db: sqlite_utils.Database, path: str | os.PathLike[str]) -> int:
    """Validate the whole file first, then upsert it: a bad row leaves the table untouched."""
    return upsert_references(db, load_references(path))


def list_references(
    db: sqlite_utils.Database, *, metric: str | None = None
) -> list[dict[str, object]]:
    """The stored references, by metric, subject and period."""
    ensure_schema(db)
    where, params = ("metric = ?", [metric]) if metric else (None, [])
    return list(db["references"].rows_where(where, params, order_by="metric, subject, period, id"))


def load_folder_references(
    db: sqlite_utils.Database, paths: Iterable[str | os.PathLike[str]]
) -> tuple[int, list[tuple[str, str]]]:
    """For `ledger ingest`: load the `references.csv` of each folder among `paths`.

    Returns how many references were written and, for each file that could not be trusted,
    (path, reason); a bad file is left out whole, and the ingest goes on.
    """
    loaded = 0
    failures: list[tuple[str, str]] = []
    for path in paths:
        candidate = Path(path) / REFERENCES_FILE
        if not candidate.is_file():
            continue
        try:
            loaded += load_into(db, candidate)
        except ReferenceError as error:
            failures.append((str(candidate), str(error).removeprefix(f"{candidate}").lstrip(", :")))
    return loaded, failures
