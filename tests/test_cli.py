"""The ledger commands end to end with click's CliRunner, on the seed articles and the real
extractor, against a database in tmp_path."""

from __future__ import annotations

import contextlib
import csv
import importlib
import io
import json
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli import cli
from ledger.describe import claim_words
from ledger.export import (
    COLUMNS,
    MARKDOWN_COLUMNS,
    RATINGS,
    author_type,
    draft_summary,
    markdown_cell,
    record,
)
from ledger.models import claim_id
from ledger.store import Ledger

ROOT = Path(__file__).resolve().parent.parent
SEED_IDS = sorted(path.stem for path in (ROOT / "sources").glob("*.txt"))
EXTRACT_MODULE = importlib.import_module("ledger.extraction")
SUMMARY = re.compile(
    r"(?P<seen>\d+) file\(s\): (?P<added>\d+) added, (?P<changed>\d+) changed, "
    r"(?P<unchanged>\d+) unchanged, (?P<failed>\d+) failed; "
    r"claims: (?P<claims_added>\d+) added, (?P<claims_removed>\d+) removed"
)


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def summary(output: str) -> dict[str, int]:
    match = SUMMARY.search(output)
    assert match, output
    return {key: int(value) for key, value in match.groupdict().items()}


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    for path in (ROOT / "sources").iterdir():
        if path.suffix in (".txt", ".md") or path.name == "manifest.csv":
            shutil.copyfile(path, folder / path.name)
    return folder


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "claims.db")


