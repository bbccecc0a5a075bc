"""`ledger check` on market quotes of unseen news (issue 15's hand-checked census quotes): which
are the day's price or rate, and which are a past time's, a hypothetical level or a charge. Each
case is one found wrong in the census of unlabelled Reuters stories, its values the shared
folder's (FRED monthly, EIA daily WTI, the BoE's Bank Rate changes)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import pytest
from test_official import checked

from ledger.refdata.pack import ensure_pack

# Each group's stories {file: (published, text)}, ingested and checked in a ledger of its own.
STORIES = {
    "past": {
        "a.txt": ("1987-03-14", "QUITO, March 14 - He said he had previously held that Ecuador "
                  "was obliged to make debt payments when crude oil was at 26 dlrs a barrel "
                  "because the government had projected plans with crude prices at that level."),
        "b.txt": ("1987-06-19", "LONDON, June 19 - Most of 1986 was a free-for-all. In the "
                  "process, prices collapsed from about 28 dlrs a barrel to below nine dlrs, "
                  "until the organisation decided to cut production."),
        "c.txt": ("1987-03-18", "MEXICO CITY, March 18 - Due mainly to the fall in oil prices to "
                  "around 12 dlrs from 25 dlrs in the year, 58 wells were suspended."),
        "d.txt": ("1987-04-07", "TOKYO, April 7 - The dollar fell to 145.20 yen from 146.50 yen "
                  "yesterday."),
        "e.txt": ("1987-04-27", "FRANKFURT, April 27 - The West German central bank bought "
                  "dollars when the dollar was at about 1.7770 marks, dealers said."),
        "f.txt": ("1987-04-07", "ROME, April 7 - The dollar fell to 1,290 lire from 1,310 lire "
                  "yesterday."),
    },
    "modal": {
        "a.txt": ("1987-04-13", "KUWAIT, April 13 - The sources believed a return of oil below "
                  "18 dlrs a barrel may open the doors for oil companies to pressure Opec."),
        "b.txt": ("1987-03-23", "WASHINGTON, March 23 - Herrington said, for example, a 10 dlr "
                  "per barrel tariff on oil imports would cause GNP to fall."),
        "c.txt": ("1987-03-31", "WASHINGTON, March 31 - He believed synthetic fuels would "
                  "become economic to develop when world oil prices reached a 30 to 40 dlr a "
                  "barrel price range."),
        "d.txt": ("1987-03-26", "CARACAS, March 26 - Hernandez said Venezuela's oil price has "
                  "averaged just above 16 dlrs a barrel for the year to date. If OPEC achieves "
                  "its stated goal of an 18 dlrs a barrel average price, he said, Venezuela's "
                  "should move up to 16.50 dlrs."),
        "e.txt": ("1987-03-26", "LONDON, March 26 - He said the current oil price of some 18 "
                  "dlrs a barrel might suggest a level of 74 on the sterling index."),
        "f.txt": ("1987-04-01", "TOKYO, April 1 - Keidanren Chairman Eishiro Saito said the "
                  "dollar's fall below 150 yen would create huge unemployment and bankruptcies."),
    },
    "terms": {
        "a.txt": ("1987-03-17", "SYDNEY, March 17 - The exchange rate has been fixed at 1.24 "
                  "Australian dlrs to the mark."),
        "b.txt": ("1987-03-18", "LONDON, March 18 - British banks' base lending rates fell a "
                  "half percentage point on March 9 to the current 10.5 pct."),
        "c.txt": ("1987-03-20", "LONDON, March 20 - U.K. base rates are now 10-1/2 pct."),
    },
    "firm-average": {
        "a.txt": ("1987-06-11", "TOKYO, June 11 - The fall was due to the yen rise against the "
                  "dollar, Wada said. The average value of the dollar was 155 yen in the period "
                  "from 190 a year earlier."),
        "b.txt": ("1987-06-19", "TOKYO, June 19 - The average yen/dollar rate rose to 158 yen in "
                  "the first half from 207 a year earlier."),
        "c.txt": ("1987-03-10", "TOKYO, March 10 - The dollar averaged 168.5 yen in 1986, "
                  "against 238.5 yen in 1985."),
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    place = tmp_path_factory.mktemp("quotes")
    ensure_pack(place / "claims.db")
    return place


@pytest.fixture(scope="module")
def found(folder: Path) -> Callable[[str], dict]:
    """A group's {quote: (outcome, checks, claim id)}, its stories checked once when first asked."""
    return functools.cache(lambda group: checked(folder, group, STORIES[group]))


