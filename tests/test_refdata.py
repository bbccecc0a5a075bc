"""Importing official statistics: every format of ../shared/reference-data, idempotent, streamed,
and ugly input refused with one line; the default pack built beside the ledger."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli import cli
from ledger.refdata import pack
from ledger.refdata.formats import ReferenceDataError, detect
from ledger.refdata.store import import_paths

SHARED = Path(os.environ.get("LEDGER_SHARED", Path(__file__).resolve().parents[2] / "shared"))
REFERENCE_DATA = SHARED / "reference-data"


def shared() -> Path:
    if not REFERENCE_DATA.is_dir():
        pytest.skip(f"no official-statistics folder at {REFERENCE_DATA} (set LEDGER_SHARED)")
    return REFERENCE_DATA


def value(db: Path, dataset: str, indicator: str, subject: str, period: str) -> float:
    with sqlite3.connect(db) as connection:
        row = connection.execute(
            "select value from ref_values where dataset = ? and indicator = ? and subject = ? "
            "and period = ?",
            [dataset, indicator, subject, period],
        ).fetchone()
    assert row is not None, (dataset, indicator, subject, period)
    return float(row[0])


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole shared folder imported once, through the command a user types."""
    folder = shared()
    db = tmp_path_factory.mktemp("refs") / "references.db"
    result = CliRunner().invoke(
        cli, ["reference", "import", "auto", str(folder), "--references-db", str(db)]
    )
    assert result.exit_code == 0, result.output
    assert "56 file(s): 56 imported, 0 unchanged" in result.output
    return db


def test_every_format_reads_the_published_values(imported: Path) -> None:
    # SOURCES.md's sanity checks, each through its own importer
    assert value(imported, "wb-wdi", "NY.GDP.MKTP.KD.ZG", "CHN", "2004") == pytest.approx(
        10.14, 0.001
    )
    assert value(imported, "imf-weo-2019-04", "NGDP_RPCH", "CHN", "2004") == 10.1
    assert value(imported, "imf-weo-2019-04", "LP", "JPN", "2004") == pytest.approx(127.734e6)
    assert value(imported, "wb-wdi", "SP.POP.TOTL", "JPN", "2004") == 127761000
    # FRED: foreign currency per US$, EUR and GBP too
    assert value(imported, "fred-exchange-rates", "FRED:EXCH", "EUR", "2004") == 0.804
    assert value(imported, "fred-exchange-rates", "FRED:EXCH", "DEM", "1987-01") == 1.8596
    assert value(imported, "eia-spot-prices", "EIA:RWTC", "WTI", "2004") == 41.51
    assert value(imported, "eia-spot-prices", "EIA:RBRTE", "BRENT", "2005") == 54.57
    assert value(imported, "boe-bank-rate", "BOE:BANKRATE", "GBR", "2004-08-05") == 4.75
    assert value(imported, "ons-mm23", "ONS:CDSI", "GBR", "2004") == 3.0
    assert value(imported, "ons-qna", "ONS:ABMI", "GBR", "2024-Q3") > 5e11  # £m scaled to £
    assert value(imported, "bls-cpi", "BLS:CUUR0000SA0:AVG", "USA", "2005") == pytest.approx(
        3.39, abs=0.01
    )
    assert value(imported, "bls-cpi", "BLS:CUUR0000SA0:DEC", "USA", "2005") == pytest.approx(
        3.42, abs=0.01
    )
    assert value(imported, "bls-cps", "BLS:LNU04000000", "USA", "2004") == 5.5
    millennium = value(imported, "boe-millennium", "BOEM:unemployment-rate", "GBR", "2004")
    assert millennium == pytest.approx(4.754, 0.001)


