"""Rule data that well-kept libraries also hold, checked against them: measure units against
pint's registry, currency codes and names against babel's CLDR data, irregular plurals against
inflect. The TOML stays the extractor's source (no library is imported at run time); these tests
keep it honest."""

from __future__ import annotations

import tomllib
from pathlib import Path

import inflect
import pint
import pytest
from babel.numbers import get_currency_name

RULES = Path(__file__).resolve().parent.parent / "ledger" / "rules"
UNITS = tomllib.loads((RULES / "units.toml").read_text(encoding="utf-8"))
CURRENCIES = tomllib.loads((RULES / "currencies.toml").read_text(encoding="utf-8"))
REGISTRY = pint.UnitRegistry()

# The units taken from pint (the section "Units derived from pint's registry"), with pint's name
# for each; words and symbols not from pint are aliases news copy uses.
FROM_PINT = {
    "hertz": "hertz",
    "kilohertz": "kilohertz",
    "horsepower": "horsepower",
    "milliampere_hour": "milliampere_hour",
    "parts_per_million": "ppm",
    "micrometre": "micrometer",
    "megapascal": "megapascal",
    "ksi": "kip_per_square_inch",
    "newton_metre": "newton * meter",
    "pound_foot": "force_pound * foot",
    "revolutions_per_minute": "revolutions_per_minute",
    "yard": "yard",
    "square_foot": "foot ** 2",
    "square_mile": "mile ** 2",
    "nautical_mile": "nautical_mile",
    "megapixel": "megapixel",
}
# ledger's unit symbol where it is not pint's short form (pint writes "ft ** 2", "Mpixel")
LEDGER_SYMBOLS = {"ft ** 2": "ft2", "mi ** 2": "mi2", "m * N": "N·m", "ft * lbf": "lbf·ft"}
ENTRIES = {entry["id"]: entry for entry in UNITS["unit"]}


def _spellings(name: str) -> set[str]:
    """pint's American name, the British one, and their plurals (by inflect), as words."""
    engine = inflect.engine()
    names = {name, name.replace("meter", "metre")}
    return {_words(n) for n in names | {engine.plural_noun(n) for n in names}}


def _words(name: str) -> str:
    return name.replace("_", " ").replace("-", " ").casefold()


@pytest.mark.parametrize("unit_id", sorted(FROM_PINT))
def test_unit_symbol_and_names_come_from_pint(unit_id: str) -> None:
    entry = ENTRIES[unit_id]
    unit = REGISTRY.parse_units(FROM_PINT[unit_id])
    short = f"{unit:~}"
    assert LEDGER_SYMBOLS.get(short, short) in {entry["unit"], "Mpixel"}
    if unit_id == "megapixel":  # pint's short form Mpixel is no one's; news writes MP
        assert "MP" in entry["symbols"]
    elif short not in LEDGER_SYMBOLS:
        assert short in entry["symbols"]
    if " " not in FROM_PINT[unit_id] and unit_id not in ("parts_per_million", "ksi"):
        words = {_words(w) for w in entry["words"]}
        pint_words = _spellings(str(unit))
        assert words & pint_words, f"{unit_id}: none of {sorted(pint_words)} in its words"


def test_parts_per_billion_sits_beside_pints_ppm() -> None:
    # pint has ppm (1e-6) but no ppb: ledger's ppb is its thousandth, a symbol of its own
    assert REGISTRY("1 ppm").to("dimensionless").magnitude == pytest.approx(1e-6)
    with pytest.raises(pint.UndefinedUnitError):
        REGISTRY.parse_units("ppb")
    assert ENTRIES["parts_per_billion"]["unit"] == "ppb"


CODES = [c["id"] for c in CURRENCIES["currency"] if c["id"] != "BTC"]  # BTC is not ISO 4217


@pytest.mark.parametrize("code", CODES)
def test_currency_codes_are_iso_4217_with_babels_names(code: str) -> None:
    entry = next(c for c in CURRENCIES["currency"] if c["id"] == code)
    name = get_currency_name(code, locale="en")
    assert name != code, f"{code} is no currency babel knows"
    words = {w.casefold() for w in entry["words"]}
    # a historical currency's name carries its era: "Venezuelan bolívars (1871–2008)"
    plural = _without_era(get_currency_name(code, count=2, locale="en")).casefold()
    assert plural in words or _without_era(name).casefold() in words, (
        f"{code}: babel's {plural!r} missing"
    )


def _without_era(name: str) -> str:
    """A currency's name without the years CLDR adds to a historical one: "Venezuelan bolívars
    (1871–2008)" is "Venezuelan bolívars"."""
    return name.split(" (")[0]


def test_irregular_plurals_agree_with_inflect() -> None:
    engine = inflect.engine()
    irregular = UNITS["nouns"]["irregular"]
    # where the table overrules inflect: collective nouns kept as they are ("data", not
    # "datum"), "indices" of stock markets, which inflect makes "indice", and "head" of
    # livestock ("308,000 head"), which inflect takes for a singular; and the wire's
    # abbreviations of spans of time ("nine mths", "two yrs"), which inflect does not know
    overruled = {"data", "media", "indices", "staff", "personnel", "police", "cattle", "head"}
    overruled |= {"mths", "yrs", "wks"}
    disagree = {p for p, s in irregular.items() if engine.singular_noun(p) != s}
    assert disagree == overruled
