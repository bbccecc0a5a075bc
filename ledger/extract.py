"""Placeholder until the extractor lands (issue 2): the signature is the contract."""

from __future__ import annotations

from datetime import date

from ledger.models import Claim

EXTRACTOR_VERSION = "0.0.0"


def extract(text: str, *, published: date | None = None) -> list[Claim]:
    raise NotImplementedError
