"""What the claim, source and chart pages show, read from a ledger database (async, read-only).

Each function takes a Datasette `Database` and returns plain dicts plus `Markup` built from
escaped pieces; the templates only lay them out.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pycountry
from markupsafe import Markup

from ledger.describe import claim_words, number_in_words, with_unit
from ledger.models import VERDICTS
from ledger.refdata.base import licence_terms
from ledger.refdata.lookup import (
    CHART_FREQUENCIES,
    ChartSeries,
    chart_series,
    databases_beside,
    series_subjects,
)
from ledger.refdata.store import list_datasets
from ledger.rules import default_rules
from ledger.subjects import subject_codes
from ledger.web.chart import Figure, chart_figures, official_figures, svg_chart
from ledger.web.render import Span, highlight, safe_url

# The shapes of a period a claim may have: a year, a quarter, a month, a day.
PERIOD_SHAPE = re.compile(r"\d{4}(?:-Q(?P<quarter>[1-4])|-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?")

# A chart draws at most this many claims (the most check-worthy) so a metric with thousands of
# claims in a big ledger still gives a page that loads.
CHART_LIMIT = 400

# A claim page lists at most this many other claims about the same thing (a big ledger can hold
# hundreds for one metric with no subject or period); the rest are one click away.
SAME_LIMIT = 50

LEDGER_TABLES = {"sources", "claims", "notes"}

RowUrl = Callable[[str, str], str]  # (table, primary key) -> URL of the row page


async def is_ledger(db: Any) -> bool:
    """True when the database has the ledger's tables (the plugin leaves other databases be)."""
    return set(await db.table_names()) >= LEDGER_TABLES


