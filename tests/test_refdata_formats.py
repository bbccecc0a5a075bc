"""The importers of the formats the default pack does not use, on small files written here as
each publisher writes them: any Frictionless data package (gilt yields, BP), the Pink Sheet
workbook, the Fed's Data Download CSV, OWID's grapher CSV, CSET's ETO tables, the Bank of
England's own Bank Rate table and BLS's text table. Each through `ledger reference import`, each
idempotent; ugly input is one line and writes nothing. tests/test_refdata.py reads the real
files of the shared folder."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli import cli
from ledger.refdata.formats import detect


def imported(db: Path, fmt: str, *paths: Path) -> str:
    result = CliRunner().invoke(
        cli, ["reference", "import", fmt, *map(str, paths), "--references-db", str(db)]
    )
    assert result.exit_code == 0, result.output
    return result.output


def rows(db: Path, sql: str, *args: object) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, args).fetchall()


def snapshot(db: Path) -> tuple:
    return (
        rows(db, "select * from ref_values order by 1, 2, 3, 4, 5"),
        rows(db, "select * from indicators order by 1, 2"),
        rows(db, "select id, publisher, title, licence, url, vintage from datasets order by 1"),
    )


def imported_twice(db: Path, fmt: str, *paths: Path) -> None:
    """Importing again changes nothing: skipped by its bytes, and, read again, the same rows."""
    before = snapshot(db)
    assert "0 imported" in imported(db, fmt, *paths)
    rows(db, "delete from imports")
    imported(db, fmt, *paths)
    assert snapshot(db) == before


def package(folder: Path, descriptor: dict, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_data_package_of_one_series_at_each_frequency(tmp_path: Path) -> None:
    folder = package(
        tmp_path / "bond-yields-uk-10y",
        {
            "name": "bond-yields-uk-10y",
            "title": "10y UK Government Bond Yields",
            "licenses": [{"id": "odc-pddl", "name": "public_domain_dedication_and_license"}],
            "sources": [{"title": "Bank of England", "path": "https://www.bankofengland.co.uk/"}],
            "resources": [
                {
                    "name": "annual",
                    "path": "data/annual.csv",
                    "schema": {
                        "fields": [
                            {"name": "Year", "type": "date"},
                            {"name": "Rate", "type": "number"},
                        ]
                    },
                },
                {
                    "name": "quarterly",
                    "path": "data/quarterly.csv",
                    "schema": {
                        "fields": [
                            {"name": "Date", "type": "date"},
                            {"name": "Rate", "type": "number"},
                        ]
                    },
                },
            ],
        },  # fmt: skip
        {
            "data/annual.csv": "Year,Rate\n2004-12-31,4.8806\n2005-12-31,4.4\n",
            "data/quarterly.csv": "Date,Rate\n2004-03-31,4.8\n2004-06-30,5.1\n2004-09-30,\n",
        },
    )
    assert detect(folder / "data/annual.csv") == "datapackage"
    db = tmp_path / "references.db"
    output = imported(db, "auto", folder)
    assert "2 file(s): 2 imported" in output and "4 values" in output
    assert rows(db, "select indicator, subject, period, frequency, value, unit from ref_values "
                    "order by frequency, period") == [
        ("BOE:IUAAMNPY", "GBR", "2004", "A", 4.8806, "percent"),
        ("BOE:IUAAMNPY", "GBR", "2005", "A", 4.4, "percent"),
        ("BOE:IUQAMNPY", "GBR", "2004-Q1", "Q", 4.8, "percent"),
        ("BOE:IUQAMNPY", "GBR", "2004-Q2", "Q", 5.1, "percent"),
    ]  # fmt: skip
    assert rows(db, "select publisher, title, licence, url, format from datasets") == [
        ("Bank of England", "10y UK Government Bond Yields", "PDDL-1.0",
         "https://www.bankofengland.co.uk/", "datapackage"),
    ]  # fmt: skip
    imported_twice(db, "datapackage", folder)


def test_a_data_package_by_country_keeps_the_first_value_of_a_year(tmp_path: Path) -> None:
    """BP's 2019 rows repeat, the later two being side columns (growth, share) read as values;
    a package formats.toml does not know still imports, named after itself."""
    folder = package(
        tmp_path / "energy",
        {
            "name": "energy-review",
            "title": "Energy review",
            "version": "2020",
            "licenses": [{"name": "other", "title": "free to use with attribution"}],
            "resources": [
                {
                    "name": "oil",
                    "path": "oil.csv",
                    "schema": {
                        "fields": [
                            {"name": "country", "type": "string"},
                            {"name": "year", "type": "integer"},
                            {"name": "output", "type": "number"},
                        ]
                    },
                }
            ],
        },  # fmt: skip
        {
            "oil.csv": "country,year,output\nUS,2018,15.3\nUS,2019,17.0\nUS,2019,0.11\n"
            "US,2019,0.18\nTotal World,2019,95.2\nOther Asia Pacific,2019,0.3\nUS,n/a,1\n"
        },
    )
    db = tmp_path / "references.db"
    imported(db, "datapackage", folder / "oil.csv")
    assert rows(db, "select indicator, subject, period, value from ref_values order by 2, 3") == [
        ("energy-review:oil:output", "Other Asia Pacific", "2019", 0.3),
        ("energy-review:oil:output", "USA", "2018", 15.3),
        ("energy-review:oil:output", "USA", "2019", 17.0),
        ("energy-review:oil:output", "WLD", "2019", 95.2),
    ]
    assert rows(db, "select id, licence, vintage from datasets") == [
        ("energy-review", "free to use with attribution", "2020")
    ]
    imported_twice(db, "datapackage", folder / "oil.csv")


def pink_sheet(path: Path) -> Path:
    """A workbook laid out as the World Bank's, saved under the .xls name it gives it."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Monthly Prices"
    for row in [
        ["World Bank Commodity Price Data (The Pink Sheet)"],
        ["monthly prices in nominal US dollars, 1960 to present"],
        ["Updated on July 02, 2026"],
        [None, "Crude oil, Brent", "Gold", "Coal, South African **"],
        [None, "($/bbl)", "($/troy oz)", "($/mt)"],
        ["2004M09", 43.0, 405.3, "…"],
        ["2004M10", 49.8, 420.0, 55.5],
        [None, None, None, None],
        ["Note: ...", None, None, None],
    ]:
        sheet.append(row)
    book.create_sheet("Description").append(["Series Description"])
    book.save(path)
    return path


