"""The extractor's specification cases: tests/specs/*.toml, input sentence -> expected claims.

One parametrised runner for every case in every spec file. The case format is a contract shared
with the extractor (issue 2) and is validated with pydantic, so a typo in a spec file fails
loudly instead of silently checking nothing:

    [[case]]
    id = "money-usd-bn-suffix"          # unique across all files
    text = "The company raised $2.5bn last year."
    published = "2024-03-01"            # optional, passed to extract(published=...)
    published_precision = "year"        # optional: only the year of `published` is known
    xfail = "why ledger does not get this yet"   # optional: runs as xfail(strict=True)
    partial = true                      # optional: only the listed claims are pinned down
    [[case.claims]]                     # in order of start; `claims = []` means no claim at all
    quote = "$2.5bn"
    value = 2.5e9
    kind = "money"
    unit = "USD"
    period = "2023"
    related = ["exceeded 900"]          # quotes of the related claims
    null = ["attribution"]              # fields that must be None (TOML has no null)

Any other Claim field may be given. Fields not given are not checked. Floats compare with a
relative tolerance of 1e-6. Every returned claim must satisfy text[start:end] == quote.
`checkworthiness_min` / `checkworthiness_max` bound the 0..1 score, which is a rule-made figure
and so is pinned down by an interval rather than a value.
"""

from __future__ import annotations

import csv
import math
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ledger import extract
from ledger.models import Bound, Change, Claim, Kind, SourceType

SPECS = Path(__file__).parent / "specs"
SOURCES = Path(__file__).parent.parent / "sources"
REL_TOL = 1e-6
NULLABLE = {"value_high", "unit", "change", "subject", "period", "attribution", "attribution_type"}


class ExpectedClaim(BaseModel):
    """What a spec case says about one claim; every field but the quote is optional."""

    model_config = ConfigDict(extra="forbid")

    quote: str = Field(min_length=1)
    start: int | None = None
    end: int | None = None
    value: float | None = None
    value_high: float | None = None
    kind: Kind | None = None
    unit: str | None = None
    bound: Bound | None = None
    change: Change | None = None
    metric: str | None = None
    subject: str | None = None
    period: str | None = None
    attribution: str | None = None
    attribution_type: SourceType | None = None
    sentence: str | None = None
    sentence_start: int | None = None
    rule: str | None = None
    checkworthiness_min: float | None = Field(None, ge=0.0, le=1.0)
    checkworthiness_max: float | None = Field(None, ge=0.0, le=1.0)
    related: list[str] | None = None
    null: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _null_fields_are_nullable(self) -> ExpectedClaim:
        for name in self.null:
            if name not in NULLABLE:
                raise ValueError(f"null: {name!r} is not a nullable Claim field")
            if getattr(self, name) is not None:
                raise ValueError(f"{name!r} is both given and listed in null")
        return self


