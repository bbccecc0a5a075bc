"""What a figure's sentence says of it (read once per sentence, looked up per figure): its
subject, metric, attribution and period, and whether the sentence is a comparison."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

import regex

from ledger.extraction.document import (
    CLAUSE_REACH,
    RELEASE_GIL,
    WORD_REACH,
    Doc,
    Found,
    Match,
    OwnCuts,
    Pattern,
    PeriodCue,
    Sentence,
    Source,
    hinted_matches,
)
from ledger.extraction.document import groupdict as _groupdict
from ledger.rules import MetricRule, PeriodRule, RegexCue, Rules, SubjectNameCue
from ledger.sentences import ASCII_ALNUM, places_of

# Where a clause with a subject of its own opens ("a model for Latin America because Peru had
# enjoyed growth of nine pct": Peru's growth)
_CLAUSE = regex.compile(
    r";|\s(?:but|while|whereas|though|although|because)\s|,\s+where\s", regex.IGNORECASE
)
_CLAUSE_WORDS = frozenset(("but", "while", "whereas", "though", "although", "because", "where"))
_SPACES = regex.compile(r"[\s\u00a0\-‑]+")  # as rules.trie() matches a space in a name
_ARTICLE = regex.compile(r"^(?:The|A|An)\s+")
# where an organisation is based, before its name: "Philadelphia-based Reliance", "New York-based"
_BASED = regex.compile(r"^(?:\p{Lu}[\p{L}.]*\s+)*\p{Lu}[\p{L}.]*-based\s+(?=\p{Lu})")
_POSSESSIVE = regex.compile(r"^(\p{Lu}[\p{L}.]*(?:\s\p{Lu}[\p{L}.]*)?)['’]s\s+(?=\p{Lu})")
_QUOTES = regex.compile(r"[\"“”]")
_DIGIT = regex.compile(r"\d")
_YEAR = regex.compile(r"(?:19|20)\d\d")
_JOINED = regex.compile(r"[,;]|\b(?:and|or|but|while|whereas)\b")
# a bracketed aside: its period cues date only the figures inside it
_BRACKETED = regex.compile(r"\([^()]*\)")
# the last number before an offset, searched backwards, with its currency sign ("$65")
_LAST_NUMBER = regex.compile(r"(?r)[$£€¥]?\d[\d.,]*")
_DATELINE_DASH = regex.compile(r"\s*[-–—]\s")  # after a wire dateline's day: "TOKYO, April 24 - "
_SPACES_ONLY = regex.compile(r"\s+")
_WORD = regex.compile(r"\w+")
_SPACE = regex.compile(r"\s")
# where a subject after a figure is no longer its: not a figure's own comma ("1,200,000") or a
# date's ("June 30, 1987")
_AFTER_BREAK = regex.compile(r",(?!\s?\d)|[;:—–]|\s-\s")
_ASCII_WORD = ASCII_ALNUM | {"_"}  # the ASCII characters of \w


def _subjects(doc: Doc, s: Sentence) -> list[tuple[int, str]]:
    """The subjects a sentence names, in order, found once: the subject table's names (not
    the demonym of a currency, "Canadian dlrs"; in a wire headline written in capitals, as
    they would be written in a sentence) and the organisations the [[subject_name]] cues find;
    a name inside an organisation's is no subject of its own ("Kuwait Petroleum Corp")."""
    if s.subjects is None:
        rules = doc.rules
        ids = rules.subject_ids
        text = s.text
        named: list[tuple[int, int, str]] = []
        source = _attribution_in(doc, s)
        # a source cited for the figure is not what it is about ("estimates from the World Bank")
        cited = source.name if source is not None and source.cited else None
        upper = text.isupper() and text.isascii()
        if upper:
            text = text.title()  # "MEXICO PUTS FOREIGN INVESTMENT AT ...": same offsets
            # (in capitals, every word would read as a name: only the headline's head does)
            head = rules.headline_subject.match(s.text)
            name = rules.legal_suffix.sub("", head.group("name").title()) if head else ""
            # a country in the words before the verb is the subject ("FRENCH DEBT FELL TO ...")
            if head and (name in rules.subject_ids or not rules.subject_pattern.search(name)):
                named = [(head.start("name"), head.end("name"), rules.subject_ids.get(name, name))]
        else:
            named = _organisations(doc, s)
        found = [(s.start + a, name) for a, _, name in named]
        # "worldwide": a subject only where the sentence names no other
        alone: list[tuple[int, str]] = []
        places = rules.place_ids
        # "will be listed in Luxembourg": where the sentence speaks of a listing, the place a
        # security is listed on is none of its figures' subject
        listing = not rules.listing_words.isdisjoint(s.lower_words())
        # a prefix tree of literal names: linear, so no timer needed
        for m in _table_names(rules, s, text):
            at = m.start()
            if rules.currency_names.match(text, at, len(text), RELEASE_GIL) or any(
                a <= at < b for a, b, _ in named
            ):
                continue
            # a name written as listed needs no respacing ("Hong\u00a0Kong" does)
            name = ids.get(m.group()) or ids[_SPACES.sub(" ", m.group())]
            if not upper and name in places and _opens_name(rules, text, m):
                continue  # "British Airways", "Swiss Re": a part of a name
            if listing and name in places and _listed_on(rules, text, at):
                continue
            (alone if m.group() in rules.subject_alone else found).append((s.start + at, name))
        rating = _speaks_of_rating(rules, s)
        found = [
            (at, name)
            for at, name in found
            if name != cited and not (rating and _search(rules.rating_agency, name))
        ] or alone
        found.sort(key=lambda subject: subject[0])
        s.subjects = found
    return s.subjects


def _listed_on(rules: Rules, text: str, at: int) -> bool:
    """Whether the place named at `at` is where a security is listed ([listing_place] in
    cues.toml: "will be listed in Luxembourg", "Listing is Paris"), read backwards from it."""
    lead = max(0, at - _LISTING_REACH)
    return rules.listing_place.search(text, lead, at, RELEASE_GIL) is not None


_LISTING_REACH = 60  # "listings would be in Luxembourg and " is the longest lead-in


def _speaks_of_rating(rules: Rules, s: Sentence) -> bool:
    """Whether the sentence holds a rating word ([rating_agency] words): a rating agency it names
    rates another's debt, and is no subject ("Moody's said it may upgrade the ratings on
    Pharmacorp Co's 400 mln dlrs of debt")."""
    return not rules.rating_words.isdisjoint(s.lower_words())


# the capitalised words right after a name, the first written in lower case after its capital
_NAME_RUN = regex.compile(r" +(\p{Lu}\p{Ll}[\p{L}.&'’-]*(?:\s+\p{Lu}[\p{L}.&'’-]*)*)")


def _title_cased(text: str) -> bool:
    """Whether a line is written in title case, as a headline: every word of four letters or more
    (at least four of them) opens with a capital, where a sentence writes most in lower case."""
    long = [word for word in text.split() if len(word) > 3 and word[0].isalpha()]
    return len(long) >= 4 and all(word[0].isupper() for word in long)


def _opens_name(rules: Rules, text: str, m: Match) -> bool:
    """Whether a country's name opens a longer name, a part of it and no subject of its own
    ("British Airways", "Swiss Re", "France Telecom", "the China Initiative"): not one that ends
    in a dot ("U.S. Sales rose": wire copy's capital), nor before a title ("British Prime
    Minister"), a state's body ("U.S. Treasury") or a national one ([place_in_name]: "Thai Rice
    Mills Association"), nor itself a state's body ("the Senate"), nor before a word no name opens
    with (a day, a month, a measure: "Japan Friday reported", "Japan Exports rose"), nor in a
    headline written in title case, where every word is capitalised ("Japan Trade Surplus Widens
    to 8 Billion Dlrs")."""
    end = m.end()
    if not (end + 2 < len(text) and text[end] == " " and text[end + 1].isupper()):
        return False  # most names: a word in lower case, a comma or the end follows
    run = _NAME_RUN.match(text, end, len(text), RELEASE_GIL)
    if run is None or m.group().endswith("."):
        return False
    words = _SPACES_ONLY.sub(" ", run.group(1))  # "Finance\nMinister"
    return not (
        words.partition(" ")[0].lower() in rules.not_sources
        or _title_cased(text)
        or _titled(rules, words + " ")
        or _search(rules.state_body, words)
        or _search(rules.place_in_name, words)
        or _search(rules.state_body, m.group())
        or words.partition(" ")[0] in rules.subject_ids
    )


def _table_names(rules: Rules, s: Sentence, text: str) -> Iterable[Match]:
    """The subject table's names in `text` (the sentence, or its headline title-cased). A name
    is there only if its longest word is among the sentence's (rules.subject_words): a set test
    rules out two sentences in three with figures, where the 6 KB prefix tree costs some 300
    instructions a character."""
    if _whole_words(s) and rules.subject_words.isdisjoint(s.lower_words()):
        return ()
    pattern, hint = rules.subject_pattern, rules.subject_hint
    if hint is None:
        return pattern.finditer(text, 0, len(text), False, RELEASE_GIL)
    # the pattern asked only where the hint finds a name's start: a third fewer instructions
    return hinted_matches(pattern, hint, text, text, 0, len(text))


