"""What the extractor leaves unread in the whole corpora, by class: where to look next.

    python bench/missed_census.py                     # the top classes, all corpora
    python bench/missed_census.py --top 40 --corpus reuters
    python bench/missed_census.py --sample "NUM tonne cargoes"   # read a class in context
    python bench/missed_census.py --out /tmp/census.json         # every class, for a diff

Fixing the misses of one labelled set lifts that set and leaves the next unseen one where it
was (issue 14's third and fourth rounds). This counts classes over every sentence that
`bench/news_labels.py pick` could have picked (BBC, Reuters and the topical articles, tables and
the topical header left out), so a class is ranked by how often news writes it, not by whether
a labelled sentence happened to hold it. It runs ledger on each whole story (with its date),
except the stories that hold a sentence of a sealed batch (`news_heldout7.jsonl`, 107
stories, and `news_heldout8.jsonl`, 112: 202 in all, 17 holding sentences of both;
`news_heldout6.jsonl`'s 135 came back when it was unsealed in issue 14's thirteenth round), left
out whole so that their sentences' misses are never ranked, sampled or read, and lists:

- **uncovered**: every digit run and number word that no claim's quote covers, leaving out what
  bench/labels/README.md says is no quantity (years, dates, times of day, telephone numbers,
  codes and ids glued to letters, ordinals, list markers, "one" as a pronoun, numbers in a web
  address, a label's number after "No.", "page", "Chapter"...);
- **bare**: claims with no unit (a count with no noun, a bare figure), whose unit a reader
  would want.

Each is grouped by the shape of its context, the words after it ("NUM tonne cargoes") and the
word before it ("over NUMs"), where NUM is the figure (with any letters glued to it: "NUMs",
"NUMm") and other figures are NUM too. The labelled sets' misses (all the seen ones;
`news_heldout7.jsonl` and `news_heldout8.jsonl` are never read) are grouped by the same shapes,
so a class seen in one set only and rare in the corpora can be told from one that news writes
every day. `--sample` prints a class's sentences: read them on the screen, never commit them
(the corpora are the publishers' copyright).
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import click
import regex

sys.path.insert(0, str(Path(__file__).resolve().parent))

from news_labels import (  # noqa: E402
    HELDOUT,
    HELDOUT2,
    HELDOUT3,
    HELDOUT4,
    HELDOUT5,
    HELDOUT6,
    LABELS,
    _labellable,
    documents,
    load_labels,
    sealed_stories,
    sentences,
)

# The labelled sets read here, by name; a sealed batch is never one of them.
LABEL_SETS = {
    "news": LABELS,
    "heldout": HELDOUT,
    "heldout2": HELDOUT2,
    "heldout3": HELDOUT3,
    "heldout4": HELDOUT4,
    "heldout5": HELDOUT5,
    "heldout6": HELDOUT6,
}
_NUMBER_WORD = (
    r"zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|million|billion|trillion|dozen"
)
# a figure: digits (with their thousands and decimals, and any letters glued after them), or a
# number word (hyphenated tens and units as one: "twenty-five")
FIGURE = regex.compile(
    rf"""(?<![\p{{L}}\d.,])(?:
        (?P<digits>\d[\d,]*(?:\.\d+)?)(?P<glue>\p{{L}}*)
      | (?P<word>(?:{_NUMBER_WORD})(?:-(?:{_NUMBER_WORD}))?)(?!\p{{L}})
    )""",
    regex.IGNORECASE | regex.VERBOSE,
)
TOKEN = regex.compile(r"\d[\d,]*(?:\.\d+)?\p{L}*|\p{L}+(?:['’]\p{L}+)?|[^\s\p{L}\d]")
MONTH = regex.compile(
    r"(?i)jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
WEEKDAY = regex.compile(r"(?i)(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?")
ORDINAL_GLUE = {"st", "nd", "rd", "th"}
TIME_GLUE = {"am", "pm", "gmt", "bst", "est", "edt", "hrs", "h"}
TIME_AFTER = regex.compile(r"\s*(?:a\.m\.|p\.m\.|am\b|pm\b|gmt\b|est\b|edt\b|bst\b|hrs\b)", regex.I)
PHONE = regex.compile(r"\(?\d{2,4}\)?[ -]\d{3,4}[ -]\d{3,4}")
# words after which a number is a label's, not a quantity ("No. 2", "page 3", "Radio 4")
LABEL_WORDS = frozenset(
    [
        "no",
        "nos",
        "number",
        "page",
        "pages",
        "chapter",
        "section",
        "article",
        "clause",
        "paragraph",
        "item",
        "grade",
        "level",
        "stage",
        "phase",
        "version",
        "flight",
        "route",
        "channel",
        "radio",
        "room",
        "platform",
        "gate",
        "line",
        "tier",
        "category",
        "class",
        "type",
        "model",
        "series",
        "mark",
        "size",
        "figure",
        "fig",
        "table",
        "chart",
        "exhibit",
        "appendix",
        "annex",
        "schedule",
        "form",
        "issue",
        "vol",
        "volume",
        "part",
        "act",
        "title",
        "rule",
        "question",
        "point",
        "division",
        "league",
        "track",
        "episode",
        "studio",
        "band",
        "windows",
        "iphone",
        "ipod",
        "playstation",
        "xbox",
        "formula",
        "world",
        "g",
        "pentium",
        "top",
    ]
)
# "one" before these, or after these, is a pronoun or an article, not a count
ONE_PRONOUN_AFTER = frozenset({"of", "another", "day", "way", "thing", "hand", "side", "time"})
ONE_PRONOUN_BEFORE = frozenset(
    {"no", "the", "any", "every", "each", "this", "that", "which", "someone", "anyone", "as"}
)


@dataclass(frozen=True)
class Item:
    """One uncovered figure or bare claim, with where it is and its context's shapes."""

    doc: str
    corpus: str
    start: int
    end: int
    right: str  # "NUM tonne cargoes"
    left: str  # "over NUMs"


