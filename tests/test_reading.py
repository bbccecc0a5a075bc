"""Reading sources as a user's files come: saved news pages, other encodings, partial dates, the
shared corpus's manifest, links out of the folder, FIFOs, two files with one name."""

from __future__ import annotations

import csv
import datetime
import hashlib
import os
import shutil
import sqlite3
import sys
import threading
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger import extract
from ledger.cli import cli
from ledger.sources import ReadOptions, SourceError, find_sources, load_manifest, read_source

PAGES = Path(__file__).parent / "fixtures" / "pages"
EXPECTED = tomllib.loads((PAGES / "expected.toml").read_text(encoding="utf-8"))["page"]
SHARED_SMALL = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "topical_small"


def ingest(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["ingest", *args])
    return result.exit_code, result.stdout, result.stderr


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.mark.parametrize("page", EXPECTED, ids=[page["file"] for page in EXPECTED])
def test_a_saved_page_gives_the_articles_figures_and_none_of_its_furniture(page: dict):
    read = read_source(PAGES / page["file"])
    assert read.encoding == page["encoding"]
    assert read.text_extractor is not None and read.text_extractor.startswith("trafilatura ")
    assert [c.quote for c in extract(read.text)] == page["figures"]
    assert [words for words in page.get("missed", []) if words not in read.text] == []
    leaked = [words for words in page["furniture"] if words in read.text]
    assert leaked == []
    meta = read.page
    for field in ("title", "publisher", "author", "url"):
        assert getattr(meta, field) == page.get(field), field
    assert meta.published == datetime.date.fromisoformat(page["published"])
    assert meta.published_precision == "day"


def test_pages_ingest_with_the_page_kept_and_its_metadata_under_the_manifests(tmp_path: Path):
    folder = tmp_path / "pages"
    shutil.copytree(PAGES, folder, ignore=shutil.ignore_patterns("*.toml"))
    (folder / "manifest.csv").write_text(
        "file,publisher,published\n"
        "valley-gazette-water-bills.html,Valley Gazette (print edition),2024-10\n",
        encoding="utf-8",
    )
    db = tmp_path / "claims.db"
    code, out, err = ingest(str(folder), "--db", str(db))
    assert (code, err) == (0, ""), err
    assert out.startswith("4 file(s): 4 added")
    found = rows(
        db,
        "select id, publisher, published, published_precision, author, encoding, sha256, path"
        " from sources order by id",
    )
    assert [row[:6] for row in found] == [
        ("harbour-wire-chip-exports", "Harbour Wire", "2024-03-14", "day", "Maria Okafor", "utf-8"),
        ("metro-daily-jobs-report", "Metro Daily", "2024-06-07", "day", "Dana Whitfield", "utf-8"),
        ("northern-post-rail-fares", None, "2025-01-08", "day", "Chloé Lefèvre", "cp1252"),
        # the manifest wins where it speaks: its publisher, its date (a month)
        ("valley-gazette-water-bills", "Valley Gazette (print edition)", "2024-10-01", "month",
         None, "cp1252"),
    ]  # fmt: skip
    for *_, sha256, path in found:  # the page itself is what was hashed, kept byte for byte
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == sha256
    quotes = rows(db, "select quote from claims where source_id = 'northern-post-rail-fares'")
    assert sorted(q for (q,) in quotes) == sorted(EXPECTED[2]["figures"])
    (extractor,) = rows(db, "select distinct text_extractor from sources")
    assert extractor[0].startswith("trafilatura ")
    # the offsets refer to the stored text; a second ingest reads nothing new
    assert rows(
        db,
        "select count(*) from claims join sources on sources.id = claims.source_id"
        " where substr(sources.text, claims.start + 1, claims.end - claims.start) != claims.quote",
    ) == [(0,)]
    code, out, _ = ingest(str(folder), "--db", str(db))
    assert (code, out.split(";")[0]) == (0, "4 file(s): 0 added, 0 changed, 4 unchanged, 0 failed")
    verified = CliRunner().invoke(cli, ["verify", "--db", str(db), "--sources", str(folder)])
    assert verified.exit_code == 0, verified.output