@pytest.fixture(scope="module")
def seed_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds ingested once per module (tests get a copy)."""
    path = tmp_path_factory.mktemp("seed-ledger") / "claims.db"
    result = run("ingest", str(ROOT / "sources"), "--db", str(path))
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def ingested(seeds: Path, db: str, seed_ledger: Path) -> str:
    """The seeds' ledger, as if ingested from this test's copy of them (`seeds`): the repository's
    own files are other files with the same ids, which an ingest would refuse."""
    shutil.copyfile(seed_ledger, db)  # closed ledger: its WAL is checkpointed into the file
    with Ledger(db) as ledger:
        for source_id, path in ledger.db.execute("select id, path from sources").fetchall():
            moved = str(seeds / Path(path).name)
            ledger.db.execute("update sources set path = ? where id = ?", [moved, source_id])
        ledger.db.conn.commit()
    return db


def claim_rows(db: str) -> list[dict]:
    with Ledger(db) as ledger:
        return ledger.claims(include_retired=True)


def test_ingest_seeds_then_again_changes_nothing(seeds: Path, db: str):
    first = run("ingest", str(seeds), "--db", db)
    assert first.exit_code == 0, first.output
    counts = summary(first.output)
    assert (counts["seen"], counts["added"], counts["failed"]) == (5, 5, 0)
    rows = claim_rows(db)
    assert counts["claims_added"] == len(rows) > 10
    with Ledger(db) as ledger:
        texts = {row["id"]: row["text"] for row in ledger.db["sources"].rows}
        assert sorted(texts) == SEED_IDS
        for source_id, text in texts.items():
            assert text == (ROOT / "sources" / f"{source_id}.txt").read_text(encoding="utf-8")
    for row in rows:
        assert texts[row["source_id"]][row["start"] : row["end"]] == row["quote"]
        assert row["id"] == claim_id(row["source_id"], row["fingerprint"])
        assert row["retired_at"] is None
    assert len({row["id"] for row in rows}) == len(rows)

    again = run("ingest", str(seeds), "--db", db)
    assert again.exit_code == 0, again.output
    assert summary(again.output) == {
        "seen": 5,
        "added": 0,
        "changed": 0,
        "unchanged": 5,
        "failed": 0,
        "claims_added": 0,
        "claims_removed": 0,
    }
    assert [(r["id"], r["value"], r["first_seen"]) for r in claim_rows(db)] == [
        (r["id"], r["value"], r["first_seen"]) for r in rows
    ]


def test_worker_processes_give_the_same_claims(seeds: Path, tmp_path: Path):
    ledgers = []
    for jobs in ("1", "2"):
        db = str(tmp_path / f"jobs{jobs}.db")
        result = run("ingest", str(seeds), "--db", db, "--jobs", jobs)
        assert result.exit_code == 0, result.output
        ledgers.append([(r["id"], r["value"], r["unit"], r["metric"]) for r in claim_rows(db)])
    assert ledgers[0] == ledgers[1]


def test_changed_source_is_the_only_one_re_extracted_and_notes_stay(seeds: Path, ingested: str):
    before = claim_rows(ingested)
    target = before[0]
    noted = run(
        "note", target["id"], "--verdict", "accurate", "--text", "Matches the bulletin.",
        "--reviewer", "ana", "--db", ingested,
    )  # fmt: skip
    assert noted.exit_code == 0, noted.output
    assert noted.output.startswith(f"note 1 on {target['id']}: accurate")

    # Fix a "typo" in one article and append a paragraph with a figure to another.
    typo_file = seeds / "000_06537919e2765593.txt"
    typo_file.write_text(
        typo_file.read_text().replace("turning the tables", "turning tables"), encoding="utf-8"
    )
    appended = seeds / "001_f00b55445c1939f9.txt"
    old_length = len(appended.read_text(encoding="utf-8"))
    with open(appended, "a", encoding="utf-8") as handle:
        handle.write("\nIn 2024, research spending rose 8.3 percent to 3.6 trillion yuan.\n")

    result = run("ingest", str(seeds), "--db", ingested)
    assert result.exit_code == 0, result.output
    counts = summary(result.output)
    assert (counts["changed"], counts["unchanged"], counts["failed"]) == (2, 3, 0)
    assert counts["claims_added"] >= 1
    after = {row["id"]: row for row in claim_rows(ingested)}
    for row in before:
        if "turning the tables" not in row["sentence"]:
            assert row["id"] in after, row["quote"]
            assert after[row["id"]]["first_seen"] == row["first_seen"]
    new = [row for row_id, row in after.items() if row_id not in {r["id"] for r in before}]
    assert {row["source_id"] for row in new} == {"001_f00b55445c1939f9"}
    assert all(row["start"] >= old_length for row in new)
    assert "8.3 percent" in {row["quote"] for row in new}
    listed = run("notes", target["id"], "--db", ingested)
    assert listed.exit_code == 0, listed.output
    assert "Matches the bulletin." in listed.output
    assert listed.output.rstrip().endswith("1 note(s)")


def test_orphaned_notes_after_the_extractor_changes(ingested: str, monkeypatch: pytest.MonkeyPatch):
    rows = claim_rows(ingested)
    dropped = rows[0]
    kept = rows[-1]
    for row, verdict in ((dropped, "misleading"), (kept, "accurate")):
        result = run(
            "note", row["id"], "--verdict", verdict, "--text", "x", "--reviewer", "ana",
            "--db", ingested,
        )  # fmt: skip
        assert result.exit_code == 0, result.output

    def dropping(claims: list) -> list:
        return [
            c for c in claims
            if (c.quote, c.sentence) != (dropped["quote"], dropped["sentence"])
        ]  # fmt: skip

    # The extractor "changes": the dropped claim no longer comes out (a new version number).
    real_extract = EXTRACT_MODULE.extract
    monkeypatch.setattr(
        EXTRACT_MODULE, "extract", lambda text, **kw: dropping(real_extract(text, **kw))
    )
    if hasattr(EXTRACT_MODULE, "extract_with_report"):
        real_report = EXTRACT_MODULE.extract_with_report

        def report_dropping(text: str, **kw: object) -> object:
            result = real_report(text, **kw)
            result.claims = dropping(result.claims)
            return result

        monkeypatch.setattr(EXTRACT_MODULE, "extract_with_report", report_dropping)
    monkeypatch.setattr(EXTRACT_MODULE, "EXTRACTOR_VERSION", "next")
    result = run("ingest", str(Path(ingested).parent / "sources"), "--db", ingested)
    assert result.exit_code == 0, result.output
    assert "retired (kept for their notes)" in result.output

    orphaned = run("notes", "--orphaned", "--db", ingested)
    assert orphaned.exit_code == 0, orphaned.output
    assert dropped["id"] in orphaned.output and kept["id"] not in orphaned.output
    assert orphaned.output.rstrip().endswith("1 note(s)")
    everything = run("notes", "--db", ingested)
    assert everything.output.rstrip().endswith("2 note(s)")
    listed = run("claims", "--db", ingested)
    assert dropped["id"] not in listed.output


def test_bad_files_are_named_and_the_rest_ingested(seeds: Path, db: str, tmp_path: Path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (bad / "latin1.txt").write_bytes("Caf\u00e9 prices rose 5%.".encode("latin-1"))
    (bad / "empty.md").write_bytes(b"")
    with open(bad / "huge.txt", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    result = CliRunner().invoke(
        cli, ["ingest", str(seeds), str(bad), str(tmp_path / "missing.txt"), "--db", db]
    )
    assert result.exit_code == 1
    failures = sorted(line for line in result.stderr.splitlines() if line.startswith("failed: "))
    assert failures == [
        f"failed: {bad / 'binary.txt'}: binary file (NUL byte at offset 8)",
        f"failed: {bad / 'empty.md'}: empty (no text)",
        f"failed: {bad / 'huge.txt'}: too large (52,428,800 bytes; the limit is 20,971,520)",
        f"failed: {tmp_path / 'missing.txt'}: no such file or folder",
    ]
    counts = summary(result.stdout)
    assert (counts["seen"], counts["added"], counts["failed"]) == (10, 6, 4)
    with Ledger(db) as ledger:  # Latin-1 is read, by detection (see tests/test_reading.py)
        assert sorted(row["id"] for row in ledger.db["sources"].rows) == sorted(
            [*SEED_IDS, "latin1"]
        )


def test_size_limit_is_configurable(tmp_path: Path, db: str):
    path = tmp_path / "article.txt"
    filler = "The committee met again and talked at length about the plan.\n" * 180
    path.write_text(filler + "Exports rose 12 percent in 2020.\n")  # 11,013 bytes
    refused = CliRunner().invoke(cli, ["ingest", str(path), "--db", db, "--max-size", "0.01"])
    assert refused.exit_code == 1
    assert "too large (11,013 bytes; the limit is 10,485)" in refused.stderr
    accepted = CliRunner().invoke(cli, ["ingest", str(path), "--db", db, "--max-size", "0.02"])
    assert accepted.exit_code == 0, accepted.output
    assert summary(accepted.stdout)["added"] == 1
    # extract reads as ingest does, to the same limit (a file over 20 MB had no way in)
    refused = CliRunner().invoke(cli, ["extract", str(path), "--max-size", "0.01"])
    assert refused.exit_code == 1
    assert refused.stderr == f"Error: {path}: too large (11,013 bytes; the limit is 10,485)\n"
    accepted = CliRunner().invoke(cli, ["extract", str(path), "--max-size", "0.02"])
    assert accepted.exit_code == 0 and '"quote": "12 percent"' in accepted.stdout
    from ledger.sources import DEFAULT_MAX_BYTES

    for command in ("ingest", "extract"):  # the CLI's default is the readers' own
        (option,) = [p for p in cli.commands[command].params if p.name == "max_size"]
        assert option.default * 1024 * 1024 == DEFAULT_MAX_BYTES


def test_a_bad_manifest_row_skips_its_file_and_a_bad_header_stops_the_ingest(seeds: Path, db: str):
    manifest = seeds / "manifest.csv"
    good = manifest.read_text()
    manifest.write_text(good.replace("2024-12-04", "4 Dec 2024"))
    result = CliRunner().invoke(cli, ["ingest", str(seeds), "--db", db])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"failed: {manifest}: line 2: published: '4 Dec 2024' is not a date"
        " (YYYY-MM-DD, YYYY-MM or YYYY); 000_06537919e2765593.txt skipped"
    ]
    with Ledger(db) as ledger:
        assert ledger.db["sources"].count == 4
    manifest.write_text(good.replace("published_confidence", "colour", 1))
    result = CliRunner().invoke(cli, ["ingest", str(seeds), "--db", str(seeds / "other.db")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "unknown manifest column(s) colour" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    with Ledger(str(seeds / "other.db")) as ledger:
        assert ledger.db["sources"].count == 0


def test_ingest_needs_a_path(db: str):
    result = CliRunner().invoke(cli, ["ingest", "--db", db])
    assert result.exit_code == 2
    assert result.stderr == "Error: Missing argument 'PATHS...'. (see 'ledger ingest --help')\n"


@pytest.mark.parametrize(
    "args,line",
    [
        (["check", "--bogus"], "No such option '--bogus'. (see 'ledger check --help')"),
        (["--bogus"], "No such option '--bogus'. (see 'ledger --help')"),
        (["bogus"], "No such command 'bogus'. (see 'ledger --help')"),
        (
            ["claims", "--limit", "-1"],
            "Invalid value for '--limit': -1 is not in the range x>=1."
            " (see 'ledger claims --help')",
        ),
        (
            ["reviewer", "add"],
            "Missing argument 'NAME'. (see 'ledger reviewer add --help')",
        ),
        # compared as text with publication dates: "Oct 2024" would date every value after all
        (
            ["reference", "import", "auto", "data/", "--vintage", "Oct 2024"],
            "Invalid value for '--vintage': 'Oct 2024' is not a date: YYYY-MM-DD, YYYY-MM or YYYY"
            " (see 'ledger reference import --help')",
        ),
        (
            ["reference", "import", "auto", "data/", "--vintage", "2024-13"],
            "Invalid value for '--vintage': '2024-13' is not a date: YYYY-MM-DD, YYYY-MM or YYYY"
            " (see 'ledger reference import --help')",
        ),
    ],
)
def test_a_usage_error_is_one_line_on_stderr_with_exit_code_2(db: str, args: list[str], line: str):
    """A bad option or value: click's usage, hint and error (four lines) made one."""
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"Error: {line}\n")


