"""`ledger check` against official statistics, as a user runs it: sources in a folder with their
manifest, ingested, checked with the default pack; one outcome per figure, and why."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from ledger.cli import cli
from ledger.refdata.checking import (
    CheckingRules,
    FigureWords,
    _data,
    checking_rules,
    revision_bands,
)
from ledger.refdata.pack import ensure_pack


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for every ledger of this module: the pack beside them is built once."""
    place = tmp_path_factory.mktemp("official")
    ensure_pack(place / "claims.db")
    return place


def checked(folder: Path, name: str, stories: dict[str, tuple[str, str]], *args: str) -> dict:
    """Ingest stories {file: (published, text)} and check them; {quote: (outcome, rows)}."""
    sources = folder / name
    sources.mkdir()
    with open(sources / "manifest.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "publisher", "published"])
        for file, (published, text) in stories.items():
            (sources / file).write_text(text, encoding="utf-8")
            writer.writerow([file, "Wire", published])
    db = folder / f"{name}.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(sources), "--db", str(db)]).exit_code == 0
    result = runner.invoke(cli, ["check", "--db", str(db), *args])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "select claims.quote, check_outcomes.outcome, claims.id from claims "
            "join check_outcomes on check_outcomes.claim_id = claims.id"
        ).fetchall()
        found = {}
        for quote, outcome, claim in rows:
            checks = connection.execute(
                "select against_type, against_id, outcome, subject_code, subject_inferred, "
                "period_inferred, explanation from checks where claim_id = ?",
                [claim],
            ).fetchall()
            found[quote] = (outcome, checks, claim)
    return found


def check_one(folder: Path, name: str, published: str, text: str, quote: str) -> tuple[str, list]:
    """One story checked: the outcome and the check rows of its figure `quote`."""
    outcome, checks, _ = checked(folder, name, {"a.txt": (published, text)})[quote]
    return outcome, checks


def assert_never_compared(found: dict, expected: list[tuple[str, str]]) -> None:
    """Each (quote, why): the figure got no-reference, no official row, and says why."""
    for quote, why in expected:
        outcome, checks, _ = found[quote]
        assert outcome == "no-reference", (quote, checks)
        assert not [row for row in checks if row[0] == "official"], (quote, checks)
        assert why in checks[0][6], (quote, checks)


def test_a_first_release_revised_since_is_revised_not_inconsistent(folder: Path) -> None:
    found = checked(
        folder, "china", {"a.txt": ("2005-01-25", "China's economy grew by 9.5% in 2004.")}
    )
    outcome, checks, claim = found["9.5%"]
    assert outcome == "revised"
    (row,) = checks
    assert row[:4] == ("official", "wb-wdi:NY.GDP.MKTP.KD.ZG:CHN:2004", "revised", "CHN")
    assert "within the real_gdp_growth revision band" in row[6]
    explain = CliRunner().invoke(
        cli, ["check", "--db", str(folder / "china.db"), "--explain", claim]
    )
    # attribution: publisher, dataset, vintage and licence
    assert "World Bank, World Development Indicators" in explain.output
    assert "vintage 2026-07-01; CC-BY-4.0" in explain.output
    assert "source https://data.worldbank.org/indicator/NY.GDP.MKTP.KD.ZG" in explain.output
    assert "suggested: revised" in explain.output


def test_no_pack_means_no_official_check(folder: Path) -> None:
    story = {"a.txt": ("2005-01-25", "China's economy grew by 9.5% in 2004.")}
    found = checked(folder, "nopack", story, "--no-pack")
    assert found["9.5%"][0] == "no-reference"
    assert all(row[0] != "official" for row in found["9.5%"][1])


def test_forecasts_are_never_checked(folder: Path) -> None:
    found = checked(folder, "forecasts", {
        "a.txt": ("2005-02-16", "Japan's economy is forecast to see growth of 2.1% in 2005."),
        "b.txt": ("2005-01-20", "The UK economy will grow 2.5% this year, the Treasury says."),
        "c.txt": ("1987-03-23", "Bangladesh's GDP is expected to grow by 4.4 pct this year."),
    })  # fmt: skip
    assert {quote: outcome for quote, (outcome, _, _) in found.items()} == {
        "2.1%": "forecast", "2.5%": "forecast", "4.4 pct": "forecast"}  # fmt: skip
    assert "forecast words" in found["2.1%"][1][0][6]


def test_company_sector_and_regional_figures_never_meet_national_statistics(
    folder: Path,
) -> None:
    found = checked(folder, "company", {
        "a.txt": ("2005-02-02", "Quarterly profits at TimeWarner jumped 76% in 2004."),
        "b.txt": ("2005-01-20", "The UK market had seen sales growth of 8% in 2004."),
        "c.txt": ("2005-05-20", "In the region the unemployment rate was 12% in 2004."),
        "d.txt": ("2005-01-10", "Samsung's exports rose to $40bn in 2004."),
    })  # fmt: skip
    for quote in ("76%", "8%", "12%", "$40bn"):
        outcome, checks, _ = found[quote]
        assert outcome == "no-reference", quote
        assert all(row[0] != "official" for row in checks), quote
    assert "regional or city figure" in found["12%"][1][0][6]
    assert "about a company" in found["$40bn"][1][0][6]


def test_a_quarter_or_a_month_is_never_checked_against_a_year(folder: Path) -> None:
    found = checked(folder, "frequency", {
        "a.txt": ("2005-02-24", "Germany's economy shrank 0.2% in the last three months of 2004."),
        "b.txt": ("2004-11-05", "The US unemployment rate was 5.5% in October."),
        "c.txt": ("2005-02-25", "US GDP grew at an annual rate of 3.8% in the fourth quarter."),
    })  # fmt: skip
    for quote in ("0.2%", "5.5%", "3.8%"):
        assert found[quote][0] == "no-reference", quote
    assert (
        "a monthly figure: no official monthly value for USA in 2004-10" in found["5.5%"][1][0][6]
    )


def test_a_subject_from_the_dateline_or_paragraph_is_marked_inferred(folder: Path) -> None:
    wire = (
        "GNP FIGURES\n\nTOKYO, March 17 - In the 1986 calendar year, GNP rose 2.5 pct, after a "
        "4.7 pct increase in 1985, the agency said.\n"
    )
    story = "Liberian economy grows\n\nThe IMF said the country's GDP rose by 2% in 2004.\n"
    found = checked(
        folder, "inferred", {"w.txt": ("1987-03-17", wire), "s.txt": ("2005-03-01", story)}
    )
    outcome, checks, _ = found["2.5 pct"]
    assert outcome == "revised"  # 3.33 today
    assert (checks[0][3], checks[0][4]) == ("JPN", "dateline TOKYO")
    assert "(subject JPN from the dateline TOKYO)" in checks[0][6]
    outcome, checks, _ = found["2%"]
    assert outcome == "revised" and (checks[0][3], checks[0][4]) == ("LBR", "headline")


def test_prices_and_rates_quoted_on_the_day(folder: Path) -> None:
    found = checked(folder, "markets", {
        "a.txt": ("1987-03-03", "Crude oil prices rallied today, moving over 17.00 dlrs a barrel."),
        "b.txt": ("1987-04-07", "The dollar closed at 145.25 yen in Tokyo."),
        "c.txt": ("2004-11-23", "The dollar was up slightly at just above $1.29 to the euro."),
        "d.txt": ("2005-02-10", "The Bank of England has left interest rates on hold at 4.75%."),
        "e.txt": ("2005-02-10", "The dollar was buying 205.6 yen in Tokyo."),
    })  # fmt: skip
    for quote in ("over 17.00 dlrs", "145.25 yen", "above $1.29", "4.75%"):
        outcome, checks, _ = found[quote]
        assert outcome == "consistent", (quote, checks)
        assert checks[0][5] == 1  # the period was inferred from the publication date
    assert found["205.6 yen"][0] == "inconsistent"
    assert "EIA:RWTC" in found["over 17.00 dlrs"][1][0][1]


def test_cues_and_bands_are_data_with_reasons() -> None:
    rules = checking_rules()
    assert {cue.id for cue in rules.forecast} >= {"expected_to", "forecast_words"}
    bands = revision_bands()
    assert bands["NY.GDP.MKTP.KD.ZG"].allows(10.14 - 9.5, 10.14)
    assert not bands["NY.GDP.MKTP.KD.ZG"].allows(7.18 - 5.0, 7.18)  # Kenya 1986: a miss
    assert all(len(band.reason) > 40 for band in bands.values())
    sentence = "It grew 2% in 2004, after a 31% fall."
    at = sentence.index("31%")
    assert FigureWords.of(sentence, " in 2004, after a 31%", at, at + 3) == (" a ", " fall.")


def test_a_season_not_written_as_its_months_is_refused_at_load() -> None:
    data = _data("checking.toml")
    assert CheckingRules.model_validate(data).seasons.table()["winter"] == "12/02"
    data["seasons"]["summer"] = "6-8"
    with pytest.raises(ValidationError, match="seasons are 'MM/MM'.*summer = '6-8'"):
        CheckingRules.model_validate(data)


def test_a_part_of_a_national_total_is_not_the_total(folder: Path) -> None:
    found = checked(folder, "parts", {
        "a.txt": ("1986-03-01", "China's exports of silk rose to 904 mln dlrs in 1985."),
        "b.txt": ("2005-02-11", "China's exports reached $593bn in 2004."),
    })  # fmt: skip
    assert found["904 mln dlrs"][0] == "no-reference"
    assert "less than half the national total" in found["904 mln dlrs"][1][0][6]
    assert found["$593bn"][0] in ("consistent", "revised")  # WDI: 593.3bn merchandise exports


def test_a_uk_quarter_is_checked_against_growth_derived_from_abmi_levels(folder: Path) -> None:
    found = checked(folder, "derived", {
        "a.txt": ("2004-10-26", "Britain's economy grew 0.4% in the third quarter of 2004."),
        "b.txt": ("2004-10-26", "UK GDP rose 2.2% in the third quarter of 2004 on a year earlier."),
        "c.txt": ("2004-10-26", "Britain's economy grew 1.5% in the third quarter of 2004."),
        "d.txt": ("2005-02-16", "The RPI rose to 3.2% in January, the ONS said of the UK."),
    })  # fmt: skip
    outcome, checks, _ = found["0.4%"]
    assert outcome == "consistent", checks
    assert checks[0][1] == "ons-qna:ONS:ABMI:QOQ:GBR:2004-Q3"  # 0.37 today, on the quarter before
    assert "growth on the previous quarter (derived from ABMI)" in checks[0][6]
    outcome, checks, _ = found["2.2%"]
    assert outcome == "consistent", checks
    assert checks[0][1] == "ons-qna:ONS:ABMI:YOY:GBR:2004-Q3"  # on the same quarter a year before
    assert found["1.5%"][0] == "inconsistent"  # a quarter's growth is never a year's
    outcome, checks, _ = found["3.2%"]
    assert outcome == "consistent", checks  # RPI's 12-month rate from the index: 3.17
    assert checks[0][1] == "ons-mm23:ONS:CDKO:YOY:GBR:2005-01"


def test_a_current_account_share_of_gdp_is_checked_against_the_packs_wdi_ratio(
    folder: Path,
) -> None:
    found = checked(folder, "share", {
        "a.txt": ("2005-03-15", "The US current account deficit reached 5.2% of GDP in 2004."),
        "b.txt": ("2005-03-15", "Brazil's current account surplus was 3% of GDP in 2004."),
    })  # fmt: skip
    outcome, checks, _ = found["5.2%"]  # WDI -635.9bn over 12,217bn: -5.205%
    assert outcome == "consistent", checks
    assert checks[0][1] == "wb-wdi:WDI:CAB_GDP:USA:2004"
    assert "% of GDP (derived from WDI BN.CAB.XOKA.CD and NY.GDP.MKTP.CD)" in checks[0][6]
    outcome, checks, _ = found["3%"]  # 8.96bn over 669.3bn: 1.34%
    assert outcome == "inconsistent", checks


def test_a_month_or_quarter_period_is_never_an_annual_figure(folder: Path) -> None:
    found = checked(folder, "periods", {
        "a.txt": ("1987-06-16", "Japan's nominal GNP rose 0.5 pct in October/December 1986."),
    })  # fmt: skip
    outcome, checks, _ = found["0.5 pct"]
    assert outcome == "no-reference"
    assert all(row[0] != "official" for row in checks)


def test_a_delivery_month_is_no_period_the_price_is_the_days(folder: Path) -> None:
    wire = (
        "ENERGY FUTURES\n\nNEW YORK, March 5 - U.S. energy futures settled higher. April crude "
        "closed 24 cts higher to 17.75 dlrs.\n"
    )
    outcome, checks = check_one(folder, "delivery", "1987-03-05", wire, "17.75 dlrs")
    assert outcome == "consistent", checks
    assert checks[0][5] == 1 and "EIA:RWTC:WTI:1987-0" in checks[0][1]


def test_context_rules_an_embassy_is_no_subject_and_it_takes_the_metric_before(
    folder: Path,
) -> None:
    jakarta = (
        "ECONOMY\n\nJAKARTA, March 5 - A recent U.S. Embassy report on the economy was "
        "published.\n\nEconomists said GDP grew 1.9 pct in 1985, after 6.7 pct in 1984.\n"
    )
    madrid = (
        "SPAIN'S INFLATION\n\nMADRID, March 18 - Year-on-year inflation was 6.0 pct in February "
        "in Spain. It rose 8.3 pct last year.\n"
    )
    found = checked(
        folder, "context", {"j.txt": ("1987-03-05", jakarta), "m.txt": ("1987-03-18", madrid)}
    )
    checks = found["1.9 pct"][1]
    assert checks[0][3] == "IDN" and checks[0][4] == "dateline JAKARTA", checks
    outcome, checks, _ = found["8.3 pct"]
    assert outcome == "revised", checks  # WDI 8.8 for Spain's 1986
    assert "(metric inflation from the sentence before)" in checks[0][6]


