"""Claim matching: the same claim in several places, grouped, so a reviewer checks it once.

Two current claims of one unit are the same claim when their figures *agree* (`agree`) and
either holds:

- **the same facts**: the same change, metric (not 'other'), subject and period (a missing
  subject or period matches only a missing one);
- **like words**: the same change, and sentences whose words overlap by at least
  `wording_overlap` (Jaccard over lower-cased words: wire copy republished with a new first
  clause) or that share at least `shared_words` content words (not stopwords, scale or unit
  words, nor figures: "Intel ... $20 billion ... chipmaking factories" in two articles whose
  metric or period were read differently). Both are set in ledger/data/matching.toml.

Figures agree when one is the other as written more roughly: "$52bn" is $52.7bn truncated,
"£1.3bn" is "about £1.35bn" rounded, "more than 3.3 trillion" allows 3.3357 trillion. How
roughly a figure is written is the place of its last written digit (`last_place`: "$52bn" to
the billion, "5.00 pct" to the hundredth), so "5.92 pct" and "5.93 pct" never agree.

Groups are the connected claims (union-find), written to `claim_groups` by `ledger check`; the
claim page lists "the same figure elsewhere", the `most_repeated_claims` canned query ranks
them, and `ledger note --group` gives each member the same verdict (each its own note).

Claims are read one unit at a time (a figure never matches one in another unit), and only
claims of the same value, or a rough figure and a finer one it may round (`cells`), are
compared.
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

import sqlite_utils
from pydantic import BaseModel, ConfigDict, Field

from ledger.intervals import Interval, claim_interval, written_place

_WORD = re.compile(r"\w+")


class MatchingRules(BaseModel):
    """ledger/data/matching.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    wording_overlap: float = Field(gt=0, le=1)
    shared_words: int = Field(ge=1)
    rounded_shared_words: int = Field(ge=1)
    stopwords: frozenset[str]
    figure_words: frozenset[str]

    def content(self, found: frozenset[str]) -> frozenset[str]:
        """The words that say what a figure is about: no stopword, unit word or digit."""
        return frozenset(
            word for word in found
            if word not in self.stopwords and word not in self.figure_words
            and not any(ch.isdigit() for ch in word)
        )  # fmt: skip

    def alike(self, a: frozenset[str], b: frozenset[str], *, rounded: bool = False) -> bool:
        """Two sentences' words (`words`) say the same thing.

        >>> rules = matching_rules()
        >>> rules.alike(words("Intel will spend $20 billion on chipmaking factories in Ohio."),
        ...             words("Intel's $20 billion plan: two chipmaking factories in Ohio."))
        True
        >>> rules.alike(words("Intel will spend $20 billion."), words("It cost $20 billion."))
        False
        """
        return self.alike_read(a, b, self.content(a), self.content(b), rounded=rounded)

    def alike_read(
        self,
        a: frozenset[str],
        b: frozenset[str],
        content_a: frozenset[str],
        content_b: frozenset[str],
        *,
        rounded: bool = False,
    ) -> bool:
        """`alike`, given each sentence's content words already picked out (a ledger's
        matching compares each sentence with many others)."""
        if overlap(a, b) >= self.wording_overlap:
            return True
        needed = self.rounded_shared_words if rounded else self.shared_words
        return len(content_a & content_b) >= needed


@cache
def matching_rules() -> MatchingRules:
    """The package's matching settings, read and validated once."""
    text = resources.files("ledger").joinpath("data/matching.toml").read_text("utf-8")
    return MatchingRules.model_validate(tomllib.loads(text))


@dataclass(frozen=True)
class Figure:
    """What matching reads of a claim."""

    id: str
    source_id: str
    value: float
    value_high: float | None
    unit: str | None
    change: str | None
    metric: str
    subject: str | None
    period: str | None
    sentence: str
    bound: str = "exact"
    quote: str = ""

    @cached_property
    def place(self) -> float | None:
        """`last_place`, read once: matching asks it of a figure many times."""
        return last_place(self)


def same_facts(a: Figure, b: Figure) -> bool:
    """The same change, metric (not 'other'), subject and period: the same thing said.

    >>> f = Figure("c-1", "s", 52e9, None, "USD", None, "investment_fund", "US", None, "")
    >>> same_facts(f, f), same_facts(f, Figure("c-2", "t", 52e9, None, "USD", None, "other",
    ...                                        "US", None, ""))
    (True, False)
    """
    if a.metric == "other" or b.metric == "other":
        return False
    return (a.change or "", a.metric, (a.subject or "").casefold(), a.period or "") == (
        b.change or "", b.metric, (b.subject or "").casefold(), b.period or "")  # fmt: skip