def _search(pattern: Pattern, text: str) -> Match | None:
    """pattern.search(text), keeping the GIL (document.RELEASE_GIL)."""
    return pattern.search(text, 0, len(text), RELEASE_GIL)


def _whole_words(s: Sentence) -> bool:
    """Whether a word a pattern finds between word boundaries is one of the sentence's words
    (Sentence.lower_words), so that their absence rules the pattern out: in ASCII text with no
    "&" (a word's in lower_words, none of \\w's) or "_" (\\w's, no letter). Elsewhere a case
    folding ("ſ" is an s) or an accent written apart can set the two apart."""
    text = s.text
    return text.isascii() and "&" not in text and "_" not in text


def _organisations(doc: Doc, s: Sentence) -> list[tuple[int, int, str]]:
    """(start, end, name) of each organisation the [[subject_name]] cues find in the sentence
    (offsets in it), named as the subject table names it where it lists it."""
    rules = doc.rules
    found: list[tuple[int, int, str]] = []
    for cue, pattern, triggers in rules.subject_name_cues.triggered(s.lower_words()):
        if not _holds_needed(cue, s):
            continue
        for m in _cue_matches_named(doc, cue, pattern, s, triggers):
            name = _organisation_name(rules, m.group("name"))
            if name is None or (cue.may_be_person and source_type(rules, name) == "person"):
                continue
            if not cue.may_be_place and name in rules.subject_ids:
                continue  # "500 mln Japanese shares": a market's, no company's
            if _search(rules.state_body, name) and _search(rules.subject_pattern, name):
                continue  # "The U.S. Treasury said": the US is the subject, as the table names it
            # "Australia's Halvern Mining Ltd": the place says where the company is
            possessive = _POSSESSIVE.match(name) if "s " in name else None
            if possessive and possessive.group(1) in rules.subject_ids:
                name = name[possessive.end() :]
            start = m.start()
            lead = rules.subject_name_leads.get(cue.id)
            if lead is not None and (
                words := lead.search(s.text, max(0, start - 80), start, RELEASE_GIL)
            ):
                start = words.start()  # "Swiss cement firm Granitco": Swiss is no subject
            # a listed name keeps its id, with its final dot ("30 pct of U.S. consumption") or
            # without its possessive ("while France's is forecast to drop")
            bare = name[:-2] if name.endswith(("'s", "’s")) else name
            ids = rules.subject_ids
            named = ids.get(name) or ids.get(bare) or ids.get(name + ".", name)
            found.append((start, m.end(), named))
    return found


def _cue_matches_named(
    doc: Doc,
    cue: SubjectNameCue,
    pattern: Pattern,
    s: Sentence,
    triggers: frozenset[str] | None = None,
) -> list[Match]:
    """Every match of a [[subject_name]] cue in the sentence; one that may open it (past_head) is
    tried at its start alone where none of the words its other alternatives open with is in it
    (`past_head_triggers`: a third of the sentences "acts" is tried on, half its cost saved)."""
    rule = f"subject_name:{cue.id}"
    words = s.lower_words()
    if cue.past_head_triggers and words.isdisjoint(cue.past_head_triggers) and _whole_words(s):
        m = doc.call(rule, pattern.match, s.text, timed=True)
        if m is None or m.end() > 0:  # an empty match would be searched on past, as below
            return [m] if m is not None else []
    opening = cue.past_head_triggers or (cue.triggers if cue.opens_with_trigger else None)
    end = None
    if cue.closes_with_trigger:  # its trigger words, as the rules' gate holds them if given
        end = _trigger_end(s, frozenset(cue.triggers) if triggers is None else triggers)
    return doc.find_all(rule, pattern, s.text, _trigger_starts(s, opening), end)


def _trigger_starts(s: Sentence, triggers: list[str] | None) -> list[int] | None:
    """Where, in order, each of the `triggers` that is a word of the sentence stands in it (as a
    substring of its lower-cased text, so at least wherever it stands as a word): all the places
    a cue whose every match opens with one of them (`opens_with_trigger`, or a past_head's rest)
    can match. None where they cannot be found so (no triggers, or a sentence whose words
    lower_words may not find as the pattern's word boundaries do: _whole_words).

    >>> s = Sentence(0, 24, "He said that sales rose.")
    >>> _trigger_starts(s, ["said", "that", "when"])
    [3, 8]
    """
    if not triggers or not _whole_words(s):
        return None
    words = s.lower_words()
    return places_of(s.lower_text(), [word for word in triggers if word in words])


def _trigger_end(s: Sentence, triggers: frozenset[str]) -> int:
    """Where a cue whose every match ends with one of `triggers` or the word after one
    (`closes_with_trigger`: "Orvane said", "Li Qiang told reporters") can stop being searched:
    the end of the word after the last place one of them that is a word of the sentence stands
    in its lower-cased text (perhaps inside a longer word: later, so no match is cut short), or
    its end where words are not found so (_whole_words). A cue that searches a sentence tries
    itself at each of its capitals: those after the last verb can open no match.

    >>> s = Sentence(0, 40, "Kestrel said on Friday that Orvane rose.")
    >>> _trigger_end(s, frozenset(["said", "told"]))
    15
    """
    text = s.text
    if not _whole_words(s):
        return len(text)
    lower = s.lower_text()
    last = 0
    for word in s.lower_words().intersection(triggers):
        end = lower.rfind(word) + len(word)
        if end > last:
            last = end
    size = len(lower)
    while last < size and lower[last] not in _ASCII_WORD:
        last += 1
    while last < size and lower[last] in _ASCII_WORD:
        last += 1
    return last


def _holds_needed(cue: RegexCue, s: Sentence) -> bool:
    """Whether the sentence holds one of the strings the cue `needs` (if it names any), and one
    of those it holds `also` (holds_also): substring tests in C, where a timed regex call costs
    some 3 us before it reads a character."""
    needs = cue.needs
    if needs:
        text = s.text
        for need in needs:  # a loop of `in` tests (PyUnicode_Contains): no bound method mapped
            if need in text:
                break
        else:
            return False
    return holds_also(cue, s)


def holds_also(rule: RegexCue | MetricRule, s: Sentence) -> bool:
    """Whether the sentence holds one of the strings every match of the rule holds (its `also`),
    where a substring test can tell: in an ASCII sentence, whose lower-cased text holds in lower
    case whatever the rule's case-blind regex matches. (Elsewhere a letter such as "ſ" matches
    "s" without lower-casing to it, so the rule is searched.) A search of a sentence that cannot
    match still costs its timer and a pass over the sentence: one in three of the metric
    keywords' searches found nothing."""
    also = rule.also
    if not also or not s.text.isascii():
        return True
    lower = s.lower_text()
    for word in also:  # noqa: SIM110  (any() of a generator builds one per call when compiled)
        if word in lower:
            return True
    return False


def _organisation_name(rules: Rules, name: str) -> str | None:
    """An organisation's name as a subject: on one line, without its legal suffix or a word
    before it that names nothing ("Yesterday", "The")."""
    name = _SPACES_ONLY.sub(" ", name.strip(" ,.\n"))
    if "-based " in name:
        name = _BASED.sub("", name)
    first, _, rest = name.partition(" ")
    if rest and first.lower() in rules.not_sources:
        name = rest
    name = rules.legal_suffix.sub("", name)
    lower = name.lower()
    if not name or lower in rules.not_sources or lower in rules.people or len(name) < 2:
        return None
    if name.rpartition(" ")[2].lower() in rules.not_sources:
        return None  # "UK GDP rose 2.2%", "Japan Exports": a measure, no organisation
    return name


