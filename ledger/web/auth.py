"""Who is signed in, and how they sign in and out: the ledger's only way to become a reviewer.

Kept apart from the plugin's pages so every route that writes can ask the same questions:

- `reviewer_of(datasette, request)`: the signed-in reviewer's name, or None.
- `form_is_genuine(request, form)`: the form came from one of our own pages (CSRF token matched
  against its cookie, not only when the browser sent cookies, as Datasette's check does).
- `same_site(scope)`: a write request a browser sent from one of our own pages.

Sessions. Signing in mints a random nonce, kept (hashed) in a small SQLite file beside the
reviewers file, and sets the signed `ds_actor` cookie naming it, HttpOnly, SameSite=Lax, Secure
over https, with an expiry. A cookie is honoured only while its nonce is: signing out, `ledger
reviewer remove` and `ledger reviewer passwd` delete it, so a copied cookie stops working.

Guessing. Failed sign-ins are counted by name and by address; past the limit the answer is HTTP
429 with Retry-After, before any hashing. An unknown name costs one PBKDF2 run like a known one,
and PBKDF2 runs on its own threads, never on the event loop that serves every page.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import sqlite3
import threading
import time
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from datasette.utils import baseconv
from datasette.utils.asgi import Response
from datasette_auth_passwords.utils import hash_password, verify_password
from itsdangerous import BadSignature

from ledger.web.metadata import REVIEWER_ROLE as ROLE
from ledger.web.reviewers import ReviewersError, load_reviewers

SESSION_SECONDS = 12 * 3600  # a working day; sign in again after
COOKIE = "ds_actor"  # Datasette's own actor cookie, so its pages show who is signed in

# Failed sign-ins allowed in WINDOW seconds, per name tried and per client address.
WINDOW = 15 * 60
FAILURES_PER_NAME = 5
FAILURES_PER_ADDRESS = 20
TRACKED_KEYS = 10_000  # beyond this many names/addresses, the quietest are forgotten first

# A secret shorter than this, or with fewer distinct characters, can be guessed offline from
# one signed cookie: `DATASETTE_SECRET=a` let a forged cookie in.
MIN_SECRET_LENGTH = 32
MIN_SECRET_CHARACTERS = 8


class SecretError(ValueError):
    """DATASETTE_SECRET is too weak to sign sessions with."""


def check_secret(secret: str) -> str:
    """Return the secret if it is strong enough to sign cookies, else raise SecretError.

    >>> check_secret("a")
    Traceback (most recent call last):
    ...
    ledger.web.auth.SecretError: DATASETTE_SECRET is too weak: use at least 32 random ...
    >>> len(check_secret("5e1f0c9a2b7d4e6f8a1b3c5d7e9f0a2b"))
    32
    """
    if len(secret) < MIN_SECRET_LENGTH or len(set(secret)) < MIN_SECRET_CHARACTERS:
        raise SecretError(
            f"DATASETTE_SECRET is too weak: use at least {MIN_SECRET_LENGTH} random characters, "
            "e.g. the output of `python3 -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    return secret


def sessions_path(reviewers_path: Path) -> Path:
    """The sessions file kept beside a reviewers file."""
    return reviewers_path.with_name(reviewers_path.name + ".sessions")


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


class Sessions:
    """Live sign-ins: hashed nonce -> reviewer and expiry, in SQLite so the CLI can revoke them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.execute("pragma busy_timeout = 5000")
        self._connection.execute(
            "create table if not exists sessions "
            "(nonce text primary key, reviewer text not null, expires real not null)"
        )

    def start(self, reviewer: str) -> tuple[str, float]:
        """A new session for `reviewer`: its nonce and when it expires (epoch seconds)."""
        nonce = secrets.token_urlsafe(24)
        expires = time.time() + SESSION_SECONDS
        with self._lock:
            self._connection.execute("delete from sessions where expires < ?", [time.time()])
            self._connection.execute(
                "insert into sessions values (?, ?, ?)", [_digest(nonce), reviewer, expires]
            )
        return nonce, expires

    def reviewer(self, nonce: str) -> str | None:
        """Who the session belongs to, while it is live."""
        with self._lock:
            row = self._connection.execute(
                "select reviewer from sessions where nonce = ? and expires >= ?",
                [_digest(nonce), time.time()],
            ).fetchone()
        return row[0] if row else None

    def end(self, nonce: str) -> None:
        with self._lock:
            self._connection.execute("delete from sessions where nonce = ?", [_digest(nonce)])


def revoke_sessions(reviewers_path: Path, reviewer: str) -> int:
    """End every session of `reviewer` (for `ledger reviewer remove` and `passwd`); how many."""
    path = sessions_path(reviewers_path)
    if not path.exists():
        return 0
    with sqlite3.connect(path) as connection:
        connection.execute("pragma busy_timeout = 5000")
        try:
            return connection.execute(
                "delete from sessions where reviewer = ?", [reviewer]
            ).rowcount
        except sqlite3.OperationalError:  # an empty file: no table, no sessions
            return 0


