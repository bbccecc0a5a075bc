"""The extractor on the five seed articles and on ugly input (issue 2)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from ledger import extract
from ledger.extract import EXTRACTOR_VERSION, extract_with_report
from ledger.models import Claim

SOURCES = Path(__file__).resolve().parent.parent / "sources"
MANIFEST = {row["file"]: row for row in csv.DictReader((SOURCES / "manifest.csv").open())}


def seed(prefix: str) -> tuple[str, list[Claim]]:
    name = next(n for n in MANIFEST if n.startswith(prefix))
    text = (SOURCES / name).read_bytes().decode("utf-8")
    claims = extract(text, published=date.fromisoformat(MANIFEST[name]["published"]))
    for claim in claims:
        assert text[claim.start : claim.end] == claim.quote
    return text, claims


def by_quote(claims: list[Claim]) -> dict[str, Claim]:
    found = {c.quote: c for c in claims}
    assert len(found) == len(claims), "a quote came out twice"
    return found


def fields(claim: Claim, *names: str) -> tuple[object, ...]:
    return tuple(getattr(claim, n) for n in names)


F = ("value", "kind", "unit", "bound", "change", "metric", "subject", "period", "attribution")


def test_seed_000_global_times() -> None:
    text, claims = seed("000")
    c = by_quote(claims)
    assert list(c) == [
        "some 540 satellites",
        "exceeded 900",
        "exceeded 3.3 trillion yuan",
        "8.4 percent",
        "over 1.4 billion people",
    ]
    assert fields(c["some 540 satellites"], *F) == (
        540.0,
        "count",
        "satellite",
        "approx",
        None,
        "satellites",
        "China",
        None,
        "Foreign Policy",
    )
    assert fields(c["exceeded 900"], *F) == (
        900.0,
        "count",
        "satellite",
        "more_than",
        None,
        "satellites",
        "China",
        None,
        "Foreign Policy",
    )
    assert c["exceeded 900"].related == [c["some 540 satellites"].fingerprint]
    assert c["some 540 satellites"].related == [c["exceeded 900"].fingerprint]
    assert fields(c["exceeded 3.3 trillion yuan"], *F) == (
        3.3e12,
        "money",
        "CNY",
        "more_than",
        None,
        "rd_spending",
        "China",
        "2023",
        None,
    )
    assert fields(c["8.4 percent"], *F) == (
        8.4,
        "percent",
        "percent",
        "exact",
        "increase",
        "rd_spending",
        "China",
        "2023",
        None,
    )
    assert fields(c["over 1.4 billion people"], *F) == (
        1.4e9,
        "count",
        "person",
        "more_than",
        None,
        "population",
        "China",
        None,
        None,
    )
    assert c["8.4 percent"].sentence.startswith("Last year, China's total R&D expenditure")
    assert text[c["8.4 percent"].sentence_start :].startswith(c["8.4 percent"].sentence)


def test_seed_001_has_no_figures() -> None:
    # 2020, 5G and the URL id are not claims; the summary holds no figure a checker wants
    assert seed("001")[1] == []


def test_seed_002_two_metals() -> None:
    _, claims = seed("002")
    assert [fields(c, "quote", "value", "kind", "unit", "subject") for c in claims] == [
        ("two metals", 2.0, "count", "metal", "China")
    ]


def test_seed_003_sputnik() -> None:
    _, claims = seed("003")
    c = by_quote(claims)
    assert list(c) == [
        "7 per cent",
        "33 per cent",
        "over 80 per cent",
        "more than half",
        "$1.4tn",
        "$774m",
        "2.3 percent",
        "6.5 percent",
        "two major deals",
        "$26.2tn",
    ]
    # quote | value | kind | unit | bound | change | metric | subject | period | attribution
    table = """
    7 per cent       | 7      | percent | percent | exact     | - | semiconductor_share | China | -       | Jiang Jinquan
    33 per cent      | 33     | percent | percent | exact     | - | semiconductor_share | China | -       | Jiang Jinquan
    over 80 per cent | 80     | percent | percent | more_than | - | import_dependence   | China | -       | Jiang Jinquan
    more than half   | 50     | percent | percent | more_than | - | import_dependence   | China | -       | Jiang Jinquan
    $1.4tn           | 1.4e12 | money   | USD     | exact     | - | investment_fund     | China | 2020-10 | -
    $774m            | 7.74e8 | money   | USD     | exact     | - | investment_fund     | China | 2020    | -
    2.3 percent      | 2.3    | percent | percent | exact     | increase | gdp_growth   | China | 2020    | National Bureau of Statistics
    6.5 percent      | 6.5    | percent | percent | exact     | increase | gdp_growth   | China | 2020-Q4 | National Bureau of Statistics
    two major deals  | 2      | count   | deal    | exact     | - | trade               | China | -       | -
    $26.2tn          | 2.62e13| money   | USD     | exact     | - | trade               | China | -       | -
    """  # noqa: E501
    expected = {}
    for line in table.strip().splitlines():
        quote, value, *rest = [None if x.strip() == "-" else x.strip() for x in line.split("|")]
        expected[quote] = (float(value), *rest)
    for quote, want in expected.items():
        assert fields(c[quote], *F) == pytest.approx(want), quote


def test_seed_004_cgtn() -> None:
    _, claims = seed("004")
    assert [fields(c, "quote", *F) for c in claims] == [
        ("over $40 billion", 4e10, "money", "USD", "more_than", None, "investment_fund", "China",
         None, "Reuters"),
        # the noun may sit in quotes; "20th", 2014, 2019 and 2016 are not claims
        ("three “little giants”", 3.0, "count", "giant", "exact", None, "other", None, None, None),
    ]  # fmt: skip


def test_claims_are_valid_models_in_order_with_version() -> None:
    for prefix in ("000", "003"):
        _, claims = seed(prefix)
        assert [c.start for c in claims] == sorted(c.start for c in claims)
        for claim in claims:
            Claim.model_validate(claim.model_dump())
            assert claim.fingerprint == claim.compute_fingerprint(0)
            assert 0.0 <= claim.checkworthiness <= 1.0
    assert EXTRACTOR_VERSION.count(".") == 2


def test_report_has_no_timeouts_on_seeds() -> None:
    text = (SOURCES / "003_2f87d40cb264a962.txt").read_text(encoding="utf-8")
    report = extract_with_report(text, published=date(2021, 1, 26))
    assert report.timed_out == []
    assert len(report.claims) == 10