def test_extract_reads_a_page_as_ingest_does(tmp_path: Path):
    result = CliRunner().invoke(
        cli, ["extract", "--format", "csv", str(PAGES / "harbour-wire-chip-exports.html")]
    )
    assert result.exit_code == 0, result.output
    claims = list(csv.DictReader(result.output.splitlines()))
    assert [c["quote"] for c in claims] == EXPECTED[0]["figures"]
    # "last year" is resolved against the page's own date (2024-03-14)
    assert claims[0]["period"] == "2023"


def test_a_named_html_file_is_a_source():
    found, failures = find_sources([PAGES / "harbour-wire-chip-exports.html"])
    assert failures == []
    assert [s.source_id for s in found] == ["harbour-wire-chip-exports"]


def test_a_page_with_no_article_is_a_named_failure(tmp_path: Path):
    page = tmp_path / "empty.html"
    page.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", "utf-8")
    with pytest.raises(SourceError, match="no article text found in the page"):
        read_source(page)


ARTICLE = "The council said prices rose 4% \u2014 to \u00a3250 \u2014 in the year to March.\n"


@pytest.mark.parametrize(
    ("codec", "expected"), [("cp1252", "cp1252"), ("latin-1", "cp1252"), ("utf-8", "utf-8")]
)
def test_text_in_windows_1252_or_latin_1_is_read_by_detection(
    tmp_path: Path, codec: str, expected: str
):
    text = ARTICLE if codec != "latin-1" else ARTICLE.replace("\u2014", "-")
    path = tmp_path / "story.txt"
    path.write_bytes(text.encode(codec))
    read = read_source(path)
    # cp1252 decodes Latin-1's printable characters the same way (WHATWG reads "latin1" so too)
    assert (read.text, read.encoding) == (text, expected)
    claims = extract(read.text)
    assert [c.quote for c in claims] == ["4%", "\u00a3250"]


def test_encoding_option_overrides_detection_and_is_stored(tmp_path: Path):
    folder = tmp_path / "src"
    folder.mkdir()
    # Bytes that read as Windows-1252 text but are Central European (cp1250): only a person knows
    czech = "Ceny vzrostly o 4 % v \u0161esti m\u011bst."
    (folder / "czech.txt").write_bytes(czech.encode("cp1250"))
    db = tmp_path / "claims.db"
    code, _, err = ingest(str(folder), "--db", str(db), "--encoding", "cp1250")
    assert (code, err) == (0, "")
    assert rows(db, "select encoding, text from sources") == [("cp1250", czech)]
    code, _, err = ingest(str(folder), "--db", str(db), "--encoding", "klingon")
    assert code == 2 and "unknown encoding 'klingon'" in err
    with pytest.raises(SourceError, match=r"not valid utf-8 \(byte 0x9a at offset 22\)"):
        read_source(folder / "czech.txt", ReadOptions(encoding="utf-8"))


def test_a_manifest_encoding_column_names_one_files_encoding(tmp_path: Path):
    (tmp_path / "a.txt").write_bytes("\u0160koda sold 5% more cars.".encode("cp1250"))
    (tmp_path / "manifest.csv").write_text("file,charset\na.txt,cp1250\n", "utf-8")
    result = CliRunner().invoke(cli, ["extract", "--format", "csv", str(tmp_path / "a.txt")])
    assert result.exit_code == 0, result.output
    assert "\u0160koda sold 5% more cars." in result.output


