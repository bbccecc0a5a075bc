"""The reviewer's desk: notes, corrections, rejections, added claims and sign-offs.

One API for the CLI (`ledger correct`, `reject`, `add-claim`, `note`, ...) and the web forms.
Every write is append-only and recorded in `audit` with who, when and what, in the same
transaction as the write itself.

How review survives the extractor:

- The `claims` row always holds the *current* reading (the extractor's, with every correction
  applied), so checks, facets, conflicts, charts and exports read corrected figures without
  knowing about corrections. The extractor's own reading of a corrected claim is kept in
  `extracted_readings`, refreshed whenever its source is re-extracted, and shown beside it.
- Corrections and rejections carry their claim's anchor (source, offsets, quote, sentence). When a
  re-extraction gives the claim another id (the extractor changed its reading), they move to the
  claim now found at the same words; when no claim is there, they are kept, marked orphaned, and
  listed (`ledger corrections --orphaned`), as notes are.
- A claim added by a reviewer is never deleted by an ingest: it is re-anchored on its quote (the
  same occurrence in the new text) or, when the words are gone, retired and kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, get_args
from urllib.parse import urlparse

import sqlite_utils

from ledger.extraction.sentence_fields import source_type
from ledger.models import VERDICTS, Bound, claim_id
from ledger.rules import Rules, default_rules
from ledger.schema import CLAIM_SENTENCE

# The parts of a claim's reading a reviewer may correct; `summary` is the reviewer's short
# wording of the claim (ClaimReview's claimReviewed), which the extractor never gives.
CORRECTABLE = ("value", "value_high", "unit", "bound", "change", "metric", "subject", "period",
               "attribution", "summary")  # fmt: skip
# What `extracted_readings` keeps of the extractor's reading (kind follows the unit, the
# attribution's type its name).
READING = (*CORRECTABLE, "kind", "attribution_type")
BOUNDS: tuple[str, ...] = get_args(Bound)
CHANGES = ("increase", "decrease")
PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$")
ADDED_RULE = "reviewer"  # the `rule` of a claim a reviewer added
SUMMARY_MAX = 75  # Google's guidance for claimReviewed


class ReviewError(ValueError):
    """A review write refused (unknown claim, empty reason, unknown unit...): one-line message."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def reviewer_name(given: str | None) -> str:
    """The reviewer: as given, else $LEDGER_REVIEWER; a write with neither is refused."""
    name = (given or os.environ.get("LEDGER_REVIEWER") or "").strip()
    if not name:
        raise ReviewError("say who you are: --reviewer NAME (or set LEDGER_REVIEWER)")
    return name


def _needs_text(text: str | None, refusal: str) -> str:
    if not text or not text.strip():
        raise ReviewError(refusal)
    return text.strip()


@contextlib.contextmanager
def writing(db: sqlite_utils.Database) -> Iterator[None]:
    """One write transaction (BEGIN IMMEDIATE), or a part of the caller's when one is open."""
    if db.conn.in_transaction:
        yield
        return
    db.execute("begin immediate")
    try:
        yield
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


def record(
    db: sqlite_utils.Database,
    action: str,
    reviewer: str | None,
    claim: str | None,
    detail: Mapping[str, Any],
    at: str | None = None,
) -> None:
    """Add one row to `audit` (inside the write it records)."""
    db.execute(
        "insert into audit (at, reviewer, action, claim_id, detail) values (?, ?, ?, ?, ?)",
        [at or now(), reviewer, action, claim, json.dumps(dict(detail), ensure_ascii=False)],
    )


def claim_row(db: sqlite_utils.Database, claim: str) -> dict[str, Any]:
    """One claim's row (retired ones included), or `ReviewError`."""
    cursor = db.execute(
        f"select claims.*, sentences.text as sentence from claims {CLAIM_SENTENCE}"
        " where claims.id = ?",
        [claim],
    )
    row = cursor.fetchone()
    if row is None:
        raise ReviewError(f"no claim with id {claim!r}")
    return dict(zip([c[0] for c in cursor.description], row, strict=True))