def test_bare_growth_in_an_economys_story_and_a_compared_figure_take_a_metric(
    folder: Path,
) -> None:
    italy = (
        "Italy's plan\n\nThe country has been one of the eurozone's worst economic performers. "
        "Growth was 1.1% in 2004, up from just 0.3% in 2003.\n"
    )
    firm = "Cadbury results\n\nCadbury said its sales were strong. Growth was 4% in 2004.\n"
    found = checked(folder, "bare", {"i.txt": ("2005-03-03", italy), "c.txt": ("2005-03-03", firm)})
    outcome, checks, _ = found["1.1%"]
    assert outcome == "revised", checks  # WDI 1.47 for Italy's 2004
    assert "(metric gdp_growth from growth words in an economy's story)" in checks[0][6]
    outcome, checks, _ = found["0.3%"]
    assert outcome == "revised", checks  # 0.07 today
    assert "(metric gdp_growth from the figure it is compared with)" in checks[0][6]
    assert all(row[0] != "official" for row in found["4%"][1])  # no economy: no metric


def test_a_rate_said_to_be_current_is_no_forecast(folder: Path) -> None:
    story = (
        "Rates\n\nThe Bank of England could raise interest rates from their current 4.75%, "
        "economists said.\n"
    )
    outcome, checks = check_one(folder, "current", "2005-02-10", story, "4.75%")
    assert outcome == "consistent", checks  # Bank Rate in force since 2004-08-05
    assert checks[0][5] == 1


def test_a_rate_set_by_dated_changes_said_of_a_month_is_any_rate_in_force_that_month(
    folder: Path,
) -> None:
    found = checked(folder, "in-force", {
        "a.txt": ("1987-03-06", "U.K. money markets\n\nThe Bank of England held rates. It was "
                  "the lowest since U.K. base rates were at 10 pct, early last October."),
        "b.txt": ("1987-10-02", "U.K. credit\n\nThe Bank of England lifted U.K. base rates "
                  "to 10.5 pct in early August."),
    })  # fmt: skip
    outcome, checks, _ = found["10 pct"]  # 9.785 until 1986-10-15, then 10.875
    assert outcome == "consistent", checks
    assert "in force in 1986-10" in checks[0][6]
    assert checks[0][5] == 0  # the period is the sentence's, not inferred
    outcome, checks, _ = found["10.5 pct"]  # 8.875, then 9.875 from 1987-08-06
    assert outcome == "inconsistent", checks
    assert "in force in 1987-08" in checks[0][6]
    assert "range 8.875-9.875" in checks[0][6]


def test_a_span_of_months_is_a_quarters_or_a_months_figure(folder: Path) -> None:
    found = checked(folder, "spans-months", {
        "a.txt": ("2005-03-02", "Data showed the Australian economy grew just 0.1% between "
                  "October and December and 1.5% on an annual basis."),
        "b.txt": ("2005-03-02", "Japan's economy grew an average of 1.2% a year "
                  "from 1990 to 2003."),
    })  # fmt: skip
    outcome, checks, _ = found["1.5%"]
    assert outcome == "no-reference"  # a quarter's rate, never the year's 4.2
    assert all(row[0] != "official" for row in checks)
    assert found["1.2%"][0] == "no-reference"
    assert "a figure over 1990 to 2003, not one period's" in found["1.2%"][1][0][6]


def test_an_estimate_for_a_year_not_over_is_a_forecast_a_days_price_is_not(folder: Path) -> None:
    found = checked(folder, "notover", {
        "a.txt": ("2004-12-10", "Turkey's current account deficit has swelled to $10.7bn "
                  "this year."),
        "b.txt": ("1987-03-03", "Crude oil prices rallied today, moving over 17.00 dlrs a barrel "
                  "in March."),
    })  # fmt: skip
    outcome, checks, _ = found["$10.7bn"]
    assert outcome == "forecast"
    assert "its period 2004 was not over when it was published" in checks[0][6]
    assert found["over 17.00 dlrs"][0] == "consistent"


def test_a_dollar_price_is_of_the_currency_named_nearest_before_it(folder: Path) -> None:
    story = ("The dollar edged higher against both the euro and the pound, with one euro worth "
             "$1.3218, and one pound buying $1.9094.")  # fmt: skip
    found = checked(folder, "currencies-nearest", {"a.txt": ("2005-02-23", story)})
    for quote, currency in (("$1.3218", "EUR"), ("$1.9094", "GBP")):
        outcome, checks, _ = found[quote]
        assert outcome == "consistent", (quote, checks)
        assert checks[0][1].startswith(f"fred-exchange-rates:FRED:EXCH:{currency}:2005-0"), quote
        assert f"monthly values for {currency} 2005-01..2005-03" in checks[0][6]
    pound = "The dollar edged higher against the euro and the pound, with one pound buying $1.32."
    wrong = checked(folder, "currencies-wrong", {"a.txt": ("2005-02-23", pound)})
    assert wrong["$1.32"][0] == "inconsistent"  # the pound was never $1.32 that quarter


def test_a_days_oil_price_may_be_the_weeks_or_the_months_around_it(folder: Path) -> None:
    # WTI's daily closes in the week to 1987-03-24 were 18.60-18.94; the monthly averages of
    # February to April 17.75-18.68: 17.80 dlrs is no close of that week, but within February's.
    found = checked(folder, "oil-months", {
        "a.txt": ("1987-03-24", "US crude oil was trading at 17.80 dlrs a barrel."),
        "b.txt": ("1987-03-24", "US crude oil was trading at 25.00 dlrs a barrel."),
    })  # fmt: skip
    outcome, checks, _ = found["17.80 dlrs"]
    assert outcome == "consistent"
    assert [row[2] for row in checks] == ["inconsistent", "consistent"]  # the week's, the months'
    outcome, checks, _ = found["25.00 dlrs"]
    assert outcome == "inconsistent"
    assert ["daily values" in checks[0][6], "monthly values" in checks[1][6]] == [True, True]


def test_each_check_says_what_it_was_compared_with_and_that_thing_exists(folder: Path) -> None:
    """against_type and against_id name a cited reference, an official value or another claim,
    and each resolves to the value the check states."""
    found = checked(folder, "against", {
        "a.txt": ("2005-01-25", "China's economy grew by 9.5% in 2004."),
        "b.txt": ("2005-01-26", "China's economy grew by 12% in 2004, a rival survey said."),
    })  # fmt: skip
    db = folder / "against.db"
    added = CliRunner().invoke(cli, [
        "reference", "add", "--db", str(db), "--id", "nbs-2004", "--metric", "gdp_growth",
        "--subject", "China", "--period", "2004", "--value", "9.5", "--unit", "percent",
        "--publisher", "National Bureau of Statistics"])  # fmt: skip
    assert added.exit_code == 0, added.output
    assert CliRunner().invoke(cli, ["check", "--db", str(db)]).exit_code == 0
    with sqlite3.connect(db) as ledger, sqlite3.connect(folder / "reference-pack.db") as pack:
        rows = ledger.execute(
            "select checks.against_type, checks.against_id, checks.other_value, claims.quote "
            "from checks join claims on claims.id = checks.claim_id"
        ).fetchall()
        kinds = {kind for kind, *_ in rows}
        assert kinds == {"reference", "official", "claim"}
        for kind, against, other, quote in rows:
            if kind == "reference":
                (value,) = ledger.execute(
                    "select value from [references] where id = ?", [against]
                ).fetchone()
                assert (against, value, other) == ("nbs-2004", 9.5, 9.5)
            elif kind == "claim":
                (value,) = ledger.execute(
                    "select value from claims where id = ?", [against]
                ).fetchone()
                assert value == other and {value, float(quote.rstrip("%"))} == {9.5, 12.0}
            else:
                dataset, indicator, subject, period = against.split(":")
                (value,) = pack.execute(
                    "select value from ref_values where dataset = ? and indicator = ? "
                    "and subject = ? and period = ?",
                    [dataset, indicator, subject, period],
                ).fetchone()
                assert round(value, 2) == round(other, 2) == 10.14
    assert found["9.5%"][0] == found["12%"][0] == "revised"  # both within the band of 10.14


def test_zeros_written_after_the_point_are_precision(folder: Path) -> None:
    # WTI closed at 18.60-18.94 in the week to 1987-03-24 and averaged 17.75-18.68 in the months
    # around it: "20 dlrs" may be a rounded 18.5, "20.00 dlrs" is to the cent and never was.
    found = checked(folder, "precision", {
        "a.txt": ("1987-03-24", "US crude oil was trading at 20.00 dlrs a barrel."),
        "b.txt": ("1987-03-24", "US crude oil was trading at about 20 dlrs a barrel."),
    })  # fmt: skip
    assert found["20.00 dlrs"][0] == "inconsistent"
    assert found["about 20 dlrs"][0] == "consistent"


def test_a_quote_dated_this_month_is_the_days_and_a_dateline_is_no_region(folder: Path) -> None:
    # The dollar averaged 151.43 yen in March 1987 (146.50 is 3% off) but 142.90-153.41 from
    # February to April: a day's quote at the end of March lies among them.
    found = checked(folder, "dateline", {
        "a.txt": ("1987-03-31", "TOKYO, March 31 - The dollar closed at 146.50 yen."),
        "b.txt": ("1987-04-14", "LONDON, April 14 - U.K. unemployment averaged 11.2 pct of "
                  "the workforce in 1986."),
        "c.txt": ("1987-04-14", "LONDON, April 14 - Unemployment in London averaged 9.8 pct "
                  "in 1986."),
    })  # fmt: skip
    outcome, checks, _ = found["146.50 yen"]
    assert outcome == "consistent" and checks[0][5] == 1
    assert "monthly values for JPY 1987-02..1987-04" in checks[0][6]
    outcome, checks, _ = found["11.2 pct"]  # filed in London, about the UK: BoE 11.32
    assert (outcome, checks[0][1]) == (
        "consistent",
        "boe-millennium:BOEM:unemployment-rate:GBR:1986",
    )
    assert "a regional or city figure" in found["9.8 pct"][1][0][6]


def test_each_rate_in_dollars_takes_the_currency_named_before_it(folder: Path) -> None:
    story = (
        "Dollar slides\n\nThe dollar also edged lower against both the euro and the pound, with "
        "one euro worth $1.3218, and one pound buying $1.9094.\n"
    )
    found = checked(folder, "currencies", {"a.txt": ("2005-02-23", story)})
    for quote, series in (("$1.3218", "fred-exchange-rates:FRED:EXCH:EUR:"),
                          ("$1.9094", "fred-exchange-rates:FRED:EXCH:GBP:")):  # fmt: skip
        outcome, checks, _ = found[quote]
        assert outcome == "consistent", (quote, checks)
        assert checks[0][1].startswith(series), checks


def test_a_span_of_months_is_its_quarter_and_a_span_of_years_no_years_figure(
    folder: Path,
) -> None:
    found = checked(folder, "spans", {
        "a.txt": ("2005-03-02", "Australia's economy grew 0.1% between October and December "
                                "and 1.5% on an annual basis."),
        "b.txt": ("2005-03-02", "Japan's economy grew 22% between 1990 and 2004."),
    })  # fmt: skip
    for quote in ("0.1%", "1.5%", "22%"):
        outcome, checks, _ = found[quote]
        assert outcome == "no-reference", (quote, checks)
        assert all(row[0] != "official" for row in checks)
    assert "a figure over 1990 to 2004, not one period's" in found["22%"][1][0][6]


def test_growth_said_of_a_country_is_its_economys_and_a_sectors_is_not(folder: Path) -> None:
    story = (
        "China's exports boom\n\nChina's tax chief confirmed that growth had topped 9% in 2004 "
        "for the second year in a row. The advance was led by growth of 13.1% in the key "
        "manufacturing sector.\n"
    )
    wire = (
        "DUTCH OUTLOOK\n\nTHE HAGUE, March 9 - Dutch net national income is expected to grow by "
        "one pct this year, down from 2.5 pct growth recorded in 1985.\n"
    )
    found = checked(
        folder, "growth", {"a.txt": ("2005-01-11", story), "w.txt": ("1987-03-09", wire)}
    )
    outcome, checks, _ = found["topped 9%"]
    assert outcome == "consistent", checks  # 10.14 today: more than 9
    assert "(metric gdp_growth from growth words in an economy's story)" in checks[0][6]
    assert all(row[0] != "official" for row in found["13.1%"][1])
    outcome, checks, _ = found["2.5 pct"]
    assert checks[0][1] == "wb-wdi:NY.GDP.MKTP.KD.ZG:NLD:1985", checks


def test_a_banks_own_rate_a_posted_price_and_a_sectors_figure_meet_no_statistic(
    folder: Path,
) -> None:
    found = checked(folder, "company-rates", {
        "a.txt": ("1987-03-10", "LONDON, March 10 - Barclays Bank said it was cutting its base "
                  "rate to 10.5 pct from 11 pct."),
        "b.txt": ("1987-03-05", "HOUSTON, March 5 - Sun Co said it raised its posted price for "
                  "West Texas Intermediate crude to 17.00 dlrs a barrel."),
        "c.txt": ("2005-01-20", "China's steel industry grew by 20% in 2004."),
        "d.txt": ("2005-01-20", "Unemployment in the UK construction sector rose to 7% in 2004."),
        "e.txt": ("2005-02-10", "The Bank of England has left interest rates on hold at 4.75%."),
    })  # fmt: skip
    for quote in ("10.5 pct", "11 pct", "17.00 dlrs", "20%", "7%"):
        outcome, checks, _ = found[quote]
        assert outcome == "no-reference", (quote, checks)
        assert all(row[0] != "official" for row in checks), quote
    assert "a company's own rate or price" in found["10.5 pct"][1][0][6]
    assert "a sector's figure" in found["7%"][1][0][6]
    assert found["4.75%"][0] == "consistent"  # the central bank's own rate is checked


