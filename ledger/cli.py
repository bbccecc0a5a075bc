"""The `ledger` command: a thin click layer over the Python API, one command per stage."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO

import click

from ledger import BUILD, EXTRACTOR_VERSION, __version__
from ledger.escaping import printable
from ledger.models import VERDICTS

# The importers' formats, named here so `--help` lists them without importing the readers.
REFERENCE_FORMATS = [
    "wdi", "weo", "fred", "eia", "boe-bank-rate", "boe-millennium", "ons", "bls",
    "datapackage", "pink-sheet", "fed-ddp", "owid", "cset",
]  # fmt: skip

if TYPE_CHECKING:
    from ledger.ingest import IngestReport
    from ledger.store import Ledger


class _OneLineUsageError(click.UsageError):
    """A usage error (an unknown option, a bad value) as one line on stderr, naming the help to
    read, where click prints the usage, a hint and the error on four: exit code 2 as click's."""

    def show(self, file: IO[Any] | None = None) -> None:
        names, ctx = [], self.ctx
        while ctx is not None and ctx.parent is not None:  # the root is `ledger` however run
            names.append(ctx.info_name or "")
            ctx = ctx.parent
        where = " ".join(["ledger", *reversed(names)])
        click.echo(f"Error: {self.format_message()} (see '{where} --help')", err=True)


def _one_line(error: click.UsageError) -> click.UsageError:
    """`error` shown on one line; a group run with no command still shows its help."""
    if isinstance(error, (_OneLineUsageError, click.exceptions.NoArgsIsHelpError)):
        return error
    return _OneLineUsageError(error.format_message(), error.ctx)


class _EscapedErrors(click.Group):
    """Errors name files and ids from outside (a file name may hold an escape sequence or a
    newline): show them with control characters escaped. Usage errors are click's own text,
    which quotes the user's value with repr, on one line."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise _one_line(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise _one_line(error) from None
        except click.ClickException as error:
            if error.exit_code != click.ClickException.exit_code:
                raise
            raise click.ClickException(printable(error.format_message())) from error
        except UnicodeEncodeError as error:
            # an argument in another encoding than UTF-8 (a Windows-1252 terminal, text pasted
            # from such a file) reaches Python as surrogates, which SQLite cannot store: the
            # write it failed in is rolled back
            if error.reason != "surrogates not allowed" or not isinstance(error.object, str):
                raise
            given = "".join(
                f"\\x{ord(c) - 0xDC00:02x}" if "\udc80" <= c <= "\udcff" else c
                for c in error.object
            )
            raise click.ClickException(
                f"{printable(given)} is not UTF-8 text (\\xNN: a byte of another encoding): "
                "give it in UTF-8"
            ) from None


@click.group(cls=_EscapedErrors)
@click.version_option(
    __version__,
    prog_name="ledger",
    # which extractor runs, and whether compiled (a stale build runs as pure Python: compiled.py)
    message=f"%(prog)s %(version)s (extractor {EXTRACTOR_VERSION}, {BUILD})",
)
def cli() -> None:
    """A fact-check ledger for the numbers in the news."""


def file_option(
    *names: str, default: str, help_text: str, envvar: str | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An option naming a file (a folder is refused), its default shown in --help: one
    decorator, used by every command that takes it."""
    return click.option(
        *names,
        default=default,
        show_default=True,
        type=click.Path(dir_okay=False),
        envvar=envvar,
        help=help_text,
    )


# `--db PATH`, shared by the ledger commands
db_option = file_option("--db", "db_path", default="claims.db", help_text="The ledger database.")


@contextlib.contextmanager
def open_ledger(db_path: str, *, write: bool = False, create: bool = False) -> Iterator[Ledger]:
    """The ledger a command works on, opened the one way every command opens it.

    A read command (the default) opens the file read-only and never migrates it; a writing one
    migrates a ledger from an earlier version first. Only `create` makes a missing file a new
    ledger, so a mistyped --db is an error. The ledger's refusals (`LedgerError`) and a write to
    a file the user may not write become one-line errors.
    """
    import sqlite3

    from ledger.store import Ledger, LedgerError

    try:
        with Ledger(db_path, read_only=not write, create=create) as ledger:
            yield ledger
    except LedgerError as error:
        raise click.ClickException(str(error)) from error
    except sqlite3.OperationalError as error:
        if "readonly" not in str(error):
            raise
        raise click.ClickException(
            f"{db_path}: cannot write to the ledger ({error}); check the file's permissions"
        ) from error