def test_a_group_with_no_command_still_shows_its_help():
    result = CliRunner().invoke(cli, ["reference"])
    assert result.exit_code == 2
    assert result.output.startswith("Usage: cli reference [OPTIONS] COMMAND [ARGS]...")  # its help


@pytest.mark.parametrize(
    "args,message",
    [
        (["c-0000000000000000", "--verdict", "accurate", "--text", "x"], "no claim with id"),
        (["{claim}", "--verdict", "true", "--text", "x"], "Invalid value for '--verdict'"),
        (["{claim}", "--verdict", "accurate", "--text", "  "], "a note needs some text"),
        (["{claim}", "--verdict", "accurate"], "Missing option '--text'"),
        (
            ["{claim}", "--verdict", "accurate", "--text", "x", "--evidence", "ftp://x"],
            "evidence URL must be an http(s) URL",
        ),
    ],
)
def test_bad_notes_are_refused_with_a_clear_error(ingested: str, args: list[str], message: str):
    some = claim_rows(ingested)[0]["id"]
    argv = ["note", *(arg.replace("{claim}", some) for arg in args), "--reviewer", "ana"]
    argv += ["--db", ingested]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code != 0
    assert message in result.output
    with Ledger(ingested) as ledger:
        assert ledger.db["notes"].count == 0