# ---------------------------------------------------------------- what a reading may say


@dataclass(frozen=True)
class Vocabulary:
    """What a corrected reading may name: the rules' metrics and units, and the units already in
    the ledger (a counted noun the extractor found, such as "satellite"), each unit's kind."""

    metrics: frozenset[str]
    units: Mapping[str, str]  # unit -> kind

    @classmethod
    def of(cls, db: sqlite_utils.Database, rules: Rules | None = None) -> Vocabulary:
        files = (rules or default_rules()).files
        units: dict[str, str] = {}
        for unit, kind in db.execute(
            "select unit, min(kind) from claims where unit is not null group by unit"
        ):
            units[unit] = kind
        for unit in db.execute('select distinct unit from "references" where unit is not null'):
            units.setdefault(unit[0], "count")
        units |= {rule.unit: rule.kind for rule in files.unit}
        units |= {rule.unit: rule.kind for rule in files.named}
        units |= {currency.id: "money" for currency in files.currency}
        return cls(frozenset(rule.metric or rule.id for rule in files.metric), units)

    def unit_kind(self, unit: str) -> str:
        if unit not in self.units:
            near = sorted(u for u in self.units if u.casefold() == unit.casefold())
            hint = f" (did you mean {near[0]}?)" if near else " (see `ledger rules`)"
            raise ReviewError(f"unknown unit {unit!r}{hint}")
        return self.units[unit]

    def metric(self, metric: str) -> str:
        if metric not in self.metrics:
            raise ReviewError(
                f"unknown metric {metric!r}; known: {', '.join(sorted(self.metrics))}"
            )
        return metric