def subject(doc: Doc, s: Sentence, claim: Found, ends: list[int]) -> str | None:
    """The first subject named in the figure's clause before it (but the last one before it where
    a figure of the sentence, `ends` being where those before this one end, lies between the two:
    a list, "Kestrel shed 23 marks to 1,022, Varrow was off two marks at 366.50"), else in its
    sentence before it, else the nearest after it
    (looked up by bisection: no rescan per figure). A stake's subject is the company whose
    shares are held ("owns 51.4% of Pellam", "raised its stake in Pellam to 7.8 pct")."""
    if claim.kind in _TERM_KINDS and _security_term(doc, s, claim):
        return None
    found = _subjects(doc, s)
    if not found:
        return _own_subject(doc, s)
    if s.subject_starts is None:
        s.subject_starts = [pos for pos, _ in found]
        s.clauses = _clauses(s)
    start, end = claim.start, claim.end
    starts, clauses = s.subject_starts, s.clauses or []
    i = bisect.bisect_left(clauses, start)
    clause_start = clauses[i - 1] if i else s.start
    clause_end = clauses[i] if i < len(clauses) else s.end
    first = bisect.bisect_left(starts, clause_start)
    following = bisect.bisect_left(starts, end)
    if claim.kind == "percent" or claim.unit == "share":
        owned = _owned(doc, s, starts, first, following, end)
        if owned is not None:
            return found[owned][1]
    if claim.kind == "count" and claim.unit and claim.unit.endswith("share"):
        # the company a count of shares names is theirs, whoever holds them ("Kestrel sold
        # 110,000 Orvane common shares": Orvane's, as a stake is)
        inside = bisect.bisect_right(starts, start, first, following)
        if inside < following:
            return found[inside][1]
    if first < len(starts) and starts[first] < start:
        first = _reported(doc, s, starts, first, following, start)
        first = _named_where(doc, starts, first, following, start)
        last = following - 1
        between = bisect.bisect_right(ends, starts[first])  # the first figure after the first
        if (
            between < len(ends)
            and ends[between] <= starts[last]
            and _starts_item(doc, s, starts, first, last)
        ):
            return found[last][1]
        if claim.kind == "money" and _buyer(doc, starts[first], start):
            return _own_subject(doc, s)
        return found[first][1]
    if starts[0] < start:
        return found[0][1]
    # else one named in a count's own words as a modifier ("to create more than 10,000 US jobs";
    # not what it counts, "22 million Americans", nor a unit's, "37 U.S. cents"), else the nearest
    # after it, in its own clause ("It has 7.4 million subscribers, while Telewest provides ...":
    # Telewest's are not the 7.4 million)
    after = following
    if claim.kind == "count" and following > first and starts[following - 1] > start:
        inside = bisect.bisect_right(starts, start, first, following)
        if _SPACE.search(doc.text, starts[inside], end):
            after = inside
    # but not past a comma, a colon or a dash after the figure: what follows is something else,
    # an apposition, a participle's clause or a source ("has taken $65.5m so far, buoyed by
    # opening at number one in the UK", "dropped by 50%, reports from the US Treasury said")
    if after < len(starts) and starts[after] < clause_end:
        cut = _AFTER_BREAK.search(doc.text, end, starts[after], RELEASE_GIL)
        if cut is None or (claim.change is None and _fronted(doc, s, start, cut, starts[after])):
            return found[after][1]
    return None


# a sale's buyer, read backwards from its name: "to ", "to a newly formed company, "
_SOLD_TO = regex.compile(r"(?r)\bto\s+(?:(?:a|an|the)\s+[^,;]{1,50},\s+)?\Z")
# from the buyer's name to the price: "Heublein Inc for about ", "Pontins Ltd, for some "
_BOUGHT_FOR = regex.compile(
    r"<?\p{Lu}[^,;()]{0,60}?>?,?\s+for\s+(?:(?:about|some|around|nearly|roughly|almost|over"
    r"|an\s+estimated|more\s+than|less\s+than|up\s+to)\s+)?"
)


# a payment's words before "to X for <money>": X is paid, no buyer ("a contract awarded to Pagex
# Inc for 50 mln dlrs", "a loan granted to", "the contract went to"); the shape is a sale's
# otherwise, whose word may stand before the sentence a wire line starts
_PAID_TO = regex.compile(
    r"\b(?:award(?:s|ed|ing)?|grant(?:s|ed|ing)?|given|gave|lent|loan(?:s|ed)?|paid|pays?|went"
    r"|goes|contracted)\b",
    regex.IGNORECASE,
)
# how far back from the name a payment's word may stand ("was awarded last week to"): a clause
_PAID_REACH = 120


def _buyer(doc: Doc, at: int, start: int) -> bool:
    """Whether the subject named at `at` is the buyer a sale's price `start` is paid by: a name
    after "to" that "for" and the figure follow ("sold its filters unit to Pagex Inc for 400,000
    dlrs"); a sale's price is the seller's, or no one's where the seller is not named."""
    text = doc.text
    gap = text[at:start]
    if " for " not in gap and "\nfor " not in gap:
        return False  # most subjects: a substring test, no regex
    return (
        _SOLD_TO.search(text, max(0, at - 60), at, RELEASE_GIL) is not None
        and _BOUGHT_FOR.fullmatch(text, at, start, RELEASE_GIL) is not None
        and _PAID_TO.search(text, max(0, at - _PAID_REACH), at, RELEASE_GIL) is None
    )


# the words that open a phrase put before the sentence's subject ("At about 80% of GDP, ...")
_FRONTING = frozenset(("at", "with", "by", "from", "after", "under", "over", "around"))


def _fronted(doc: Doc, s: Sentence, start: int, cut: Match, subject_start: int) -> bool:
    """Whether the figure is in a phrase put before its sentence's subject, the comma `cut` ending
    it: the subject after that comma is the main clause's, and the figure's ("At about 80% of GDP,
    Turkey's gross debt is double that figure"). The caller asks only for a figure that is no
    change: one is a clause's ("After the merger sales rose 8%, Britain's regulator said")."""
    text = doc.text
    first = _WORD.search(text, s.start, start, RELEASE_GIL)  # past an opening quote mark
    return (
        cut.group() == ","
        and first is not None
        and first.group().lower() in _FRONTING
        and "," not in text[s.start : start]
        and _AFTER_BREAK.search(text, cut.end(), subject_start, RELEASE_GIL) is None
    )


_TERM_KINDS = frozenset(("percent", "number"))  # the kinds a security's term is read for
_TERM_LEAD = 30  # room before a figure for the longest lead-in to a term, "an initial coupon of "


def _security_term(doc: Doc, s: Sentence, claim: Found) -> bool:
    """Whether the figure is a security's coupon, price or yield ("a 7-1/4 pct coupon", "its 8.70
    pct debentures", "paying 9-5/8 pct and priced at 101-1/4 pct"): a term of the bond, no figure
    about its issuer ([security_term] in cues.toml); searched only where the sentence holds one of
    its words."""
    rules = doc.rules
    if rules.security_words.isdisjoint(s.lower_words()):
        return False
    text, start, end = doc.text, claim.start, claim.end
    ahead = min(len(text), end + CLAUSE_REACH)  # "pct convertible subordinated debentures"
    if rules.security_comparative.match(text, end, ahead, RELEASE_GIL) is not None:
        return False  # "paying 12% more for bread": a change in what is paid
    return (
        rules.security_after.match(text, end, ahead, RELEASE_GIL) is not None
        or rules.security_before.search(text, max(0, start - _TERM_LEAD), start, RELEASE_GIL)
        is not None
    )


def _reported(
    doc: Doc, s: Sentence, starts: list[int], first: int, following: int, start: int
) -> int:
    """The subject a figure's clause opens with (index `first`), or the first one named in what a
    speaker named before it says, where the figure lies in that ([reported_subject] in cues.toml):
    "Kestrel said Orvane has placed orders ... valued at 38 mln dlrs", "Halvern has said that
    Italian consumer confidence rose to 104.4"; not where the speaker speaks of itself ("Nissan
    said its sales in the US rose 5%") or names a place as an object ("reported car sales in the
    U.S.")."""
    source = _attribution_in(doc, s)
    said = source.said_end if source is not None else -1
    if said <= starts[first] or said > start:
        return first
    reported = bisect.bisect_left(starts, said, first, following)
    if reported == following or starts[reported] >= start:
        return first
    gap = doc.rules.reported_subject.fullmatch(doc.text, said, starts[reported], RELEASE_GIL)
    return first if gap is None else reported


# a place's possessive that names where the next subject is: "Tokyo's Nikkei 225", "Australia's
# Halvern Mining Ltd", "Sweden's <Nordvik Bank>"
_PLACE_OF = regex.compile(r"\p{Lu}[\p{L}.&-]*(?:\s+\p{Lu}[\p{L}.&-]*){0,3}['’]s\s+")


def _named_where(doc: Doc, starts: list[int], first: int, following: int, start: int) -> int:
    """The subject `first`, or the one right after it where `first` only says where that one is
    ("Tokyo's Nikkei 225 dropped 2.11%": the Nikkei's fall, not Japan's)."""
    after = first + 1
    if after >= following or starts[after] >= start or starts[after] - starts[first] > WORD_REACH:
        return first
    if _PLACE_OF.fullmatch(doc.text, starts[first], starts[after], RELEASE_GIL) is None:
        return first
    return after


def _starts_item(doc: Doc, s: Sentence, starts: list[int], first: int, last: int) -> bool:
    """Whether the subject `last` starts a new item of a list that `first` opened: not a
    preposition's object ("exports to Southeast Asia"), unless the first is the same
    preposition's ("supplies from Argentina may fall to ... and from South Africa to ...")."""
    text, before = s.text, doc.rules.subject_object
    at = starts[last] - s.start
    held = before.search(text, max(0, at - 30), at, RELEASE_GIL)
    if held is None:
        return True
    at = starts[first] - s.start
    opened = before.search(text, max(0, at - 30), at, RELEASE_GIL)
    return (
        opened is not None and opened.group().split()[0].lower() == held.group().split()[0].lower()
    )


def _clauses(s: Sentence) -> list[int]:
    """Where the sentence's clauses start (_CLAUSE), as offsets in the text."""
    if s.text.isascii() and ";" not in s.text and _CLAUSE_WORDS.isdisjoint(s.lower_words()):
        return []  # none of its words can open a clause: most sentences, with no search
    return [
        s.start + c.start() for c in _CLAUSE.finditer(s.text, 0, len(s.text), False, RELEASE_GIL)
    ]