def _shape_token(token: str) -> str:
    return regex.sub(r"^\d[\d,]*(?:\.\d+)?", "NUM", token) if token[0].isdigit() else token.lower()


def shapes(text: str, start: int, end: int, figure: str) -> tuple[str, str]:
    """The context shapes of the figure at text[start:end]: the two tokens after it and the
    one before it, lower case, other figures as NUM.

    >>> shapes("two 6,000 tonne cargoes left", 4, 9, "6,000")
    ('NUM tonne cargoes', 'two NUM')
    >>> shapes("over 65s were", 5, 8, "65s")
    ('NUMs were', 'over NUMs')
    """
    me = _shape_token(figure) if figure[0].isdigit() else "NUM"
    after = [_shape_token(t) for t in TOKEN.findall(text, end, min(len(text), end + 60))[:2]]
    before = [_shape_token(t) for t in TOKEN.findall(text, max(0, start - 40), start)[-1:]]
    return " ".join([me, *after]), " ".join([*before, me])


def not_a_quantity(text: str, m: regex.Match[str], line_start: int) -> bool:
    """What the labels' conventions (bench/labels/README.md) say is no quantity, seen crudely
    from the figure's neighbours: a year, a date, a time, a telephone number, a code, an
    ordinal, a list marker, a label's number, "one" as a pronoun, a web address."""
    start, end = m.span()
    digits, glue, word = m.group("digits"), (m.group("glue") or "").lower(), m.group("word")
    before = TOKEN.findall(text, max(0, start - 30), start)[-2:]
    after = TOKEN.findall(text, end, min(len(text), end + 40))[:3]
    prev = before[-1].lower().rstrip(".") if before else ""
    if start and text[start - 1] in "-/'’#" and start > 1 and text[start - 2].isalnum():
        return True  # "IPv-6", "3/4" as a date's tail, "'87", "#2"
    if any(c in "/@" or "www" in c for c in text[max(0, start - 20) : start].split()[-1:]):
        return True  # a web address
    if prev in LABEL_WORDS or _named(text, start, before, after):
        return True
    if (before and WEEKDAY.fullmatch(before[-1])) or _date_after(after):
        return True  # a date: "Thursday 9", "24 and 26 December"
    if (before and MONTH.fullmatch(before[-1])) or (after and MONTH.fullmatch(after[0])):
        return True  # a date: "March 5", "5 March", "payable April one"
    if after[:2] in (["-", "time"], ["-", "off"]):
        return True  # "a two-time champion", "a one-off payment"
    if word:
        low = word.lower()
        nxt = after[0].lower() if after else ""
        return (
            low == "one"
            and (
                nxt in ONE_PRONOUN_AFTER
                or prev in ONE_PRONOUN_BEFORE
                # "said one banker", "One analyst said": an article before a source
                or prev == "said"
                or [t.lower() for t in after[1:2]] == ["said"]
            )
        )
    if text[end : end + 1] == "/" and text[end + 1 : end + 2].isdigit():
        return not regex.match(r"/\d+\s+(?:of|pct|per|percent)\b", text[end : end + 20])
    if glue in ORDINAL_GLUE or glue in TIME_GLUE:
        return True
    plain = digits.replace(",", "")
    if regex.fullmatch(r"1[5-9]\d\d|20\d\d", plain) and glue in ("", "s"):
        return True  # a year, or a decade ("the 1980s")
    if text[end : end + 1] in ":." and text[end + 1 : end + 2].isdigit() and "." not in digits:
        return True  # a time, or the first part of a code ("10:30", "1.2.3")
    if start and text[start - 1] == ":" and text[start - 2 : start - 1].isdigit():
        return True
    if TIME_AFTER.match(text, end):
        return True
    if PHONE.match(text, max(0, start - 1)) or PHONE.match(text, max(0, start - 5), end + 10):
        return True
    if text[line_start:start].strip(" \t(") == "" and text[end : end + 1] in ".)":
        return True  # a list marker
    return bool(glue) and glue not in ("s", "m", "bn", "k", "mn", "pc", "pct", "p", "c", "ft")


