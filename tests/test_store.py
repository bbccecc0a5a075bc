"""The ledger's mechanics (ids, incremental ingest, transactions, notes, queries) on a tiny fake
extractor, so these tests say what the store does whatever the real extractor finds."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import math
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import regex

from ledger import ingest
from ledger.ingest import CommitEvery, Writer
from ledger.models import Claim, claim_id
from ledger.rules import load_rules
from ledger.schema import FTS_COLUMNS
from ledger.store import Ledger, LedgerError

EXTRACT_MODULE = importlib.import_module("ledger.extraction")

# A figure: digits with separators, then an optional "%" (enough for the mechanics tested here).
FIGURE = regex.compile(
    r"""
    (?<![\w.])            # not inside a word or a longer number
    \d+(?:[.,]\d+)*       # 12, 3.5, 1,200
    (?P<pct>\s?%)?        # a percent sign makes it a percent
    """,
    regex.VERBOSE,
)
# A sentence: up to a stop that is not a decimal point.
SENTENCE = regex.compile(r"(?:[^.!?\n]|\.(?=\d))+(?:[.!?]|$)", regex.MULTILINE)


def fake_extract(text: str, *, published: object = None) -> list[Claim]:
    """One claim per figure; metric 'growth' for percents, 'count' otherwise."""
    claims = []
    for sentence in SENTENCE.finditer(text):
        seen: dict[str, int] = {}
        for match in FIGURE.finditer(sentence.group()):
            quote = match.group()
            percent = bool(match.group("pct"))
            claim = Claim(
                start=sentence.start() + match.start(),
                end=sentence.start() + match.end(),
                quote=quote,
                value=float(quote.rstrip("% ").replace(",", "")),
                kind="percent" if percent else "count",
                unit="percent" if percent else None,
                metric="growth" if percent else "count",
                sentence=sentence.group(),
                sentence_start=sentence.start(),
                rule="fake",
                checkworthiness=0.5,
            )
            occurrence = seen.get(quote, 0)
            seen[quote] = occurrence + 1
            claim.fingerprint = claim.compute_fingerprint(occurrence)
            claims.append(claim)
    return claims


def fake_without_percents(text: str, *, published: object = None) -> list[Claim]:
    """The fake after a 'rule change': percent figures no longer come out."""
    return [claim for claim in fake_extract(text) if claim.kind != "percent"]


def failing_on_bad(text: str, *, published: object = None) -> list[Claim]:
    if "BAD" in text:
        raise RuntimeError("rule exploded")
    return fake_extract(text)


ALPHA = "Output rose 12% in 2020. The plant has 300 workers.\n"
BETA = "Sales fell 3.5% last year. Exports reached 1,200 units.\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "alpha.txt").write_text(ALPHA, encoding="utf-8")
    (folder / "beta.md").write_text(BETA, encoding="utf-8")
    (folder / "manifest.csv").write_text(
        "file,publisher,title,url,published,published_confidence,notes\n"
        "alpha.txt,Daily Alpha,Alpha rises,https://alpha.example/1,2021-02-03,exact,\n",
        encoding="utf-8",
    )
    return folder


def ids_by_quote(new_ledger: Ledger) -> dict[str, str]:
    return {row["quote"]: row["id"] for row in new_ledger.claims()}


def test_ingest_stores_sources_claims_and_a_run(new_ledger: Ledger, corpus: Path):
    report = new_ledger.ingest([corpus], extractor=fake_extract)
    assert (report.files_seen, report.files_added, report.files_failed) == (2, 2, 0)
    assert report.claims_added == 5
    alpha = new_ledger.db["sources"].get("alpha")
    assert alpha["title"] == "Alpha rises"
    assert alpha["publisher"] == "Daily Alpha"
    assert alpha["url"] == "https://alpha.example/1"
    assert alpha["published"] == "2021-02-03"
    assert alpha["text"] == ALPHA
    assert alpha["chars"] == len(ALPHA)
    assert alpha["sha256"] == hashlib.sha256(ALPHA.encode()).hexdigest()
    beta = new_ledger.db["sources"].get("beta")
    assert beta["title"] == "Sales fell 3.5% last year."
    assert beta["publisher"] is None
    rows = new_ledger.claims()
    assert [(r["source_id"], r["quote"], r["value"]) for r in rows] == [
        ("alpha", "12%", 12.0),
        ("alpha", "2020", 2020.0),
        ("alpha", "300", 300.0),
        ("beta", "3.5%", 3.5),
        ("beta", "1,200", 1200.0),
    ]
    for row in rows:
        source = new_ledger.db["sources"].get(row["source_id"])
        assert source["text"][row["start"] : row["end"]] == row["quote"]
        assert row["id"] == claim_id(row["source_id"], row["fingerprint"])
        assert row["first_seen"] == row["last_seen"]
        assert row["verdict"] == "unverified"
        assert row["source_path"].endswith(f"src/{Path(source['path']).name}")
    run = new_ledger.db["runs"].get(report.run_id)
    assert (run["files_seen"], run["files_added"], run["claims_added"]) == (2, 2, 5)
    assert (run["claims_removed"], run["claims_retired"], run["files_unchanged"]) == (0, 0, 0)
    assert json.loads(run["failures"]) == []


def test_progress_is_told_of_each_file_and_the_total(new_ledger: Ledger, corpus: Path):
    seen: list[tuple[str, str, int]] = []
    new_ledger.ingest(
        [corpus],
        extractor=fake_extract,
        progress=lambda s, st, n: seen.append((s.source_id, st, n)),
    )
    assert seen == [("alpha", "extracted", 2), ("beta", "extracted", 2)]
    seen.clear()
    new_ledger.ingest(
        [corpus],
        extractor=fake_extract,
        progress=lambda s, st, n: seen.append((s.source_id, st, n)),
    )
    assert seen == [("alpha", "unchanged", 2), ("beta", "unchanged", 2)]


def test_reingest_unchanged_extracts_nothing_and_keeps_ids(new_ledger: Ledger, corpus: Path):
    new_ledger.ingest([corpus], extractor=fake_extract)
    before = ids_by_quote(new_ledger)
    calls: list[str] = []

    def counting(text: str, *, published: object = None) -> list[Claim]:
        calls.append(text)
        return fake_extract(text)

    report = new_ledger.ingest([corpus], extractor=counting)
    assert calls == []
    assert (report.files_unchanged, report.files_changed, report.claims_added) == (2, 0, 0)
    assert ids_by_quote(new_ledger) == before
    assert new_ledger.db["runs"].count == 2


def rows_changed(new_ledger: Ledger, change: Callable[[], object]) -> int:
    """Rows `change` changed, with those its triggers changed (a re-index changes several)."""
    before = new_ledger.db.conn.total_changes
    change()
    return new_ledger.db.conn.total_changes - before


def test_only_changed_text_is_indexed_again(new_ledger: Ledger, corpus: Path, tmp_path: Path):
    # sqlite-utils' triggers re-index a row on any update: a moved corpus re-indexed every text.
    new_ledger.ingest([corpus], extractor=fake_extract)
    claims = new_ledger.db["claims"].count

    def update(sql: str) -> Callable[[], object]:
        return lambda: new_ledger.db.execute(sql)

    assert rows_changed(new_ledger, update("update sources set path = 'x' where id = 'alpha'")) == 1
    assert rows_changed(new_ledger, update("update claims set quote = quote, rule = 'y'")) == claims
    assert (
        rows_changed(new_ledger, update("update sources set title = 'Zeta' where id = 'alpha'")) > 1
    )
    assert new_ledger.db.execute(
        "select rowid from sources_fts where title match 'zeta'"
    ).fetchall()
    new_ledger.db.conn.commit()

    def ingest(folder: Path) -> Callable[[], object]:
        return lambda: new_ledger.ingest([folder], extractor=fake_extract)

    same = rows_changed(new_ledger, ingest(corpus))  # the manifest's title back, the stats, a run
    again = rows_changed(new_ledger, ingest(corpus))
    moved = rows_changed(new_ledger, ingest(corpus.rename(tmp_path / "moved")))
    assert same > again
    assert moved == again + 2  # the two paths, and no re-index
    assert new_ledger.db["sources"].get("beta")["path"].endswith("moved/beta.md")


def indexed_words(db: sqlite3.Connection, table: str) -> list[tuple]:
    """(term, rowid, column, offset) of every word `table_fts` holds (fts5vocab's 'instance')."""
    db.execute(
        f"create virtual table temp.{table}_words using fts5vocab(main, {table}_fts, instance)"
    )
    try:
        return sorted(db.execute(f"select term, doc, col, offset from temp.{table}_words"))
    finally:
        db.execute(f"drop table temp.{table}_words")


def freshly_indexed_words(db: sqlite3.Connection, table: str, columns: list[str]) -> list[tuple]:
    """The same, for an index built anew from the table's rows as they are now."""
    fresh = sqlite3.connect(":memory:")
    listed = ", ".join(columns)
    fresh.execute(f"create virtual table {table}_fts using fts5({listed}, tokenize='porter')")
    rows = db.execute(f"select rowid, {listed} from {table}").fetchall()
    marks = ", ".join("?" for _ in range(len(columns) + 1))
    fresh.executemany(f"insert into {table}_fts (rowid, {listed}) values ({marks})", rows)
    return indexed_words(fresh, table)


def test_full_text_indexes_hold_exactly_the_rows_after_batched_writes(
    new_ledger: Ledger, tmp_path: Path
):
    # Sources and claims are written a batch to a statement (see _BatchRows); the triggers must
    # still index every new row, re-index edited ones and forget deleted ones.
    corpus = numbered_corpus(tmp_path / "many", 9)
    new_ledger.ingest([corpus], extractor=fake_extract, commit_every=CommitEvery(sources=4))
    (corpus / "s03.txt").write_text("Item three fell 7% and sold 80 units.\n", encoding="utf-8")
    (corpus / "s07.txt").unlink()
    (corpus / "s09.txt").write_text("A new item rose 5%.\n", encoding="utf-8")
    new_ledger.ingest([corpus], extractor=fake_extract, commit_every=CommitEvery(sources=4))
    new_ledger.db.conn.commit()
    for table, columns in FTS_COLUMNS.items():
        words = indexed_words(new_ledger.db.conn, table)
        assert words == freshly_indexed_words(new_ledger.db.conn, table, columns)
        if table != "claims":  # whose index holds the quotes: "7%", "80"
            assert {"fell", "sold"} <= {word for word, *_ in words}
    assert [row["quote"] for row in new_ledger.claims(search="fell")] == ["7%", "80"]


def test_a_ledger_with_sqlite_utils_update_triggers_gets_the_narrow_ones(tmp_path: Path):
    path = tmp_path / "claims.db"
    with Ledger(path) as new_ledger:
        narrow = new_ledger.db.execute("select sql from sqlite_master where name = 'claims_au'")
        narrow_sql = narrow.fetchone()[0]
        new_ledger.db.execute("drop trigger claims_au")
        new_ledger.db.execute(
            "create trigger claims_au after update on claims begin "
            "insert into claims_fts (claims_fts, rowid, quote) "
            "values ('delete', old.rowid, old.quote); "
            "insert into claims_fts (rowid, quote) values (new.rowid, new.quote); end"
        )
        new_ledger.db.conn.commit()
    with Ledger(path) as new_ledger:
        again = new_ledger.db.execute("select sql from sqlite_master where name = 'claims_au'")
        assert again.fetchone()[0] == narrow_sql
    assert 'AFTER UPDATE OF "quote" ON "claims" WHEN' in narrow_sql


def test_append_and_typo_fix_keep_untouched_ids_and_notes(new_ledger: Ledger, corpus: Path):
    new_ledger.ingest([corpus], extractor=fake_extract)
    before = ids_by_quote(new_ledger)
    first_seen = {r["id"]: r["first_seen"] for r in new_ledger.claims()}
    new_ledger.add_note(before["300"], "accurate", "Payroll records say 300.", reviewer="ana")
    new_ledger.add_note(before["3.5%"], "misleading", "It was 3.4%.", reviewer="ana")

    (corpus / "alpha.txt").write_text(ALPHA + "A new line adds 45 jobs.\n", encoding="utf-8")
    report = new_ledger.ingest([corpus], extractor=fake_extract)
    assert (report.files_changed, report.files_unchanged) == (1, 1)
    assert (report.claims_added, report.claims_removed) == (1, 0)
    after = ids_by_quote(new_ledger)
    assert {q: after[q] for q in before} == before
    assert {r["id"]: r["first_seen"] for r in new_ledger.claims() if r["id"] in first_seen} == (
        first_seen
    )

    # A typo fixed in beta's first sentence changes that sentence's claim only.
    (corpus / "beta.md").write_text(BETA.replace("Sales fell", "Sales fall"), encoding="utf-8")
    report = new_ledger.ingest([corpus], extractor=fake_extract)
    assert (report.files_changed, report.claims_added, report.claims_retired) == (1, 1, 1)
    after = ids_by_quote(new_ledger)
    assert after["1,200"] == before["1,200"]
    assert after["3.5%"] != before["3.5%"]
    notes = new_ledger.notes()
    assert [(n["claim_id"], n["orphaned"]) for n in notes] == [
        (before["300"], False),
        (before["3.5%"], True),
    ]
    assert [n["claim_id"] for n in new_ledger.notes(orphaned=True)] == [before["3.5%"]]


def test_claim_no_longer_extracted_is_deleted_unless_a_note_keeps_it(
    new_ledger: Ledger, corpus: Path
):
    new_ledger.ingest([corpus], extractor=fake_extract)
    before = ids_by_quote(new_ledger)
    new_ledger.add_note(before["12%"], "accurate", "Checked against the bureau.", reviewer="ana")
    new_ledger.db["checks"].insert({"claim_id": before["3.5%"], "outcome": "consistent"})

    report = new_ledger.ingest([corpus], extractor=fake_without_percents, force=True)
    assert (report.files_changed, report.claims_removed, report.claims_retired) == (2, 1, 1)
    run = new_ledger.db["runs"].get(report.run_id)
    assert (run["claims_removed"], run["claims_retired"]) == (1, 1)
    assert "12%" not in ids_by_quote(new_ledger)
    kept = new_ledger.db["claims"].get(before["12%"])
    assert kept["retired_at"] is not None
    assert list(new_ledger.db["claims"].rows_where("id = ?", [before["3.5%"]])) == []
    assert new_ledger.db["checks"].count == 0
    orphaned = new_ledger.notes(orphaned=True)
    assert [(n["claim_id"], n["quote"], n["orphaned"]) for n in orphaned] == [
        (before["12%"], "12%", True)
    ]
    assert new_ledger.claim(before["12%"])["retired_at"] == kept["retired_at"]

    # The rule comes back: the same claim returns under its old id and is no longer retired.
    new_ledger.ingest([corpus], extractor=fake_extract, force=True)
    assert ids_by_quote(new_ledger)["12%"] == before["12%"]
    assert new_ledger.db["claims"].get(before["12%"])["retired_at"] is None
    assert new_ledger.notes(orphaned=True) == []


@pytest.mark.parametrize("jobs", [1, 2])  # 2: the failures come back from worker processes
def test_one_failing_file_is_named_and_the_rest_ingested(
    new_ledger: Ledger, corpus: Path, jobs: int
):
    (corpus / "gamma.txt").write_text("BAD 7 things.\n", encoding="utf-8")
    (corpus / "delta.txt").write_bytes(b"\xff\xfe bad bytes")
    report = new_ledger.ingest(
        [corpus, corpus / "missing.txt"], extractor=failing_on_bad, jobs=jobs
    )
    assert report.files_added == 2
    assert sorted((Path(f.path).name, f.reason) for f in report.failures) == [
        (
            "delta.txt",
            "not valid UTF-8 (byte 0xff at offset 0) and its encoding could not be detected"
            " with confidence; name it with --encoding",
        ),
        ("gamma.txt", "extractor failed (RuntimeError: rule exploded)"),
        ("missing.txt", "no such file or folder"),
    ]
    assert [row["id"] for row in new_ledger.db["sources"].rows] == ["alpha", "beta"]
    run = new_ledger.db["runs"].get(report.run_id)
    assert run["files_failed"] == 3
    assert {Path(f["path"]).name for f in json.loads(run["failures"])} == {
        "delta.txt",
        "gamma.txt",
        "missing.txt",
    }


def test_interrupted_write_leaves_the_source_untouched(
    new_ledger: Ledger, corpus: Path, monkeypatch: pytest.MonkeyPatch
):
    new_ledger.ingest([corpus], extractor=fake_extract)
    before = {r["id"] for r in new_ledger.claims()}
    old_sha = new_ledger.db["sources"].get("alpha")["sha256"]
    (corpus / "alpha.txt").write_text("Entirely new: 99 items.\n", encoding="utf-8")

    def interrupted(self: Writer, claim_ids: list[str], now: str) -> int:
        raise KeyboardInterrupt  # Ctrl-C after the source and its claims were written

    monkeypatch.setattr(Writer, "_retire_or_delete", interrupted)
    with pytest.raises(KeyboardInterrupt):
        new_ledger.ingest([corpus], extractor=fake_extract)
    assert {r["id"] for r in new_ledger.claims()} == before
    assert new_ledger.db["sources"].get("alpha")["sha256"] == old_sha
    assert new_ledger.db.execute("pragma integrity_check").fetchone()[0] == "ok"
    monkeypatch.undo()
    report = new_ledger.ingest([corpus], extractor=fake_extract)
    assert report.files_changed == 1
    assert [r["quote"] for r in new_ledger.claims(source="alpha")] == ["99"]


def numbered_corpus(folder: Path, count: int) -> Path:
    """`count` one-line sources s00, s01, ... with two figures each."""
    folder.mkdir()
    for n in range(count):
        (folder / f"s{n:02d}.txt").write_text(f"Item {n} rose {n + 1}%.\n", encoding="utf-8")
    return folder


def committed_sources(new_ledger: Ledger) -> list[str]:
    """Source ids another connection sees: only what has been committed."""
    with contextlib.closing(sqlite3.connect(new_ledger.path)) as other:
        return [row[0] for row in other.execute("select id from sources order by id")]


@pytest.mark.parametrize(
    ("commit_every", "seen"),
    [
        (CommitEvery(sources=3, seconds=math.inf), [3, 3, 3, 6, 6, 6, 7]),
        (CommitEvery(sources=1), [1, 2, 3, 4, 5, 6, 7]),
        (CommitEvery(chars=1), [1, 2, 3, 4, 5, 6, 7]),  # one source's text already fills it
        (CommitEvery(seconds=0), [1, 2, 3, 4, 5, 6, 7]),  # no source waits for another
    ],
)
def test_sources_are_committed_in_batches_and_progress_is_told_once_they_are(
    new_ledger: Ledger, tmp_path: Path, commit_every: CommitEvery, seen: list[int]
):
    corpus = numbered_corpus(tmp_path / "many", 7)
    committed: list[int] = []
    new_ledger.ingest(
        [corpus],
        extractor=fake_extract,
        commit_every=commit_every,
        progress=lambda source, status, total: committed.append(len(committed_sources(new_ledger))),
    )
    assert committed == seen


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_interrupted_batch_is_absent_and_the_next_ingest_redoes_it(
    new_ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
):
    corpus = numbered_corpus(tmp_path / "many", 7)
    with Ledger(tmp_path / "clean.db") as clean:
        clean.ingest([corpus], extractor=fake_extract)
        expected = {(row["id"], row["source_id"]) for row in clean.claims()}
    written = 0
    retire_or_delete = Writer._retire_or_delete

    def interrupted_in_the_fifth_source(self: Writer, claim_ids: list[str], now: str) -> int:
        nonlocal written
        written += 1
        if written == 5:  # Ctrl-C in the middle of the second batch
            raise KeyboardInterrupt
        return retire_or_delete(self, claim_ids, now)

    monkeypatch.setattr(Writer, "_retire_or_delete", interrupted_in_the_fifth_source)
    with pytest.raises(KeyboardInterrupt):
        new_ledger.ingest(
            [corpus],
            extractor=fake_extract,
            jobs=jobs,
            commit_every=CommitEvery(sources=3, seconds=math.inf),
        )
    assert committed_sources(new_ledger) == ["s00", "s01", "s02"]  # the first batch, whole
    assert {(row["id"], row["source_id"]) for row in new_ledger.claims()} == {
        claim for claim in expected if claim[1] in ("s00", "s01", "s02")
    }
    assert new_ledger.db.execute("pragma integrity_check").fetchone()[0] == "ok"
    monkeypatch.undo()
    report = new_ledger.ingest([corpus], extractor=fake_extract)
    assert (report.files_added, report.files_unchanged) == (4, 3)
    assert {(row["id"], row["source_id"]) for row in new_ledger.claims()} == expected


def test_worker_processes_give_the_same_ledger(tmp_path: Path, corpus: Path):
    for index in range(6):
        (corpus / f"extra{index}.txt").write_text(f"Item {index} costs {index + 10}%.\n")
    results = []
    for jobs in (1, 2):
        with Ledger(tmp_path / f"jobs{jobs}.db") as new_ledger:
            report = new_ledger.ingest([corpus], jobs=jobs, extractor=fake_extract)
            assert (report.files_added, report.files_failed) == (8, 0)
            results.append([(r["id"], r["value"], r["source_id"]) for r in new_ledger.claims()])
    assert results[0] == results[1]
    assert len(results[0]) == 5 + 6 * 2


def test_workers_are_forked_with_every_pattern_compiled(
    new_ledger: Ledger, corpus: Path, monkeypatch: pytest.MonkeyPatch
):
    rules = load_rules()  # its lazy patterns not compiled yet
    monkeypatch.setattr(ingest, "default_rules", lambda: rules)
    report = new_ledger.ingest([corpus], jobs=2)
    assert report.files_added == 2
    assert set(rules.compiled) == set(rules.compiled.compilers)


def test_publication_date_or_extractor_version_change_re_extracts(
    new_ledger: Ledger, corpus: Path, monkeypatch: pytest.MonkeyPatch
):
    new_ledger.ingest([corpus], extractor=fake_extract)
    manifest = corpus / "manifest.csv"
    manifest.write_text(manifest.read_text().replace("2021-02-03", "2021-02-04"))
    report = new_ledger.ingest([corpus], extractor=fake_extract)
    assert (report.files_changed, report.files_unchanged) == (1, 1)
    assert new_ledger.db["sources"].get("alpha")["published"] == "2021-02-04"

    manifest.write_text(manifest.read_text().replace("Daily Alpha", "Alpha Daily"))
    report = new_ledger.ingest([corpus], extractor=fake_extract)
    assert (report.files_changed, report.files_unchanged) == (0, 2)
    assert new_ledger.db["sources"].get("alpha")["publisher"] == "Alpha Daily"

    monkeypatch.setattr(EXTRACT_MODULE, "EXTRACTOR_VERSION", "999.0")
    report = new_ledger.ingest([corpus], extractor=fake_extract)
    assert report.files_changed == 2
    assert {r["extractor_version"] for r in new_ledger.claims()} == {"999.0"}


def test_default_extractor_is_looked_up_and_its_rule_timeouts_recorded(
    new_ledger: Ledger, corpus: Path, monkeypatch: pytest.MonkeyPatch
):
    @dataclass
    class Extraction:  # the shape of ledger.extraction.Extraction
        claims: list[Claim]
        timed_out: list[str]

    def with_report(
        text: str, *, published: object = None, published_precision: object = None
    ) -> Extraction:
        return Extraction(fake_extract(text), ["money.slow_rule"] if "Sales" in text else [])

    monkeypatch.setattr(EXTRACT_MODULE, "extract_with_report", with_report, raising=False)
    report = new_ledger.ingest([corpus])
    assert report.claims_added == 5
    assert report.rule_timeouts == [{"source_id": "beta", "rule": "money.slow_rule"}]
    run = new_ledger.db["runs"].get(report.run_id)
    assert json.loads(run["rule_timeouts"]) == [{"source_id": "beta", "rule": "money.slow_rule"}]
    assert "1 rule timeout(s)" in report.summary()


def test_the_same_sentence_twice_gives_two_stable_ids(new_ledger: Ledger, tmp_path: Path):
    path = tmp_path / "twice.txt"
    path.write_text("Prices rose 5%. Prices rose 5%.\n")
    new_ledger.ingest([path], extractor=fake_extract)
    first = [r["id"] for r in new_ledger.claims()]
    assert len(first) == len(set(first)) == 2
    path.write_text("Intro 1. Prices rose 5%. Prices rose 5%.\n")
    new_ledger.ingest([path], extractor=fake_extract)
    assert set(first) <= {r["id"] for r in new_ledger.claims()}


def test_notes_are_validated(new_ledger: Ledger, corpus: Path):
    new_ledger.ingest([corpus], extractor=fake_extract)
    some = ids_by_quote(new_ledger)["300"]
    with pytest.raises(LedgerError, match="no claim with id 'c-nope'"):
        new_ledger.add_note("c-nope", "accurate", "x", reviewer="ana")
    with pytest.raises(LedgerError, match="unknown verdict 'true'"):
        new_ledger.add_note(some, "true", "x", reviewer="ana")
    with pytest.raises(LedgerError, match="a note needs some text"):
        new_ledger.add_note(some, "accurate", "   ", reviewer="ana")
    with pytest.raises(LedgerError, match="evidence URL must be an http"):
        new_ledger.add_note(
            some, "accurate", "x", evidence_url="javascript:alert(1)", reviewer="ana"
        )
    with pytest.raises(LedgerError, match="no claim with id"):
        new_ledger.notes("c-nope")
    assert new_ledger.db["notes"].count == 0
    note = new_ledger.add_note(
        some, "accurate", " Fine. ", evidence_url="https://e.example/x", reviewer="bo"
    )
    assert note["text"] == "Fine."
    stored = new_ledger.db["notes"].get(note["id"])
    assert (stored["claim_id"], stored["verdict"], stored["evidence_url"]) == (
        some,
        "accurate",
        "https://e.example/x",
    )


def test_latest_note_is_the_verdict_and_filters_work(new_ledger: Ledger, corpus: Path):
    new_ledger.ingest([corpus], extractor=fake_extract)
    ids = ids_by_quote(new_ledger)
    new_ledger.add_note(ids["300"], "inaccurate", "first look", reviewer="ana")
    new_ledger.add_note(ids["300"], "accurate", "second look", reviewer="cy")
    row = new_ledger.claim(ids["300"])
    assert (row["verdict"], row["verdict_text"], row["verdict_reviewer"], row["notes_count"]) == (
        "accurate",
        "second look",
        "cy",
        2,
    )
    assert [r["quote"] for r in new_ledger.claims(verdict="accurate")] == ["300"]
    assert len(new_ledger.claims(verdict="unverified")) == 4
    assert [r["quote"] for r in new_ledger.claims(metric="growth")] == ["12%", "3.5%"]
    assert [r["quote"] for r in new_ledger.claims(source="beta")] == ["3.5%", "1,200"]
    assert [r["quote"] for r in new_ledger.claims(source="daily alpha")] == ["12%", "2020", "300"]
    assert [r["quote"] for r in new_ledger.claims(search="workers")] == ["300"]
    assert [r["quote"] for r in new_ledger.claims(search='Exports "')] == ["1,200"]
    assert len(new_ledger.claims(limit=2)) == 2
    with pytest.raises(LedgerError, match="unknown verdict"):
        new_ledger.claims(verdict="true")


def test_check_outcomes_ride_along_when_checks_exist(new_ledger: Ledger, corpus: Path):
    new_ledger.ingest([corpus], extractor=fake_extract)
    ids = ids_by_quote(new_ledger)
    assert new_ledger.claim(ids["12%"])["checks"] == []
    new_ledger.db["checks"].insert_all(
        [
            {"claim_id": ids["12%"], "against_type": "reference", "against_id": "r1",
             "outcome": "consistent", "difference_pct": 1.5},
            {"claim_id": ids["12%"], "against_type": "claim", "against_id": ids["3.5%"],
             "outcome": "inconsistent", "difference_pct": 70.8},
        ]
    )  # fmt: skip
    row = new_ledger.claim(ids["12%"])
    assert row["check_summary"] == "inconsistent 1, consistent 1"
    assert [(c["against_id"], c["outcome"]) for c in row["checks"]] == [
        ("r1", "consistent"),
        (ids["3.5%"], "inconsistent"),
    ]
    assert new_ledger.claim(ids["300"])["check_summary"] is None


def test_ingest_never_touches_notes_references_or_checks_tables(new_ledger: Ledger, corpus: Path):
    new_ledger.ingest([corpus], extractor=fake_extract)
    new_ledger.db["references"].insert({"id": "r1", "metric": "growth", "value": 12.0})
    ids = ids_by_quote(new_ledger)
    new_ledger.add_note(ids["300"], "accurate", "ok", reviewer="ana")
    new_ledger.db["checks"].insert({"claim_id": ids["300"], "outcome": "consistent"})
    new_ledger.ingest([corpus], extractor=fake_extract, force=True)
    assert new_ledger.db["references"].count == 1
    assert new_ledger.db["notes"].count == 1
    assert new_ledger.db["checks"].count == 1


def age(path: Path, seconds: float = 60) -> None:
    """Make a file look `seconds` old (its mtime is then trusted by the next ingest)."""
    when = path.stat().st_mtime - seconds
    os.utime(path, (when, when))


def test_unchanged_stat_skips_reading_and_fresh_files_are_hashed(
    new_ledger: Ledger, corpus: Path, monkeypatch: pytest.MonkeyPatch
):
    age(corpus / "alpha.txt")
    new_ledger.ingest([corpus], extractor=fake_extract)
    alpha, beta = new_ledger.db["file_stats"].get("alpha"), new_ledger.db["file_stats"].get("beta")
    assert alpha["bytes"] == len(ALPHA) and alpha["mtime_ns"] is not None
    assert beta["bytes"] == len(BETA) and beta["mtime_ns"] is None  # written just now: too fresh

    read: list[str] = []
    real_read = ingest.read_source

    def spying_read(path: Path, *args: object) -> object:
        read.append(Path(path).name)
        return real_read(path, *args)

    monkeypatch.setattr(ingest, "read_source", spying_read)
    report = new_ledger.ingest([corpus], extractor=fake_extract)
    assert report.files_unchanged == 2
    assert read == ["beta.md"]  # alpha's stat matched: not even read

    # Touched but identical: hashed once, found unchanged, its new stat remembered.
    age(corpus / "beta.md", 30)
    read.clear()
    report = new_ledger.ingest([corpus], extractor=fake_extract)
    assert (report.files_unchanged, read) == (2, ["beta.md"])
    stat = new_ledger.db["file_stats"].get("beta")
    assert stat["mtime_ns"] == (corpus / "beta.md").stat().st_mtime_ns
    read.clear()
    new_ledger.ingest([corpus], extractor=fake_extract)
    assert read == []

    # Edited: the stat differs, so it is hashed and re-extracted.
    (corpus / "alpha.txt").write_text(ALPHA.replace("300", "301"), encoding="utf-8")
    report = new_ledger.ingest([corpus], extractor=fake_extract)
    assert report.files_changed == 1
    assert "301" in ids_by_quote(new_ledger)


def test_an_edit_that_keeps_size_and_mtime_needs_force(new_ledger: Ledger, corpus: Path):
    """The stat shortcut's known limit (git's too): same size and mtime means unchanged."""
    path = corpus / "alpha.txt"
    age(path)
    new_ledger.ingest([corpus], extractor=fake_extract)
    stamp = path.stat().st_mtime_ns
    path.write_text(ALPHA.replace("300", "400"), encoding="utf-8")
    os.utime(path, ns=(stamp, stamp))
    assert new_ledger.ingest([corpus], extractor=fake_extract).files_changed == 0
    assert new_ledger.ingest([corpus], extractor=fake_extract, force=True).files_changed == 2
    assert "400" in ids_by_quote(new_ledger)


def aged_corpus(folder: Path, texts: dict[str, str]) -> Path:
    """A folder of sources a minute old, so an ingest trusts their stats and signs the folder."""
    folder.mkdir(parents=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
        age(folder / name)
    return folder


@pytest.fixture
def looked_at(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The source ids whose stored rows an ingest looks up, in order (`Writer.plan`)."""
    planned: list[str] = []
    plan = Writer.plan

    def spying_plan(self: Writer, source: ingest.SourceFile, *args: object) -> object:
        planned.append(source.source_id)
        return plan(self, source, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Writer, "plan", spying_plan)
    return planned


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_unchanged_folder_is_skipped_whole_and_any_change_reopens_it(
    new_ledger: Ledger,
    tmp_path: Path,
    looked_at: list[str],
    monkeypatch: pytest.MonkeyPatch,
    jobs: int,
):
    corpus = aged_corpus(tmp_path / "src", {"alpha.txt": ALPHA, "beta.md": BETA})
    new_ledger.ingest([corpus], extractor=fake_extract, jobs=jobs)
    assert new_ledger.db["folder_stats"].count == 1
    looked_at.clear()
    report = new_ledger.ingest([corpus], extractor=fake_extract, jobs=jobs)
    assert (report.files_seen, report.files_unchanged, looked_at) == (2, 2, [])

    # an edit: the folder is walked file by file, the edited file re-extracted, the folder signed
    (corpus / "beta.md").write_text(BETA.replace("1,200", "1,300"), encoding="utf-8")
    age(corpus / "beta.md")
    report = new_ledger.ingest([corpus], extractor=fake_extract, jobs=jobs)
    assert (report.files_changed, report.files_unchanged, looked_at) == (1, 1, ["alpha", "beta"])
    assert "1,300" in ids_by_quote(new_ledger)
    looked_at.clear()
    assert new_ledger.ingest([corpus], extractor=fake_extract, jobs=jobs).files_unchanged == 2
    assert looked_at == []

    # the manifest, a new file, the extractor's version: each reopens the folder
    (corpus / "manifest.csv").write_text("file,publisher\nalpha.txt,Alpha Daily\n")
    new_ledger.ingest([corpus], extractor=fake_extract, jobs=jobs)
    assert new_ledger.db["sources"].get("alpha")["publisher"] == "Alpha Daily"
    (corpus / "gamma.txt").write_text("Gamma sold 9 units.\n", encoding="utf-8")
    age(corpus / "gamma.txt")
    looked_at.clear()
    assert new_ledger.ingest([corpus], extractor=fake_extract, jobs=jobs).files_added == 1
    assert looked_at == ["alpha", "beta", "gamma"]
    monkeypatch.setattr(EXTRACT_MODULE, "EXTRACTOR_VERSION", "999.0")
    assert new_ledger.ingest([corpus], extractor=fake_extract, jobs=jobs).files_changed == 3
    looked_at.clear()
    assert new_ledger.ingest([corpus], extractor=fake_extract, force=True).files_changed == 3
    assert looked_at == ["alpha", "beta", "gamma"]


def test_a_folder_is_signed_only_when_every_file_is_stored_and_trusted(
    new_ledger: Ledger, tmp_path: Path, looked_at: list[str]
):
    corpus = aged_corpus(tmp_path / "src", {"alpha.txt": ALPHA, "bad.txt": ""})
    new_ledger.ingest([corpus], extractor=fake_extract)
    # an empty file fails on every ingest, named each time: its folder is never skipped
    for _ in range(2):
        report = new_ledger.ingest([corpus], extractor=fake_extract)
        assert [Path(f.path).name for f in report.failures] == ["bad.txt"]
    assert new_ledger.db["folder_stats"].count == 0
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "beta.md").write_text(BETA, encoding="utf-8")  # written just now: not trusted
    new_ledger.ingest([fresh], extractor=fake_extract)
    looked_at.clear()
    new_ledger.ingest([fresh], extractor=fake_extract)
    assert looked_at == ["beta"]


def test_a_source_written_from_another_folder_unsigns_the_one_it_left(
    new_ledger: Ledger, tmp_path: Path, looked_at: list[str]
):
    first = aged_corpus(tmp_path / "first", {"alpha.txt": ALPHA, "beta.md": BETA})
    new_ledger.ingest([first], extractor=fake_extract)
    # alpha moves to the second folder (a file still in the first would be refused: its id is
    # taken, see tests/test_reading.py), then comes back as it was
    (first / "alpha.txt").unlink()
    second = aged_corpus(tmp_path / "second", {"alpha.txt": ALPHA.replace("300", "301")})
    new_ledger.ingest([second], extractor=fake_extract)  # alpha now comes from the second folder
    (second / "alpha.txt").unlink()
    (first / "alpha.txt").write_text(ALPHA, encoding="utf-8")
    age(first / "alpha.txt")
    looked_at.clear()
    report = new_ledger.ingest([first], extractor=fake_extract)
    assert (report.files_changed, looked_at) == (1, ["alpha", "beta"])
    assert "300" in ids_by_quote(new_ledger)
    assert new_ledger.db["sources"].get("alpha")["path"].endswith("first/alpha.txt")


def test_an_interrupted_ingest_signs_only_the_folders_it_finished(
    new_ledger: Ledger, tmp_path: Path, looked_at: list[str], monkeypatch: pytest.MonkeyPatch
):
    corpus = tmp_path / "corpus"
    for part in ("a", "b"):
        aged_corpus(corpus / part, {f"{part}{n}.txt": f"Item {n} rose {n}%.\n" for n in range(3)})
    write_source = Writer._write_source

    def interrupted_at_b1(self: Writer, result: ingest.Extracted, rows: object) -> None:
        if result.source.source_id == "b1":
            raise KeyboardInterrupt
        write_source(self, result, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(Writer, "_write_source", interrupted_at_b1)
    with pytest.raises(KeyboardInterrupt):
        new_ledger.ingest([corpus], extractor=fake_extract, commit_every=CommitEvery(sources=3))
    monkeypatch.setattr(Writer, "_write_source", write_source)
    assert [row["id"] for row in new_ledger.db["folder_stats"].rows] == [
        ingest._display_path(corpus / "a")
    ]
    looked_at.clear()
    report = new_ledger.ingest([corpus], extractor=fake_extract)
    assert (report.files_unchanged, report.files_added, looked_at) == (3, 3, ["b0", "b1", "b2"])