def test_partial_dates_resolve_last_year_and_keep_their_precision(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Sales rose 5% last year.\n", "utf-8")
    (tmp_path / "b.txt").write_text("Sales rose 6% last year.\n", "utf-8")
    (tmp_path / "c.txt").write_text("Sales rose 7% last year.\n", "utf-8")
    (tmp_path / "manifest.csv").write_text(
        "file,published\na.txt,2005\nb.txt,2005-01\nc.txt,2005-01-31\n", "utf-8"
    )
    db = tmp_path / "claims.db"
    code, _, err = ingest(str(tmp_path), "--db", str(db))
    assert (code, err) == (0, "")
    assert rows(
        db,
        "select sources.id, published, published_precision, period from sources"
        " join claims on claims.source_id = sources.id order by sources.id",
    ) == [
        ("a", "2005-01-01", "year", "2004"),
        ("b", "2005-01-01", "month", "2004"),
        ("c", "2005-01-31", "day", "2004"),
    ]


def test_a_partial_date_resolves_no_period_it_does_not_know(tmp_path: Path):
    # "2005" is stored as 2005-01-01: its month is made up, so "last month" is no December 2004
    # and "in August" no August 2004; a month's date places its quarter
    text = "Sales rose 5% last month, 6% in August and 7% in the past quarter.\n"
    (tmp_path / "a.txt").write_text(text, "utf-8")
    (tmp_path / "b.txt").write_text(text, "utf-8")
    (tmp_path / "manifest.csv").write_text("file,published\na.txt,2005\nb.txt,2005-05\n", "utf-8")
    db = tmp_path / "claims.db"
    code, _, err = ingest(str(tmp_path), "--db", str(db))
    assert (code, err) == (0, "")
    assert rows(db, "select source_id, quote, period from claims order by source_id, start") == [
        ("a", "5%", None),
        ("a", "6%", None),
        ("a", "7%", None),
        ("b", "5%", "2005-04"),
        ("b", "6%", "2004-08"),
        ("b", "7%", "2005-Q1"),
    ]


def test_a_bad_manifest_row_is_skipped_the_rest_ingested_and_the_exit_code_is_1(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Sales rose 5% in 2004.\n", "utf-8")
    (tmp_path / "b.txt").write_text("Sales rose 6% in 2004.\n", "utf-8")
    (tmp_path / "manifest.csv").write_text(
        "file,published\na.txt,2019-12-45\nb.txt,2019\nmissing.txt,2019\n", "utf-8"
    )
    db = tmp_path / "claims.db"
    code, out, err = ingest(str(tmp_path), "--db", str(db))
    manifest = tmp_path / "manifest.csv"
    assert code == 1
    assert err.splitlines() == [
        f"failed: {manifest}: line 4: names missing.txt, which is not here",
        f"failed: {manifest}: line 2: published: '2019-12-45' is not a date"
        " (YYYY-MM-DD, YYYY-MM or YYYY); a.txt skipped",
    ]
    assert rows(db, "select id, published_precision from sources") == [("b", "year")]


def test_the_shared_corpus_manifest_is_accepted_as_it_is():
    manifest_path = SHARED_SMALL / "manifest.csv"
    if not manifest_path.exists():
        pytest.skip(f"the shared corpus is not at {SHARED_SMALL}")
    manifest = load_manifest(manifest_path)
    assert (manifest.refused, manifest.problems) == ({}, [])
    with manifest_path.open(encoding="utf-8", newline="") as handle:
        listed = list(csv.DictReader(handle))
    assert len(manifest.rows) == len(listed) == 36
    year_only = [row["file"] for row in listed if len(row["published"]) == 4]
    assert year_only and all(manifest.rows[f].published_precision == "year" for f in year_only)
    found, failures = find_sources([SHARED_SMALL])
    assert failures == []
    assert len(found) == 36
    wired = next(s for s in found if s.source_id.startswith("010_wired"))
    assert (wired.meta.publisher, wired.meta.published) == ("WIRED", datetime.date(2022, 1, 1))


def test_column_spellings_are_read_by_meaning(tmp_path: Path):
    (tmp_path / "a.txt").write_text("x 1", "utf-8")
    (tmp_path / "manifest.csv").write_text(
        "File Name,Headline,Date,Link,Byline,licence\na.txt,T,2020-02,https://e.x/a,Ann,CC\n",
        "utf-8",
    )
    (found,), failures = find_sources([tmp_path])
    assert failures == []
    assert found.meta.model_dump(exclude_none=True) == {
        "title": "T",
        "published": datetime.date(2020, 2, 1),
        "published_precision": "month",
        "url": "https://e.x/a",
        "author": "Ann",
    }


# --- issue 19: links out of the folder, FIFOs, one name in two folders, huge manifest fields


def test_a_link_out_of_the_folder_is_not_followed_unless_asked(tmp_path: Path):
    outside = tmp_path / "secret" / "reviewers.json.txt"
    outside.parent.mkdir()
    outside.write_text("password hash 12345\n", "utf-8")
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "ok.txt").write_text("Sales rose 5%.\n", "utf-8")
    (folder / "inside.txt").symlink_to(folder / "ok.txt")  # a link that stays inside is fine
    (folder / "leak.txt").symlink_to(outside)
    (folder / "linked-dir").symlink_to(outside.parent, target_is_directory=True)
    db = tmp_path / "claims.db"
    code, _, err = ingest(str(folder), "--db", str(db))
    assert code == 1
    assert err.splitlines() == [
        f"failed: {folder / 'leak.txt'}: a symbolic link to {outside.resolve()}, outside"
        f" {folder.resolve()} (--follow-links reads it)"
    ]
    assert rows(db, "select id from sources order by id") == [("inside",), ("ok",)]
    assert rows(db, "select count(*) from sources where text like '%password%'") == [(0,)]
    code, _, err = ingest(str(folder / "leak.txt"), "--db", str(db))
    assert code == 1 and "a symbolic link to" in err
    code, _, err = ingest(str(folder), "--db", str(db), "--follow-links")
    assert (code, err) == (0, "")
    assert rows(db, "select id from sources order by id") == [
        ("inside",), ("leak",), ("ok",), ("reviewers.json",)
    ]  # fmt: skip


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_fifo_named_txt_is_skipped_and_named_not_waited_on(tmp_path: Path):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "ok.txt").write_text("Sales rose 5%.\n", "utf-8")
    os.mkfifo(folder / "pipe.txt")
    db = tmp_path / "claims.db"
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(ingest(str(folder), "--db", str(db))))
    worker.start()
    worker.join(timeout=30)
    if worker.is_alive():  # unblock the stuck open() so pytest can end, then fail
        with open(folder / "pipe.txt", "w"):
            pass
        worker.join()
        pytest.fail("ingest hung on a FIFO")
    code, _, err = outcome[0]
    assert code == 1
    assert err.splitlines() == [
        f"failed: {folder / 'pipe.txt'}: not a regular file (a named pipe), skipped"
    ]
    with pytest.raises(SourceError, match=r"not a regular file \(a named pipe\)"):
        read_source(folder / "pipe.txt")  # even asked for directly: refused, never waited on
    assert rows(db, "select id from sources") == [("ok",)]