def test_every_other_file_of_the_folder_has_an_importer(imported: Path) -> None:
    """The formats the pack does not use: each file of the shared folder that holds data."""
    # World Bank Pink Sheet workbooks (.xlsx named .xls): nominal monthly and annual, real annual
    assert value(imported, "wb-pink-sheet", "CMO:CRUDE_OIL_BRENT", "BRENT", "2004") == 38.3
    assert value(imported, "wb-pink-sheet", "CMO:CRUDE_OIL_BRENT", "BRENT", "2004-10") == 49.8
    assert value(imported, "wb-pink-sheet", "CMO:GOLD:REAL2010", "GOLD", "2004") == 481.0
    # data packages: gold prices, gilt and Treasury yields, BP (its 2019 level, not its share)
    assert value(imported, "gold-prices", "GOLD:USD", "GOLD", "1833") == 18.93
    assert value(imported, "bond-yields-uk-10y", "BOE:IUQAMNPY", "GBR", "2004-Q3") == 5.0088
    assert value(imported, "bond-yields-us-10y", "FED:RIFLGFCY10_N.M", "USA", "2004-01") == 4.15
    bp = "bp-statistical-review-world-energy"
    assert value(imported, bp, "BP:OIL_PRODUCTION", "WLD", "2019") == pytest.approx(95_192_450)
    assert value(imported, bp, "BP:OIL_SPOT", "BRENT", "2019") == 64.2106
    assert value(imported, "cpi-uk", "cpi-uk:inflation-uk:Inflation", "GBR", "2004") == 3.0
    # the Fed's own download, OWID, CSET, the BoE's own Bank Rate table, BLS's text table
    assert value(imported, "fed-h15", "FED:RIFLGFCY10_N.M", "USA", "2004-01") == 4.15
    owid = "owid-annual-number-of-objects-launched-into-outer-space"
    assert value(imported, owid, "OWID:annual-number-of-objects-launched-into-outer-space",
                 "CHN", "2023") == 128  # fmt: skip
    assert value(imported, "cset-eto-supply-chain", "ETO:S1", "USA", "2021") == 61
    assert value(imported, "boe-bank-rate", "BOE:BANKRATE", "GBR", "1694-10-01") == 6
    assert value(imported, "bls-cps", "BLS:LNU04000000", "USA", "1940") == 14.6
    with sqlite3.connect(imported) as connection:
        licences = dict(connection.execute("select id, licence from datasets"))
        files = {Path(path).name for (path,) in connection.execute("select path from imports")}
        vintages = dict(connection.execute("select id, vintage from datasets"))
    # stated by the file (WEO's notes, ONS's release date), else the shared folder's
    # MANIFEST.json: when the upstream repository last wrote the newest of the dataset's files
    assert vintages["imf-weo-2019-04"] == "2019-04" and vintages["ons-qna"] == "2024-12-23"
    assert vintages["wb-wdi"] == "2026-07-01" and vintages["eia-spot-prices"] == "2026-08-20"
    assert vintages["bls-cps"] == "2025-04-04"  # the CSV, not the 2013 text table
    assert licences["cset-eto-supply-chain"] == "CC-BY-NC-4.0"
    assert licences[bp] == "BP Statistical Review — free to use with attribution"
    assert licences[owid] is None  # its repository states none
    assert {"monthly.xls", "annual.xls", "h15-m.csv", "data.original.csv", "aat1.txt"} <= files


def test_each_value_keeps_its_provenance(imported: Path) -> None:
    with sqlite3.connect(imported) as connection:
        connection.row_factory = sqlite3.Row
        row = connection.execute(
            "select * from official_references where indicator = 'NGDP_RPCH' and subject = 'CHN' "
            "and period = '2020'"
        ).fetchone()
        weo = dict(row)
    assert weo["publisher"] == "International Monetary Fund"
    assert weo["vintage"] == "2019-04"  # from the notes' "Data last updated" months
    assert weo["status"] == "estimate"  # 2020 was a projection in April 2019
    assert weo["frequency"] == "A" and weo["unit"] == "percent" and weo["licence"] is None
    assert weo["indicator_name"].startswith("Gross domestic product, constant prices")
    with sqlite3.connect(imported) as connection:
        licences = dict(connection.execute("select id, licence from datasets"))
    assert licences["wb-wdi"] == "CC-BY-4.0"
    assert licences["fred-exchange-rates"] == "PDDL-1.0"
    assert licences["boe-millennium"] == "OGL-UK-3.0"


