"""Subjects as codes: the names news uses for countries and groups, and what statistics call them.

The table is ISO 3166 from `pycountry` (every country by its name, with its alpha-3 code) plus the
rule data in ledger/rules/subjects.toml for the forms news uses that ISO does not list ("Britain",
"the US", "Japanese", "the eurozone", "West Germany", "OPEC", "the world economy") and for the
World Bank's aggregates (EMU, EUU, WLD, LCN, OED). A subject's `kind` says whether national
statistics may be compared with its figures at all (a company's never are).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, NamedTuple

import pycountry

if TYPE_CHECKING:
    from ledger.rules import RuleFiles


class SubjectCode(NamedTuple):
    code: str | None  # ISO alpha-3, a World Bank aggregate code, or None (a company)
    kind: str  # country, aggregate, organisation, central_bank, company


@functools.cache
def _countries() -> dict[str, tuple[str, str]]:
    """Each ISO country name (short forms first) -> (the name used as subject, alpha-3)."""
    names: dict[str, tuple[str, str]] = {}
    for country in pycountry.countries:
        short = getattr(country, "common_name", None) or country.name
        for name in (short, country.name):
            # "Korea, Republic of" and "Iran, Islamic Republic of" are never written so in news
            if "," not in name and "(" not in name:
                names.setdefault(name, (short, country.alpha_3))
    return names


def country_names(skip: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    """ISO country names the extractor recognises as subjects, each with its subject name.

    >>> names = country_names(["Jordan"])
    >>> names["Malaysia"], names["Bolivia"], names["Viet Nam"]
    ('Malaysia', 'Bolivia', 'Vietnam')
    >>> "Jordan" in names
    False
    """
    return {name: short for name, (short, _) in _countries().items() if name not in skip}


def subject_codes(files: RuleFiles) -> dict[str, SubjectCode]:
    """Every subject the extractor may name (a subjects.toml id or an ISO country name) with its
    code and kind; a name in neither is a company's or an organisation's.

    >>> from ledger.rules import default_rules
    >>> codes = subject_codes(default_rules().files)
    >>> codes["UK"], codes["Dominica"], codes["TSMC"], codes["euro area"]
    (SubjectCode(code='GBR', kind='country'), SubjectCode(code='DMA', kind='country'), \
SubjectCode(code=None, kind='company'), SubjectCode(code='EMU', kind='aggregate'))
    """
    codes = {name: SubjectCode(code, "country") for name, (_, code) in _countries().items()}
    codes.update({rule.id: SubjectCode(rule.code, rule.kind) for rule in files.subject})
    return codes