def test_the_same_file_name_in_two_folders_is_refused_not_replaced(tmp_path: Path):
    first, second = tmp_path / "A", tmp_path / "B"
    first.mkdir()
    second.mkdir()
    (first / "report.txt").write_text("Exports rose 5% in 2023.\n", "utf-8")
    (second / "report.txt").write_text("Imports fell 3% in 2023.\n", "utf-8")
    db = tmp_path / "claims.db"
    assert ingest(str(first), "--db", str(db))[0] == 0
    (claim_id,) = rows(db, "select id from claims")[0]
    note = CliRunner().invoke(
        cli,
        [
            "note",
            claim_id,
            "--verdict",
            "accurate",
            "--text",
            "ok",
            "--reviewer",
            "ana",
            "--db",
            str(db),
        ],
    )
    assert note.exit_code == 0
    code, _, err = ingest(str(second), "--db", str(db))
    assert code == 1
    assert err.splitlines() == [
        f"failed: {second / 'report.txt'}: source id 'report' is already taken by"
        f" {first / 'report.txt'}; rename one of the two files"
    ]
    assert rows(db, "select id, quote, retired_at from claims") == [(claim_id, "5%", None)]
    assert rows(db, "select path from sources") == [(str(first / "report.txt"),)]
    # a file moved to another folder keeps its id (and its notes)
    (first / "report.txt").rename(second / "report.txt")
    assert ingest(str(second), "--db", str(db))[0] == 0
    assert rows(db, "select path from sources") == [(str(second / "report.txt"),)]


