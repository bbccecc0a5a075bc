"""Extraction on a Dask cluster merged by `ledger load` gives the ledger a plain ingest gives."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("distributed")  # dask[distributed] is in the `test` extra, so CI runs this

from shared_corpora import corpus_path  # noqa: E402

from ledger.cli import cli  # noqa: E402
from ledger.distributed import (  # noqa: E402
    extract_to_shards,
    iter_shard_records,
    load_shards,
    partitions,
)
from ledger.store import Ledger  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = str(ROOT / "sources")
# Written at a different moment by each run, so never equal between two ledgers.
VOLATILE = {"ingested_at", "first_seen", "last_seen"}


def make_corpus(folder: Path) -> Path:
    """The five seed articles with their manifest, a dozen BBC stories in a sub-folder (read
    from ../shared at test time, written only to tmp_path) and an empty file that must fail."""
    shutil.copytree(ROOT / "sources", folder, ignore=shutil.ignore_patterns("*.csv"))
    shutil.copy(ROOT / "sources" / "manifest.csv", folder / "manifest.csv")
    news = folder / "bbc"
    news.mkdir()
    with gzip.open(corpus_path("bbc"), "rt", encoding="utf-8") as lines:
        for _, line in zip(range(12), lines, strict=False):
            story = json.loads(line)
            (news / f"{story['id']}.txt").write_text(f"{story['title']}\n\n{story['text']}")
    (news / "empty.txt").write_text("")
    return folder


def table(db_path: Path, name: str) -> list[dict]:
    with Ledger(db_path) as ledger:
        rows = list(ledger.db.query(f"select * from [{name}] order by id"))
    return [{k: v for k, v in row.items() if k not in VOLATILE} for row in rows]


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One corpus ingested plainly, and extracted on a local Dask cluster then loaded."""
    work = tmp_path_factory.mktemp("distributed")
    corpus = make_corpus(work / "corpus")
    with Ledger(work / "ingested.db") as ledger:
        ledger.ingest([corpus])
    summary = extract_to_shards(
        [corpus], work / "shards", workers=2, processes=False, partition_size=4
    )
    with Ledger(work / "loaded.db") as ledger:
        report = load_shards(ledger, [work / "shards"])
    return {
        "corpus": corpus,
        "shards": work / "shards",
        "ingested": work / "ingested.db",
        "loaded": work / "loaded.db",
        "summary": summary,  # type: ignore[dict-item]
        "report": report,  # type: ignore[dict-item]
    }


def test_shards_hold_every_source_with_provenance(ledgers):
    summary = ledgers["summary"]
    # 17 readable sources in partitions of 4 (plus the empty file, which fails) -> 5 shards
    assert summary.shards == [f"part-{i:05d}.jsonl.gz" for i in range(5)]
    assert summary.sources == 17
    assert [Path(f["path"]).name for f in summary.failures] == ["empty.txt"]
    records = list(iter_shard_records([ledgers["shards"]]))
    assert len(records) == 18
    seed = next(r for r in records if r.source_id == "000_06537919e2765593")
    raw = (ledgers["corpus"] / "000_06537919e2765593.txt").read_bytes()
    assert seed.text == raw.decode("utf-8-sig")
    assert seed.meta.publisher == "Global Times"
    assert seed.meta.published.isoformat() == "2024-12-04"
    assert seed.sha256 == hashlib.sha256(raw).hexdigest()
    assert seed.claims
    for claim in seed.claims:
        assert seed.text[claim.start : claim.end] == claim.quote
    assert summary.claims == sum(len(r.claims) for r in records)


def test_loaded_ledger_equals_plain_ingest_field_by_field(ledgers):
    for name in ("sources", "claims"):
        ingested, loaded = table(ledgers["ingested"], name), table(ledgers["loaded"], name)
        assert len(ingested) == len(loaded) > 0
        for want, got in zip(ingested, loaded, strict=True):
            assert got == want
    claims = table(ledgers["loaded"], "claims")
    assert len(claims) == ledgers["summary"].claims
    assert ledgers["report"].files_added == 17 and ledgers["report"].files_failed == 1


def test_loading_again_changes_nothing(ledgers, tmp_path):
    copy = tmp_path / "again.db"
    shutil.copy(ledgers["loaded"], copy)
    with Ledger(copy) as ledger:
        report = load_shards(ledger, [ledgers["shards"]])
    assert (report.files_unchanged, report.files_added, report.claims_added) == (17, 0, 0)
    assert table(copy, "claims") == table(ledgers["loaded"], "claims")


def test_shards_of_another_extractor_version_are_refused(ledgers, tmp_path):
    shard = tmp_path / "old.jsonl"
    record = next(iter_shard_records([ledgers["shards"]]))
    record.extractor_version = "0.0.0-old"
    shard.write_text(record.model_dump_json() + "\n")
    with Ledger(tmp_path / "x.db") as ledger, pytest.raises(ValueError, match="0.0.0-old"):
        load_shards(ledger, [shard])