def test_notes_for_an_unknown_claim_is_an_error(ingested: str):
    result = CliRunner().invoke(cli, ["notes", "c-nope", "--db", ingested])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no claim with id 'c-nope'"


def test_claims_table_and_filters(ingested: str):
    rows = claim_rows(ingested)
    result = run("claims", "--db", ingested)
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "figure", "quote", "metric", "verdict", "source_id"]
    assert lines[-1] == f"{len(rows)} claim(s)"
    assert len(lines) == len(rows) + 3
    assert all(row["id"] in result.output for row in rows)

    metric = rows[0]["metric"]
    filtered = run("claims", "--metric", metric, "--db", ingested)
    expected = [row["id"] for row in rows if row["metric"] == metric]
    assert filtered.output.splitlines()[-1] == f"{len(expected)} claim(s)"
    assert [line.split()[0] for line in filtered.output.splitlines()[2:-1]] == expected

    source = run("claims", "--source", "CGTN", "--db", ingested)
    cgtn = [row["id"] for row in rows if row["source_id"] == "004_dac431702563645e"]
    assert [line.split()[0] for line in source.output.splitlines()[2:-1]] == cgtn

    word = rows[0]["sentence"].split()[2].strip(",.\"'")
    searched = run("claims", "--search", word, "--db", ingested)
    assert rows[0]["id"] in searched.output

    verdict = CliRunner().invoke(cli, ["claims", "--verdict", "bogus", "--db", ingested])
    assert verdict.exit_code == 2


