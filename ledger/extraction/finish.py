"""What is decided once every figure of a text is read: units carried between figures of a
sentence, related links, the sentence-level fields, scores and fingerprints.

checkworthiness (0..1) is the sum of:
  0.30 a figure was found at all
  0.15 it is specific: it has a unit (currency, percent, measure, counted noun)
  0.15 a metric rule named what it measures (metric != "other")
  0.10 a subject was found
  0.15 someone is named as its source (attribution)
  0.05 its period is known
  0.10 it is a comparison: a change, a bound other than exact, or comparison words
       ("than", "compared", "record", "largest", ...) in its sentence
A duration ("for 16 years") scores 0.15, or 0.45 when it is a change or its sentence compares;
a vague quantity ("dozens of protesters") scores 0.15.
"""

from __future__ import annotations

from collections import deque

import regex

from ledger.extraction.candidate import OF_AFTER, list_item_at, names_number
from ledger.extraction.document import CLAUSE_REACH, RELEASE_GIL, WORD_REACH, Doc, Found, Sentence
from ledger.extraction.sentence_fields import attribution, compares, metric, period, subject
from ledger.fingerprints import fingerprint_occurrences
from ledger.numbers import singular
from ledger.rules import norm
from ledger.sentences import ASCII_ALNUM

# The patterns of what ends a gap (\Z) are read backwards, (?r), and tried by .match at the
# gap's end only: a forward search tries them at every position of the gap first.
# What between two figures says they are the same quantity: a conversion in brackets, or the
# value it moved from ("up from", "compared with").
_SAME_THING = regex.compile(
    r"""(?r)
        \A\s*[(\[]\s*(?:about|around|some|roughly|approximately|nearly|or)?\s*\Z  # (about
      | (?:\b(?:up|down)\s+from|\bfrom|\bcompared\s+(?:with|to)|\bversus|\bvs\.?)\s*\Z
    """,
    regex.VERBOSE | regex.IGNORECASE,
)
_COMPARED_AFTER = regex.compile(
    r"[ \t\u00a0]+(?:below|above|higher|lower|more|less|up|down|over|under)\b", regex.I
)
_LISTED = regex.compile(
    r"(?P<hyphen>-)?[ \t\u00a0]*(?:,|,?[ \t\u00a0]*(?P<word>and|or|&))[ \t\u00a0]+"
)
_CARRY_GAP = regex.compile(
    r"""(?r)\b(?:at|to|of|vs\.?|versus|from|or|put\s+it)
        # "from an anticipated 800,000", "down from the previous week's 69.50": a second
        # estimate named as such, or the figure of the period before
        (?:\s+(?:an?|the)\s+(?:anticipated|estimated|expected|forecast|projected|revised|previous
           |original|earlier|initial|provisional|preliminary|record)
         |\s+(?:the\s+previous|the\s+prior|last)\s+(?:week|month|quarter|year)['’]s)?
        \s*\Z""",
    regex.I | regex.VERBOSE,
)
# What before a figure makes it the same change in an earlier period as the change before it
# ("grew by 5.3 pct last year, up from 4.1 pct in 1985", "rise by 4.5 pct in 1988, up from a
# planned 4.4 pct", "rose by 4.3% ... up from November's 4.2%"), read back from the figure.
_BASELINE_GAP = regex.compile(
    r"""(?r)\b(?:(?:up|down)\s+from|compared\s+(?:with|to))
        \s+(?:[\w'’-]+\s+){0,3}?\Z          # a planned, November's, the previous year's""",
    regex.I | regex.VERBOSE,
)
_ARTICLE_END = regex.compile(r"(?r)\ban?\s+\Z", regex.I)
# A gap ending in the name of what the figure counts lends it no other figure's noun ("3,000
# Caribs live on an island which has a population of 70,000": its people, not Caribs).
_NAMED_GAP = regex.compile(r"(?r)\bpopulations?\s+of\s*\Z", regex.I)
_AND_END = regex.compile(r"(?r)\band\s*\Z")
_FROM_END = regex.compile(r"(?r)\bfrom\s*\Z", regex.I)
# Between two figures, words that make the second a comparison for the first ("rose 1.3 pct
# against 2.3 pct", "fell to 5.6 pct from 10.7 pct") or the next of a series ("8.5 pct in 1987
# and 7.5 pct in 1988", "from 440 pct in 1985 to 19.7 pct last year"), with at most a bound or
# a year's name after the link ("and above five pct", "after last year's 3.7 pct"): the second
# measures what the first does.
_COMPARED_GAP = regex.compile(
    r"""\W*(?:\w+\W+){0,3}?
        (?:against|from|compared\s+(?:with|to)|versus|vs|after|following|(?P<series>(?P<listed>and|or)|to))\W+
        (?:(?:a|an|the|just|only|about|around|some|nearly|almost|above|below|over|under
           |(?:last|this|the\s+previous|the\s+prior)\s+year['’]?s?|(?:19|20)\d\d['’]s)\W+)*\Z""",
    regex.I | regex.VERBOSE,
)
# The words a gap _COMPARED_GAP matches can end with, before the non-word characters that end
# it: a link ("from", "compared with") or a word after one ("the", "last year", "1985's").
_COMPARED_GAP_ENDS = frozenset(
    ["against", "from", "with", "to", "versus", "vs", "after", "following", "and", "or"]
    + ["a", "an", "the", "just", "only", "about", "around", "some", "nearly", "almost", "above"]
    + ["below", "over", "under", "year", "years", "s"]
)
_ASCII_WORD = ASCII_ALNUM | {"_"}


