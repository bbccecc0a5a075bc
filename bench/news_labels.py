"""The labelled news set (bench/labels/news.jsonl): pick sentences to label, turn a labelled
draft into offsets, and read the set back with its text from ../shared/corpora.

    python bench/news_labels.py pick /tmp/draft.txt --count 420   # sentences to label
    python bench/news_labels.py build /tmp/draft.txt /tmp/labels.txt  # -> bench/labels/news.jsonl
    python bench/news_labels.py check                              # every span resolves
    python bench/news_labels.py check --labels bench/labels/news_heldout6.jsonl

The set stores corpus ids and character offsets, never the text (the corpora are the
publishers' copyright); the draft, which quotes the text, stays outside the repository. How the
quantities were labelled is in bench/labels/README.md.

The draft holds a block per picked sentence (`## s0001 DOC START END PUBLISHED`, then the
sentence); the labels file, a block per labelled sentence: its id, then one `q` line per
quantity (`s0002 -` for a sentence with none). Only the sentences in the labels file are kept.

    s0001
    q 76% | 76 percent increase cw period=2004-Q4 subject=TimeWarner
    q $1.13bn | 1.13e9 USD cw
    q dozens of | ? protester approx vague

The words after `|`: the value (or LOW-HIGH, or ? for a vague quantity), the unit, then any of
a bound (approx, more_than, at_least, less_than, at_most, range), a change (increase, decrease),
`kind=K` where the unit does not say it, `vague`, `cw` (check-worthy) with `period=`,
`subject=` and `attr=person:NAME` or `attr=organisation:NAME` (quote names with spaces:
attr="organisation:Bank of England").
A quote said twice in the sentence takes `#2` after it (`q 5% #2 | ...`).
"""

from __future__ import annotations

import gzip
import json
import random
import shlex
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import click
import regex

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import CORPORA, SHARED, document_text  # noqa: E402

LABELS = Path(__file__).resolve().parent / "labels" / "news.jsonl"
# labelled later, by the same rules, and not looked at while the extractor was tuned (until
# issue 14's third round, whose tuning read its misses)
HELDOUT = LABELS.with_name("news_heldout.jsonl")
# a second held-out batch, labelled and committed before ledger was run on it; sealed (totals
# only) until issue 14's third round, whose tuning read its misses
HELDOUT2 = LABELS.with_name("news_heldout2.jsonl")
# a third batch, labelled and committed before ledger was run on it, to judge the round that
# unsealed the second: sealed the same way (totals only) until issue 14's fourth round, whose
# tuning read its misses
HELDOUT3 = LABELS.with_name("news_heldout3.jsonl")
# a fourth batch, labelled and committed before ledger was run on it, to judge the round that
# unsealed the third: sealed the same way (only its totals are ever run)
HELDOUT4 = LABELS.with_name("news_heldout4.jsonl")
# a fifth batch, labelled and committed before ledger was run on it, to judge the round that
# unsealed the fourth: sealed the same way until issue 14's ninth round, whose tuning read its
# misses
HELDOUT5 = LABELS.with_name("news_heldout5.jsonl")
# a sixth batch, labelled and committed before ledger was run on it, to judge the round that
# unsealed the fifth: sealed the same way while it judged issue 14's ninth to twelfth rounds,
# then unsealed in the thirteenth, whose tuning reads its misses
HELDOUT6 = LABELS.with_name("news_heldout6.jsonl")
# a seventh batch, labelled by another hand and committed before ledger was run on it, to judge
# a round beside the sixth (whose totals were seen three rounds): sealed the same way
HELDOUT7 = LABELS.with_name("news_heldout7.jsonl")
# an eighth batch, labelled by another hand and committed before ledger was run on it, to judge
# issue 14's thirteenth round beside the seventh: sealed the same way
HELDOUT8 = LABELS.with_name("news_heldout8.jsonl")
# the batches sealed now (bench/accuracy.py's HELD_OUT_SETS names the same files)
SEALED: tuple[Path, ...] = (HELDOUT7, HELDOUT8)
TOPICAL = SHARED / "corpora" / "topical_small"
BOUNDS = {"exact", "approx", "more_than", "at_least", "less_than", "at_most", "range"}
CHANGES = {"increase", "decrease"}
DURATION_UNITS = {"year", "month", "week", "day", "hour", "minute", "second", "decade"}
# The measure symbols of ledger/rules/units.toml that the labels use (a unit not here, not an
# ISO code and not a percent is a counted noun).
MEASURE_UNITS = {
    "nm", "km", "km2", "m2", "m", "cm", "mm", "mi", "ft", "in", "acre", "gal", "ft3", "m3",
    "oz", "lb", "ml", "mg", "t", "kg", "g", "km/h", "mph", "GHz", "MHz", "W", "GW", "MW", "kW",
    "TWh", "GWh", "kWh", "MWh", "bbl", "bpd", "ha", "l", "°C", "°F", "°", "B", "MB", "GB",
    "TB", "Mb/s", "Gb/s", "hp", "mAh", "rpm", "point", "t/d", "carat", "yd",
}  # fmt: skip