def print_listing(
    rows: list[dict[str, Any]],
    output: str,
    columns: dict[str, int | None],
    counted: str,
    *,
    for_table: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """A listing as `output_options` chose: the rows as they are for --json, --nl and --csv,
    or a table of `columns` (name: width, None to fit) and a last line counting them ("3
    note(s)"); `for_table` makes a row readable in a table only (times to the second)."""
    from ledger.export import write_rows, write_table

    out = _stdout()
    if output != "table":
        write_rows(rows, output, out)
        return
    if for_table is not None:
        for row in rows:
            for_table(row)
    click.echo(f"{write_table(rows, columns, out)} {counted}")


def output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`-t/--table` (the default), `--json`, `--nl`, `--csv`: how a listing is printed."""
    for names, value, help_text in reversed(
        [
            (("-t", "--table"), "table", "A table for reading (the default)."),
            (("--json",), "json", "A JSON array."),
            (("--nl",), "nl", "Newline-delimited JSON, one object per line."),
            (("--csv",), "csv", "CSV with a header row."),
        ]
    ):
        if value == "table":  # the one switch that is on unless another is given
            option = click.option(*names, "output", flag_value=value, default=True, help=help_text)
        else:
            option = click.option(*names, "output", flag_value=value, help=help_text)
        command = option(command)
    return command


def encoding_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--encoding`: how to decode source files, instead of UTF-8 or what is detected."""

    def known(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        import codecs

        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError:
                raise click.BadParameter(f"unknown encoding {value!r}") from None
        return value

    return click.option(
        "--encoding",
        callback=known,
        help="Decode every file in this encoding (e.g. cp1252, latin-1), instead of UTF-8 or "
        "the one detected.",
    )(command)


def max_size_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--max-size MB`: the largest source file read, so a stray archive or dump is named and
    skipped, not read into memory."""
    return click.option(
        "--max-size",
        type=click.FloatRange(min=0, min_open=True),
        default=20.0,  # ledger.sources.DEFAULT_MAX_BYTES, not imported here: the readers load late
        show_default=True,
        help="Largest source file accepted, in MB.",
    )(command)


def reviewer_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--reviewer NAME` (or $LEDGER_REVIEWER), which every review write requires."""
    return click.option(
        "--reviewer",
        envvar="LEDGER_REVIEWER",
        help="Who you are (required; or set LEDGER_REVIEWER).",
    )(command)


def claim_filters(command: Callable[..., Any]) -> Callable[..., Any]:
    """The filters `ledger claims` and `ledger export` share."""
    for option in reversed(
        [
            click.option("--metric", help="Only claims of this metric (e.g. rd_spending)."),
            click.option(
                "--source", help="Only claims from this source (id, unique id prefix, publisher)."
            ),
            click.option(
                "--verdict",
                type=click.Choice([*VERDICTS, "unverified"]),
                help="Only claims whose latest verdict is this.",
            ),
            click.option("--search", help="Only claims whose quote or sentence has these words."),
            click.option("--limit", type=click.IntRange(min=1), help="At most this many claims."),
        ]
    ):
        command = option(command)
    return command


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Extract in this many worker processes.",
)
@click.option("--force", is_flag=True, help="Re-extract every file, even unchanged ones.")
@max_size_option
@encoding_option
@click.option(
    "--follow-links",
    is_flag=True,
    help="Also read symbolic links that lead out of the folders given (not followed by default).",
)
def ingest(
    paths: tuple[str, ...],
    db_path: str,
    jobs: int,
    force: bool,
    max_size: float,
    encoding: str | None,
    follow_links: bool,
) -> None:
    """Read sources (.txt, .md, saved .html/.htm pages, or folders of them) into the ledger.

    Only new or changed files are extracted (by sha256 of their bytes); sources are written whole,
    a few hundred to a transaction, so an interrupted ingest leaves every source whole or
    untouched. Metadata comes from a manifest.csv beside the files (and from a page's own
    metadata); a source's id is its file name without extension. A page's article text is
    stored, without the page's furniture; the file is kept as it is.
    Exit code 1 if any file or manifest row failed (each is named; the others are ingested).

    \b
    Examples:
      ledger ingest sources/
      ledger ingest --db claims.db --jobs 2 archive/ extra/article.md
      ledger ingest --encoding cp1252 old-archive/
    """
    import sqlite3
    import sys

    from ledger.sources import ManifestError, missing_reason

    if not any(os.path.lexists(path) for path in paths):
        # nothing to read: a mistyped folder makes no ledger and records no run
        raise click.ClickException(
            "; ".join(f"{printable(path)}: {missing_reason(path)}" for path in paths)
        )
    bar: Any = None

    def tick(source: object, status: str, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="ingesting", file=sys.stderr)
            bar.__enter__()
        bar.update(1)

    try:
        with open_ledger(db_path, write=True, create=True) as ledger:
            report = ledger.ingest(
                paths,
                jobs=jobs,
                force=force,
                max_bytes=int(max_size * 1024 * 1024),
                progress=tick if sys.stderr.isatty() else None,
                encoding=encoding,
                follow_links=follow_links,
            )
    except ManifestError as error:
        raise click.ClickException(str(error)) from error
    except sqlite3.OperationalError as error:  # e.g. locked by another writer past the timeout
        raise click.ClickException(
            f"{db_path}: {error}; every source written so far is whole, run the ingest again"
        ) from error
    except KeyboardInterrupt:
        raise click.ClickException(
            "interrupted: every source is either fully ingested or untouched; "
            "run the same ingest again to finish"
        ) from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    _finish_with_report(report)


@contextlib.contextmanager
def _claims(
    db_path: str,
    metric: str | None,
    source: str | None,
    verdict: str | None,
    search: str | None,
    limit: int | None,
) -> Iterator[Iterator[dict[str, Any]]]:
    """The claims `ledger claims` and `ledger export` show (the same filters, the same rows), read
    as they are printed, while the ledger is open."""
    with open_ledger(db_path) as ledger:
        rows = ledger.iter_claims(
            metric=metric, source=source, verdict=verdict, search=search, limit=limit
        )
        # closed before the ledger is, even when the reader stops early (`| head`): else its
        # cursor is closed later, on a closed database, with a traceback
        with contextlib.closing(rows):
            yield rows


def _stdout() -> IO[str]:
    """The stdout `click.echo` writes to (made UTF-8 when the locale says ASCII), for output
    written as it is made."""
    return click.open_file("-", "w")


_SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file


@contextlib.contextmanager
def _output_file(path: str) -> Iterator[TextIO]:
    """`path` opened for writing. A regular file is written beside it under another name and
    renamed into place once whole (keeping its mode): an interrupted export never leaves a file
    that looks complete, as a CSV cut at a row boundary does. A device or pipe is written as is.
    A SQLite database is never replaced: `-o claims.db` would have put a CSV in the ledger's
    place, its notes lost.
    """
    try:
        if os.path.exists(path) and not os.path.isfile(path):  # /dev/stdout, a named pipe
            with open(path, "w", encoding="utf-8", newline="") as handle:
                yield handle
            return
        if os.path.isfile(path):
            with open(path, "rb") as existing:
                if existing.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER:
                    raise click.ClickException(
                        f"{printable(path)} is a SQLite database (a ledger, or reference "
                        "statistics): an export never replaces one"
                    )
        from ledger.verify import partial_path, remove_stale_partials

        target = Path(os.path.realpath(path))  # through a symlink, as open() would write
        remove_stale_partials(target)
        partial = partial_path(target)
        try:
            with open(partial, "w", encoding="utf-8", newline="") as handle:
                yield handle
            if target.exists():
                shutil.copymode(target, partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    except OSError as error:
        raise click.ClickException(f"{path}: {error.strerror or error}") from error


def _finish_with_report(report: IngestReport) -> None:
    """Name each failed file and timed-out rule, print the summary; exit 1 if any file failed."""
    for failure in report.failures:
        click.echo(f"failed: {printable(failure.path)}: {printable(failure.reason)}", err=True)
    for timeout in report.rule_timeouts:
        rule, source = printable(timeout["rule"]), printable(timeout["source_id"])
        click.echo(f"rule timeout: {rule} in {source}", err=True)
    click.echo(report.summary())
    if report.failures:
        raise SystemExit(1)


@cli.command()
@click.argument("shards", nargs=-1, required=True, type=click.Path())
@db_option
def load(shards: tuple[str, ...], db_path: str) -> None:
    """Merge claim shards (from `ledger extract --engine dask`) into the ledger.

    Each source in the shards is written exactly as `ledger ingest` writes it (whole, the same
    stable claim ids); sources already stored with the same bytes are skipped.
    SHARDS are .jsonl / .jsonl.gz files or folders of them. Exit code 1 if any source failed.

    \b
    Examples:
      ledger extract --engine dask --output shards/ sources/
      ledger load shards/
      ledger load --db claims.db shards/part-00000.jsonl.gz shards/part-00001.jsonl.gz
    """
    from ledger.distributed import load_shards, shard_files

    try:
        files = shard_files(shards)  # a mistyped path makes no ledger
        with open_ledger(db_path, write=True, create=True) as ledger:
            report = load_shards(ledger, files)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    _finish_with_report(report)


@cli.command()
@click.argument("claim_id")
@click.option(
    "--verdict",
    type=click.Choice(VERDICTS),
    help="Your verdict; without one the note is a comment and the verdict stays as it was.",
)
@click.option("--text", required=True, help="What you found, in a sentence or two.")
@click.option("--evidence", "evidence_url", help="URL of the evidence.")
@click.option(
    "--group",
    is_flag=True,
    help="The same note on every claim grouped with this one (the same claim elsewhere).",
)
@reviewer_option
@db_option
def note(
    claim_id: str,
    verdict: str | None,
    text: str,
    evidence_url: str | None,
    group: bool,
    reviewer: str | None,
    db_path: str,
) -> None:
    """Add a verification note or a comment to a claim (append-only; the latest verdict counts).

    \b
    Examples:
      ledger note c-49925087ba170da9 --verdict accurate \\
        --text "NBS 2023 bulletin: 3.3278 trillion yuan" \\
        --evidence https://www.stats.gov.cn/ --reviewer ana
      ledger note c-49925087ba170da9 --text "Agree; NBS table 3" --reviewer ben   # a comment
      ledger note c-49925087ba170da9 --group --verdict accurate --text "..." --reviewer ana
    """
    from ledger.review import ReviewError, add_group_note, add_note

    write = add_group_note if group else add_note
    with open_ledger(db_path, write=True) as ledger:
        try:
            written = write(
                ledger.db, claim_id, verdict, text, evidence_url=evidence_url, reviewer=reviewer
            )
        except ReviewError as error:
            raise click.ClickException(str(error)) from error
    said = verdict or "comment (verdict unchanged)"
    for row in written if isinstance(written, list) else [written]:
        click.echo(f"note {row['id']} on {printable(row['claim_id'])}: {said}")


@cli.command()
@click.argument("claim_id", required=False)
@click.option("--orphaned", is_flag=True, help="Only notes whose claim no longer comes out.")
@output_options
@db_option
def notes(claim_id: str | None, orphaned: bool, output: str, db_path: str) -> None:
    """List verification notes, oldest first (all, one claim's, or the orphaned ones).

    \b
    Examples:
      ledger notes
      ledger notes c-49925087ba170da9
      ledger notes --orphaned --json
    """
    with open_ledger(db_path) as ledger:
        rows = ledger.notes(claim_id, orphaned=orphaned)

    def readable(row: dict[str, Any]) -> None:
        row["created_at"] = row["created_at"][:19]
        row["orphaned"] = "orphaned" if row["orphaned"] else ""

    columns: dict[str, int | None] = {"id": 6, "created_at": 19, "claim_id": None}
    columns |= {"verdict": 15, "reviewer": 12, "text": 50, "orphaned": 8}
    print_listing(rows, output, columns, "note(s)", for_table=readable)


@cli.command()
@claim_filters
@output_options
@db_option
def claims(
    metric: str | None,
    source: str | None,
    verdict: str | None,
    search: str | None,
    limit: int | None,
    output: str,
    db_path: str,
) -> None:
    """List claims as a table: id, the figure in words, quote, metric, latest verdict, source.

    \b
    Examples:
      ledger claims --metric rd_spending
      ledger claims --source 000_06537919e2765593 --verdict unverified
      ledger claims --search "semiconductor output" --json
    """
    from ledger.export import claims_table, write

    out = _stdout()
    with _claims(db_path, metric, source, verdict, search, limit) as rows:
        if output != "table":  # the export's records, so both give the same fields
            write(rows, {"nl": "jsonl"}.get(output, output), out)
            return
        count = claims_table(rows, out)
    click.echo(f"{count} claim(s)")


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "jsonl", "markdown", "claimreview"]),
    default="csv",
    show_default=True,
    help="Output format; claimreview is schema.org JSON-LD for claims with a verdict.",
)
@claim_filters
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here, not stdout.")
@click.option(
    "--site-url",
    envvar="LEDGER_SITE_URL",
    help="Where the ledger's pages are published (claim URLs; required for claimreview).",
)
@click.option(
    "--organisation",
    help="claimreview: the fact-checker publishing the reviews (default: ledger.toml's).",
)
@click.option(
    "--signed-off",
    is_flag=True,
    help="claimreview: only verdicts a second reviewer signed off (always so with "
    "`sign_off = true` in ledger.toml).",
)
@click.option("--config", "config_path", help="The settings file (default ./ledger.toml).")
@db_option
def export(
    fmt: str,
    metric: str | None,
    source: str | None,
    verdict: str | None,
    search: str | None,
    limit: int | None,
    output: str | None,
    site_url: str | None,
    organisation: str | None,
    signed_off: bool,
    config_path: str | None,
    db_path: str,
) -> None:
    """Export claims with their latest verdict, provenance, check outcomes and page URLs.

    \b
    Examples:
      ledger export --format json -o claims.json
      ledger export --format markdown --metric gdp_growth --site-url https://factcheck.example.org
      ledger export --format claimreview --site-url https://factcheck.example.org
    """
    from ledger.config import ConfigError, load_config
    from ledger.export import ExportOptions, write

    try:
        config = load_config(config_path)
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    warning = _check_site_url(site_url, fmt)
    if fmt == "claimreview" and not organisation and "organisation" not in config.model_fields_set:
        # else every review is signed by "ledger", the tool, as if it were the fact-checker
        warning = (
            "warning: no organisation named (--organisation, or [organisation] name in "
            f"ledger.toml): the reviews' author is '{config.organisation.name}'"
        )
    named = config.organisation.model_copy(update={"name": organisation}) if organisation else None
    options = ExportOptions(
        site_url=site_url,
        organisation=named or config.organisation,
        signed_off=signed_off or config.review.sign_off,
    )
    with _claims(db_path, metric, source, verdict, search, limit) as rows:
        if output is None:
            write(rows, fmt, _stdout(), options)
        else:
            with _output_file(output) as handle:
                count = write(rows, fmt, handle, options)
            what = "review(s)" if fmt == "claimreview" else "claim(s)"
            click.echo(f"wrote {count} {what} as {fmt} to {output}", err=True)
    if warning:
        click.echo(warning, err=True)


def _check_site_url(site_url: str | None, fmt: str) -> str | None:
    """A published export's claim links must open for a reader: an http(s) address, not this
    machine. ClaimReview refuses anything else; for Markdown and CSV, the warning to give."""
    import ipaddress
    from urllib.parse import urlparse

    if not site_url:
        if fmt == "claimreview":
            raise click.ClickException(
                "claimreview needs --site-url (or LEDGER_SITE_URL): each review's url must be "
                "its claim page where the ledger is published"
            )
        if fmt in ("markdown", "csv"):
            return ("warning: no --site-url: claim links are paths (/claims/claims/...) that "
                    "only work on the ledger's own site")  # fmt: skip
        return None
    parsed = urlparse(site_url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise click.ClickException(f"--site-url must be an http(s) address, not {site_url!r}")
    host = parsed.hostname
    try:
        local = ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_private
    except ValueError:
        local = host == "localhost" or host.endswith(".localhost")
    if not local:
        return None
    message = f"--site-url {site_url} is a local address, not where readers will find the ledger"
    if fmt == "claimreview":
        raise click.ClickException(f"{message}: ClaimReview urls must be public")
    return f"warning: {message}"


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--reviewers",
    "reviewers_path",
    type=click.Path(dir_okay=False),
    envvar="LEDGER_REVIEWERS",
    help="Reviewers who may sign in and add notes (made by `ledger reviewer add`).",
)
@click.option(
    "--no-pack",
    is_flag=True,
    help="Do not build the default pack of official statistics beside the ledger "
    "(one already there is still served).",
)
def serve(db_path: str, host: str, port: int, reviewers_path: str | None, no_pack: bool) -> None:
    """Browse the ledger in Datasette; signed-in reviewers add notes, nobody else writes.

    Without --reviewers nobody can sign in and the ledger is read-only for everyone. The
    official statistics beside the ledger are served too, read-only: the default pack
    (reference-pack.db, built first when missing) and references.db when imported.

    \b
    Examples:
      ledger serve --db claims.db --port 8001
      ledger serve --reviewers reviewers.json
    """
    from pathlib import Path

    from ledger.refdata.formats import ReferenceDataError
    from ledger.refdata.pack import ensure_pack
    from ledger.serve import (
        NO_SECRET_WARNING,
        ServeError,
        build_datasette,
        check_ledger,
        check_port,
        run,
    )
    from ledger.web.reviewers import ReviewersError

    try:
        check_ledger(Path(db_path))
        if not no_pack:
            try:
                ensure_pack(db_path)
            except (OSError, ReferenceDataError) as error:  # a read-only folder: serve without
                click.echo(f"warning: the default pack was not built: {error}", err=True)
        datasette = build_datasette(Path(db_path), Path(reviewers_path) if reviewers_path else None)
        check_port(host, port)
    except (ServeError, ReviewersError) as error:
        raise click.ClickException(printable(str(error))) from error
    if not os.environ.get("DATASETTE_SECRET"):
        click.echo(NO_SECRET_WARNING, err=True)
    click.echo(f"serving {printable(db_path)} at http://{host}:{port}/", err=True)
    run(datasette, host=host, port=port)


@cli.group()
def reviewer() -> None:
    """Manage who may sign in to `ledger serve` and add notes."""


# the shared --reviewers option of the `ledger reviewer` commands
reviewers_option = file_option(
    "--reviewers",
    "reviewers_path",
    default="reviewers.json",
    help_text="The reviewers file.",
    envvar="LEDGER_REVIEWERS",
)


def _change_reviewers(change: Callable[[], None], reviewers_path: str, name: str) -> int:
    """Run a change to the reviewers file, then end `name`'s sessions; how many were ended."""
    from pathlib import Path

    from ledger.web.auth import revoke_sessions
    from ledger.web.reviewers import ReviewersError

    try:
        change()
        return revoke_sessions(Path(reviewers_path), name)
    except (ReviewersError, OSError) as error:
        raise click.ClickException(printable(str(error))) from error


@reviewer.command("add")
@click.argument("name")
@reviewers_option
@click.password_option(help="The reviewer's password (prompted for, twice, when not given).")
def reviewer_add(name: str, reviewers_path: str, password: str) -> None:
    """Add a reviewer (or change their password); only a PBKDF2 hash is stored.

    \b
    Example:
      ledger reviewer add ana --reviewers reviewers.json
      ledger serve --reviewers reviewers.json
    """
    from pathlib import Path

    from ledger.web.reviewers import add_reviewer

    _change_reviewers(
        lambda: add_reviewer(Path(reviewers_path), name, password), reviewers_path, name
    )
    click.echo(f"reviewer {name} saved in {printable(reviewers_path)}")


@reviewer.command("passwd")
@click.argument("name")
@reviewers_option
@click.option("--password", help="The new password (prompted for, twice, when not given).")
def reviewer_passwd(name: str, reviewers_path: str, password: str | None) -> None:
    """Give a reviewer a new password, and sign them out everywhere.

    \b
    Example:
      ledger reviewer passwd ana --reviewers reviewers.json
    """
    from pathlib import Path

    from ledger.web.reviewers import ReviewersError, add_reviewer, load_reviewers

    try:  # an unknown reviewer is said before the password is asked for, not after
        known = name in load_reviewers(Path(reviewers_path))
    except ReviewersError as error:
        raise click.ClickException(printable(str(error))) from error
    if not known:
        raise click.ClickException(f"no reviewer {printable(name)} in {printable(reviewers_path)}")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    ended = _change_reviewers(
        lambda: add_reviewer(Path(reviewers_path), name, password, must_exist=True),
        reviewers_path,
        name,
    )
    click.echo(f"reviewer {name}: password changed, {ended} session(s) ended")


@reviewer.command("remove")
@click.argument("name")
@reviewers_option
def reviewer_remove(name: str, reviewers_path: str) -> None:
    """Take a reviewer out, and sign them out everywhere (their notes stay).

    \b
    Example:
      ledger reviewer remove ana --reviewers reviewers.json
    """
    from pathlib import Path

    from ledger.web.reviewers import remove_reviewer

    ended = _change_reviewers(
        lambda: remove_reviewer(Path(reviewers_path), name), reviewers_path, name
    )
    click.echo(f"reviewer {name} removed, {ended} session(s) ended")


@reviewer.command("list")
@reviewers_option
def reviewer_list(reviewers_path: str) -> None:
    """List the reviewers who may sign in.

    \b
    Example:
      ledger reviewer list --reviewers reviewers.json
    """
    from pathlib import Path

    from ledger.web.reviewers import ReviewersError, load_reviewers

    try:
        names = sorted(load_reviewers(Path(reviewers_path)))
    except ReviewersError as error:
        raise click.ClickException(printable(str(error))) from error
    for name in names:
        click.echo(name)
    click.echo(f"{len(names)} reviewer(s)", err=True)


@cli.command()
@db_option
@click.option(
    "--sources",
    "sources_dir",
    type=click.Path(exists=True, file_okay=False),
    help="Find source files here by id (default: each source's stored path).",
)
def verify(db_path: str, sources_dir: str | None) -> None:
    """Check the ledger can be trusted: integrity, quotes, file drift, notes.

    Read-only. Runs PRAGMA integrity_check, compares every live claim's quote with its source's
    stored text at its offsets, every stored hash with the file on disk, and checks every note's
    claim exists (or is kept as orphaned). Exit code 1 when anything is wrong.

    \b
    Examples:
      ledger verify
      ledger verify --db claims.db --sources sources/
    """
    import sqlite3

    from ledger.store import LedgerError
    from ledger.verify import verify as verify_ledger

    try:
        report = verify_ledger(db_path, sources_dir)
    except LedgerError as error:
        raise click.ClickException(str(error)) from error
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"{db_path}: {error}") from error
    for line in report.lines():
        click.echo(printable(line))
    if not report.ok:
        raise SystemExit(1)


@cli.command()
@click.argument("target", type=click.Path(dir_okay=False))
@db_option
@click.option("--force", is_flag=True, help="Replace TARGET if it exists.")
def backup(target: str, db_path: str, force: bool) -> None:
    """Copy the ledger to TARGET, safely even while it is being written.

    Uses SQLite's online backup API (one consistent snapshot), checks the copy's integrity, and
    only then puts it in place, so TARGET is never half-written.

    \b
    Examples:
      ledger backup backups/claims-2026-01-05.db
      ledger backup --db claims.db /mnt/safe/claims.db --force
    """
    import sqlite3

    from ledger.store import LedgerError
    from ledger.verify import backup as backup_ledger

    try:
        result = backup_ledger(db_path, target, overwrite=force)
    except (LedgerError, FileNotFoundError, FileExistsError, sqlite3.DatabaseError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"backed up {db_path} to {result.target}: {result.sources:,} sources, "
        f"{result.claims:,} claims, {result.notes:,} notes, {result.bytes:,} bytes, integrity ok"
    )


@cli.command()
@db_option
def migrate(db_path: str) -> None:
    """Upgrade a ledger written by an earlier version to this version's schema, notes kept.

    Any command that writes (ingest, note, check, ...) does this first; commands that only read
    leave the file alone and ask for it.

    \b
    Example:
      ledger migrate --db claims.db
    """
    import sqlite3

    from ledger.migrations import schema_state
    from ledger.store import connect_read_only

    try:
        with contextlib.closing(connect_read_only(Path(db_path))) as db:
            before = schema_state(db).version
    except (OSError, sqlite3.DatabaseError):
        before = None  # opening it to write names what is wrong with it
    with open_ledger(db_path, write=True) as ledger:
        after = schema_state(ledger.db).version
    if before == after:
        click.echo(f"{db_path} is at schema version {after}: nothing to do")
    else:
        click.echo(f"{db_path} upgraded from schema version {before} to {after}")


@cli.command()
@db_option
@click.option(
    "--tolerance",
    type=float,
    default=2.0,
    show_default=True,
    help="How far (in percent) an exact figure may be from a reference; approx ones get 10.",
)
@click.option("--explain", "explain_id", metavar="CLAIM_ID", help="Then explain this claim.")
@click.option(
    "--no-pack",
    is_flag=True,
    help="Leave out the default pack of official statistics shipped with ledger.",
)
@click.option(
    "--references-db",
    type=click.Path(dir_okay=False),
    help="Official statistics imported with `ledger reference import` "
    "[default: references.db beside the ledger, when it exists].",
)
def check(
    db_path: str,
    tolerance: float,
    explain_id: str | None,
    no_pack: bool,
    references_db: str | None,
) -> None:
    """Check every current claim against the references and against each other.

    References are the cited figures in the ledger (sources/references.csv), the default pack of
    official statistics shipped with ledger (World Bank WDI, FRED exchange rates, EIA oil
    prices, Bank of England, ONS, BLS; built beside the ledger as reference-pack.db on first
    use) and whatever `ledger reference import` loaded. Replaces the `checks` table and prints
    the count of claims by suggested outcome: consistent, inconsistent, revised (within the
    indicator's revision band of data revised since), forecast (never checked as a fact),
    ambiguous, no-reference. A check suggests; the reviewer's note stays the verdict.

    \b
    Examples:
      ledger check
      ledger check --tolerance 5
      ledger check --no-pack
      ledger check --explain c-49925087ba170da9
    """
    from ledger.check import CheckError, explain, explainable_claim, run_checks
    from ledger.matching import write_groups
    from ledger.refdata.formats import ReferenceDataError
    from ledger.refdata.lookup import reference_databases

    with open_ledger(db_path, write=True) as ledger:
        db = ledger.db
        try:
            if explain_id:
                explainable_claim(db, explain_id)
            official = reference_databases(db_path, references_db, pack=not no_pack)
            summary = run_checks(db, tolerance_pct=tolerance, official=official)
            groups, grouped = write_groups(db)
            if explain_id:
                shown = explain(db, explain_id)
                click.echo("\n".join(printable(line) for line in shown.split("\n")))
            else:
                click.echo(summary.line())
                click.echo(
                    f"{grouped} claims said more than once, in {groups} group(s) of the same claim"
                )
        except (CheckError, ReferenceDataError) as error:
            raise click.ClickException(str(error)) from error


@cli.group()
def reference() -> None:
    """Reference statistics that claims are checked against (sources/references.csv)."""


@reference.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
@db_option
def reference_load(path: str, db_path: str) -> None:
    """Load a references CSV file, replacing rows with the same id (all or nothing).

    \b
    Example:
      ledger reference load sources/references.csv
    """
    from ledger.references import ReferenceError, load_into

    with open_ledger(db_path, write=True) as ledger:
        try:
            count = load_into(ledger.db, path)
        except ReferenceError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"loaded {count} references from {path}")


@reference.command("add")
@db_option
@click.option("--id", "ref_id", required=True, help="A stable slug, e.g. gdp-growth-2021-nbs.")
@click.option("--metric", required=True, help="The extractor's metric, e.g. gdp_growth.")
@click.option("--subject", help="Who the figure is about, e.g. China.")
@click.option("--period", help="2021, 2021-Q4 or 2021-06.")
@click.option("--value", required=True, type=float, help="The figure, scale applied.")
@click.option("--unit", required=True, help="CNY, USD, percent, percentage_point, satellite...")
@click.option("--bound", default="exact", show_default=True, help="exact, more_than, at_least...")
@click.option("--keywords", help="'|'-separated words the claim's clause must hold.")
@click.option("--publisher", required=True, help="Who published the figure.")
@click.option("--title", help="Title of the publication.")
@click.option("--url", help="Where it can be read.")
@click.option("--published", help="Publication date, YYYY-MM-DD.")
@click.option("--note", help="What it counts, and how sure you are.")
def reference_add(db_path: str, ref_id: str, **fields: Any) -> None:
    """Add (or replace) one reference figure, with its citation.

    \b
    Example:
      ledger reference add --id gdp-growth-2021-nbs --metric gdp_growth --subject China \\
        --period 2021 --value 8.1 --unit percent \\
        --publisher "National Bureau of Statistics of China" --published 2022-01-17
    """
    from pydantic import ValidationError

    from ledger.models import validation_message
    from ledger.references import Reference, upsert_references

    try:
        ref = Reference.model_validate({"id": ref_id, **fields})
    except ValidationError as error:
        raise click.ClickException(validation_message(error)) from error
    with open_ledger(db_path, write=True) as ledger:
        upsert_references(ledger.db, [ref])
    click.echo(f"added reference {ref.id}")


def _holds_claims(path: str | Path) -> bool:
    """Whether `path` is a SQLite database with a ledger's claims table: `--references-db
    claims.db` would have written the statistics' tables into the ledger."""
    import sqlite3

    if not os.path.isfile(path):
        return False
    with open(path, "rb") as handle:
        if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
            return False
    try:
        connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            found = connection.execute(
                "select 1 from sqlite_master where type = 'table' and name = 'claims'"
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError:  # not a database after all: the import names the problem
        return False
    return found is not None


def _release_date(value: str | None) -> str | None:
    """A `--vintage`, checked: YYYY-MM-DD, YYYY-MM or YYYY. The check compares it as text with a
    story's publication date, so "Oct 2024" would read every value as released after any story.

    >>> _release_date("2024-10"), _release_date(None)
    ('2024-10', None)
    """
    import re
    from datetime import date

    if value is None:
        return None
    parts = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    try:
        if parts is None:
            raise ValueError
        date(int(parts[1]), int(parts[2] or 1), int(parts[3] or 1))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: YYYY-MM-DD, YYYY-MM or YYYY") from None
    return value


@reference.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["auto", *REFERENCE_FORMATS]))
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
@click.option(
    "--references-db",
    type=click.Path(dir_okay=False),
    help="Where to import to [default: references.db beside the ledger].",
)
@click.option(
    "--vintage", callback=lambda ctx, param, value: _release_date(value),
    help="When the publisher released the data: 2024-10, 2024-10-15.",
)  # fmt: skip
def reference_import(
    fmt: str, paths: tuple[str, ...], db_path: str, references_db: str | None, vintage: str | None
) -> None:
    """Import official statistics files (streamed; importing a file again changes nothing).

    FORMAT is one of wdi (World Bank WDI long CSV with its datapackage.json), weo (IMF WEO as
    DDF: the folder), fred (FRED exchange rates, annual or monthly), eia (EIA spot prices),
    boe-bank-rate (dated changes), boe-millennium, ons (ONS time-series CSV), bls (CPI-U,
    CPS table A-1), or auto (recognised by their header; folders are searched).
    `ledger check` uses what is imported, beside the default pack.

    \b
    Examples:
      ledger reference import wdi wdi/indicators/ny.gdp.mktp.kd.zg
      ledger reference import weo WEO-2024-10/ --vintage 2024-10
      ledger reference import auto reference-data/
    """
    import sqlite3

    from ledger.refdata.formats import ReferenceDataError
    from ledger.refdata.store import import_paths, imported_path
    from ledger.store import unwritable_folder

    target = references_db or imported_path(db_path)
    if _holds_claims(target):
        raise click.ClickException(
            f"{printable(target)} is a ledger: statistics are imported into a database of their "
            "own (references.db beside the ledger, or another --references-db)"
        )
    try:
        summary = import_paths(target, fmt, paths, vintage=vintage)
    except ReferenceDataError as error:
        raise click.ClickException(str(error)) from error
    except sqlite3.DatabaseError as error:  # not SQLite, or a file the user may not write
        folder = unwritable_folder(target)
        if folder is not None and "unable to open" in str(error):
            raise click.ClickException(
                f"{target}: cannot import into it: its folder {folder} is not writable"
            ) from error
        raise click.ClickException(f"{target}: cannot import into it ({error})") from error
    click.echo(f"{target}: {summary.line()}")


