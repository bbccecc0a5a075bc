"""The records that flow between stages: a Claim from the extractor, a Source from the reader.

Field names are a contract: database columns, exports and web pages use them as they are.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ledger.fingerprints import figure_parts as _figure_parts
from ledger.fingerprints import fingerprint as _fingerprint
from ledger.fingerprints import fingerprint_occurrences as fingerprint_occurrences
from ledger.fingerprints import sentence_digest as _sentence_digest

Kind = Literal["money", "percent", "count", "measure", "multiple", "duration"]
Bound = Literal["exact", "approx", "more_than", "at_least", "less_than", "at_most", "range"]
Change = Literal["increase", "decrease"]
# what a change is measured against: 同比 (year on year), 环比 (the previous period), 两年平均
Basis = Literal["yoy", "previous_period", "two_year_average"]
# who an attribution names: a person ("Keating said") or an organisation ("a Nissan spokeswoman")
SourceType = Literal["person", "organisation"]
Verdict = Literal[
    "accurate", "mostly-accurate", "misleading", "inaccurate", "unverifiable", "needs-context"
]
VERDICTS: tuple[str, ...] = Verdict.__args__  # type: ignore[attr-defined]

# How each bound reads before a figure ("more than 3.3 trillion"); a range is said in full.
BOUND_WORDS: dict[str, str] = {
    "exact": "",
    "approx": "about ",
    "more_than": "more than ",
    "at_least": "at least ",
    "less_than": "less than ",
    "at_most": "at most ",
    "range": "",
}


class Claim(BaseModel):
    """One figure in a text, normalised, with the exact words and place it came from."""

    model_config = ConfigDict(extra="forbid")

    start: int = Field(description="code-point offset of the quote's first character")
    end: int = Field(description="code-point offset just past the quote; text[start:end] == quote")
    quote: str = Field(description="the whole mention, qualifier included")
    value: float = Field(description="the figure, scale applied (3.3 trillion -> 3.3e12)")
    value_high: float | None = Field(None, description="upper end of a range")
    kind: Kind
    unit: str | None = Field(
        None, description="ISO 4217 code, percent/percentage_point, counted noun or unit symbol"
    )
    bound: Bound = "exact"
    change: Change | None = Field(None, description="set when the figure is a change")
    basis: Basis | None = Field(
        None,
        description="what a change is measured against: yoy, previous_period, two_year_average",
    )
    metric: str = "other"
    subject: str | None = None
    period: str | None = Field(
        None, description="'2020', '2020-Q4', '2023-09', or an interval '2022-01/2022-07'"
    )
    attribution: str | None = None
    attribution_type: SourceType | None = Field(
        None, description="whether the attribution names a person or an organisation"
    )
    sentence: str
    sentence_start: int
    rule: str = Field(description="id of the rule that produced the claim")
    checkworthiness: float = Field(ge=0.0, le=1.0)
    fingerprint: str = Field(
        "", description="stable hash of the sentence and the normalised claim (no offsets)"
    )
    related: list[str] = Field(
        default_factory=list, description="fingerprints of claims about the same thing"
    )

    def compute_fingerprint(self, occurrence: int = 0) -> str:
        """Hash what identifies the claim independently of where its sentence sits in the file.

        `occurrence` tells apart the same figure said twice in the same sentence text (see
        `fingerprint_occurrences`, which counts them).
        """
        digest = _sentence_digest(" ".join(self.sentence.split()))
        return _fingerprint(digest, _figure_parts(self), occurrence)


def unchecked_claim(values: dict[str, Any], fields_set: frozenset[str]) -> Claim:
    """The Claim of `values` (every field, in Claim's order, each already of its type), built as
    pydantic's validation would build it, `fields_set` as the fields it would count as given,
    without checking each field again: for the extractors' own records, whose types they make
    (validating them took a third of building the records; tests/test_extract_work.py and
    tests/test_extract_zh_work.py hold every record equal to the validated one)."""
    claim = object.__new__(Claim)
    # object's __setattr__, past pydantic's own, as model_construct sets them
    object.__setattr__(claim, "__dict__", values)
    object.__setattr__(claim, "__pydantic_fields_set__", set(fields_set))
    object.__setattr__(claim, "__pydantic_extra__", None)
    object.__setattr__(claim, "__pydantic_private__", None)
    return claim


def validation_message(error: ValidationError, whole: str = "value") -> str:
    """A pydantic error in one line, for a user: where (dotted; `whole` when it is the whole
    value) and what, of its first problem.

    >>> try:
    ...     SourceMeta.model_validate({"published": "last Tuesday"})
    ... except ValidationError as error:
    ...     print(validation_message(error, "published"))
    published: 'last Tuesday' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)
    """
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or whole
    # a ValueError raised in a validator reads "Value error, ..." in pydantic's words
    return f"{where}: {first['msg'].removeprefix('Value error, ')}"


def claim_id(source_id: str, fingerprint: str) -> str:
    """The claim's id in the ledger: same source and same claim give the same id on any machine.

    >>> claim_id("000_06537919e2765593", "0123456789abcdef")
    'c-49925087ba170da9'
    """
    digest = hashlib.sha256(f"{source_id}\x1f{fingerprint}".encode()).hexdigest()
    return f"c-{digest[:16]}"


DatePrecision = Literal["year", "month", "day"]


class SourceMeta(BaseModel):
    """What is known of a source beyond its text (from the manifest or the page; all optional).

    `published` may be partial: "2005" or "2005-01" is kept as the period's first day with its
    `published_precision` ("year", "month"), so "last year" still resolves and no day is made up.

    >>> meta = SourceMeta.model_validate({"published": "2005-01"})
    >>> meta.published, meta.published_precision
    (datetime.date(2005, 1, 1), 'month')
    """

    model_config = ConfigDict(extra="ignore")

    publisher: str | None = None
    title: str | None = None
    author: str | None = None
    url: str | None = None
    published: date | None = None
    published_precision: DatePrecision | None = None
    published_confidence: str | None = None
    retrieved_at: str | None = None
    notes: str | None = None
    encoding: str | None = None  # how to decode the file: the manifest's word over detection

    @model_validator(mode="before")
    @classmethod
    def _partial_date(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("published"), str):
            return data
        text = data["published"].strip()
        match = _PARTIAL_DATE.fullmatch(text)
        if match is None:
            try:
                return {**data, "published": date.fromisoformat(text)}
            except ValueError:
                raise ValueError(f"{text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)") from None
        year, month = int(match["year"]), int(match["month"] or 1)
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} of {text!r} is not 1-12")
        precision = "month" if match["month"] else "year"
        return {**data, "published": date(year, month, 1), "published_precision": precision}

    @model_validator(mode="after")
    def _day_precision(self) -> SourceMeta:
        if self.published is not None and self.published_precision is None:
            self.published_precision = "day"
        return self

    def over(self, fallback: SourceMeta) -> SourceMeta:
        """These fields where given, `fallback`'s where not (the manifest over the page's own).

        >>> SourceMeta(title="From the manifest").over(SourceMeta(title="T", author="A")).author
        'A'
        """
        mine = self.model_dump(exclude_none=True)
        if "published" in mine:  # a date and its precision go together
            mine["published_precision"] = self.published_precision
        return fallback.model_copy(update=mine)


# "2005" or "2005-01": a partial publication date (a full one is left to pydantic's date).
_PARTIAL_DATE = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{1,2}))?")