def test_a_sectors_baseline_and_a_companys_future_price_are_the_sectors_and_the_companys(
    folder: Path,
) -> None:
    wire = (
        "TURKEY\n\nANKARA, April 1 - Turkey's GNP grew 8.0 pct in 1986. Industry grew at 11.1 "
        "pct in real terms in 1986 compared with 6.6 pct in 1985 while agriculture expanded 7.4 "
        "pct compared with 2.8 pct.\n"
    )
    posting = (
        "BAPCO RAISES POSTINGS\n\nMANAMA, March 24 - Fuel oil postings are up 1.50 dlrs a "
        "barrel, the company said. This will bring the light fuel oil price to 16.90 dlrs.\n"
    )
    found = checked(folder, "sector_baselines", {
        "a.txt": ("1987-04-01", wire), "b.txt": ("1987-03-24", posting),
    })  # fmt: skip
    for quote in ("11.1 pct", "6.6 pct", "7.4 pct", "2.8 pct", "16.90 dlrs"):
        outcome, checks, _ = found[quote]
        assert outcome == "no-reference", (quote, checks)
        assert all(row[0] != "official" for row in checks), (quote, checks)
    # "Industry grew" is a part of the economy moving: neither it nor its baseline is growth
    assert "no metric, nothing to compare" in found["6.6 pct"][1][0][6]
    assert "an oil product's price" in found["16.90 dlrs"][1][0][6]


def test_a_currencys_rate_said_by_its_name_a_pronoun_or_a_level_crossed_is_checked(
    folder: Path,
) -> None:
    found = checked(folder, "currency_words", {
        "a.txt": ("1987-03-13", "LONDON, March 13 - Sterling traded today around 1.5750 dlrs, "
                  "down from 1.5870 dlrs last night."),
        "b.txt": ("1987-04-28", "NEW YORK, April 28 - The dollar then stood at just under 1.87 "
                  "marks. Today it stands around 1.79 marks and 139 yen."),
        "c.txt": ("1987-04-24", "TOKYO, April 24 - The dollar fell below 139 yen in early "
                  "trading today - a post-war low."),
        "d.txt": ("1987-04-01", "TOKYO, April 1 - The central banks bought dollars in the last "
                  "10 days of March but could not prevent the dollar from skidding through 150 "
                  "yen."),
    })  # fmt: skip
    outcome, checks, _ = found["around 1.5750 dlrs"]
    assert outcome == "consistent", checks  # March 1987: 1.592 $ per £ on average
    assert checks[0][1].startswith("fred-exchange-rates:FRED:EXCH:GBP:1987-"), checks
    assert "(metric exchange_rate from a currency named before it)" in checks[0][6]
    assert found["1.5870 dlrs"][1][0][1].startswith("fred-exchange-rates:FRED:EXCH:GBP:")
    outcome, checks, _ = found["around 1.79 marks"]
    assert outcome == "consistent", checks  # 1.8118 in April, 1.7881 in May
    assert "(metric exchange_rate from the sentence before)" in checks[0][6]
    outcome, checks, _ = found["below 139 yen"]
    assert outcome == "consistent", checks  # May's 140.48: a day's quote within 2% of it
    assert checks[0][6].startswith("claim: less than 139 JPY, 1987-04;"), checks  # not a fall
    assert "(a day's quote: within 2% of them)" in checks[0][6]
    outcome, checks, _ = found["150 yen"]
    assert outcome == "consistent", checks  # "could not prevent": no forecast; March 151.43
    # a day's quote in March: against the monthly averages of February to April, not March's alone
    assert checks[0][1] == "fred-exchange-rates:FRED:EXCH:JPY:1987-02", checks
    assert "a quote of a day in 1987-03: monthly values for JPY 1987-02..1987-04" in checks[0][6]


def test_a_cross_rate_a_counterfactual_and_a_level_not_reached_take_no_rate(
    folder: Path,
) -> None:
    found = checked(folder, "not_rates", {
        "a.txt": ("1987-03-13", "LONDON, March 13 - Sterling's rise above 1.60 dlrs helped it to "
                  "firm against the mark. It was fixed higher at 2.924 marks."),
        "b.txt": ("1987-03-20", "WASHINGTON, March 20 - U.S. consumer prices rose 1.1 pct in "
                  "1986. Without last year's energy price drop, it rose 3.8 pct."),
        "c.txt": ("1987-03-13", "FRANKFURT, March 13 - Dealers said the Bundesbank would only "
                  "intervene if the dollar falls below 1.75 marks."),
    })  # fmt: skip
    for quote in ("2.924 marks", "3.8 pct", "below 1.75 marks"):
        outcome, checks, _ = found[quote]
        assert outcome in ("no-reference", "forecast"), (quote, checks)
        assert all(row[0] != "official" for row in checks), (quote, checks)


def test_growth_for_the_full_year_and_a_round_figure_to_its_unit(folder: Path) -> None:
    canada = (
        "CANADA GDP\n\nOTTAWA, March 3 - Canada's real gross domestic product rose 1.1 pct in "
        "the fourth quarter of 1986, Statistics Canada said.\n    That left growth for the full "
        "year at 3.1 pct, which is down from 1985's four pct increase.\n"
    )
    portugal = (
        "PORTUGAL\n\nLISBON, April 13 - Inflation fell to 10 pct in 1986, from 20 pct in 1985."
    )
    found = checked(folder, "full_year", {
        "a.txt": ("1987-03-03", canada), "b.txt": ("1987-04-13", portugal),
    })  # fmt: skip
    outcome, checks, _ = found["3.1 pct"]
    assert outcome == "revised", checks  # WDI 2.12 for 1986: within the 1.5-point band
    assert checks[0][1] == "wb-wdi:NY.GDP.MKTP.KD.ZG:CAN:1986", checks
    assert "(metric gdp_growth from growth words in an economy's story)" in checks[0][6]
    assert found["four pct"][1][0][1] == "wb-wdi:NY.GDP.MKTP.KD.ZG:CAN:1985"
    # "20 pct" allows half a unit, as "two pct" does: WDI's 19.46 is 0.54 off, past the band
    outcome, checks, _ = found["20 pct"]
    assert outcome == "inconsistent", checks


def test_a_group_named_as_who_speaks_is_no_subject_for_the_figures_after_it(
    folder: Path,
) -> None:
    story = (
        "OECD URGES ACTION TO CUT U.S. BUDGET DEFICIT\n\nThe OECD published its review. "
        "Consumer prices are forecast to rise four pct this year after just 2.1 pct in 1986.\n"
    )
    outcome, checks = check_one(folder, "speakers", "1987-06-18", story, "2.1 pct")
    assert "wb-wdi:FP.CPI.TOTL.ZG:USA:1986" in [row[1] for row in checks]  # not OECD's 5.29
    assert outcome == "revised", checks  # 1.90 today: within the 0.5-point band
    assert all(row[3:5] == ("USA", "headline") for row in checks), checks


def test_a_year_named_with_a_baseline_and_a_subject_named_in_a_capitals_headline(
    folder: Path,
) -> None:
    oil = (
        "GULF ECONOMIES\n\nThese curbs have pushed up oil prices from around eight dollars a "
        "barrel in mid-1986 to around 18 dlrs.\n"
    )
    chile = "CHILEAN GDP UP 5.7 PCT IN 1986\n\nThe economy grew 5.7 pct in 1986.\n"
    found = checked(folder, "baselines_headlines", {
        "a.txt": ("1987-03-28", oil), "b.txt": ("1987-03-05", chile),
    })  # fmt: skip
    outcome, checks, _ = found["around 18 dlrs"]
    assert outcome == "consistent", checks  # the week's WTI, not 1986's average of 15.05
    assert checks[0][5] == 1 and "period inferred from the publication date" in checks[0][6]
    outcome, checks, _ = found["5.7 pct"]
    assert checks[0][1] == "wb-wdi:NY.GDP.MKTP.KD.ZG:CHL:1986", checks
    assert checks[0][3:5] == ("CHL", "headline"), checks


def test_growth_said_of_a_share_and_a_figure_it_compares_with_are_the_economys(
    folder: Path,
) -> None:
    kuwait = (
        "KUWAIT ECONOMY\n\nKUWAIT, April 8 - Bankers estimate the economy, measured in terms of "
        "gross domestic product (gdp), shrank 19 pct in real terms last year after contracting "
        "8.1 pct in 1985.\n"
    )
    turkey = (
        "TURKEY\n\nANKARA, April 1 - The economy recovered. Growth was 8.0 pct in 1986, which "
        "compares with 5.1 pct in 1985.\n"
    )
    share = "GHANA\n\nACCRA, March 3 - Cocoa accounted for 9.5 pct of gross domestic product.\n"
    found = checked(folder, "shares", {
        "a.txt": ("1987-04-08", kuwait), "b.txt": ("1987-04-01", turkey),
        "c.txt": ("1987-03-03", share),
    })  # fmt: skip
    outcome, checks, _ = found["8.1 pct"]
    assert checks[0][1] == "wb-wdi:NY.GDP.MKTP.KD.ZG:KWT:1985", checks
    assert outcome == "inconsistent", checks  # -4.27: 3.8 points off, past the band
    assert "(metric gdp_growth from growth words, and no share named)" in checks[0][6]
    outcome, checks, _ = found["5.1 pct"]
    assert checks[0][1] == "wb-wdi:NY.GDP.MKTP.KD.ZG:TUR:1985", checks
    assert "(metric gdp_growth from the figure it is compared with)" in checks[0][6]
    assert all(row[0] != "official" for row in found["9.5 pct"][1])


def test_a_part_of_the_economy_a_target_and_nominal_growth_meet_no_series(folder: Path) -> None:
    found = checked(folder, "not_growth", {
        "a.txt": ("2005-01-05", "In Thailand, tourism accounts for about 6% of the country's "
                                "annual gross domestic product in 2004."),
        "b.txt": ("2005-01-05", "The Bank of England said inflation was way below its 2% target."),
        "c.txt": ("1987-03-26", "ROME, March 26 - On a current prices basis, Italy's GDP was up "
                                "11 pct in 1986."),
        "d.txt": ("1987-03-03", "OSLO, March 3 - In the first two months of the year, inflation "
                                "was 3.8 pct, against 3.6 pct in the same period of 1986."),
    })  # fmt: skip
    for quote in ("about 6%", "2%", "11 pct", "3.8 pct", "3.6 pct"):
        outcome, checks, _ = found[quote]
        assert outcome in ("no-reference", "forecast"), (quote, checks)
        assert all(row[0] != "official" for row in checks), (quote, checks)


def test_other_crudes_products_and_postings_are_no_benchmark_quotes(folder: Path) -> None:
    found = checked(folder, "crudes", {
        "a.txt": ("1987-03-30", "NEW YORK, March 30 - In the Mediterranean, Es Sider and the "
                                "heavier Urals crude oil were each up 22 cts a barrel last Friday "
                                "to 19.40 dlrs and 19.16 dlrs a barrel, respectively."),
        "b.txt": ("1987-03-12", "SUN RAISES CRUDE POSTINGS 50 CTS, EFFECTIVE TODAY, WTI TO 17.50 "
                                "dlrs/bbl\n\nSun Co said it raised its crude postings."),
        "c.txt": ("1987-04-24", "Unleaded gasoline was posted at 19.74 dlrs a barrel (47 cts a "
                                "gallon)."),
        "d.txt": ("2005-02-10", "US light crude closed at $47.10, while Brent crude in London "
                                "closed at $44.45."),
    })  # fmt: skip
    for quote in ("19.40 dlrs", "19.16 dlrs", "17.50 dlrs", "47 cts"):
        checks = found[quote][1]
        assert all(row[0] != "official" for row in checks), (quote, checks)
    outcome, checks, _ = found["$47.10"]
    assert outcome == "consistent" and "EIA:RWTC:WTI:2005-02" in checks[0][1], checks
    assert "EIA:RBRTE:BRENT:2005-02" in found["$44.45"][1][0][1]


def test_a_months_rise_of_prices_is_checked_against_the_months_change(folder: Path) -> None:
    found = checked(folder, "month_on_month", {
        "a.txt": ("1987-03-20", "U.K. RETAIL PRICES RISE 0.4 PCT IN FEBRUARY\n\nLONDON, March 20 "
                                "- U.K. retail prices rose 0.4 pct in February, giving a "
                                "year-on-year rise of 3.9 pct."),
        "b.txt": ("2005-02-24", "The dollar was trading at $1.2944 against the euro at 2100GMT."),
    })  # fmt: skip
    outcome, checks, _ = found["0.4 pct"]
    assert checks[0][1] == "ons-mm23:ONS:CDKO:MOM:GBR:1987-02", checks
    assert outcome == "consistent", checks
    assert found["3.9 pct"][1][0][1] == "ons-mm23:ONS:CDKO:YOY:GBR:1987-02"
    assert found["$1.2944"][1][0][1].startswith("fred-exchange-rates:FRED:EXCH:EUR:")


def test_a_figure_following_last_years_takes_the_metric_of_the_one_before(folder: Path) -> None:
    wire = (
        "ARGENTINE DEBT\n\nWASHINGTON, March 23 - Brodersohn said Argentina's goal is to reach an "
        "agreement which permits four pct growth this year, following last year's 5.5 pct and "
        "negative growth in 1985.\n"
    )
    found = checked(folder, "following", {"a.txt": ("1987-03-23", wire)})
    assert found["four pct"][0] == "forecast"
    outcome, checks, _ = found["5.5 pct"]
    assert outcome == "revised", checks  # WDI 6.15 for Argentina's 1986
    assert checks[0][1] == "wb-wdi:NY.GDP.MKTP.KD.ZG:ARG:1986"
    assert "(metric gdp_growth from the figure it is compared with)" in checks[0][6]


def test_a_rate_currently_in_force_is_the_latest_months_not_a_forecast(folder: Path) -> None:
    wire = (
        "JOBS\n\nCANBERRA, March 26 - Unemployment is currently at 8.2 pct of the work force, the "
        "treasurer said.\n\nMADRID, March 26 - The premier said he could still cut inflation to "
        "five pct this year from the current rate of 6.3 pct.\n"
    )
    found = checked(folder, "currently", {"a.txt": ("1987-03-26", wire)})
    outcome, checks, _ = found["8.2 pct"]
    assert outcome == "no-reference", checks  # a month's rate: the pack has annual ones only
    assert "taken as the monthly figure at 1987-03-26" in checks[0][6]
    assert found["five pct"][0] == "forecast"
    outcome, checks, _ = found["6.3 pct"]
    assert outcome == "no-reference" and "monthly figure" in checks[0][6], checks