def _owned(
    doc: Doc, s: Sentence, starts: list[int], first: int, following: int, end: int
) -> int | None:
    """The index of the subject whose shares a stake figure counts: named right after it ("51.4%
    of Pellam", "its 80 pct interest in Pellam"), else the last before it in its clause where
    that one follows "stake in" ("raised its stake in Pellam to 237,000 shares")."""
    owned = doc.rules.subject_owned
    if following < len(starts) and starts[following] - end < WORD_REACH:
        gap = owned.fullmatch(doc.text, end, starts[following], RELEASE_GIL)
        if gap is not None:
            return following
    last = following - 1
    if last >= first and last >= 0:
        at = starts[last] - s.start
        held = doc.rules.subject_stake.search(s.text, max(0, at - WORD_REACH), at, RELEASE_GIL)
        if held is not None and held.group("stake"):
            return last
    return None


def _own_subject(doc: Doc, s: Sentence) -> str | None:
    """The organisation a sentence with no named subject opens with, speaking of itself
    ([subject_self] in cues.toml: "Newmont reported net income of ..."); found once."""
    if s.own_subject is None:
        rules = doc.rules
        triggers = rules.subject_self_triggers
        if triggers and triggers.isdisjoint(s.lower_words()):
            s.own_subject = ""
            return None
        m = doc.call("subject_self", rules.subject_self.match, s.text, timed=True)
        who = _clean_source(m.group("who"), rules) if m else None
        if m and _titled(rules, m.group("who")):
            who = None  # "Chancellor Gordon Brown's plans": a person is no subject
        if who and " " not in who and who.lower() in rules.subject_self_generic:
            who = None  # "The Bank also said it provided": no bank in particular
        if who and _speaks_of_rating(rules, s) and _search(rules.rating_agency, who):
            who = None  # "Moody's said it may downgrade ...": the debt it rates is not its own
        # "its", a net income or a share price say an organisation, not a person
        s.own_subject = rules.legal_suffix.sub("", who) if who else ""
    return s.own_subject or None


def _metric_rules(doc: Doc, s: Sentence) -> list[tuple[MetricRule, Pattern | None]]:
    """The metric rules that may name a figure of the sentence, in file order, with their
    keywords: those its words trigger, and `other` (which needs no keywords)."""
    if s.metric_rules is None:
        metrics = doc.rules.metrics
        s.metric_rules = [
            (rule, pattern)
            for rule, pattern, _triggers in metrics.triggered(s.lower_words())
            if pattern is not None and rule.id != "other" and holds_also(rule, s)
        ]
        # `other`, the last rule (as the rule files' validator requires), with no keywords
        s.metric_rules.append((metrics.entries[-1][0], None))
    return s.metric_rules


def metric(
    doc: Doc,
    s: Sentence,
    claim: Found,
    lo: int,
    hi: int,
    compared: str | None = None,
    *,
    listed: bool = False,
) -> str:
    """The metric of a figure: among rules whose kinds, units and bounds fit it, the one whose
    keywords are nearest it in its own words before it (back to the figure before it, `lo`),
    else nearest it in its words after it (to the next figure, `hi`), else the first in file
    order anywhere in its sentence: in "inflation rose to 3% while unemployment fell to 5%" each
    figure keeps its own metric. A figure compared with the one before it ("rose 1.3 pct against
    2.3 pct", "from 440 pct in 1985 to 19.7 pct") and with no keyword in its own clause before
    it takes that figure's metric, `compared`; one `listed` after it ("eight pct last year and
    a 30 pct drop in the trade surplus") does so only when its own clause after it names none.
    A keyword in its own clause after it beats one nearer before it past a conjunction ("3.3
    pct growth in 1986 and a 12 pct inflation rate"). Then a
    variant of the metric whose keywords are among the figure's own words ("grew 0.2% in the
    last three months": a quarter's growth). Keywords are searched once a sentence, and only for
    rules some figure fits: a rule for temperatures is never searched in a sentence with none."""
    fitting = []
    for rule, pattern in _metric_rules(doc, s):
        if claim.kind not in rule.kinds:
            continue
        if rule.units is not None and (claim.unit or "") not in rule.units:
            continue
        if rule.min_value is not None and claim.value < rule.min_value:
            continue
        if rule.max_value is not None and claim.value > rule.max_value:
            continue
        if pattern is None:
            break  # other: the rules after it are never reached
        spans = s.keyword_spans.get(rule.id)
        if spans is None:
            starts = _trigger_starts(s, rule.triggers) if rule.opens_with_trigger else None
            found = doc.find_all(f"metric:{rule.id}", pattern, s.text, starts)
            spans = s.keyword_spans[rule.id] = [m.span() for m in found]
        if spans:
            fitting.append((rule, spans))
    if not fitting:  # no rule names it: its own words need not be found
        return compared if compared is not None else "other"
    bases = [(rule, spans) for rule, spans in fitting if rule.variant_of is None]
    start, end = claim.start - s.start, claim.end - s.start
    own = _own_words(s, lo - s.start, start, end, hi - s.start)
    # its own clause first, before it then after it: in "3.3 pct growth in non-oil gdp in 1986
    # and to a 12 pct inflation rate" the 12 is inflation, though gdp is nearer before it
    chosen = _nearest_rule(bases, lo - s.start, start, own, before=True, own_only=True)
    if chosen is None and listed:
        chosen = _nearest_rule(bases, end, hi - s.start, own, before=False, own_only=True)
    if chosen is None and compared is not None:
        name = compared
    else:
        chosen = chosen or _nearest_rule(bases, end, hi - s.start, own, before=False, own_only=True)
        chosen = chosen or _nearest_rule(bases, lo - s.start, start, own, before=True)
        chosen = chosen or _nearest_rule(bases, end, hi - s.start, own, before=False)
        if chosen is None:
            chosen = next((r for r, spans in bases if _overlaps(spans, 0, len(s.text))), None)
        name = (chosen.metric or chosen.id) if chosen else "other"
    for rule, spans in fitting:
        if rule.variant_of == name and _overlaps(spans, *own):
            return rule.metric or rule.id
    return name


def _nearest_rule(
    rules: list[tuple[MetricRule, list[tuple[int, int]]]],
    low: int,
    high: int,
    own: tuple[int, int],
    *,
    before: bool,
    own_only: bool = False,
) -> MetricRule | None:
    """Among rules with a keyword in low..high: the first in file order with one among the
    figure's own words (`own`: its clause, so "posted price for West Texas crude" is a posted
    price, not an oil price), else (unless `own_only`) the one with a keyword nearest the figure
    (which is at `high` when the window is `before` it, at `low` when after). A keyword may run
    into the figure."""
    best, best_distance = None, None
    for rule, spans in rules:
        for a, b in spans:
            if not (a < high and b > low):
                continue
            if a < own[1] and b > own[0]:
                return rule
            if own_only:
                continue
            distance = max(0, high - b) if before else max(0, a - low)
            if best_distance is None or distance < best_distance:
                best, best_distance = rule, distance
    return best


def _overlaps(spans: list[tuple[int, int]], low: int, high: int) -> bool:
    return any(a < high and b > low for a, b in spans)


# Where a figure's own words end (a variant's keywords must be among them): a comma, semicolon,
# bracket, dash, conjunction or "with" ("economies with inflation seen rising above four pct").
_OWN_WORDS_END = regex.compile(
    r"[,;:()]|\s[-–]\s|\b(?:but|while|whereas|and|after|with)\b", regex.I
)
# Every place _OWN_WORDS_END can match and more, found by the standard library's `re`, which
# crosses a sentence in half the instructions `regex` takes to try its alternation at each
# character: `re`'s \s holds every space `regex`'s does, its case-blind letters every case
# `regex` folds to them, and a word of it may start or end where no ASCII word character stands
# (tests/test_extract_work.py holds the two to the same cuts). A mark of the first alternative
# is a cut of its own; a dash or a word is asked of _OWN_WORDS_END there. (The words' first
# letters come first, the look-behind after them: a set `re` skips to.)
_OWN_WORDS_HINT = re.compile(
    r"[,;:()]|\s[-–]|[abw](?<![a-z0-9_].)(?:ut|hile|hereas|nd|fter|ith)(?![a-z0-9_])", re.I
)
_OWN_MARKS = frozenset(",;:()")


def _own_words(s: Sentence, lo: int, start: int, end: int, hi: int) -> tuple[int, int]:
    """The figure's own clause: from the last comma or conjunction before it (not before `lo`)
    to the first after it (not after `hi`). The sentence's cuts are found once (`_own_cuts`) and
    looked up by bisection, the same as a search of each window would find (some 5,000 searches
    a MB, two a figure): but where a dash cut (" - ") may overlap another, or a window ends
    inside a word (where its end is a \\b the sentence has not), the windows are searched."""
    text = s.text
    if s.own_cuts is None:
        s.own_cuts = _own_cuts(text)
    cuts = s.own_cuts
    if not cuts.exact or _inside_word(text, start) or _inside_word(text, hi):
        before = list(_OWN_WORDS_END.finditer(text, lo, start, False, RELEASE_GIL))
        stop = _OWN_WORDS_END.search(text, end, hi, RELEASE_GIL)
        return (before[-1].end() if before else lo), (stop.start() if stop else hi)
    # the last cut ending by `start` (the cuts do not overlap: their ends rise with their starts)
    i = bisect.bisect_right(cuts.ends, start) - 1
    first = cuts.ends[i] if i >= 0 and cuts.starts[i] >= lo else lo
    j = bisect.bisect_left(cuts.starts, end)
    last = cuts.starts[j] if j < len(cuts.starts) and cuts.ends[j] <= hi else hi
    return first, last