@reference.command("datasets")
@db_option
@click.option("--references-db", type=click.Path(dir_okay=False), help="An imported database.")
@click.option("--no-pack", is_flag=True, help="Leave out the default pack.")
def reference_datasets(db_path: str, references_db: str | None, no_pack: bool) -> None:
    """List the official datasets `ledger check` uses: provenance, licence, values.

    \b
    Example:
      ledger reference datasets
    """
    from ledger.refdata.lookup import reference_databases
    from ledger.refdata.store import list_datasets

    for path in reference_databases(db_path, references_db, pack=not no_pack):
        click.echo(f"{path}:")
        for row in list_datasets(path):
            click.echo(
                f"  {row['id']:20} {row['values']:>8,} values  vintage {row['vintage'] or '?':10}"
                f"  {row['licence'] or 'no licence stated':12}  {row['publisher']}: {row['title']}"
            )


@reference.command("build-pack")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--output",
    type=click.Path(exists=True, file_okay=False),
    default="ledger/data",
    show_default=True,
    help="Where the pack's two files are written.",
)
def reference_build_pack(folder: str, output: str) -> None:
    """Build the default reference pack from the official-statistics FOLDER (for maintainers).

    Follows ledger/refdata/pack.toml; refuses data whose licence does not allow redistribution.

    \b
    Example:
      ledger reference build-pack ../shared/reference-data
    """
    from ledger.refdata.formats import ReferenceDataError
    from ledger.refdata.pack import build_pack_files

    try:
        count, datasets = build_pack_files(Path(folder), Path(output))
    except ReferenceDataError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"wrote {count:,} values from {', '.join(datasets)} to {output}")


