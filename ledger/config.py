"""The ledger's settings for publishing: who the fact-checker is, and how verdicts are published.

Read from `ledger.toml` (in the working directory, or the file named by `--config` or
`LEDGER_CONFIG`); every setting has a default, so a ledger with no config file still works:

    [organisation]
    name = "Example Fact Check"          # the author of every published ClaimReview
    url = "https://factcheck.example.org"

    [review]
    sign_off = true     # a verdict is published once a second reviewer signs it off
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from ledger.models import validation_message

CONFIG_NAME = "ledger.toml"


class ConfigError(ValueError):
    """A config file that cannot be read or says something unknown: one-line message."""


class Organisation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "ledger"
    url: str | None = None


class ReviewSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # A verdict is published (claimreview export, the claim page's JSON-LD) only once a reviewer
    # other than its author has signed it off.
    sign_off: bool = False


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: Organisation = Organisation()
    review: ReviewSettings = ReviewSettings()


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """The config at `path`, else at $LEDGER_CONFIG, else ./ledger.toml; defaults when none.

    >>> load_config("no-such-dir/ledger.toml")
    Traceback (most recent call last):
    ...
    ledger.config.ConfigError: no-such-dir/ledger.toml: no such file
    >>> load_config().organisation.name if not Path(CONFIG_NAME).exists() else "ledger"
    'ledger'
    """
    named = path or os.environ.get("LEDGER_CONFIG")
    if named is None:
        if not Path(CONFIG_NAME).is_file():
            return Config()
        named = CONFIG_NAME
    try:
        data = tomllib.loads(Path(named).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{named}: no such file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{named}: {error}") from error
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"{named}: {validation_message(error)}") from error