def test_importing_again_changes_nothing(imported: Path) -> None:
    def snapshot() -> tuple:
        with sqlite3.connect(imported) as connection:
            return (
                connection.execute("select count(*), sum(value) from ref_values").fetchone(),
                connection.execute("select * from datasets order by id").fetchall(),
            )

    before = snapshot()
    summary = import_paths(imported, "auto", [shared()])
    assert [f.skipped for f in summary.files] == [True] * 56
    # a file whose bytes were not recorded (say, imported under another path) is read again,
    # and replaces its rows with themselves
    with sqlite3.connect(imported) as connection:
        connection.execute("delete from imports")
    assert import_paths(imported, "auto", [shared()]).files[0].rows > 0
    assert snapshot()[0] == before[0]


def wdi_file(folder: Path, rows: str, code: str = "ny.gdp.mktp.kd.zg") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    package = {"title": "GDP growth (annual %)", "worldbank": {"indicator": code},
               "licenses": [{"name": "CC-BY-4.0"}]}  # fmt: skip
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    (folder / "data.csv").write_text("Country Name,Country Code,Year,Value\n" + rows, "utf-8")
    return folder / "data.csv"


def test_a_newer_wdi_file_loads_the_same_way_and_updates(tmp_path: Path) -> None:
    db = tmp_path / "references.db"
    first = wdi_file(tmp_path / "old", "China,CHN,2004,10.1\nChina,CHN,2005,11.3\n")
    runner = CliRunner()
    result = runner.invoke(
        cli, ["reference", "import", "wdi", str(first), "--references-db", str(db)]
    )
    assert result.exit_code == 0, result.output
    newer = wdi_file(
        tmp_path / "new", "China,CHN,2004,10.14\nChina,CHN,2005,,\nChina,CHN,2006,12.7\n"
    )
    args = [
        "reference",
        "import",
        "wdi",
        str(newer),
        "--references-db",
        str(db),
        "--vintage",
        "2026-07",
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert value(db, "wb-wdi", "NY.GDP.MKTP.KD.ZG", "CHN", "2004") == 10.14
    assert value(db, "wb-wdi", "NY.GDP.MKTP.KD.ZG", "CHN", "2006") == 12.7
    with sqlite3.connect(db) as connection:
        assert connection.execute("select vintage from datasets").fetchone() == ("2026-07",)


@pytest.mark.parametrize(
    "fmt,content,message",
    [
        ("wdi", "Year,Value\n2004,1\n", "not this format (no column 'Country Code')"),
        ("fred", "Date,Country\n", "not this format (no column 'Exchange rate')"),
        ("ons", "just,some\ncsv,text\n", "not an ONS time-series CSV"),
        ("bls", "\x00\x01binary", "not a BLS file this importer knows"),
        ("auto", "a,b\n1,2\n", "not a format this importer knows"),
    ],
)
def test_ugly_input_is_one_line_and_writes_nothing(
    tmp_path: Path, fmt: str, content: str, message: str
) -> None:
    good = wdi_file(tmp_path / "good", "China,CHN,2004,10.1\n")
    bad = tmp_path / "bad" / "data.csv"
    bad.parent.mkdir()
    bad.write_text(content, encoding="utf-8")
    if fmt == "wdi":
        (bad.parent / "datapackage.json").write_text('{"name": "x.y"}', encoding="utf-8")
    db = tmp_path / "references.db"
    args = ["reference", "import", fmt, str(good) if fmt == "wdi" else str(bad), str(bad)]
    result = CliRunner().invoke(cli, [*args, "--references-db", str(db)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not db.exists()  # the good file named first was not written either, nor the database


def test_a_missing_path_or_unknown_format_is_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["reference", "import", "wdi", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1 and "no such file or folder" in result.output
    result = runner.invoke(cli, ["reference", "import", "xls", str(tmp_path)])
    assert result.exit_code == 2 and "Invalid value for 'FORMAT'" in result.output
    with pytest.raises(ReferenceDataError, match="unknown format"):
        import_paths(tmp_path / "r.db", "xls", [tmp_path])


def test_detect_names_each_shared_format() -> None:
    folder = shared()
    assert detect(folder / "worldbank-wdi/indicators/sp.pop.totl/data.csv") == "wdi"
    assert detect(folder / "imf-weo-2019apr/ddf--concepts--continuous.csv") == "weo"
    assert detect(folder / "fred-exchange-rates/data/monthly.csv") == "fred"
    assert detect(folder / "eia-oil-prices/data/wti-daily.csv") == "eia"
    assert detect(folder / "boe-bank-rate/data/data.csv") == "boe-bank-rate"
    assert detect(folder / "ons-uk-rpi/cache/inflation-uk.csv") == "ons"
    assert detect(folder / "bls-us-employment/data/aat1.csv") == "bls"
    assert detect(folder / "worldbank-pink-sheet/cache/monthly.xls") == "pink-sheet"
    assert detect(folder / "worldbank-pink-sheet/data/monthly.csv") == "datapackage"
    assert detect(folder / "fed-h15-us-10y-treasury-yield/archive/h15-m.csv") == "fed-ddp"
    assert detect(folder / "boe-bank-rate/archive/data.original.csv") == "boe-bank-rate"
    assert detect(folder / "bls-us-employment/archive/aat1.txt") == "bls"
    assert detect(folder / "cset-eto-semiconductor-supply-chain/data/provision.csv") == "cset"
    # a DDF folder is read whole, from its concepts file; descriptions are not data
    assert detect(folder / "imf-weo-2019apr/ddf--datapoints--lp--by--country--year.csv") is None
    assert detect(folder / "cset-eto-semiconductor-supply-chain/data/stages.csv") is None


def test_the_shipped_pack_holds_only_redistributable_data() -> None:
    values, provenance = pack.shipped_files()
    shipped = json.loads(provenance.read_text("utf-8"))
    licences = {dataset["id"]: dataset["licence"] for dataset in shipped["datasets"]}
    assert set(licences.values()) <= {"CC-BY-4.0", "PDDL-1.0", "OGL-UK-3.0"}
    assert "imf-weo-2019-04" not in licences  # no licence stated: users import it themselves
    assert {"wb-wdi", "fred-exchange-rates", "eia-spot-prices", "boe-bank-rate"} <= set(licences)
    assert values.stat().st_size < 2_000_000


def test_the_pack_build_refuses_a_licence_it_may_not_ship(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = shared()
    settings = pack.pack_settings()
    settings["file"] = [{"format": "weo", "paths": ["imf-weo-2019apr"]}]
    monkeypatch.setattr(pack, "pack_settings", lambda: settings)
    with pytest.raises(ReferenceDataError, match="licence None is not one the pack may ship"):
        pack.build_pack_files(folder, tmp_path)


def test_rebuilding_the_pack_gives_the_shipped_bytes(tmp_path: Path) -> None:
    count, datasets = pack.build_pack_files(shared(), tmp_path)
    values, provenance = pack.shipped_files()
    assert (tmp_path / pack.VALUES_FILE).read_bytes() == values.read_bytes()
    assert (tmp_path / pack.PROVENANCE_FILE).read_bytes() == provenance.read_bytes()
    assert count > 150_000 and "wb-wdi" in datasets


def test_the_pack_is_built_beside_the_ledger_once(tmp_path: Path) -> None:
    ledger = tmp_path / "claims.db"
    built = pack.ensure_pack(ledger)
    assert built == tmp_path / "reference-pack.db"
    stamp = built.stat().st_mtime_ns
    assert pack.ensure_pack(ledger).stat().st_mtime_ns == stamp  # current: left alone
    with sqlite3.connect(built) as connection:
        connection.execute("update pack set sha256 = 'stale'")
    pack.ensure_pack(ledger)
    with sqlite3.connect(built) as connection:
        assert connection.execute("select sha256 from pack").fetchone() != ("stale",)
        assert connection.execute("select count(*) from ref_values").fetchone()[0] > 150_000
    assert not list(tmp_path.glob(".reference-pack-*"))  # no scratch file left behind


def test_reference_datasets_lists_provenance(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["reference", "datasets", "--db", str(tmp_path / "claims.db")])
    assert result.exit_code == 0, result.output
    assert "wb-wdi" in result.output and "CC-BY-4.0" in result.output
    assert "World Bank: World Development Indicators" in result.output