def _named(text: str, start: int, before: list[str], after: list[str]) -> bool:
    """A number that is part of a name: after a capitalised word (not the sentence's first)
    and before a possessive or another capitalised word ("Maroon 5's", "BBC Two's", "Million
    Dollar Baby"), or a capitalised number word mid-sentence before a capitalised word."""
    nxt = after[0] if after else ""
    capital_next = nxt[:1].isupper() or nxt in ("'", "’")
    figure = text[start : start + 1]
    if figure.isupper() and before and before[-1] not in '.!?"“':
        # "Million Dollar Baby", "BBC Two", "Channel Four": a capitalised number word mid-sentence
        return capital_next or before[-1][:1].isupper()
    return bool(
        before
        and before[-1][:1].isupper()
        and before[-1].isalpha()
        and capital_next
        and text[max(0, start - 2) : start - 1] not in (".", "\n")
    )


def _date_after(after: list[str]) -> bool:
    """ "24 and 26 December", "6-12 December": a day in a span of dates."""
    return len(after) == 3 and after[0] in ("and", "-", "to") and bool(MONTH.fullmatch(after[2]))


@dataclass
class Census:
    """The uncovered figures and bare claims, and how many figures were looked at."""

    uncovered: list[Item]
    bare: list[Item]
    counted: Counter[str] = field(default_factory=Counter)  # the counted nouns, by corpus count
    figures: int = 0
    claims: int = 0

    def save(self, path: Path) -> None:
        record = {
            "uncovered": [asdict(i) for i in self.uncovered],
            "bare": [asdict(i) for i in self.bare],
            "counted": dict(self.counted),
            "figures": self.figures,
            "claims": self.claims,
        }
        path.write_text(json.dumps(record), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Census:
        record = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            [Item(**i) for i in record["uncovered"]],
            [Item(**i) for i in record["bare"]],
            Counter(record["counted"]),
            record["figures"],
            record["claims"],
        )


def _stories(
    corpus: str | None, megabytes: float | None
) -> Iterator[tuple[str, str, str, str | None]]:
    total = 0
    # a story holding a sealed batch's sentence is left out whole: its misses, ranked or
    # sampled here, would be read while tuning, and ledger is never run on a sealed sentence
    sealed = sealed_stories()
    for name, doc, text, published in documents():
        if (corpus and name != corpus) or doc in sealed:
            continue
        if megabytes is not None and total > megabytes * 1e6:
            return
        total += len(text)
        yield name, doc, text, published


def take_census(corpus: str | None = None, megabytes: float | None = None) -> Census:
    """Run ledger on every story and list what it leaves unread in the pickable sentences."""
    from ledger import extract

    census = Census([], [])
    for name, doc, text, published in _stories(corpus, megabytes):
        day = date.fromisoformat(published) if published else None
        claims = extract(text, published=day)
        covered = sorted((c.start, c.end) for c in claims)
        body = text.index("\n---\n") + 5 if name == "topical" else 0
        pickable = [(a, b) for a, b in sentences(text, body) if _labellable(text[a:b])]
        for a, b in pickable:
            for m in FIGURE.finditer(text, a, b):
                line_start = text.rfind("\n", 0, m.start()) + 1
                if not_a_quantity(text, m, line_start):
                    continue
                census.figures += 1
                if not _covered(covered, m.start(), m.end()):
                    census.uncovered.append(_item(name, doc, text, m.start(), m.end()))
        for claim in claims:
            if not any(a <= claim.start < b for a, b in pickable):
                continue
            census.claims += 1
            if claim.kind == "count" and claim.unit is not None:
                census.counted[claim.unit] += 1
            if claim.unit is None and claim.kind in ("count", "number"):
                first = FIGURE.search(text, claim.start, claim.end)
                if first is not None:
                    census.bare.append(_item(name, doc, text, first.start(), first.end()))
    return census