LONG_MOVE = "a move too large for a day's or a week's (one end more than 30% above the other)"
JPY_SPRING = "monthly values for JPY 1987-03..1987-05 range 140.479-151.433"  # FRED
ITL_SPRING = "monthly values for ITL 1987-03..1987-05 range 1290.8-1305.9"
A_YEAR_BEFORE = "an average a year before a period its words do not name"


@pytest.mark.parametrize(
    "group, quote, outcome, explained",
    [
        # WTI was 18.13-18.42 the week before March 14, 1987: 26 dlrs was a past time's price
        ("past", "26 dlrs", "no-reference",
         "a quote of a past time its sentence does not date"),
        # told in the wire's past tense, today's: FRED's marks 1.7881-1.8355 in March to May 1987
        ("past", "about 1.7770 marks", "consistent", "range 1.7881-1.8355"),
        # no day's or week's move is -68% or -52%: neither end is the day's price (WTI 19.9-20.7)
        ("past", "about 28 dlrs", "no-reference", LONG_MOVE),
        ("past", "below nine dlrs", "no-reference", LONG_MOVE),
        ("past", "around 12 dlrs", "no-reference", LONG_MOVE),
        ("past", "25 dlrs", "no-reference", LONG_MOVE),
        # a day's move (-0.9%): both ends are the day's quotes, against FRED's 140.48-151.43
        ("past", "145.20 yen", "consistent", JPY_SPRING),
        ("past", "146.50 yen", "consistent", JPY_SPRING),
        # "from 1,310" is 1,310, not 1: a -1.5% move, both ends the day's (FRED 1290.8-1305.9)
        ("past", "1,290 lire", "consistent", ITL_SPRING),
        ("past", "1,310 lire", "consistent", ITL_SPRING),
        # a level a modal, a condition or a wish names is no quote
        ("modal", "below 18 dlrs", "forecast", "forecast words (forecast_after)"),
        ("modal", "30 to 40 dlr", "forecast", "forecast words (condition_reached)"),
        ("modal", "up to 16.50 dlrs", "forecast", "forecast words (hypothetical)"),
        # the current price, whatever modal follows it: WTI 18.48-18.94 the week before March 26
        ("modal", "some 18 dlrs", "consistent", "daily values for WTI 1987-03-19..1987-03-26"),
        # a level crossed, whatever "would" says of its effects: FRED 140.48-151.43, March to May
        ("modal", "below 150 yen", "consistent", "range 140.479-151.433"),
        # a charge a barrel, not a price: never WTI's
        ("modal", "10 dlr", "no-reference",
         "an oil product's price, or a posted one: never a benchmark's"),
        # a cross rate, but a bond's term
        ("terms", "1.24 Australian dlrs", "no-reference", "a company's own rate or price"),
        # cut to 10 pct (BoE 9.875) on March 18 itself: the story may quote the eve's 10.375
        ("terms", "10.5 pct", "consistent",
         "dated-change values for GBR 1987-03-09..1987-03-18 range 9.875-10.375"),
        # two days after the cut only 9.875 was in force, the one change of the week before
        ("terms", "10-1/2 pct", "inconsistent",
         "dated-change values for GBR 1987-03-18 range 9.875-9.875"),
        # FRED's 1986 mean of months is 168.5: 190 and 207 are a firm's period a year before its
        # (unnamed) half-year, which the calendar year cannot refute
        ("firm-average", "190", "no-reference", A_YEAR_BEFORE),
        ("firm-average", "207", "no-reference", A_YEAR_BEFORE),
        # named years are compared as ever: 1986's 168.5 and 1985's 238.5 (FRED annual)
        ("firm-average", "168.5 yen", "consistent", "JPY 1986"),
        ("firm-average", "238.5 yen", "consistent", "JPY 1985"),
    ],
)  # fmt: skip
def test_a_market_quote_is_the_days_only_when_its_words_say_so(
    found: Callable[[str], dict], group: str, quote: str, outcome: str, explained: str
) -> None:
    got, checks, _ = found(group)[quote]
    assert got == outcome, checks
    assert explained in checks[0][6], checks