def test_partitions_keep_order_and_size():
    items = list(range(10))
    chunks = partitions(items, 3)  # type: ignore[arg-type]
    assert chunks == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    with pytest.raises(ValueError):
        partitions(items, 0)  # type: ignore[arg-type]


def test_cli_load_merges_shards_and_reports(ledgers, tmp_path):
    db = tmp_path / "cli.db"
    result = CliRunner().invoke(cli, ["load", "--db", str(db), str(ledgers["shards"])])
    assert result.exit_code == 1  # the empty file failed, and is named
    assert "empty.txt: empty (no text)" in result.output
    assert "18 file(s): 17 added, 0 changed, 0 unchanged, 1 failed" in result.output
    assert table(db, "claims") == table(ledgers["ingested"], "claims")


@pytest.mark.parametrize(
    "content,message",  # not gzip, a truncated gzip, not UTF-8
    [
        (b"not gzip", "cannot read shard"),
        (gzip.compress(b'{"source_id": "a", "text": "cut off')[:-12], "cannot read shard"),
        (gzip.compress(b"\xff\xfe not UTF-8\n"), "cannot read shard"),
    ],
)
def test_cli_load_refuses_a_broken_shard_in_one_line(tmp_path, content, message):
    shard = tmp_path / "part-00000.jsonl.gz"
    shard.write_bytes(content)
    result = CliRunner().invoke(cli, ["load", "--db", str(tmp_path / "x.db"), str(shard)])
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_cli_load_refuses_what_is_not_a_shard(tmp_path):
    (tmp_path / "empty").mkdir()
    for args, message in (
        ([str(tmp_path / "missing")], "no such file or folder"),
        ([str(ROOT / "sources" / "manifest.csv")], "not a shard"),
        ([str(tmp_path / "empty")], "empty: no shards in it (.jsonl or .jsonl.gz files)"),
    ):
        result = CliRunner().invoke(cli, ["load", "--db", str(tmp_path / "x.db"), *args])
        assert result.exit_code == 1 and message in result.output
        assert not (tmp_path / "x.db").exists()  # refused before a ledger is made
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"source_id": "a"}\n[1, 2]\n')
    result = CliRunner().invoke(cli, ["load", "--db", str(tmp_path / "x.db"), str(bad)])
    assert result.exit_code == 1
    assert "bad.jsonl, line 1: not a shard record (path: Field required)" in result.output


def test_cli_extract_on_a_scheduler_then_load_equals_ingest(ledgers, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
        host="127.0.0.1", dashboard_address=None,
    ) as cluster:  # fmt: skip
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        result = CliRunner().invoke(
            cli,
            ["extract", "--engine", "dask", "--scheduler", cluster.scheduler_address,
             "--partition-size", "5", "--output", str(tmp_path / "shards"),
             str(ledgers["corpus"])],
        )  # fmt: skip
    assert result.exit_code == 1, result.output  # the empty file
    summary = ledgers["summary"]
    assert f"17 source(s), {summary.claims} claim(s) in 4 shard(s)" in result.output
    assert "empty.txt: empty (no text)" in result.output
    result = CliRunner().invoke(
        cli, ["load", "--db", str(tmp_path / "x.db"), str(tmp_path / "shards")]
    )
    assert table(tmp_path / "x.db", "claims") == table(ledgers["ingested"], "claims")
    assert table(tmp_path / "x.db", "sources") == table(ledgers["ingested"], "sources")


def test_cli_extract_on_the_default_local_cluster(tmp_path):
    corpus = tmp_path / "seeds"
    shutil.copytree(ROOT / "sources", corpus, ignore=shutil.ignore_patterns("references.csv"))
    result = CliRunner().invoke(
        cli, ["extract", "--engine", "dask", "--output", str(tmp_path / "out"), str(corpus)]
    )
    assert result.exit_code == 0, result.output
    records = list(iter_shard_records([tmp_path / "out"]))
    assert sorted(r.source_id for r in records) == sorted(p.stem for p in corpus.glob("*.txt"))


@pytest.mark.parametrize(
    "args,message",
    [
        (["--engine", "dask", SEEDS], "--engine dask needs --output DIR"),
        (["--engine", "dask", "--output", "x", "--published", "2020-01-01", SEEDS],
         "--published does not go with --engine dask"),
        (["--output", "x", f"{SEEDS}/000_06537919e2765593.txt"], "go with --engine dask"),
    ],
)  # fmt: skip
def test_cli_extract_engine_options_are_checked(args, message):
    result = CliRunner().invoke(cli, ["extract", *args])
    assert result.exit_code == 1 and message in result.output
