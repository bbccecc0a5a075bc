"""Serve a ledger with Datasette: build the instance (for `ledger serve` and for tests) and run it.

Everything Datasette needs ships in the package: the metadata (ledger/web/metadata.toml), the
plugin with its templates and CSS (ledger/web/plugin/), and the reviewers' hashed passwords come
from a file the newsroom keeps (ledger/web/reviewers.py). Nothing is fetched from the internet.
"""

from __future__ import annotations

import os
import re
import sqlite3
import traceback
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from datasette.app import Datasette

from ledger.refdata.lookup import databases_beside
from ledger.refdata.pack import PACK_DB
from ledger.web.auth import Auth, SecretError, check_secret
from ledger.web.metadata import SETTINGS, build_metadata

REQUIRED_TABLES = {"sources", "claims", "notes", "checks", "references"}


class ServeError(ValueError):
    """The ledger or the reviewers file cannot be served (one-line reason)."""


def check_ledger(path: Path) -> None:
    """Refuse a path that is not a ledger, or a ledger from a newer version; bring a ledger from
    an earlier version up to date (serving takes notes, so it is a writer).

    Not a ledger: missing, not SQLite, or without sources and claims. A ledger written by an
    earlier version is migrated in place, which only adds, so its notes are kept. A current one
    is only read.
    """
    from ledger.migrations import newer_message, schema_state
    from ledger.store import LedgerError, connect_read_only, open_database, unwritable_folder

    if not path.is_file():
        raise ServeError(f"no ledger at {path}: build one with `ledger ingest sources/`")
    folder = unwritable_folder(path)
    if folder is not None:  # it was a traceback: SQLite's "unable to open database file"
        raise ServeError(
            f"{path}: its folder {folder} is not writable: reviewers' notes are written into the"
            " ledger, and SQLite keeps its -wal and -shm files beside it"
        )
    try:
        db = connect_read_only(path)
        try:
            names, state = set(db.table_names()), schema_state(db)
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        raise ServeError(f"{path} is not a SQLite database: {error}") from error
    if not {"sources", "claims"} <= names:
        missing = ", ".join(sorted(REQUIRED_TABLES - names))
        raise ServeError(f"{path} is not a ledger (missing tables: {missing})")
    if state.newer:
        raise ServeError(f"{path}: {newer_message(state)}")
    if REQUIRED_TABLES - names or state.behind:
        try:
            open_database(path, create=False).close()
        except LedgerError as error:
            raise ServeError(f"cannot upgrade {path}: {error}") from error


