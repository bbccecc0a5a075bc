"""Extraction past one machine: a corpus split across a Dask cluster, claims written as shards.

`ledger.extract` is a pure function of a document's text and publication date, so a corpus can be
split into partitions, each extracted anywhere, and merged back: the ids come out the same because
they derive from the source id and the claim's fingerprint, never from where or when it ran.

- `extract_to_shards` finds the sources (as `ledger ingest` does), cuts them into partitions of
  `partition_size` files, and has Dask run `extract_shard` on each: read, hash, extract, and write
  one gzipped JSONL shard per partition, one line per source with its provenance (id, path,
  sha256, manifest metadata, text) and its claims, or the reason it failed.
- `iter_shard_records` reads shards back; `ledger load` hands each record to the ledger's own write
  path (`ledger.ingest.Writer`), so a loaded ledger equals a local ingest of the same sources.

Shards are written with fsspec (a Dask dependency), so OUTPUT may be any filesystem the workers and
the client both reach (a shared disk, or s3://... with s3fs installed); the sources must be readable
by the workers at the paths the client found them.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ledger.ingest import IngestReport
from ledger.models import Claim, SourceMeta, validation_message
from ledger.sources import SourceError, SourceFile, find_sources
from ledger.store import Ledger

SHARD_SUFFIXES = (".jsonl", ".jsonl.gz")
DEFAULT_PARTITION_SIZE = 500


class ShardRecord(BaseModel):
    """One line of a shard: a source's provenance and claims, or the reason it failed."""

    model_config = ConfigDict(extra="forbid")

    source_id: str
    path: str
    error: str | None = None
    sha256: str | None = None
    meta: SourceMeta = Field(default_factory=SourceMeta)
    text: str | None = None
    encoding: str | None = None  # how the file's bytes were decoded
    text_extractor: str | None = None  # for a page: what took its text out
    extractor_version: str | None = None
    claims: list[Claim] = Field(default_factory=list)
    rule_timeouts: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _whole(self) -> ShardRecord:
        if self.error is None and (
            self.sha256 is None or self.text is None or self.extractor_version is None
        ):
            raise ValueError("a record without an error needs sha256, text and extractor_version")
        return self

    def source(self) -> SourceFile:
        """The SourceFile this record was read from (path, id and manifest metadata)."""
        return SourceFile(path=Path(self.path), source_id=self.source_id, meta=self.meta)


@dataclass
class ExtractSummary:
    """What a distributed extraction did, added up over its partitions."""

    shards: list[str] = field(default_factory=list)
    sources: int = 0
    claims: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)


def source_record(source: SourceFile) -> ShardRecord:
    """One source read and extracted: its provenance and claims, or the reason it failed.

    It runs the very function a `ledger ingest` worker runs (read, hash, extract), so the claims
    are exactly what ingest would get.
    """
    from ledger.ingest import extract_source, extractor_version

    result = extract_source(source)
    # the manifest's metadata over what a page gives itself
    source_id, path, meta = source.source_id, str(source.path), result.source.meta
    if result.status == "failed":
        assert result.error is not None
        return ShardRecord(source_id=source_id, path=path, meta=meta, error=result.error.reason)
    return ShardRecord(
        source_id=source_id,
        path=path,
        meta=meta,
        sha256=result.sha256,
        text=result.text,
        encoding=result.encoding,
        text_extractor=result.text_extractor,
        extractor_version=extractor_version(),
        claims=list(result.claims),
        rule_timeouts=list(result.rule_timeouts),
    )


