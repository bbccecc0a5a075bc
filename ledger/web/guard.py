"""What every request to a ledger server passes through before Datasette sees it.

- No HTTP authentication: an `Authorization` header is dropped. None is configured, and
  Datasette (and datasette-auth-passwords, installed beside it) would otherwise take Basic
  credentials on any request, skip the CSRF check for them, and answer a malformed one with 500.
- A `ds_actor` cookie whose session has ended (signed out, reviewer removed or re-passworded,
  expired, or never issued) is dropped, so Datasette sees an anonymous visitor.
- A write request (any method but GET, HEAD, OPTIONS) from another site is refused (403), and
  one to a path that does not write by design is refused (405; `write_allowed` decides).
- Every answer forbids framing (clickjacking of the note form) and MIME sniffing.
- CSV answers have their cells neutralised for spreadsheets (`ledger.escaping.csv_cell`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from datasette.utils.asgi import Response

from ledger.escaping import CsvRewriter
from ledger.web.auth import COOKIE, auth_of, cookies_of, same_site

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

HARDENING_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
]

Asgi = Callable[[dict, Any, Any], Awaitable[None]]
WriteAllowed = Callable[[Any, str], Awaitable[bool]]


def _without_header(scope: dict[str, Any], name: bytes) -> list[tuple[bytes, bytes]]:
    return [(key, value) for key, value in scope.get("headers") or [] if key.lower() != name]


def _cookie_header(cookies: dict[str, str]) -> bytes:
    return "; ".join(f"{key}={value}" for key, value in cookies.items()).encode("latin-1")


def clean_scope(datasette: Any, scope: dict[str, Any]) -> dict[str, Any]:
    """The request as Datasette may see it: no credentials but a live session cookie."""
    headers = _without_header(scope, b"authorization")
    cookies = cookies_of(scope)
    auth = auth_of(datasette)
    if COOKIE in cookies and (
        auth is None or not auth.session_reviewer(datasette, cookies[COOKIE])
    ):
        del cookies[COOKIE]
        headers = [(key, value) for key, value in headers if key.lower() != b"cookie"]
        if cookies:
            headers.append((b"cookie", _cookie_header(cookies)))
    return {**scope, "headers": headers}


def is_csv(scope: dict[str, Any]) -> bool:
    if scope["path"].endswith(".csv"):
        return True
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return query.get("_format") == ["csv"]


def _hardened(send: Any, csv: bool) -> Any:
    """`send` with the hardening headers added, and CSV bodies rewritten when `csv`."""
    rewriter = CsvRewriter() if csv else None

    async def hardened(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            headers = [
                (key, value)
                for key, value in message.get("headers") or []
                # a rewritten body changes length: send it chunked
                if not (rewriter and key.lower() == b"content-length")
            ]
            message = {**message, "headers": headers + HARDENING_HEADERS}
        elif message["type"] == "http.response.body" and rewriter is not None:
            body = rewriter.feed(message.get("body", b""))
            if not message.get("more_body", False):
                body += rewriter.close()
            message = {**message, "body": body}
        await send(message)

    return hardened


def guard(datasette: Any, app: Asgi, write_allowed: WriteAllowed) -> Asgi:
    """Wrap a ledger server's ASGI app in everything above."""

    async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        scope = clean_scope(datasette, scope)
        send = _hardened(send, is_csv(scope))
        if scope["method"] not in SAFE_METHODS:
            if not same_site(scope):
                await Response.text(
                    "403 Forbidden: a write from another site is refused.\n", status=403
                ).asgi_send(send)
                return
            if not await write_allowed(datasette, scope["path"]):
                await Response.text(
                    "405 Method Not Allowed: this ledger is read-only; signed-in reviewers add "
                    "notes from a claim's page.\n",
                    status=405,
                    headers={"allow": "GET, HEAD, OPTIONS"},
                ).asgi_send(send)
                return
        await app(scope, receive, send)

    return guarded