def test_a_forecast_opening_the_sentence_holds_past_its_conjunctions(folder: Path) -> None:
    wire = (
        "LATIN DEBT\n\nCARACAS, March 20 - Mexico expects growth of one to two pct, and "
        "inflation near 80 pct after 105 pct last year.\n"
    )
    found = checked(folder, "opening", {"a.txt": ("1987-03-20", wire)})
    assert found["80 pct"][0] == "forecast"
    outcome, checks, _ = found["105 pct"]
    assert outcome == "inconsistent", checks  # the baseline is a fact: WDI's average is 86.2
    assert checks[0][1] == "wb-wdi:FP.CPI.TOTL.ZG:MEX:1986"


def test_forecast_words_before_when_or_because_are_another_clauses(folder: Path) -> None:
    wire = (
        "BOGOTA PRICES\n\nBOGOTA, April 3 - Officials have predicted that inflation this year "
        "would be lower than in 1986 when it reached 20.9 pct.\n\nFRANKFURT, April 3 - He said "
        "growth forecasts would have to be cut because of the dollar's fall to 1.80 marks.\n"
    )
    found = checked(folder, "clauses", {"a.txt": ("1987-04-08", wire)})
    outcome, checks, _ = found["20.9 pct"]
    assert outcome == "inconsistent", checks  # 1986's average, 18.8: the pack has no Dec/Dec
    outcome, checks, _ = found["1.80 marks"]
    assert outcome == "consistent", checks
    assert checks[0][1].startswith("fred-exchange-rates:FRED:EXCH:DEM:1987-0")


def test_a_figure_for_the_full_year_is_the_year_just_over(folder: Path) -> None:
    found = checked(folder, "full-year", {
        "a.txt": ("2005-02-11", "French economy\n\nQuarterly growth beat forecasts, and GDP in "
                  "France rose 2.3% for the full year, the statistics office said."),
        "b.txt": ("1987-03-23", "FRENCH GROWTH\n\nPARIS, March 23 - Last month the minister said "
                  "French GDP had grown by 2.4 pct last year."),
    })  # fmt: skip
    outcome, checks, _ = found["2.3%"]
    assert outcome == "revised", checks  # WDI 2.87 for 2004
    assert checks[0][1] == "wb-wdi:NY.GDP.MKTP.KD.ZG:FRA:2004" and checks[0][5] == 1
    outcome, checks, _ = found["2.4 pct"]  # "Last month ... said": when it was said
    assert outcome == "consistent" and checks[0][1] == "wb-wdi:NY.GDP.MKTP.KD.ZG:FRA:1986", checks


def test_a_benchmark_quote_is_checked_whoever_spoke_of_it(folder: Path) -> None:
    story = (
        "Oil\n\nAfter comments by the Opec secretary general, US light crude fell 32 cents to "
        "$51.43 a barrel."
    )
    outcome, checks = check_one(folder, "opec-quote", "2005-03-01", story, "$51.43")
    assert outcome == "consistent", checks
    assert checks[0][1].startswith("eia-spot-prices:EIA:RWTC:WTI:2005-0")


def test_a_whole_percentage_allows_half_a_unit_and_expected_after_it_is_a_forecast(
    folder: Path,
) -> None:
    found = checked(folder, "rounded", {
        "a.txt": ("1987-03-23", "FRENCH GROWTH\n\nPARIS, March 23 - The minister said French "
                  "GDP grew by two pct in 1986."),
        "b.txt": ("2004-12-10", "Turkey\n\nThe Turkish economy is doing well, with 7.9% growth "
                  "expected in 2004."),
    })  # fmt: skip
    outcome, checks, _ = found["two pct"]
    assert outcome == "consistent", checks  # WDI 2.39: "two" is rounded to the unit
    assert found["7.9%"][0] == "forecast"


def test_a_miss_says_which_measures_the_pack_could_not_compare(folder: Path) -> None:
    wire = (
        "BOGOTA PRICES\n\nBOGOTA, April 3 - Colombia's consumer prices rose 20.9 pct in 1986, "
        "the statistics institute said.\n"
    )
    outcome, checks = check_one(folder, "unloaded", "1987-04-03", wire, "20.9 pct")
    assert outcome == "inconsistent", checks  # WDI's average, 18.8; the Dec/Dec rate is 20.6
    assert checks[0][6].endswith(
        "; not loaded, so not compared: PCPIPCH, PCPIEPCH (`ledger reference import` adds them)"
    )
    outcome, checks = check_one(
        folder, "loaded", "2005-02-11", "China's economy grew by 10.1% in 2004.", "10.1%"
    )
    assert outcome == "consistent" and "not loaded" not in checks[0][6]  # WDI 10.11 confirms it


def test_a_price_move_is_never_compared_with_the_price(folder: Path) -> None:
    wire = (
        "OIL OUTLOOK\n\nNEW YORK, March 9 - The institute blamed a 1.50 dlrs a barrel rise in oil "
        "prices for the slower growth.\n"
    )
    outcome, checks = check_one(folder, "price-move", "1987-03-09", wire, "1.50 dlrs")
    assert outcome == "no-reference", checks
    assert "a move of the price, not its level" in checks[0][6]


def test_a_firms_own_price_a_security_or_another_good_never_meets_a_benchmark(
    folder: Path,
) -> None:
    found = checked(folder, "firms-prices", {
        "a.txt": ("1987-03-20", "OIL DEAL\n\nHOUSTON, March 20 - Exxon Corp <XON> signed a "
                  "long-term agreement last month to buy Saudi crude for 17.52 dlrs a barrel.\n"),
        "b.txt": ("1987-04-08", "UNION TEXAS RESULTS\n\nHOUSTON, April 8 - Union Texas said it "
                  "received an average of 13.35 dlrs per barrel for its oil production.\n"),
        "c.txt": ("1987-03-26", "STANDARD OIL\n\nNEW YORK, March 26 - Standard Oil rejected as "
                  "inadequate the 70 dlrs per share tender offer from British Petroleum.\n"),
        "d.txt": ("1987-03-11", "GILTS\n\nLONDON, March 11 - Dealers noted the Bank of England "
                  "issued nine pct Exchequer bonds last week to dampen hopes of a base rate cut."
                  "\n\nFRANKFURT, March 11 - A further one Australian dollar bond was issued for "
                  "220 mln dlrs, the bank said.\n"),
        "e.txt": ("1987-04-07", "PALM OIL\n\nROTTERDAM, April 7 - Vegetable oil prices firmed "
                  "and palm olein traded at 332.50 dlrs per tonne.\n"),
        "f.txt": ("1987-10-19", "CRUDE POSTINGS\n\nNEW YORK, Oct 19 - Sun Co raised its crude "
                  "postings. The price increase brings West Texas Intermediate to 19.00 dlrs a "
                  "barrel.\n"),
    })  # fmt: skip
    assert_never_compared(
        found,
        [
            ("17.52 dlrs", "about a company"),
            ("13.35 dlrs", "a company's own rate or price"),  # Union Texas speaks of its own
            ("70 dlrs", "a security's or another good's price"),
            ("nine pct", "a security's or another good's price"),
            ("one Australian dollar", "a security's or another good's price"),
            ("332.50 dlrs", "another good's price"),
            ("19.00 dlrs", "a company's own rate or price"),
        ],
    )


def test_a_quote_is_the_markets_when_a_person_or_firm_only_speaks_of_it(folder: Path) -> None:
    wire = (
        "PARIS ACCORD\n\nFRANKFURT, March 30 - Viermetz said markets would test the Paris "
        "accord, struck when the dollar was trading at about 152.50 yen.\n"
    )
    outcome, checks = check_one(folder, "speaker-quote", "1987-03-30", wire, "about 152.50 yen")
    assert outcome == "consistent", checks  # FRED: 153.41 in February, 151.43 in March
    assert checks[0][1].startswith("fred-exchange-rates:FRED:EXCH:JPY:1987-0"), checks


def test_a_condition_an_assumption_or_an_aim_is_no_fact_to_check(folder: Path) -> None:
    found = checked(folder, "hypothetical", {
        "a.txt": ("1987-06-29", "TOKYO STOCKS\n\nTOKYO, June 29 - However, if the dollar falls "
                  "to 138 yen, the market index may rally, brokers said.\n"),
        "b.txt": ("1987-04-01", "ARCO OUTLOOK\n\nNEW YORK, April 1 - Nowak said that based on "
                  "an average oil price of 17 dlrs a barrel in 1987, the company should earn "
                  "4.50 dlrs a share.\n"),
        "c.txt": ("1987-03-12", "SAUDI OUTPUT\n\nRIYADH, March 12 - Saudi output fell, showing "
                  "the kingdom's determination to keep oil prices at 18 dlrs a barrel.\n"),
    })  # fmt: skip
    for quote in ("138 yen", "17 dlrs", "18 dlrs"):
        outcome, checks, _ = found[quote]
        assert outcome == "forecast", (quote, checks)
        assert "forecast words (hypothetical)" in checks[0][6] or "aimed_level" in checks[0][6]


def test_a_part_of_the_economy_said_to_move_is_no_growth_of_it(folder: Path) -> None:
    wire = (
        "CHINA INVESTMENT\n\nPEKING, March 18 - The economy kept up its pace. Fixed asset "
        "investment grew 16.7 pct to 296.7 billion yuan in 1986, the China Daily said.\n"
    )
    outcome, checks = check_one(folder, "part-moved", "1987-03-18", wire, "16.7 pct")
    assert outcome == "no-reference", checks
    assert not [row for row in checks if row[0] == "official"], checks


def test_postings_other_oils_cross_rates_and_far_off_prices_meet_no_market_series(
    folder: Path,
) -> None:
    found = checked(folder, "not-quotes", {
        "a.txt": ("1987-03-13", "CRUDE POSTINGS\n\nNEW YORK, March 13 - The Light Louisiana "
                  "Sweet grade was also raised 50 cts to 19.35 dlrs a barrel.\n"),
        "b.txt": ("1987-04-02", "VEGOILS\n\nROTTERDAM, April 2 - Rotterdam traders said "
                  "sunflowerseed oil sold at 346.50 dlrs for May shipment.\n"),
        "c.txt": ("1987-04-09", "AUSTRALIAN DOLLAR\n\nSYDNEY, April 9 - The Australian dollar "
                  "was firmer in early trade at 1.2964 marks from 1.2918.\n"),
        "d.txt": ("1987-04-07", "LME ALUMINIUM\n\nLONDON, April 7 - LME aluminium eased under "
                  "light dollar based selling, and three months ended the ring at 805.50 stg.\n"),
        "e.txt": ("1987-04-10", "TOKYO CONVERTIBLE\n\nTOKYO, April 10 - The conversion price "
                  "was set at 1,052 yen, and the exchange rate at 146.20 yen per dollar.\n"),
    })  # fmt: skip
    assert_never_compared(
        found,
        [
            ("19.35 dlrs", "a posted one"),
            ("346.50 dlrs", "an oil product's price"),
            ("805.50 stg", "the price of something else"),
            ("1,052 yen", "the price of something else"),
        ],
    )
    outcome, checks, _ = found[
        "146.20 yen"
    ]  # the day's rate: FRED 142.90 in April, 151.43 in March
    assert outcome == "consistent", checks
    # a cross rate: marks per Australian dollar, FRED's marks per US$ over its A$ per US$
    # (1.8355 / 1.4554 = 1.2612 in March, 1.8118 / 1.4057 = 1.2889 in April)
    outcome, checks, _ = found["1.2964 marks"]
    assert outcome == "consistent", checks
    assert checks[0][1] == "fred-exchange-rates:FRED:EXCH:DEM/AUD:1987-03", checks


def test_a_verbless_figure_takes_the_forecast_words_of_the_clause_it_continues(
    folder: Path,
) -> None:
    found = checked(folder, "continued", {
        "a.txt": ("1987-03-09", "OIL RIGS\n\nHOUSTON, March 9 - He added that oil prices will "
                  "eventually rise to 35 dlrs, then to 50 dlrs after 1990.\n"),
        "b.txt": ("1987-06-01", "TOYOTA FORECAST\n\nTOKYO, June 1 - The forecast assumes a rate "
                  "of 140 yen to the dollar and a crude oil price of 18 dlrs a barrel, a "
                  "spokesman said.\n"),
        "c.txt": ("1987-03-09", "GERMAN GROWTH\n\nBONN, March 9 - West German GDP grew 2.4 pct "
                  "in 1986, and industrial output rose.\n"),
    })  # fmt: skip
    for quote in ("50 dlrs", "18 dlrs"):
        outcome, checks, _ = found[quote]
        assert outcome == "forecast", (quote, checks)
        assert "in the clause its words continue" in checks[0][6], (quote, checks)
    outcome, checks, _ = found["2.4 pct"]  # a clause of its own: checked (WDI 2.29, revised)
    assert outcome in ("consistent", "revised"), checks


def test_the_month_may_is_no_modal_and_now_marks_the_present(folder: Path) -> None:
    found = checked(folder, "may-now", {
        "a.txt": ("1987-04-09", "ENERGY FUTURES\n\nNEW YORK, April 9 - May crude closed 17 cts "
                  "higher at 18.84 dlrs a barrel.\n"),
        "b.txt": ("1987-03-24", "INDONESIA OUTLOOK\n\nJAKARTA, March 24 - He saw the outlook for "
                  "1987 as better for Indonesia, with oil prices now around 18 dlrs a barrel.\n"),
    })  # fmt: skip
    outcome, checks, _ = found["18.84 dlrs"]
    assert outcome == "consistent", checks  # the day's WTI, not a forecast ("May" is a month)
    outcome, checks, _ = found["17 cts"]
    # "17 cts higher at" is a rise, the size of a change, which the series' levels cannot check
    assert outcome == "no-reference" and "a change of a level" in checks[0][6], checks
    outcome, checks, _ = found["around 18 dlrs"]
    assert outcome == "consistent", checks  # WTI 18.6-18.9 the week before