# One number as written: digits with thousands commas and decimals ("52.7", "1,400", "5.00").
def last_place(figure: Figure) -> float | None:
    """The place of the last digit the quote writes, in the claim's unit (`written_place`).

    >>> [last_place(Figure("c", "s", v, None, "u", None, "m", None, None, "", quote=q))
    ...  for v, q in ((52e9, "$52bn"), (5.0, "5.00 pct"), (3.3e12, "3.3 trillion yuan"),
    ...               (2.0, "two metals"), (9.8125, "9-13/16 pct"))]
    [1000000000.0, 0.01, 100000000000.0, None, None]
    """
    return written_place(figure.quote, figure.value, figure.value_high)


def agree(a: Figure, b: Figure) -> bool:
    """Two figures of one unit that may be one figure written twice: the same value, or the
    rougher one is the finer one rounded or cut to its last digit ("$52bn" and "$52.7bn"); and
    where one is a floor or a ceiling, it allows the other ("more than 3.3 trillion" and
    "3.3357 trillion", not "more than 150" and "less than 150").

    >>> def f(value, quote, bound="exact"):
    ...     return Figure("c", "s", value, None, "USD", None, "m", None, None, "", bound, quote)
    >>> agree(f(52e9, "$52bn"), f(52.7e9, "$52.7bn")), agree(f(5.92, "5.92"), f(5.93, "5.93"))
    (True, False)
    >>> agree(f(3.3e12, "3.3 trillion", "more_than"), f(3.3357e12, "3.3357 trillion"))
    True
    >>> agree(f(3.3e12, "3.3 trillion", "more_than"), f(3.2957e12, "3.2957 trillion"))
    False
    """
    if a.value_high != b.value_high or not _bounds_alike(a, b) or not _same_value(a, b):
        return False
    if _bounded(a) == _bounded(b):
        return True
    bounded, plain = (a, b) if _bounded(a) else (b, a)
    allows = claim_interval(bounded.value, None, bounded.bound, 0.0)
    return allows.meets(_rough(plain, plain.place))


def _rough(figure: Figure, place: float | None) -> Interval:
    """The values a plain figure may stand for: itself, rounded or cut to its last digit."""
    if place is None:
        return Interval(figure.value, figure.value)
    return Interval(figure.value - place / 2, figure.value + place, high_open=True)


def _same_value(a: Figure, b: Figure) -> bool:
    if a.value == b.value:
        return True
    places = a.place, b.place
    if places[0] is None or places[1] is None or math.isclose(places[0], places[1]):
        return False  # as finely written (or not in digits), and different
    rough, place, fine = (a, places[0], b) if places[0] > places[1] else (b, places[1], a)
    # within what the rough figure's last digit may round (half below) or cut (a whole above)
    return rough.value - place / 2 <= fine.value < rough.value + place


def _bounded(figure: Figure) -> bool:
    return figure.bound in ("more_than", "at_least", "less_than", "at_most")


def _bounds_alike(a: Figure, b: Figure) -> bool:
    """Not one said as a floor and the other as a ceiling ("more than" / "less than")."""
    floors = {"more_than", "at_least"}
    ceilings = {"less_than", "at_most"}
    return not ({a.bound, b.bound} & floors and {a.bound, b.bound} & ceilings)


def cells(figure: Figure) -> tuple[list[tuple[float, int]], list[tuple[float, int]]]:
    """Where a figure meets those it may agree with, as (place, index) cells: the cells its
    rough interval covers at its own place (where finer figures visit it), and its value cut
    to every rougher place (where it visits rougher figures), one cell each. Figures meet only
    their neighbours, never every figure of their unit.

    >>> f = Figure("c", "s", 52e9, None, "USD", None, "m", None, None, "", quote="$52bn")
    >>> cells(f)[0]
    [(1000000000.0, 51), (1000000000.0, 52)]
    """
    place = figure.place
    if place is None:
        return [], []
    own = math.floor(figure.value / place + 1e-9)
    visits = []
    rougher = place * 10
    while rougher <= abs(figure.value) * 10:
        visits.append((_key(rougher), math.floor(figure.value / rougher + 1e-9)))
        rougher *= 10
    return [(_key(place), own - 1), (_key(place), own)], visits


def _key(place: float) -> float:
    """A place as a cell key: 0.01 * 10 and 10 ** -1 are the same place."""
    return float(f"{place:.6e}")