def test_the_pink_sheet_workbook(tmp_path: Path) -> None:
    workbook = pink_sheet(tmp_path / "monthly.xls")
    assert detect(workbook) == "pink-sheet"
    db = tmp_path / "references.db"
    assert "5 values in wb-pink-sheet" in imported(db, "auto", tmp_path)
    assert rows(db, "select indicator, subject, period, frequency, value, unit from ref_values "
                    "where period = '2004-10' order by 1") == [
        ("CMO:COAL_SOUTH_AFRICAN", "COAL_SOUTH_AFRICAN", "2004-10", "M", 55.5, "USD"),
        ("CMO:CRUDE_OIL_BRENT", "BRENT", "2004-10", "M", 49.8, "USD"),
        ("CMO:GOLD", "GOLD", "2004-10", "M", 420.0, "USD"),
    ]  # fmt: skip
    assert rows(db, "select name from indicators where code = 'CMO:GOLD'") == [
        ("Gold, US$ per troy oz",)
    ]
    assert rows(db, "select publisher, vintage from datasets") == [("World Bank", "2026-07-02")]
    imported_twice(db, "pink-sheet", workbook)


FED = """"Series Description","Market yield on U.S. Treasury securities at 10-year   maturity"
"Unit:","Percent:_Per_Year"
"Multiplier:","1"
"Currency:","NA"
"Unique Identifier: ","H15/H15/RIFLGFCY10_N.M"
"Time Period","RIFLGFCY10_N.M"
2004-01,4.15
2004-02,ND
2004-03,3.83
"""


