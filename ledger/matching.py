"""Claim matching: the same claim in several places, grouped, so a reviewer checks it once.

Two current claims are the same claim when either holds:

- **the same figure**: the same normalised value (and upper value), unit, change, metric (not
  'other'), subject and period (a missing subject or period matches only a missing one);
- **the same figure in like words**: the same value and unit, and sentences whose words
  overlap by at least `wording_overlap` (Jaccard over lower-cased words: wire copy republished
  with a new first clause) or that share at least `shared_words` content words (not stopwords,
  scale or unit words, nor figures: "Intel ... $20 billion ... chipmaking factories" in two
  articles whose metric or period were read differently). Both are set in
  ledger/data/matching.toml.

Groups are the connected claims (union-find), written to `claim_groups` by `ledger check`; the
claim page lists "the same figure elsewhere", the `most_repeated_claims` canned query ranks
them, and `ledger note --group` gives each member the same verdict (each its own note).

Both relations need the same value and unit, so claims are read in (unit, value) order and
matched one block of equal figures at a time: memory holds one block, however large the ledger.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

import sqlite_utils
from pydantic import BaseModel, ConfigDict, Field

_WORD = re.compile(r"\w+")


class MatchingRules(BaseModel):
    """ledger/data/matching.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    wording_overlap: float = Field(gt=0, le=1)
    shared_words: int = Field(ge=1)
    stopwords: frozenset[str]
    figure_words: frozenset[str]

    def content(self, found: frozenset[str]) -> frozenset[str]:
        """The words that say what a figure is about: no stopword, unit word or digit."""
        return frozenset(
            word for word in found
            if word not in self.stopwords and word not in self.figure_words
            and not any(ch.isdigit() for ch in word)
        )  # fmt: skip

    def alike(self, a: frozenset[str], b: frozenset[str]) -> bool:
        """Two sentences' words (`words`) say the same thing.

        >>> rules = matching_rules()
        >>> rules.alike(words("Intel will spend $20 billion on chipmaking factories in Ohio."),
        ...             words("Intel's $20 billion plan: two chipmaking factories in Ohio."))
        True
        >>> rules.alike(words("Intel will spend $20 billion."), words("It cost $20 billion."))
        False
        """
        if overlap(a, b) >= self.wording_overlap:
            return True
        return len(self.content(a) & self.content(b)) >= self.shared_words


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


def figure_key(figure: Figure) -> tuple[object, ...] | None:
    """What makes two claims the same figure; None when it says too little (no metric or unit).

    >>> f = Figure("c-1", "s", 52e9, None, "USD", None, "investment_fund", "US", None, "")
    >>> figure_key(f)
    ('investment_fund', 'us', '', 'USD', '', 52000000000.0, None)
    """
    if figure.metric == "other" or not figure.unit:
        return None
    return (figure.metric, (figure.subject or "").casefold(), figure.period or "", figure.unit,
            figure.change or "", figure.value, figure.value_high)  # fmt: skip


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


def match_block(figures: list[Figure]) -> list[list[str]]:
    """The groups (two or more claims) among figures of one value and unit, each sorted."""
    found = _UnionFind()
    by_key: dict[tuple[object, ...], str] = {}
    for figure in figures:
        key = figure_key(figure)
        if key is not None:
            found.union(by_key.setdefault(key, figure.id), figure.id)
    rules = matching_rules()
    word_sets = [words(figure.sentence) for figure in figures]
    for (i, a), (j, b) in itertools.combinations(enumerate(figures), 2):
        if a.value_high == b.value_high and rules.alike(word_sets[i], word_sets[j]):
            found.union(a.id, b.id)
    groups: dict[str, list[str]] = {}
    for figure in figures:
        groups.setdefault(found.find(figure.id), []).append(figure.id)
    return [sorted(group) for group in groups.values() if len(group) > 1]


def match(figures: Iterable[Figure]) -> Iterator[list[str]]:
    """Groups among figures given in (unit, value) order, one block of equal figures at a time."""
    for _, block in itertools.groupby(figures, key=lambda f: (f.unit, f.value)):
        yield from match_block(list(block))


# A block of one figure cannot match: such claims are left out in SQL (a million claims hold
# mostly figures said once).
_FIGURES_SQL = """
    select claims.id, claims.source_id, value, value_high, unit, change, metric, subject, period,
           sentences.text
    from claims
    left join sentences on sentences.source_id = claims.source_id
                       and sentences.start = claims.sentence_start
    where retired_at is null and rejected_at is null
      and (unit, value) in (
        select unit, value from claims where retired_at is null and rejected_at is null
        group by unit, value having count(*) > 1)
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