def words(sentence: str) -> frozenset[str]:
    return frozenset(word.casefold() for word in _WORD.findall(sentence))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard overlap of two word sets.

    >>> overlap(words("The fund will raise $40bn."), words("The fund will raise $40bn, it said."))
    0.7142857142857143
    """
    return len(a & b) / len(a | b) if a or b else 0.0


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        root = self.parent.setdefault(item, item)
        while root != self.parent[root]:
            root = self.parent[root]
        while item != root:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        first, second = sorted((self.find(a), self.find(b)))
        self.parent[second] = first  # the smallest id is the root: a group's id is stable


def match_unit(figures: list[Figure]) -> list[list[str]]:
    """The groups (two or more claims) among the figures of one unit, each sorted.

    Two groups join only when every figure of one agrees with every figure of the other: "$10
    billion" agrees with both "$10.32 billion" and "$10.9 billion", which are not one figure,
    so it never chains them into one group."""
    found = _UnionFind()
    members = {figure.id: [figure] for figure in figures}
    rules = matching_rules()
    word_sets = {figure.id: words(figure.sentence) for figure in figures}
    contents = {key: rules.content(found) for key, found in word_sets.items()}
    for a, b in _candidates(figures):
        first, second = found.find(a.id), found.find(b.id)
        if first == second or not agree(a, b):
            continue
        rounded = a.value != b.value  # a weaker sign: the words must say more
        if not same_facts(a, b) and not (
            (a.change or "") == (b.change or "")
            and rules.alike_read(
                word_sets[a.id], word_sets[b.id], contents[a.id], contents[b.id], rounded=rounded
            )  # fmt: skip
        ):
            continue
        joined = len(members[first]) == len(members[second]) == 1  # a and b: agreed above
        if joined or all(agree(x, y) for x in members[first] for y in members[second]):
            found.union(a.id, b.id)
            root = found.find(a.id)
            members[root] = members.pop(first) + members.pop(second)
    return [sorted(f.id for f in group) for group in members.values() if len(group) > 1]


def _candidates(figures: list[Figure]) -> Iterator[tuple[Figure, Figure]]:
    """The pairs of figures that may agree: the same value, or a rougher figure and a finer one
    in its cell (a pair may come twice; never two figures that only share a rougher one)."""
    same_value: dict[float, list[Figure]] = {}
    owned: dict[tuple[float, int], list[Figure]] = {}
    visiting: dict[tuple[float, int], list[Figure]] = {}
    for figure in figures:
        same_value.setdefault(figure.value, []).append(figure)
        own, visits = cells(figure)
        for cell in own:
            owned.setdefault(cell, []).append(figure)
        for cell in visits:
            visiting.setdefault(cell, []).append(figure)
    for members in same_value.values():
        yield from itertools.combinations(members, 2)
    for cell, rough in owned.items():
        for fine in visiting.get(cell, ()):
            for figure in rough:
                yield figure, fine


def match(figures: Iterable[Figure]) -> Iterator[list[str]]:
    """Groups among figures given in unit order, one unit at a time."""
    for _, block in itertools.groupby(figures, key=lambda f: f.unit):
        yield from match_unit(list(block))


# A unit said once cannot match: such claims are left out in SQL.
_FIGURES_SQL = """
    select claims.id, claims.source_id, value, value_high, unit, change, metric, subject, period,
           coalesce(sentences.text, ''), bound, quote
    from claims
    left join sentences on sentences.source_id = claims.source_id
                       and sentences.start = claims.sentence_start
    where retired_at is null and rejected_at is null and value is not null
      and unit in (
        select unit from claims where retired_at is null and rejected_at is null
        group by unit having count(*) > 1)
    order by unit, value, claims.id
"""


def write_groups(db: sqlite_utils.Database) -> tuple[int, int]:
    """Replace `claim_groups` with the groups of the current claims; (groups, claims grouped)."""
    cursor = db.execute(_FIGURES_SQL)
    rows: list[tuple[str, str]] = []
    groups = 0
    try:
        for group in match(Figure(*row) for row in cursor):
            groups += 1
            rows += [(claim, group[0]) for claim in group]
    finally:
        cursor.close()
    with db.conn:
        db.execute("delete from claim_groups")
        db.conn.executemany("insert into claim_groups (claim_id, group_id) values (?, ?)", rows)
    return groups, len(rows)


def group_of(db: sqlite_utils.Database, claim: str) -> list[str]:
    """The ids of the claims grouped with `claim` (itself included); [claim] when alone."""
    found = db.execute(
        "select claim_id from claim_groups where group_id ="
        " (select group_id from claim_groups where claim_id = ?) order by claim_id",
        [claim],
    ).fetchall()
    return [row[0] for row in found] or [claim]
