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


# The queue's rows and its filter counts share these joins and conditions.
_JOINS = """
from claims
join sources on sources.id = claims.source_id
left join check_outcomes on check_outcomes.claim_id = claims.id
"""
_WHERE = """
where claims.retired_at is null and claims.rejected_at is null
  and not exists (select 1 from notes where notes.claim_id = claims.id
                  and notes.verdict is not null)
  and (:source = '' or claims.source_id = :source)
  and (:metric = '' or claims.metric = :metric)
  and (:outcome = '' or coalesce(check_outcomes.outcome, 'unchecked') = :outcome)
  and (:repeated = '' or claims.id in (select claim_id from claim_groups))
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
               coalesce(check_outcomes.outcome, 'unchecked') as outcome,
               check_outcomes.conflicts,
               exists(select 1 from claim_groups where claim_groups.claim_id = claims.id)
                 as repeated
        {_JOINS} {CLAIM_SENTENCE} {_WHERE}
        order by claims.checkworthiness desc, claims.source_id, claims.start
        limit :limit offset :offset
        """,
        {**_params(filters), "limit": limit + 1, "offset": (filters.page - 1) * limit},
    )
    for row in rows:
        row["words"] = claim_words(row)
        row["href"] = row_url("claims", row["id"])
        row["source_href"] = row_url("sources", row["source_id"])
        row["sentence_html"] = sentence_html(row)
    return rows[:limit], len(rows) > limit


async def _counts(
    db: Any, column: str, filters: QueueFilters, label: str = "null"
) -> list[dict[str, Any]] | None:
    """How many queued claims each value of `column` has (with a `label` to show for it), most
    first; None when counting took too long (a very large ledger)."""
    try:
        return await _rows(
            db,
            # `chosen`, not `value`: that is a column of claims, which GROUP BY would take
            f"select {column} as chosen, max({label}) as label, count(*) as n {_JOINS} {_WHERE} group by chosen"
            " order by n desc, chosen limit :size",
            {**_params(filters), "size": FACET_SIZE},
            custom_time_limit=COUNT_TIME_LIMIT_MS,
        )
    except QueryInterrupted:
        return None


async def queue_page(db: Any, filters: QueueFilters, row_url: RowUrl) -> dict[str, Any]:
    """Everything the queue page shows: the rows, the total, and the one-click filters."""
    rows, more = await queue_rows(db, filters, row_url)
    total = await _counts(db, "'all'", filters)
    facets = {
        "outcome": await _counts(
            db, "coalesce(check_outcomes.outcome, 'unchecked')", replace(filters, outcome="")
        ),
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
