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

from ledger import review
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


# --- the source page, the queue, links, sign-off, added claims ----------------------------------


def marks(page: str) -> dict[str, str]:
    """Each highlighted claim on a source page: its id -> the state it is coloured by."""
    return dict(re.findall(r'<mark id="(c-[0-9a-f]+)" class="state-([a-z-]+)">', page))


def test_the_source_page_colours_each_claim_by_its_state_with_a_legend(ledger, reviewers):
    path, ids = ledger
    datasette = build_datasette(path, reviewers)
    jar = sign_in(datasette, "ana", PASSWORD)
    source = "/claims/sources/src_a"
    before = get(datasette, source).text
    assert marks(before) == {ids["big"]: "needs-context", ids["rise"]: "misleading"}
    rejected = post(datasette, "reject", {"claim_id": ids["rise"], "reason": "not a figure",
                                          "back": source}, jar)  # fmt: skip
    follow(datasette, rejected, jar)
    correction = {"claim_id": ids["big"], "period": "2022", "reason": "the year before"}
    corrected = post(datasette, "correct", {**correction, "back": source}, jar)
    follow(datasette, corrected, jar)
    after = get(datasette, source).text
    # a rejected claim stays on its source, marked rejected; its page says who, when and why
    assert marks(after) == {ids["big"]: "corrected", ids["rise"]: "rejected"}
    claim = get(datasette, f"/claims/claims/{ids['rise']}").text
    assert re.search(r"Rejected: not a claim, by ana on \d{4}-\d\d-\d\d: “not a figure”", claim)
    legend = re.search(r'<ul class="ledger-legend".*?</ul>', after, re.S).group(0)
    shown = re.findall(r'<mark class="state-([a-z-]+)">\1</mark> (\d+)', legend)
    assert shown == [("corrected", "1"), ("rejected", "1")]  # the states on the page
    assert 'title="not a claim (a reviewer rejected it)"' in legend
    assert re.findall(
        r'<mark class="state-([a-z-]+)">',
        re.search(r'<ul class="ledger-legend".*?</ul>', before, re.S).group(0),
    ) == ["misleading", "needs-context"]
    assert marks(get(datasette, "/claims/sources/wire~20story~7E1~20~C3~A9").text) == {
        ids["other"]: "unverified"
    }


def test_claim_and_source_ids_are_links_in_views_and_canned_queries(ledger):
    path, ids = ledger
    datasette = build_datasette(path)
    big = f'<a href="/claims/claims/{ids["big"]}">{ids["big"]}</a>'
    other = f'<a href="/claims/claims/{ids["other"]}">{ids["other"]}</a>'
    review = get(datasette, "/claims/claims_review").text
    assert big in review and other in review
    assert '<a href="/claims/sources/src_a">src_a</a>' in review
    wire = re.search(r'<a href="([^"]+)">wire story~1 é</a>', review).group(1)
    assert "Imports of chips reached" in get(datasette, wire).text  # the link finds the page
    unverified = get(datasette, "/claims/unverified_by_checkworthiness").text
    assert other in unverified
    conflicts = get(datasette, "/claims/conflicting_figures").text
    assert big in conflicts and other in conflicts  # claim_a and claim_b
    checks = get(datasette, "/claims/checks").text
    assert other in checks  # against_id of a check against a claim
    assert "/claims/claims/ref-imports-2023" not in checks  # a reference's id is no claim
    status = get(datasette, "/claims/claim_status").text
    assert big in status
    sql = get(datasette, "/claims?sql=select+id,+quote+from+claims+order+by+id").text
    assert big in sql  # typed SQL too