async def _rows(db: Any, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    result = await db.execute(sql, params or {})
    return [dict(row) for row in result.rows]


def _json_list(text: str | None) -> bool:
    """True when text is a JSON list (claims.related), so json_each can read it.

    >>> _json_list('["c-1"]'), _json_list("c-1"), _json_list(None)
    (True, False, False)
    """
    try:
        return isinstance(json.loads(text or ""), list)
    except ValueError:
        return False


async def claim_page(db: Any, claim_id: str, row_url: RowUrl) -> dict[str, Any] | None:
    """Everything a fact-checker needs beside one claim; None if there is no such claim."""
    found = await _rows(
        db,
        """
        select claims.*, sentences.text as sentence, sources.title as source_title,
               sources.publisher, sources.published, sources.url as source_url,
               substr(sources.text, claims.start + 1, claims.end - claims.start) as at_offsets
        from claims left join sources on sources.id = claims.source_id
        left join sentences on sentences.source_id = claims.source_id
                           and sentences.start = claims.sentence_start
        where claims.id = :id
        """,
        {"id": claim_id},
    )
    if not found:
        return None
    claim = found[0]
    # The quote must be exactly what the source says at the stored offsets; if not, say so
    # rather than highlight something the source does not contain.
    claim["quote_matches_source"] = claim["at_offsets"] == claim["quote"]
    same, more_same = await _same_claims(db, claim, row_url)
    notes = await _rows(
        db,
        """select notes.*, signed.reviewers as signed_off_by, signed.reviewers is not null
                  as signed_off
           from notes left join (
             select note_id, group_concat(reviewer, ', ') as reviewers from signoffs
             where note_id in (select id from notes where claim_id = :id) group by note_id
           ) as signed on signed.note_id = notes.id
           where notes.claim_id = :id order by notes.created_at, notes.id""",
        {"id": claim_id},
    )
    for note in notes:
        note["evidence_url"] = safe_url(note.get("evidence_url"))
    chart = None
    if claim["metric"] and claim["metric"] != "other":
        chart = await metric_chart(db, claim["metric"], claim.get("unit"), row_url)
    return {
        "claim": claim,
        "words": claim_words(claim),
        "sentence_html": sentence_html(claim),
        "source_href": row_url("sources", claim["source_id"]) + "#" + claim_id,
        "source_url": safe_url(claim.get("source_url")),
        "checks": await _checks(db, claim, row_url),
        "outcome": await _outcome(db, claim_id),
        "same": same,
        "conflicts": sum(1 for other in same if other["conflicts"]),
        "elsewhere": await same_claim_elsewhere(db, claim_id, row_url),
        "more_same": more_same,
        "notes": notes,
        # a comment (a note without a verdict) leaves the verdict as it was
        "verdict": next((n["verdict"] for n in reversed(notes) if n["verdict"]), "unverified"),
        "corrections": await _corrections(db, claim_id),
        "rejection": await _rejection(db, claim_id) if claim.get("rejected_at") else None,
        "chart": chart,
    }


def sentence_html(claim: dict[str, Any]) -> Any:
    """The claim's sentence with its quote marked: at its offsets, else where the quote is."""
    offset = claim["start"] - claim["sentence_start"]
    sentence = claim["sentence"] or ""
    if sentence[offset : offset + len(claim["quote"])] != claim["quote"]:
        offset = sentence.find(claim["quote"])
    spans = [Span(offset, offset + len(claim["quote"]), css_class="current")] if offset >= 0 else []
    return highlight(sentence, spans)


async def _checks(db: Any, claim: dict[str, Any], row_url: RowUrl) -> list[dict[str, Any]]:
    """The claim's checks, each with what it was checked against, linked and in words."""
    checks = await _rows(
        db,
        """
        select checks.*,
               "references".title as reference_title, "references".publisher as reference_publisher,
               "references".url as reference_url, "references".period as reference_period,
               "references".value as reference_value, "references".unit as reference_unit,
               other.quote as other_quote, other.source_id as other_source
        from checks
        left join "references"
          on checks.against_type = 'reference' and "references".id = checks.against_id
        left join claims as other
          on checks.against_type = 'claim' and other.id = checks.against_id
        where checks.claim_id = :id
        order by checks.against_type desc, checks.id
        """,
        {"id": claim["id"]},
    )
    for check in checks:
        check["reference_url"] = safe_url(check.get("reference_url"))
        if check.get("other_value") is not None:
            # other_value is already converted into the claim's unit
            check["other_words"] = with_unit(
                number_in_words(check["other_value"]), claim.get("unit"), claim.get("kind") or ""
            )
        if check["against_type"] in ("claim", "reference") and check.get("against_id"):
            table = "claims" if check["against_type"] == "claim" else "references"
            check["against_href"] = row_url(table, check["against_id"])
    return checks


async def _same_claims(
    db: Any, claim: dict[str, Any], row_url: RowUrl
) -> tuple[list[dict[str, Any]], bool]:
    """Up to SAME_LIMIT other claims about the same thing, how far apart; and whether more."""
    same = await _rows(
        db,
        """
        select claims.id, claims.quote, claims.value, claims.value_high, claims.unit,
               claims.kind, claims.bound, claims.change, claims.period, claims.source_id,
               sources.publisher, sources.published
        from claims join sources on sources.id = claims.source_id
        where claims.id != :id and claims.retired_at is null and claims.rejected_at is null
          and (
            (claims.metric = :metric and :metric != 'other'
             and claims.subject is :subject and claims.period is :period
             and claims.unit is :unit and claims.change is :change)
            -- or named by the extractor as about the same thing
            or claims.id in (select value from json_each(:related))
          )
        order by sources.published, claims.source_id, claims.start
        limit :limit
        """,
        {
            "limit": SAME_LIMIT + 1,
            **{key: claim[key] for key in ("id", "metric", "subject", "period", "unit", "change")},
            "related": claim.get("related") if _json_list(claim.get("related")) else "[]",
        },
    )
    conflicting = await _conflicting(db, claim["id"])
    for other in same[:SAME_LIMIT]:
        other["words"] = claim_words(other)
        other["href"] = row_url("claims", other["id"])
        larger = max(abs(other["value"]), abs(claim["value"]))
        comparable = other["unit"] == claim["unit"] and other["change"] == claim["change"]
        other["apart_pct"] = (
            round(100 * abs(other["value"] - claim["value"]) / larger, 1)
            if comparable and larger
            else (0.0 if comparable else None)
        )
        other["conflicts"] = other["id"] in conflicting
    return same[:SAME_LIMIT], len(same) > SAME_LIMIT


async def _corrections(db: Any, claim_id: str) -> list[dict[str, Any]]:
    """The claim's corrections, oldest first, each field with the extractor's reading beside."""
    if "corrections" not in await db.table_names():
        return []
    found = await _rows(
        db,
        "select * from corrections where claim_id = :id order by created_at, id",
        {"id": claim_id},
    )
    for row in found:
        fields, original = json.loads(row["fields"]), json.loads(row["original"])
        row["changes"] = [
            {"field": key, "was": original.get(key), "now": value}
            for key, value in fields.items()
            if key != "kind"
        ]
    return found


async def _rejection(db: Any, claim_id: str) -> dict[str, Any] | None:
    """Who rejected the claim as not a claim, when and why (the latest rejection)."""
    found = await _rows(
        db,
        """select reason, reviewer, created_at from rejections
           where claim_id = :id and action = 'reject' order by created_at desc, id desc limit 1""",
        {"id": claim_id},
    )
    return found[0] if found else None


def claimreview_markup(
    page: dict[str, Any], site_url: str, organisation: Any, signed_off_only: bool
) -> Markup | None:
    """The claim page's own ClaimReview JSON-LD (as `ledger export --format claimreview` writes
    it), escaped for a <script> element; None while the claim has no published verdict."""
    from ledger.escaping import json_text
    from ledger.export import RATINGS, claim_review

    latest = next((note for note in reversed(page["notes"]) if note["verdict"]), None)
    if latest is None or latest["verdict"] not in RATINGS:
        return None
    if signed_off_only and not latest.get("signed_off"):
        return None
    claim = page["claim"]
    row = {
        **claim, "verdict": latest["verdict"], "verdict_at": latest["created_at"],
        "verdict_reviewer": latest["reviewer"], "verdict_text": latest["text"],
        "source_publisher": claim.get("publisher"), "source_published": claim.get("published"),
    }  # fmt: skip
    review = claim_review(row, site_url=site_url, organisation=organisation)
    return Markup(json_text(json.dumps(review, ensure_ascii=False), html=True))


async def _conflicting(db: Any, claim_id: str) -> set[str]:
    """The claims `ledger check` found in conflict with this one, by the one definition
    (ledger/conflicts.py), whichever way round the check row was written."""
    rows = await _rows(
        db,
        """
        select against_id as other from checks where claim_id = :id
          and against_type = 'claim' and outcome = 'inconsistent'
        union
        select claim_id from checks where against_id = :id
          and against_type = 'claim' and outcome = 'inconsistent'
        """,
        {"id": claim_id},
    )
    return {row["other"] for row in rows}


async def same_claim_elsewhere(db: Any, claim_id: str, row_url: RowUrl) -> list[dict[str, Any]]:
    """The other current claims grouped with this one as the same claim (ledger/matching.py)."""
    if "claim_groups" not in await db.table_names():
        return []
    found = await _rows(
        db,
        """
        select claims.id, claims.quote, claims.value, claims.value_high, claims.unit,
               claims.kind, claims.bound, claims.change, claims.period, claims.source_id,
               sources.publisher, sources.published
        from claim_groups as mine
        join claim_groups as theirs on theirs.group_id = mine.group_id
        join claims on claims.id = theirs.claim_id
        join sources on sources.id = claims.source_id
        where mine.claim_id = :id and claims.id != :id
          and claims.retired_at is null and claims.rejected_at is null
        order by sources.published, claims.source_id, claims.start
        limit :limit
        """,
        {"id": claim_id, "limit": SAME_LIMIT},
    )
    for other in found:
        other["words"] = claim_words(other)
        other["href"] = row_url("claims", other["id"])
    return found


async def _outcome(db: Any, claim_id: str) -> dict[str, Any] | None:
    """The claim's summed-up check outcome, when the ledger has the view for it."""
    if "check_outcomes" not in await db.view_names():
        return None
    found = await _rows(db, "select * from check_outcomes where claim_id = :id", {"id": claim_id})
    return found[0] if found else None


# What the source page colours a claim by (claim_status.state), in the legend's order, and what
# each means. A corrected claim shows as corrected whatever its verdict.
STATES = {
    "unverified": "no verdict yet",
    **{verdict: "the latest verdict" for verdict in VERDICTS},
    "corrected": "a reviewer corrected the extractor's reading",
    "rejected": "not a claim (a reviewer rejected it)",
}


async def source_page(db: Any, source_id: str, row_url: RowUrl) -> dict[str, Any] | None:
    """A source's full text with every current claim highlighted by its state, linked and
    anchored; rejected claims stay, marked rejected."""
    found = await _rows(db, "select * from sources where id = :id", {"id": source_id})
    if not found:
        return None
    source = found[0]
    text = source["text"] or ""
    claims = await _rows(
        db,
        """
        select claims.id, claims.start, claims."end", claims.quote, claims.value,
               claims.value_high, claims.unit, claims.kind, claims.bound, claims.change,
               claims.basis, claims.period, claims.metric, claims.added_by, claim_status.state
        from claims join claim_status on claim_status.claim_id = claims.id
        where claims.source_id = :id and claims.retired_at is null
        order by claims.start, claims."end"
        """,
        {"id": source_id},
    )
    spans, misplaced = [], []
    for claim in claims:
        claim["words"] = claim_words(claim)
        claim["href"] = row_url("claims", claim["id"])
        if text[claim["start"] : claim["end"]] == claim["quote"]:
            title = f"{claim['words']} ({claim['state']})"
            spans.append(
                Span(
                    claim["start"],
                    claim["end"],
                    claim["href"],
                    title,
                    claim["id"],
                    css_class=f"state-{claim['state']}",
                )  # fmt: skip
            )
        else:
            misplaced.append(claim)
    counts = Counter(claim["state"] for claim in claims)
    return {
        "source": source,
        "source_url": safe_url(source.get("url")),
        "text_html": highlight(text, spans),
        "claims": claims,
        "misplaced": misplaced,
        "legend": [
            {"state": state, "meaning": meaning, "count": counts[state]}
            for state, meaning in STATES.items()
        ],
    }


async def metric_chart(
    db: Any, metric: str, unit: str | None, row_url: RowUrl, subject: str | None = None
) -> dict[str, Any]:
    """One metric's claims and reference values in one unit, as an SVG chart and its rows.

    With no unit given, the unit most claims of the metric use is drawn. With a `subject` (a
    code, as the checks read it: GBR, EMU), only claims about it are drawn, with the official
    series of the metric for it as a line (from the reference databases beside the ledger).
    """
    units = await _units_of(db, metric)
    if unit is None and units:
        unit = units[0]["unit"]
    claims, total = await _claims_drawn(db, metric, unit, subject)
    references = await _rows(
        db,
        """select * from "references" where metric = :metric and unit is :unit
           order by period""",
        {"metric": metric, "unit": unit},
    )
    figures: list[Figure] = chart_figures(
        claims, references, claim_href=lambda claim_id: row_url("claims", claim_id)
    )
    undated = len(claims) + len(references) - len(figures)
    series: ChartSeries | None = None
    if subject and db.path:
        preferred = _frequencies([row["period"] for row in claims])
        series = chart_series(db.path, indicators_of(metric), subject, unit, preferred)
    if series:
        figures += official_figures(series.values, series.citation)
    return {
        "metric": metric,
        "unit": unit,
        "units": units,
        "svg": svg_chart(figures, title=metric, unit=unit),
        "claims": claims,
        "references": references,
        "subject": subject,
        "series": series,
        "undated": undated,
        "left_out": total - len(claims),
    }


async def _units_of(db: Any, metric: str) -> list[dict[str, Any]]:
    """The units a metric's current claims and references are in, the most used first."""
    return await _rows(
        db,
        """
        select unit, count(*) as n from (
            select unit from claims
            where metric = :metric and retired_at is null and rejected_at is null
            union all
            select unit from "references" where metric = :metric
        ) group by unit order by n desc, unit
        """,
        {"metric": metric},
    )


async def _claims_drawn(
    db: Any, metric: str, unit: str | None, subject: str | None
) -> tuple[list[dict[str, Any]], int]:
    """The current claims of the metric in the unit (about `subject`, when given) a chart
    draws, the CHART_LIMIT most check-worthy in time order; and how many there are in all."""
    drawn = """
        from claims join sources on sources.id = claims.source_id
        left join check_outcomes on check_outcomes.claim_id = claims.id
        where claims.metric = :metric and claims.unit is :unit and claims.retired_at is null
          and claims.rejected_at is null
          and (:subject is null or check_outcomes.subject_code = :subject
               or (check_outcomes.subject_code is null
                   and claims.subject in (select value from json_each(:names))))
    """
    chosen = {
        "metric": metric, "unit": unit, "limit": CHART_LIMIT, "subject": subject,
        "names": json.dumps(subject_names_of(subject)) if subject else "[]",
    }  # fmt: skip
    claims = await _rows(
        db,
        f"""
        select claims.id, claims.quote, claims.value, claims.value_high, claims.period,
               claims.source_id, sources.publisher, sources.published
        {drawn}
        order by claims.checkworthiness desc, claims.id
        limit :limit
        """,
        chosen,
    )
    claims.sort(key=lambda row: (row["period"] or "", row["published"] or ""))
    total = len(claims)
    if total == CHART_LIMIT:  # cut: how many the chosen metric, unit and subject have
        total = (await _rows(db, f"select count(*) as n {drawn}", chosen))[0]["n"]
    return claims, total


def official_datasets(ledger_path: str) -> list[dict[str, Any]]:
    """Each reference database beside the ledger (the pack, the imported one) with its
    datasets' provenance, licence and the attribution to give; read only, never built here."""
    found = []
    for path in databases_beside(ledger_path):
        datasets: list[dict[str, Any]] = list_datasets(path)
        for dataset in datasets:
            dataset["url"] = safe_url(dataset["url"])
            dataset["terms"] = licence_terms(dataset["licence"])
            dataset["attribution"] = attribution(dataset)
        found.append({"file": path.name, "database": path.stem, "datasets": datasets})
    return found


def attribution(dataset: dict[str, Any]) -> str:
    """How to credit a dataset: publisher, title, vintage and licence.

    >>> attribution({"publisher": "World Bank", "title": "World Development Indicators",
    ...              "vintage": "2026-07-01", "licence": "CC-BY-4.0"})
    'World Bank, World Development Indicators (2026-07-01), CC-BY-4.0'
    >>> attribution({"publisher": "IMF", "title": "WEO (2019-04)", "vintage": "2019-04",
    ...              "licence": None})
    'IMF, WEO (2019-04), no licence stated'
    """
    vintage = dataset.get("vintage") or ""
    vintage = f" ({vintage})" if vintage and vintage not in dataset["title"] else ""
    licence = dataset.get("licence") or "no licence stated"
    return f"{dataset['publisher']}, {dataset['title']}{vintage}, {licence}"


def indicators_of(metric: str) -> list[str]:
    """The official indicators that measure a metric (ledger/rules/metrics.toml)."""
    definitions = {d.id: d for d in default_rules().files.definition}
    definition = definitions.get(metric)
    return list(definition.indicators) if definition else []


async def chart_subjects(db: Any, metric: str) -> list[dict[str, Any]]:
    """The subjects the chart of a metric can be drawn for: first the codes the checks gave its
    claims, most claimed first, then those only the official series beside the ledger cover
    (n = 0 claims), each with its name."""
    found = await _rows(
        db,
        """select check_outcomes.subject_code as code, claims.subject, count(*) as n
           from claims left join check_outcomes on check_outcomes.claim_id = claims.id
           where claims.metric = :metric and claims.retired_at is null
             and claims.rejected_at is null
           group by code, claims.subject""",
        {"metric": metric},
    )
    # a claim no official check read keeps its subject's name: its code is the rule data's
    codes = subject_codes(default_rules().files)
    counts: Counter[str] = Counter()
    for row in found:
        known = codes.get(row["subject"] or "")
        code = row["code"] or (known.code if known else None)
        if code:
            counts[code] += row["n"]
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    claimed: list[dict[str, Any]] = [{"code": code, "n": n} for code, n in ranked]
    seen = set(counts)
    official = series_subjects(db.path, indicators_of(metric)) if db.path else []
    subjects = claimed + [{"code": code, "n": 0} for code in official if code not in seen]
    names = subject_names()
    for row in subjects:
        row["name"] = names.get(row["code"], "")
    return subjects


def _frequencies(periods: list[str | None]) -> tuple[str, ...]:
    """The official frequencies to draw, the claims' own first (most claims' first), then the
    rest coarsest first.

    >>> _frequencies(["2004-08", "2005-01", "2004", None])
    ('M', 'A', 'Q', 'W', 'E', 'D')
    >>> _frequencies([])
    ('A', 'Q', 'M', 'W', 'E', 'D')
    """
    counted = Counter(_frequency_of(period) for period in periods)
    counted.pop(None, None)
    claimed = [frequency for frequency, _ in counted.most_common() if frequency]
    return tuple(claimed + [f for f in CHART_FREQUENCIES if f not in claimed])


def _frequency_of(period: str | None) -> str | None:
    """
    >>> [_frequency_of(p) for p in ("2004", "2004-Q3", "2004-08", "2004-08-05", "2004-H1")]
    ['A', 'Q', 'M', 'D', None]
    """
    match = PERIOD_SHAPE.fullmatch(period or "")
    if match is None:
        return None
    if match["day"]:
        return "D"
    return "M" if match["month"] else "Q" if match["quarter"] else "A"


def subject_names_of(code: str) -> list[str]:
    """The subjects (as claims name them) whose code is `code`.

    >>> "China" in subject_names_of("CHN"), "euro area" in subject_names_of("EMU")
    (True, True)
    """
    return [
        name for name, known in subject_codes(default_rules().files).items() if known.code == code
    ]


@functools.cache
def subject_names() -> dict[str, str]:
    """Each subject code's name, for the chart's choice of subject: the ISO name, or the
    rule data's for aggregates (EMU: euro area).

    >>> names = subject_names()
    >>> names["CHN"], names["EMU"], names["GBR"]
    ('China', 'euro area', 'United Kingdom')
    """
    names: dict[str, str] = {}
    for rule in default_rules().files.subject:
        if rule.code and rule.kind == "aggregate":
            names.setdefault(rule.code, rule.id)
    for country in pycountry.countries:
        names.setdefault(country.alpha_3, getattr(country, "common_name", None) or country.name)
    return names


async def metrics(db: Any) -> list[dict[str, Any]]:
    """The metrics claims are about, most claimed first ('other' left out)."""
    return await _rows(
        db,
        """select metric, count(*) as n from claims
           where retired_at is null and rejected_at is null and metric != 'other'
           group by metric order by n desc, metric""",
    )
