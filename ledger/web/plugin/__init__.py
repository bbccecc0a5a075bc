"""The ledger's Datasette plugin: claim and source pages, the review queue, the chart, sign-in,
no anonymous writes.

Registered through the `datasette` entry point in pyproject.toml, so every Datasette in the
environment loads it; each hook acts only on the Datasette `ledger serve` builds
(`serves_ledger`), and leaves any other alone. Its templates and static files sit beside this
file. `ledger serve` (ledger/serve.py) supplies the metadata.

Who may write, and how (the choice issue 4 asks for):
  The ledger is opened normally (not immutable) and two write paths exist: the review routes
  (`/-/ledger/review/<db>/<action>`, ledger/web/review_routes.py: notes, corrections, rejections,
  added claims and sign-offs from the claim and source pages, for a signed-in reviewer with the
  page's CSRF token), and the canned query `add_note`, kept as an API for scripts and guarded by
  an `allow` block asking for a signed-in reviewer (`allow: false` when no reviewers file is
  served). Notes therefore live in claims.db beside the claims they are about, so `ledger note`
  on the command line and the web write the same `notes` table, and rebuilding claims from
  sources never touches them (ingest only adds, updates and retires claims). The alternative,
  an immutable ledger with a separate notes database attached, would split the notes from the
  claims' foreign keys and the `claim_status` view, and make the CLI and the web write two
  different files.

  Known trap on Datasette 0.65.5: a write canned query with no `allow` block accepts an anonymous
  POST. `build_metadata` never emits the write query without one, and tests/test_web.py proves
  an anonymous POST (with and without a CSRF token) is refused and leaves the notes unchanged.
  Every other write permission Datasette knows or may add (insert-row, delete-row, update-row,
  create-table, drop-table, alter-table...) is denied to everyone by `permission_allowed` below.
  SQL typed into Datasette runs on read-only connections, is cut off after `sql_time_limit_ms`
  (ledger/web/metadata.py), and can build no string or blob past a cap (`prepare_connection`).

Signing in and out is the ledger's own (ledger/web/auth.py: throttled, CSRF-checked, sessions
that end); every request passes ledger/web/guard.py first (no HTTP auth, same-site writes only,
no framing, CSV cells neutralised).

Nothing from the database reaches a page unescaped: templates autoescape, and the highlighted
text and the SVG chart are built from escaped pieces (ledger/web/render.py, chart.py).
"""

from __future__ import annotations

import copy
import re
import sqlite3
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode, urlsafe_components
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from ledger.config import Config, ConfigError, load_config
from ledger.describe import number_in_words
from ledger.models import VERDICTS
from ledger.refdata.lookup import ChartSeries
from ledger.review import CORRECTABLE
from ledger.web import pages, review_routes, search
from ledger.web.auth import login_view, logout_view, reviewer_of
from ledger.web.guard import guard
from ledger.web.queue import QueueFilters, queue_page, queue_rows
from ledger.web.render import Span, highlight
from ledger.web.review_routes import is_review_path

# Write actions of Datasette 0.65 and of the JSON write API of later versions: nobody gets them.
WRITE_ACTIONS = frozenset(
    {
        "insert-row",
        "delete-row",
        "update-row",
        "upsert-row",
        "create-table",
        "drop-table",
        "alter-table",
        "create-token",
    }
)


def serves_ledger(datasette: Any) -> bool:
    """True on the Datasette `ledger serve` builds: the plugin's hooks act there and nowhere else.

    The plugin is installed by entry point, so every Datasette in the environment loads it; a
    hook that changed behaviour everywhere would close other people's databases.
    """
    return bool(getattr(datasette, "serves_ledger", False))


@hookimpl
def permission_allowed(datasette: Any, actor: dict | None, action: str) -> bool | None:
    """Refuse every generic write action; leave the rest to Datasette and the metadata."""
    if action in WRITE_ACTIONS and serves_ledger(datasette):
        return False
    return None


