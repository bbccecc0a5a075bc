"""The `ledger` command: a thin click layer over the Python API, one command per stage."""

from __future__ import annotations

import click

from ledger import __version__


@click.group()
@click.version_option(__version__, prog_name="ledger")
def cli() -> None:
    """A fact-check ledger for the numbers in the news."""