def test_the_review_queue_lists_unverified_claims_by_check_worthiness_with_filters(ledger):
    path, ids = ledger
    db = sqlite_utils.Database(path)
    db.execute("delete from notes")
    db.conn.commit()
    datasette = build_datasette(path)

    def queued(query: str = "") -> list[str]:
        page = get(datasette, f"/-/ledger/queue/claims{query}").text
        return re.findall(r'class="ledger-claim-link" href="/claims/claims/(c-[0-9a-f]+)"', page)

    assert queued() == [ids["big"], ids["other"], ids["rise"]]  # 0.9, 0.8, 0.7
    page = get(datasette, "/-/ledger/queue/claims").text
    assert "<strong>3</strong> claim(s)" in page
    assert (
        '<a class="ledger-chip" href="?metric=chip_imports">chip_imports <small>2</small></a>'
        in page
    )
    assert (
        '<a class="ledger-chip" href="?outcome=inconsistent">inconsistent <small>1</small></a>'
        in page
    )
    assert 'href="?source=src_a" title="src_a">Chip imports &lt;script&gt;' in page  # escaped
    assert queued("?metric=chip_imports") == [ids["big"], ids["other"]]
    assert queued("?source=src_a") == [ids["big"], ids["rise"]]
    assert queued("?outcome=inconsistent") == [ids["big"]]
    assert queued("?outcome=unchecked&source=src_a") == [ids["rise"]]
    filtered = get(datasette, "/-/ledger/queue/claims?metric=chip_imports&source=src_a").text
    assert (
        'href="?source=src_a" title="remove">metric chip_imports ✕</a>' in filtered
    )  # one click removes it
    # a verdict takes a claim out of the queue; a comment does not; a rejection does
    review.add_note(db, ids["big"], "accurate", "Yearbook.", reviewer="ana")
    review.add_note(db, ids["other"], None, "Looking.", reviewer="ana")
    review.reject(db, ids["rise"], reason="a comparison", reviewer="ana")
    assert queued() == [ids["other"]]
    # the database page starts with the queue, before the list of tables
    home = get(datasette, "/claims").text
    assert home.index("Where to start: the review queue") < home.index('href="/claims/claims"')
    assert f'class="ledger-claim-link" href="/claims/claims/{ids["other"]}"' in home
    # and each source page with its own
    source = get(datasette, "/claims/sources/wire~20story~7E1~20~C3~A9").text
    assert f'class="ledger-claim-link" href="/claims/claims/{ids["other"]}"' in source
    assert (
        "Every claim of this source has a verdict" in get(datasette, "/claims/sources/src_a").text
    )
    assert queued("?page=2") == [] and queued("?page=x") == [ids["other"]]


def test_sign_off_from_the_claim_page_when_configured_and_the_verdict_history(
    ledger, reviewers, tmp_path, monkeypatch
):
    path, ids = ledger
    add_reviewer(reviewers, "bo", PASSWORD, iterations=1000)
    datasette = build_datasette(path, reviewers)
    back = f"/claims/claims/{ids['big']}"
    ana, bo = sign_in(datasette, "ana", PASSWORD), sign_in(datasette, "bo", PASSWORD)
    post(datasette, "note", {"claim_id": ids["big"], "verdict": "inaccurate",
                             "text": "6.5% off.", "back": back}, bo)  # fmt: skip
    page = get(datasette, back, cookies=ana).text
    assert "ledger-sign-off-form" not in page  # sign-off not configured: no button
    history = re.search(r'<ol class="ledger-verdict-history">(.*?)</ol>', page, re.S).group(1)
    assert re.findall(r'verdict-([a-z-]+)">', history) == ["needs-context", "inaccurate"]
    assert "ana, 2026-11-20" in history and "bo, " in history

    config = tmp_path / "ledger.toml"
    config.write_text("[review]\nsign_off = true\n")
    monkeypatch.setenv("LEDGER_CONFIG", str(config))
    page = get(datasette, back, cookies=ana).text
    forms = re.findall(r'name="note_id" value="(\d+)"', page)
    assert forms == ["3"]  # bo's verdict; not ana's own note, which only another signs off
    assert "<em>not signed off yet</em>" in page
    signed = post(datasette, "sign-off", {"note_id": "3", "back": back}, ana)
    shown = follow(datasette, signed, jar=ana)
    assert "Signed off." in shown and "signed off by ana" in shown
    assert "ledger-sign-off-form" not in get(datasette, back, cookies=ana).text
    own = post(datasette, "sign-off", {"note_id": "1", "back": back}, ana)
    assert "Not saved: note 1 is ana&#39;s own" in follow(datasette, own, ana)
    assert [row["action"] for row in sqlite_utils.Database(path)["audit"].rows][-1] == "sign-off"