@dataclass
class Throttle:
    """Failures per key in a sliding window; `wait(key)` is how long until one more is allowed."""

    limit: int
    window: float = WINDOW
    _failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def wait(self, key: str, now: float) -> float:
        failures = self._failures.get(key)
        if not failures:
            return 0.0
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if len(failures) < self.limit:
            return 0.0
        return failures[-self.limit] + self.window - now

    def fail(self, key: str, now: float) -> None:
        if len(self._failures) >= TRACKED_KEYS and key not in self._failures:
            # forget the keys whose last failure is oldest, so guessing cannot fill memory
            by_age = sorted(
                self._failures, key=lambda k: self._failures[k][-1] if self._failures[k] else 0
            )
            for old in by_age[: TRACKED_KEYS // 10]:
                del self._failures[old]
        self._failures[key].append(now)

    def forgive(self, key: str) -> None:
        self._failures.pop(key, None)


class Reviewers:
    """The reviewers file, read again whenever it changes (so `ledger reviewer ...` takes effect
    on a running server)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._seen: tuple[int, int] | None = None
        self._reviewers: dict[str, str] = load_reviewers(path) if path else {}
        self._stamp()

    def _stamp(self) -> tuple[int, int] | None:
        if self.path is None:
            return None
        try:
            found = self.path.stat()
        except FileNotFoundError:
            return None
        stamp = (found.st_mtime_ns, found.st_size)
        if self._seen is None:
            self._seen = stamp
        return stamp

    def current(self) -> dict[str, str]:
        stamp = self._stamp()
        if self.path is not None and stamp != self._seen:
            try:
                self._reviewers = load_reviewers(self.path) if stamp else {}
                self._seen = stamp
            except ReviewersError:
                pass  # half-edited by hand: keep the last good list until it reads again
        return self._reviewers


class Auth:
    """Sign-in state of one ledger server: reviewers, live sessions, guess counters."""

    def __init__(self, reviewers_path: Path | None) -> None:
        self.reviewers = Reviewers(reviewers_path)
        self.sessions = Sessions(sessions_path(reviewers_path)) if reviewers_path else None
        self.by_name = Throttle(FAILURES_PER_NAME)
        self.by_address = Throttle(FAILURES_PER_ADDRESS)
        # Hashing has threads of its own: guessers queue behind each other, not behind pages.
        self._hashing = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ledger-pbkdf2")
        iterations = next(
            (int(digest.split("$")[1]) for digest in self.reviewers.current().values()), 480_000
        )
        # An unknown name is checked against this, so it takes as long as a known one.
        self._decoy = hash_password(secrets.token_urlsafe(16), iterations=iterations)

    @property
    def enabled(self) -> bool:
        return self.sessions is not None

    async def password_matches(self, name: str, password: str) -> bool:
        known = self.reviewers.current().get(name)
        matches = await asyncio.get_running_loop().run_in_executor(
            self._hashing, verify_password, password, known or self._decoy
        )
        return bool(known) and matches

    def session_reviewer(self, datasette: Any, signed: str) -> str | None:
        """The reviewer a `ds_actor` cookie value names, if its session is live."""
        nonce = _cookie_nonce(datasette, signed)
        if not nonce or self.sessions is None:
            return None
        name = self.sessions.reviewer(nonce)
        return name if name and name in self.reviewers.current() else None


def _cookie_nonce(datasette: Any, signed: str) -> str | None:
    try:
        decoded = datasette.unsign(signed, "actor")
    except BadSignature:
        return None
    actor = decoded.get("a") if isinstance(decoded, dict) else None
    nonce = actor.get("session") if isinstance(actor, dict) else None
    return nonce if isinstance(nonce, str) else None


def auth_of(datasette: Any) -> Auth | None:
    """The ledger server's sign-in state (None on a Datasette that is not a ledger server)."""
    return getattr(datasette, "ledger_auth", None)


def reviewer_of(datasette: Any, request: Any) -> str | None:
    """The name of the reviewer signed in on this request, or None (anonymous, or revoked)."""
    actor = request.actor or {}
    auth = auth_of(datasette)
    if not auth or actor.get("role") != ROLE:
        return None
    name = actor.get("id")
    return name if name in auth.reviewers.current() else None


# --- requests ---------------------------------------------------------------------------------


def header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def cookies_of(scope: dict[str, Any]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header(scope, b"cookie") or "")
    except Exception:  # noqa: BLE001 - a malformed Cookie header is the same as none
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


def same_site(scope: dict[str, Any]) -> bool:
    """False when the browser says the request comes from another site (Sec-Fetch-Site, Origin).

    A client that sends neither (curl, a test), or an opaque `Origin: null` (a page with
    Datasette's no-referrer policy sends it for its own forms), is judged by the CSRF token alone.
    """
    fetch_site = header(scope, b"sec-fetch-site")
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return False
    origin = header(scope, b"origin")
    if origin is None or origin == "null":
        return True
    host = header(scope, b"host") or ""
    return origin in (f"http://{host}", f"https://{host}")


def form_is_genuine(request: Any, form: dict[str, str]) -> bool:
    """True when the form carries the CSRF token its cookie holds.

    Datasette checks the token only when the request carries cookies; a cross-site form
    (SameSite=Lax cookies are not sent) arrives with none, so the check is made here always.
    """
    cookie = request.cookies.get("ds_csrftoken")
    token = form.get("csrftoken") or ""
    return bool(cookie) and secrets.compare_digest(cookie.encode(), token.encode())


def _address(request: Any) -> str:
    client = request.scope.get("client")
    return str(client[0]) if client else "unknown"


def _too_many(seconds: float) -> Response:
    wait = max(1, int(seconds + 0.999))
    return Response.text(
        f"429 Too Many Requests: too many failed sign-ins; try again in {wait} seconds.\n",
        status=429,
        headers={"retry-after": str(wait)},
    )


async def _login_page(
    datasette: Any, request: Any, error: str | None, status: int = 200
) -> Response:
    html = await datasette.render_template("ledger_login.html", {"error": error}, request=request)
    return Response.html(html, status=status)


def _end_current_session(datasette: Any, request: Any, auth: Auth) -> None:
    signed = request.cookies.get(COOKIE)
    nonce = _cookie_nonce(datasette, signed) if signed else None
    if nonce and auth.sessions is not None:
        auth.sessions.end(nonce)


def _next_page(wanted: str | None, fallback: str) -> str:
    """Where to go after signing in: a path of this site, never another site.

    >>> _next_page("/claims/claims/c-1", "/"), _next_page("//evil.example/", "/")
    ('/claims/claims/c-1', '/')
    """
    if wanted and wanted.startswith("/") and not wanted.startswith(("//", "/\\")):
        return wanted
    return fallback


async def login_view(request: Any, datasette: Any) -> Response:
    """/-/login: the sign-in form, and signing in (throttled, CSRF-checked)."""
    auth = auth_of(datasette)
    if auth is None or not auth.enabled:
        return await _login_page(datasette, request, "Nobody can sign in to this ledger.", 403)
    if request.method != "POST":
        return await _login_page(datasette, request, None)
    form = await request.post_vars()
    if not form_is_genuine(request, form):
        return await _login_page(datasette, request, "The form expired: please try again.", 403)
    name = (form.get("username") or "").strip()
    now = time.monotonic()
    wait = max(auth.by_name.wait(name.lower(), now), auth.by_address.wait(_address(request), now))
    if wait > 0:
        return _too_many(wait)
    if not await auth.password_matches(name, form.get("password") or ""):
        auth.by_name.fail(name.lower(), now)
        auth.by_address.fail(_address(request), now)
        return await _login_page(datasette, request, "Invalid username or password")
    auth.by_name.forgive(name.lower())
    _end_current_session(datasette, request, auth)
    assert auth.sessions is not None
    nonce, expires = auth.sessions.start(name)
    signed = datasette.sign(
        {
            "a": {"id": name, "role": ROLE, "session": nonce},
            "e": baseconv.base62.encode(int(expires)),
        },
        "actor",
    )
    response = Response.redirect(_next_page(form.get("next"), datasette.urls.instance()))
    response.set_cookie(
        COOKIE,
        signed,
        max_age=SESSION_SECONDS,
        httponly=True,
        secure=request.scope.get("scheme") == "https",
        samesite="lax",
    )
    return response


async def logout_view(request: Any, datasette: Any) -> Response:
    """/-/logout: a form (GET) that signs out (POST, CSRF-checked) and ends the session for good."""
    auth = auth_of(datasette)
    if request.method != "POST":
        if not request.actor:
            return Response.redirect(datasette.urls.instance())
        html = await datasette.render_template(
            "logout.html", {"actor": request.actor}, request=request
        )
        return Response.html(html)
    form = await request.post_vars()
    if not form_is_genuine(request, form):
        return Response.text("403 Forbidden: the form expired, please try again.\n", status=403)
    if auth is not None:
        _end_current_session(datasette, request, auth)
    response = Response.redirect(datasette.urls.instance())
    response.set_cookie(COOKIE, "", expires=0, max_age=0, httponly=True)
    datasette.add_message(request, "You are now signed out", datasette.WARNING)
    return response
