"""The reviewer's desk in the browser: notes, corrections, rejections, added claims and sign-offs
as plugin routes, writing through `ledger.review` as the CLI does.

`POST /-/ledger/review/<database>/<action>`, for a signed-in reviewer only, with the CSRF token of
one of our own pages. After saving, the reviewer is sent back to the page the form was on; a
refused write goes back there too, with the error and everything typed carried in a signed
`_review` parameter, so the page shows the error beside the form, filled in as it was.
"""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import quote, urlencode, urlsplit

import sqlite_utils
from datasette.utils import tilde_decode
from datasette.utils.asgi import Response
from itsdangerous import BadSignature

from ledger import review
from ledger.describe import claim_words
from ledger.web.auth import form_is_genuine, reviewer_of, same_site

ROUTE = r"^/-/ledger/review/(?P<database>[^/]+)/(?P<action>[a-z-]+)$"
PREFIX = "/-/ledger/review/"
FORM_NAMESPACE = "ledger-review-form"
# What a refused form carries back: at most this many characters of each field.
KEPT_CHARS = 4000


def is_review_path(path: str) -> bool:
    """True for the review routes (the write guard lets them through to `review_view`)."""
    return path.startswith(PREFIX) and path.count("/") == 5


def _back(form: dict[str, str], fallback: str) -> str:
    """Where the form was: a path of this site (never another site's URL)."""
    back = form.get("back") or ""
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or not back.startswith("/") or back.startswith("//"):
        return fallback
    return back


def _reading(form: dict[str, str]) -> dict[str, str]:
    """The fields of a reading the form gave (an empty box is a field not given)."""
    return {key: form[key] for key in review.CORRECTABLE if (form.get(key) or "").strip()}


def _write(action: str, db: sqlite_utils.Database, form: dict[str, str], who: str) -> Saved:
    """Do one review write; what to tell the reviewer when it is saved."""
    claim = form.get("claim_id") or ""
    if action == "note":
        verdict = form.get("verdict") or ""
        if not verdict:
            raise review.ReviewError("choose a verdict, or 'comment' to leave it as it is")
        verdict_or_none = None if verdict == "comment" else verdict
        write = review.add_group_note if form.get("group") else review.add_note
        write(db, claim, verdict_or_none, form.get("text") or "",
              evidence_url=form.get("evidence_url"), reviewer=who)  # fmt: skip
        return Saved("Comment saved." if verdict_or_none is None else f"Verdict saved: {verdict}.")
    if action == "correct":
        review.correct(db, claim, _reading(form), reason=form.get("reason"), reviewer=who)
        return Saved("Correction saved.")
    if action in ("reject", "restore"):
        change = review.reject if action == "reject" else review.restore
        change(db, claim, reason=form.get("reason"), reviewer=who)
        return Saved("Rejected: not a claim." if action == "reject" else "Restored.")
    if action == "add-claim":
        row = review.add_claim(db, form.get("source_id") or "", form.get("quote") or "",
                               at=_number(form.get("start")), given=_reading(form),
                               reviewer=who)  # fmt: skip
        return Saved("Claim added:", row["id"])
    if action == "sign-off":
        note = _number(form.get("note_id"))
        if note is None:
            raise review.ReviewError("no note to sign off")
        review.sign_off(db, note, who)
        return Saved("Signed off.")
    raise review.ReviewError(f"unknown review action {action!r}")


class Saved(NamedTuple):
    """What a saved write tells the reviewer, and the claim it made (an added claim's page)."""

    message: str
    claim_id: str | None = None


def _number(text: str | None) -> int | None:
    try:
        return int(text) if text not in (None, "") else None
    except ValueError:
        raise review.ReviewError(f"not a number: {text!r}") from None


def _with_form(datasette: Any, back: str, carried: dict[str, Any]) -> str:
    """`back` with the signed outcome of the form (error or message, and what was typed)."""
    path, _, anchor = back.partition("#")
    signed = datasette.sign(carried, FORM_NAMESPACE)
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}{urlencode({'_review': signed})}#{anchor or 'review'}"


def carried_form(datasette: Any, request: Any) -> dict[str, Any] | None:
    """What a review route sent back to this page (`_with_form`), or None."""
    signed = request.args.get("_review")
    if not signed:
        return None
    try:
        found = datasette.unsign(signed, FORM_NAMESPACE)
    except BadSignature:
        return None
    return found if isinstance(found, dict) else None


async def review_view(request: Any, datasette: Any) -> Response:
    """One review write from a page's form; back to that page, saved or with the error."""
    if request.method != "POST":
        return Response.text("405: the review forms post here\n", status=405)
    try:
        db = datasette.get_database(route=tilde_decode(request.url_vars["database"]))
    except KeyError:
        return Response.text("404: no such ledger\n", status=404)
    action = request.url_vars["action"]
    form = await request.post_vars()
    back = _back(form, datasette.urls.instance())
    who = reviewer_of(datasette, request)
    if who is None:
        return Response.redirect(datasette.urls.path("/-/login") + "?next=" + quote(back, safe=""))
    if not form_is_genuine(request, form) or not same_site(request.scope):
        return Response.text("403 Forbidden: the form expired, please try again.\n", status=403)
    try:
        saved = await db.execute_write_fn(
            lambda conn: _write(action, sqlite_utils.Database(conn), form, who), block=True
        )
    except review.ReviewError as error:
        typed = {key: str(value)[:KEPT_CHARS] for key, value in form.items()
                 if key not in ("csrftoken", "back")}  # fmt: skip
        carried = {"action": action, "error": str(error), "form": typed}
        return Response.redirect(_with_form(datasette, back, carried))
    outcome = {"action": action, "saved": saved.message, "claim_id": saved.claim_id}
    return Response.redirect(_with_form(datasette, back, outcome))


async def reading_view(request: Any, datasette: Any) -> Response:
    """GET /-/ledger/reading/<database>?source_id=&quote=&start=: what the extractor reads in the
    words a reviewer selected on a source page (JSON), before the claim is added. Reviewers only:
    it runs the extractor over the whole source."""
    if reviewer_of(datasette, request) is None:
        return Response.json({"error": "sign in to add claims"}, status=403)
    try:
        db = datasette.get_database(route=tilde_decode(request.url_vars["database"]))
    except KeyError:
        return Response.json({"error": "no such ledger"}, status=404)
    args = request.args
    source, quote = args.get("source_id") or "", args.get("quote") or ""
    try:
        at = _number(args.get("start"))
        if at is None:
            raise review.ReviewError("no offset given")
        reading = await db.execute_fn(
            lambda conn: review.read_selection(sqlite_utils.Database(conn), source, quote, at)
        )
    except review.ReviewError as error:
        return Response.json({"error": str(error)}, status=400)
    words = claim_words(reading) if reading.get("value") is not None else None
    return Response.json({"reading": reading, "words": words})