class Case(BaseModel):
    """One spec case: a text, the date it was published, and the claims it must yield."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    text: str
    published: date | None = None
    # how much of `published` is known ("year": a date of 2005 whose month is made up)
    published_precision: Literal["year", "month", "day"] | None = None
    xfail: str | None = Field(None, min_length=1)
    partial: bool = False
    claims: list[ExpectedClaim]

    @model_validator(mode="after")
    def _quotes_are_in_the_text(self) -> Case:
        for claim in self.claims:
            if claim.quote not in self.text:
                raise ValueError(f"{self.id}: quote {claim.quote!r} is not in the text")
            start, end = claim.start, claim.end
            if start is not None and end is not None and self.text[start:end] != claim.quote:
                raise ValueError(f"{self.id}: start/end do not point at {claim.quote!r}")
            if claim.sentence is not None and claim.quote not in claim.sentence:
                raise ValueError(f"{self.id}: quote {claim.quote!r} is not in its sentence")
            at, sentence = claim.sentence_start, claim.sentence
            if sentence and at is not None and self.text[at : at + len(sentence)] != sentence:
                raise ValueError(f"{self.id}: sentence_start does not point at the sentence")
            for quote in claim.related or []:
                if quote not in self.text:
                    raise ValueError(f"{self.id}: related quote {quote!r} is not in the text")
        return self


class SpecFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case: list[Case] = Field(min_length=1)


def load_cases(directory: Path = SPECS) -> list[tuple[str, Case]]:
    """Every case of every spec file, as (file stem, case), ids checked to be unique."""
    cases: list[tuple[str, Case]] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as f:
            spec = SpecFile.model_validate(tomllib.load(f))
        for case in spec.case:
            if case.id in seen:
                raise ValueError(f"case id {case.id!r} in {path.name} also in {seen[case.id]}")
            seen[case.id] = path.name
            cases.append((path.stem, case))
    return cases


CASES = load_cases()


def _params() -> list[Any]:
    params = []
    for stem, case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
        params.append(pytest.param(case, id=f"{stem}:{case.id}", marks=marks))
    return params


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, float) and isinstance(actual, int | float):
        return math.isclose(expected, actual, rel_tol=REL_TOL, abs_tol=1e-12)
    return bool(expected == actual)


def _match(case: Case, claims: list[Claim]) -> list[tuple[ExpectedClaim, Claim]]:
    """Pair each expected claim with a returned one, by quote, in order of start."""
    if not case.partial:
        got = [c.quote for c in claims]
        want = [e.quote for e in case.claims]
        assert got == want, f"claims: expected {want}, got {got}"
        return list(zip(case.claims, claims, strict=True))
    pairs = []
    position = 0
    for expected in case.claims:
        for index in range(position, len(claims)):
            if claims[index].quote == expected.quote:
                pairs.append((expected, claims[index]))
                position = index + 1
                break
        else:
            got = [c.quote for c in claims]
            raise AssertionError(f"no claim {expected.quote!r} (in order) among {got}")
    return pairs


def check_case(case: Case) -> None:
    """Run extract() on the case's text and compare with every field the case gives."""
    compare(
        case,
        extract(case.text, published=case.published, published_precision=case.published_precision),
    )


def compare(case: Case, claims: list[Claim]) -> None:
    """Assert that `claims`, found in `case.text`, are the ones the case expects."""
    for claim in claims:
        assert case.text[claim.start : claim.end] == claim.quote, (
            f"offsets {claim.start}:{claim.end} do not point at {claim.quote!r}"
        )
    starts = [c.start for c in claims]
    assert starts == sorted(starts), "claims are not in order of start"
    by_fingerprint = {c.fingerprint: c.quote for c in claims}
    problems = []
    for expected, claim in _match(case, claims):
        given = expected.model_dump(exclude_none=True, exclude={"null", "related"})
        for name, want in given.items():
            if name == "checkworthiness_min":
                if claim.checkworthiness < want:
                    problems.append(f"{claim.quote!r}: checkworthiness {claim.checkworthiness}")
                continue
            if name == "checkworthiness_max":
                if claim.checkworthiness > want:
                    problems.append(f"{claim.quote!r}: checkworthiness {claim.checkworthiness}")
                continue
            actual = getattr(claim, name)
            if not _same(want, actual):
                problems.append(f"{claim.quote!r}: {name} expected {want!r}, got {actual!r}")
        for name in expected.null:
            actual = getattr(claim, name)
            if actual is not None:
                problems.append(f"{claim.quote!r}: {name} expected None, got {actual!r}")
        if expected.related is not None:
            actual_related = sorted(by_fingerprint.get(f, f"?{f}") for f in claim.related)
            if actual_related != sorted(expected.related):
                problems.append(
                    f"{claim.quote!r}: related expected {sorted(expected.related)}, "
                    f"got {actual_related}"
                )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", _params())
def test_spec_case(case: Case) -> None:
    check_case(case)


PREFIX = "Photo: VCG\n"


