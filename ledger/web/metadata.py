"""Datasette metadata for a ledger, built from metadata.toml (validated) and the reviewers' ids.

The TOML file holds the words and the SQL; this module keys them under the database's real name
and closes every write path: the one write canned query gets an `allow` block asking for a
signed-in reviewer (or `false` when no reviewers file is served), so it can never be left open to
anonymous visitors. Reviewers' names and hashes stay out of the metadata: ledger/web/auth.py
reads the reviewers file itself.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# SQL typed into Datasette is read-only already (Datasette opens read connections with mode=ro);
# this bounds how long one query may run, so nobody can tie up the server with a slow query.
SQL_TIME_LIMIT_MS = 1000

# The actor key and value a signed-in reviewer has (ledger/web/auth.py sets it at sign-in).
REVIEWER_ROLE = "reviewer"

SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": SQL_TIME_LIMIT_MS,
    "max_returned_rows": 1000,
    "default_facet_size": 20,
    # Suggested facets probe every column of a table on each page view (up to 50 ms a column):
    # at a million claims that alone costs about a second. The useful facets are set per table.
    "suggest_facets": False,
    "truncate_cells_html": 300,
    "allow_download": False,
    "allow_csv_stream": True,
    "default_allow_sql": True,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TableMeta(_Strict):
    """One table or view: what it is, how it sorts and facets, what each column means."""

    description: str
    columns: dict[str, str] = Field(default_factory=dict)
    columns_from: list[str] = Field(
        default_factory=list, description="tables whose column descriptions a view borrows"
    )
    label_column: str | None = None
    sort: str | None = None
    sort_desc: str | None = None
    facets: list[str] = Field(default_factory=list)
    fts_table: str | None = None  # a view searched through a table's full-text index...
    fts_pk: str | None = None  # ... whose rowid is this column of the view


class QueryMeta(_Strict):
    """One canned query."""

    title: str
    description: str
    sql: str
    write: bool = False
    on_success_message: str | None = None
    on_success_redirect: str | None = None
    on_error_message: str | None = None


class SiteMeta(_Strict):
    """The whole of metadata.toml."""

    title: str
    description: str
    source: str
    source_url: str | None = None
    license: str
    license_url: str
    tables: dict[str, TableMeta]
    queries: dict[str, QueryMeta]


class ReferenceMeta(_Strict):
    """The whole of reference_metadata.toml: the official-statistics databases served beside."""

    description: str
    source: str
    license: str
    tables: dict[str, TableMeta]


def load_references() -> ReferenceMeta:
    """Read and validate what Datasette says about the reference databases."""
    text = resources.files("ledger.web").joinpath("reference_metadata.toml").read_text("utf-8")
    return ReferenceMeta.model_validate(tomllib.loads(text))


def load_site() -> SiteMeta:
    """Read and validate the metadata shipped in the package (fails loudly on a typo)."""
    text = resources.files("ledger.web").joinpath("metadata.toml").read_text(encoding="utf-8")
    return SiteMeta.model_validate(tomllib.loads(text))


def column_descriptions(site: SiteMeta, table: str) -> dict[str, str]:
    """A table's column descriptions, with those a view borrows from its tables filled in."""
    meta = site.tables[table]
    described: dict[str, str] = {}
    for other in meta.columns_from:
        described.update(
            {
                column: text
                for column, text in site.tables[other].columns.items()
                if column not in described
            }
        )
    described.update(meta.columns)
    return described


def build_metadata(
    database: str,
    *,
    reviewers: bool = False,
    columns: dict[str, list[str]] | None = None,
    site: SiteMeta | None = None,
    reference_databases: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Datasette's metadata dict for a ledger served under the name `database`.

    `reviewers`: whether a reviewers file is served; only a signed-in reviewer (an actor whose
    role ledger/web/auth.py sets) may then run the write canned query. `columns` (each table's or
    view's columns in the database being served) keeps a view from listing descriptions of
    columns it lacks. `reference_databases`: the names of the official-statistics databases
    served beside it (reference_metadata.toml describes them).

    >>> meta = build_metadata("claims")
    >>> meta["databases"]["claims"]["queries"]["add_note"]["allow"]
    False
    >>> build_metadata("claims", reviewers=True)["databases"]["claims"]["queries"]["add_note"][
    ...     "allow"]
    {'role': 'reviewer'}
    """
    site = site or load_site()
    tables = {
        name: _table_entry(meta, column_descriptions(site, name), (columns or {}).get(name))
        for name, meta in site.tables.items()
    }
    queries: dict[str, Any] = {}
    for name, query in site.queries.items():
        entry = query.model_dump(exclude_none=True)
        if query.write:
            # Closed unless reviewers are served: `allow: false` refuses everyone.
            entry["allow"] = {"role": REVIEWER_ROLE} if reviewers else False
            if query.on_success_redirect:
                entry["on_success_redirect"] = f"{query.on_success_redirect}/{database}"
        queries[name] = entry
    return {
        "title": site.title,
        "description": site.description,
        "source": site.source,
        **({"source_url": site.source_url} if site.source_url else {}),
        "license": site.license,
        "license_url": site.license_url,
        "databases": {
            database: {"tables": tables, "queries": queries},
            **{name: reference_database_metadata() for name in reference_databases},
        },
    }


def reference_database_metadata() -> dict[str, Any]:
    """Datasette's metadata for one official-statistics database served beside the ledger."""
    meta = load_references()
    return {
        "description": meta.description,
        "source": meta.source,
        "license": meta.license,
        "tables": {
            name: _table_entry(table, table.columns, None) for name, table in meta.tables.items()
        },
    }


def _table_entry(meta: TableMeta, described: dict[str, str], present: list[str] | None) -> dict:
    """One table's entry: its description, the descriptions of the columns it has, and how it
    sorts and facets."""
    if present is not None:
        described = {c: text for c, text in described.items() if c in present}
    entry: dict[str, Any] = {"description": meta.description, "columns": described}
    for key in ("label_column", "sort", "sort_desc", "fts_table", "fts_pk"):
        if getattr(meta, key):
            entry[key] = getattr(meta, key)
    if meta.facets:
        entry["facets"] = list(meta.facets)
    return entry