def noted_ledger(db: str) -> list[dict]:
    """Give three claims notes (the latest differing from the first) and return all claims."""
    rows = claim_rows(db)
    with Ledger(db) as ledger:
        ledger.add_note(rows[0]["id"], "inaccurate", "First look.", reviewer="ana")
        ledger.add_note(rows[0]["id"], "mostly-accurate", "Second | look.", reviewer="bo",
                        evidence_url="https://stats.example/1")  # fmt: skip
        ledger.add_note(rows[1]["id"], "unverifiable", "No public data.", reviewer="ana")
        ledger.add_note(rows[2]["id"], "misleading", "Wrong base year.", reviewer="cy")
        return ledger.claims()


def export(db: str, fmt: str, *extra: str) -> str:
    result = CliRunner().invoke(cli, ["export", "--format", fmt, "--db", db, *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_export_csv_json_jsonl_round_trip_field_by_field(ingested: str, tmp_path: Path):
    rows = noted_ledger(ingested)
    assert rows[0]["verdict"] == "mostly-accurate"
    assert rows[0]["verdict_evidence_url"] == "https://stats.example/1"
    expected = [record(row) for row in rows]
    assert set(COLUMNS) >= {"source_id", "source_path", "source_title", "source_publisher",
                            "source_url", "start", "end", "sentence", "verdict"}  # fmt: skip

    parsed_csv = list(csv.DictReader(io.StringIO(export(ingested, "csv"))))
    assert len(parsed_csv) == len(expected)
    for got, want in zip(parsed_csv, expected, strict=True):
        assert list(got) == list(COLUMNS)
        for column in COLUMNS:
            value = want[column]
            if isinstance(value, list):
                assert json.loads(got[column]) == value
            else:
                assert got[column] == ("" if value is None else str(value)), column

    assert json.loads(export(ingested, "json")) == expected
    lines = export(ingested, "jsonl").splitlines()
    assert [json.loads(line) for line in lines] == expected

    out = tmp_path / "out.json"
    result = CliRunner().invoke(cli, ["export", "--format", "json", "-o", str(out), "--db",
                                      ingested, "--verdict", "misleading"])  # fmt: skip
    assert result.exit_code == 0
    assert result.stderr.strip() == f"wrote 1 claim(s) as json to {out}"
    only = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["id"], r["verdict"], r["verdict_reviewer"]) for r in only] == [
        (rows[2]["id"], "misleading", "cy")
    ]
    assert only[0]["source_title"] == rows[2]["source_title"]


def test_export_markdown_is_a_table_of_the_claims(ingested: str):
    rows = noted_ledger(ingested)
    lines = export(ingested, "markdown").splitlines()
    assert lines[0] == "| " + " | ".join(MARKDOWN_COLUMNS) + " |"
    assert len(lines) == len(rows) + 2
    for line, row in zip(lines[2:], rows, strict=True):
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        shown = dict(zip(MARKDOWN_COLUMNS, cells, strict=True))
        assert shown["claim"] == f"[{row['id']}](</claims/claims/{row['id']}>)"
        assert shown["figure"] == markdown_cell(claim_words(row))
        assert "e+" not in shown["figure"]  # 3.3 trillion, never 3.3e+12
        assert (shown["quote"], shown["verdict"]) == (
            markdown_cell(row["quote"]), markdown_cell(row["verdict"]))  # fmt: skip
        assert shown["why"] == markdown_cell(row["verdict_text"])
        evidence = row["verdict_evidence_url"]
        assert shown["evidence"] == (f"[evidence](<{evidence}>)" if evidence else "")