@pytest.mark.parametrize("case", [pytest.param(c, id=f"{s}:{c.id}") for s, c in CASES])
def test_a_line_before_the_text_only_shifts_offsets(case: Case) -> None:
    """A caption line above a text moves every claim by its length and changes nothing else.

    Fingerprints hash the sentence and the normalised claim, never offsets, so they must not
    move either: that is what keeps claim ids stable when a page gains a line.
    """
    alone = extract(case.text, published=case.published)
    shifted = extract(PREFIX + case.text, published=case.published)
    moved = [
        c.model_copy(
            update={
                "start": c.start + len(PREFIX),
                "end": c.end + len(PREFIX),
                "sentence_start": c.sentence_start + len(PREFIX),
            }
        )
        for c in alone
    ]
    assert [c.model_dump() for c in shifted] == [c.model_dump() for c in moved]


def _seed_files() -> list[tuple[str, date | None]]:
    with (SOURCES / "manifest.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        (row["file"], date.fromisoformat(row["published"]) if row["published"] else None)
        for row in rows
    ]


@pytest.mark.parametrize(("name", "published"), _seed_files())
def test_seed_file_yields_its_line_cases(name: str, published: date | None) -> None:
    """The whole seed file gives, line by line, the claims of seeds.toml, and nothing else.

    seeds.toml holds one case per non-empty line (id `seed-<file prefix>-line-<n>`), so this
    checks that offsets, sentences and fields hold in the real file as they do line by line.
    Lines whose case is a known miss (xfail) are not compared again here.
    """
    # bytes decoded as they are: no newline translation, so offsets are the file's own
    text = (SOURCES / name).read_bytes().decode("utf-8")
    line_starts = [0]
    for line in text.split("\n"):
        line_starts.append(line_starts[-1] + len(line) + 1)
    cases = {c.id: c for _, c in CASES if c.id.startswith(f"seed-{name[:3]}-line-")}
    assert cases, f"no seed cases for {name}"
    claims = extract(text, published=published)
    covered: set[int] = set()
    problems = []
    for case_id, case in sorted(cases.items()):
        offset = line_starts[int(case_id.rsplit("-", 1)[1]) - 1]
        assert text[offset : offset + len(case.text)] == case.text, f"{case_id} is not verbatim"
        inside = [c for c in claims if offset <= c.start and c.end <= offset + len(case.text)]
        covered.update(id(c) for c in inside)
        if case.xfail:
            continue
        shifted = [
            c.model_copy(
                update={
                    "start": c.start - offset,
                    "end": c.end - offset,
                    "sentence_start": c.sentence_start - offset,
                }
            )
            for c in inside
        ]
        try:
            compare(case, shifted)
        except AssertionError as error:
            problems.append(f"{case_id}: {error}")
    outside = [c.quote for c in claims if id(c) not in covered]
    assert not outside, f"claims on lines no seed case covers: {outside}"
    assert not problems, "\n".join(problems)


def test_spec_files_hold_several_hundred_cases() -> None:
    assert len(CASES) >= 300
    assert len({stem for stem, _ in CASES}) >= 15


def test_case_format_rejects_typos(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        '[[case]]\nid = "x"\ntext = "It rose 5%."\n[[case.claims]]\nquote = "5%"\nvalu = 5.0\n'
    )
    with pytest.raises(ValueError, match="valu"):
        load_cases(tmp_path)


def test_case_format_rejects_a_quote_not_in_the_text(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        '[[case]]\nid = "x"\ntext = "It rose 5%."\n[[case.claims]]\nquote = "6%"\n'
    )
    with pytest.raises(ValueError, match="not in the text"):
        load_cases(tmp_path)


def test_case_ids_are_unique_across_files(tmp_path: Path) -> None:
    for name in ("a", "b"):
        case = '[[case]]\nid = "same"\ntext = "1993"\nclaims = []\n'
        (tmp_path / f"{name}.toml").write_text(case)
    with pytest.raises(ValueError, match="also in a.toml"):
        load_cases(tmp_path)