def _covered(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    import bisect

    i = bisect.bisect_right(spans, (start, 10**12))
    return any(a < end and start < b for a, b in spans[max(0, i - 3) : i + 1])


def _item(corpus: str, doc: str, text: str, start: int, end: int) -> Item:
    right, left = shapes(text, start, end, text[start:end])
    return Item(doc, corpus, start, end, right, left)


def label_misses(census: Census) -> dict[str, Counter[str]]:
    """Per labelled set, the shapes of its quantities that the census found uncovered."""
    by_doc: dict[str, list[Item]] = defaultdict(list)
    for item in census.uncovered:
        by_doc[item.doc].append(item)
    found: dict[str, Counter[str]] = {}
    for name, path in LABEL_SETS.items():
        shapes_missed: Counter[str] = Counter()
        for sentence in load_labels(path):
            for q in sentence.quantities:
                hit = next(
                    (i for i in by_doc.get(sentence.doc, []) if q.start <= i.start < q.end), None
                )
                if hit is not None:
                    shapes_missed[hit.right] += 1
                    shapes_missed[hit.left] += 1
        found[name] = shapes_missed
    return found


def ranked(items: list[Item], view: str) -> list[tuple[str, Counter[str]]]:
    """Classes of one view ("right" or "left"), most frequent first, each counted by corpus."""
    classes: dict[str, Counter[str]] = defaultdict(Counter)
    for item in items:
        classes[getattr(item, view)][item.corpus] += 1
    return sorted(classes.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))


def _table(
    title: str, rows: list[tuple[str, Counter[str]]], misses: dict[str, Counter[str]], top: int
) -> list[str]:
    head = f"{'class':<40} {'all':>6} {'bbc':>5} {'reut':>5} {'top':>4}  label misses"
    lines = [f"\n{title}", head]
    for key, counts in rows[:top]:
        in_sets = ", ".join(f"{n} {c[key]}" for n, c in misses.items() if c[key])
        lines.append(
            f"{key[:40]:<40} {sum(counts.values()):>6} {counts['bbc']:>5} {counts['reuters']:>5}"
            f" {counts['topical']:>4}  {in_sets}"
        )
    return lines


@click.command()
@click.option("--corpus", type=click.Choice(["bbc", "reuters", "topical"]), help="One corpus only.")
@click.option("--megabytes", type=float, help="Stop after about this much text (a quick look).")
@click.option("--top", default=25, show_default=True, help="Classes to print per view.")
@click.option("--sample", help="Print the sentences of this class (a right or left shape).")
@click.option("--bare", "bare_sample", is_flag=True, help="With --sample: the bare claims' class.")
@click.option("--count", default=12, show_default=True, help="How many to print with --sample.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every class's counts as JSON (outside the repository; no text is written).",
)
@click.option(
    "--cache",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep the census here (outside the repository) and read it back on the next run, so"
    " several --sample looks cost one extraction pass; delete it after changing the rules.",
)
def main(
    corpus: str | None,
    megabytes: float | None,
    top: int,
    sample: str | None,
    bare_sample: bool,
    count: int,
    out: Path | None,
    cache: Path | None,
) -> None:
    """Rank the classes of figures ledger leaves unread, over every pickable news sentence."""
    if cache is not None and cache.exists():
        census = Census.load(cache)
    else:
        census = take_census(corpus, megabytes)
        if cache is not None:
            census.save(cache)
    if sample:
        texts = {doc: text for _, doc, text, _ in _stories(corpus, megabytes)}
        items = census.bare if bare_sample else census.uncovered
        chosen = [i for i in items if sample in (i.right, i.left) and i.doc in texts]
        click.echo(f"{len(chosen)} in class {sample!r}")
        for item in chosen[:count]:
            text = texts[item.doc]
            excerpt = text[max(0, item.start - 90) : item.end + 60].replace("\n", " ")
            click.echo(f"  {item.doc}@{item.start}: ...{excerpt}...")
        return
    misses = {} if corpus or megabytes else label_misses(census)
    click.echo(
        f"{census.figures:,} figures in pickable sentences; {len(census.uncovered):,} not covered"
        f" by a claim ({len(census.uncovered) / max(census.figures, 1):.1%}); {census.claims:,}"
        f" claims, {len(census.bare):,} with no unit"
    )
    for title, items, view in (
        ("uncovered, by the words after", census.uncovered, "right"),
        ("uncovered, by the word before", census.uncovered, "left"),
        ("claims with no unit, by the words after", census.bare, "right"),
    ):
        click.echo("\n".join(_table(title, ranked(items, view), misses, top)))
    click.echo("\ncounted nouns (a unit word read as a noun is a class too):")
    click.echo(", ".join(f"{unit} {n}" for unit, n in census.counted.most_common(top * 4)))
    if out:
        dump = {
            view: {k: dict(v) for k, v in ranked(items, view.split("_")[1])}
            for view, items in (
                ("uncovered_right", census.uncovered),
                ("uncovered_left", census.uncovered),
                ("bare_right", census.bare),
            )
        }
        dump["counted"] = dict(census.counted)
        dump["totals"] = {
            "figures": census.figures,
            "uncovered": len(census.uncovered),
            "claims": census.claims,
            "bare": len(census.bare),
        }
        out.write_text(json.dumps(dump, indent=1, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    main()