# Tables and views whose HTML shows values in words and sentences with the figure marked.
CLAIM_LISTS = frozenset({"claims", "claims_in_context", "claims_review", "references", "checks"})

# Paths that take a POST without writing to any database: signing in and out.
SIGN_IN_PATHS = frozenset({"/-/login", "/-/logout"})


async def write_path_allowed(datasette: Any, path: str) -> bool:
    """True for sign-in/out and for a write canned query that has an `allow` block.

    Every other POST (or PUT, PATCH, DELETE) is refused before Datasette sees it, so a path a
    later Datasette or another plugin adds cannot become a way in, and a write canned query
    that someone leaves without `allow` is refused rather than open to anonymous visitors.
    """
    if path in SIGN_IN_PATHS or is_review_path(path):
        return True
    parts = path.strip("/").split("/")
    if len(parts) != 2:
        return False
    try:
        database = datasette.get_database(route=tilde_decode(parts[0])).name
    except KeyError:
        return False
    query = await datasette.get_canned_query(database, tilde_decode(parts[1]), None)
    # `allow: null` would mean "anyone" to Datasette, so it does not count as an allow block
    return bool(query and query.get("write") and query.get("allow") is not None)


@hookimpl
def asgi_wrapper(datasette: Any):
    """On a ledger server: no HTTP auth, live sessions only, writes only where allowed, hardening
    headers, CSV cells neutralised (ledger/web/guard.py), a Chinese search moved to the trigram
    index (ledger/web/search.py). Elsewhere: nothing."""
    if not serves_ledger(datasette):
        return lambda app: app
    return lambda app: guard(datasette, search.chinese_search(app), write_path_allowed)


@hookimpl
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    """The claims table's search in Chinese (ledger/web/search.py)."""
    if not serves_ledger(datasette):
        return None
    return search.search_filters(request, table)


def _row_url(datasette: Any, database: str):
    def row_url(table: str, pk: str) -> str:
        return datasette.urls.row(database, table, tilde_encode(pk))

    return row_url


@hookimpl
def prepare_connection(conn: Any, datasette: Any) -> None:
    """Wait for a busy ledger (an ingest's transaction) instead of failing with 'locked', and cap
    the size of any one string or blob, which the time limit cannot: `zeroblob(450000000)` is
    one step for SQLite's progress handler, so it ran 9.6 s and took 2.26 GB."""
    if not serves_ledger(datasette):
        return
    conn.execute("pragma busy_timeout = 10000")
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, datasette.ledger_length_limit)


def _review_vars(datasette: Any, database: str, request: Any) -> dict[str, Any]:
    """What a page with review forms needs: who is signed in, where the forms post, what a
    refused form carried back, and where to come back to."""
    return {
        "ledger_reviewer": reviewer_of(datasette, request),
        "ledger_review_url": datasette.urls.path(f"/-/ledger/review/{tilde_encode(database)}"),
        "ledger_reading_url": datasette.urls.path(f"/-/ledger/reading/{tilde_encode(database)}"),
        "ledger_queue_url": datasette.urls.path(f"/-/ledger/queue/{tilde_encode(database)}"),
        "ledger_review_form": review_routes.carried_form(datasette, request),
        "ledger_back": request.path,
        "ledger_login": datasette.urls.path("/-/login"),
        "ledger_sign_off": _config().review.sign_off,
        "ledger_claim_href": lambda claim: datasette.urls.row(
            database, "claims", tilde_encode(claim)
        ),
        "ledger_source_href": lambda source: datasette.urls.row(
            database, "sources", tilde_encode(source)
        ),
    }


def _config() -> Config:
    try:
        return load_config()
    except ConfigError:  # a broken ledger.toml: `ledger export` names the problem
        return Config()


