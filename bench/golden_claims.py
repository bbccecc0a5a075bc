"""A digest of every claim the extractor finds in ~4 MB of news: proof that a refactor changed
nothing. Run it before and after; the digests must be equal.

    python bench/golden_claims.py --out /tmp/golden-before.jsonl
    python bench/golden_claims.py --out /tmp/golden-after.jsonl
    cmp /tmp/golden-before.jsonl /tmp/golden-after.jsonl   # where they differ, if they do

The text is BBC + Reuters (interleaved, as bench/corpora.py reads them, each with its own
publication date so that relative periods are resolved) and the topical articles of
shared/corpora/topical_small (with their manifest dates). The claims are written one document a
line, as canonical JSON (sorted keys), to --out: keep that file outside the repository, it
quotes the publishers' text.

    python bench/golden_claims.py --chinese --out /tmp/golden-zh.jsonl

`--chinese` digests the Chinese path instead: every sentence of bench/zh_set.toml and
bench/zh_heldout.toml alone, then each source's sentences joined into one text (so sentence
splitting and a period carried across ； are covered), with and without its publication date,
and once more after an English sentence (a text mixing both paths).
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import SHARED, document_text, iter_documents, require_corpora  # noqa: E402

TOPICAL = SHARED / "corpora" / "topical_small"
CHINESE_SETS = [
    Path(__file__).resolve().parent / name for name in ("zh_set.toml", "zh_heldout.toml")
]
ENGLISH_LEAD = "China's R&D spending rose 8.4% to 3.3 trillion yuan in 2023, the bureau said. "


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "")[:10])
    except ValueError:
        return None


def documents(size: int) -> Iterator[tuple[str, str, date | None]]:
    """(id, text, published) of the topical articles, then BBC + Reuters up to `size` bytes."""
    total = 0
    manifest = TOPICAL / "manifest.csv"
    if manifest.exists():
        with manifest.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                text = (TOPICAL / row["file"]).read_text(encoding="utf-8")
                total += len(text.encode("utf-8"))
                yield f"topical/{row['file']}", text, _date(row.get("published"))
    for document in iter_documents():
        if total >= size:
            return
        text = document_text(document)
        total += len(text.encode("utf-8"))
        yield str(document["id"]), text, _date(document.get("date"))


def chinese_documents() -> Iterator[tuple[str, str, date | None]]:
    """(id, text, published) of the labelled Chinese sentences, alone and joined per source."""
    for path in CHINESE_SETS:
        labelled = tomllib.loads(path.read_text(encoding="utf-8"))
        published = {s["id"]: date.fromisoformat(s["published"]) for s in labelled["source"]}
        joined: dict[str, list[str]] = {}
        for sentence in labelled["sentence"]:
            yield f"{path.stem}/{sentence['id']}", sentence["text"], published[sentence["source"]]
            joined.setdefault(sentence["source"], []).append(sentence["text"])
        for source, texts in joined.items():
            text = "".join(texts)
            yield f"{path.stem}/{source}", text, published[source]
            yield f"{path.stem}/{source}/undated", text, None
            yield f"{path.stem}/{source}/mixed", ENGLISH_LEAD + text, published[source]


@click.command()
@click.option("--megabytes", type=float, default=4.0, show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the claims, one document a line (outside the repository).",
)
@click.option(
    "--chinese", is_flag=True, help="The labelled Chinese sentences instead of the English news."
)
def main(megabytes: float, out: Path | None, chinese: bool) -> None:
    """Print the sha256 of the canonical JSON of every claim in about MEGABYTES MB of news."""
    from ledger.extraction import extract_with_report

    if not chinese:
        require_corpora()

    digest = hashlib.sha256()
    files = claims = 0
    handle = out.open("w", encoding="utf-8") if out else None
    try:
        texts = chinese_documents() if chinese else documents(int(megabytes * 1_000_000))
        for doc_id, text, published in texts:
            report = extract_with_report(text, published=published)
            line = json.dumps(
                {
                    "id": doc_id,
                    "claims": [claim.model_dump(mode="json") for claim in report.claims],
                    "timed_out": report.timed_out,
                },
                sort_keys=True,
                ensure_ascii=False,
            )
            digest.update(line.encode("utf-8") + b"\n")
            if handle:
                handle.write(line + "\n")
            files += 1
            claims += len(report.claims)
    finally:
        if handle:
            handle.close()
    click.echo(f"{files:,} documents, {claims:,} claims, sha256 {digest.hexdigest()}")


if __name__ == "__main__":
    main()