def test_a_claim_added_from_words_selected_on_the_source_page(ledger, reviewers):
    path, ids = ledger
    datasette = build_datasette(path, reviewers)
    source = "/claims/sources/src_a"
    text = sqlite_utils.Database(path)["sources"].get("src_a")["text"]
    start = text.index("5.2%")
    reading = f"/-/ledger/reading/claims?source_id=src_a&quote=5.2%25&start={start}"
    assert get(datasette, reading).status_code == 403  # reviewers only
    jar = sign_in(datasette, "ana", PASSWORD)
    read = get(datasette, reading, cookies=jar).json()
    assert read["reading"]["value"] == 5.2 and read["reading"]["unit"] == "percent"
    assert read["words"] == "a rise of about 5.2%"  # the extractor reads the whole sentence
    wrong = get(datasette, reading.replace(f"start={start}", "start=3"), cookies=jar)
    assert wrong.status_code == 400 and "is not in source src_a at 3" in wrong.json()["error"]

    page = get(datasette, source, cookies=jar).text
    assert 'class="ledger-add-claim-form"' in page and "ledger-review.js" in page
    assert 'data-source-id="src_a"' in page
    added = post(datasette, "add-claim", {"source_id": "src_a", "quote": "5.2%",
                                          "start": str(start), "bound": "exact",
                                          "back": f"{source}#add-claim"}, jar)  # fmt: skip
    assert urlsplit(added.headers["location"]).fragment == "add-claim"
    shown = follow(datasette, added, jar)
    new_id = re.search(r'Claim added: <a href="/claims/claims/(c-[0-9a-f]+)"', shown).group(1)
    claim = sqlite_utils.Database(path)["claims"].get(new_id)
    assert (claim["start"], claim["quote"], claim["added_by"]) == (start, "5.2%", "ana")
    assert (claim["value"], claim["unit"], claim["bound"]) == (5.2, "percent", "exact")
    assert claim["change"] == "increase"  # not typed: the extractor filled it in
    assert (
        "Added by ana: the extractor missed it." in get(datasette, f"/claims/claims/{new_id}").text
    )

    refused = post(datasette, "add-claim", {"source_id": "src_a", "quote": "5.2%",
                                            "start": "2", "metric": "exports <b>",
                                            "back": f"{source}#add-claim"}, jar)  # fmt: skip
    again = follow(datasette, refused, jar)
    assert "Not saved:" in again
    form = re.search(r'<form class="ledger-add-claim-form".*?</form>', again, re.S).group(0)
    assert " hidden>" not in form  # the form stays open, as typed
    assert 'name="quote" size="60" readonly value="5.2%"' in form
    assert 'value="exports &lt;b&gt;"' in form


def test_one_verdict_for_a_whole_group_from_the_claim_page(ledger, reviewers):
    path, ids = ledger
    db = sqlite_utils.Database(path)
    group = min(ids["big"], ids["other"])
    db["claim_groups"].insert_all(
        [{"claim_id": ids["big"], "group_id": group}, {"claim_id": ids["other"], "group_id": group}]
    )
    datasette = build_datasette(path, reviewers)
    jar = sign_in(datasette, "ana", PASSWORD)
    back = f"/claims/claims/{ids['big']}"
    page = get(datasette, back, cookies=jar).text
    assert "the same note on the 1 other claim(s) of its group" in page
    queue = get(datasette, "/-/ledger/queue/claims").text  # only `other` has no verdict yet
    assert 'href="?repeated=1">said elsewhere too <small>1</small></a>' in queue
    assert queue.count('<span class="ledger-repeated">said elsewhere too</span>') == 1
    note = {"claim_id": ids["big"], "verdict": "inaccurate", "text": "Both wrong.", "group": "1"}
    saved = post(datasette, "note", {**note, "back": back}, jar)
    assert "Verdict saved: inaccurate." in follow(datasette, saved, jar)
    notes = list(db.query("select claim_id, verdict from notes where text = 'Both wrong.'"))
    assert sorted(note["claim_id"] for note in notes) == sorted([ids["big"], ids["other"]])
    assert {note["verdict"] for note in notes} == {"inaccurate"}
    queue = get(datasette, "/-/ledger/queue/claims").text
    assert ids["other"] not in queue