async def _claim_vars(
    datasette: Any, db: Any, database: str, claim_id: str, request: Any
) -> dict[str, Any]:
    row_url = _row_url(datasette, database)
    page = await pages.claim_page(db, claim_id, row_url)
    if page is not None:
        config = _config()
        page["claimreview"] = pages.claimreview_markup(
            page,
            config.organisation.url or f"{request.scheme}://{request.host}",
            config.organisation,
            config.review.sign_off,
        )
    return {
        **_review_vars(datasette, database, request),
        "ledger_claim": page,
        "ledger_metric_url": datasette.urls.query(database, "metric_across_sources"),
        "ledger_chart_url": datasette.urls.path(f"/-/ledger/chart/{tilde_encode(database)}"),
        "ledger_verdicts": VERDICTS,
        "ledger_correctable": CORRECTABLE,
    }


async def _source_vars(
    datasette: Any, db: Any, database: str, source_id: str, request: Any
) -> dict[str, Any]:
    row_url = _row_url(datasette, database)
    page = await pages.source_page(db, source_id, row_url)
    if page is not None:
        filters = QueueFilters(source=source_id)
        page["queue"], page["queue_more"] = await queue_rows(db, filters, row_url, QUEUE_HEAD)
        page["queue_query"] = filters.query()
    return {
        **_review_vars(datasette, database, request),
        "ledger_source": page,
        "ledger_correctable": [field for field in CORRECTABLE if field != "summary"],
    }


# How many claims of the queue the database and source pages show before "the whole queue".
QUEUE_HEAD = 10


@hookimpl
def extra_template_vars(
    template: str, database: str | None, table: str | None, request: Any, datasette: Any
):
    """Give the row pages of claims and sources everything they show beside the row, and the
    database page the head of the review queue."""
    if not database or not request or not serves_ledger(datasette):
        return {}
    on_row = template == "row.html" and table in ("claims", "sources")
    if not on_row and template != "database.html":
        return {}

    async def inner() -> dict[str, Any]:
        db = datasette.get_database(database)
        if not await pages.is_ledger(db):
            return {}
        if template == "database.html":
            rows, more = await queue_rows(db, QueueFilters(), _row_url(datasette, database),
                                          QUEUE_HEAD)  # fmt: skip
            return {"ledger_queue": rows, "ledger_queue_more": more,
                    **_review_vars(datasette, database, request)}  # fmt: skip
        pks = urlsafe_components(request.url_vars["pks"])
        if len(pks) != 1:
            return {}
        if table == "claims":
            return await _claim_vars(datasette, db, database, pks[0], request)
        return await _source_vars(datasette, db, database, pks[0], request)

    return inner


@hookimpl
def prepare_jinja2_environment(env: Any, datasette: Any) -> None:
    """`{{ value|in_words }}`: 3.3e12 as '3.3 trillion' in the ledger's templates."""
    env.filters["in_words"] = number_in_words


# Columns that hold a claim's id, or a source's, in the ledger's tables, views and canned
# queries: shown as links to its page wherever they appear (`id` only where it is a claim's).
CLAIM_ID_COLUMNS = frozenset({"claim_id", "claim_a", "claim_b", "group_id", "against_id"})
SOURCE_ID_COLUMNS = frozenset({"source_id", "source_a", "source_b"})
CLAIM_ID = re.compile(r"^c-[0-9a-f]{16}$")