def test_a_towns_or_a_groups_people_and_a_regions_figure_are_not_the_nations(
    folder: Path,
) -> None:
    found = checked(folder, "town-group-region", {
        "a.txt": ("1987-03-10", "SPY CASE\n\nTOKYO, March 10 - Police arrested two Polish "
                  "citizens for trying to steal computer technology, local media said.\n"),
        "b.txt": ("1987-06-01", "LATIN DEBT\n\nMEXICO CITY, June 1 - Latin American debt kept "
                  "rising. Exports hit 97.7 billion dlrs in 1984, cutting the region's debt "
                  "service ratio to 36 pct.\n"),
    })  # fmt: skip
    outcome, checks, _ = found["two Polish citizens"]
    assert outcome == "no-reference" and "a part of it" in checks[0][6], checks
    outcome, checks, _ = found["97.7 billion dlrs"]
    assert outcome == "no-reference" and "a region's figure" in checks[0][6], checks


def test_a_scenario_is_a_forecast_a_quote_that_trades_is_todays_and_it_takes_sterling(
    folder: Path,
) -> None:
    found = checked(folder, "scenario-trades-it", {
        "a.txt": ("1987-03-18", "OIL ANALYSTS\n\nNEW YORK, March 18 - One analyst said his firm "
                  "had raised its average oil price scenario to about 17.50 dlrs for the year.\n"),
        "b.txt": ("1987-06-29", "CRUDE IMPORTS\n\nTOKYO, June 29 - Traders expect more crude "
                  "to be imported as the benchmark West Texas Intermediate trades at 20.30 "
                  "dlrs.\n"),
        "c.txt": ("1987-03-16", "STERLING\n\nLONDON, March 16 - Dealers said the Bank of "
                  "England sold sterling on Wednesday when it neared 1.60 dlrs.\n"),
    })  # fmt: skip
    outcome, checks, _ = found["about 17.50 dlrs"]
    assert outcome == "forecast", checks
    outcome, checks, _ = found["20.30 dlrs"]
    assert outcome == "consistent", checks  # WTI 20.34 on 1987-06-26
    outcome, checks, _ = found["1.60 dlrs"]
    assert outcome == "consistent", checks  # $ per GBP: 1.528 Feb, 1.592 Mar, 1.631 Apr
    assert "(metric exchange_rate from a currency named before it)" in checks[0][6]


@pytest.mark.parametrize(
    ("name", "published", "story", "quote", "cue"),
    [
        pytest.param(  # a short aside in brackets does not end the forecast's clause
            "aside", "1987-03-09",
            "Japan outlook\n\nThe senior bank official said he expects Japan's gross national "
            "product (GNP) to grow three pct in the fiscal year beginning in April.\n",
            "three pct", "forecast_words", id="aside-in-brackets",
        ),
        pytest.param(  # 2004 was over when published: only the words make it a forecast
            "named-later", "2005-02-10",
            "China\n\nChina's economy grew by 9.5% in 2004, the World Bank said in its latest "
            "forecast.\n",
            "9.5%", "forecast_named_later", id="forecast-named-later",
        ),
        pytest.param(
            "headline-seen", "1987-03-30",
            "MEXICAN FIRST QTR CRUDE EXPORTS SEEN AT 15.25 DLRS\n\nMEXICO CITY, March 30 - "
            "Mexico gave its first figures.\n",
            "15.25 DLRS", "expected_to", id="headline-seen-at",
        ),
        pytest.param(  # a price said to be reasonable or optimal is a wish, not a quote
            "reasonable", "1987-05-05",
            "OIL INDUSTRY\n\nHOUSTON, May 5 - For exploration, he said, 22 dlrs a barrel would "
            "be reasonable.\n",
            "22 dlrs", "forecast_after", id="would-be-reasonable",
        ),
        pytest.param(
            "optimal", "1987-03-17",
            "OPEC PRICE\n\nBRUSSELS, March 17 - The official said an 18 dlr a barrel price was "
            "optimal for producers.\n",
            "18 dlr", "forecast_after", id="was-optimal",
        ),
    ],
)  # fmt: skip
def test_forecast_words_make_the_figure_a_forecast(
    folder: Path, name: str, published: str, story: str, quote: str, cue: str
) -> None:
    outcome, checks = check_one(folder, name, published, story, quote)
    assert outcome == "forecast", checks
    assert f"forecast words ({cue})" in checks[0][6]


def test_a_quote_said_of_a_month_or_a_year_is_a_days_price_in_it_unless_averaged(
    folder: Path,
) -> None:
    # EIA's WTI in 2004: daily closes 32.49-56.37, annual average 41.51; the yen's monthly
    # averages, February to April 1987: 153.41, 151.43, 142.90
    found = checked(folder, "quote-in-period", {
        "a.txt": ("2005-02-23", "Although below last year's peak of $55.67 a barrel, which was "
                  "reached in October, US crude prices are now well above 2004's average of "
                  "$41.48."),
        "b.txt": ("1987-04-24", "TOKYO, April 24 - The dollar fell to 145.00 yen in March."),
        "c.txt": ("1987-04-24", "TOKYO, April 24 - The dollar averaged 145 yen in March."),
        "d.txt": ("2005-02-23", "US crude oil prices hit $61 a barrel last year."),
    })  # fmt: skip
    outcome, checks, _ = found["$55.67"]
    assert outcome == "consistent", checks
    assert "a quote of a day in 2004: daily values for WTI 2004-01-05..2004-12-30" in checks[0][6]
    outcome, checks, _ = found["$41.48"]
    assert outcome == "consistent", checks  # the year's average against the annual average
    assert checks[0][1].endswith(":WTI:2004"), checks
    outcome, checks, _ = found["145.00 yen"]
    assert outcome == "consistent", checks  # a day's quote within the months around March
    assert "a quote of a day in 1987-03: monthly values for JPY 1987-02..1987-04" in checks[0][6]
    outcome, checks, _ = found["145 yen"]
    assert outcome == "inconsistent", checks  # March's average was 151.43
    assert found["$61"][0] == "inconsistent"  # above every close of 2004


def test_what_a_forecast_is_measured_from_is_a_fact_when_its_period_is_over(folder: Path) -> None:
    found = checked(folder, "past-baseline", {
        "a.txt": ("2005-01-20", "LONDON, Jan 20 - The BCC recently forecast that British economic "
                  "growth will slow from more than 3% in 2004 to a little below 2.5% in 2005."),
        "b.txt": ("1987-03-05", "TOKYO, March 5 - The government lowered its Japanese GNP "
                  "forecast for 1986/87 from four pct last December."),
    })  # fmt: skip
    outcome, checks, _ = found["more than 3%"]
    assert outcome == "revised", checks  # WDI's 2.33 for 2004, within the growth band
    assert found["below 2.5%"][0] == "forecast"
    outcome, checks, _ = found["four pct"]
    assert outcome == "forecast", checks  # an earlier forecast it was lowered from, not a fact


def test_how_long_since_is_no_quarter_and_a_recession_is_an_economys_word(folder: Path) -> None:
    found = checked(folder, "since-and-recession", {
        "a.txt": ("2005-02-22", "Cold weather has pushed US crude oil prices above $50 a barrel "
                  "for the first time in almost three months."),
        "b.txt": ("1987-04-13", "BONN, April 13 - The institutes do not predict a recession in "
                  "West Germany this year. Growth was 2.4 pct in 1986."),
        "c.txt": ("1987-03-10", "NEW YORK, March 10 - Saudi Arabia led an OPEC-engineered "
                  "return to fixed oil prices of 18 dlrs a barrel last December."),
    })  # fmt: skip
    outcome, checks, _ = found["above $50"]
    assert outcome == "consistent", checks  # WTI closed at 51.00 that day
    assert "daily values for WTI 2005-02-15..2005-02-22" in checks[0][6]
    outcome, checks, _ = found["2.4 pct"]
    assert outcome == "revised", checks  # WDI's 2.29 for West Germany, 1986
    assert "(metric gdp_growth from growth words in an economy's story)" in checks[0][6]
    assert_never_compared(found, [("18 dlrs", "a posted one")])


def test_a_cross_rate_is_told_by_the_currency_priced_not_by_the_clause(folder: Path) -> None:
    found = checked(folder, "cross-lists", {
        "a.txt": ("1987-04-07", "SYDNEY, April 7 - The Australian dollar was firmer on the "
                  "crossrates at 1.2964 marks from 1.2918, 103.32 yen from 103.15, and 0.4392 "
                  "sterling from 0.4361."),
        "b.txt": ("1987-04-07", "LONDON, April 7 - The pound ended unchanged against the dollar "
                  "at 1.6175 and edged up to 2.957 marks from 2.955 yesterday."),
        "c.txt": ("1987-03-27", "SYDNEY, March 27 - Salomon said the current exchange rate is "
                  "103.62 yen to the Australian dollar."),
        "d.txt": ("1987-04-07", "TOKYO, April 7 - The dollar rose against the yen to 145.20 yen "
                  "and against the mark to 1.8150 marks."),
        "e.txt": ("1987-04-07", "LONDON, April 7 - The exchange rate was fixed at 1.6030 U.S. "
                  "Dlrs to one stg."),
        "f.txt": ("1987-03-13", "LONDON, March 13 - Sterling remained firm around 1.59 dlrs."),
        "g.txt": ("1987-03-20", "STERLING RISES TO 1.6050 DLRS IN LONDON\n\nLONDON, March 20 - "
                  "Sterling rose.\n"),
    })  # fmt: skip
    # each a cross rate, checked as the ratio of the two currencies' rates to the dollar in the
    # months around its day (FRED, foreign currency per US$): yen per A$ 151.43 / 1.4554 = 104.05
    # in March, 142.90 / 1.4057 = 101.66 in April, 140.48 / 1.4002 = 100.33 in May; marks per
    # pound 1.8118 / 0.613 = 2.956 in April; pounds per A$ 0.613 / 1.4057 = 0.4361 in April
    for quote, pair in (("1.2964 marks", "DEM/AUD"), ("103.32 yen", "JPY/AUD"),
                        ("103.15", "JPY/AUD"), ("0.4392 sterling", "GBP/AUD"),
                        ("0.4361", "GBP/AUD"), ("2.955", "DEM/GBP"),
                        ("up to 2.957 marks", "DEM/GBP"), ("103.62 yen", "JPY/AUD")):  # fmt: skip
        outcome, checks, _ = found[quote]
        assert outcome == "consistent", (quote, checks)
        assert checks[0][1].startswith(f"fred-exchange-rates:FRED:EXCH:{pair}:1987-"), quote
        assert f"a cross rate, {pair[:3]} per US$ over {pair[4:]} per US$" in checks[0][6], quote
    outcome, checks, _ = found["103.62 yen"]  # dated 1987-03-27: February to April
    assert "monthly values for JPY/AUD 1987-02..1987-04 range 101.657-104.049" in checks[0][6]
    # the dollar priced against the yen and the mark, sterling in dollars (by "stg" after it, or
    # by its name before a verb it "remained" at, or a headline's "RISES TO")
    for quote, currency in (("145.20 yen", "JPY"), ("1.8150 marks", "DEM"),
                            ("1.6030 U.S. Dlrs", "GBP"), ("around 1.59 dlrs", "GBP"),
                            ("1.6050 DLRS", "GBP")):  # fmt: skip
        outcome, checks, _ = found[quote]
        assert outcome == "consistent", (quote, checks)
        assert checks[0][1].startswith(f"fred-exchange-rates:FRED:EXCH:{currency}:1987-"), quote


def test_one_banks_rate_adjusted_cpi_earnings_and_a_crowd_meet_no_national_series(
    folder: Path,
) -> None:
    found = checked(folder, "not-national", {
        "a.txt": ("1987-03-09", "CITIBANK FOLLOWS U.K. BASE RATE CUT TO 10.5 PCT\n\nLONDON, "
                  "March 9 - Citibank said it will also cut.\n"),
        "b.txt": ("1987-03-24", "WASHINGTON, March 24 - U.S. consumer prices rose a seasonally "
                  "adjusted 0.4 pct in February, the Labor Department said."),
        "c.txt": ("1987-03-27", "WASHINGTON, March 27 - The average weekly earnings of U.S. "
                  "workers after adjustment for inflation rose 0.6 pct in February."),
        "d.txt": ("1987-04-02", "RECIFE, Brazil, April 2 - An estimated 500 million people are "
                  "living in critical condition, the FAO said."),
    })  # fmt: skip
    assert_never_compared(found, [
        ("10.5 PCT", "a company's own rate"),
        ("0.4 pct", "a seasonally adjusted monthly figure: the official monthly series for USA "
                    "are not adjusted"),
        ("0.6 pct", "the change of another measure"),
        ("An estimated 500 million people", "the price of something else"),
    ])  # fmt: skip


def test_a_years_average_rate_is_the_mean_of_its_months_and_a_counter_names_the_currency(
    folder: Path,
) -> None:
    # FRED gives the mark and the guilder by month only: 1986's twelve average 2.1708 marks
    found = checked(folder, "year-of-months", {
        "a.txt": ("1987-03-16", "FRANKFURT, March 16 - The dollar averaged 2.17 marks in 1986."),
        "b.txt": ("1987-03-16", "FRANKFURT, March 16 - The dollar averaged 1.70 marks in 1986."),
        "c.txt": ("2004-12-20", "The dollar has weakened sharply since September, when it "
                  "traded at $1.22 against the euro."),
        "d.txt": ("1987-03-16", "The copper price averaged 1.76 dlrs a lb in 1986, assuming an "
                  "average sterling rate of 1.47 dlrs."),
    })  # fmt: skip
    outcome, checks, _ = found["2.17 marks"]
    assert outcome == "consistent", checks
    assert checks[0][1] == "fred-exchange-rates:FRED:EXCH:DEM:1986-01/1986-12", checks
    assert "the mean of the year's 12 months" in checks[0][6]
    assert found["1.70 marks"][0] == "inconsistent"
    outcome, checks, _ = found["$1.22"]
    assert outcome == "consistent", checks  # the euro's September 2004: 1/0.8181 = 1.222 dollars
    assert checks[0][1].startswith("fred-exchange-rates:FRED:EXCH:EUR:2004-"), checks
    assert all(row[0] != "official" for row in found["1.76 dlrs"][1])  # sterling prices no lb