def _may_compare(text: str, lo: int, hi: int) -> bool:
    """Whether the gap text[lo:hi] may match _COMPARED_GAP: it ends in non-word characters after
    one of _COMPARED_GAP_ENDS (in any case). Read backwards in ASCII, a few characters, where
    the pattern's call costs some 3,000 instructions before it reads one and most gaps between
    two figures end otherwise ("5 pct in 1986"); a character past ASCII leaves it to the
    pattern (its case-blind letters and \\w reach further).

    >>> [_may_compare(t, 0, len(t)) for t in [" up from ", ", or ", " in ", " vs. ", " rose"]]
    [True, True, False, True, False]
    """
    end = hi
    while end > lo and text[end - 1] not in _ASCII_WORD:
        if text[end - 1] >= "\x80":
            return True
        end -= 1
    if end in (hi, lo):
        return False  # no non-word character ends it, or no word is in it
    start = end
    while start > lo and text[start - 1] in _ASCII_WORD:
        start -= 1
    if start > lo and text[start - 1] >= "\x80":
        return True
    return text[start:end].lower() in _COMPARED_GAP_ENDS


def finish(doc: Doc, found: list[Found]) -> None:
    """Sentence-level fields, carried units, related links, scores and fingerprints."""
    if doc.widened:
        for claim in found:
            s = doc.sentence(claim.start)
            claim.sentence, claim.sentence_start = s.text, s.start
    for claims in _by_sentence(found).values():
        _carry_elided_nouns(doc, claims)
        _carry_listed_units(doc, claims)
        _carry_units_of_estimates(doc, claims)
        _carry_counted_nouns(doc, claims)
        _carry_changes_to_baselines(doc, claims)
    found[:] = [c for c in found if not c.bare]
    links: list[tuple[Found, Found]] = []
    for sentence_start, claims in _by_sentence(found).items():
        s = doc.cache[sentence_start]
        links += _read_sentence(doc, s, claims)
        # a duration ("in the last three months") is a figure of its own but part of the
        # words around a figure, not a neighbour whose words are its own
        figures = [claim for claim in claims if claim.kind != "duration"]
        position = {id(claim): at for at, claim in enumerate(figures)}
        for claim in claims:
            at = position.get(id(claim))
            lo = figures[at - 1].end if at else s.start
            hi = figures[at + 1].start if at is not None and at + 1 < len(figures) else s.end
            compared, listed = None, False
            before = figures[at - 1] if at else None
            link = (
                _COMPARED_GAP.match(doc.text, lo, claim.start, RELEASE_GIL)
                if before and _may_compare(doc.text, lo, claim.start)
                else None
            )
            # the next of a series is a figure of the same kind and unit: "15 cts a share"
            # after "2.4 mln dlrs, or" may be, "7.5 pct" after "76,000 shares, or" is not
            if before and link and (not link["series"] or _same_unit(before, claim)):
                compared, listed = before.metric, bool(link["listed"])
            source = claim.carried_from
            if source is not None:
                claim.carried_from = None
                claim.metric = source.metric or metric(doc, s, source, lo, hi)
            else:
                claim.metric = metric(doc, s, claim, lo, hi, compared, listed=listed)
    for claim in found:
        claim.checkworthiness = _score(doc, claim, doc.cache[claim.sentence_start])
    _fingerprint_all(found)
    for a, b in links:
        a.related.append(b.fingerprint)
        b.related.append(a.fingerprint)


