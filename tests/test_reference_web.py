"""The official statistics in the browser: the reference page (provenance, licence, attribution),
the chart of one subject's official series with its claims as dots, and the reference databases
served beside the ledger, faceted by subject code. A ledger built as a user builds it (ingest,
check), served as `ledger serve` serves it; the pack beside it is built once for the module."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import unquote

import pytest
import sqlite_utils
from click.testing import CliRunner

from ledger.cli import cli
from ledger.refdata.pack import ensure_pack
from ledger.serve import build_datasette
from ledger.web.metadata import load_references
from tests.test_official import checked
from tests.test_web import get

STORIES = {
    "a.txt": ("2005-01-25", "China's economy grew by 9.5% in 2004."),
    "b.txt": ("2006-01-25", "China's economy grew 10.4% in 2005, the statistics bureau said."),
    "c.txt": ("2005-02-16", "Japan's economy grew 2.6% in 2004."),
    "d.txt": (
        "2004-10-22",
        "Britain's economy grew 0.5 percent in the third quarter of 2004, the Office for "
        "National Statistics said.",
    ),
}


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """claims.db ingested from three stories and checked, the pack built beside it."""
    folder = tmp_path_factory.mktemp("reference-web")
    ensure_pack(folder / "claims.db")
    checked(folder, "claims", STORIES)
    return folder / "claims.db"


def options(page: str) -> list[str]:
    """The subject choices of a chart page, as shown."""
    choices = re.search(r'<select name="subject">(.*?)</select>', page, re.S)
    assert choices is not None
    return re.findall(r"<option [^>]*>([^<]*)</option>", choices[1])


def test_the_chart_draws_the_most_claimed_subject_with_its_official_line(ledger: Path) -> None:
    datasette = build_datasette(ledger, None)
    page = get(datasette, "/-/ledger/chart/claims?metric=gdp_growth").text
    # one subject at a time: China (2 claims) before Japan (1), then those only the data cover
    shown = options(page)
    assert shown[:3] == [
        "all subjects (no official series)",
        "CHN China (2 claims)",
        "JPN Japan (1 claim)",
    ]
    assert "DEU Germany (0 claims)" in shown and "EMU euro area (0 claims)" in shown
    assert '<option value="CHN" selected>' in page
    assert page.count("<circle") == 2  # China's two claims, not Japan's
    assert '<g class="official"><title>World Bank, World Development Indicators' in page
    points = re.search(r'<polyline points="([^"]+)"', page)
    assert points is not None and len(points[1].split()) == 65  # 1961-2025, a point a year
    assert "with no date are left out" not in page
    assert "vintage 2026-07-01; CC-BY-4.0 (65 annual values" in page


def test_the_chart_draws_a_chosen_subject_or_all_without_a_line(ledger: Path) -> None:
    datasette = build_datasette(ledger, None)
    japan = get(datasette, "/-/ledger/chart/claims?metric=gdp_growth&subject=JPN").text
    assert '<option value="JPN" selected>' in japan and japan.count("<circle") == 1
    assert "<polyline" in japan
    germany = get(datasette, "/-/ledger/chart/claims?metric=gdp_growth&subject=DEU").text
    assert "<polyline" in germany and germany.count("<circle") == 0  # the series alone
    everyone = get(datasette, "/-/ledger/chart/claims?metric=gdp_growth&subject=").text
    assert "<polyline" not in everyone and everyone.count("<circle") == 3
    assert "Choose a subject to draw its official series." in everyone
    nowhere = get(datasette, "/-/ledger/chart/claims?metric=gdp_growth&subject=XXX").text
    assert "No official series of this metric for XXX." in nowhere


def test_the_charts_series_links_to_its_values_and_their_provenance(ledger: Path) -> None:
    datasette = build_datasette(ledger, None)
    page = get(datasette, "/-/ledger/chart/claims?metric=gdp_growth&subject=CHN").text
    link = re.search(r'<a href="([^"]+)">browse them</a>', page)
    assert link is not None
    url = unquote(link[1].replace("&amp;", "&"))
    assert url == (
        "/reference-pack/official_references?dataset=wb-wdi&indicator=NY.GDP.MKTP.KD.ZG"
        "&subject=CHN&frequency=A"
    )
    values = get(datasette, url.replace("official_references?", "official_references.json?"))
    assert values.status_code == 200
    rows = values.json()["rows"]
    assert {row[5] for row in rows} == {"CHN"} and len(rows) == 65
    assert '<a href="/-/ledger/official/claims">provenance and licences</a>' in page


def test_the_reference_page_gives_provenance_licence_and_attribution(ledger: Path) -> None:
    datasette = build_datasette(ledger, None)
    page = get(datasette, "/-/ledger/official/claims").text
    assert '<h2><a href="/reference-pack">reference-pack.db</a></h2>' in page
    wdi = re.search(r'<tr id="wb-wdi">(.*?)</tr>', page, re.S)
    assert wdi is not None
    row = wdi[1]
    assert '<a href="/reference-pack/official_references?dataset=wb-wdi">wb-wdi</a>' in row
    assert "<td>World Bank</td><td>World Development Indicators</td><td>2026-07-01</td>" in row
    assert (
        '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license noopener" '
        'title="Creative Commons Attribution 4.0 International">CC-BY-4.0</a>'
    ) in row
    assert "World Bank, World Development Indicators (2026-07-01), CC-BY-4.0" in row
    assert "158,140" in row  # values
    ons = re.search(r'<tr id="ons-mm23">(.*?)</tr>', page, re.S)
    assert ons is not None and "Open Government Licence v3.0" in ons[1]
    # reached from every page's menu
    assert '/-/ledger/official/claims">Official statistics' in get(datasette, "/").text


def test_the_reference_page_names_an_imported_dataset_with_no_licence(
    ledger: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "claims.db"
    copy.write_bytes(ledger.read_bytes())
    (tmp_path / "reference-pack.db").symlink_to(ledger.parent / "reference-pack.db")
    weo = tmp_path / "weo"
    weo.mkdir()
    (weo / "ddf--concepts--continuous.csv").write_text(
        "concept,weo_subject_code,subject_descriptor,subject_notes,unit,scale\n"
        "ngdp_rpch,NGDP_RPCH,Gross domestic product,GDP growth,Percent change,\n",
        encoding="utf-8",
    )
    (weo / "ddf--datapoints--ngdp_rpch--by--country--year.csv").write_text(
        "country,year,ngdp_rpch\nchn,2004,10.1\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli, ["reference", "import", "weo", str(weo), "--vintage", "2019-04", "--db", str(copy)]
    )
    assert result.exit_code == 0, result.output
    datasette = build_datasette(copy, None)
    page = get(datasette, "/-/ledger/official/claims").text
    assert '<h2><a href="/references">references.db</a></h2>' in page
    weo_row = re.search(r'<tr id="imf-weo-2019-04">(.*?)</tr>', page, re.S)
    assert weo_row is not None
    assert '<td class="ledger-licence">no licence stated</td>' in weo_row[1]
    assert "International Monetary Fund, World Economic Outlook (2019-04), no licence" in weo_row[1]
    served = get(datasette, "/references/official_references.json?subject=CHN").json()
    assert served["rows"][0][8] == 10.1


def test_the_reference_databases_are_described_and_facet_by_subject_code(ledger: Path) -> None:
    site = load_references()
    db = sqlite_utils.Database(ledger.parent / "reference-pack.db")
    for name in db.table_names() + db.view_names():
        assert name in site.tables, f"{name} has no description in reference_metadata.toml"
        missing = [c.name for c in db[name].columns if c.name not in site.tables[name].columns]
        assert not missing, f"{name}: undescribed columns {missing}"
    datasette = build_datasette(ledger, None)
    page = get(datasette, "/reference-pack/official_references?dataset=wb-wdi").text
    assert "Every official value with everything needed to cite it." in page
    # a facet over all 158,140 values may pass Datasette's 200 ms on a busy machine; one
    # indicator's is always quick
    facets = get(
        datasette,
        "/reference-pack/official_references.json?indicator=NY.GDP.MKTP.KD.ZG&_facet=subject",
    ).json()["facet_results"]
    counts = {row["value"]: row["count"] for row in facets["subject"]["results"]}
    assert len(counts) == 20 and counts["CHN"] == 65
    china = get(datasette, "/reference-pack/ref_values.json?_facet=subject&subject=CHN").json()
    assert china["facet_results"]["subject"]["results"][0]["value"] == "CHN"
    # read-only: no write reaches the pack
    with sqlite3.connect(ledger.parent / "reference-pack.db") as connection:
        before = connection.execute("select count(*) from ref_values").fetchone()
    response = get(datasette, "/reference-pack?sql=delete+from+ref_values")
    assert response.status_code in (400, 403)
    with sqlite3.connect(ledger.parent / "reference-pack.db") as connection:
        assert connection.execute("select count(*) from ref_values").fetchone() == before


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_choosing_a_subject_and_following_the_series_in_chromium(ledger: Path) -> None:
    """Through `ledger serve`, in a browser: the chart's subject chosen on the page, its line and
    dots drawn, the line's values and the reference page one click away."""
    from made_up_ledger import served
    from playwright.sync_api import sync_playwright
    from test_browser import ARTIFACTS, BROWSER_ARGS

    with served(ledger) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1000})
            page.goto(f"{base}/-/ledger/chart/claims?metric=gdp_growth")
            assert page.locator("select[name=subject]").input_value() == "CHN"
            page.locator("select[name=subject]").select_option("JPN")
            page.click("button[type=submit]")
            page.wait_for_url(re.compile(r".*subject=JPN.*"))
            assert page.locator("svg.ledger-chart g.claim circle").count() == 1
            assert page.locator("svg.ledger-chart g.official polyline").is_visible()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "chart-official-series.png"), full_page=True)
            page.click("text=browse them")
            page.wait_for_url(re.compile(r".*/reference-pack/official_references\?.*"))
            subjects = page.locator("table.rows-and-columns td.col-subject")
            assert subjects.count() == 65 and set(subjects.all_inner_texts()) == {"JPN"}
            assert page.locator("#facet-subject").is_visible()  # faceted by subject code
            page.goto(f"{base}/-/ledger/chart/claims?metric=gdp_growth")
            page.click("figcaption >> text=provenance and licences")
            licence = page.locator("#wb-wdi .ledger-licence a")
            assert licence.inner_text() == "CC-BY-4.0"
            page.click("#wb-wdi td:first-child a")
            page.wait_for_url(re.compile(r".*/reference-pack/official_references\?dataset=wb-wdi"))
            assert "158,140 rows" in page.inner_text("h3")
        finally:
            browser.close()