@reference.command("list")
@db_option
@click.option("--metric", help="Only references of this metric.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
def reference_list(db_path: str, metric: str | None, as_json: bool) -> None:
    """List the reference figures: id, metric, subject, period, value, unit, publisher.

    \b
    Examples:
      ledger reference list
      ledger reference list --metric satellites --json
    """
    import json

    from ledger.references import list_references

    with open_ledger(db_path) as ledger:
        rows = list_references(ledger.db, metric=metric)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    click.echo(
        f"{'id':42} {'metric':20} {'subject':8} {'period':8} {'value':>14} {'unit':10} publisher"
    )
    for row in rows:
        text = {key: printable(value or "") for key, value in row.items() if key != "value"}
        click.echo(
            f"{text['id']:42} {text['metric']:20} {text['subject']:8} {text['period']:8} "
            f"{row['value']:>14g} {text['unit']:10} {text['publisher']}"
        )


@cli.command()
@click.argument("urls", nargs=-1)
@click.option(
    "--into", required=True, type=click.Path(file_okay=False),
    help="The sources folder to save pages in (its manifest.csv is updated).",
)  # fmt: skip
@click.option(
    "--feed", "feeds", multiple=True, metavar="URL",
    help="An RSS or Atom feed: fetch the articles it lists that the folder does not hold yet.",
)  # fmt: skip
@click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), default=20.0, show_default=True,
    help="Seconds allowed for each download, whole.",
)  # fmt: skip
@click.option(
    "--max-size", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
    help="Largest page accepted, in MB.",
)  # fmt: skip
@click.option(
    "--max-redirects", type=click.IntRange(min=0), default=5, show_default=True,
    help="Redirects followed before a URL fails.",
)  # fmt: skip
@click.option("--ignore-robots", is_flag=True, help="Fetch what the site's robots.txt forbids.")
def fetch(
    urls: tuple[str, ...],
    into: str,
    feeds: tuple[str, ...],
    timeout: float,
    max_size: float,
    max_redirects: int,
    ignore_robots: bool,
) -> None:
    """Download news pages (URLS, and the new articles of each --feed) into a sources folder.

    Each page is saved byte for byte under a name made from its URL (fetching it again updates
    it), and its manifest.csv row gets the url, the time it was retrieved and the page's own
    title, publisher, author and date (cells someone filled in are kept). Then `ledger ingest
    DIR` reads them. Only http and https; the site's robots.txt is obeyed unless
    --ignore-robots. Exit code 1 if any URL failed (each is named; the others are fetched).

    \b
    Examples:
      ledger fetch https://example.com/news/story.html --into sources/
      ledger fetch --feed https://example.com/business/rss.xml --into sources/
      ledger ingest sources/
    """
    from ledger.fetch import Fetcher, FetchPolicy, fetch_pages
    from ledger.sources import ManifestError

    if not urls and not feeds:
        raise click.UsageError("give at least one URL or --feed URL")
    policy = FetchPolicy(
        timeout=timeout,
        max_bytes=int(max_size * 1024 * 1024),
        max_redirects=max_redirects,
        obey_robots=not ignore_robots,
    )
    try:
        with Fetcher(policy) as fetcher:
            report = fetch_pages(urls, into, fetcher, feeds=feeds)
    except ManifestError as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:
        raise click.ClickException(f"{into}: {error.strerror or error}") from error
    for saved in report.saved:
        click.echo(f"{saved.status}: {printable(saved.url)} -> {printable(str(saved.path))}")
    for failure in report.failures:
        click.echo(f"failed: {printable(failure.url)}: {printable(failure.reason)}", err=True)
    click.echo(report.summary())
    if report.failures:
        raise SystemExit(1)