def _own_cuts(text: str) -> OwnCuts:
    """Where _OWN_WORDS_END cuts the sentence; `exact` unless one of them is a dash cut, the one
    kind that can overlap another (" - - "), so that a window may find one the sentence's search
    does not."""
    starts, ends, exact = [], [], True
    search, match, size = _OWN_WORDS_HINT.search, _OWN_WORDS_END.match, len(text)
    at = 0
    while (hinted := search(text, at)) is not None:
        a = hinted.start()
        if text[a] in _OWN_MARKS:
            b = a + 1
        else:
            cut = match(text, a, size, RELEASE_GIL)  # (string, pos, endpos, concurrent)
            if cut is None:
                at = a + 1
                continue
            b = cut.end()
            exact = exact and not text[a].isspace()
        starts.append(a)
        ends.append(b)
        at = b
    return OwnCuts(starts, ends, exact)


def _inside_word(text: str, at: int) -> bool:
    """Whether `at` may be inside a word (its characters either side may both be word ones):
    there a window's end is a word boundary that the sentence's text has not."""
    if at <= 0 or at >= len(text):
        return False
    return text[at - 1] not in _NOT_WORD and text[at] not in _NOT_WORD


# characters that are never part of a word (\w): spaces and ASCII punctuation but "_"
_NOT_WORD = frozenset(" \t\n\r\f\v\u00a0!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~")


def _titled(rules: Rules, text: str) -> Match | None:
    """rules.titles.match(text): the titles before a name, up to the last ("Finance Minister Liu
    Kun"). Asked only of a text holding one of the titles (rules.title_heads): substring tests
    in C, where the pattern's call costs some 10,000 instructions on a name of ten letters."""
    for head in rules.title_heads:  # a loop of `in` tests: no generator built when compiled
        if head in text:
            return rules.titles.match(text, 0, len(text), RELEASE_GIL)
    return None


def _clean_source(who: str, rules: Rules) -> str | None:
    who = _SPACES_ONLY.sub(" ", who.strip(" ,.\n"))  # a name wrapped across lines, on one
    who = rules.furniture.sub("", who)
    first, _, rest = who.partition(" ")
    if rest and first.lower() in rules.not_sources:
        who = rest  # "Although Volcker's statement", "Yesterday Minneapolis-based NWA reported"
    who = _ARTICLE.sub("", who)
    # "China's National Bureau of Statistics" -> the bureau
    possessive = _POSSESSIVE.match(who)
    if possessive and possessive.group(1) in rules.subject_ids:
        who = who[possessive.end() :]
    if _titled(rules, who):
        who = rules.titles.sub("", who)
    if not who or who.lower() in rules.not_sources:
        return None
    subject = rules.subject_ids.get(who)
    if subject is not None and subject in rules.capitalised_only and " " not in who:
        # "Beijing said" stays a source; a bare demonym ("Chinese said") does not
        return who if who[0].isupper() else None
    return who


def _person_before(doc: Doc, offset: int) -> str | None:
    """The last named person introduced with a speech verb before `offset` (for he/she)."""
    rules = doc.rules
    lo = max(0, offset - 4000)
    last = None
    for m in doc.find_all("person_before", rules.compiled["person_before"], doc.text[lo:offset]):
        who = m.group("who")
        first = who.split()[0]
        if who in rules.subject_ids or first in rules.subject_ids or first in ("The", "He", "She"):
            continue
        last = who
    if last is None:
        return None
    if " " not in last:
        # "Jiang added" -> the full name given earlier: "Jiang Jinquan"
        full = regex.search(
            rf"\b{regex.escape(last)}(?:\s+\p{{Lu}}\p{{Ll}}+)+",
            doc.text[max(0, offset - 8000) : offset],
        )
        if full is not None:
            return full.group()
    return last


def _attribution_in(doc: Doc, s: Sentence) -> Source | None:
    if s.attribution_done:
        return s.attribution
    s.attribution_done = True
    for cue, pattern, triggers in doc.rules.attribution_cues.triggered(s.lower_words()):
        if not _holds_needed(cue, s):
            continue
        # the first match that names someone: "He notes that ... Mark Liu, has said"; the
        # matches after it are never searched for
        starts = _trigger_starts(s, cue.triggers) if cue.opens_with_trigger else None
        end = _trigger_end(s, triggers) if cue.closes_with_trigger else None
        for m in doc.each_match(f"attribution:{cue.id}", pattern, s.text, starts, end):
            opens = m.start()
            if "pronoun" in m.re.groupindex and m.group("pronoun"):
                who = _person_before(doc, s.start + m.start())
                kind = "person"
            else:
                who = _clean_source(m.group("who"), doc.rules)
                if not cue.may_be_place and who in doc.rules.subject_ids:
                    continue
                kind = "organisation" if cue.organisation else ""
                opens = m.start("who")  # not an opening phrase before it ("With sales of ..., ")
            if who:
                said = -1 if cue.cites else s.start + m.end()
                kind = kind or _source_kind(doc, s, m, who)
                s.attribution = Source(who, kind, cue.cites, said, s.start + opens)
                return s.attribution
    return None


_INITIALS = regex.compile(r"(?:\p{Lu}\.){1,3}")  # "J.S.", a person's initials
_ITS_AFTER = regex.compile(r"\s+(?:that\s+)?its\b")
_PERSONAL_AFTER = regex.compile(r"\s+(?:that\s+)?(?:he|she|his|her)\b")


def _source_kind(doc: Doc, s: Sentence, m: Match, who: str) -> str:
    """Whether a source found by a cue is a person or an organisation: a title before it
    ("Finance Minister Liu Kun", "president Jean-Marc Vernes") says a person; a subject's
    name, an organisation; a surname alone ("Keating said") is a person's when the text
    before names someone with it ("Paul Keating"); else as its words read (`source_type`)."""
    rules = doc.rules
    raw = m.group("who")
    before = s.text[max(0, m.start("who") - 30) : m.start("who")].split()
    if _titled(rules, raw) or (before and before[-1].lower().rstrip(".,") in rules.title_words):
        return "person"
    if _INITIALS.fullmatch(who):
        return "person"
    if _ITS_AFTER.match(s.text, m.end(), len(s.text), RELEASE_GIL):
        return "organisation"  # "The Sunday Express said its poll": a person's would be his or her
    if _PERSONAL_AFTER.match(s.text, m.end(), len(s.text), RELEASE_GIL):
        return "person"  # "Pai said he expects"
    if " " not in who and who[1:].islower() and who not in rules.subject_ids:
        return (
            "person"
            if _named_with_first_name(doc, s.start + m.start("who"), who)
            else ("organisation")
        )
    return source_type(rules, who)


def _named_with_first_name(doc: Doc, before: int, surname: str) -> bool:
    """Whether the text before `before` names someone "Firstname Surname" (a capitalised word
    that names no subject right before the surname), as a story first names a person."""
    text, at = doc.text, before
    lo = max(0, before - 8000)
    while (at := text.rfind(surname, lo, at)) > 0:
        end = at + len(surname)
        first = text[max(lo, at - 30) : at].split()
        if (
            text[at - 1].isspace()
            and (end == len(text) or not text[end].isalnum())
            and first
            and first[-1][:1].isupper()
            and first[-1][1:].isalpha()
            and first[-1] not in doc.rules.subject_ids
        ):
            return True
    return False


def source_type(rules: Rules, name: str) -> str:
    """'person' when a source's name reads as a person's (a title, or two to four capitalised
    words none of which names an organisation or a country), else 'organisation'; what
    ClaimReview's author type is read from when a ledger stored none.

    >>> from ledger.rules import default_rules
    >>> rules = default_rules()
    >>> [source_type(rules, n) for n in ("National Bureau of Statistics", "Wang Zhigang",
    ...  "UK Finance", "Beat", "Dr Li", "Reuters", "customs data", "American Honda",
    ...  "Finance Minister Edouard Balladur", "Minister of Finance", "Halvern Chemical Co",
    ...  "Capitol Bancorp")]
    ['organisation', 'person', 'organisation', 'organisation', 'person', 'organisation', \
'organisation', 'organisation', 'person', 'organisation', 'organisation', 'organisation']
    """
    words = [word.strip(".,'()’").lower() for word in name.split()]
    words = [word for word in words if word]
    title = _titled(rules, name)
    if title and 1 <= len(name[title.end() :].split()) <= 3:
        named = [word.strip(".,'()’").lower() for word in name[title.end() :].split()]
        if rules.organisations.isdisjoint(named):
            return "person"  # "Finance Minister Edouard Balladur": "finance" names no body here
    # the words that make a source an organisation: [attribution_words] in cues.toml, and a
    # legal suffix ("Dow Chemical Co")
    if not words or not rules.organisations.isdisjoint(words) or rules.legal_suffix.search(name):
        return "organisation"
    if any(word in rules.subject_ids for word in name.split()):
        return "organisation"  # "American Honda", "Deutsche Bank": no person's name
    capitalised = all(word[:1].isupper() for word in name.split() if word.isalpha())
    return "person" if 2 <= len(words) <= 4 and capitalised else "organisation"