def test_a_claim_no_official_check_read_is_charted_by_its_subjects_code(ledger: Path) -> None:
    """The seeds' R&D figures (yuan, and a growth rate) meet no official series, so no check
    gives them a subject code: the chart takes it from the rule data (China -> CHN)."""
    db = ledger.parent / "seeds.db"
    sources = Path(__file__).resolve().parent.parent / "sources"
    for args in (["ingest", str(sources)], ["check"]):
        result = CliRunner().invoke(cli, [*args, "--db", str(db)])
        assert result.exit_code == 0, result.output
    datasette = build_datasette(db, None)
    page = get(datasette, "/-/ledger/chart/seeds?metric=rd_spending&unit=CNY").text
    assert options(page)[1] == "CHN China (2 claims)"  # both units' claims counted
    assert '<option value="CHN" selected>' in page
    assert page.count("<circle") == 1  # the yuan figure, in this unit
    assert "exceeded 3.3 trillion yuan" in page
    everyone = get(datasette, "/-/ledger/chart/seeds?metric=rd_spending&unit=CNY&subject=").text
    assert everyone.count("<circle") == page.count("<circle")


def test_ledger_serve_builds_the_pack_it_serves_unless_told_not_to(
    ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ledger import serve

    served: list[list[str]] = []
    monkeypatch.setattr(
        serve, "run", lambda datasette, **_: served.append(list(datasette.databases))
    )
    copy = tmp_path / "claims.db"
    copy.write_bytes(ledger.read_bytes())
    runner = CliRunner()
    result = runner.invoke(cli, ["serve", "--db", str(copy), "--no-pack", "--port", "8799"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "reference-pack.db").exists() and "reference-pack" not in served[-1]
    result = runner.invoke(cli, ["serve", "--db", str(copy), "--port", "8799"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "reference-pack.db").is_file() and "reference-pack" in served[-1]
    missing = runner.invoke(cli, ["serve", "--db", str(tmp_path / "nope.db"), "--port", "8799"])
    assert missing.exit_code == 1 and "no ledger at" in missing.output
    assert not (tmp_path / "nope.db").exists()


def test_a_quarters_figure_is_drawn_over_the_quarterly_series(ledger: Path) -> None:
    """UK quarterly growth is measured by a series computed from ONS ABMI's levels: drawn a
    point a quarter, said to be computed, with no stored values to browse."""
    datasette = build_datasette(ledger, None)
    page = get(datasette, "/-/ledger/chart/claims?metric=gdp_growth_quarterly").text
    assert '<option value="GBR" selected>' in page and page.count("<circle") == 1
    caption = re.search(r'<span class="ledger-series">(.*?)</span>', page, re.S)
    assert caption is not None
    assert "ABMI" in caption[1] and "quarterly values, computed from its level series" in caption[1]
    assert "browse them" not in caption[1]
    points = re.search(r'<polyline points="([^"]+)"', page)
    assert points is not None and len(points[1].split()) > 250  # 1955-Q2 to 2024-Q3
