"""Chinese in the claims table's search box (issue 20).

Datasette searches a table through its own full-text index, and the claims' index (unicode61,
porter) takes a run of Han characters for one word, so 研发经费 found nothing there. A search
holding Han characters is therefore moved, before Datasette reads the request, from `_search` to
`_zh_search`, which the ledger's `filters_from_request` hook answers as `ledger claims --search`
does (ledger/store.py `search_clause`): the trigram index of the sentences for words of three
characters or more, a substring match for shorter ones (芯片). An English search is left to
Datasette's stemmed index as before.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette.filters import FilterArguments

from ledger.store import search_clause

ZH_SEARCH = "_zh_search"  # no `_search` prefix: Datasette reads those as column searches
SEARCHED_TABLE = "claims"
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def chinese_search(app: Any) -> Any:
    """An ASGI wrapper moving a Han `_search` on the claims table (page, .json, .csv) to
    `_zh_search`; every other request passes unchanged."""

    async def wrapped(scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            scope = _moved(scope)
        await app(scope, receive, send)

    return wrapped


def _moved(scope: dict) -> dict:
    parts = scope.get("path", "").strip("/").split("/")
    if len(parts) != 2 or parts[1].split(".")[0] != SEARCHED_TABLE:
        return scope
    query = parse_qsl(scope.get("query_string", b"").decode("ascii", "replace"), True)
    if not any(key == "_search" and _HAN.search(value) for key, value in query):
        return scope
    moved = [(ZH_SEARCH if key == "_search" else key, value) for key, value in query]
    return {**scope, "query_string": urlencode(moved).encode("ascii")}


def search_filters(request: Any, table: str | None) -> FilterArguments | None:
    """The claims whose sentence holds the `_zh_search` words, with the search box showing them."""
    search = request.args.get(ZH_SEARCH)
    if table != SEARCHED_TABLE or not search:
        return None
    params: dict[str, Any] = {}
    clause = search_clause(search, params)
    return FilterArguments([clause], params, [f'search matches "{search}"'], {"search": search})
