"""The extractor on the five seed articles and on ugly input (issue 2)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from shared_corpora import corpus_path

from ledger import extract
from ledger.extraction import EXTRACTOR_VERSION, extract_with_report
from ledger.models import Claim
from ledger.rules import Rules

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
    # the bracketed correction is the Global Times' own, not Foreign Policy's
    assert fields(c["exceeded 900"], *F) == (
        900.0,
        "count",
        "satellite",
        "more_than",
        None,
        "satellites",
        "China",
        None,
        None,
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
    6.5 percent      | 6.5    | percent | percent | exact     | increase | gdp_growth_quarterly | China | 2020-Q4 | National Bureau of Statistics
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
        ("three “little giants”", 3.0, "count", "little giant", "exact", None, "other", None, None,
         None),
    ]  # fmt: skip


def test_claims_are_valid_models_in_order_with_version() -> None:
    for prefix in ("000", "003"):
        _, claims = seed(prefix)
        assert [c.start for c in claims] == sorted(c.start for c in claims)
        for claim in claims:
            assert Claim.model_validate(claim.model_dump()) == claim
            assert claim.fingerprint == claim.compute_fingerprint(0)
            assert 0.0 <= claim.checkworthiness <= 1.0
    assert EXTRACTOR_VERSION.count(".") == 2


def test_report_has_no_timeouts_on_seeds() -> None:
    text = (SOURCES / "003_2f87d40cb264a962.txt").read_text(encoding="utf-8")
    report = extract_with_report(text, published=date(2021, 1, 26))
    assert report.timed_out == []
    assert len(report.claims) == 10


# --- ugly input: nothing may crash the extractor or shift an offset -----------------------------


def quotes(text: str, **kwargs: object) -> list[tuple[str, float, str | None]]:
    claims = extract(text, **kwargs)  # type: ignore[arg-type]
    for claim in claims:
        assert text[claim.start : claim.end] == claim.quote
        assert text[claim.sentence_start :].startswith(claim.sentence)
    return [(c.quote, c.value, c.unit) for c in claims]


def test_bom_and_windows_line_ends_keep_offsets() -> None:
    text = "\ufeffChina's R&D spending rose 8.4 percent.\r\nIt has 540 satellites.\r\n"
    claims = extract(text)
    assert [(c.quote, c.sentence, c.sentence_start) for c in claims] == [
        ("8.4 percent", "China's R&D spending rose 8.4 percent.", 1),
        ("540 satellites", "It has 540 satellites.", 41),
    ]


def test_non_breaking_and_thin_spaces_inside_numbers() -> None:
    text = "The plant employs 1\u00a0000 workers, 2\u2009500 robots and 3\u202f000\u202f000 chips."
    assert quotes(text) == [
        ("1\u00a0000 workers", 1000.0, "worker"),
        ("2\u2009500 robots", 2500.0, "robot"),
        ("3\u202f000\u202f000 chips", 3e6, "chip"),
    ]


def test_full_width_digits_and_signs() -> None:
    assert quotes("Exports rose １２％ and the fund raised $３.５bn.") == [
        ("１２％", 12.0, "percent"),
        ("$３.５bn", 3.5e9, "USD"),
    ]


def test_curly_quotes_and_chinese_text_in_parentheses() -> None:
    text = (
        "The plan (十四五规划 – shísìwǔ guīhuà) set aside 5 billion yuan (五十亿元) for chips. "
        "“Output rose 20 per cent,” she said."
    )
    assert quotes(text) == [("5 billion yuan", 5e9, "CNY"), ("20 per cent", 20.0, "percent")]


def test_binary_junk_does_not_crash() -> None:
    junk = "".join(chr(i) for i in range(0, 0x3100, 3)) + "\x00\ufffd\ud7ff 5% \x1b[0m $"
    found = quotes(junk + " Sales rose 7% in 2020. " + junk)
    assert ("7%", 7.0, "percent") in found


def test_empty_and_whitespace_only() -> None:
    assert extract("") == []
    assert extract(" \n\r\n\t\u00a0") == []


def test_navigation_lines_and_captions_give_no_claims() -> None:
    text = (
        "To participate in the discussion\nlog in or register\n"
        "Photo: VCG\n© REUTERS / Damir Sagolj Xi arrives in Beijing, China March 5, 2018.\n"
        "Read more at https://example.com/2024/03/15/story-12345.html or call +86 10 6512 3456."
    )
    assert extract(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "In 1993 the administration acted.",
        "It happened on March 5, 2018.",
        "Xi spoke at WEF 2021 in Davos.",
        "The 20th CPC National Congress met.",
        "China leads in 5G networks.",
        "The economy recovered from COVID-19.",
        "Leaders met at the G20 summit.",
        "They ordered more Boeing 737 jets.",
        "Allies invoked Article 5.",
        "Allies fear a trade war 2.0 now.",
        "Q4 was hard.",
        "The briefing is at 3:30 p.m. today.",
        "Call (202) 555-0143 now.",
        "See https://www.nbcnews.com/world/asia/china-rcna239301 now.",
    ],
)
def test_not_claims(text: str) -> None:
    assert extract(text) == []


def test_the_same_figure_said_again_gets_its_own_fingerprint() -> None:
    text = "Exports rose 5% and imports rose 5%. Exports rose 5% and imports rose 5%."
    claims = extract(text)
    assert len(claims) == 4
    # identical (sentence, claim) pairs are told apart by their occurrence count
    assert [c.fingerprint for c in claims] == [
        c.compute_fingerprint(i) for i, c in enumerate(claims)
    ]
    assert len({c.fingerprint for c in claims}) == 4
    # and a line added above the text changes no fingerprint
    assert [c.fingerprint for c in extract("Photo: VCG\n" + text)] == [
        c.fingerprint for c in claims
    ]


def test_extract_is_pure_and_deterministic() -> None:
    text = (SOURCES / "003_2f87d40cb264a962.txt").read_text(encoding="utf-8")
    first = extract(text, published=date(2021, 1, 26))
    extract("Unrelated: China spent $5bn.", published=date(1999, 1, 1))
    assert extract(text, published=date(2021, 1, 26)) == first


def test_a_rule_that_times_out_is_reported(backtracking_rules: Rules) -> None:
    report = extract_with_report("a" * 300 + " 540 satellites.", rules=backtracking_rules)
    assert report.timed_out == ["metric:slow"]
    assert [(c.quote, c.metric) for c in report.claims] == [("540 satellites", "satellites")]


# --- the CLI -----------------------------------------------------------------------------------


def test_cli_extract_jsonl_names_the_source(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from ledger.cli import cli

    path = tmp_path / "a.txt"
    path.write_bytes(b"Last year, R&D spending exceeded 3.3 trillion yuan.\r\n")
    result = CliRunner().invoke(cli, ["extract", "--published", "2024-12-04", str(path)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["source"], r["quote"], r["value"], r["unit"], r["period"]) for r in rows] == [
        (str(path), "exceeded 3.3 trillion yuan", 3.3e12, "CNY", "2023")
    ]


def test_cli_extract_formats_and_manifest_date(tmp_path: Path) -> None:
    import csv as csv_module
    import io
    import json

    from click.testing import CliRunner

    from ledger.cli import cli

    (tmp_path / "s.txt").write_text("Exports rose 7% last year.", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("file,published\ns.txt,2025-02-10\n", encoding="utf-8")
    runner = CliRunner()
    as_json = json.loads(
        runner.invoke(cli, ["extract", "--format", "json", str(tmp_path / "s.txt")]).output
    )
    assert [(r["quote"], r["period"], r["change"]) for r in as_json] == [("7%", "2024", "increase")]
    out = runner.invoke(cli, ["extract", "--format", "csv", str(tmp_path / "s.txt")]).output
    rows = list(csv_module.DictReader(io.StringIO(out)))
    assert [(r["quote"], r["value"], r["related"]) for r in rows] == [("7%", "7.0", "[]")]
    table = runner.invoke(cli, ["extract", "--format", "table", str(tmp_path / "s.txt")]).output
    assert table.splitlines()[0].split() == [
        "source", "quote", "value", "kind", "unit", "bound", "metric", "subject", "period"
    ]  # fmt: skip
    assert table.splitlines()[1].split() == [
        "s.txt", "7%", "7", "percent", "percent", "exact", "exports", "2024"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00garbage", "binary file (NUL byte at offset 7)"),
        (b"\x81\x8d" + bytes(range(0x80, 0x100)) * 2, "could not be detected"),
        ("folder", "is a folder"),
    ],
)
def test_cli_extract_bad_files_give_one_line_errors(
    tmp_path: Path, content: bytes | str | None, message: str
) -> None:
    from click.testing import CliRunner

    from ledger.cli import cli

    path = tmp_path / "bad.txt"
    if content == "folder":
        path.mkdir()
    elif content is not None:
        assert isinstance(content, bytes)
        path.write_bytes(content)
    result = CliRunner().invoke(cli, ["extract", str(path)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and message in result.output
    bad_date = CliRunner().invoke(cli, ["extract", "--published", "2024-13-01", __file__])
    assert bad_date.exit_code == 2 and "published" in bad_date.output


@pytest.mark.parametrize("fmt", ["jsonl", "table"])
def test_cli_extract_names_each_bad_file_and_reads_the_rest(tmp_path: Path, fmt: str) -> None:
    from click.testing import CliRunner

    from ledger.cli import cli

    (tmp_path / "a.txt").write_text("Exports fell 4% in 2023.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "c.txt").write_text("Imports rose 7% in 2024.\n", encoding="utf-8")
    files = [str(tmp_path / name) for name in ("a.txt", "empty.txt", "missing.txt", "c.txt")]
    result = CliRunner().invoke(cli, ["extract", "--format", fmt, *files])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {files[1]}: empty (no text)",
        f"Error: {files[2]}: no such file or folder",
    ]
    assert "4%" in result.stdout and "7%" in result.stdout  # the files before and after


def corpus_texts(name: str, count: int) -> list[str]:
    """The first `count` texts of a shared corpus (read in place, never copied)."""
    import gzip
    import json

    texts = []
    with gzip.open(corpus_path(name), "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            text = row.get("text") or " ".join(str(row.get(k) or "") for k in ("title", "body"))
            texts.append(text)
            if len(texts) == count:
                break
    return texts


@pytest.mark.parametrize("corpus", ["bbc", "reuters"])
def test_real_news_never_crashes_or_shifts_an_offset(corpus: str) -> None:
    claims_seen = 0
    for text in corpus_texts(corpus, 250):
        report = extract_with_report(text, published=date(2005, 6, 1))
        assert report.timed_out == []
        assert not report.reread  # news never runs past the watchdog's budget
        starts = [c.start for c in report.claims]
        assert starts == sorted(starts)
        for claim in report.claims:
            assert text[claim.start : claim.end] == claim.quote
            assert claim.sentence in text and 0.0 <= claim.checkworthiness <= 1.0
            assert claim.value_high is None or claim.value_high >= claim.value
        claims_seen += len(report.claims)
    assert claims_seen > 500


_PIECES = [
    "3", "3.3", "1,400", "1\u00a0000", "１２", "$", "US$", "HK$", "€", "£", "¥", "%", " per cent",
    " percent", " million", "bn", "m", " trillion", " yuan", " people", " satellites", " over ",
    " some ", " between ", " and ", " to ", "-", "–", " from ", " by ", " rose ", " fell ",
    " in 2020", " last year", " Q4", " March 5, 2018", "COVID-19", " 5G", " two", " half of",
    " a third", " doubled", " China", " said", " according to Reuters", ". ", "\n", "\r\n",
    "\ufeff", '"', "“", "”", "(", ")", " ", "x", "\x00", "\u200b", "自力更生",
]  # fmt: skip


def test_random_news_like_text_keeps_offsets() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=3), max_size=40))
    def check(parts: list[str]) -> None:
        text = "".join(parts)
        report = extract_with_report(text, published=date(2024, 1, 1))
        for claim in report.claims:
            assert text[claim.start : claim.end] == claim.quote
            assert text[claim.sentence_start :].startswith(claim.sentence)
        assert [c.start for c in report.claims] == sorted(c.start for c in report.claims)

    check()


@pytest.mark.parametrize(
    ("text", "attribution", "unit"),
    [
        # "States" is no verb "states": the source verbs are lower-case as written
        ("Intel will invest $20 billion in chip production in the United States.", None, "USD"),
        ("The app has 125 million monthly active users, TikTok said.", "TikTok", "user"),
        ("One sure take-away is that 40% of chips are imported.", None, "percent"),
    ],
)
def test_sources_and_nouns_found_on_real_copy(
    text: str, attribution: str | None, unit: str
) -> None:
    claims = extract(text)
    assert [(c.attribution, c.unit) for c in claims] == [(attribution, unit)]


def test_ratios_are_percentages() -> None:
    text = "Nine in ten households have broadband, and 1 in 4 adults use it for work."
    assert [(c.quote, round(c.value, 6), c.kind) for c in extract(text)] == [
        ("Nine in ten", 90.0, "percent"),
        ("1 in 4", 25.0, "percent"),
    ]
    assert extract("Only 3 in 2020 were built.") == []  # no ratio of a year


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("would amount to about c $ 1.34 a share .", [("about c $ 1.34", 1.34, "CAD")]),
        ("the c $ 300 million charge", [("c $ 300 million", 3e8, "CAD")]),
        ("Vitamin C $5 pills", [("$5", 5.0, "USD")]),  # a capital C is a word, not a prefix
        ("country music ' s $ 500 million man", [("$ 500 million", 5e8, "USD")]),  # possessive
        ("the prize is u.s $ 100,000,000", [("$ 100,000,000", 1e8, "USD")]),
        ("It costs you 10 us dollar.", [("10 us dollar", 10.0, "USD")]),
        ("each block mined is now 6.25 BTC", [("6.25 BTC", 6.25, "BTC")]),
        ("a laptop containing 10000 bitcoins", [("10000 bitcoins", 1e4, "BTC")]),
        ("Supply limit: ₿21,000,000", [("₿21,000,000", 2.1e7, "BTC")]),
    ],
)
def test_currency_spellings_of_wire_copy_and_crypto(
    text: str, expected: list[tuple[str, float, str]]
) -> None:
    assert [(c.quote, c.value, c.unit) for c in extract(text)] == [
        (q, pytest.approx(v), u) for q, v, u in expected
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it only cost 3 dollars 50 cents.", [("3 dollars 50 cents", 3.5)]),
        (
            "cost thirteen dollars and forty-five cents",
            [("thirteen dollars and forty-five cents", 13.45)],
        ),
        ("It costs 15 dollars and 50.", [("15 dollars and 50", 15.5)]),
        ("if they had just 15 USD 50 more", [("15 USD 50", 15.5)]),
        (
            "They lost 75 USD million in three years.",
            [("75 USD million", 7.5e7), ("three years", 3.0)],  # and a duration (issue 14)
        ),
        # the number after "and" is no cents when a noun follows it
        ("He paid 5 dollars and 20 people came.", [("5 dollars", 5.0), ("20 people", 20.0)]),
    ],
)
def test_money_in_two_parts_and_a_late_scale_word(
    text: str, expected: list[tuple[str, float]]
) -> None:
    assert [(c.quote, c.value) for c in extract(text)] == [
        (q, pytest.approx(v)) for q, v in expected
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Shakopee is a 1/4 mile paved oval.", [("1/4 mile", 0.25, "measure", "mi")]),
        ("a walk of 2½ miles", [("2½ miles", 2.5, "measure", "mi")]),
        ("1/3 of voters back him", [("1/3", 100 / 3, "percent", "percent")]),
        ("a 8- to 16-meter telescope", [("8- to 16-meter", 8.0, "measure", "m")]),
        ("the 24/7 news cycle after 9/11 attacks", []),  # names, not fractions
        ("a choke of 11/64 of an inch", []),  # a fraction of a unit is no share
    ],
)
def test_fractions_with_a_slash_or_a_vulgar_sign_and_hyphenated_ranges(
    text: str, expected: list[tuple[str, float, str, str]]
) -> None:
    assert [(c.quote, c.value, c.kind, c.unit) for c in extract(text)] == [
        (q, pytest.approx(v), k, u) for q, v, k, u in expected
    ]
    if "16-meter" in text:
        assert extract(text)[0].value_high == 16.0


def test_a_minus_in_words_makes_the_figure_negative() -> None:
    text = "GDP grew at negative 0.5 percent; it was about minus 20 degrees Celsius."
    assert [(c.quote, c.value, c.bound) for c in extract(text)] == [
        ("negative 0.5 percent", -0.5, "exact"),
        ("about minus 20 degrees Celsius", -20.0, "approx"),
    ]
    # after a noun, minus subtracts: the figure itself stays positive
    assert [(c.quote, c.value) for c in extract("priced at LIBOR minus 6-1/2 pct.")] == [
        ("6-1/2 pct", 6.5)
    ]


def test_unit_symbols_are_not_initials_and_may_stand_before_a_slash() -> None:
    assert extract("The March 2021 C.P.I. forecast is the median estimate.") == []
    assert [(c.quote, c.unit) for c in extract("It hit 30C/86F, and 5%/6% rates.")] == [
        ("30C", "°C"),
        ("5%", "percent"),
        ("6%", "percent"),
    ]


def test_feet_and_inches_are_one_height() -> None:
    text = "He is 6 feet and 2 inches; the wall is 10 feet 2 in the garden."
    assert [(c.quote, round(c.value, 4), c.unit) for c in extract(text)] == [
        ("6 feet and 2 inches", 6.1667, "ft"),
        ("10 feet", 10.0, "ft"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm 1.8m tall.", [("1.8m", 1.8, "m")]),
        ("a 30m-high wall", [("30m", 30.0, "m")]),
        ("The fund is 5m long-term", [("5m", 5e6, None)]),  # a size word, not an idiom
        ("drinking two cups of coffee a day", [("two cups", 2.0, "cup")]),
        (
            "3 tablespoons butter and 1/2 cup olive oil",
            [("3 tablespoons", 3.0, "tbsp"), ("1/2 cup", 0.5, "cup")],
        ),
    ],
)
def test_glued_m_before_a_size_word_is_metres_and_kitchen_measures(
    text: str, expected: list[tuple[str, float, str | None]]
) -> None:
    assert [(c.quote, c.value, c.unit) for c in extract(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The length is 12 m 2 dm", [("12 m", 12.0, "m"), ("2 dm", 2.0, "dm")]),
        ("a 12 m long bridge", [("12 m", 12.0, "m")]),
        ("It has 12 m users", [("12 m users", 1.2e7, "user")]),  # m before a plural: million
        ("a 12 m euros deal", [("12 m euros", 1.2e7, "EUR")]),
        ("It cost £12 m.", [("£12 m", 1.2e7, "GBP")]),  # m after a currency symbol: million
        ("raised $774m", [("$774m", 7.74e8, "USD")]),
    ],
)
def test_a_spaced_m_is_metres_unless_money_or_a_plural_follows(
    text: str, expected: list[tuple[str, float, str]]
) -> None:
    assert [(c.quote, c.value, c.unit) for c in extract(text)] == expected


def test_an_exchange_rate_to_one_unit_lends_no_currency() -> None:
    text = "It fixed the rate at 35 to one U.S. Dollar."
    assert [(c.quote, c.value, c.unit) for c in extract(text)] == [("one U.S. Dollar", 1.0, "USD")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("placed in orbit a 1,850 pound satellite", [("1,850 pound", 1850.0, "lb")]),
        ("based on 48,000 pound lots of corn syrup", [("48,000 pound", 48000.0, "lb")]),
        ("a 20-pound note", [("20-pound", 20.0, "GBP")]),
        ("a 5 million pound deal", [("5 million pound", 5e6, "GBP")]),
        (
            "one euro worth 0.85 pounds, one pound buying",
            [("one euro", 1.0, "EUR"), ("0.85 pounds", 0.85, "GBP"), ("one pound", 1.0, "GBP")],
        ),
    ],
)
def test_pound_in_the_singular_is_a_weight_unless_money_is_near(
    text: str, expected: list[tuple[str, float, str]]
) -> None:
    assert [(c.quote, c.value, c.unit) for c in extract(text)] == expected