def test_export_claimreview_follows_the_fact_check_markup(ingested: str):
    rows = noted_ledger(ingested)
    reviews = json.loads(export(ingested, "claimreview", "--site-url", "https://fc.example/"))
    with_verdict = [row for row in rows if row["verdict"] != "unverified"]
    assert len(reviews) == len(with_verdict) == 3
    for review, row in zip(reviews, with_verdict, strict=True):
        assert review["@context"] == "https://schema.org"
        assert review["@type"] == "ClaimReview"
        assert review["url"] == f"https://fc.example/claims/claims/{row['id']}"
        assert review["claimReviewed"] == draft_summary(row)
        assert len(review["claimReviewed"]) <= 75
        assert review["datePublished"] == row["verdict_at"][:10]
        rating = review["reviewRating"]
        label, value = RATINGS[row["verdict"]]
        assert rating["@type"] == "Rating"
        assert rating["alternateName"] == label
        if value is None:
            assert "ratingValue" not in rating
        else:
            assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (
                value,
                5,
                1,
            )
        item = review["itemReviewed"]
        assert item["@type"] == "Claim"
        assert item["datePublished"] == row["source_published"]
        appearance = item["appearance"]
        assert appearance["@type"] == "CreativeWork"
        assert appearance.get("url") == row["source_url"]
        assert appearance["headline"] == row["source_title"]
        if row["attribution"]:
            # the type the extractor stored with the attribution
            assert row["attribution_type"] in ("person", "organisation")
            wanted = "Person" if row["attribution_type"] == "person" else "Organization"
            assert item["author"] == {"@type": wanted, "name": row["attribution"]}
            assert author_type(row) == wanted
        elif row["source_publisher"]:
            assert item["author"] == {"@type": "Organization", "name": row["source_publisher"]}
        assert review["reviewBody"] == row["verdict_text"]
    # the organisation publishes the review; the reviewer who gave the verdict is its creator
    assert {review["author"]["name"] for review in reviews} == {"ledger"}
    assert reviews[0]["creator"] == {"@type": "Person", "name": "bo"}
    assert reviews[1]["creator"] == {"@type": "Person", "name": "ana"}
    assert reviews[1]["reviewRating"]["alternateName"] == "Unverifiable"
    assert reviews[2]["reviewRating"]["ratingValue"] == 2


def test_every_ledger_command_has_help_with_an_example():
    for name in ("ingest", "note", "notes", "claims", "export"):
        result = run(name, "--help")
        assert result.exit_code == 0
        assert "Example" in result.output, name
        assert "--db" in result.output, name
    note_help = " ".join(run("note", "--help").output.split())
    assert "[accurate|mostly-accurate|misleading|inaccurate|unverifiable|" in note_help


