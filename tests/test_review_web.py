"""The reviewer's desk in the browser's place: the review routes (ledger/web/review_routes.py)
driven through Datasette's test client, as the claim page's forms post them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlite_utils
from made_up_ledger import PASSWORD, make_ledger
from test_web import csrf, get, run, sign_in

from ledger.serve import build_datasette
from ledger.web.reviewers import add_reviewer


@pytest.fixture()
def ledger(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "claims.db"
    return path, make_ledger(path)


@pytest.fixture()
def reviewers(tmp_path: Path) -> Path:
    path = tmp_path / "reviewers.json"
    add_reviewer(path, "ana", PASSWORD, iterations=1000)
    return path


def post(datasette: Any, action: str, form: dict[str, str], jar: dict[str, str]) -> Any:
    token, jar = csrf(datasette, jar)
    return run(
        datasette.client.post(
            f"/-/ledger/review/claims/{action}",
            data={**form, "csrftoken": token},
            cookies=jar,
        )
    )


def follow(datasette: Any, response: Any, jar: dict[str, str]) -> str:
    assert response.status_code == 302, response.text
    return get(datasette, response.headers["location"], cookies=jar).text


def test_a_note_a_comment_a_correction_and_a_rejection_from_the_claim_page(ledger, reviewers):
    path, ids = ledger
    datasette = build_datasette(path, reviewers)
    jar = sign_in(datasette, "ana", PASSWORD)
    back = f"/claims/claims/{ids['big']}"
    page = get(datasette, back, cookies=jar).text
    assert 'class="ledger-note-form"' in page and "choose…" in page  # no verdict chosen for you
    assert '<option value="" disabled selected>choose…</option>' in page

    saved = post(datasette, "note", {"claim_id": ids["big"], "verdict": "mostly-accurate",
                                     "text": "Close.", "back": back}, jar)  # fmt: skip
    assert urlsplit(saved.headers["location"]).path == back
    assert "Verdict saved: mostly-accurate." in follow(datasette, saved, jar)
    said = {"claim_id": ids["big"], "verdict": "comment", "text": "I'd say accurate.", "back": back}
    comment = post(datasette, "note", said, jar)
    shown = follow(datasette, comment, jar)
    assert "Comment saved." in shown
    assert 'ledger-verdict verdict-mostly-accurate">mostly-accurate</dd>' in shown

    corrected = post(datasette, "correct", {"claim_id": ids["big"], "unit": "USD",
                                            "reason": "dollars", "back": back}, jar)  # fmt: skip
    shown = follow(datasette, corrected, jar)
    assert "Correction saved." in shown and "<td>CNY</td><td>USD</td>" in shown
    rejected = post(datasette, "reject", {"claim_id": ids["rise"], "reason": "a date",
                                          "back": back}, jar)  # fmt: skip
    assert "Rejected: not a claim." in follow(datasette, rejected, jar)
    db = sqlite_utils.Database(path)
    assert db["claims"].get(ids["big"])["unit"] == "USD"
    assert db["claims"].get(ids["rise"])["rejected_at"]
    actions = [row["action"] for row in db.query("select action from audit order by id")]
    assert actions == ["note", "comment", "correction", "reject"]
    assert [row["reviewer"] for row in db.query("select reviewer from audit")] == ["ana"] * 4


def test_a_refused_form_comes_back_with_the_error_and_the_typed_text(ledger, reviewers):
    path, ids = ledger
    datasette = build_datasette(path, reviewers)
    jar = sign_in(datasette, "ana", PASSWORD)
    back = f"/claims/claims/{ids['big']}"
    typed = "Yearbook table 4 <b>says</b> 3.1"
    refused = post(datasette, "note", {"claim_id": ids["big"], "verdict": "inaccurate",
                                       "text": typed, "evidence_url": "ftp://stats.example/4",
                                       "back": back}, jar)  # fmt: skip
    location = refused.headers["location"]
    assert urlsplit(location).path == back and "_review" in parse_qs(urlsplit(location).query)
    shown = follow(datasette, refused, jar)
    assert "Not saved: evidence URL must be an http(s) URL" in shown
    assert "Yearbook table 4 &lt;b&gt;says&lt;/b&gt; 3.1</textarea>" in shown  # kept, escaped
    assert 'value="ftp://stats.example/4"' in shown
    assert '<option value="inaccurate" selected>' in shown
    no_reason = post(datasette, "correct", {"claim_id": ids["big"], "unit": "usd",
                                            "back": back}, jar)  # fmt: skip
    assert "Not saved: a reason is required" in follow(datasette, no_reason, jar)
    assert sqlite_utils.Database(path)["notes"].count == 2  # the fixture's two, nothing added


def test_only_a_signed_in_reviewer_with_the_pages_token_writes(ledger, reviewers):
    path, ids = ledger
    datasette = build_datasette(path, reviewers)
    back = f"/claims/claims/{ids['big']}"
    anonymous = post(datasette, "reject", {"claim_id": ids["big"], "reason": "x",
                                           "back": back}, {})  # fmt: skip
    assert anonymous.status_code == 302
    assert anonymous.headers["location"] == f"/-/login?next={back.replace('/', '%2F')}"
    jar = sign_in(datasette, "ana", PASSWORD)
    forged = run(datasette.client.post("/-/ledger/review/claims/reject", cookies=jar,
                                       data={"claim_id": ids["big"], "reason": "x",
                                             "csrftoken": "forged"}))  # fmt: skip
    assert forged.status_code == 403
    elsewhere = post(datasette, "reject", {"claim_id": ids["big"], "reason": "x",
                                           "back": "https://evil.example/"}, jar)  # fmt: skip
    assert elsewhere.headers["location"].startswith("/?_review=")  # never off-site
    assert sqlite_utils.Database(path)["rejections"].count == 1


def test_signing_in_from_a_claim_page_lands_back_on_it(ledger, reviewers):
    path, ids = ledger
    datasette = build_datasette(path, reviewers)
    back = f"/claims/claims/{ids['big']}"
    page = get(datasette, back).text
    link = re.search(r'<a href="([^"]+)">Sign in</a>', page).group(1)
    assert link == f"/-/login?next={back}"
    login = get(datasette, link.replace("&amp;", "&"))
    token = re.search(r'name="csrftoken" value="([^"]+)"', login.text).group(1)
    assert f'name="next" value="{back}"' in login.text
    response = run(datasette.client.post(
        "/-/login", data={"username": "ana", "password": PASSWORD, "csrftoken": token,
                          "next": back},
        cookies={"ds_csrftoken": login.cookies["ds_csrftoken"]},
    ))  # fmt: skip
    assert response.status_code == 302 and response.headers["location"] == back
    offsite = run(datasette.client.post(
        "/-/login", data={"username": "ana", "password": PASSWORD, "csrftoken": token,
                          "next": "//evil.example/"},
        cookies={"ds_csrftoken": login.cookies["ds_csrftoken"]},
    ))  # fmt: skip
    assert offsite.headers["location"] == "/"