def _same_unit(a: Found, b: Found) -> bool:
    return (a.kind, a.unit) == (b.kind, b.unit)


def _by_sentence(found: list[Found]) -> dict[int, list[Found]]:
    by_sentence: dict[int, list[Found]] = {}
    for claim in found:
        by_sentence.setdefault(claim.sentence_start, []).append(claim)
    return by_sentence


# how far a list's item may stand from the figure that opens the list ("Two executives from
# American International Group (AIG) and one from ...": 45 characters)
_LIST_REACH = 90


def _carry_elided_nouns(doc: Doc, claims: list[Found]) -> None:
    """A whole number after a list's comma or "and" that goes on as a list's item does ("180
    on Friday", "and one from Marsh"), kept bare or with no noun, counts what the figure that
    opens the list counts ("65 flights on Thursday, 180 on Friday", "10 solo awards and four
    with Take That", "8,000 tonnes ... and 13,000 in the second"), when no other figure stands
    between them ("two singles ... reached numbers 19 and 10 in the chart" are not singles).
    A span of time opens a list only where nothing else before it could ("5,000 tonnes in one
    day and 20,000 in one week" are tonnes)."""
    compiled, text = doc.rules.compiled, doc.text
    for at, claim in enumerate(claims):
        # bare, or a statistic kept with no noun ("20,000 in one week")
        elided = claim.bare or (claim.unit is None and claim.rule == "count" and not claim.level)
        if not elided or claim.value <= 0 or claim.value != int(claim.value) or not at:
            continue
        if not list_item_at(doc, claim.start, claim.end):
            continue
        earlier = claims[:at]
        opener = next((c for c in reversed(earlier) if c.kind != "duration"), earlier[-1])
        if (
            opener.bare
            or opener.unit is None
            or opener.kind in ("multiple", "percent")
            # "80 mln dlrs in deposits ..., and one in Palm Beach": a lone "one" is a thing
            or (claim.value == 1 and opener.kind != "count")
            or opener.level
            or claim.start - opener.end > _LIST_REACH
            or compiled["list_gap_figure"].search(text, opener.end, claim.start)
        ):
            continue
        claim.kind, claim.unit, claim.bare = opener.kind, opener.unit, False
        claim.carried_from = opener


def _carry_listed_units(doc: Doc, claims: list[Found]) -> None:
    """A bare figure listed before one with a unit shares its unit and its scale ("1.25 and 1.89
    mln tonnes", "50 and 60 cents"), unless it is whole already ("500,000 and one mln dlrs");
    a scaled figure with no unit shares the unit ("67 mln and four mln dlrs respectively")."""
    for before, claim in reversed(list(zip(claims, claims[1:], strict=False))):
        suspended = doc.text[before.end : before.end + 1] == "-"  # "four-, five- and six-cylinder"
        # "67 mln and four mln dlrs": both scaled ("743.8 mln and 18.5 pct" is no list)
        scaled_alone = (
            before.unit is None
            and before.kind == "count"
            and before.scale is not None
            and claim.scale is not None
        )
        listed = (
            (before.listable or scaled_alone)
            and claim.unit is not None
            and (claim.kind != "count" or suspended)
            # "34,000, and 5% below", "45 and 50% of voters": not a list of two figures
            and not _COMPARED_AFTER.match(doc.text, claim.end, len(doc.text), RELEASE_GIL)
            and not (
                claim.kind == "percent"
                and OF_AFTER.match(doc.text, claim.end, len(doc.text), RELEASE_GIL)
            )
        )
        gap = _LISTED.fullmatch(doc.text, before.end, claim.start, RELEASE_GIL) if listed else None
        if gap is not None and (
            # "45 and 50 mg", or a comma inside a list that ends so: "3, 4 or 5 km"; but
            # "closed at 34,000, and 5% below its peak" and "1,500, or 3 percent" restate
            (gap.group("word") and "," not in gap.group()) or claim.carried_from is not None
        ):
            before.kind, before.unit = claim.kind, claim.unit
            if abs(before.value) < 1000 and claim.scale is not None:
                before.value *= claim.scale
                before.scale = claim.scale  # and passes it on: 20, 30 and 40 million
            before.carried_from = claim
            before.bare = False