def test_a_years_figure_with_no_period_is_the_year_after_its_baseline(folder: Path) -> None:
    found = checked(folder, "baseline-year", {
        "a.txt": ("1987-03-20", "Britain's output GDP rose 2.8 pct, down from 3.8 pct in 1985."),
        "b.txt": ("1986-03-20", "Britain's output GDP rose 2.9 pct, down from 3.9 pct in 1985."),
    })  # fmt: skip
    outcome, checks, _ = found["2.8 pct"]
    assert outcome == "revised", checks  # WDI's 4.01 for 1986, within the growth band
    assert checks[0][5] == 1  # period_inferred
    assert "period 1986 inferred as the year after its baseline's" in checks[0][6]
    # 1986 was not over in March 1986: no year is inferred
    assert "figure with no period" in found["2.9 pct"][1][0][6]


def test_last_years_figure_is_the_year_before_publication(folder: Path) -> None:
    story = ("PARIS, Feb 26 - Paribas expected French inflation to rise to 2.6 or 2.7 per cent "
             "this year against last years 2.1 per cent.")  # fmt: skip
    found = checked(folder, "last-years", {"a.txt": ("1987-02-26", story)})
    outcome, checks, _ = found["2.1 per cent"]
    assert outcome == "revised", checks  # WDI's 2.54 for France, 1986 (WEO December: 2.12)
    assert checks[0][1].endswith(":FRA:1986"), checks
    assert checks[0][5] == 1  # period_inferred
    assert found["2.7 per cent"][0] == "forecast"


def test_a_bare_number_priced_against_the_dollar_is_the_rate_of_the_currency_named_before(
    folder: Path,
) -> None:
    found = checked(folder, "bare-rates", {
        "a.txt": ("1987-04-07", "MIDRATE OF THE WON AT 844.30 TO THE DOLLAR\n\nSEOUL, April 7 - "
                  "The Bank of Korea set it.\n"),
        "b.txt": ("1987-03-02", "TOKYO, March 2 - The yen is trading at around 153.70 to the "
                  "dollar."),
        "c.txt": ("1987-04-07", "SEOUL, April 7 - Exports went 8,450 to the dollar area."),
        "d.txt": ("1987-04-07", "SYDNEY, April 7 - The yen was at 103.32 to the Australian "
                  "dollar."),
    })  # fmt: skip
    for quote, currency in (("844.30", "KRW"), ("around 153.70", "JPY")):
        outcome, checks, _ = found[quote]
        assert outcome == "consistent", (quote, checks)
        assert checks[0][1].startswith(f"fred-exchange-rates:FRED:EXCH:{currency}:1987-"), quote
        assert "(metric exchange_rate from a number priced in dollars" in checks[0][6]
    for quote in ("8,450", "103.32"):  # no currency priced; a cross rate
        assert all(row[0] != "official" for row in found[quote][1]), quote


def test_a_month_named_beside_a_year_s_figure_is_when_it_was_said(folder: Path) -> None:
    found = checked(folder, "said-in-a-month", {
        "a.txt": ("1987-04-24", "PARIS, April 24 - The statistics office said output grew by "
                  "1.9 pct, after the minister reported a 1986 GDP rise of just two pct in "
                  "February."),
        "b.txt": ("1987-04-24", "PARIS, April 24 - Consumer prices rose 0.4 pct in February."),
        # a month after the figure, the year only later in the sentence: a month's figure
        "c.txt": ("1987-03-06", "BOGOTA, March 6 - colombia's cost of living index rose 1.9 pct "
                  "in february after a 3.3 pct increase in january and a 3.2 pct rise in "
                  "february 1986."),
    })  # fmt: skip
    outcome, checks, _ = found["two pct"]
    assert outcome == "consistent", checks  # WDI's 2.39 for France, 1986
    assert checks[0][1] == "wb-wdi:NY.GDP.MKTP.KD.ZG:FRA:1986", checks
    # a month's figure stays a month's: no annual series is compared
    outcome, checks, _ = found["0.4 pct"]
    assert outcome == "no-reference", checks
    assert "a rise of 0.4%, 1987-02" in checks[0][6], checks  # read as February's
    outcome, checks, _ = found["3.3 pct"]
    assert outcome == "no-reference", checks  # never set against 1986's 18.8
    assert not [row for row in checks if row[0] == "official"], checks


def test_a_country_s_figure_after_because_is_not_the_region_s(folder: Path) -> None:
    story = ("LIMA, April 3 - Garcia said his government had been an example for Latin America "
             "because Peru had enjoyed growth in gross domestic product (GDP) last year of nine "
             "pct.")  # fmt: skip
    outcome, checks = check_one(folder, "because", "1987-04-03", story, "nine pct")
    assert outcome == "consistent", checks  # WDI's 9.43 for Peru, 1986 (3.55 for LCN)
    assert checks[0][1] == "wb-wdi:NY.GDP.MKTP.KD.ZG:PER:1986", checks


def test_last_december_s_rate_in_a_january_story_is_no_forecast(folder: Path) -> None:
    found = checked(folder, "last-december", {
        "a.txt": ("2005-01-07", "WASHINGTON, Jan 7 - The U.S. unemployment rate held at 5.4% in "
                  "December, and about 150,000 jobs will be needed each month for it to fall."),
    })  # fmt: skip
    outcome, checks, _ = found["5.4%"]
    assert outcome == "no-reference", checks  # a month's rate: BLS gives the year's only
    assert "2004-12" in checks[0][6], checks


def test_a_level_a_condition_waits_for_is_no_quote_and_a_contract_month_no_period(
    folder: Path,
) -> None:
    found = checked(folder, "thresholds", {
        "a.txt": ("1987-03-09", "RIGS\n\nHOUSTON, March 9 - \"The rigs won't go back to work "
                                "until the price of oil gets above 30 dlrs,\" he said.\n"),
        "b.txt": ("1987-04-27", "EXXON\n\nNEW YORK, April 27 - Some synthetics projects could "
                                "become practical when oil reaches 30 dlrs to 40 dlrs a barrel.\n"),
        "c.txt": ("1987-03-05", "NORTH SEA\n\nLONDON, March 5 - Exploration in high cost areas "
                                "requires prices of around 25 dlrs a barrel.\n"),
        "d.txt": ("1987-03-23", "TARIFF\n\nWASHINGTON, March 23 - A tariff would be imposed only "
                                "if the price of crude oil falls below, say, 15 dlrs a barrel.\n"),
        "e.txt": ("1987-03-03", "CRUDE\n\nNEW YORK, March 3 - Prices rebounded today, with April "
                                "U.S. crude prices up about one dlr to over 17 dlrs a barrel.\n"),
        "f.txt": ("1987-04-07", "FUTURES\n\nCHICAGO, April 7 - Crude for delivery in May closed "
                                "17 cents higher at 18.84 dlrs a barrel.\n"),
        "g.txt": ("2005-01-20", "Dollar\n\nThe dollar has weakened since September, when the "
                                "price of oil rose to $45 a barrel.\n"),
    })  # fmt: skip
    for quote in ("above 30 dlrs", "30 dlrs to 40 dlrs", "around 25 dlrs", "15 dlrs"):
        outcome, checks, _ = found[quote]
        assert outcome == "forecast", (quote, checks)
        assert checks[0][6].endswith("forecast words (condition_reached)"), (quote, checks)
    # the contract's month is no period: the day's quote, against WTI's days before publication
    outcome, checks, _ = found["over 17 dlrs"]
    assert outcome == "consistent", checks  # WTI 1987-02-24..03-03: 16.43-17.40
    assert "daily values for WTI 1987-02-24..1987-03-03" in checks[0][6], checks
    outcome, checks, _ = found["18.84 dlrs"]
    assert outcome == "consistent", checks  # WTI 1987-03-31..04-07: 18.68-18.90
    assert "daily values for WTI 1987-03-31..1987-04-07" in checks[0][6], checks
    # a past "when ... rose to" is a fact: September 2004's WTI closes ran 41.5-49.9
    outcome, checks, _ = found["$45"]
    assert outcome == "consistent" and "a quote of a day in 2004-09" in checks[0][6], checks


def test_a_days_quote_before_its_series_begins_meets_no_later_month(folder: Path) -> None:
    wire = (
        "BRENT\n\nLONDON, April 9 - Brent was quoted at 19.45 dlrs, up 56 cts a barrel from the "
        "previous week.\n"
    )
    outcome, checks = check_one(folder, "before_series", "1987-04-09", wire, "19.45 dlrs")
    assert outcome == "no-reference", checks  # EIA's Brent begins on 1987-05-20
    assert not [row for row in checks if row[0] == "official"], checks
    assert "taken as the daily/monthly figure at 1987-04-09" in checks[0][6], checks


def test_a_dollars_level_touched_crossed_or_held_is_the_days_rate(folder: Path) -> None:
    found = checked(folder, "levels_touched", {
        "a.txt": ("1987-03-25", "DOLLAR SURVEY\n\nTOKYO, March 25 - A similar survey was made "
                                "when the currency fell sharply in January. It hit a new record "
                                "low of 148.20 yen yesterday.\n"),
        "b.txt": ("1987-03-26", "STERLING\n\nLONDON, March 26 - Sterling peaked at a high of "
                                "1.6075 dlrs before settling.\n"),
        "c.txt": ("1987-03-24", "DOLLAR\n\nFRANKFURT, March 24 - The Bundesbank last intervened "
                                "on January 27, when the dollar threatened to fall below 1.81 "
                                "marks.\n"),
        "d.txt": ("1987-03-25", "SUMITA\n\nTOKYO, March 26 - Commenting on the dollar's fall "
                                "below 150 yen, Sumita said he found no reason for it.\n"),
        "e.txt": ("1987-03-27", "BANK OF JAPAN INTERVENES\n\nThe Bank of Japan intervened in the "
                                "market to keep the dollar above 149 yen, dealers said.\n"),
        "f.txt": ("1987-03-30", "MIYAZAWA\n\nTOKYO, March 30 - The minister believes market "
                                "forces will push the dollar back up from its record low of "
                                "144.70 yen today.\n"),
        "g.txt": ("1987-03-18", "RIGS\n\nHOUSTON, March 18 - Today's relatively stable oil "
                                "prices of about 18 dlrs a barrel are not enough to spur a "
                                "return to the heady days of 1981.\n"),
        "h.txt": ("1987-03-25", "TOKYO STOCKS\n\nTOKYO, March 25 - Sony shares hit a record "
                                "low of 2,950 yen.\n"),
    })  # fmt: skip
    # FRED's monthly yen per dollar: Feb 1987 153.41, Mar 151.43, Apr 142.90
    for quote in ("148.20 yen", "below 150 yen", "above 149 yen", "144.70 yen"):
        outcome, checks, _ = found[quote]
        assert outcome == "consistent", (quote, checks)
        assert "monthly values for JPY 1987-02..1987-04 range 142.899-153.407" in checks[0][6]
    inferred = "(metric exchange_rate from a level quoted in the dollar's story)"
    assert inferred in found["148.20 yen"][1][0][6]
    outcome, checks, _ = found["1.6075 dlrs"]  # GBP per $ Mar 0.628: 1.592 dollars a pound
    assert outcome == "consistent" and ":EXCH:GBP:1987-0" in checks[0][1], checks
    outcome, checks, _ = found["below 1.81 marks"]  # DEM per $ Feb 1.8239 (within 2%)
    assert outcome == "consistent" and ":EXCH:DEM:1987-0" in checks[0][1], checks
    outcome, checks, _ = found["about 18 dlrs"]  # today's, not 1981's: WTI 03-11..03-18
    assert outcome == "consistent", checks
    assert "daily values for WTI 1987-03-11..1987-03-18 range 18.33-18.94" in checks[0][6]
    # a share's low in yen is no dollar level: its story names no dollar
    assert all(row[0] != "official" for row in found["2,950 yen"][1])


def test_growth_in_a_calendar_year_and_a_forecast_issued_earlier_are_forecasts(
    folder: Path,
) -> None:
    found = checked(folder, "calendar", {
        "a.txt": ("1987-03-20", "JAPAN IMF\n\nTOKYO, March 20 - The IMF doubts the government's "
                                "forecast of economic growth. Most independent forecasters, "
                                "including the IMF, believe that growth in calendar 1987 will be "
                                "below three pct, monetary sources said.\n"),
        "b.txt": ("1987-03-09", "DUTCH CPB\n\nTHE HAGUE, March 9 - The GDP growth figure is "
                                "within the CPB's latest forecast, issued last month, of 1.5 to "
                                "two pct growth.\n"),
    })  # fmt: skip
    outcome, checks, _ = found["below three pct"]
    assert outcome == "forecast", checks
    assert "(metric gdp_growth from growth words in an economy's story)" in checks[0][6]
    outcome, checks, _ = found["1.5 to two pct"]  # not February's growth: the aside is no clause
    assert outcome == "forecast" and "forecast words (forecast_words)" in checks[0][6], checks


def test_another_pound_an_ought_an_aim_and_inflation_allowed_for_are_read_so(
    folder: Path,
) -> None:
    found = checked(folder, "other_pounds", {
        "a.txt": ("1987-04-29", "EGYPT\n\nCAIRO, April 29 - The official incentive rate, set by "
                                "the Central Bank daily, is around 1.36 pounds to the dollar.\n"),
        "b.txt": ("1987-04-20", "YEN\n\nTOKYO, April 20 - For example, he said, the dollar "
                                "should be about 120 yen instead of its present level.\n"),
        "c.txt": ("1987-04-27", "ISRAEL\n\nJERUSALEM, April 27 - He said higher pay was harming "
                                "attempts to push inflation to under 10 pct a year.\n"),
        "d.txt": ("1987-04-23", "KUWAIT\n\nKUWAIT, April 23 - They estimate the economy, measured "
                                "in terms of GDP and allowing for inflation, shrank 19 pct in "
                                "1986.\n"),
    })  # fmt: skip
    outcome, checks, _ = found["around 1.36 pounds"]  # sterling: 0.600-0.628 pounds per dollar
    assert outcome == "no-reference", checks
    assert "0.6-0.628: the figure is more than 2 times that" in checks[0][6], checks
    outcome, checks, _ = found["about 120 yen"]
    assert outcome == "forecast" and "forecast words (hypothetical)" in checks[0][6], checks
    outcome, checks, _ = found["under 10 pct"]
    assert outcome == "forecast" and "forecast words (aimed_level)" in checks[0][6], checks
    outcome, checks, _ = found["19 pct"]  # the economy's growth, not Kuwait's CPI
    assert checks[0][1] == "wb-wdi:NY.GDP.MKTP.KD.ZG:KWT:1986", checks
    assert "(metric gdp_growth from growth words, inflation allowed for)" in checks[0][6]
    assert outcome == "inconsistent", checks  # WDI +8.57