def test_the_fed_data_download_csv(tmp_path: Path) -> None:
    path = tmp_path / "h15-m.csv"
    path.write_text(FED, encoding="utf-8")
    assert detect(path) == "fed-ddp"
    db = tmp_path / "references.db"
    imported(db, "fed-ddp", path)
    assert rows(
        db, "select indicator, subject, period, frequency, value, unit from ref_values"
    ) == [
        ("FED:RIFLGFCY10_N.M", "USA", "2004-01", "M", 4.15, "percent"),
        ("FED:RIFLGFCY10_N.M", "USA", "2004-03", "M", 3.83, "percent"),
    ]
    assert rows(db, "select name from indicators") == [
        ("Market yield on U.S. Treasury securities at 10-year maturity",)
    ]
    assert rows(db, "select id, publisher, title from datasets") == [
        ("fed-h15", "Federal Reserve Board", "Release H15")
    ]
    imported_twice(db, "fed-ddp", path)


def test_an_owid_grapher_csv(tmp_path: Path) -> None:
    path = tmp_path / "objects-launched.csv"
    path.write_text(
        "Entity,Code,Year,Annual number of objects launched into outer space\n"
        "APSCO,,2023,1\nChina,CHN,2023,128\nWorld,OWID_WRL,2023,2664\nChina,CHN,,5\n",
        encoding="utf-8",
    )
    assert detect(path) == "owid"
    db = tmp_path / "references.db"
    imported(db, "auto", path)
    assert rows(db, "select subject, period, value from ref_values order by 1") == [
        ("APSCO", "2023", 1.0), ("CHN", "2023", 128.0), ("WLD", "2023", 2664.0)
    ]  # fmt: skip
    assert rows(db, "select publisher, licence, url from datasets") == [
        ("Our World in Data", None, "https://ourworldindata.org/grapher/objects-launched")
    ]
    imported_twice(db, "owid", path)


def test_cset_supply_chain_shares_with_their_licence(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "LICENSE.md").write_text(
        "This work is licensed under the Creative Commons Attribution-NonCommercial 4.0 "
        "International License.",
        encoding="utf-8",
    )
    path = tmp_path / "data" / "provision.csv"
    path.write_text(
        "provider_name,provider_id,provided_name,provided_id,share_provided,"
        "negligible_market_share\nUSA,P1,Design,S1,61%,\nKOR,P4,Design,S1,6%,\n"
        'Intel,P9,"Logic chip design:\nAdvanced CPUs",N1,80%,\nCHN,P2,Design,S1,,True\n',
        encoding="utf-8",
    )
    assert detect(path) == "cset"
    db = tmp_path / "references.db"
    imported(db, "cset", path)
    found = rows(db, "select indicator, subject, period, value, unit from ref_values order by 1, 2")
    assert found == [
        ("ETO:N1", "Intel", "2021", 80.0, "percent"),
        ("ETO:S1", "KOR", "2021", 6.0, "percent"),
        ("ETO:S1", "USA", "2021", 61.0, "percent"),
    ]  # fmt: skip
    assert rows(db, "select name from indicators order by code") == [
        ("Market share: Logic chip design: Advanced CPUs",), ("Market share: Design",)
    ]  # fmt: skip
    assert rows(db, "select licence from datasets") == [("CC-BY-NC-4.0",)]
    imported_twice(db, "cset", path)


def test_the_bank_of_englands_own_bank_rate_table(tmp_path: Path) -> None:
    path = tmp_path / "data.original.csv"
    path.write_text(
        '1694,,"Oct",6\n,,"May",3\n1836,,"Sept",5\n2004,5,"Aug",4.75\n"",4,"may",4.5\n',
        encoding="utf-8",
    )
    assert detect(path) == "boe-bank-rate"
    db = tmp_path / "references.db"
    imported(db, "boe-bank-rate", path)
    assert rows(db, "select period, frequency, value from ref_values order by 1") == [
        ("1694-05-01", "E", 3.0), ("1694-10-01", "E", 6.0), ("1836-09-01", "E", 5.0),
        ("2004-05-04", "E", 4.5), ("2004-08-05", "E", 4.75),
    ]  # fmt: skip
    imported_twice(db, "boe-bank-rate", path)


