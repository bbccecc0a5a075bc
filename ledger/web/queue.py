"""The review queue: the claims no reviewer has given a verdict yet, most check-worthy first, with
one-click filters (check outcome, metric, source, said elsewhere), for the whole ledger or one
source. `/-/ledger/queue/<database>` shows it whole; the database page and each source page show
its head, so a reviewer knows where to start.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from datasette.database import QueryInterrupted

from ledger.describe import claim_words
from ledger.schema import CLAIM_SENTENCE
from ledger.web.pages import RowUrl, sentence_html

PAGE_SIZE = 50
# Filter counts are a courtesy: on a very large ledger they give up after this long (ms) and the
# filters are offered without their counts.
COUNT_TIME_LIMIT_MS = 400
FACET_SIZE = 12
# Check outcomes in the order a reviewer would take them: a figure the checks dispute first.
OUTCOME_ORDER = ("inconsistent", "ambiguous", "revised", "consistent", "no-reference",
                 "unchecked", "forecast")  # fmt: skip


@dataclass(frozen=True)
class QueueFilters:
    """What the queue is narrowed to; every field empty is the whole queue."""

    source: str = ""
    metric: str = ""
    outcome: str = ""
    repeated: str = ""  # "1": only claims said elsewhere too (a verdict here covers them all)
    page: int = 1

    @classmethod
    def of(cls, args: Any) -> QueueFilters:
        page = args.get("page") or "1"
        return cls(
            source=args.get("source") or "",
            metric=args.get("metric") or "",
            outcome=args.get("outcome") or "",
            repeated="1" if args.get("repeated") == "1" else "",
            page=max(1, int(page)) if page.isdigit() else 1,
        )

    def query(self, **changes: Any) -> str:
        """This queue's URL query with `changes` (an empty value drops a filter), page 1 unless
        a page is given."""
        changed = replace(self, **{"page": 1, **changes})
        pairs = {key: getattr(changed, key) for key in ("source", "metric", "outcome", "repeated")}
        if changed.page > 1:
            pairs["page"] = str(changed.page)
        return urlencode({key: value for key, value in pairs.items() if value})


OUTCOME = "coalesce(check_outcomes.outcome, 'unchecked')"


def _from_where(filters: QueueFilters, outcomes: bool = False, joins: str = "") -> str:
    """The FROM and WHERE the queue's rows and its counts share. `check_outcomes` is joined only
    when asked or filtered on: joining the view makes SQLite build it whole, for every claim."""
    outcomes = outcomes or bool(filters.outcome)
    join = "left join check_outcomes on check_outcomes.claim_id = claims.id" if outcomes else ""
    # only the filters given, so that SQLite can use the index on what is filtered
    given = {
        "source": "claims.source_id = :source",
        "metric": "claims.metric = :metric",
        "repeated": "claims.id in (select claim_id from claim_groups)",
        "outcome": f"{OUTCOME} = :outcome",
    }
    narrowed = "".join(f" and {test}" for key, test in given.items() if getattr(filters, key))
    return f"""
    from claims join sources on sources.id = claims.source_id {join} {joins}
    where claims.retired_at is null and claims.rejected_at is null
      and not exists (select 1 from notes where notes.claim_id = claims.id
                      and notes.verdict is not null)
      {narrowed}
    """


def _params(filters: QueueFilters) -> dict[str, Any]:
    return {key: getattr(filters, key) for key in ("source", "metric", "outcome", "repeated")}


async def _rows(db: Any, sql: str, params: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
    result = await db.execute(sql, params, **kwargs)
    return [dict(row) for row in result.rows]


async def queue_rows(
    db: Any, filters: QueueFilters, row_url: RowUrl, limit: int = PAGE_SIZE
) -> tuple[list[dict[str, Any]], bool]:
    """One page of the queue, each claim with its sentence marked and its figure in words; and
    whether there is a next page."""
    rows = await _rows(
        db,
        f"""
        select claims.*, sentences.text as sentence, sources.title as source_title,
               sources.publisher, sources.published,
               exists(select 1 from claim_groups where claim_groups.claim_id = claims.id)
                 as repeated
        {_from_where(filters, joins=CLAIM_SENTENCE)}
        order by claims.checkworthiness desc, claims.source_id, claims.start
        limit :limit offset :offset
        """,
        {**_params(filters), "limit": limit + 1, "offset": (filters.page - 1) * limit},
    )
    outcomes = await _outcomes(db, [row["id"] for row in rows[:limit]])
    for row in rows:
        row["outcome"], row["conflicts"] = outcomes.get(row["id"], ("unchecked", 0))
        row["words"] = claim_words(row)
        row["href"] = row_url("claims", row["id"])
        row["source_href"] = row_url("sources", row["source_id"])
        row["sentence_html"] = sentence_html(row)
    return rows[:limit], len(rows) > limit


async def _outcomes(db: Any, ids: list[str]) -> dict[str, tuple[str, int]]:
    """The check outcome and conflicts of each of these claims (SQLite reads only their checks:
    a WHERE on the view's grouping column is pushed into it)."""
    marks = ", ".join(f":id{n}" for n in range(len(ids)))
    found = await _rows(
        db,
        f"select claim_id, outcome, conflicts from check_outcomes where claim_id in ({marks})",
        {f"id{n}": claim for n, claim in enumerate(ids)},
    )
    return {row["claim_id"]: (row["outcome"], row["conflicts"]) for row in found}


async def _counts(
    db: Any, column: str, filters: QueueFilters, label: str = "null"
) -> list[dict[str, Any]] | None:
    """How many queued claims each value of `column` has (with a `label` to show for it), most
    first; None when counting took too long (a very large ledger)."""
    try:
        return await _rows(
            db,
            # `chosen`, not `value`: that is a column of claims, which GROUP BY would take
            f"select {column} as chosen, max({label}) as label, count(*) as n"
            f" {_from_where(filters, OUTCOME in column)}"
            " group by chosen order by n desc, chosen limit :size",
            {**_params(filters), "size": FACET_SIZE},
            custom_time_limit=COUNT_TIME_LIMIT_MS,
        )
    except QueryInterrupted:
        return None


async def queue_page(db: Any, filters: QueueFilters, row_url: RowUrl) -> dict[str, Any]:
    """Everything the queue page shows: the rows, the total, and the one-click filters."""
    rows, more = await queue_rows(db, filters, row_url)
    total = await _counts(db, "'all'", filters)
    outcomes = await _counts(db, OUTCOME, replace(filters, outcome=""))
    if outcomes:
        outcomes.sort(key=lambda item: OUTCOME_ORDER.index(item["chosen"])
                      if item["chosen"] in OUTCOME_ORDER else len(OUTCOME_ORDER))  # fmt: skip
    facets = {
        "outcome": outcomes,
        "metric": await _counts(db, "claims.metric", replace(filters, metric="")),
        "source": await _counts(
            db, "claims.source_id", replace(filters, source=""), label="sources.title"
        ),
    }
    repeated = await _counts(db, "'repeated'", replace(filters, repeated="1"))
    return {
        "filters": filters,
        "rows": rows,
        "more": more,
        "total": total[0]["n"] if total else (0 if total == [] else None),
        "facets": facets,
        "repeated": repeated[0]["n"] if repeated else 0,
        "first": (filters.page - 1) * PAGE_SIZE + 1,
    }