def _quotation(doc: Doc, offset: int) -> tuple[int, int] | None:
    """The quotation (open, close) in the paragraph that holds `offset`, if any.

    The quotations of a paragraph are found once (doc.quotations) and looked up by bisection,
    so a paragraph with many figures is not rescanned for each.
    """
    starts = doc.line_starts
    line = bisect.bisect_right(starts, offset) - 1
    lo = starts[line]
    spans = doc.quotations.get(lo)
    if spans is None:
        hi = starts[line + 1] - 1 if line + 1 < len(starts) else len(doc.text)
        spans = doc.quotations[lo] = _quotation_spans(doc.text, lo, hi)
    i = bisect.bisect_left(spans, (offset, -1)) - 1
    if i >= 0 and spans[i][0] < offset < spans[i][1]:
        return spans[i]
    return None


def _quotation_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """(open, close) of each quotation between lo and hi; one left open runs to hi."""
    spans: list[tuple[int, int]] = []
    if text.find('"', lo, hi) < 0 and text.find("“", lo, hi) < 0 and text.find("”", lo, hi) < 0:
        return spans  # no quotation mark: three scans in C, where the search is a regex call
    opened = None
    for q in _QUOTES.finditer(text, lo, hi, False, RELEASE_GIL):
        char, at = q.group(), q.start()
        if char == '"':
            # a straight quote opens after a space or bracket, and closes otherwise
            before = text[at - 1] if at > lo else " "
            char = "“" if before.isspace() or before in "([{—–-:" else "”"
        if opened is None:
            if char == "“":
                opened = at
        elif char == "”":
            spans.append((opened, at))
            opened = None
    if opened is not None:
        spans.append((opened, hi))
    return spans


def _own_asides(doc: Doc, s: Sentence) -> list[tuple[int, int]]:
    """The spans of the writer's own asides in the sentence (offsets in it), found once."""
    if s.asides is None:
        s.asides = [m.span() for m in doc.rules.own_aside.finditer(s.text)]
    return s.asides


def attribution(doc: Doc, s: Sentence, start: int) -> Source | None:
    """Who the figure is attributed to: a cue in its own sentence, else around its quotation."""
    if "(" in s.text and any(a <= start - s.start < b for a, b in _own_asides(doc, s)):
        return None  # the writer's own correction of the source
    own = _attribution_in(doc, s)
    if own:
        # a figure in an apposition between the speaker and its verb is the writer's ("Kestrel,
        # a 5.1 billion dlr company, said"), not one the verb's words hold ("Pettee estimated")
        if own.opens < start < own.said_end and "," in doc.text[start : own.said_end]:
            return None
        return own
    quoted = _quotation(doc, start)
    if quoted is None or quoted[1] - quoted[0] > 3000:
        return None
    open_at, close_at = quoted
    # a quotation longer than its sentence: the attribution sits just around the quotation
    if close_at < len(doc.text) and close_at >= s.end - 1:
        after = doc.sentence(min(close_at + 1, len(doc.text) - 1))
        if after.start != s.start and (found := _attribution_in(doc, after)):
            return found
    if open_at < s.start and (found := _attribution_in(doc, doc.sentence(open_at))):
        return found
    return None


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


# A period label, as the extractor writes it: 2023, 2023-07, 2023-Q4, 2023-H1, FY2024, FY2024-Q2.
_LABEL = regex.compile(r"(?P<fy>FY)?(?P<year>\d{4})(?:-(?P<part>Q|H)?(?P<n>\d\d?))?")


def shift_label(label: str, unit: str, step: int) -> str | None:
    """A period label moved by `step` years, quarters or months; None where the label is not of
    that grain ("2004" has no previous month).

    >>> shift_label("1987-02", "year", -1), shift_label("2004", "year", -1)
    ('1986-02', '2003')
    >>> shift_label("2023-Q1", "quarter", -1), shift_label("FY2024-Q2", "year", -1)
    ('2022-Q4', 'FY2023-Q2')
    >>> shift_label("2023-01", "month", -1), shift_label("2004", "month", -1)
    ('2022-12', None)
    """
    m = _LABEL.fullmatch(label)
    if m is None:
        return None
    fy, year, part, n = m.group("fy") or "", int(m.group("year")), m.group("part"), m.group("n")
    if unit == "year":
        return f"{fy}{year + step}{label[m.end('year') :]}"
    if unit == "quarter" and part == "Q":
        index = year * 4 + int(n) - 1 + step
        return f"{fy}{index // 4}-Q{index % 4 + 1}"
    if unit == "month" and n and not part:
        y, month = _shift(year, int(n), step)
        return f"{y}-{month:02d}"
    return None


def _published_label(doc: Doc, unit: str) -> str | None:
    """The publication date as a period label of `unit`'s grain, when its precision allows."""
    pub = doc.published
    if pub is None or (unit != "year" and doc.published_precision == "year"):
        return None
    if unit == "year":
        return str(pub.year)
    if unit == "quarter":
        return f"{pub.year}-Q{(pub.month - 1) // 3 + 1}"
    return f"{pub.year}-{pub.month:02d}"


def _period_value(doc: Doc, rule: PeriodRule, m: Match, s: Sentence) -> str | None:
    """The period a cue names, read from its named groups as its kind says (rules.PERIOD_GROUPS);
    quarters and months without a year take it from context. A shift is read later, from the
    sentence's other periods (`_periods`)."""
    groups = _groupdict(m)
    kind = rule.period
    if kind == "year":
        if groups.get("fy"):
            return _fiscal(doc, groups)
        if groups.get("end"):
            return f"{groups['year']}/{groups['end']}"
        return groups.get("year")
    if kind == "quarter":
        words = doc.rules.files.period_words
        q = groups.get("q")
        number = int(q) if q else words.ordinals[str(groups["qword"]).lower()]
        return _quarter(doc, number, groups, s, m)
    if kind == "quarter_end":
        return _quarter_end(doc, groups, s, m)
    if kind == "half":
        words = doc.rules.files.period_words
        half = groups.get("h") or str(words.ordinals[str(groups.get("hword")).lower()])
        return f"{groups.get('year')}-H{half}"
    if kind == "month":
        return _month(doc, groups, s, m)
    if kind == "fiscal":
        return _fiscal(doc, groups)
    if kind == "fiscal_end":
        return _fiscal_end(doc, groups)
    if kind == "now":
        return _published_label(doc, "year")
    if kind in ("shift", "none"):
        return None
    if kind == "past_years":
        return _past_years(doc, str(groups["count"]))
    return _relative(doc, groups)


def _past_years(doc: Doc, count: str) -> str | None:
    """The whole years before the publication year that "the past three years" names, START/END
    (2018/2020 in a 2021 story); the count in digits or a number word ("three")."""
    pub = doc.published
    words = doc.rules.files.number_words
    n = int(count) if count.isdigit() else int(words.units.get(count.lower(), 0))
    if pub is None or n < 2:
        return None
    return f"{pub.year - n}/{pub.year - 1}"


def _fiscal(doc: Doc, groups: dict[str, str | None]) -> str:
    """FY and the year a fiscal year ends in ("fiscal 1985/86" is FY1986), with its quarter."""
    fy = str(groups["fy"])
    if len(fy) == 2:
        # "1986/87": the century of the year it starts in (1999/00 ends in 2000); "FY23": 2000s
        start = groups.get("year")
        century = int(start[:2]) * 100 if start else 2000
        year = century + int(fy)
        if start and year < int(start):
            year += 100
        fy = str(year)
    q = groups.get("q")
    qword = groups.get("qword")
    if q is None and qword:
        q = str(doc.rules.files.period_words.ordinals[qword.lower()])
    return f"FY{fy}-Q{q}" if q else f"FY{fy}"


def _fiscal_end(doc: Doc, groups: dict[str, str | None]) -> str | None:
    """The year that ends in the cue's month: the last one before the publication date ("the year
    ended March 31" in an April 1987 story: FY1987), or the one under way ("ending March 31" in a
    March 1987 story: FY1987); one ending in December is the calendar year."""
    pub = doc.published
    if pub is None or doc.published_precision == "year":
        return None
    month = doc.rules.files.period_words.months[str(groups["month"]).lower().rstrip(".")]
    if str(groups.get("verb")).lower() == "ending" and not groups.get("past"):
        year = pub.year if month >= pub.month else pub.year + 1
    else:
        year = pub.year if month < pub.month else pub.year - 1
    return str(year) if month == 12 else f"FY{year}"


def _year_before(doc: Doc, s: Sentence, later: bool, start: int) -> bool:
    """Whether a month or quarter without a year, `later` in the year than the publication
    date, is last year's: unless the sentence speaks of the future ("will pay in August") and
    the cue (at `start` in the sentence) is no past one ("last September", "down from 15 cts in
    December")."""
    future = doc.rules.files.period_words.future
    if not later or future.isdisjoint(s.lower_words()):
        return later
    if s.text.endswith("last ", 0, start):
        return True
    if future.isdisjoint(_clause_words(doc, s.text, start)):
        return True  # "stayed at 5.4% in December, and 200,000 jobs will be needed"
    return _baseline_before(doc, s.text, start)