def test_lending_a_load_factor_and_reserves_are_no_national_account(folder: Path) -> None:
    found = checked(folder, "money_credit", {
        "a.txt": ("1987-03-12", "THAILAND\n\nBANGKOK, March 12 - The Bank of Thailand estimated "
                                "overall lending by the Thai banking system grew 3.8 pct in "
                                "1986.\n"),
        "b.txt": ("1987-03-25", "CATHAY\n\nHONG KONG, March 25 - Miles said load factor is still "
                                "holding up at 70 pct.\n"),
        "c.txt": ("1987-03-25", "COLOMBIA\n\nMIAMI, March 25 - Its foreign reserves ended 1986 at "
                                "3.5 billion dlrs, equivalent to nine months of imports.\n"),
        "d.txt": ("1987-03-12", "THAILAND\n\nBANGKOK, March 12 - The Thai economy grew 4.5 pct in "
                                "1986.\n"),
    })  # fmt: skip
    for quote in ("3.8 pct", "70 pct", "3.5 billion dlrs"):
        outcome, checks, _ = found[quote]
        assert all(row[0] != "official" for row in checks), (quote, checks)
    outcome, checks, _ = found["4.5 pct"]  # the economy's: WDI's 5.53 for Thailand's 1986
    assert checks[0][1] == "wb-wdi:NY.GDP.MKTP.KD.ZG:THA:1986", checks
    assert outcome == "revised", checks


def test_a_country_named_right_after_a_figure_in_a_list_is_its_subject(folder: Path) -> None:
    wire = (
        "OECD\n\nPARIS, March 17 - Unadjusted annual inflation for the seven leading "
        "industrialised nations in January was running at 4.4 pct in Italy, 3.9 pct in Britain "
        "and Canada, 1.4 pct in the U.S., Minus 0.8 pct in West Germany and minus 1.5 pct in "
        "Japan, the OECD said.\n"
    )
    found = checked(folder, "list_after", {"a.txt": ("1987-03-17", wire)})
    for quote, code in (("4.4 pct", "ITA"), ("3.9 pct", "GBR"), ("minus 1.5 pct", "JPN")):
        outcome, checks, _ = found[quote]
        assert outcome == "no-reference" and checks[0][3] == code, (quote, checks)
        assert f"no official monthly value for {code} in 1987-01" in checks[0][6]
    # West Germany's rate, no longer set against the US's CPI-U as the figure before it was
    outcome, checks, _ = found["0.8 pct"]
    assert outcome == "no-reference" and checks[0][3] == "DEU", checks
    outcome, checks, _ = found["1.4 pct"]  # the US's own: CPI-U 12-month change, 1.46
    assert checks[0][1] == "bls-cpi:BLS:CUUR0000SA0:YOY:USA:1987-01", checks


def test_more_currencies_by_name_a_baseline_quote_and_a_span_named_elsewhere(
    folder: Path,
) -> None:
    found = checked(folder, "currencies_more", {
        "a.txt": ("1987-04-21", "GUILDER\n\nAMSTERDAM, April 21 - The fix put the dollar at "
                                "2.0045 guilders after 2.0280 last Friday.\n"),
        "b.txt": ("1987-04-07", "STERLING\n\nLONDON, April 7 - Sterling closed at 1.6175 dlrs, "
                                "after 1.6150 at the opening.\n"),
        "c.txt": ("1987-04-21", "TAIWAN\n\nTAIPEI, April 21 - The Taiwan dollar has risen about "
                                "16 pct since September 1985. In the same time span the Taiwan "
                                "dollar rose to 36.77 to the U.S. Currency from 40.45. The Taiwan "
                                "dollar opened at 34.24 to the U.S. Dollar today.\n"),
    })  # fmt: skip
    outcome, checks, _ = found["2.0280"]  # FRED guilders per $: Mar-May 1987 2.0154-2.0731
    assert outcome == "consistent" and ":EXCH:NLG:1987-0" in checks[0][1], checks
    outcome, checks, _ = found["1.6150"]  # $ per pound: Mar-May 1987 1.592-1.667
    assert outcome == "consistent" and ":EXCH:GBP:1987-0" in checks[0][1], checks
    assert "(metric exchange_rate from the quote it is compared with)" in checks[0][6]
    outcome, checks, _ = found["34.24"]  # Taiwan dollars per $: Mar-May 1987 32.35-34.68
    assert outcome == "consistent" and ":EXCH:TWD:1987-0" in checks[0][1], checks
    for quote in ("36.77", "40.45"):
        outcome, checks, _ = found[quote]
        assert outcome == "no-reference", (quote, checks)
        assert "a quote of a time another sentence names" in checks[0][6], (quote, checks)


def test_chart_levels_wishes_and_a_list_after_a_condition_are_no_quotes(folder: Path) -> None:
    found = checked(folder, "chart_levels", {
        "a.txt": ("1987-04-01", "CRUDE\n\nNEW YORK, April 1 - He said resistance is at "
                                "18.75-18.85 dlrs, then 19.00 dlrs a barrel for May crude.\n"),
        "b.txt": ("1987-04-20", "DOLLAR\n\nTOKYO, April 20 - The dollar appears set to test "
                                "support levels at 143 yen, with 140 yen within reach over the "
                                "next few weeks, dealers said.\n"),
        "c.txt": ("1987-03-17", "OPEC WANTS 18 DLR OIL PRICE - OAPEC OFFICIAL\n\nThe ranges "
                                "agreed were 1.60 to 1.90 marks to the dollar.\n"),
        "d.txt": ("1987-06-29", "TOKYO STOCKS\n\nTOKYO, June 29 - However, if the dollar falls to "
                                "about 140 or 138 yen, the market index may rally.\n"),
        "e.txt": ("1987-03-31", "BANGEMANN\n\nHANOVER, March 31 - He added that West Germany's "
                                "economy would have grown by 3.5 pct last year instead of the 2.5 "
                                "pct reported.\n"),
    })  # fmt: skip
    for quote, cue in (("18.75-18.85 dlrs", "market_level"), ("19.00 dlrs", "market_level"),
                       ("143 yen", "market_level"), ("140 yen", "market_level_after"),
                       ("18 DLR", "aimed_level"), ("1.60 to 1.90 marks", "market_level"),
                       ("138 yen", "hypothetical")):  # fmt: skip
        outcome, checks, _ = found[quote]
        assert outcome == "forecast" and f"forecast words ({cue})" in checks[0][6], (quote, checks)
    # "May crude" is the contract, no modal: 19.00 continues the resistance clause
    assert "in the clause its words continue" in found["19.00 dlrs"][1][0][6]
    # what happened instead of a counterfactual is a fact: WDI 2.29 for West Germany's 1986
    outcome, checks, _ = found["2.5 pct"]
    assert outcome == "revised" and checks[0][1] == "wb-wdi:NY.GDP.MKTP.KD.ZG:DEU:1986", checks
    assert found["3.5 pct"][0] == "forecast"


def test_a_half_years_or_a_quarters_rate_is_the_mean_of_its_months(folder: Path) -> None:
    found = checked(folder, "period_means", {
        "a.txt": ("1987-04-07", "TOKYO, April 7 - The dollar averaged 158 yen in the second half "
                                "of 1986, and 160.5 yen in the fourth quarter of 1986."),
        "b.txt": ("1987-04-07", "TOKYO, April 7 - The dollar averaged 175 yen in the second half "
                                "of 1986."),
    })  # fmt: skip
    # FRED's monthly averages: July-December 1986 158.148, October-December 160.458
    outcome, checks, _ = found["158 yen"]
    assert outcome == "consistent", checks
    assert checks[0][1] == "fred-exchange-rates:FRED:EXCH:JPY:1986-07/1986-12", checks
    assert "the mean of the half-year's 6 months" in checks[0][6]
    assert "158.148 JPY" in checks[0][6]
    outcome, checks, _ = found["160.5 yen"]
    assert outcome == "consistent", checks
    assert checks[0][1] == "fred-exchange-rates:FRED:EXCH:JPY:1986-10/1986-12", checks
    assert "the mean of the quarter's 3 months" in checks[0][6]
    assert found["175 yen"][0] == "inconsistent"  # 10.7% above the half-year's mean


def test_oil_before_the_daily_series_is_the_annual_average_a_dateline_names_no_market(
    folder: Path,
) -> None:
    found = checked(folder, "oil_annual", {
        "a.txt": ("1987-04-07", "NEW YORK, April 7 - Oil prices were close to 30 dlrs a barrel in "
                                "1984 and averaged 14.40 dlrs a barrel in 1986."),
        "c.txt": ("1987-04-07", "LONDON, April 7 - Brent crude averaged 40 dlrs a barrel in "
                                "1984."),
        "d.txt": ("1987-04-07", "HOUSTON, April 7 - The fall in oil prices to 16 dlrs a barrel "
                                "at the end of 1986 from 36 dlrs in 1985 hurt the industry."),
        "e.txt": ("1987-04-07", "HOUSTON, April 7 - Sales of crude by the group averaged 15 dlrs "
                                "a barrel last year, down from 27.50 dlrs in 1985."),
    })  # fmt: skip
    # the BoE Millennium's annual crude price (BP's Brent): 28.78 in 1984, 14.43 in 1986
    outcome, checks, _ = found["close to 30 dlrs"]
    assert outcome == "consistent", checks
    assert checks[0][1] == "boe-millennium:BOEM:usd-oil-prices:GBR:1984", checks
    assert "28.78 USD" in checks[0][6]
    # no benchmark named ("NEW YORK" is where the story was filed): WTI's 15.05 or Brent's 14.43
    outcome, checks, _ = found["14.40 dlrs"]
    assert outcome == "consistent", checks
    compared = {row[1]: row[2] for row in checks}
    assert compared["eia-spot-prices:EIA:RWTC:WTI:1986"] == "inconsistent", checks
    assert compared["boe-millennium:BOEM:usd-oil-prices:GBR:1986"] == "consistent", checks
    # WTI named: its own annual average only, while it has one
    outcome, checks, _ = checked(folder, "oil_annual_wti", {"b.txt": (
        "1987-04-07", "NEW YORK, April 7 - West Texas Intermediate averaged 14.40 dlrs a barrel "
        "in 1986.")})["14.40 dlrs"]  # fmt: skip
    assert outcome == "inconsistent", checks
    assert [row[1] for row in checks] == ["eia-spot-prices:EIA:RWTC:WTI:1986"], checks
    # Brent named before its daily series begins (May 1987): the annual average of its year
    outcome, checks, _ = found["40 dlrs"]
    assert outcome == "inconsistent", checks
    assert checks[0][1] == "boe-millennium:BOEM:usd-oil-prices:GBR:1984", checks
    # a day's price in 1985 (no daily prices before 1986): the year's 27.56 cannot refute it
    outcome, checks, _ = found["36 dlrs"]
    assert outcome == "no-reference", checks
    assert "a quote of a day in 1985, and only the year's average to compare" in checks[0][6]
    assert "27.56 USD for GBR 1985; not settled" in checks[0][6]
    # a seller's average price, and the year it is compared with, are its own
    assert_never_compared(found, [("27.50 dlrs", "a company's own rate or price")])


def test_a_rise_in_the_year_to_a_month_is_the_twelve_month_rate(folder: Path) -> None:
    found = checked(folder, "year_to", {
        "a.txt": ("1987-04-07", "LONDON, April 7 - Britain's retail price index rose by 3.9 pct "
                                "in the year to February."),
        "b.txt": ("1987-04-07", "LONDON, April 7 - Britain's retail price index rose by 0.4 pct "
                                "in February."),
    })  # fmt: skip
    # ONS CDKO: 396.1 in February 1987 against 381.1 a year before (+3.94%), 0.41% on January
    outcome, checks, _ = found["3.9 pct"]
    assert outcome == "consistent", checks
    assert checks[0][1] == "ons-mm23:ONS:CDKO:YOY:GBR:1987-02", checks
    outcome, checks, _ = found["0.4 pct"]
    assert outcome == "consistent", checks
    assert checks[0][1] == "ons-mm23:ONS:CDKO:MOM:GBR:1987-02", checks


def test_a_bare_franc_in_a_swiss_story_is_the_swiss_franc(folder: Path) -> None:
    found = checked(folder, "francs", {
        "a.txt": ("1987-04-07", "ZURICH, April 7 - The dollar was trading today between 1.5340 "
                                "and 1.5475 francs."),
        "b.txt": ("1987-04-07", "PARIS, April 7 - The dollar closed at 6.0850 francs."),
        "c.txt": ("1987-04-07", "ZURICH, April 7 - The dollar closed at 6.0850 French francs."),
    })  # fmt: skip
    # FRED, March-May 1987: CHF 1.4705-1.5391, FRF 5.9748-6.1091
    outcome, checks, _ = found["between 1.5340 and 1.5475 francs"]
    assert outcome == "consistent", checks
    assert checks[0][1].startswith("fred-exchange-rates:FRED:EXCH:CHF:1987-"), checks
    outcome, checks, _ = found["6.0850 francs"]
    assert outcome == "consistent", checks
    assert checks[0][1].startswith("fred-exchange-rates:FRED:EXCH:FRF:1987-"), checks
    outcome, checks, _ = found["6.0850 French francs"]
    assert outcome == "consistent", checks
    assert checks[0][1].startswith("fred-exchange-rates:FRED:EXCH:FRF:1987-"), checks