def _id_link(value: Any, column: str, database: str, datasette: Any) -> Markup | None:
    """A link to the page of the claim or source a cell names; None for any other cell."""
    if not isinstance(value, str):  # a foreign key Datasette expanded links itself
        return None
    # a reference's id or an official series' never has a claim id's form
    if (column in CLAIM_ID_COLUMNS or column == "id") and CLAIM_ID.match(value):
        url = datasette.urls.row(database, "claims", tilde_encode(value))
    elif column in SOURCE_ID_COLUMNS and value:
        url = datasette.urls.row(database, "sources", tilde_encode(value))
    else:
        return None
    return Markup('<a href="{}">{}</a>').format(url, value)


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Any:
    """In the ledger's tables, views and queries: claim and source ids as links to their pages;
    in claim lists, the sentence with the figure marked, and values in words."""
    # `ledger serve` serves one database, the ledger: every table and query of it is the ledger's
    if not serves_ledger(datasette) or not database or database.startswith("_"):
        return None
    link = _id_link(value, column, database, datasette)
    if link is not None:
        return link
    if table not in CLAIM_LISTS:
        return None
    if column in ("value", "value_high", "other_value") and isinstance(value, int | float):
        return Markup('<span title="{}">{}</span>').format(value, number_in_words(value))
    if column != "sentence":
        return None
    if not isinstance(value, str):
        return None
    keys = row.keys()
    if "quote" not in keys or not row["quote"]:
        return None
    offset = value.find(row["quote"])
    if "start" in keys and "sentence_start" in keys:
        guess = row["start"] - row["sentence_start"]
        if value[guess : guess + len(row["quote"])] == row["quote"]:
            offset = guess
    if offset < 0:
        return None
    return highlight(value, [Span(offset, offset + len(row["quote"]))])


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    if not serves_ledger(datasette):
        return []
    return [datasette.urls.static_plugins("ledger", "ledger.css")]


async def _viewable_ledger(request: Any, datasette: Any) -> tuple[str, Any]:
    """The name and Database of the ledger a page's URL names, once the actor may view it:
    404 for no such database, or one that is not a ledger."""
    database = tilde_decode(request.url_vars["database"])
    try:
        db = datasette.get_database(database)
    except KeyError as error:
        raise NotFound("Database not found") from error
    await datasette.ensure_permissions(
        request.actor, [("view-database", database), "view-instance"]
    )
    if not await pages.is_ledger(db):
        raise NotFound("Not a ledger database")
    return database, db


async def chart_view(request: Any, datasette: Any) -> Response:
    """/-/ledger/chart/<database>?metric=...&unit=...: one metric across sources and time."""
    database, db = await _viewable_ledger(request, datasette)
    choices = await pages.metrics(db)
    metric = request.args.get("metric") or (choices[0]["metric"] if choices else "")
    subjects = await pages.chart_subjects(db, metric)
    # One subject at a time: the most claimed unless the page asked for another, or for all
    # (an empty choice), so figures about different countries never share an axis unasked.
    if "subject" in request.args:
        subject = request.args["subject"] or None
    else:
        subject = next((row["code"] for row in subjects if row["n"]), None)
    chart = await pages.metric_chart(
        db, metric, request.args.get("unit") or None, _row_url(datasette, database), subject
    )
    chart["subjects"] = subjects
    series = chart["series"]
    return Response.html(
        await datasette.render_template(
            "ledger_chart.html",
            {
                "database": database,
                "chart": chart,
                "metrics": choices,
                "query_url": datasette.urls.query(database, "metric_across_sources"),
                "official_url": datasette.urls.path(f"/-/ledger/official/{tilde_encode(database)}"),
                "series_url": _series_url(datasette, series, subject) if series else None,
            },
            request=request,
        )
    )


def _series_url(datasette: Any, series: ChartSeries, subject: str | None) -> str | None:
    """The official series' values in its own database, when that database is served."""
    name = series.origin.removesuffix(".db")
    if name not in datasette.databases or series.derived:  # a derived series is not stored
        return None
    query = urlencode(
        {
            "dataset": series.dataset,
            "indicator": series.indicator,
            "subject": subject or "",
            "frequency": series.frequency,
        }
    )
    return f"{datasette.urls.table(name, 'official_references')}?{query}"


async def official_view(request: Any, datasette: Any) -> Response:
    """/-/ledger/official/<database>: the official datasets its checks read, with provenance
    and licence (the default pack and what `ledger reference import` loaded)."""
    database, db = await _viewable_ledger(request, datasette)
    if not db.path:
        raise NotFound("Not a ledger database")
    files = pages.official_datasets(db.path)
    for file in files:
        # browsable where `ledger serve` attached it (it attaches every one beside the ledger)
        served = file["database"] in datasette.databases
        file["url"] = datasette.urls.database(file["database"]) if served else None
        for dataset in file["datasets"]:
            dataset["browse_url"] = (
                f"{datasette.urls.table(file['database'], 'official_references')}"
                f"?{urlencode({'dataset': dataset['id']})}"
                if served
                else None
            )
    return Response.html(
        await datasette.render_template(
            "ledger_official.html", {"database": database, "files": files}, request=request
        )
    )