def _carry_changes_to_baselines(doc: Doc, claims: list[Found]) -> None:
    """A figure a change is set against ("up from 4.1 pct", "compared with 4%") is a change too,
    the same way, when it is in the change's unit: the rate of the period before. After a
    level ("71.2%, up from 45.9%") it is a level, as the label conventions say."""
    for before, claim in zip(claims, claims[1:], strict=False):
        if (
            before.change is not None
            and claim.change is None
            and claim.start - before.end <= CLAUSE_REACH
            and _same_unit(before, claim)
            and _BASELINE_GAP.match(doc.text, before.end, claim.start, RELEASE_GIL)
            # "compared with a 0.3% slide": after an article the figure sizes a noun of its own
            and not _ARTICLE_END.match(doc.text, before.end, claim.start, RELEASE_GIL)
        ):
            claim.change = before.change


def _carry_units_of_estimates(doc: Doc, claims: list[Found]) -> None:
    """A figure with no unit takes the unit of the figure before it in its sentence when it is
    a second estimate of the same thing ("(the actual number has exceeded 900)"); bare figures
    nothing explains are dropped after this."""
    for at, (before, claim) in enumerate(zip(claims, claims[1:], strict=False)):
        if claim.scale is not None and claim.unit is None and claim.kind == "count":
            # "1.4 billion stg to Brazil, 1.3 billion to Mexico", "2.3 trillion rials ($17bn;
            # £9bn) from 1,070 trillion": the nearest scaled figure before, past conversions
            before = _scaled_source(doc, claims[: at + 1]) or before
        gap = doc.text[before.end : claim.start]
        if (
            claim.kind == "count"
            and claim.unit is None
            and before.kind != "multiple"
            and claim.rule != "vague"  # "dozens of them" is no second estimate
            and (before.unit is not None or before.kind != "count" or before.level)
            and not before.bare
            # a second estimate of the same thing: in brackets, with a bound, or "at 15"
            and (
                "(" in gap
                or claim.bound != "exact"
                or (_CARRY_GAP.match(gap) and not _NAMED_GAP.match(gap))
                # "8,000 tonnes in the first week and 13,000 in the second": a statistic
                # kept on its own (not bare) after "and" is the same kind of thing
                or (not claim.bare and _AND_END.match(gap))
                # "23.0 billion marks in 1986 compared with 37.2 billion": a scaled figure
                # after a scaled one is in its unit, whatever the words between
                or (claim.scale is not None and before.scale is not None)
            )
        ):
            claim.bare = False
            if (
                (before.kind == "percent" and abs(claim.value) > 100)
                or before.level
                # a span lends its unit to the value it moved from ("rose to 81 days from
                # 53"), not to the figure of what it describes ("one-week rates at six")
                or (before.kind == "duration" and _FROM_END.match(gap) is None)
            ):
                # "rose 1.7 pct to 562.01", "fell by 23% from 36,185 to 28,041": the levels
                # a change went between, kept without the change's percent
                claim.level = True
                continue
            claim.kind, claim.unit = before.kind, before.unit
            claim.carried_from = before
            if claim.scale is None and before.scale is not None and before.scale < 1:
                # "fell 21p to 936", "Shr 23 cts vs 45": the bare figure is in the same coins
                claim.value *= before.scale


def _carry_counted_nouns(doc: Doc, claims: list[Found]) -> None:
    """A whole number kept with no noun counts what the nearest count before it in its sentence
    counts, when it is a part of that whole or a smaller figure of it ("of the 95 individuals
    still facing charges, 71 are", "50,000 jobs, including 9,000 at Micron"), or what "the
    number of" names before it ("The number of hotspots is expected to reach 200,000"), or
    people after a population ("a population of 168 million")."""
    counted: Found | None = None
    for claim in claims:
        if claim.kind != "count" or claim.rule != "count":
            continue
        if claim.unit is not None:
            # a noun of its own, not one lent by a figure before it
            counted = claim if claim.carried_from is None else counted
        elif claim.value <= 0 or claim.value != int(claim.value):
            continue
        elif claim.bare and not names_number(doc.cache[claim.sentence_start]):
            continue  # only "the number of" keeps a figure nothing else explains
        elif named := _number_of(doc, claim, counted.end if counted else claim.sentence_start):
            # "car output fell to 669,370 ... truck production to 250,999"; a measure's word
            # gives its unit ("revenue passenger miles rose to 119.1 mln": miles); a plain
            # figure that nothing else explained is kept for it ("the number of flight
            # attendants ... from 370 to 870")
            measure = doc.rules.units_by_word.get(norm(named + "s"))
            if measure is not None and measure.kind == "measure" and measure.factor == 1.0:
                claim.kind, claim.unit = measure.kind, measure.unit
            else:
                claim.unit = named
            claim.bare = False
        elif claim.bare:
            continue
        elif counted is not None and claim.value < counted.value:
            claim.unit = counted.unit


