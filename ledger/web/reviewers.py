"""The reviewers file: who may sign in and add notes, with their passwords hashed.

It is JSON in datasette-auth-passwords' configuration format (its hashing is used as is):

    {"ana_password_hash": "pbkdf2_sha256$480000$<salt>$<hash>"}

Only PBKDF2-SHA256 hashes are stored, never a password; there is no default account, so a
ledger served without a reviewers file has nobody who can write.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import regex
from datasette_auth_passwords.utils import hash_password

SUFFIX = "_password_hash"
MIN_PASSWORD_LENGTH = 10

# A reviewer's name is what notes record as `reviewer`: keep it to a plain handle.
NAME = regex.compile(
    r"""
    ^[a-z0-9]           # starts with a letter or digit
    [a-z0-9._-]{0,39}$  # then up to 39 letters, digits, dots, dashes or underscores
    """,
    regex.VERBOSE,
)


class ReviewersError(ValueError):
    """The reviewers file or a name/password given for it is not usable."""


def check_name(name: str) -> str:
    """Return the name if it can be a reviewer's id, else raise ReviewersError.

    >>> check_name("ana.lima")
    'ana.lima'
    >>> NAME.match("Ana Lima") is None  # check_name raises ReviewersError for this
    True
    """
    if not NAME.match(name):
        raise ReviewersError(f"reviewer name must be 1-40 of a-z 0-9 . _ - (got {name!r})")
    return name


def load_reviewers(path: Path) -> dict[str, str]:
    """Map each reviewer's name to their password hash; raise ReviewersError if malformed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ReviewersError(f"no reviewers file at {path}") from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReviewersError(f"cannot read reviewers file {path}: {error}") from error
    if not isinstance(data, dict):
        raise ReviewersError(f"reviewers file {path} must hold a JSON object")
    reviewers: dict[str, str] = {}
    for key, value in data.items():
        if not key.endswith(SUFFIX):
            raise ReviewersError(f"reviewers file {path}: unexpected key {key!r}")
        name = check_name(key.removesuffix(SUFFIX))
        if (
            not isinstance(value, str)
            or not value.startswith("pbkdf2_sha256$")
            or (value.count("$") != 3)
        ):
            raise ReviewersError(
                f"reviewers file {path}: {name}'s entry is not a pbkdf2_sha256 hash"
            )
        reviewers[name] = value
    return reviewers


def _save(path: Path, reviewers: dict[str, str]) -> None:
    """Replace the file atomically with these reviewers, readable by its owner only."""
    data = {f"{who}{SUFFIX}": digest for who, digest in sorted(reviewers.items())}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
            out.write("\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def add_reviewer(
    path: Path, name: str, password: str, *, iterations: int = 480_000, must_exist: bool = False
) -> None:
    """Add a reviewer or give one a new password (only that, with `must_exist`); only the
    hash is stored."""
    check_name(name)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ReviewersError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    reviewers = load_reviewers(path) if path.exists() else {}
    if must_exist and name not in reviewers:
        raise ReviewersError(f"no reviewer {name} in {path}")
    reviewers[name] = hash_password(password, iterations=iterations)
    _save(path, reviewers)


def remove_reviewer(path: Path, name: str) -> None:
    """Take one reviewer out of the file (their notes stay, signed with their name)."""
    reviewers = load_reviewers(path)
    if name not in reviewers:
        raise ReviewersError(f"no reviewer {name} in {path}")
    del reviewers[name]
    _save(path, reviewers)