def test_claims_and_notes_print_json_nl_and_csv_too(ingested: str):
    rows = noted_ledger(ingested)
    as_json = json.loads(run("claims", "--json", "--db", ingested).output)
    assert as_json == [record(row) for row in rows]
    lines = run("claims", "--nl", "--verdict", "misleading", "--db", ingested).output.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [rows[2]["id"]]
    parsed = list(csv.DictReader(io.StringIO(run("claims", "--csv", "--db", ingested).output)))
    assert [row["id"] for row in parsed] == [row["id"] for row in rows]

    with Ledger(ingested) as ledger:
        stored = ledger.notes()
    notes_json = json.loads(run("notes", "--json", "--db", ingested).output)
    assert notes_json == stored
    assert [(n["claim_id"], n["verdict"], n["text"]) for n in notes_json] == [
        (rows[0]["id"], "inaccurate", "First look."),
        (rows[0]["id"], "mostly-accurate", "Second | look."),
        (rows[1]["id"], "unverifiable", "No public data."),
        (rows[2]["id"], "misleading", "Wrong base year."),
    ]
    notes_nl = run("notes", rows[1]["id"], "--nl", "--db", ingested).output.splitlines()
    assert [json.loads(line)["verdict"] for line in notes_nl] == ["unverifiable"]
    notes_csv = list(csv.DictReader(io.StringIO(run("notes", "--csv", "--db", ingested).output)))
    assert [(n["id"], n["reviewer"], n["orphaned"]) for n in notes_csv] == [
        ("1", "ana", "False"),
        ("2", "bo", "False"),
        ("3", "ana", "False"),
        ("4", "cy", "False"),
    ]


def test_ctrl_c_leaves_every_source_whole_and_the_next_ingest_finishes(tmp_path: Path):
    # Enough sources for several of the writer's batches (CommitEvery), so Ctrl-C lands mid-run.
    sources = 1200
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number in range(sources):
        sentences = [
            f"Exports from plant {number} rose {number % 9}.{step} percent in {2000 + step}."
            for step in range(12)
        ]
        (corpus / f"s{number:04}.txt").write_text(" ".join(sentences) + "\n", encoding="utf-8")
    db = tmp_path / "claims.db"

    def ingest(jobs: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", "from ledger.cli import cli; cli()", "ingest", str(corpus),
             "--db", str(db), "--jobs", jobs],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )  # fmt: skip

    def stored_sources() -> int:
        if not db.exists():
            return 0
        with contextlib.closing(sqlite3.connect(db, timeout=10)) as connection:
            try:
                return connection.execute("select count(*) from sources").fetchone()[0]
            except sqlite3.OperationalError:  # tables not created yet
                return 0

    process = ingest("2")
    deadline = time.monotonic() + 60
    while stored_sources() < 20 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the ingest finished before it could be interrupted"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert err.strip().splitlines() == [
        "Error: interrupted: every source is either fully ingested or untouched; "
        "run the same ingest again to finish"
    ]
    with contextlib.closing(sqlite3.connect(db)) as connection:
        assert connection.execute("pragma integrity_check").fetchone() == ("ok",)
        done = connection.execute("select count(*) from sources").fetchone()[0]
        per_source = connection.execute(
            "select count(*) from sources left join claims on claims.source_id = sources.id "
            "group by sources.id"
        ).fetchall()
    assert 20 <= done < sources
    assert {count for (count,) in per_source} == {12}  # all 12 figures of every stored source

    finish = run("ingest", str(corpus), "--db", str(db))
    counts = summary(finish.output)
    assert (counts["added"], counts["unchanged"], counts["failed"]) == (sources - done, done, 0)
    with Ledger(db) as ledger:
        assert ledger.db["claims"].count == sources * 12


@pytest.mark.parametrize(
    "args",
    [
        ["claims"],
        ["notes"],
        ["export", "--format", "json"],
        ["note", "c-0000000000000000", "--verdict", "accurate", "--text", "x"],
    ],
)
def test_reading_a_missing_ledger_is_an_error_not_a_new_file(tmp_path: Path, args: list[str]):
    missing = tmp_path / "typo.db"
    result = CliRunner().invoke(cli, [*args, "--db", str(missing)])
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == f"Error: no ledger at {missing} (build one with `ledger ingest sources/`)"
    )
    assert not missing.exists()


@pytest.mark.parametrize("command", [["ingest", str(ROOT / "sources")], ["claims"], ["notes"]])
def test_a_db_that_is_not_sqlite_is_a_clear_error(tmp_path: Path, command: list[str]):
    impostor = tmp_path / "notes.txt"
    impostor.write_text("this is not a database\n" * 100)
    result = CliRunner().invoke(cli, [*command, "--db", str(impostor)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {impostor}: cannot open the ledger (file is not a database)"
    )