@cli.command("extract")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "json", "csv", "table"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one JSON object per claim, with a `source` field naming the file.",
)
@click.option(
    "--published",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m", "%Y"]),
    help="Publication date (YYYY-MM-DD, or YYYY-MM / YYYY when that is all that is known) that "
    "'last year' is resolved against; default: the file's manifest row, or the page's own date.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="dask: extract FILES (files or folders) on a Dask cluster into shards for `ledger load`.",
)
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler (default: a local cluster).")
@click.option("--output", type=click.Path(file_okay=False), help="Where --engine dask writes.")
@click.option(
    "--workers", type=click.IntRange(min=1), default=2, show_default=True,
    help="Worker processes of the local cluster (--engine dask without --scheduler).",
)  # fmt: skip
@click.option(
    "--partition-size", type=click.IntRange(min=1), default=500, show_default=True,
    help="Sources per partition, so per shard (--engine dask).",
)  # fmt: skip
@click.option(
    "--rules", "rules_dir", type=click.Path(file_okay=False),
    help="A folder of rule files to use instead of the package's (a copy of ledger/rules/).",
)  # fmt: skip
@max_size_option
@encoding_option
def extract_command(
    files: tuple[str, ...],
    fmt: str,
    published: Any,
    engine: str,
    scheduler: str | None,
    output: str | None,
    workers: int,
    partition_size: int,
    rules_dir: str | None,
    max_size: float,
    encoding: str | None,
) -> None:
    """Print the quantitative claims in FILES (text, or saved web pages), without touching the
    ledger. Files are read as `ledger ingest` reads them: a page's article text, without the
    page's furniture; text not in UTF-8 decoded by detection or --encoding. A file that cannot be
    read is named and the rest are read; the exit code is then 1.

    With --engine dask, FILES (files or folders) are extracted on a Dask cluster instead, one
    shard of claims with their sources' provenance per partition, written to --output; merge
    them into a ledger with `ledger load`. Dates come from manifest.csv, as in `ledger ingest`.

    \b
    Examples:
      ledger extract sources/000_06537919e2765593.txt
      ledger extract --format table --published 2021-01-26 article.txt
      ledger extract --format csv sources/*.txt > claims.csv
      ledger extract --rules my-rules/ article.txt
      ledger extract --engine dask --output shards/ archive/ && ledger load shards/
      ledger extract --engine dask --scheduler tcp://10.0.0.5:8786 --output /nfs/shards /nfs/news
    """
    if engine == "dask":
        _extract_on_dask(files, published, scheduler, output, workers, partition_size)
        return
    if scheduler or output:
        raise click.ClickException("--scheduler and --output go with --engine dask")
    from ledger.extract_output import extract_files, render
    from ledger.rules import RulesError, load_rules

    when = published.date() if published is not None else None
    try:
        rules = load_rules(rules_dir) if rules_dir else None
    except RulesError as error:
        raise click.ClickException(str(error)) from error
    results = []
    unread = 0
    for path, claims, timed_out, unreadable in extract_files(
        files,
        published=when,
        rules=rules,
        encoding=encoding,
        max_bytes=int(max_size * 1024 * 1024),
    ):
        if unreadable is not None:  # named, and the other files still read: exit code 1 at the end
            click.echo(f"Error: {printable(unreadable)}", err=True)
            unread += 1
            continue
        for rule in timed_out:
            click.echo(f"rule timeout: {printable(rule)} in {printable(path)}", err=True)
        if fmt == "jsonl":  # stream: one file's claims at a time
            click.echo(render([(path, claims)], fmt), nl=False)
        else:
            results.append((path, claims))
    if fmt != "jsonl" and (results or not unread):
        click.echo(render(results, fmt), nl=False)
    if unread:
        raise click.exceptions.Exit(1)