async def queue_view(request: Any, datasette: Any) -> Response:
    """/-/ledger/queue/<database>?source=&metric=&outcome=&repeated=1&page=: the claims no
    reviewer has given a verdict yet, most check-worthy first, with one-click filters."""
    database, db = await _viewable_ledger(request, datasette)
    filters = QueueFilters.of(request.args)
    queue = await queue_page(db, filters, _row_url(datasette, database))
    return Response.html(
        await datasette.render_template(
            "ledger_queue.html",
            {"database": database, "queue": queue, **_review_vars(datasette, database, request)},
            request=request,
        )
    )


async def last_note_view(request: Any, datasette: Any) -> Response:
    """Where add_note sends a reviewer after saving: back to the claim they wrote about."""
    database = tilde_decode(request.url_vars["database"])
    try:
        db = datasette.get_database(database)
    except KeyError as error:
        raise NotFound("Database not found") from error
    reviewer = reviewer_of(datasette, request)
    if reviewer:
        result = await db.execute(
            "select claim_id from notes where reviewer = :who order by id desc limit 1",
            {"who": reviewer},
        )
        row = result.first()
        if row:
            url = datasette.urls.row(database, "claims", tilde_encode(row["claim_id"]))
            return Response.redirect(f"{url}#notes")
    return Response.redirect(datasette.urls.database(database))


async def metadata_view(request: Any, datasette: Any) -> Response:
    """Datasette's /-/metadata without what only the server needs: plugin configuration and who
    may write (the reviewers' names are nobody's business, and guessers would start there)."""
    shown = copy.deepcopy(datasette.metadata())
    shown.pop("plugins", None)
    for database in (shown.get("databases") or {}).values():
        for query in (database.get("queries") or {}).values():
            if "allow" in query:
                query["allow"] = "(signed-in reviewers)" if query["allow"] else False
    return Response.json(shown)


@hookimpl(tryfirst=True)
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    """The ledger's pages; first, so its sign-in replaces any other plugin's (tryfirst)."""
    if not serves_ledger(datasette):
        return []
    return [
        # Plugin routes are matched before Datasette's own: these replace its /-/metadata and
        # /-/logout, and datasette-auth-passwords' /-/login.
        (r"^/-/metadata(\.json)?$", metadata_view),
        (r"^/-/login$", login_view),
        (r"^/-/logout$", logout_view),
        (r"^/-/ledger/chart/(?P<database>[^/]+)$", chart_view),
        (r"^/-/ledger/official/(?P<database>[^/]+)$", official_view),
        (r"^/-/ledger/last-note/(?P<database>[^/]+)$", last_note_view),
        (review_routes.ROUTE, review_routes.review_view),
        (r"^/-/ledger/reading/(?P<database>[^/]+)$", review_routes.reading_view),
        (r"^/-/ledger/queue/(?P<database>[^/]+)$", queue_view),
    ]


@hookimpl
def menu_links(datasette: Any):
    """Links to the chart and official-statistics pages of each ledger being served."""

    async def inner() -> list[dict[str, str]]:
        links: list[dict[str, str]] = []
        if not serves_ledger(datasette):
            return links
        for name, db in datasette.databases.items():
            if not name.startswith("_") and await pages.is_ledger(db):
                links.append(
                    {
                        "href": datasette.urls.path(f"/-/ledger/chart/{tilde_encode(name)}"),
                        "label": f"Chart a metric ({name})",
                    }
                )
                links.append(
                    {
                        "href": datasette.urls.path(f"/-/ledger/official/{tilde_encode(name)}"),
                        "label": f"Official statistics: provenance and licences ({name})",
                    }
                )
        return links

    return inner