def _number_of(doc: Doc, claim: Found, start: int) -> str | None:
    """The singular of the plural that "the number of" names between `start` and `claim`, or
    of the product whose trade is named there ("truck sales"), the nearest if several are."""
    pattern = doc.rules.compiled["number_of_before"]
    nearest = deque(pattern.finditer(doc.text, start, claim.start), maxlen=1)
    if not nearest or claim.bare and ";" in doc.text[nearest[0].end() : claim.start]:
        return None  # a figure nothing else explains counts it in its own clause only
    if nearest[0].group("people"):
        return "person"  # "a population of 168 million", "the US population ... to 420 million"
    return singular(nearest[0].group("noun"), doc.rules.irregular)


def _scaled_source(doc: Doc, earlier: list[Found]) -> Found | None:
    """The nearest of the `earlier` figures that has a scale and a unit and is not a conversion
    in brackets of the one before it."""
    for at in range(len(earlier) - 1, -1, -1):
        candidate = earlier[at]
        gap = doc.text[earlier[at - 1].end : candidate.start] if at else ""
        if candidate.scale is not None and candidate.unit is not None and not _BRACKETED(gap):
            return candidate
    return None


def _BRACKETED(gap: str) -> bool:
    return "(" in gap or ";" in gap


def _read_sentence(doc: Doc, s: Sentence, claims: list[Found]) -> list[tuple[Found, Found]]:
    """Each figure's subject, period and attribution, changes carried over ("grown 2.3 percent
    in 2020 and 6.5 percent in Q4"), and the links between figures of the same thing."""
    links: list[tuple[Found, Found]] = []
    previous: Found | None = None
    ends: list[int] = []  # where each figure before this one ends: a list's items, for subject
    for i, claim in enumerate(claims):
        next_start = claims[i + 1].start if i + 1 < len(claims) else s.end
        if previous is not None:
            gap = doc.text[previous.end : claim.start]
            if claim.carried_from is previous or previous.carried_from is claim:
                links.append((previous, claim))
            elif (
                claim.unit == previous.unit or claim.kind == previous.kind == "money"
            ) and _same_thing(gap):
                # "10 billion yuan ($1.4 billion)", "$3.4 billion, up from $2.9 billion"
                links.append((previous, claim))
            elif (
                claim.change is None
                and previous.change is not None
                and claim.unit == previous.unit
                and len(gap) <= WORD_REACH
                and _AND_END.match(gap)
            ):
                claim.change = previous.change
        claim.subject = subject(doc, s, claim, ends)
        claim.period = period(doc, s, claim, next_start)
        source = attribution(doc, s, claim.start)
        if source is not None:
            claim.attribution, claim.attribution_type = source.name, source.type
        previous = claim
        ends.append(claim.end)
    return links


def _same_thing(gap: str) -> bool:
    """Whether the gap between two figures says they are the same quantity (_SAME_THING): in
    ASCII, only a gap holding a bracket or one of its words can (substring tests in C, where a
    regex call costs some 3,000 instructions before it reads a character)."""
    if gap.isascii() and "(" not in gap and "[" not in gap:
        # the words one of which every match of its second alternative holds
        lower = gap.lower()
        if "from" not in lower and "vs" not in lower and "versus" not in lower:
            return "compared" in lower and _SAME_THING.match(gap) is not None
    return _SAME_THING.match(gap) is not None


def _fingerprint_all(found: list[Found]) -> None:
    """Each claim's fingerprint (`fingerprints.fingerprint_occurrences`): the same figure said
    again in the same sentence gets the next occurrence number."""
    for claim, fingerprint in zip(found, fingerprint_occurrences(found), strict=True):
        claim.fingerprint = fingerprint


def _score(doc: Doc, claim: Found, s: Sentence) -> float:
    if claim.rule == "vague":
        return 0.15  # "dozens of protesters": an order of magnitude, rarely what is checked
    if claim.kind == "duration":
        # a span of time describes more than it claims, unless its sentence compares: "the
        # highest in 41 years" is very check-worthy
        return 0.45 if claim.change or compares(doc.rules, s) else 0.15
    score = 0.30
    if claim.unit:
        score += 0.15
    if claim.metric != "other":
        score += 0.15
    if claim.subject:
        score += 0.10
    if claim.attribution:
        score += 0.15
    if claim.period:
        score += 0.05
    if claim.change or claim.bound != "exact" or compares(doc.rules, s):
        score += 0.10
    return round(min(score, 1.0), 3)