BLS_TABLE = """     HOUSEHOLD DATA                                                       HOUSEHOLD DATA
     ANNUAL AVERAGES                                                      ANNUAL AVERAGES

     1.  Employment status of the civilian noninstitutional population, 1940 to date
                              Persons 14 years of age and over
     1947..........................  106,018     60,168      56.8      57,812     54.5         8,256    49,557      2,356       3.9      45,850
                              Persons 16 years of age and over
     1947..........................  101,827     59,350      58.3      57,038      56.0       7,890     49,148      2,311       3.9      42,477
     2010 (1)......................  237,830    153,889      64.7     139,064      58.5       2,206    136,858     14,825       9.6      83,941

       1 Not strictly comparable with data for prior years.
"""  # noqa: E501


def test_the_bls_text_table(tmp_path: Path) -> None:
    path = tmp_path / "aat1.txt"
    path.write_text(BLS_TABLE, encoding="utf-8")
    assert detect(path) == "bls"
    db = tmp_path / "references.db"
    imported(db, "auto", tmp_path)
    found = dict(rows(db, "select indicator || ' ' || period, value from ref_values"))
    assert found["BLS:LNU04000000 2010"] == 9.6
    assert found["BLS:LNU03000000 2010"] == 14_825_000
    assert found["BLS:LNU01000000 1947"] == 59_350_000  # persons 16+, the basis kept
    imported_twice(db, "bls", path)


@pytest.mark.parametrize(
    "fmt,name,content,message",
    [
        ("pink-sheet", "monthly.xls", "not a workbook", "not a Pink Sheet workbook"),
        ("datapackage", "x.csv", "Year,Rate\n2004,1\n", "no datapackage.json above it lists it"),
        ("fed-ddp", "h15.csv", "a,b\n1,2\n", "not a Fed Data Download CSV"),
        ("owid", "o.csv", "Entity,Year,Value\n", "not an OWID grapher CSV"),
        ("cset", "provision.csv", "provider_name,share\n", "no column 'provider_id'"),
        ("boe-bank-rate", "rates.csv", "1694,,Oct\n", "no column 'date'"),
        # a date no reader checks was stored as a period no check asks for
        (
            "boe-bank-rate",
            "rates.csv",
            "date,rate\n2020-03-11,0.25\nnot a date,1\n",
            "'not a date' is not a period of frequency E (BOE:BANKRATE, GBR); nothing imported",
        ),
        (
            "fred",
            "monthly.csv",
            "Date,Country,Exchange rate\n31/12/1986,Japan,160\n",
            "'31/12/1' is not a period of frequency M (FRED:EXCH, JPY)",
        ),
    ],
)
def test_ugly_input_is_one_line_and_writes_nothing(
    tmp_path: Path, fmt: str, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    db = tmp_path / "references.db"
    result = CliRunner().invoke(
        cli, ["reference", "import", fmt, str(path), "--references-db", str(db)]
    )
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not db.exists()


def test_a_copy_with_a_manifest_dates_what_states_no_vintage(tmp_path: Path) -> None:
    """A folder copied from upstream repositories with a MANIFEST.json (as the shared folder)
    gives a dataset that states no vintage the date its newest file was written upstream;
    --vintage wins."""
    path = tmp_path / "copy" / "h15" / "h15-m.csv"
    path.parent.mkdir(parents=True)
    path.write_text(FED, encoding="utf-8")
    (tmp_path / "copy" / "MANIFEST.json").write_text(
        json.dumps([{"dest": "h15/h15-m.csv", "last_commit_date": "2026-08-01T10:00:00+00:00"}]),
        encoding="utf-8",
    )
    db = tmp_path / "references.db"
    imported(db, "auto", tmp_path / "copy")
    assert rows(db, "select vintage from datasets") == [("2026-08-01",)]
    CliRunner().invoke(
        cli, ["reference", "import", "fed-ddp", str(path), "--references-db", str(db),
              "--vintage", "2026-09"]
    )  # fmt: skip
    assert rows(db, "select vintage from datasets") == [("2026-09",)]
