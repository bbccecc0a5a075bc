"""The reviewer's desk on the command line: a thin layer over `ledger.review`.

`ledger correct`, `reject`, `restore`, `add-claim`, `sign-off`, and the listings `corrections`,
`rejections` and `audit`. Every write needs `--reviewer` (or $LEDGER_REVIEWER) and leaves a row in
the `audit` table.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import click

from ledger.cli import db_option, open_ledger, output_options, print_listing, reviewer_option
from ledger.models import BOUND_WORDS


@contextlib.contextmanager
def _desk(db_path: str, *, write: bool = True) -> Iterator[Any]:
    """The ledger's database opened (`open_ledger`) for a review write, or read-only for a
    listing; review errors as one line."""
    from ledger.review import ReviewError

    with open_ledger(db_path, write=write) as ledger:
        try:
            yield ledger.db
        except ReviewError as error:
            raise click.ClickException(str(error)) from error


def reading_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The fields of a reading a reviewer may give (`ledger correct`, `ledger add-claim`)."""
    options = [
        click.option("--value", help="The figure, scale applied (3.3e12 for 3.3 trillion)."),
        click.option("--value-high", help="The upper end of a range."),
        click.option("--unit", help="CNY, USD, percent, percentage_point, satellite..."),
        click.option("--bound", type=click.Choice(list(BOUND_WORDS)), help="How it is bounded."),
        click.option("--change", help="increase or decrease ('' for a level, not a change)."),
        click.option("--metric", help="A metric of ledger/rules/metrics.toml (`ledger rules`)."),
        click.option("--subject", help="Who or what the figure is about ('' for none)."),
        click.option("--period", help="YYYY, YYYY-MM or YYYY-Qn ('' for none)."),
        click.option("--attribution", help="Who said it ('' for nobody named)."),
        click.option("--summary", help="The claim in at most 75 characters, for ClaimReview."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _reading(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


@click.command()
@click.argument("claim_id")
@reading_options
@click.option("--reason", help="Why the extractor's reading is wrong (required).")
@reviewer_option
@db_option
def correct(
    claim_id: str, reason: str | None, reviewer: str | None, db_path: str, **fields: Any
) -> None:
    """Correct what the extractor read of a claim: its value, unit, metric, period...

    Corrections are append-only; the extractor's reading is kept and shown beside. Checks,
    facets, conflicts, charts and exports use the corrected reading, and the correction survives
    re-ingest (it follows the claim's words).

    \b
    Examples:
      ledger correct c-49925087ba170da9 --unit USD --reason "the article means dollars" \\
        --reviewer ana
      ledger correct c-49925087ba170da9 --period 2023 --metric rd_spending \\
        --reason "the sentence is about 2023 R&D" --reviewer ana
    """
    from ledger.review import correct as correct_claim

    with _desk(db_path) as db:
        row = correct_claim(db, claim_id, _reading(fields), reason=reason, reviewer=reviewer)
    changed = ", ".join(f"{key} {_readable(value)}" for key, value in _fields(row).items())
    click.echo(f"correction {row['id']} on {claim_id}: {changed}")


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    import json

    fields = json.loads(row["fields"])
    return {key: value for key, value in fields.items() if key != "kind"}


@click.command()
@click.argument("claim_id")
@click.option("--reason", help="Why this is not a claim (required).")
@reviewer_option
@db_option
def reject(claim_id: str, reason: str | None, reviewer: str | None, db_path: str) -> None:
    """Mark a claim as not a claim: it leaves the queues, checks and exports (`ledger restore`
    brings it back). The source page still shows it, as rejected.

    \b
    Example:
      ledger reject c-49925087ba170da9 --reason "a page number, not a figure" --reviewer ana
    """
    from ledger.review import reject as reject_claim

    with _desk(db_path) as db:
        row = reject_claim(db, claim_id, reason=reason, reviewer=reviewer)
    click.echo(f"rejected {claim_id} (rule {row['rule']})")


@click.command()
@click.argument("claim_id")
@click.option("--reason", help="Why it is a claim after all (required).")
@reviewer_option
@db_option
def restore(claim_id: str, reason: str | None, reviewer: str | None, db_path: str) -> None:
    """Undo a rejection: the claim is back in the queues, checks and exports.

    \b
    Example:
      ledger restore c-49925087ba170da9 --reason "it is the budget after all" --reviewer ana
    """
    from ledger.review import restore as restore_claim

    with _desk(db_path) as db:
        restore_claim(db, claim_id, reason=reason, reviewer=reviewer)
    click.echo(f"restored {claim_id}")


@click.command("add-claim")
@click.argument("source_id")
@click.option("--quote", required=True, help="The claim's exact words in the source.")
@click.option(
    "--occurrence",
    type=click.IntRange(min=1),
    help="Which appearance of the quote (1 = first), when it appears more than once.",
)
@reading_options
@reviewer_option
@db_option
def add_claim(
    source_id: str,
    quote: str,
    occurrence: int | None,
    reviewer: str | None,
    db_path: str,
    **fields: Any,
) -> None:
    """Add a claim the extractor missed, at its words in a source.

    SOURCE_ID may be a unique prefix of the id. Fields not given are read by the extractor on
    those words; the claim is marked as added by you, gets a stable id and survives re-ingest.

    \b
    Examples:
      ledger add-claim 000_06537919e2765593 --quote "nearly half" --value 50 --unit percent \\
        --bound approx --metric market_share --reviewer ana
      ledger add-claim 004_dac431702563645e --quote "\\$52 billion" --occurrence 2 --reviewer ana
    """
    from ledger.review import add_claim as add
    from ledger.store import source_by_prefix

    with _desk(db_path) as db:
        source_id = source_by_prefix(db, source_id)
        row = add(db, source_id, quote, occurrence=occurrence, given=_reading(fields),
                  reviewer=reviewer)  # fmt: skip
    click.echo(f"added {row['id']} in {source_id} at {row['start']}-{row['end']}: {row['quote']!r}")


@click.command("sign-off")
@click.argument("note_id", type=int)
@reviewer_option
@db_option
def sign_off(note_id: int, reviewer: str | None, db_path: str) -> None:
    """Sign off another reviewer's verdict (a note with a verdict): with `sign_off = true` in
    ledger.toml, only signed-off verdicts are published.

    \b
    Example:
      ledger notes c-49925087ba170da9      # find the note's id
      ledger sign-off 12 --reviewer ben
    """
    from ledger.review import sign_off as sign

    with _desk(db_path) as db:
        row = sign(db, note_id, reviewer)
    click.echo(f"note {note_id} on {row['claim_id']} signed off by {row['reviewer']}")


@click.command()
@click.argument("claim_id", required=False)
@click.option("--orphaned", is_flag=True, help="Only corrections no claim is at the words of.")
@output_options
@db_option
def corrections(claim_id: str | None, orphaned: bool, output: str, db_path: str) -> None:
    """List corrections, oldest first: what changed, from what, who and why.

    \b
    Examples:
      ledger corrections
      ledger corrections c-49925087ba170da9 --json
      ledger corrections --orphaned
    """
    from ledger.review import corrections as listed

    with _desk(db_path, write=False) as db:
        rows = listed(db, claim_id, orphaned=orphaned)
    for row in rows:
        fields = {key: value for key, value in row["fields"].items() if key != "kind"}
        row["change"] = "; ".join(
            f"{key}: {_readable(row['original'].get(key))} -> {_readable(value)}"
            for key, value in fields.items()
        )
        row["created_at"] = row["created_at"][:19]
        row["orphaned_at"] = (row["orphaned_at"] or "")[:19]
    columns: dict[str, int | None] = {"id": 6, "created_at": 19, "claim_id": None}
    columns |= {"change": 50, "reason": 40, "reviewer": 12, "orphaned_at": 19}
    print_listing(rows, output, columns, "correction(s)")


def _readable(value: Any) -> str:
    """A corrected field as a reader says it: '1.4 trillion', not 1400000000000.0."""
    from ledger.describe import number_in_words

    if isinstance(value, float):
        return number_in_words(value)
    return "(none)" if value is None else str(value)


@click.command()
@output_options
@db_option
def rejections(output: str, db_path: str) -> None:
    """Which extractor rules reviewers reject most: the feedback from review to ledger/rules/.

    \b
    Examples:
      ledger rejections
      ledger rejections --csv > rejected-rules.csv
    """
    from ledger.review import rejections_by_rule

    with _desk(db_path, write=False) as db:
        rows = rejections_by_rule(db)
    columns: dict[str, int | None] = {"rule": None, "rejected": 8, "claims": 8}
    columns |= {"rejected_pct": 12, "reasons": 70}
    print_listing(rows, output, columns, "rule(s) with rejected claims")


@click.command()
@click.argument("claim_id", required=False)
@output_options
@db_option
def audit(claim_id: str | None, output: str, db_path: str) -> None:
    """Every review write, oldest first: notes, corrections, rejections, added claims, sign-offs,
    and what a re-ingest moved or orphaned.

    \b
    Examples:
      ledger audit
      ledger audit c-49925087ba170da9 --json
    """
    import json

    from ledger.review import audit as listed

    with _desk(db_path, write=False) as db:
        rows = listed(db, claim_id)

    def readable(row: dict[str, Any]) -> None:
        row["detail"] = json.dumps(row["detail"], ensure_ascii=False)
        row["at"] = row["at"][:19]

    columns: dict[str, int | None] = {"id": 6, "at": 19, "reviewer": 12, "action": 10}
    columns |= {"claim_id": None, "detail": 60}
    print_listing(rows, output, columns, "write(s)", for_table=readable)


def register(group: click.Group) -> None:
    """Add the review commands to the `ledger` group."""
    for command in (correct, reject, restore, add_claim, sign_off, corrections, rejections, audit):
        group.add_command(command)