# A sentence ends at . ! ? (and a closing quote or bracket) before white space and a capital,
# a digit or an opening quote; a blank line always ends one.
SENTENCE_END = regex.compile(r"""(?<=[.!?]["'”’)]?)\s+(?=["“‘(]?[\p{Lu}\d])|\n\s*\n""")
NUMBER_WORDS = regex.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|trillion|dozens?|half|quarter|third|"
    r"double[ds]?|tripled?|halved)\b",
    regex.IGNORECASE,
)


@dataclass
class Quantity:
    """One labelled quantity: its span in the document and what it says."""

    start: int
    end: int
    value: float | None
    value_high: float | None
    unit: str | None
    kind: str
    bound: str = "exact"
    change: str | None = None
    vague: bool = False
    checkworthy: bool = False
    period: str | None = None
    subject: str | None = None
    attribution: str | None = None
    attribution_type: str | None = None


@dataclass
class Sentence:
    """One labelled sentence: where it is, and the quantities in it."""

    id: str
    corpus: str
    doc: str
    start: int
    end: int
    published: str | None
    quantities: list[Quantity] = field(default_factory=list)
    text: str = ""  # filled from the corpus on load, never stored
    # where the sentence starts on its line of the document (wire copy is wrapped at ~70
    # columns): filled on load, never stored
    column: int = 0


# --- the corpora, by document id -------------------------------------------------------------