def extract_shard(index: int, sources: list[SourceFile], output: str) -> dict[str, Any]:
    """Extract one partition and write it as `OUTPUT/part-NNNNN.jsonl.gz` (runs on a worker).

    The shard is written under a temporary name and renamed, so a shard that exists is whole.
    """
    import fsspec  # a Dask dependency; imported here so the module loads without Dask

    fs, root = fsspec.core.url_to_fs(output)
    name = f"part-{index:05d}.jsonl.gz"
    final = f"{root.rstrip('/')}/{name}"
    partial = f"{final}.partial"
    summary: dict[str, Any] = {"shard": name, "sources": 0, "claims": 0, "failures": []}
    with fs.open(partial, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8") as shard:
        for source in sources:
            record = source_record(source)
            shard.write(record.model_dump_json(exclude_defaults=True) + "\n")
            if record.error is not None:
                summary["failures"].append({"path": record.path, "error": record.error})
            else:
                summary["sources"] += 1
                summary["claims"] += len(record.claims)
    fs.mv(partial, final)
    return summary


def partitions(sources: list[SourceFile], size: int) -> list[list[SourceFile]]:
    """Cut the sources, in their stable order, into partitions of at most `size`.

    >>> [len(p) for p in partitions([SourceFile(Path(f"{i}.txt"), str(i)) for i in range(5)], 2)]
    [2, 2, 1]
    """
    if size < 1:
        raise ValueError("partition size must be at least 1")
    return [sources[start : start + size] for start in range(0, len(sources), size)]


def extract_to_shards(
    paths: Iterable[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    scheduler: str | None = None,
    workers: int = 2,
    processes: bool = True,
    partition_size: int = DEFAULT_PARTITION_SIZE,
) -> ExtractSummary:
    """Extract every source under `paths` on a Dask cluster and write shards into `output`.

    With no `scheduler` address a LocalCluster of `workers` single-threaded workers is started
    (processes, since extraction is CPU-bound Python; `processes=False` keeps them in this
    process, as tests do) and closed at the end.
    """
    from dask import bag
    from distributed import Client, LocalCluster

    output = str(output)
    sources, failures = find_sources(paths)
    summary = ExtractSummary(failures=[{"path": f.path, "error": f.reason} for f in failures])
    if "://" not in output:
        Path(output).mkdir(parents=True, exist_ok=True)
    chunks = partitions(sources, partition_size)
    if not chunks:
        return summary
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
        )
    try:
        with Client(scheduler or cluster) as client:
            work = bag.from_sequence(list(enumerate(chunks)), npartitions=len(chunks))
            results = work.map(lambda item: extract_shard(item[0], item[1], output))
            for result in client.compute(results, sync=True):
                summary.shards.append(result["shard"])
                summary.sources += result["sources"]
                summary.claims += result["claims"]
                summary.failures.extend(result["failures"])
    finally:
        if cluster is not None:
            cluster.close()
    summary.shards.sort()
    return summary


def shard_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Expand files and folders into shard files (`*.jsonl`, `*.jsonl.gz`), in name order; a
    `ValueError` for a path that is none, or a folder holding none."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            held = sorted(p for p in path.iterdir() if p.name.endswith(SHARD_SUFFIXES))
            if not held:
                raise ValueError(f"{path}: no shards in it ({' or '.join(SHARD_SUFFIXES)} files)")
            found.extend(held)
        elif path.is_file() and path.name.endswith(SHARD_SUFFIXES):
            found.append(path)
        elif path.exists():
            raise ValueError(f"{path}: not a shard (expected {' or '.join(SHARD_SUFFIXES)})")
        else:
            raise ValueError(f"{path}: no such file or folder")
    return found


def iter_shard_records(paths: Iterable[str | os.PathLike[str]]) -> Iterator[ShardRecord]:
    """Stream the records of the shards under `paths`, one source at a time."""
    for path in shard_files(paths):
        try:
            yield from _read_shard(path)
        except (OSError, EOFError, UnicodeDecodeError) as error:  # truncated or not gzip/UTF-8
            raise ValueError(f"{path}: cannot read shard ({error})") from error


def _read_shard(path: Path) -> Iterator[ShardRecord]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                yield ShardRecord.model_validate_json(line)
            except ValidationError as error:
                problem = validation_message(error, "record")
                raise ValueError(
                    f"{path}, line {number}: not a shard record ({problem})"
                ) from error


def load_shards(
    ledger: Ledger,
    paths: Iterable[str | os.PathLike[str]],
    *,
    progress: Callable[[SourceFile, str, int], None] | None = None,
) -> IngestReport:
    """Merge shards into the ledger through the ingest's own write path (whole sources, same
    ids, same `runs` row), skipping sources already stored with the same bytes.

    Shards made by another extractor version are refused: their claims would be stored under a
    version that did not make them.
    """
    # The ingest's writer is used as is, so a loaded source is written by exactly the code that
    # writes an ingested one.
    from ledger.ingest import Extracted, Writer, source_rows

    writer = Writer(ledger, progress=progress)

    def results() -> Iterator[Extracted]:
        for record in iter_shard_records(paths):
            writer.report.files_seen += 1
            source = record.source()
            if record.error is not None:
                yield Extracted(source, "failed", error=SourceError(record.path, record.error))
                continue
            if record.extractor_version != writer.version:
                raise ValueError(
                    f"{record.source_id}: extracted by extractor {record.extractor_version}, "
                    f"but this ledger's is {writer.version}; extract the shards again"
                )
            if writer.stored_sha256(source) == record.sha256:
                yield Extracted(source, "unchanged", sha256=record.sha256)
            else:
                yield Extracted(
                    source,
                    "extracted",
                    sha256=record.sha256,
                    text=record.text,
                    encoding=record.encoding,
                    text_extractor=record.text_extractor,
                    rows=source_rows(record.source_id, record.claims),
                    rule_timeouts=record.rule_timeouts,
                )

    writer.write(results())
    return writer.finish()