def test_a_money_market_or_bill_rate_is_not_the_central_banks(folder: Path) -> None:
    found = checked(folder, "money_market", {
        "a.txt": ("1987-03-13", "LONDON, March 13 - The Bank of England bought 98 mln stg of "
                                "bills for resale on March 30 at an interest rate of 10-7/16 pct."),
        "b.txt": ("1987-04-03", "AVERAGE DISCOUNT RATE AT UK BILL TENDER 9.5195 PCT\n\nLONDON, "
                                "April 3 - The Bank of England said the average rate was 9.5195 "
                                "pct."),
        "c.txt": ("1987-04-07", "LONDON, April 7 - The Bank trimmed its dealing rates with the "
                                "discount houses, and U.K. base rates are now 10 pct."),
        "d.txt": ("1987-03-09", "LONDON, March 9 - Dealers have pushed for a one point cut in "
                                "base lending rates to 9.5 pct for some time."),
        "e.txt": ("1987-03-18", "LONDON, March 18 - Analysts said a further half-point cut in "
                                "base rates to 9-1/2 pct was bound to occur within weeks."),
        "f.txt": ("1987-06-18", "ZURICH, June 18 - The cut followed a fall in money market rates, "
                                "and the bank left its 2.5 pct discount rate alone."),
    })  # fmt: skip
    why = "a money-market or bill rate: never compared with the central bank's rate"
    assert_never_compared(found, [("10-7/16 pct", why), ("9.5195 PCT", why)])
    # a base rate named after the discount houses is the base rate: Bank Rate 9.875 from March 18
    outcome, checks, _ = found["10 pct"]
    assert outcome == "consistent", checks
    assert checks[0][1].startswith("boe-bank-rate:BOE:BANKRATE:GBR:1987-03-18"), checks
    # a cut pushed for, and one yet to come, are no rate in force
    outcome, checks, _ = found["9.5 pct"]
    assert outcome == "forecast" and "forecast words (aimed_level)" in checks[0][6], checks
    outcome, checks, _ = found["9-1/2 pct"]
    assert outcome == "forecast" and "forecast words (forecast_after)" in checks[0][6], checks
    # a discount rate named after a money market named in a clause before is a policy rate's:
    # read as the Swiss central bank's rate (the pack has none), not as a money-market rate
    outcome, checks, _ = found["2.5 pct"]
    assert outcome == "no-reference", checks
    assert "no official series of central_bank_rate for CHE" in checks[0][6], checks


def test_a_money_supplys_rise_is_not_the_economys_growth(folder: Path) -> None:
    found = checked(folder, "money_supply", {
        "a.txt": ("1987-03-02", "PARIS, March 2 - M-3 money supply, the key aggregate, finished "
                                "1986 within its growth target, rising 4.6 pct compared with "
                                "seven pct in 1985."),
        "b.txt": ("1987-03-02", "PARIS, March 2 - While M3 rose 8 pct, gross domestic product "
                                "grew 2.1 pct in 1986."),
    })  # fmt: skip
    why = "the change of another measure (earnings, wages, income, money supply) named before it"
    assert_never_compared(found, [("4.6 pct", why), ("seven pct", why)])
    # the economy named after the aggregate's move is the economy: WDI 2.39 for France's 1986
    outcome, checks, _ = found["2.1 pct"]
    assert outcome == "revised", checks
    assert checks[0][1] == "wb-wdi:NY.GDP.MKTP.KD.ZG:FRA:1986", checks


def test_a_quote_of_last_summer_is_a_days_in_that_seasons_months(
    folder: Path,
) -> None:
    found = checked(folder, "seasons", {
        "a.txt": ("1987-04-07", "NEW YORK, April 7 - Oil fell to 11 dlrs a barrel last summer."),
        "b.txt": ("1987-10-07", "TOKYO, October 7 - The dollar stood at 149 yen last summer."),
    })  # fmt: skip
    # WTI's daily prices of June to August 1986: 10.83-15.93 (April 1987's week: 18.68-18.90)
    outcome, checks, _ = found["11 dlrs"]
    assert outcome == "consistent", checks
    assert "a day in last summer (1986-06..1986-08): daily values for WTI" in checks[0][6]
    # in October, last summer is this year's: FRED June to August 1987 144.549-150.294
    outcome, checks, _ = found["149 yen"]
    assert outcome == "consistent", checks
    assert "last summer (1987-06..1987-08): monthly values for JPY" in checks[0][6]


def test_a_quote_in_a_quarter_not_over_is_judged_by_its_months_up_to_publication(
    folder: Path,
) -> None:
    """A span of months ending after publication is read as its quarter (1987-Q2, in a story of
    May 15): only the months up to the story's are among what the day's quote may have been."""
    outcome, checks = check_one(folder, "so_far", "1987-05-15",
                                "TOKYO, May 15 - The dollar fell to 140 yen between April and "
                                "June 1987.", "140 yen")  # fmt: skip
    assert outcome == "consistent", checks
    assert "a day in 1987-Q2: monthly values for JPY 1987-04..1987-05 range" in checks[0][6]


def test_the_banks_base_rates_are_bank_rate_one_banks_is_its_own(folder: Path) -> None:
    found = checked(folder, "base_rates", {
        "a.txt": ("1987-03-19", "LONDON, March 19 - U.K. clearing banks cut their base lending "
                                "rates to 10 pct."),
        "b.txt": ("1987-04-29", "LONDON, April 29 - Major U.K. banks lowered their base lending "
                                "rates today to 9.5 pct."),
        "c.txt": ("1987-03-19", "LONDON, March 19 - Barclays and Lloyds cut their base rates to "
                                "10.5 pct."),
    })  # fmt: skip
    # the clearing banks follow the Bank's dealing rate: 9.875 from 1987-03-18, 9.375 from 04-28
    outcome, checks, _ = found["10 pct"]
    assert outcome == "consistent", checks
    assert checks[0][1] == "boe-bank-rate:BOE:BANKRATE:GBR:1987-03-18", checks
    outcome, checks, _ = found["9.5 pct"]
    assert outcome == "consistent", checks
    assert checks[0][1] == "boe-bank-rate:BOE:BANKRATE:GBR:1987-04-28", checks
    why = "a company's own rate or price: never compared with national statistics"
    assert_never_compared(found, [("10.5 pct", why)])


def test_a_days_quote_is_within_two_pct_of_the_months_not_four(folder: Path) -> None:
    # FRED's yen, December 1986 to February 1987: 162.05, 154.83, 153.41; 149.98 is 2.24% under
    # the lowest, 150.40 1.96% under. The franc, August to October 1978: 1.6672, 1.5697, 1.5365
    found = checked(folder, "day_band", {
        "a.txt": ("1987-03-02", "TOKYO, March 2 - The dollar fell briefly to an all-time low of "
                                "149.98 yen on January 19, dealers said."),
        "b.txt": ("1987-03-02", "TOKYO, March 2 - The dollar fell briefly to 150.40 yen on "
                                "January 20, dealers said."),
        "c.txt": ("1987-04-24", "ZURICH, April 24 - The dollar dipped to 1.4548 Swiss francs, "
                                "close to its all-time low of 1.4510 francs set on September 26, "
                                "1978."),
    })  # fmt: skip
    outcome, checks, _ = found["149.98 yen"]
    assert outcome == "inconsistent", checks
    assert "monthly values for JPY 1986-12..1987-02 range 153.407-162.052" in checks[0][6]
    assert found["150.40 yen"][0] == "consistent"
    # the day named after the quote is its period, not the publication date's months
    outcome, checks, _ = found["1.4510 francs"]
    assert outcome == "inconsistent", checks
    assert "a quote of a day in 1978-09: monthly values for CHF 1978-08..1978-10 range "
    "1.5365-1.6672" in checks[0][6], checks


def test_an_average_with_no_period_is_confirmed_by_the_months_never_refuted(
    folder: Path,
) -> None:
    found = checked(folder, "average_unnamed", {
        "a.txt": ("1987-06-18", "TOKYO, June 18 - The average value of the dollar was 155 yen in "
                                "the period from 190 a year earlier."),
        "b.txt": ("1987-03-19", "TOKYO, March 19 - The average yen/dollar rate used for the "
                                "statistics was 153.67 yen."),
    })  # fmt: skip
    # May to July 1987: 140.48-150.29, which a firm's half-year average of 155 need not be in
    outcome, checks, _ = found["155 yen"]
    assert outcome == "no-reference", checks
    assert "an average over a period its words do not name" in checks[0][6], checks
    assert "not settled" in checks[0][6] and "inconsistent" not in checks[0][6], checks
    # February to April 1987: 142.90-153.41
    assert found["153.67 yen"][0] == "consistent"


def test_a_dollar_quote_a_sentence_misreads_is_the_rate(folder: Path) -> None:
    found = checked(folder, "misread_rate", {
        "a.txt": ("1987-04-07", "TOKYO, April 7 - The dollar opened lower. It closed at 145.25 "
                                "yen in Tokyo."),
        "b.txt": ("1987-04-10", "TOKYO, April 10 - Share prices plunged in early trade as an "
                                "opening foreign exchange record low of 143.75 yen to the dollar "
                                "withered investors' confidence, brokers said."),
    })  # fmt: skip
    # March to May 1987: 140.48-151.43
    for quote in ("145.25 yen", "143.75 yen"):
        outcome, checks, _ = found[quote]
        assert outcome == "consistent", (quote, checks)
        assert "monthly values for JPY 1987-03..1987-05" in checks[0][6], checks


def test_netbacks_import_prices_terms_and_a_dollar_of_a_level_are_no_quotes(
    folder: Path,
) -> None:
    found = checked(folder, "no_quotes", {
        "a.txt": ("1987-04-09", "NEW YORK, April 9 - In the U.S. Gulf, sweet crudes rose in "
                                "value by 14 cts to 19.33 dlrs for West Texas Intermediate."),
        "b.txt": ("1987-03-17", "TOKYO, March 17 - On a customs-cleared basis, crude oil prices "
                                "rose to around 17 dlrs a barrel in February."),
        "c.txt": ("1987-04-03", "BONN, April 3 - Stoltenberg said a dollar around 1.80 marks "
                                "created problems for exports."),
        "d.txt": ("1987-03-25", "LONDON, March 25 - Each warrant gives the right to buy 500 dlrs "
                                "at 149.50 yen to the dollar between March 31, 1987 and March 31, "
                                "1989."),
        "e.txt": ("1987-03-03", "MILAN, March 3 - Net profit 210 billion lire vs 180 billion.\n"
                                "NOTE: translated at 1,339 Italian lire to dollar."),
        "f.txt": ("1987-06-02", "LONDON, June 2 - The coupon on the warrant bond was set at 1-1/4 "
                                "pct. The foreign exchange rate was set at 146.20 yen to the "
                                "dollar."),
    })  # fmt: skip
    oil = "another crude's or an oil product's price, or a posted one: never a benchmark's"
    company = "a company's own rate or price: never compared with national statistics"
    assert_never_compared(found, [("19.33 dlrs", oil), ("around 17 dlrs", oil),
                                  ("149.50 yen", "a figure over 1987-03 to 1989-03"),
                                  ("1,339 Italian lire", company),
                                  ("146.20 yen", company)])  # fmt: skip
    outcome, checks, _ = found["around 1.80 marks"]
    assert outcome == "forecast" and "forecast words (hypothetical)" in checks[0][6], checks


def test_a_currencys_move_since_a_month_is_the_change_of_its_monthly_averages(
    folder: Path,
) -> None:
    # FRED, per US$: won 894.05 in September 1985, 832.54-856.11 from March to May 1987; yen
    # 236.53, then 140.48-151.43; Taiwan dollar 40.46, then 33.83-35.06 from February to April
    found = checked(folder, "moved_since", {
        "a.txt": ("1987-04-24", "SEOUL, April 24 - The won has risen some six pct against the "
                                "dollar since September 1985."),
        "b.txt": ("1987-04-20", "TOKYO, April 20 - The yen has risen 65 pct against the dollar "
                                "since September 1985."),
        "c.txt": ("1987-04-21", "TOKYO, April 21 - The dollar has fallen 30 pct against the yen "
                                "since the Plaza accord."),
        "d.txt": ("1987-04-22", "TOKYO, April 22 - The yen has risen 20 pct against the mark "
                                "since September 1985."),
        "e.txt": ("1987-03-31", "TAIPEI, March 31 - The Taiwan dollar has risen by about 19 pct "
                                "against the U.S. Dollar since September 1985."),
    })  # fmt: skip
    # the won's price in dollars rose 4.4-7.4%, the rate fell 4.2-6.9%: "some six" either way
    outcome, checks, _ = found["some six pct"]
    assert outcome == "consistent", checks
    assert (
        "KRW against the dollar since 1985-09: the monthly average 894.051 KRW per US$ "
        "(1985-09) and 832.535-856.109 (1987-03..1987-05) give +4.4% to +7.4% or +4.2% to "
        "+6.9%" in checks[0][6]
    ), checks
    # the dollar's fall since the Plaza accord was 36.0-40.6%
    outcome, checks, _ = found["30 pct"]
    assert outcome == "inconsistent", checks
    assert "the dollar against JPY since 1985-09" in checks[0][6], checks
    assert "give -40.6% to -36.0%" in checks[0][6], checks
    # read as the yen's price (+56.2-68.4%) or as the rate's fall (36.0-40.6%), "65 pct" is only
    # the first, and "about 19" the Taiwan dollar's price (+15.4-19.6%), not the rate (13.4-16.4%)
    two_ways = (
        ("65 pct", "give +56.2% to +68.4% or +36.0% to +40.6%"),
        ("about 19 pct", "give +15.4% to +19.6% or +13.4% to +16.4%"),
    )
    for quote, given in two_ways:
        outcome, checks, _ = found[quote]
        assert outcome == "no-reference", checks
        assert "read two ways" in checks[0][6] and given in checks[0][6], checks
    assert_never_compared(found, [("20 pct", "neither or both the dollar")])
