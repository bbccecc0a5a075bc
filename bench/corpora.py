"""News text for the benchmarks, read from ../shared/corpora and never copied into the project.

The corpora (BBC News, Reuters-21578) are the publishers' copyright, licensed for research only:
the benchmarks stream them from the read-only shared folder, and the big generated inputs they
build live in a temporary directory outside the repository.

    python bench/corpora.py /tmp/corpus-100mb --megabytes 100
"""

from __future__ import annotations

import csv
import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path

import click

from ledger.sources import MANIFEST_COLUMNS

SHARED = Path(
    os.environ.get("LEDGER_SHARED", Path(__file__).resolve().parent.parent.parent / "shared")
)
CORPORA = {
    "bbc": SHARED / "corpora" / "bbc_news" / "bbc_news_2225.jsonl.gz",
    "reuters": SHARED / "corpora" / "reuters21578" / "reuters21578.jsonl.gz",
}


def require_corpora() -> None:
    """Fail with one clear line when the shared corpora are not where we expect them."""
    missing = [str(path) for path in CORPORA.values() if not path.exists()]
    if missing:
        raise click.ClickException(
            f"corpus not found: {missing[0]} (set LEDGER_SHARED to the shared/ folder)"
        )


def iter_corpus(name: str) -> Iterator[dict]:
    """Stream one corpus's documents (dicts with id, title, text, publisher, date)."""
    with gzip.open(CORPORA[name], "rt", encoding="utf-8") as lines:
        for line in lines:
            document = json.loads(line)
            if document.get("text"):
                yield document


def iter_documents() -> Iterator[dict]:
    """Both corpora interleaved (one BBC story, then about seven Reuters ones), so any prefix
    mixes the two styles in the proportion of the whole: 5.0 M and 17.0 M characters."""
    bbc, reuters = iter_corpus("bbc"), iter_corpus("reuters")
    done = {"bbc": False, "reuters": False}
    while not all(done.values()):
        for name, stream, count in (("bbc", bbc, 1), ("reuters", reuters, 7)):
            for _ in range(count):
                document = next(stream, None)
                if document is None:
                    done[name] = True
                    break
                yield document


def document_text(document: dict) -> str:
    """The text a source file holds: the title on the first line, then the story."""
    title = (document.get("title") or "").strip()
    return f"{title}\n\n{document['text']}" if title else document["text"]


def sample_text(size: int = 1_000_000) -> str:
    """About `size` bytes (UTF-8) of news text, whole documents, both corpora mixed."""
    parts: list[str] = []
    total = 0
    for document in iter_documents():
        text = document_text(document)
        parts.append(text)
        total += len(text.encode("utf-8")) + 2
        if total >= size:
            break
    return "\n\n".join(parts)


def build_corpus(dest: Path, megabytes: float, *, per_dir: int = 5000) -> dict:
    """Write at least `megabytes` MB of one-story .txt files under `dest`, repeating the corpora
    under new ids (`r<k>-<id>.txt`) until the size is reached, with a manifest.csv per folder.

    Files are spread over sub-folders of `per_dir` files so no directory grows huge. Returns
    {"files", "bytes"}. Idempotent: an existing complete build of the same size is reused.
    """
    require_corpora()
    target = int(megabytes * 1_000_000)
    stamp = dest / ".built"
    if stamp.exists() and json.loads(stamp.read_text())["target"] == target:
        return json.loads(stamp.read_text())
    dest.mkdir(parents=True, exist_ok=True)
    files = total = round_ = 0
    rows: list[dict] = []
    folder = dest
    while total < target:
        for document in iter_documents():
            if total >= target:
                break
            if files % per_dir == 0:
                write_manifest(folder, rows)
                folder = dest / f"part-{files // per_dir:05d}"
                folder.mkdir(exist_ok=True)
            name = f"r{round_}-{document['id']}.txt"
            data = document_text(document).encode("utf-8")
            (folder / name).write_bytes(data)
            rows.append(
                {
                    "file": name,
                    "publisher": document.get("publisher") or "",
                    "title": document.get("title") or "",
                    "published": (document.get("date") or "")[:10],
                }
            )
            files += 1
            total += len(data)
        round_ += 1
    write_manifest(folder, rows)
    result = {"target": target, "files": files, "bytes": total}
    stamp.write_text(json.dumps(result))
    return result


def write_manifest(folder: Path, rows: list[dict]) -> None:
    """Write (and empty) `rows` as the manifest.csv of `folder`, the way sources/ keeps one."""
    if not rows:
        return
    with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, MANIFEST_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    rows.clear()


@click.command()
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--megabytes", type=float, default=10.0, show_default=True)
def main(dest: Path, megabytes: float) -> None:
    """Build a corpus of DEST of about MEGABYTES MB of news stories, one per file."""
    built = build_corpus(dest, megabytes)
    click.echo(f"{built['files']:,} files, {built['bytes'] / 1e6:.1f} MB in {dest}")


if __name__ == "__main__":
    main()