def _clause_words(doc: Doc, text: str, at: int) -> set[str]:
    """The lower-cased words of the clause of `text` holding offset `at`, as parted by
    [period_reach] future_apart (another clause; "than expected", which reports the past)."""
    lo, hi = 0, len(text)
    for m in doc.rules.future_apart.finditer(text):
        if m.end() <= at:
            lo = m.end()
        elif m.start() >= at:
            hi = m.start()
            break
    return set(_WORD.findall(text[lo:hi].lower()))


def _quarter(
    doc: Doc, quarter: int, groups: dict[str, str | None], s: Sentence, m: Match
) -> str | None:
    year = _quarter_year(doc, quarter, groups, s, m)
    return f"{year}-Q{quarter}" if year else None


def _quarter_year(
    doc: Doc, quarter: int, groups: dict[str, str | None], s: Sentence, m: Match
) -> str | None:
    """The year of a calendar quarter: the cue's own, the sentence's, else the publication
    date's (the year before for a quarter later in the year than that date)."""
    pub = doc.published
    year = groups.get("year") or _year_in_sentence(doc, s, m.end())
    if year is None and pub is not None and doc.published_precision != "year":
        later = quarter > (pub.month - 1) // 3 + 1
        year = str(pub.year - 1 if _year_before(doc, s, later, m.start()) else pub.year)
    return year


def _quarter_end(doc: Doc, groups: dict[str, str | None], s: Sentence, m: Match) -> str | None:
    """The quarter that ends in a month; where the cue numbers it otherwise than the calendar
    does, a fiscal quarter of the year that ends 3 months on for each quarter left ("the fourth
    quarter ending June 30" of 1987: FY1987-Q4; "the second quarter ended December 31" of 1986:
    FY1987-Q2)."""
    words = doc.rules.files.period_words
    month = words.months[str(groups["month"]).lower().rstrip(".")]
    if month % 3:
        return None  # "three months to end January": no quarter
    calendar = month // 3
    qword = groups.get("qword")
    number = words.ordinals[qword.lower()] if qword else calendar
    if number == calendar:
        return _quarter(doc, calendar, groups, s, m)
    year = _quarter_year(doc, calendar, groups, s, m)
    if year is None:
        return None
    fiscal_year, _ = _shift(int(year), month, 3 * (4 - number))
    return f"FY{fiscal_year}-Q{number}"


def _month(doc: Doc, groups: dict[str, str | None], s: Sentence, m: Match) -> str | None:
    words, pub = doc.rules.files.period_words, doc.published
    month = words.months[str(groups.get("month")).lower().rstrip(".")]
    year = groups.get("year")
    relative = groups.get("rel")
    if year is None and relative:
        if pub is None:
            return None
        year = str(pub.year + words.relative[relative.lower()])
    if year is None and groups.get("day") and not _DATELINE_DASH.match(s.text, m.end()):
        # "On March 12, the plan purchased": a day of the story's own time dates no figure,
        # unless it ends a period ("the four weeks ended February 28") or is the story's
        # dateline ("TOKYO, April 24 - The dollar fell below 139 yen": the story's month)
        before = s.text[max(0, m.start() - 12) : m.start()].split()
        if not before or before[-1].lower() not in words.day_ends:
            return None
    if year is None:
        year = _year_in_sentence(doc, s, m.end())
    if year is None:
        if pub is None or doc.published_precision == "year":
            return None  # "in August" of a 2005 article: August 2005, or 2004
        year = str(pub.year - 1 if _year_before(doc, s, month > pub.month, m.start()) else pub.year)
    return f"{year}-{month:02d}"


def _relative(doc: Doc, groups: dict[str, str | None]) -> str | None:
    """A relative period ("last year", "the past quarter"): a step from the publication date,
    when its precision allows (a date known to the year has no "last month")."""
    word = str(groups.get("relword")).lower().split()[-1]
    step = doc.rules.files.period_words.relative[word]
    unit = str(groups.get("relunit")).lower()
    now = _published_label(doc, unit)
    return shift_label(now, unit, step) if now else None


def _year_in_sentence(doc: Doc, s: Sentence, end: int) -> str | None:
    """The year the first `period = "year"` cue finds in the sentence for the cue ending at `end`
    (in the sentence), but not one that is part of another cue's date, unless that date is joined
    to this cue ("between February and October 1986"), nor a baseline's: in "rose to 75.3 pct in
    February ..., but was below the February 1986 rate", February is the publication year's, and
    "base 1980" dates nothing."""
    rules = doc.rules
    for rule, pattern, _triggers in rules.period_cues:
        if rule.period == "year":
            held = [
                m.span()
                for rule_id, matches in s.period_matches.items()
                if rule_id != rule.id
                for m in matches
            ]
            for m in _cue_matches(doc, s, rule, pattern):
                a, b = m.span()
                holder = next((x for x, y in held if x <= a and b <= y), None)
                if holder is not None and not rules.span_joins.fullmatch(
                    s.text, end, holder, RELEASE_GIL
                ):
                    continue
                if _baseline_before(doc, s.text, a):
                    continue
                return m.group("year")
            return None
    return None


def _cue_matches(doc: Doc, s: Sentence, rule: PeriodRule, pattern: Pattern) -> list[Match]:
    """Every match of a period cue in the sentence, found once (a quarter's cue may ask for the
    sentence's year before the year cue's own turn)."""
    found = s.period_matches.get(rule.id)
    if found is None:
        found = s.period_matches[rule.id] = (
            doc.find_all(f"period:{rule.id}", pattern, s.text) if _holds_needed(rule, s) else []
        )
    return found


def _periods(doc: Doc, s: Sentence) -> list[PeriodCue]:
    """The period cues of a sentence, in order, found once: each with its value and whether it
    is a baseline; two that make an interval ("from 2010 to 2020") as one."""
    if s.periods is not None:
        return s.periods
    rules = doc.rules
    taken: list[tuple[int, int]] = []
    # (start, end, value, baseline, the match of a shift, whether it is a date that dates nothing)
    found: list[tuple[int, int, str | None, bool, Match | None, bool]] = []
    for rule, pattern, _triggers in rules.period_cues.triggered(s.lower_words()):
        for m in _cue_matches(doc, s, rule, pattern):
            a, b = m.span()
            if any(a < y and x < b for x, y in taken):
                continue
            taken.append((a, b))
            if rule.period == "now" and _quotation(doc, s.start + a) is not None:
                continue  # a quotation's "today" is its speaker's, maybe years before
            # "a turnaround from 2002 when output fell 11%": the when-clause is 2002's
            based = (
                _baseline_before(doc, s.text, a)
                and rules.period_when.match(s.text, b, len(s.text), RELEASE_GIL) is None
            )
            shift = m if rule.period == "shift" else None
            value = _period_value(doc, rule, m, s)
            found.append((a, b, value, based, shift, rule.period == "none"))
    found.sort(key=lambda cue: cue[0])
    # a shift steps from the sentence's first period ("in February ... a year earlier"), else
    # from the publication date; from a date that dates nothing (a week's), to nothing
    anchor, dateless = None, False
    for _, _, value, _, shift, none in found:
        if not shift and (value or none):
            anchor, dateless = value, none
            break
    brackets = _brackets(s)
    cues = [
        PeriodCue(
            s.start + a,
            s.start + b,
            (None if dateless else _shifted(doc, shift, anchor)) if shift else value,
            base,
            _after_figure(doc, s.text, a, shift is not None),
            next(((s.start + x, s.start + y) for x, y in brackets if x < a and b < y), None),
        )
        for a, b, value, base, shift, _ in found
    ]
    s.periods = _spans(doc, s, cues)
    return s.periods


def _brackets(s: Sentence) -> list[tuple[int, int]]:
    """The spans of the sentence's bracketed asides (offsets in it)."""
    return [m.span() for m in _BRACKETED.finditer(s.text)] if "(" in s.text else []


def _after_figure(doc: Doc, text: str, a: int, shift: bool) -> bool:
    """Whether the cue at `a` in the sentence closes the words of the figure right before it, and
    so dates that figure alone: a step ("from 200.9 mln dlrs a year ago"), or any cue after a
    baseline ("compared with 13.57 billion in 1985 while costs totalled 7.44 billion": 1985 is
    the 13.57's, not the 7.44's; "vs 77,400 cwts last year, and area at 76,700 acres")."""
    number = _LAST_NUMBER.search(text, max(0, a - 25), a, RELEASE_GIL)
    if number is None:
        return False
    if shift:
        return True
    # a year before the cue is a date, no figure ("Made in China 2025 was launched in 2015"),
    # and a cue after "and" or a comma opens words of its own ("from 179 mln and year-to-date
    # revenue miles dropped")
    return (
        _YEAR.fullmatch(number.group()) is None
        and _JOINED.search(text, number.end(), a, RELEASE_GIL) is None
        and doc.rules.period_baseline_figure.search(
            text, max(0, number.start() - WORD_REACH), number.start(), RELEASE_GIL
        )
        is not None
    )


def _shifted(doc: Doc, m: Match, anchor: str | None) -> str | None:
    groups = _groupdict(m)
    unit = str(groups["shiftunit"]).lower()
    step = doc.rules.files.period_words.shifts[str(groups["shiftdir"]).lower()]
    start = anchor or _published_label(doc, unit)
    return shift_label(start, unit, step) if start else None


