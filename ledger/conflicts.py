"""The one definition of a conflict between two claims, used by `ledger check` (which stores each
conflict as a claim-against-claim `inconsistent` row in `checks`), by the `conflicting_figures`
canned query and by the claim page (both read those rows).

Two claims conflict when all of this holds:

1. They are about the same thing: the same metric (not 'other'), subject and period, both levels
   or both changes, the same reference keywords in their clauses (capacity vs demand share), and
   the same *scope* (`scope_of`): a total is never compared with a part of it.
2. Their figures are apart beyond the tolerance: the intervals their bounds and rounding allow
   do not meet, after converting currencies (`ledger.check.Checker._pair`).
3. Both are stated as facts. Across sources that needs a known period. Within one sentence two
   figures are a before and after ("rose to 4.7% from 4.6%") or a conversion in brackets
   ("$52bn (£43bn)") unless the words between them restate the first (`restates`: "some 540
   satellites (the actual number has exceeded 900)").
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Scope = Literal["part", "whole", "figure"]


class ConflictRulesError(ValueError):
    """ledger/data/scopes.toml is malformed: one-line message."""


class ScopeCue(BaseModel):
    """Words in a figure's clause that make it a part of something, or a whole."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    scope: Literal["part", "whole"]
    pattern: str
    comment: str = Field(min_length=1)
    examples: list[str] = Field(min_length=1)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"not a regular expression: {error}") from error
        return pattern

    @model_validator(mode="after")
    def _examples_match(self) -> ScopeCue:
        missed = [text for text in self.examples if not re.search(self.pattern, text, re.I)]
        if missed:
            raise ValueError(f"cue {self.id} does not match its example(s) {missed}")
        return self


class ScopeCues(BaseModel):
    """ledger/data/scopes.toml."""

    model_config = ConfigDict(extra="forbid")

    cue: list[ScopeCue] = Field(min_length=1)

    def scope_of(self, before: str, after: str = "") -> Scope:
        """'part', 'whole' or 'figure' (no cue) for a figure, from the words of its clause
        `before` it and the few words `after` it: a part is said before the figure ("that
        includes $52 billion"), a whole before or after it ("a $280 billion package").

        >>> cues = load_scope_cues()
        >>> [cues.scope_of(b) for b in (" in total ", " package that includes ", " worth ")]
        ['whole', 'part', 'figure']
        >>> cues.scope_of("on Thursday, a ", after=" package that")
        'whole'
        >>> cues.scope_of(" in 2022, a fraction of the ", after=" CHIPS and")
        'whole'
        """
        for cue in self.cue:
            said = [before] if cue.scope == "part" else [before, after]
            if any(re.search(cue.pattern, words, re.IGNORECASE) for words in said):
                return cue.scope
        return "figure"


def load_scope_cues(text: str | None = None) -> ScopeCues:
    """Read and validate the scope cues (default: the file shipped in the package)."""
    if text is None:
        return _packaged_cues()
    try:
        return ScopeCues.model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValidationError) as error:
        raise ConflictRulesError(f"scopes.toml: {error}") from error


@cache
def _packaged_cues() -> ScopeCues:
    """The package's own cues, read once (they never change while running)."""
    return load_scope_cues(
        resources.files("ledger").joinpath("data/scopes.toml").read_text("utf-8")
    )


def words_after(sentence: str, offset: int, words: int = 2) -> str:
    """The next few words of a sentence after `offset` (what may name a figure a whole).

    >>> words_after("a $280 billion package that includes $52 billion", 14)
    ' package that'
    """
    found = re.match(rf"(?:\W*\w+){{0,{words}}}", sentence[offset:])
    return found.group() if found else ""


class Placed(Protocol):
    """What `restates` reads of a claim: where its figure sits in its sentence."""

    source_id: str
    sentence_start: int
    sentence: str
    unit: str | None
    start: int
    end: int


class Cues(Protocol):
    def between(self, text: str) -> str | None: ...


def restates(claim: Placed, other: Placed, cues: Cues) -> bool:
    """True when two figures of one sentence, in one unit, are two sayings of one number: the
    words between them hold a restatement cue (ledger/rules/restatements.toml). Otherwise they
    are a before and after, a comparison, or (in another unit) a conversion: not a conflict."""
    if (claim.source_id, claim.sentence_start, claim.unit) != (
        other.source_id,
        other.sentence_start,
        other.unit,
    ):
        return False
    first, second = sorted((claim, other), key=lambda row: row.start)
    between = claim.sentence[first.end - claim.sentence_start : second.start - claim.sentence_start]
    return cues.between(between) is not None
