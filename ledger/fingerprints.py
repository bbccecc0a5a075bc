"""Claim fingerprints: a stable id of what a claim says (its sentence and its figure, not where
they sit in the file), the one the extractor, the store and the migrations use (ledger.models
re-exports them). Compiled with the extractor (ledger.compiled): every claim extracted is
fingerprinted, and interpreted this took some 3.7% of the compiled extractor's instructions."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any


def fingerprint_occurrences(claims: Iterable[Any]) -> list[str]:
    """The fingerprint of each of one source's claims (records or dicts with the `Claim` fields),
    given in document order: the one fingerprint the extractor, the store and the migrations use.

    The same figure said twice in the same sentence text gets its occurrence number, so both keep
    stable, distinct ids. Each sentence is normalised and hashed once however many figures it
    holds (a sentence object seen before is looked up, not re-read).

    >>> from ledger.models import Claim
    >>> claim = {"sentence": "It  cost $5.", "quote": "$5", "kind": "money", "value": 5.0,
    ...          "value_high": None, "unit": "USD", "bound": "exact"}
    >>> first, second = fingerprint_occurrences([claim, claim])
    >>> first == Claim.model_construct(**claim).compute_fingerprint(0) != second
    True
    """
    sentences: dict[str, tuple[str, Any]] = {}  # sentence -> (normalised, its digest)
    # a plain dict, not a Counter: most figures are seen once, and Counter's __missing__ is
    # a Python call for each
    seen: dict[tuple[str, ...], int] = {}
    out = []
    for claim in claims:
        sentence = claim["sentence"] if isinstance(claim, dict) else claim.sentence
        found = sentences.get(sentence)
        if found is None:
            normalised = " ".join(sentence.split())
            found = sentences[sentence] = (normalised, sentence_digest(normalised))
        parts = figure_parts(claim)
        key = (found[0], *parts)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        out.append(fingerprint(found[1], parts, occurrence))
    return out


def sentence_digest(normalised: str) -> Any:
    """A sha256 fed the sentence (whitespace normalised) and the separator."""
    return hashlib.sha256(f"{normalised}\x1f".encode())


def figure_parts(claim: Any) -> tuple[str, ...]:
    """What identifies a figure in its sentence, as text (of a dict, or a record's attributes)."""
    if isinstance(claim, dict):
        quote, kind, value = claim["quote"], claim["kind"], claim["value"]
        high, unit, bound = claim["value_high"], claim["unit"], claim["bound"]
    else:
        quote, kind, value = claim.quote, claim.kind, claim.value
        high, unit, bound = claim.value_high, claim.unit, claim.bound
    return (quote, kind, repr(float(value)), repr(high), unit or "", bound)


def fingerprint(of_sentence: Any, parts: tuple[str, ...], occurrence: int) -> str:
    """A figure's fingerprint: its sentence's digest (sentence_digest) fed its parts and its
    occurrence number, in 16 hex digits."""
    digest = of_sentence.copy()
    digest.update("\x1f".join((*parts, str(occurrence))).encode())
    return str(digest.hexdigest()[:16])