def _spans(doc: Doc, s: Sentence, cues: list[PeriodCue]) -> list[PeriodCue]:
    """`cues` with each two that make an interval (rules.span_opens before the first,
    rules.span_joins all between them) made one, START/END."""
    merged: list[PeriodCue] = []
    for cue in cues:
        before = merged[-1] if merged else None
        if (
            before is not None
            and before.value
            and cue.value
            and doc.rules.span_joins.fullmatch(doc.text, before.end, cue.start, RELEASE_GIL)
            and doc.rules.span_opens.search(
                doc.text, max(s.start, before.start - 20), before.start, RELEASE_GIL
            )
        ):
            # "between March 1 and March 25": two days of one month are that month
            value = (
                before.value
                if before.value == cue.value
                else f"{_span_start(before.value, cue.value)}/{cue.value}"
            )
            merged[-1] = PeriodCue(before.start, cue.end, value, False)
        else:
            merged.append(cue)
    return merged


def _span_start(start: str, end: str) -> str:
    """A span's first month, in its last month's year where each alone was read as the latest
    month of its name before publication and the first came out after the last ("between March
    and June" on May 15, 1987: March 1987 and June 1986 make 1986-03/1986-06).

    >>> _span_start("1987-03", "1986-06"), _span_start("1986-11", "1987-02")
    ('1986-03', '1986-11')
    """
    if len(start) == len(end) == 7 and start[4] == end[4] == "-" and start > end:
        moved = end[:4] + start[4:]
        return moved if moved <= end else start
    return start


def period(doc: Doc, s: Sentence, claim: Found, next_start: int) -> str | None:
    """The period of a figure, never a baseline's ("compared to the previous year", "since June
    2021"): the cue that owns it ("last year's 5.5 pct"), else the first cue among its own
    words after it ("rose 5% in 2023"), else a cue closing
    its clause after the next figure ("grew 10% to 328 billion yuan last year") unless a baseline
    comes first ("fell to 3.8% from 3.9% in February": February is the 3.9%'s), else the nearest
    cue before it."""
    cues = _periods(doc, s)
    if not cues:
        return None
    if s.period_starts is None:
        s.period_starts = [c.start for c in cues]
    starts, text, rules = s.period_starts, doc.text, doc.rules
    if "(" in s.text and any(c.aside is not None for c in cues):
        # an aside's cue dates no figure outside any aside ("($3.1 trillion GDP in 2021)")
        at = claim.start - s.start
        if not any(x < at < y for x, y in _brackets(s)):
            cues = [c for c in cues if c.aside is None]
            starts = [c.start for c in cues]
            if not cues:
                return None
    j = bisect.bisect_left(starts, claim.start) - 1  # "last year's 5.5 pct and ... in 1985"
    if j >= 0 and rules.period_owned.fullmatch(text, cues[j].end, claim.start, RELEASE_GIL):
        return cues[j].value
    limit = min(next_start, claim.end + 100)
    i = bisect.bisect_left(starts, claim.end)
    found = _first_cue(cues, i, limit)
    # where the figure's own words stop is searched only where a cue may be among them
    if found is not None:
        if cut := rules.period_within.search(text, claim.end, limit, RELEASE_GIL):
            found = _first_cue(cues, i, cut.start())
        if found is not None:
            return found.value
    # a baseline figure ("from more than 1.8% of GDP ... to 0.6% now") is not dated by what
    # closes the clause: that is the level's period (asked only where a figure follows, and a
    # cue that is no baseline after it)
    k = bisect.bisect_left(starts, next_start)
    if (
        next_start < s.end
        and _first_cue(cues, k, s.end) is not None
        and not _is_baseline(doc, claim)
    ):
        stop = rules.period_clause.search(text, claim.end, s.end, RELEASE_GIL)
        clause_end = stop.start() if stop else s.end
        found = _first_cue(cues, k, clause_end)
        if found is not None:
            return found.value
    j = bisect.bisect_left(starts, claim.start) - 1
    start_of_change: bool | None = None  # read once, where a cue before it would date it
    while j >= 0:
        cue = cues[j]
        # a step after another figure dates that one, and a baseline like it ("off 7.7 pct
        # from 9.11 mln a year ago, ... up 28.1 pct from 3.09 mln"), not a level after it
        if (
            cue.end <= claim.start
            and not cue.baseline
            and (not cue.after_figure or _compared(doc, claim))
        ):
            if cue.after_figure:
                return cue.value
            if start_of_change is None:
                start_of_change = _starts_change(doc, s, claim)
            if not start_of_change:
                return cue.value
        j -= 1
    return None


def _starts_change(doc: Doc, s: Sentence, claim: Found) -> bool:
    """Whether the figure is where a change started ([period_reach] change_from: "fell to 84 mln
    dlrs from 97.5 mln"), so that a cue before it dates the level it changed to, not it; not in
    a sentence that revises a figure ("raised its 1987 estimate to 7.50 dlrs from five dlrs").
    A word-set test rules out most sentences before the pattern is searched."""
    rules, words = doc.rules, s.lower_words()
    if _whole_words(s) and rules.period_change_words.isdisjoint(words):
        return False
    return rules.period_revision_words.isdisjoint(words) and any(
        rules.period_change_from.search(doc.text, max(0, at - WORD_REACH), at, RELEASE_GIL)
        is not None
        for at in _figure_starts(claim)
    )


def _figure_starts(claim: Found) -> tuple[int, ...]:
    """Where the figure starts, and where its digits do when its quote opens with words: a
    quote may hold the "from" that makes it a change's start ("a drop in inflation from 25 pct
    to 16.9" quotes "from 25 pct")."""
    quote = claim.quote
    if not quote[:1].isalpha():
        return (claim.start,)
    digit = _DIGIT.search(quote)
    return (claim.start,) if digit is None else (claim.start, claim.start + digit.start())


def _compared(doc: Doc, claim: Found) -> bool:
    """Whether the figure is what another is compared with: a baseline, or a figure alone in
    brackets after another ("Austria 6,048 (4,104)": the earlier period's)."""
    text = doc.text
    alone = text.startswith("(", claim.start - 1) and text.startswith(")", claim.end)
    return alone or _is_baseline(doc, claim)


def _is_baseline(doc: Doc, claim: Found) -> bool:
    """Whether the figure is a comparison's baseline ("up from 3.9%", "compared with 1.2 mln")."""
    return any(_baseline_before(doc, doc.text, at) for at in _figure_starts(claim))


def _baseline_before(doc: Doc, text: str, at: int) -> bool:
    """Whether the words of `text` just before `at` make what follows a baseline (period_baseline,
    read backwards over the CLAUSE_REACH characters before it, where they hold what every match
    does: _may_be_baseline)."""
    lo = max(0, at - CLAUSE_REACH)
    if not _may_be_baseline(doc.rules, text, lo, at):
        return False
    return doc.call("period_baseline", doc.rules.baseline.match, text, lo, at) is not None


def _may_be_baseline(rules: Rules, text: str, lo: int, hi: int) -> bool:
    """Whether text[lo:hi] may end in a match of period_baseline: in ASCII (where lower-casing
    does what the pattern's case-blind letters do), only if it holds one of the strings every
    match holds ([period_baseline] also) or one of its words whole (also_words): substring tests
    in C, where the pattern's call costs some 35,000 instructions.

    >>> from ledger.rules import default_rules
    >>> rules = default_rules()
    >>> windows = ["rose 5% from ", "4 billion in ", "up 3% on "]
    >>> [_may_be_baseline(rules, t, 0, len(t)) for t in windows]
    [True, False, True]
    """
    window = text[lo:hi]
    if not window.isascii():
        return True
    lower = window.lower()
    for part in rules.baseline_also:  # a loop of `in` tests: no generator built when compiled
        if part in lower:
            return True
    size = len(lower)
    for word in rules.baseline_also_words:
        at = lower.find(word)
        while at >= 0:
            end = at + len(word)
            if (at == 0 or lower[at - 1] not in _ASCII_WORD) and (
                end == size or lower[end] not in _ASCII_WORD
            ):
                return True
            at = lower.find(word, at + 1)
    return False


def _first_cue(cues: list[PeriodCue], i: int, limit: int) -> PeriodCue | None:
    """The first cue from index i that starts before `limit` and is no baseline."""
    while i < len(cues) and cues[i].start < limit:
        if not cues[i].baseline:
            return cues[i]
        i += 1
    return None


def compares(rules: Rules, s: Sentence) -> bool:
    """Whether the sentence holds comparison words ([comparison] in cues.toml); found once per
    sentence, and only for a figure that is not already a comparison by its change or bound."""
    if s.compares is None:
        words = s.lower_words()
        if s.text.isascii() and "&" not in s.text:
            # its words are then the runs the pattern's \b sees: only the phrases need the regex
            s.compares = not words.isdisjoint(rules.comparison_words) or (
                not words.isdisjoint(rules.comparison_triggers)
                and rules.comparison.search(s.text) is not None
            )
        else:
            s.compares = rules.comparison.search(s.text) is not None
    return s.compares