def checked_fields(vocabulary: Vocabulary, given: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a correction, validated and typed; an empty string clears a field."""
    fields: dict[str, Any] = {}
    for name, raw in given.items():
        if raw is None:
            continue
        if name not in CORRECTABLE:
            raise ReviewError(f"{name} cannot be corrected; only {', '.join(CORRECTABLE)}")
        text = str(raw).strip()
        fields[name] = _field(vocabulary, name, text) if text else None
    if "value" in fields and fields["value"] is None:
        raise ReviewError("a claim needs a value")
    if "unit" in fields and fields["unit"] is not None:
        fields["kind"] = vocabulary.unit_kind(fields["unit"])
    if "attribution" in fields:
        # a person or an organisation, as the reviewer's name for the source reads
        name = fields["attribution"]
        fields["attribution_type"] = source_type(default_rules(), name) if name else None
    return fields


def _range_in_order(reading: Mapping[str, Any]) -> None:
    """A range runs up from its value, as the extractor reads one ("5 to 10"): a value_high
    below the value is a slip of the reviewer's (5 and 2), refused before it reaches the checks."""
    value, high = reading.get("value"), reading.get("value_high")
    if value is not None and high is not None and high < value:
        raise ReviewError(
            f"value_high {high:g} is below the value {value:g}: a range runs from the value up "
            "to value_high (--value-high '' for none)"
        )


def _field(vocabulary: Vocabulary, name: str, text: str) -> Any:
    """One field's text, checked and typed."""
    if name in ("value", "value_high"):
        try:
            value = float(text.replace(",", ""))
        except ValueError:
            raise ReviewError(f"{name} must be a number, not {text!r}") from None
        if not math.isfinite(value):
            raise ReviewError(f"{name} must be a finite number, not {text!r}")
        return value
    if name == "unit":
        vocabulary.unit_kind(text)
    elif name == "metric":
        vocabulary.metric(text)
    elif name == "bound" and text not in BOUNDS:
        raise ReviewError(f"unknown bound {text!r}; choose one of {', '.join(BOUNDS)}")
    elif name == "change" and text not in CHANGES:
        raise ReviewError(f"unknown change {text!r}; choose increase or decrease (or '' for none)")
    elif name == "period" and not PERIOD.match(text):
        raise ReviewError(f"period must be YYYY, YYYY-MM or YYYY-Qn, not {text!r}")
    elif name == "summary" and len(text) > SUMMARY_MAX:
        raise ReviewError(f"a summary is at most {SUMMARY_MAX} characters ({len(text)} given)")
    return text


# ---------------------------------------------------------------- notes and sign-offs


def add_note(
    db: sqlite_utils.Database,
    claim: str,
    verdict: str | None,
    text: str,
    *,
    evidence_url: str | None = None,
    reviewer: str | None = None,
) -> dict[str, Any]:
    """Append a note; with no verdict it is a comment and leaves the claim's verdict as it was."""
    name = reviewer_name(reviewer)
    if verdict is not None and verdict not in VERDICTS:
        raise ReviewError(f"unknown verdict {verdict!r}; choose one of {', '.join(VERDICTS)}")
    body = _needs_text(text, "a note needs some text")
    if evidence_url:
        parsed = urlparse(evidence_url.strip())
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ReviewError(f"evidence URL must be an http(s) URL, not {evidence_url!r}")
    row = {"claim_id": claim, "verdict": verdict or None, "text": body,
           "evidence_url": (evidence_url or "").strip() or None, "reviewer": name,
           "created_at": now()}  # fmt: skip
    with writing(db):
        claim_row(db, claim)  # under the write lock: an ingest cannot delete it meanwhile
        row["id"] = db.table("notes").insert(row).last_pk
        record(db, "note" if verdict else "comment", name, claim,
               {"note_id": row["id"], "verdict": verdict}, row["created_at"])  # fmt: skip
    return row


def add_group_note(
    db: sqlite_utils.Database,
    claim: str,
    verdict: str | None,
    text: str,
    *,
    evidence_url: str | None = None,
    reviewer: str | None = None,
) -> list[dict[str, Any]]:
    """The same note on every current claim grouped with `claim` (ledger/matching.py), each its
    own note, in one transaction: all are written or none."""
    from ledger.matching import group_of

    with writing(db):
        claim_row(db, claim)
        members = [
            member
            for member in group_of(db, claim)
            if member == claim
            or db.execute(
                "select 1 from claims where id = ? and retired_at is null and rejected_at is null",
                [member],
            ).fetchone()
        ]
        return [
            add_note(db, member, verdict, text, evidence_url=evidence_url, reviewer=reviewer)
            for member in members
        ]


def sign_off(db: sqlite_utils.Database, note_id: int, reviewer: str | None) -> dict[str, Any]:
    """A second reviewer signs off a verdict note (not their own, not a comment)."""
    name = reviewer_name(reviewer)
    with writing(db):
        note = db.execute(
            "select claim_id, verdict, reviewer from notes where id = ?", [note_id]
        ).fetchone()
        if note is None:
            raise ReviewError(f"no note with id {note_id}")
        if note[1] is None:
            raise ReviewError(f"note {note_id} is a comment: only a verdict is signed off")
        if note[2] == name:
            raise ReviewError(f"note {note_id} is {name}'s own: another reviewer signs it off")
        signed = db.execute(
            "select created_at from signoffs where note_id = ? and reviewer = ?", [note_id, name]
        ).fetchone()
        if signed is not None:
            raise ReviewError(f"note {note_id} is already signed off by {name} ({signed[0][:19]})")
        row = {"note_id": note_id, "claim_id": note[0], "reviewer": name, "created_at": now()}
        row["id"] = db.table("signoffs").insert(row).last_pk
        record(db, "sign-off", name, note[0], {"note_id": note_id}, row["created_at"])
    return row


# ---------------------------------------------------------------- corrections


def _anchor(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in ("source_id", "start", "end", "quote", "sentence")}


def correct(
    db: sqlite_utils.Database,
    claim: str,
    given: Mapping[str, Any],
    *,
    reason: str | None,
    reviewer: str | None,
    rules: Rules | None = None,
) -> dict[str, Any]:
    """Append a correction of some of a claim's fields and apply it to the claim's reading."""
    name = reviewer_name(reviewer)
    why = _needs_text(reason, "a reason is required (--reason) and cannot be empty")
    fields = checked_fields(Vocabulary.of(db, rules), given)
    if not fields:
        raise ReviewError("nothing to correct: give at least one field (--unit, --value, ...)")
    with writing(db):
        row = claim_row(db, claim)
        # a field given as it already reads changes nothing: it is left out of the correction
        changed = {key: value for key, value in fields.items()
                   if key != "kind" and row.get(key) != value}  # fmt: skip
        if not changed:
            said = ", ".join(f"{key} {str(value).strip() or '(none)'}"
                             for key, value in given.items() if value is not None)  # fmt: skip
            raise ReviewError(f"nothing to correct: the claim already reads {said}")
        if "unit" in changed:
            changed["kind"] = fields["kind"]
        fields = changed
        _range_in_order({**row, **fields})
        reading = extractor_reading(db, claim) or _snapshot(db, row)
        correction = {
            **_anchor(row), "claim_id": claim, "fields": json.dumps(fields),
            "original": json.dumps({key: reading.get(key) for key in fields}),
            "reason": why, "reviewer": name, "created_at": now(),
        }  # fmt: skip
        correction["id"] = db.table("corrections").insert(correction).last_pk
        _apply_corrections(db, claim)
        record(db, "correction", name, claim, {"correction_id": correction["id"], **fields},
               correction["created_at"])  # fmt: skip
    return correction


def extractor_reading(db: sqlite_utils.Database, claim: str) -> dict[str, Any] | None:
    """What the extractor read, for a claim that has been corrected (else None)."""
    found = db.execute("select reading from extracted_readings where claim_id = ?", [claim])
    row = found.fetchone()
    return json.loads(row[0]) if row else None


def _snapshot(db: sqlite_utils.Database, row: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the claim row's reading as the extractor's (it has no correction applied yet)."""
    reading = {key: row.get(key) for key in READING}
    db.execute(
        "insert or replace into extracted_readings (claim_id, reading) values (?, ?)",
        [row["id"], json.dumps(reading)],
    )
    return reading


def _apply_corrections(db: sqlite_utils.Database, claim: str) -> None:
    """Set the claim's reading to the extractor's with every live correction applied in order."""
    reading = extractor_reading(db, claim)
    if reading is None:
        return
    latest = None
    for fields, created_at in db.execute(
        "select fields, created_at from corrections where claim_id = ? and orphaned_at is null"
        " order by created_at, id",
        [claim],
    ).fetchall():
        reading.update(json.loads(fields))
        latest = created_at
    columns = ", ".join(f"[{key}] = ?" for key in READING)
    db.execute(
        f"update claims set {columns}, corrected_at = ? where id = ?",
        [*(reading.get(key) for key in READING), latest, claim],
    )


def corrections(
    db: sqlite_utils.Database, claim: str | None = None, *, orphaned: bool = False
) -> list[dict[str, Any]]:
    """Corrections, oldest first: what each changed, from what, by whom and why."""
    where, params = [], []
    if claim is not None:
        claim_row(db, claim)
        where.append("claim_id = ?")
        params.append(claim)
    if orphaned:
        where.append("orphaned_at is not null")
    sql = "select * from corrections" + (" where " + " and ".join(where) if where else "")
    rows = [dict(row) for row in db.query(sql + " order by created_at, id", params)]
    for row in rows:
        row["fields"], row["original"] = json.loads(row["fields"]), json.loads(row["original"])
    return rows


# ---------------------------------------------------------------- rejections


def reject(
    db: sqlite_utils.Database, claim: str, *, reason: str | None, reviewer: str | None
) -> dict[str, Any]:
    """Mark a claim as not a claim: it leaves the queues, checks and exports (restorable)."""
    return _rejection(db, claim, "reject", reason, reviewer)


def restore(
    db: sqlite_utils.Database, claim: str, *, reason: str | None, reviewer: str | None
) -> dict[str, Any]:
    """Undo a rejection: the claim is back in the queues, checks and exports."""
    return _rejection(db, claim, "restore", reason, reviewer)


def _rejection(
    db: sqlite_utils.Database, claim: str, action: str, reason: str | None, reviewer: str | None
) -> dict[str, Any]:
    name = reviewer_name(reviewer)
    why = _needs_text(reason, "a reason is required (--reason) and cannot be empty")
    with writing(db):
        row = claim_row(db, claim)
        if bool(row.get("rejected_at")) == (action == "reject"):
            state = "already rejected" if action == "reject" else "not rejected"
            raise ReviewError(f"claim {claim} is {state}")
        entry = {**_anchor(row), "claim_id": claim, "action": action, "rule": row["rule"],
                 "reason": why, "reviewer": name, "created_at": now()}  # fmt: skip
        entry["id"] = db.table("rejections").insert(entry).last_pk
        rejected_at = entry["created_at"] if action == "reject" else None
        db.execute("update claims set rejected_at = ? where id = ?", [rejected_at, claim])
        record(db, action, name, claim, {"rejection_id": entry["id"], "reason": why},
               entry["created_at"])  # fmt: skip
    return entry


def rejections_by_rule(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The extractor rules whose claims reviewers reject, most rejected first, with the share of
    that rule's claims rejected: what to fix in ledger/rules/ next."""
    return [
        dict(row)
        for row in db.query(
            """
            select rule, sum(rejected_at is not null) as rejected, count(*) as claims,
                   round(100.0 * sum(rejected_at is not null) / count(*), 1) as rejected_pct,
                   (select group_concat(reason, ' | ') from (
                       select reason from rejections where rejections.rule = claims.rule
                       and action = 'reject' order by created_at desc limit 3)) as reasons
            from claims where retired_at is null
            group by rule having rejected > 0
            order by rejected desc, rejected_pct desc, rule
            """
        )
    ]


# ---------------------------------------------------------------- claims a reviewer adds


def _occurrences(text: str, quote: str) -> list[int]:
    """Where `quote` starts in `text`, every time.

    >>> _occurrences("5% and 5% and 5%", "5%")
    [0, 7, 14]
    """
    found, at = [], text.find(quote)
    while at >= 0:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def locate(text: str, quote: str, occurrence: int | None, source: str) -> int:
    """The offset of the quote's `occurrence`-th appearance (1 = first) in a source's text."""
    if not quote.strip():
        raise ReviewError("a quote is required and cannot be empty")
    found = _occurrences(text, quote)
    if not found:
        raise ReviewError(f"the quote {quote!r} is not in source {source}")
    if occurrence is None:
        if len(found) > 1:
            raise ReviewError(
                f"the quote {quote!r} appears {len(found)} times in {source}; "
                "say which with --occurrence N"
            )
        return found[0]
    if not 1 <= occurrence <= len(found):
        raise ReviewError(f"the quote appears {len(found)} time(s) in {source}, not {occurrence}")
    return found[occurrence - 1]


def _reading_of_span(text: str, start: int, end: int, published: date | None) -> dict[str, Any]:
    """What the extractor reads at `start`..`end`: its claim that overlaps the span most, read in
    the whole source; else the figure in the quote alone; else nothing."""
    from ledger.extraction import extract

    def overlap(found: Any) -> int:
        return min(end, found.end) - max(start, found.start)

    near = [found for found in extract(text, published=published) if overlap(found) > 0]
    if near:
        best = max(near, key=overlap)
        keys = (*(key for key in READING if key != "summary"), "checkworthiness")
        return {key: getattr(best, key) for key in keys}
    alone = extract(text[start:end])
    if alone:
        keys = ("value", "value_high", "unit", "bound", "change", "kind")
        return {key: getattr(alone[0], key) for key in keys}
    return {}


def read_selection(db: sqlite_utils.Database, source: str, quote: str, at: int) -> dict[str, Any]:
    """What `add_claim` would fill in for the words `quote` at offset `at` of a source (the
    browser shows it before the reviewer saves); `ReviewError` when the words are not there."""
    found = db.execute("select text, published from sources where id = ?", [source]).fetchone()
    if found is None:
        raise ReviewError(f"no source with id {source!r}")
    text, published = found
    if not quote.strip() or text[at : at + len(quote)] != quote:
        raise ReviewError(f"the quote {quote!r} is not in source {source} at {at}")
    when = date.fromisoformat(published) if published else None
    return _reading_of_span(text, at, at + len(quote), when)


def add_claim(
    db: sqlite_utils.Database,
    source: str,
    quote: str,
    *,
    occurrence: int | None = None,
    at: int | None = None,
    given: Mapping[str, Any] | None = None,
    reviewer: str | None = None,
    rules: Rules | None = None,
) -> dict[str, Any]:
    """Add a claim the extractor missed, at the `occurrence`-th appearance of `quote` in the
    source (or the one starting at offset `at`, as a selection in the browser gives it). Fields
    not given are read by the extractor on that span."""
    name = reviewer_name(reviewer)
    vocabulary = Vocabulary.of(db, rules)
    fields = checked_fields(vocabulary, given or {})
    found = db.execute("select text, published from sources where id = ?", [source]).fetchone()
    if found is None:
        raise ReviewError(f"no source with id {source!r}")
    text, published = found
    if at is not None:
        starts = _occurrences(text, quote) if quote.strip() else []
        if at not in starts:
            raise ReviewError(f"the quote {quote!r} is not in source {source} at {at}")
        occurrence = starts.index(at) + 1
    start = locate(text, quote, occurrence, source)
    end = start + len(quote)
    read = _reading_of_span(text, start, end, date.fromisoformat(published) if published else None)
    reading = {"metric": "other", "bound": "exact", "kind": "count", **read, **fields}
    if reading.get("value") is None:
        raise ReviewError(f"no figure found in {quote!r}: give it with --value (and --unit)")
    if "unit" in fields and "kind" not in fields and reading["unit"] is not None:
        reading["kind"] = vocabulary.unit_kind(reading["unit"])
    _range_in_order(reading)
    return _insert_added(db, source, text, start, end, occurrence, reading, name)


def _added_id(source: str, quote: str, occurrence: int) -> str:
    """An added claim's id: the same source, words and occurrence give the same id."""
    digest = hashlib.sha256(f"added\x1f{quote}\x1f{occurrence}".encode()).hexdigest()[:16]
    return claim_id(source, digest)


def _store_sentence(db: sqlite_utils.Database, source: str, start: int, text: str) -> None:
    """An added claim's sentence, in `sentences` unless the extractor's is already there."""
    db.execute(
        "insert or ignore into sentences (source_id, start, text) values (?, ?, ?)",
        [source, start, text],
    )


def _sentence_at(text: str, start: int, end: int) -> tuple[int, str]:
    from ledger.sentences import Sentences

    begin, finish = Sentences(text).around(start)
    begin, finish = min(begin, start), max(finish, end)
    return begin, text[begin:finish]


def _insert_added(
    db: sqlite_utils.Database,
    source: str,
    text: str,
    start: int,
    end: int,
    occurrence: int | None,
    reading: dict[str, Any],
    name: str,
) -> dict[str, Any]:
    quote = text[start:end]
    nth = occurrence or 1
    sentence_start, sentence = _sentence_at(text, start, end)
    added_at = now()
    row = {
        "id": _added_id(source, quote, nth), "source_id": source, "fingerprint": None,
        "start": start, "end": end, "quote": quote, "sentence": sentence,
        "sentence_start": sentence_start, "rule": ADDED_RULE,
        "checkworthiness": reading.pop("checkworthiness", 1.0), "related": "[]",
        "first_seen": added_at, "last_seen": added_at, "added_by": name, "occurrence": nth,
        **{key: reading.get(key) for key in READING if key != "summary"},
        "summary": reading.get("summary"),
    }  # fmt: skip
    with writing(db):
        if db.execute("select 1 from claims where id = ?", [row["id"]]).fetchone():
            raise ReviewError(f"that claim is already in the ledger: {row['id']}")
        clash = db.execute(
            "select id from claims where source_id = ? and start = ? and [end] = ?"
            " and retired_at is null",
            [source, start, end],
        ).fetchone()
        if clash:
            raise ReviewError(f"the extractor already has a claim at those words: {clash[0]}")
        db.table("claims").insert({k: v for k, v in row.items() if k != "sentence"})
        _store_sentence(db, source, sentence_start, sentence)
        _snapshot(db, row)
        record(db, "add-claim", name, row["id"],
               {"source_id": source, "quote": quote, "occurrence": nth}, added_at)  # fmt: skip
    return row


# ---------------------------------------------------------------- after an ingest


def reconcile(db: sqlite_utils.Database, sources: Iterable[str]) -> None:
    """Bring review in line with freshly extracted sources (inside the ingest's transaction):
    move corrections and rejections to the claim at the same words, or orphan them; re-apply
    corrections to the new reading; re-anchor added claims."""
    ids = sorted(set(sources))
    if not ids or not _has_review(db, ids):
        return
    stamp = now()
    for source in ids:
        live = _live_claims(db, source)
        for table in ("corrections", "rejections"):
            _follow(db, table, source, live, stamp)
        for (claim,) in db.execute(
            "select distinct claims.id from corrections join claims"
            " on claims.id = corrections.claim_id where corrections.source_id = ?"
            " and corrections.orphaned_at is null and claims.added_by is null",
            [source],
        ).fetchall():
            _snapshot(db, claim_row(db, claim))  # the re-extraction's reading
            _apply_corrections(db, claim)
        _reject_followed(db, source)
        _reanchor_added(db, source, stamp)


def _has_review(db: sqlite_utils.Database, sources: list[str]) -> bool:
    marks = ", ".join("?" for _ in sources)
    return bool(
        db.execute(
            f"select exists(select 1 from corrections where source_id in ({marks}))"
            f" or exists(select 1 from rejections where source_id in ({marks}))"
            f" or exists(select 1 from claims where added_by is not null"
            f" and source_id in ({marks}))",
            sources * 3,
        ).fetchone()[0]
    )


def _live_claims(db: sqlite_utils.Database, source: str) -> list[dict[str, Any]]:
    cursor = db.execute(
        f"select claims.id, claims.start, claims.[end], claims.quote, sentences.text"
        f" from claims {CLAIM_SENTENCE} where claims.source_id = ? and claims.retired_at is null",
        [source],
    )
    return [dict(zip(("id", "start", "end", "quote", "sentence"), r, strict=True)) for r in cursor]


def same_words(anchor: Mapping[str, Any], live: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The live claim at the anchor's words: its own id; else the same quote at the same offsets;
    else the same quote in the same sentence (the text moved around it).

    >>> live = [{"id": "b", "start": 9, "end": 11, "quote": "5%", "sentence": "Up 5%."}]
    >>> same_words({"claim_id": "a", "start": 3, "end": 5, "quote": "5%",
    ...             "sentence": "Up  5%."}, live)["id"]
    'b'
    """
    for claim in live:
        if claim["id"] == anchor["claim_id"]:
            return claim
    for claim in live:
        if (claim["start"], claim["end"], claim["quote"]) == (
            anchor["start"], anchor["end"], anchor["quote"]):  # fmt: skip
            return claim
    words = " ".join((anchor["sentence"] or "").split())
    in_sentence = [
        claim
        for claim in live
        if claim["quote"] == anchor["quote"]
        and " ".join((claim["sentence"] or "").split()) == words
    ]
    return min(in_sentence, key=lambda c: abs(c["start"] - anchor["start"]), default=None)


def _follow(
    db: sqlite_utils.Database, table: str, source: str, live: list[dict[str, Any]], stamp: str
) -> None:
    """Move a table's live rows of one source to the claim at their words, or orphan them."""
    anchors = db.execute(
        f"select distinct claim_id, start, [end], quote, sentence from {table}"
        " where source_id = ? and orphaned_at is null",
        [source],
    ).fetchall()
    for claim, start, end, quote, sentence in anchors:
        anchor = {"claim_id": claim, "start": start, "end": end, "quote": quote,
                  "sentence": sentence}  # fmt: skip
        found = same_words(anchor, live)
        if found is None:
            db.execute(
                f"update {table} set orphaned_at = ? where claim_id = ? and orphaned_at is null",
                [stamp, claim],
            )
            record(db, "orphaned", None, claim, {"table": table}, stamp)
            continue
        db.execute(
            f"update {table} set claim_id = ?, start = ?, [end] = ?, sentence = ?"
            " where claim_id = ? and orphaned_at is null",
            [found["id"], found["start"], found["end"], found["sentence"], claim],
        )
        if found["id"] != claim:
            record(db, "moved", None, found["id"], {"table": table, "from": claim}, stamp)


def _reject_followed(db: sqlite_utils.Database, source: str) -> None:
    """Each claim whose latest live rejection says reject is rejected (moved ones included)."""
    db.execute(
        """
        update claims set rejected_at = (
            select case when action = 'reject' then created_at end from rejections
            where rejections.claim_id = claims.id and orphaned_at is null
            order by created_at desc, id desc limit 1)
        where source_id = ? and id in (select claim_id from rejections where source_id = ?)
        """,
        [source, source],
    )


def _reanchor_added(db: sqlite_utils.Database, source: str, stamp: str) -> None:
    """Put each added claim of a re-extracted source back on its words, or retire it."""
    (text,) = db.execute("select text from sources where id = ?", [source]).fetchone()
    added = db.execute(
        "select id, quote, occurrence, start from claims"
        " where source_id = ? and added_by is not null",
        [source],
    ).fetchall()
    for claim, quote, occurrence, old_start in added:
        found = _occurrences(text, quote)
        if len(found) < (occurrence or 1):
            db.execute(
                "update claims set retired_at = coalesce(retired_at, ?) where id = ?",
                [stamp, claim],
            )
            record(db, "orphaned", None, claim, {"table": "claims", "quote": quote}, stamp)
            continue
        start = found[(occurrence or 1) - 1]
        sentence_start, sentence = _sentence_at(text, start, start + len(quote))
        db.execute(
            "update claims set start = ?, [end] = ?, sentence_start = ?,"
            " retired_at = null, last_seen = ? where id = ?",
            [start, start + len(quote), sentence_start, stamp, claim],
        )
        _store_sentence(db, source, sentence_start, sentence)
        if start != old_start:
            record(db, "moved", None, claim, {"table": "claims", "from_start": old_start}, stamp)


def audit(db: sqlite_utils.Database, claim: str | None = None) -> list[dict[str, Any]]:
    """Every review write, oldest first (one claim's, or all); an unknown claim is an error."""
    sql, params = "select * from audit", []
    if claim is not None:
        claim_row(db, claim)
        sql, params = sql + " where claim_id = ?", [claim]
    rows = [dict(row) for row in db.query(sql + " order by at, id", params)]
    for row in rows:
        row["detail"] = json.loads(row["detail"] or "{}")
    return rows