def documents() -> Iterator[tuple[str, str, str, str | None]]:
    """(corpus, doc id, text, published) for every BBC, Reuters and topical document."""
    for name in ("bbc", "reuters"):
        with gzip.open(CORPORA[name], "rt", encoding="utf-8") as lines:
            for line in lines:
                document = json.loads(line)
                if document.get("text"):
                    published = (document.get("date") or "")[:10] or None
                    yield name, document["id"], document_text(document), published
    for path in sorted(TOPICAL.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        found = regex.search(r"^Published: (\d{4}(?:-\d\d-\d\d)?)", text, regex.MULTILINE)
        published = found.group(1) if found else None
        if published and len(published) == 4:
            published = None  # a year alone is no publication date
        yield "topical", path.name, text, published


def document_texts(wanted: set[str]) -> dict[str, str]:
    return {doc: text for _, doc, text, _ in documents() if doc in wanted}


def sentences(text: str, offset: int = 0) -> Iterator[tuple[int, int]]:
    """Spans of the sentences of `text` (the topical header and Reuters tables left out)."""
    start = offset
    for end_match in SENTENCE_END.finditer(text, offset):
        yield start, end_match.start()
        start = end_match.end()
    yield start, len(text.rstrip())


def _labellable(sentence: str) -> bool:
    lines = sentence.split("\n")
    if len(lines) > 2 and sum(len(line) for line in lines) / len(lines) < 45:
        return False  # a table of figures, one a line
    return 40 <= len(sentence) <= 400 and bool(NUMBER_WORDS.search(sentence))


# --- commands ----------------------------------------------------------------------------------


@click.group()
def cli() -> None:
    """Pick, build and check the labelled news set."""


@cli.command()
@click.argument("draft", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--count", default=420, show_default=True)
@click.option("--seed", default=14, show_default=True)
@click.option("--first", default=1, show_default=True, help="Number of the first sentence.")
@click.option(
    "--exclude",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A draft whose sentences are not picked again.",
)
@click.option("--dense", is_flag=True, help="Only sentences with two figures or more.")
def pick(draft: Path, count: int, seed: int, first: int, exclude: Path | None, dense: bool) -> None:
    """Write COUNT sentences with figures (a third from each corpus) to DRAFT for labelling."""
    rng = random.Random(seed)
    taken = set()
    if exclude:
        for line in exclude.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                taken.add((line.split()[2], int(line.split()[3])))
    pools: dict[str, list[tuple[str, int, int, str | None, str]]] = {}
    for corpus, doc, text, published in documents():
        body = text.index("\n---\n") + 5 if corpus == "topical" else 0
        for start, end in sentences(text, body):
            sentence = text[start:end]
            if (doc, start) in taken or not _labellable(sentence):
                continue
            if dense and len(regex.findall(r"\d[\d,.]*", sentence)) < 2:
                continue
            pools.setdefault(corpus, []).append((doc, start, end, published, sentence))
    picked = []
    for corpus in ("bbc", "reuters", "topical"):
        pool = pools.get(corpus, [])  # a dense pick can exhaust a corpus (topical, by heldout5)
        share = count // 3 + (count % 3 if corpus == "bbc" else 0)
        picked += rng.sample(pool, min(len(pool), share))
    with draft.open("w", encoding="utf-8") as out:
        for number, (doc, start, end, published, sentence) in enumerate(picked, first):
            out.write(f"## s{number:04d} {doc} {start} {end} {published or '-'}\n")
            out.write("> " + sentence.replace("\n", "\n> ") + "\n\n")
    click.echo(f"{len(picked)} sentences in {draft}")


def _corpus_of(doc: str) -> str:
    return (
        "bbc" if doc.startswith("bbc-") else "reuters" if doc.startswith("reuters") else "topical"
    )


def parse_quantity(line: str, sentence: str, sentence_start: int) -> Quantity:
    """One `q QUOTE | FIELDS` line of the draft as a Quantity with document offsets."""
    quote, _, fields = line[2:].partition(" | ")
    occurrence = 1
    if found := regex.fullmatch(r"(.*) #(\d+)", quote):
        quote, occurrence = found.group(1), int(found.group(2))
    # any white space in the quote matches any white space (wire copy wraps its lines)
    pattern = regex.compile(r"\s+".join(regex.escape(word) for word in quote.split()))
    found_quotes = list(pattern.finditer(sentence))
    if len(found_quotes) < occurrence:
        raise click.ClickException(f"quote {quote!r} not in: {sentence!r}")
    at, quote_end = found_quotes[occurrence - 1].span()
    words = shlex.split(fields)
    value_text, unit = words[0], words[1] if len(words) > 1 else None
    low, high = value_text, None
    if found := regex.fullmatch(r"(-?[\d.e+]+)-([\d.e+]+)", value_text):
        low, high = found.group(1), found.group(2)
    unit = None if unit in (None, "-") else unit
    kind = _kind(unit)
    q = Quantity(sentence_start + at, sentence_start + quote_end, None, None, unit, kind)
    q.value = None if low == "?" else float(low)
    q.value_high = float(high) if high else None
    if q.value_high is not None:
        q.bound = "range"
    for word in words[2:]:
        key, _, value = word.partition("=")
        if word in BOUNDS:
            q.bound = word
        elif word in CHANGES:
            q.change = word
        elif word == "vague":
            q.vague = True
        elif word == "cw":
            q.checkworthy = True
        elif key == "kind":
            q.kind = value
        elif key == "period":
            q.period = value
        elif key == "subject":
            q.subject = value
        elif key == "attr":
            q.attribution_type, _, q.attribution = value.partition(":")
        else:
            raise click.ClickException(f"unknown label {word!r} in: {line}")
    return q


def _kind(unit: str | None) -> str:
    if unit is None:
        return "number"
    if regex.fullmatch(r"[A-Z]{3}", unit):
        return "money"
    if unit in ("percent", "percentage_point"):
        return "percent"
    if unit == "":
        return "multiple"
    if unit in DURATION_UNITS:
        return "duration"
    return "measure" if unit in MEASURE_UNITS else "count"


@cli.command()
@click.argument("draft", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=LABELS)
def build(draft: Path, labels: Path, out: Path) -> None:
    """Turn the LABELS of sentences picked in DRAFT into the offsets-only label file."""
    heads = {
        line.split()[1]: line.split()[2:]
        for line in draft.read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    }
    blocks = regex.split(r"\n(?=s\d{4}\b)", labels.read_text(encoding="utf-8").strip())
    texts = document_texts({heads[block.split()[0]][0] for block in blocks})
    labelled: list[Sentence] = []
    for block in blocks:
        lines = block.splitlines()
        sid = lines[0].split()[0]
        doc, start, end, published = heads[sid]
        sentence = Sentence(sid, _corpus_of(doc), doc, int(start), int(end), None)
        sentence.published = None if published == "-" else published
        body = texts[doc][sentence.start : sentence.end]
        for line in lines[1:]:
            if line.startswith("q "):
                sentence.quantities.append(parse_quantity(line, body, sentence.start))
            elif line.strip():
                raise click.ClickException(f"{sid}: not a label line: {line!r}")
        labelled.append(sentence)
    labelled.sort(key=lambda s: s.id)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for sentence in labelled:
            record = asdict(sentence)
            del record["text"], record["column"]
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    quantities = sum(len(s.quantities) for s in labelled)
    click.echo(f"{len(labelled)} sentences, {quantities} quantities in {out}")


def sealed_stories(batches: tuple[Path, ...] = SEALED) -> frozenset[str]:
    """The documents that hold a sentence of a sealed batch, read from its label file alone
    (no text): a tool that runs ledger over the corpora leaves them out, so that nobody reads
    ledger's output on a sealed sentence."""
    return frozenset(
        json.loads(line)["doc"]
        for path in batches
        for line in path.read_text(encoding="utf-8").splitlines()
    )


def load_labels(path: Path = LABELS) -> list[Sentence]:
    """The labelled sentences, each with its text read from the shared corpora."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    texts = document_texts({record["doc"] for record in records})
    missing = {record["doc"] for record in records} - texts.keys()
    if missing:
        raise click.ClickException(f"labelled documents not in the corpora: {sorted(missing)[:3]}")
    loaded = []
    for record in records:
        quantities = [Quantity(**q) for q in record.pop("quantities")]
        sentence = Sentence(**record, quantities=quantities)
        text = texts[sentence.doc]
        sentence.text = text[sentence.start : sentence.end]
        sentence.column = sentence.start - (text.rfind("\n", 0, sentence.start) + 1)
        loaded.append(sentence)
    return loaded


@cli.command()
@click.option(
    "--labels",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=LABELS,
    show_default=True,
    help="The label file to print (a held-out batch: bench/labels/news_heldout6.jsonl).",
)
def check(labels: Path) -> None:
    """Print every labelled quantity's quote, so a reader can check the spans."""
    for sentence in load_labels(labels):
        for q in sentence.quantities:
            at = q.start - sentence.start
            quote = sentence.text[at : at + q.end - q.start]
            click.echo(f"{sentence.id} {quote!r} {q.value} {q.value_high} {q.unit} {q.kind}")


if __name__ == "__main__":
    cli()