def table_columns(path: Path) -> dict[str, list[str]]:
    """Each table's and view's columns, read once at start-up (read-only)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "select name from sqlite_master where type in ('table', 'view')"
            )
        ]
        return {
            name: [
                row[1] for row in connection.execute("select * from pragma_table_info(?)", [name])
            ]
            for name in names
        }


# No string or blob a query makes may be longer (SQLITE_LIMIT_LENGTH); the default source
# size limit of `ledger ingest` is 20 MB.
LENGTH_LIMIT = 32 * 1024 * 1024

# SQL whose answer changes with the clock, chance or the connection, however still the file is.
_VOLATILE = re.compile(
    r"""\b(?:random|randomblob|julianday|strftime|datetime|date|time|unixepoch
           |changes|total_changes|last_insert_rowid)\s*\(
        |\bcurrent_(?:date|time)""",
    re.I | re.X,
)


P = ParamSpec("P")
T = TypeVar("T")


class SqlThreads(ThreadPoolExecutor):
    """Datasette's SQL threads, where a query that fails lets go of its cursor before its error
    leaves the thread that ran it.

    A failed query's traceback holds the frame that holds its cursor, and Datasette keeps the
    error in a reference cycle, so the cursor lived until Python's cyclic garbage collector freed
    it, in whichever thread allocated at that moment. Freeing a cursor resets its statement, which
    waits for its connection's lock: when that thread's connection was meanwhile running another
    visitor's slow query, the collector (mostly on the event loop, so every page) waited until the
    time limit cut the query off. Cleared frames free the cursor at once, where its connection is
    idle.
    """

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        return super().submit(_cursor_freed_on_error, fn, *args, **kwargs)


def _cursor_freed_on_error(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    try:
        return fn(*args, **kwargs)
    except BaseException as error:
        # every frame the error passed through, and those of the errors it was raised from
        # (Datasette's QueryInterrupted wraps SQLite's): their locals are what they kept alive
        pending: list[BaseException | None] = [error]
        seen: set[int] = set()
        while pending:
            found = pending.pop()
            if found is None or id(found) in seen:
                continue
            seen.add(id(found))
            traceback.clear_frames(found.__traceback__)
            pending += [found.__context__, found.__cause__]
        raise


class LedgerDatasette(Datasette):
    """Datasette that keeps the small answers of its reads until the ledger file changes.

    A facet on a million claims is a scan of its column's index, 50-80 ms, and the claims table
    shows four of them: counts that change only when an ingest or a note commits. What
    `Datasette.execute` answers (facets, and SQL typed into Datasette) is kept while the database
    file and its WAL have the size and mtime they had when it ran, if it had at most
    `ROWS_KEPT` rows; the first request after any commit pays again. Which reads are kept does not
    depend on the SQL Datasette writes: any read is the same on an unchanged file, except SQL that
    asks for the time, chance or connection state, and canned queries, whose parameters
    (Datasette's MagicParameters) may hold the actor or the time. That assumes a filesystem whose
    mtimes have sub-second resolution (ext4, xfs, APFS), as a commit may leave the WAL's size
    as it was. `datasette inspect` does the same for immutable files, and this ledger is not one
    (reviewers add notes).
    """

    COUNTS_KEPT = 1024
    ROWS_KEPT = 101  # a page of rows or a facet's counts, not a 1,000-row SQL answer
    serves_ledger = True  # the plugin's hooks act on this Datasette only (ledger/web/plugin)
    executor: ThreadPoolExecutor | None  # Datasette's, set in its __init__ (None: no threads)

    def __init__(
        self, *args: Any, auth: Auth, length_limit: int = LENGTH_LIMIT, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.executor is not None:  # none started a thread yet: they start with a query
            self.executor.shutdown(wait=False)
            self.executor = SqlThreads(max_workers=self.setting("num_sql_threads"))
        self._counts: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.ledger_auth = auth
        self.ledger_length_limit = length_limit

    def _file_state(self, db_name: str) -> tuple[int, ...] | None:
        path = self.databases[db_name].path
        if not path:
            return None  # in memory (Datasette's _internal): nothing to key on
        state: list[int] = []
        for name in (path, f"{path}-wal"):
            try:
                found = os.stat(name)
            except FileNotFoundError:
                state += (0, 0)
            else:
                state += (found.st_size, found.st_mtime_ns)
        return tuple(state)

    async def execute(self, db_name: str, sql: str, params: Any = None, **kwargs: Any) -> Any:
        # plain parameters only: a canned query's MagicParameters resolve per request
        repeatable = type(params) in (type(None), dict, list, tuple) and not _VOLATILE.search(sql)
        state = self._file_state(db_name) if repeatable else None
        if state is None:
            return await super().execute(db_name, sql, params, **kwargs)
        key = (db_name, sql, repr(params), repr(sorted(kwargs.items())), state)
        if key in self._counts:
            self._counts.move_to_end(key)
            return self._counts[key]
        results = await super().execute(db_name, sql, params, **kwargs)
        if len(results.rows) <= self.ROWS_KEPT:
            self._counts[key] = results
            if len(self._counts) > self.COUNTS_KEPT:
                self._counts.popitem(last=False)
        return results


def length_limit(path: Path) -> int:
    """The longest string or blob a query on this ledger may make: enough for its longest
    source text (4 bytes a character at most), and never under LENGTH_LIMIT."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        longest = connection.execute("select max(chars) from sources").fetchone()[0] or 0
    return max(LENGTH_LIMIT, 4 * int(longest) + 1024)


def secret_from_environment() -> str | None:
    """DATASETTE_SECRET, refused when weak (a cookie forged with `a` was accepted)."""
    secret = os.environ.get("DATASETTE_SECRET") or None
    if secret is None:
        return None
    try:
        return check_secret(secret)
    except SecretError as error:
        raise ServeError(str(error)) from error


NO_SECRET_WARNING = (
    "warning: DATASETTE_SECRET is not set, so sign-ins end when the server restarts "
    "(set it to 32 or more random characters)"
)


def build_datasette(db_path: Path, reviewers_path: Path | None = None) -> Datasette:
    """A Datasette instance serving the ledger at db_path, with reviewers from reviewers_path.

    The database keeps its file-derived name (claims.db is served as /claims). The reference
    databases beside it (the default pack, what was imported) are served too, read-only, as
    /reference-pack and /references; this never builds the pack (`ledger serve` does). Cookies are
    signed with DATASETTE_SECRET when set (so sign-ins survive a restart), else a random secret.
    """
    check_ledger(db_path)
    secret = secret_from_environment()
    try:
        auth = Auth(reviewers_path)
    except sqlite3.Error as error:
        raise ServeError(f"cannot keep sessions beside {reviewers_path}: {error}") from error
    name = db_path.stem
    references = [path for path in databases_beside(db_path) if path.stem != name]
    # The shipped pack only changes when a new version rebuilds it whole (a new file moved into
    # place), so it is served immutable: Datasette counts it once. What `ledger reference
    # import` writes may grow while the server runs.
    pack = [str(path) for path in references if path.name == PACK_DB]
    imported = [str(path) for path in references if path.name != PACK_DB]
    return LedgerDatasette(
        files=[str(db_path), *imported],
        immutables=pack,
        metadata=build_metadata(
            name,
            reviewers=reviewers_path is not None,
            columns=table_columns(db_path),
            reference_databases=tuple(path.stem for path in references),
        ),
        settings=dict(SETTINGS),
        secret=secret,
        auth=auth,
        length_limit=length_limit(db_path),
    )


def check_port(host: str, port: int) -> None:
    """Refuse a host/port already taken (a second `ledger serve`), before starting Datasette."""
    import socket

    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror or error}") from error


def run(datasette: Datasette, *, host: str, port: int) -> None:
    """Serve until interrupted (what `ledger serve` does once the instance is built)."""
    import uvicorn

    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