def _extract_on_dask(
    files: tuple[str, ...],
    published: Any,
    scheduler: str | None,
    output: str | None,
    workers: int,
    partition_size: int,
) -> None:
    if output is None:
        raise click.ClickException("--engine dask needs --output DIR for the shards")
    if published is not None:
        raise click.ClickException("--published does not go with --engine dask (see manifest.csv)")
    try:
        from ledger.distributed import extract_to_shards
    except ImportError as error:
        raise click.ClickException(
            f"--engine dask needs Dask: pip install 'ledger[dask]' ({error})"
        ) from error
    from ledger.sources import ManifestError

    try:
        summary = extract_to_shards(
            files, output, scheduler=scheduler, workers=workers, partition_size=partition_size
        )
    except (ManifestError, OSError) as error:
        raise click.ClickException(str(error)) from error
    for failure in summary.failures:
        click.echo(f"failed: {printable(failure['path'])}: {printable(failure['error'])}", err=True)
    click.echo(
        f"{summary.sources} source(s), {summary.claims} claim(s) in {len(summary.shards)} shard(s) "
        f"in {output}; {len(summary.failures)} failed"
    )
    if summary.failures:
        raise SystemExit(1)


@cli.command("rules")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@click.option(
    "--rules", "rules_dir", type=click.Path(file_okay=False),
    help="Check and list a folder of rule files instead of the package's.",
)  # fmt: skip
def rules_command(as_json: bool, rules_dir: str | None) -> None:
    """List the extractor's rules (ledger/rules/*.toml): file, kind, id and what each catches.

    \b
    Examples:
      ledger rules
      ledger rules --json
      ledger rules --rules my-rules/    # check a copy of ledger/rules/ you edited
    """
    import json

    from ledger.extract_output import rules_table
    from ledger.rules import RulesError, load_rules

    try:
        rows = rules_table(load_rules(rules_dir) if rules_dir else None)
    except RulesError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['file']:16} {row['kind']:11} {row['id']:22} {row['comment']}")


from ledger import cli_review  # noqa: E402  (its commands use the options defined above)

cli_review.register(cli)