def test_two_way_quotes_the_dollars_other_names_and_a_currency_in_us_cents(folder: Path) -> None:
    found = checked(folder, "two-way", {
        "a.txt": ("1987-04-07", "PARIS, April 7 - Dealers said the dollar was quoted at a late "
                  "6.0640/70 francs in quiet trading."),
        "b.txt": ("1987-04-09", "FRANKFURT, April 9 - Dealers said the U.S. Currency finished "
                  "the day at 1.8270/80 marks."),
        "c.txt": ("1987-04-07", "TOKYO, April 7 - The dollar changed hands around 145.20/30 yen "
                  "in the afternoon, dealers said."),
        "d.txt": ("1987-04-09", "OTTAWA, April 9 - Analysts said the good trade figures lifted "
                  "the Canadian dollar, which rose to 76.85 U.S. cts in early trading."),
        "e.txt": ("1987-03-13", "LONDON, March 13 - The Bank of England said it bought 100 mln "
                  "stg of paper for resale to the market on March 30, at an interest rate of "
                  "10-7/16 pct."),
        "f.txt": ("1987-03-19", "NEW YORK, March 19 - The refiner said it raised its fuel oil "
                  "postings by one dlr. Heavy fuel is now 14.75 dlrs a barrel."),
    })  # fmt: skip
    # each a two-way price read as its bid, against FRED's monthly means, March to May 1987:
    # francs 5.9748-6.1091, yen 140.479-151.433
    for quote, says in (("6.0640/70 francs", "monthly values for FRF 1987-03..1987-05"),
                        ("around 145.20/30 yen", "range 140.479-151.433")):  # fmt: skip
        outcome, checks, _ = found[quote]
        assert outcome == "consistent", (quote, checks)
        assert says in checks[0][6], (quote, checks)
    # "the U.S. Currency" is the dollar, no company: marks 1.7881-1.8355
    outcome, checks, _ = found["1.8270/80 marks"]
    assert outcome == "consistent", checks
    assert "monthly values for DEM 1987-03..1987-05 range 1.7881-1.8355" in checks[0][6], checks
    # the Canadian dollar's price in U.S. cents, in a story of trade: 0.745657-0.758035 US$
    outcome, checks, _ = found["76.85 U.S. cts"]
    assert outcome == "consistent", checks
    assert "metric exchange_rate from a currency named before it" in checks[0][6], checks
    assert "monthly values for CAD 1987-03..1987-05 range 0.745657-0.758035" in checks[0][6]
    # paper bought for resale is a money-market rate, never Bank Rate (10.375 then)
    outcome, checks, _ = found["10-7/16 pct"]
    assert outcome == "no-reference", checks
    assert "a money-market or bill rate" in checks[0][6], checks
    # heavy fuel is an oil product: never WTI's 18.39-18.94 of that week
    outcome, checks, _ = found["14.75 dlrs"]
    assert outcome == "no-reference", checks
    assert "an oil product's price, or a posted one: never a benchmark's" in checks[0][6], checks


def test_a_cross_rate_per_100_of_the_currency_before_it_is_one_units(folder: Path) -> None:
    found = checked(folder, "per-100", {
        "a.txt": ("1987-04-07", "PARIS, April 7 - Dealers said the mark was quoted at a late "
                  "332.69/71 francs per 100 in quiet trading."),
        "b.txt": ("1987-04-09", "FRANKFURT, April 9 - The yen firmed to 1.2570/90 marks per 100, "
                  "dealers said."),
        "c.txt": ("1987-04-09", "LONDON, April 9 - Exporters were paid 150 francs per 100 kilos."),
        "d.txt": ("1987-04-27", "FRANKFURT, April 27 - In January the news sent the franc to its "
                  "then-permitted floor of 31.8850 marks per 100."),
        "e.txt": ("1987-03-27", "AMSTERDAM, March 27 - In the EMS the mark is allowed to "
                  "fluctuate against the guilder between 110.1675 and 115.235 guilders per 100."),
    })  # fmt: skip
    # FRED's francs per US$ over its marks per US$, March to May 1987: 3.3283, 3.3292, 3.3414
    outcome, checks, _ = found["332.69/71 francs"]
    assert outcome == "consistent", checks
    assert "metric exchange_rate from a price per 100 of the currency before it" in checks[0][6]
    assert "a cross rate, FRF per US$ over DEM per US$" in checks[0][6], checks
    assert "monthly values for FRF/DEM 1987-03..1987-05 range 3.3283-3.34142" in checks[0][6]
    # marks per US$ over yen per US$: 0.012121-0.012729 a yen
    outcome, checks, _ = found["1.2570/90 marks"]
    assert outcome == "consistent", checks
    assert "a cross rate, DEM per US$ over JPY per US$" in checks[0][6], checks
    assert "monthly values for DEM/JPY 1987-03..1987-05 range 0.0121209-0.0127286" in checks[0][6]
    # a price per 100 kilos is no cross rate
    outcome, checks, _ = found["150 francs"]
    assert outcome == "no-reference", checks
    # an EMS band's floor is a limit, not where the franc stood (0.2993-0.3005 a franc)
    outcome, checks, _ = found["31.8850 marks"]
    assert outcome == "forecast", checks
    assert "forecast words (market_level)" in checks[0][6], checks
    # so is the band's range, whatever the fixings inside it
    outcome, checks, _ = found["between 110.1675 and 115.235 guilders"]
    assert outcome == "forecast", checks