def test_seed_ids_are_unchanged():
    root = Path(__file__).resolve().parents[1]
    found, _ = find_sources([root / "sources"])
    assert [s.source_id for s in found] == [p.stem for p in sorted(root.glob("sources/*.txt"))]


def test_the_pages_benchmark_finds_every_figure_and_no_furniture():
    """bench/pages.py, the measurement the README quotes, on one run of each page."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_pages", Path(__file__).resolve().parents[1] / "bench" / "pages.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclass looks its module up by name
    spec.loader.exec_module(bench)
    result = CliRunner().invoke(bench.main, ["--repeat", "1"])
    assert result.exit_code == 0, result.output
    summary = result.output.splitlines()[-1]
    assert summary.startswith("all 4 pages: 47/47 of the article figures in the text, 47/47 as")
    assert "claims; 0 furniture claims" in summary


def test_a_manifest_field_over_the_csv_limit_is_one_line_from_the_cli(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Sales rose 5%.\n", "utf-8")
    (tmp_path / "manifest.csv").write_text("file,notes\na.txt," + "n" * 131_073 + "\n", "utf-8")
    db = tmp_path / "claims.db"
    code, out, err = ingest(str(tmp_path), "--db", str(db))
    assert (code, out) == (1, "")
    assert err == (
        f"Error: {tmp_path / 'manifest.csv'}, line 2: field larger than field limit (131072)\n"
    )
    assert rows(db, "select count(*) from sources") == [(0,)]


def test_pages_ingest_the_same_in_worker_processes(tmp_path: Path):
    folder = tmp_path / "pages"
    shutil.copytree(PAGES, folder, ignore=shutil.ignore_patterns("*.toml"))
    ledgers = []
    for jobs in ("1", "2"):
        db = tmp_path / f"jobs{jobs}.db"
        code, _, err = ingest(str(folder), "--db", str(db), "--jobs", jobs)
        assert (code, err) == (0, "")
        ledgers.append(
            rows(db, "select id, title, published, encoding, text_extractor, text from sources")
            + rows(db, "select id, quote, start, period from claims order by id")
        )
    assert ledgers[0] == ledgers[1]


def test_a_url_given_to_ingest_or_extract_says_to_fetch_it(tmp_path: Path):
    url = "https://example.com/news/story"
    code, _, err = ingest(url, "--db", str(tmp_path / "claims.db"))
    assert code == 1  # nothing else to read: an error before a ledger is made, as extract's
    assert err == f"Error: {url}: a URL, not a file: fetch it first (ledger fetch URL --into DIR)\n"
    assert not (tmp_path / "claims.db").exists()
    result = CliRunner().invoke(cli, ["extract", url])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {url}: a URL, not a file: fetch it first (ledger fetch URL --into DIR)\n"
    )


def test_extract_takes_a_partial_published_date_too(tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_text("Sales rose 5% last year.\n", "utf-8")
    result = CliRunner().invoke(
        cli, ["extract", "--format", "csv", "--published", "2005", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert [row["period"] for row in csv.DictReader(result.output.splitlines())] == ["2004"]
