"""The web side (issue 4, and the web items of issue 7), through Datasette's own test client.

The ledger here is made up in tmp_path (ensure_schema + a few rows with invented text), so every
value asserted is known: two sources that disagree on one figure, a reference value, checks,
notes, and hostile strings in a title, a source text and a note.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import re
import socket
import sqlite3
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlite_utils
from click.testing import CliRunner
from datasette.database import Database
from ledger_rows import insert_claims
from made_up_ledger import HOSTILE, PASSWORD, SOURCE_B, TEXT_B, claim_row, free_port, served

from ledger.cli import cli
from ledger.models import VERDICTS
from ledger.serve import ServeError, build_datasette
from ledger.web.metadata import (
    SETTINGS,
    SQL_TIME_LIMIT_MS,
    build_metadata,
    column_descriptions,
    load_site,
)
from ledger.web.reviewers import ReviewersError, add_reviewer, load_reviewers

STRONG_SECRET = "9c1e4b7a2f5d8e0b3a6c9f1d4e7b0a3c5f8e1d2b4a7c0e3f6b9d2a5c8e1f4b7a"


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def get(datasette: Any, path: str, **kwargs: Any) -> httpx.Response:
    return run(datasette.client.get(path, **kwargs))


def notes_count(path: Path) -> int:
    return sqlite_utils.Database(path).execute("select count(*) from notes").fetchone()[0]


# --- metadata -------------------------------------------------------------------------------


def test_every_table_view_and_column_is_described(ledger):
    path, _ = ledger
    site = load_site()
    db = sqlite_utils.Database(path)
    hidden = re.compile(r"_fts($|_)")
    names = [n for n in db.table_names() + db.view_names() if not hidden.search(n)]
    assert {"sources", "claims", "notes", "checks", "references", "claim_status"} <= set(names)
    for name in names:
        assert name in site.tables, f"{name} has no description in metadata.toml"
        described = column_descriptions(site, name)
        columns = [c.name for c in db[name].columns]
        missing = [c for c in columns if c not in described]
        assert not missing, f"{name}: undescribed columns {missing}"


def test_write_query_is_never_left_open():
    for reviewers in (False, True):
        queries = build_metadata("x", reviewers=reviewers)["databases"]["x"]["queries"]
        writes = {name: q for name, q in queries.items() if q.get("write")}
        assert list(writes) == ["add_note"]
        assert writes["add_note"]["allow"] == ({"role": "reviewer"} if reviewers else False)


# --- pages and JSON -----------------------------------------------------------------------------


def test_index_database_and_tables_render(ledger):
    datasette = build_datasette(ledger[0])
    index = get(datasette, "/")
    assert index.status_code == 200
    assert "Ledger: the numbers in the news" in index.text
    database = get(datasette, "/claims")
    assert database.status_code == 200
    for name in (
        "conflicting_figures",
        "unverified_by_checkworthiness",
        "source_claims",
        "metric_across_sources",
        "claims_with_notes",
    ):
        assert name in database.text
    assert "add_note" not in database.text  # anonymous visitors do not even see the write query
    for table in (
        "sources",
        "claims",
        "notes",
        "checks",
        "references",
        "runs",
        "claims_in_context",
        "claim_status",
    ):
        page = get(datasette, f"/claims/{table}")
        assert page.status_code == 200, table
        assert HOSTILE not in page.text, table


def test_claims_table_facets_sort_and_highlighted_sentence(ledger):
    datasette = build_datasette(ledger[0])
    data = get(datasette, "/claims/claims.json?_shape=objects").json()
    assert [r["quote"] for r in data["rows"]] == [
        "more than 3.3 trillion yuan",
        "2.9 trillion yuan",
        "about 5.2%",
    ]  # sort_desc checkworthiness
    assert {"metric", "kind", "unit", "bound"} <= set(data["facet_results"])
    units = {f["value"]: f["count"] for f in data["facet_results"]["unit"]["results"]}
    assert units == {"CNY": 2, "percent": 1}
    html = get(datasette, "/claims/claims").text
    assert '<span title="3300000000000.0">3.3 trillion</span>' in html  # values in words
    in_context = get(datasette, "/claims/claims_in_context").text
    assert "<mark>more than 3.3 trillion yuan</mark> in 2023" in in_context
    review_html = get(datasette, "/claims/claims_review").text
    assert "Headline, from the manifest." not in review_html  # no columns the view lacks
    assert "The latest note&#39;s verdict, or &#39;unverified&#39;." in review_html
    publishers = get(datasette, "/claims/claims_in_context.json?_shape=objects").json()
    assert {
        f["value"]: f["count"] for f in publishers["facet_results"]["publisher"]["results"]
    } == {"Made-up Daily": 2, "Invented Wire": 1}
    status = get(datasette, "/claims/claim_status.json?_shape=objects").json()
    verdicts = {f["value"]: f["count"] for f in status["facet_results"]["verdict"]["results"]}
    assert verdicts == {"needs-context": 1, "misleading": 1, "unverified": 1}
    review = get(datasette, "/claims/claims_review.json?_shape=objects").json()
    facets = review["facet_results"]
    assert sorted(facets) == sorted(
        ["metric", "kind", "unit", "bound", "publisher", "check_outcome", "subject_code", "verdict"]
    )
    assert {f["value"]: f["count"] for f in facets["check_outcome"]["results"]} == {
        "inconsistent": 1,
        "unchecked": 2,
    }
    assert {f["value"]: f["count"] for f in facets["verdict"]["results"]} == verdicts
    checks = get(datasette, "/claims/checks.json?_shape=objects").json()
    assert checks["facet_results"]["outcome"]["results"][0] == {
        **checks["facet_results"]["outcome"]["results"][0],
        "value": "inconsistent",
        "count": 2,
    }


def test_full_text_search_on_claims_and_sources(ledger):
    datasette = build_datasette(ledger[0])
    claims = get(datasette, "/claims/claims_in_context.json?_search=ministry&_shape=objects")
    assert [r["quote"] for r in claims.json()["rows"]] == ["2.9 trillion yuan"]
    quotes = get(datasette, "/claims/claims.json?_search=trillion&_shape=objects").json()
    assert {r["quote"] for r in quotes["rows"]} == {
        "more than 3.3 trillion yuan",
        "2.9 trillion yuan",
    }
    sources = get(datasette, "/claims/sources.json?_search=customs&_shape=objects").json()
    assert [r["id"] for r in sources["rows"]] == ["src_a"]


def test_claim_page(ledger):
    path, ids = ledger
    datasette = build_datasette(path)
    html = get(datasette, f"/claims/claims/{ids['big']}").text
    assert (
        'Chip imports cost <mark class="current">more than 3.3 trillion yuan</mark> in 2023' in html
    )
    assert "more than 3.3 trillion CNY, 2023" in html
    assert "customs data" in html  # attribution
    assert f'href="/claims/sources/src_a#{ids["big"]}"' in html
    assert "inconsistent" in html and "Trade yearbook 2023" in html
    assert "3.1 trillion CNY" in html  # the reference value in words
    assert re.search(
        r'class="ledger-outcome outcome-inconsistent">inconsistent; contradicts 1 ', html
    )
    assert "13.8% above Invented Wire" in html
    assert "1 conflicting" in html and "2.9 trillion CNY, 2023" in html
    assert "First look." in html and "needs-context" in html
    assert "<svg" in html and 'class="reference"' in html  # the metric's chart, reference drawn
    assert "Sign in</a> as a reviewer" in html
    assert "Chip imports &lt;script&gt;" in html and HOSTILE not in html
    assert "javascript:" not in html


def test_claim_page_hostile_note_is_escaped(ledger):
    path, ids = ledger
    html = get(build_datasette(path), f"/claims/claims/{ids['rise']}").text
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in html
    assert HOSTILE not in html
    assert "javascript:alert(2)" not in html  # a javascript: evidence link is not rendered
    assert "a rise of about 5.2%, 2023" in html
    assert "2.9 trillion CNY, 2023" in html  # the related claim is listed...
    assert "conflicting" not in html and "% apart" not in html  # ...not compared across units


def test_claim_page_lists_at_most_50_others(ledger):
    path, ids = ledger
    db = sqlite_utils.Database(path)
    insert_claims(
        db,
        [claim_row(SOURCE_B, TEXT_B, "2.9 trillion yuan", id=f"c-extra-{n:02d}", value=3.0e12 + n,
                kind="money", unit="CNY", metric="chip_imports", subject="China", period="2023")
         for n in range(55)],
    )  # fmt: skip
    html = get(build_datasette(path), f"/claims/claims/{ids['big']}").text
    assert html.count('<li class="agrees">') + html.count('<li class="conflict">') == 50
    assert "Only the first 50 are listed" in html
    assert "/claims/metric_across_sources?metric=chip_imports" in html


def test_a_retired_claim_keeps_its_page_but_leaves_the_lists(ledger):
    path, ids = ledger
    db = sqlite_utils.Database(path)
    db["claims"].update(ids["big"], {"retired_at": "2026-11-23T12:00:00+00:00"})
    datasette = build_datasette(path)
    page = get(datasette, f"/claims/claims/{ids['big']}").text
    assert "Retired 2026-11-23T12:00:00+00:00" in page and "First look." in page
    source = get(datasette, "/claims/sources/src_a").text
    assert f'<mark id="{ids["big"]}"' not in source and f'<mark id="{ids["rise"]}"' in source
    review = get(datasette, "/claims/claims_review.json?_shape=objects").json()["rows"]
    assert ids["big"] not in {row["id"] for row in review}
    other = get(datasette, f"/claims/claims/{ids['other']}").text
    assert "None in the ledger." in other  # the retired claim is no longer a conflict


def test_source_page_highlights_and_links_every_claim(ledger):
    path, ids = ledger
    html = get(build_datasette(path), "/claims/sources/src_a").text
    for key, quote in (("big", "more than 3.3 trillion yuan"), ("rise", "about 5.2%")):
        assert re.search(
            rf'<mark id="{ids[key]}" class="state-[a-z-]+">'
            rf'<a href="/claims/claims/{ids[key]}" title="[^"]+">'
            rf"{re.escape(quote)}</a></mark>",
            html,
        ), key
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html and HOSTILE not in html
    assert "javascript:" not in html


def test_links_between_claim_and_source_pages_resolve(ledger):
    path, ids = ledger
    datasette = build_datasette(path)
    claim = get(datasette, f"/claims/claims/{ids['other']}").text
    source_href = re.search(r'class="ledger-source-link" href="([^"]+)"', claim).group(1)
    assert source_href.endswith(f"#{ids['other']}")
    source = get(datasette, source_href.split("#")[0])
    assert source.status_code == 200
    assert f'<mark id="{ids["other"]}" class="state-unverified">' in source.text
    back = re.search(rf'<mark id="{ids["other"]}" class="[^"]+"><a href="([^"]+)"', source.text)
    back = back.group(1)
    assert get(datasette, back).status_code == 200
    assert "Ministry figures" in claim


def test_row_json_and_csv_exports(ledger):
    path, ids = ledger
    datasette = build_datasette(path)
    row = get(datasette, f"/claims/claims/{ids['big']}.json?_shape=objects").json()
    assert row["rows"][0]["value"] == 3.3e12
    csv = get(datasette, "/claims/claims.csv?_sort=id").text
    assert csv.splitlines()[0].startswith("id,source_id,fingerprint,start,end,quote")
    assert len(csv.splitlines()) == 4


def test_canned_queries(ledger):
    path, ids = ledger
    datasette = build_datasette(path)

    def rows(query: str, **params: str) -> list[dict[str, Any]]:
        query_string = "&".join(f"{k}={v}" for k, v in {**params, "_shape": "objects"}.items())
        response = get(datasette, f"/claims/{query}.json?{query_string}")
        assert response.status_code == 200, response.text
        return response.json()["rows"]

    for name in ("conflicting_figures", "unverified_by_checkworthiness", "source_claims",
                 "metric_across_sources", "claims_with_notes"):  # fmt: skip
        assert get(datasette, f"/claims/{name}").status_code == 200, name
        csv = get(datasette, f"/claims/{name}.csv?source_id=src_a&metric=chip_imports")
        assert csv.status_code == 200 and csv.text.count("\n") >= 2, name  # header + rows
    conflicts = rows("conflicting_figures")
    assert [(sorted([r["quote_a"], r["quote_b"]]), r["apart_pct"]) for r in conflicts] == [
        (["2.9 trillion yuan", "more than 3.3 trillion yuan"], 12.1)
    ]
    assert rows("conflicting_figures", tolerance_pct="20") == []
    assert [r["id"] for r in rows("unverified_by_checkworthiness")] == [ids["other"]]
    assert [r["quote"] for r in rows("source_claims", source_id="src_a")] == [
        "more than 3.3 trillion yuan",
        "about 5.2%",
    ]
    across = rows("metric_across_sources", metric="chip_imports")
    assert sorted((r["kind_of_figure"], r["value"]) for r in across) == [
        ("claim", 2.9e12),
        ("claim", 3.3e12),
        ("reference", 3.1e12),
    ]
    assert [(r["claim_id"], r["verdict"], r["notes"]) for r in rows("claims_with_notes")] == [
        (ids["rise"], "misleading", 1),
        (ids["big"], "needs-context", 1),
    ]


def test_chart_page(ledger):
    datasette = build_datasette(ledger[0])
    page = get(datasette, "/-/ledger/chart/claims?metric=chip_imports")
    assert page.status_code == 200
    assert page.text.count('<g class="claim">') == 2
    assert page.text.count('<g class="reference">') == 1
    assert "Trade yearbook 2023" in page.text
    assert get(datasette, "/-/ledger/chart/nope").status_code == 404


# --- who may write ------------------------------------------------------------------------------


def csrf(datasette: Any, cookies: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """A CSRF token from a form page, and the cookies that go with it."""
    page = get(datasette, "/-/login", cookies=cookies)
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    cookie = page.cookies.get("ds_csrftoken") or (cookies or {})["ds_csrftoken"]
    jar = {**(cookies or {}), "ds_csrftoken": cookie}
    return token.group(1), jar


def post_sign_in(datasette: Any, name: str, password: str) -> tuple[Any, dict[str, str]]:
    """The sign-in form posted as a browser posts it: the answer, and the cookies it was sent
    with (its CSRF token's)."""
    token, jar = csrf(datasette)
    response = run(
        datasette.client.post(
            "/-/login",
            data={"username": name, "password": password, "csrftoken": token},
            cookies=jar,
        )
    )
    return response, jar


def sign_in(datasette: Any, name: str, password: str) -> dict[str, str]:
    response, jar = post_sign_in(datasette, name, password)
    assert response.status_code == 302, response.text
    assert "ds_actor" in response.cookies, "sign-in failed"
    return {**jar, "ds_actor": response.cookies["ds_actor"]}


def note_form(claim_id: str, text: str = "Checked against the yearbook.") -> dict[str, str]:
    return {
        "claim_id": claim_id,
        "verdict": "inaccurate",
        "text": text,
        "evidence_url": "https://stats.example/yearbook",
    }


def file_digest(path: Path) -> str:
    sqlite_utils.Database(path).execute("pragma wal_checkpoint(truncate)")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_anonymous_posts_to_every_write_path_are_refused(ledger, reviewers):
    path, ids = ledger
    datasette = build_datasette(path, reviewers)
    before = file_digest(path)
    token, jar = csrf(datasette)
    form = note_form(ids["big"])
    attempts = {
        # the write canned query: without cookies (the 0.65.5 trap), with a CSRF token, as JSON
        "add_note, bare": ("/claims/add_note", {"data": form}),
        "add_note, csrf": (
            "/claims/add_note",
            {"data": {**form, "csrftoken": token}, "cookies": jar},
        ),
        "add_note, json": (
            "/claims/add_note",
            {"content": json.dumps(form), "headers": {"accept": "application/json"}},
        ),
        # arbitrary SQL, by POST
        "sql": ("/claims", {"data": {"sql": "insert into notes (text) values ('x')"}}),
        # Datasette's JSON write API (1.0) and table/row paths: must not exist or be refused
        "insert": ("/claims/notes/-/insert", {"json": {"row": {"text": "x"}}}),
        "upsert": ("/claims/notes/-/upsert", {"json": {"rows": [{"id": 1, "text": "x"}]}}),
        "update": ("/claims/notes/1/-/update", {"json": {"update": {"text": "x"}}}),
        "delete": ("/claims/notes/1/-/delete", {"json": {}}),
        "create": ("/claims/-/create", {"json": {"table": "t", "row": {"a": 1}}}),
        "drop": ("/claims/notes/-/drop", {"json": {"confirm": True}}),
        "token": ("/-/create-token", {"data": {"csrftoken": token}, "cookies": jar}),
        "table": ("/claims/notes", {"data": {"text": "x"}}),
        "row": (f"/claims/claims/{ids['big']}", {"data": {"value": "1"}}),
        # a forged actor cookie (not signed with the server's secret)
        "forged actor": (
            "/claims/add_note",
            {"data": {**form, "csrftoken": token}, "cookies": {**jar, "ds_actor": "ana"}},
        ),
    }
    for name, (url, kwargs) in attempts.items():
        response = run(datasette.client.post(url, **kwargs))
        # add_note exists and refuses who is not a reviewer (403); every other path is refused
        # before Datasette sees it (405, one line saying why)
        expected = 403 if url == "/claims/add_note" else 405
        assert response.status_code == expected, (name, response.status_code, response.text)
    for method in ("put", "patch", "delete"):
        response = run(getattr(datasette.client, method)("/claims/notes/1"))
        assert response.status_code == 405, method
        assert response.text.startswith("405 Method Not Allowed: this ledger is read-only")
    assert file_digest(path) == before, "an anonymous POST changed the ledger"
    assert notes_count(path) == 2


def test_a_signed_in_reviewers_post_without_csrf_token_is_refused(ledger, reviewers):
    """A page on another site cannot post a note with a reviewer's cookies (CSRF)."""
    path, ids = ledger
    datasette = build_datasette(path, reviewers)
    cookies = sign_in(datasette, "ana", PASSWORD)
    for form in (note_form(ids["big"]), {**note_form(ids["big"]), "csrftoken": "forged"}):
        response = run(datasette.client.post("/claims/add_note", data=form, cookies=cookies))
        assert response.status_code == 403
    assert notes_count(path) == 2


def test_write_permissions_are_denied_to_everyone_and_reading_allowed(ledger, reviewers):
    datasette = build_datasette(ledger[0], reviewers)

    async def allowed(actor: dict | None, action: str, resource: Any) -> bool:
        return await datasette.permission_allowed(actor, action, resource, default=True)

    for actor in (None, {"id": "ana"}, {"id": "root"}):
        for action in ("insert-row", "delete-row", "update-row", "upsert-row", "create-table",
                       "drop-table", "alter-table", "create-token"):  # fmt: skip
            assert run(allowed(actor, action, ("claims", "notes"))) is False, (actor, action)
        assert run(allowed(actor, "execute-sql", "claims")) is True
        assert run(allowed(actor, "view-table", ("claims", "claims"))) is True
    assert run(allowed({"id": "ana", "role": "reviewer"}, "view-query", ("claims", "add_note")))
    # an actor some other plugin names "ana" is not a signed-in reviewer
    for actor in (None, {"id": "ana"}, {"id": "bo"}, {"id": "root"}):
        assert run(allowed(actor, "view-query", ("claims", "add_note"))) is False, actor


@pytest.mark.parametrize("allow", ["missing", None])
def test_the_065_trap_a_write_query_left_without_allow_is_still_refused(ledger, allow):
    """Datasette 0.65.5 runs an anonymous POST to a write canned query that has no `allow`
    block; should one ever be configured so, the plugin's guard refuses the POST."""
    from ledger.serve import LedgerDatasette
    from ledger.web.auth import Auth

    path, ids = ledger
    metadata = build_metadata("claims", reviewers=True)
    query = metadata["databases"]["claims"]["queries"]["add_note"]
    if allow == "missing":
        del query["allow"]
    else:
        query["allow"] = allow
    datasette = LedgerDatasette(files=[str(path)], metadata=metadata, auth=Auth(None))
    assert get(datasette, "/claims/add_note").status_code == 200  # Datasette shows it to anyone
    response = run(datasette.client.post("/claims/add_note", data=note_form(ids["big"])))
    assert response.status_code == 405
    assert notes_count(path) == 2


def test_write_query_without_reviewers_refuses_everyone(ledger):
    path, ids = ledger
    datasette = build_datasette(path)  # no reviewers file: nobody can sign in
    login = get(datasette, "/-/login")
    assert login.status_code == 403 and "Nobody can sign in to this ledger." in login.text
    page = get(datasette, "/claims/add_note")
    assert page.status_code == 403
    response = run(datasette.client.post("/claims/add_note", data=note_form(ids["big"])))
    assert response.status_code == 403
    assert notes_count(path) == 2


def test_the_note_form_and_its_query_take_exactly_the_verdicts(ledger, reviewers):
    """`models.VERDICTS` is the one list: the form offers it, the write query accepts it."""
    path, ids = ledger
    datasette = build_datasette(path, reviewers)
    cookies = sign_in(datasette, "ana", PASSWORD)
    page = get(datasette, f"/claims/claims/{ids['big']}", cookies=cookies).text
    form = page.split('class="ledger-note-form"', 1)[1].split("</form>", 1)[0]
    # the verdicts, after "comment" (a note that leaves the verdict as it is)
    assert tuple(re.findall(r'<option value="([^"]+)">', form)) == ("comment", *VERDICTS)
    accepted = re.search(r":verdict in \(([^)]*)\)", load_site().queries["add_note"].sql)
    assert tuple(re.findall(r"'([^']+)'", accepted.group(1))) == VERDICTS


def test_signed_in_reviewer_adds_a_note(ledger, reviewers):
    path, ids = ledger
    datasette = build_datasette(path, reviewers)
    assert sign_in_fails(datasette, "ana", "wrong password")
    cookies = sign_in(datasette, "ana", PASSWORD)
    page = get(datasette, f"/claims/claims/{ids['big']}", cookies=cookies)
    assert 'class="ledger-note-form"' in page.text
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    response = run(
        datasette.client.post(
            "/claims/add_note",
            data={**note_form(ids["big"], "Yearbook says 3.1 trillion."), "csrftoken": token},
            cookies=cookies,
        )
    )
    assert response.status_code == 302
    assert response.headers["location"] == "/-/ledger/last-note/claims"
    back = get(datasette, "/-/ledger/last-note/claims", cookies=cookies)
    assert back.headers["location"] == f"/claims/claims/{ids['big']}#notes"
    note = (
        sqlite_utils.Database(path)
        .execute(
            "select claim_id, verdict, text, evidence_url, reviewer, created_at from notes "
            "order by id desc limit 1"
        )
        .fetchone()
    )
    assert note[:5] == (
        ids["big"],
        "inaccurate",
        "Yearbook says 3.1 trillion.",
        "https://stats.example/yearbook",
        "ana",
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", note[5]), note[5]
    html = get(datasette, f"/claims/claims/{ids['big']}").text
    assert html.index("First look.") < html.index("Yearbook says 3.1 trillion.")  # in order
    status = get(datasette, "/claims/claim_status.json?_shape=objects&claim_id=" + ids["big"])
    assert status.json()["rows"][0]["verdict"] == "inaccurate"


def sign_in_fails(datasette: Any, name: str, password: str) -> bool:
    response, _ = post_sign_in(datasette, name, password)
    return response.status_code == 200 and "Invalid username or password" in response.text


@pytest.mark.parametrize(
    "change",
    [
        {"verdict": "true-ish"},
        {"claim_id": "c-does-not-exist"},
        {"evidence_url": "javascript:alert(1)"},
        {"text": "   "},
    ],
    ids=["verdict", "claim", "url", "empty"],
)
def test_a_bad_note_is_refused_by_the_database(ledger, reviewers, change):
    path, ids = ledger
    datasette = build_datasette(path, reviewers)
    cookies = sign_in(datasette, "ana", PASSWORD)
    token, _ = csrf(datasette, cookies)
    response = run(
        datasette.client.post(
            "/claims/add_note",
            data={**note_form(ids["big"]), **change, "csrftoken": token},
            headers={"accept": "application/json"},
            cookies=cookies,
        )
    )
    assert response.json()["ok"] is False
    assert response.json()["message"].startswith("Note not saved")
    assert notes_count(path) == 2


def test_notes_added_while_another_connection_writes_are_all_kept(ledger, reviewers):
    """Issue 7, concurrent use: a writer holding the lock (as ingest does) delays a note, never
    loses it, and no 'database is locked' reaches the reviewer."""
    import sqlite3
    import threading

    path, ids = ledger
    datasette = build_datasette(path, reviewers)
    cookies = sign_in(datasette, "ana", PASSWORD)
    token, _ = csrf(datasette, cookies)
    stop = threading.Event()

    def writer() -> None:
        connection = sqlite3.connect(path, timeout=30, isolation_level=None)
        while not stop.is_set():
            connection.execute("begin immediate")
            connection.execute("insert into runs (started_at) values ('2026-11-23T00:00:00')")
            time.sleep(0.15)  # hold the write lock like a source's transaction does
            connection.execute("commit")
            time.sleep(0.05)  # then read and extract the next source
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        results = []
        for n in range(8):
            response = run(
                datasette.client.post(
                    "/claims/add_note",
                    data={**note_form(ids["other"], f"note {n}"), "csrftoken": token},
                    headers={"accept": "application/json"},
                    cookies=cookies,
                )
            )
            results.append(response.json())
            page = get(datasette, f"/claims/claims/{ids['other']}")
            assert page.status_code == 200
    finally:
        stop.set()
        thread.join()
    assert all(result["ok"] for result in results), results
    texts = [
        row[0]
        for row in sqlite_utils.Database(path)
        .execute("select text from notes where claim_id = ? order by id", [ids["other"]])
        .fetchall()
    ]
    assert texts == [f"note {n}" for n in range(8)]
    writes = sqlite_utils.Database(path).execute("select count(*) from runs").fetchone()[0]
    assert writes >= 3  # the writer really held the lock meanwhile


def test_sql_is_read_only_and_time_limited(ledger):
    path, _ = ledger
    datasette = build_datasette(path)
    for sql in (
        "insert into notes (text) values ('x')",
        "delete from notes",
        "select 1; delete from notes",
        "attach database '/tmp/x.db' as x",
    ):
        response = get(datasette, "/claims.json", params={"sql": sql})
        assert response.status_code == 400, sql
        assert response.json()["ok"] is False
    slow = "with recursive r(i) as (select 1 union all select i + 1 from r) select count(*) from r"
    for extra in ({}, {"_timelimit": "600000"}):  # asking for more time does not get it
        response = get(datasette, "/claims.json", params={"sql": slow, **extra})
        assert response.status_code == 400
        assert "took too long" in response.json()["error"]
    assert datasette.setting("sql_time_limit_ms") == SQL_TIME_LIMIT_MS
    assert notes_count(path) == 2
    fine = get(datasette, "/claims.json", params={"sql": "select count(*) as n from notes"})
    assert fine.json()["rows"] == [[2]]


# --- reviewers and the CLI ------------------------------------------------------------------------


def test_password_hashes_and_reviewer_names_are_never_served(ledger, reviewers):
    datasette = build_datasette(ledger[0], reviewers)
    for path in ("/-/metadata", "/-/metadata.json", "/-/plugins.json", "/-/settings.json",
                 "/.json", "/claims.json", "/claims/add_note.json", "/-/actor.json"):  # fmt: skip
        response = get(datasette, path)
        assert "pbkdf2" not in response.text, path
        assert '"ana' not in response.text, path  # names are where guessing starts
    shown = get(datasette, "/-/metadata.json").json()
    assert "plugins" not in shown
    assert shown["databases"]["claims"]["queries"]["add_note"]["allow"] == "(signed-in reviewers)"
    assert shown["title"] == "Ledger: the numbers in the news"
    # ...while sign-in still works from the real configuration
    assert "ds_actor" in sign_in(datasette, "ana", PASSWORD)


def test_a_ledger_from_an_earlier_version_is_upgraded_and_served(tmp_path):
    import shutil

    path = tmp_path / "claims.db"
    shutil.copy(Path(__file__).parent / "fixtures" / "ledger_v0.db", path)
    before = sqlite_utils.Database(path).execute("select * from notes order by id").fetchall()
    claim_id = sqlite_utils.Database(path).execute("select id from claims limit 1").fetchone()[0]
    datasette = build_datasette(path)
    assert get(datasette, f"/claims/claims/{claim_id}").status_code == 200
    assert get(datasette, "/claims/checks.json").status_code == 200
    db = sqlite_utils.Database(path)
    assert db.execute("select version from schema_version").fetchone()[0] >= 1
    after = db.execute("select id, claim_id, verdict, text from notes order by id").fetchall()
    assert after == [row[:4] for row in before] and len(after) == 3  # every note kept


def test_reviewers_file_holds_only_hashes(tmp_path):
    path = tmp_path / "reviewers.json"
    add_reviewer(path, "ana", PASSWORD, iterations=1000)
    add_reviewer(path, "bo", "another long secret", iterations=1000)
    text = path.read_text()
    assert PASSWORD not in text and "another long secret" not in text
    stored = load_reviewers(path)
    assert sorted(stored) == ["ana", "bo"]
    assert all(value.startswith("pbkdf2_sha256$1000$") for value in stored.values())
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(ReviewersError, match="at least 10"):
        add_reviewer(path, "cy", "short")
    path.write_text(json.dumps({"ana_password_hash": "plaintext"}))
    with pytest.raises(ReviewersError, match="not a pbkdf2_sha256 hash"):
        load_reviewers(path)


def test_cli_reviewer_add_and_serve_errors(tmp_path, ledger):
    runner = CliRunner()
    path = tmp_path / "team.json"
    result = runner.invoke(
        cli,
        ["reviewer", "add", "ana", "--reviewers", str(path)],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "reviewer ana saved" in result.output
    assert list(load_reviewers(path)) == ["ana"]
    assert PASSWORD not in path.read_text()
    bad = runner.invoke(
        cli,
        ["reviewer", "add", "Ana Lima", "--reviewers", str(path)],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert bad.exit_code == 1 and "reviewer name must be" in bad.output
    missing = runner.invoke(cli, ["serve", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and "no ledger at" in missing.output
    other = tmp_path / "other.db"
    sqlite_utils.Database(other)["t"].insert({"a": 1})
    not_ledger = runner.invoke(cli, ["serve", "--db", str(other)])
    assert not_ledger.exit_code == 1 and "is not a ledger" in not_ledger.output
    garbled = tmp_path / "garbled.json"
    garbled.write_text("{not json")
    bad_reviewers = runner.invoke(
        cli, ["serve", "--db", str(ledger[0]), "--reviewers", str(garbled)]
    )
    assert bad_reviewers.exit_code == 1 and "cannot read reviewers file" in bad_reviewers.output
    with pytest.raises(ServeError):
        build_datasette(tmp_path / "none.db")

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        busy = runner.invoke(cli, ["serve", "--db", str(ledger[0]), "--port", port])
    assert busy.exit_code == 1 and f"cannot listen on 127.0.0.1:{port}" in busy.output


# --- the real ledger -------------------------------------------------------------------------

SOURCES = Path(__file__).resolve().parent.parent / "sources"


def test_real_ledger_every_claim_and_source_page(tmp_path):
    """`ledger ingest sources/` + `ledger check`, then every claim and source page is served."""
    from markupsafe import escape

    path = tmp_path / "claims.db"
    runner = CliRunner()
    ingest = runner.invoke(cli, ["ingest", str(SOURCES), "--db", str(path)])
    assert ingest.exit_code == 0, ingest.output
    check = runner.invoke(cli, ["check", "--db", str(path)])
    assert check.exit_code == 0, check.output
    db = sqlite_utils.Database(path)
    claims = list(db.query("select id, source_id, quote from claims where retired_at is null"))
    sources = [row["id"] for row in db.query("select id from sources")]
    assert len(claims) >= 10 and len(sources) == 5
    datasette = build_datasette(path)
    for claim in claims:
        page = get(datasette, f"/claims/claims/{claim['id']}")
        assert page.status_code == 200, claim
        assert f'<mark class="current">{escape(claim["quote"])}</mark>' in page.text, claim
        assert "ledger-warning" not in page.text, claim  # the quote is at its offsets
    for source_id in sources:
        page = get(datasette, f"/claims/sources/{source_id}")
        assert page.status_code == 200
        for claim in (c for c in claims if c["source_id"] == source_id):
            assert f'<mark id="{claim["id"]}" class="state-' in page.text, claim
    # The issue's own example: R&D spending, said as "exceeded 3.3 trillion yuan".
    (rd,) = [c for c in claims if c["quote"] == "exceeded 3.3 trillion yuan"]
    html = get(datasette, f"/claims/claims/{rd['id']}").text
    assert '<dd class="ledger-words">more than 3.3 trillion CNY, 2023</dd>' in html
    assert "consistent" in html  # its checks against the NBS figures
    review = get(datasette, "/claims/claims_review.json?_shape=objects&_size=max").json()
    assert len(review["rows"]) == len(claims)
    chart = get(datasette, "/-/ledger/chart/claims?metric=rd_spending")
    assert chart.status_code == 200 and '<g class="reference">' in chart.text


# --- the real server -----------------------------------------------------------------------


def test_ledger_serve_over_http(ledger, reviewers):
    """`ledger serve` as a process: pages over real HTTP, an anonymous POST refused with 405."""
    path, ids = ledger
    with served(path, reviewers) as base:
        with urllib.request.urlopen(f"{base}/claims/claims/{ids['big']}", timeout=10) as page:
            html = page.read().decode()
        assert '<mark class="current">more than 3.3 trillion yuan</mark>' in html
        request = urllib.request.Request(
            f"{base}/claims/notes/-/insert", data=b'{"row": {"text": "x"}}', method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 405
        anonymous_note = urllib.request.Request(
            f"{base}/claims/add_note",
            data=f"claim_id={ids['big']}&verdict=accurate&text=x".encode(),
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as forbidden:
            urllib.request.urlopen(anonymous_note, timeout=10)
        assert forbidden.value.code == 403
    assert notes_count(path) == 2


@pytest.fixture()
def facet_queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The facet queries that reach SQLite (the ones LedgerDatasette did not answer itself)."""
    ran: list[str] = []
    real = Database.execute

    async def counting(self: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        if "count(*) as count from (" in sql:
            ran.append(sql)
        return await real(self, sql, *args, **kwargs)

    monkeypatch.setattr(Database, "execute", counting)
    return ran


def test_facet_counts_are_kept_until_the_ledger_changes(ledger, facet_queries):
    path, ids = ledger
    datasette = build_datasette(path)
    first = get(datasette, "/claims/claims.json?_shape=objects").json()["facet_results"]
    assert len(facet_queries) == 4  # metric, kind, unit, bound
    again = get(datasette, "/claims/claims.json?_shape=objects").json()["facet_results"]
    assert len(facet_queries) == 4 and again == first  # from memory
    filtered = get(datasette, "/claims/claims.json?_shape=objects&unit=CNY").json()
    assert len(facet_queries) == 8  # another query, its own counts
    assert {f["value"]: f["count"] for f in filtered["facet_results"]["unit"]["results"]} == {
        "CNY": 2
    }
    with sqlite_utils.Database(path).conn as connection:  # an ingest elsewhere commits
        connection.execute("update claims set unit = 'USD' where id = ?", [ids["big"]])
    units = get(datasette, "/claims/claims.json?_shape=objects").json()["facet_results"]["unit"]
    assert len(facet_queries) == 12
    assert {f["value"]: f["count"] for f in units["results"]} == {
        "CNY": 1,
        "USD": 1,
        "percent": 1,
    }


def test_facets_of_sql_that_asks_for_the_time_are_not_kept(ledger, facet_queries):
    datasette = build_datasette(ledger[0])
    path = "/claims/claims.json?_where=first_seen+<+datetime('now')&_facet=rule"
    for _ in range(2):
        assert get(datasette, path).status_code == 200
    assert len(facet_queries) == 10  # 5 facets, twice


# --- sign-in, sessions and the guard (issue 19: items 5, 6, 7, 10, 11, 16) ------------------------


def client(datasette: Any, scheme: str = "http") -> httpx.AsyncClient:
    """An HTTP client on the whole app (guard included), as a browser at `scheme` reaches it."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=datasette.app(), client=("203.0.113.7", 5000)),
        base_url=f"{scheme}://localhost",
    )


def login_attempt(datasette: Any, name: str, password: str, **kwargs: Any) -> httpx.Response:
    token, jar = csrf(datasette)
    form = {"username": name, "password": password, "csrftoken": token}
    return run(datasette.client.post("/-/login", data=form, cookies=jar, **kwargs))


def actor(datasette: Any, cookies: dict[str, str]) -> dict | None:
    return get(datasette, "/-/actor.json", cookies=cookies).json()["actor"]


def test_wrong_passwords_are_throttled_by_name_with_429_and_retry_after(ledger, reviewers):
    datasette = build_datasette(ledger[0], reviewers)
    add_reviewer(reviewers, "bo", PASSWORD, iterations=1000)
    for _ in range(5):
        assert sign_in_fails(datasette, "ana", "wrong password")
    for password in ("wrong password", PASSWORD):  # the right one waits too: no more guesses
        refused = login_attempt(datasette, "ana", password)
        assert refused.status_code == 429
        assert 800 <= int(refused.headers["retry-after"]) <= 900
        assert "ds_actor" not in refused.cookies
    # the same for a name nobody has: a throttled name says nothing about who exists
    for _ in range(5):
        assert sign_in_fails(datasette, "nobody", "wrong password")
    assert login_attempt(datasette, "nobody", "x").status_code == 429
    assert "ds_actor" in sign_in(datasette, "bo", PASSWORD)  # another name is not held up


def test_wrong_passwords_are_throttled_by_address(ledger, reviewers):
    datasette = build_datasette(ledger[0], reviewers)
    for number in range(20):  # a new name each time, from one address
        assert sign_in_fails(datasette, f"guess{number}", "wrong password")
    refused = login_attempt(datasette, "ana", PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0


def test_unknown_names_cost_what_known_ones_do_and_hashing_is_off_the_event_loop(
    ledger, reviewers, monkeypatch
):
    import threading

    real = hashlib.pbkdf2_hmac
    runs: list[tuple[int, str]] = []

    def spy(name: str, password: bytes, salt: bytes, iterations: int, *rest: Any) -> bytes:
        runs.append((iterations, threading.current_thread().name))
        return real(name, password, salt, iterations, *rest)

    datasette = build_datasette(ledger[0], reviewers)
    monkeypatch.setattr(hashlib, "pbkdf2_hmac", spy)
    assert sign_in_fails(datasette, "ana", "wrong password")
    assert sign_in_fails(datasette, "nobody", "wrong password")
    assert [iterations for iterations, _ in runs] == [1000, 1000]  # one PBKDF2 run each
    assert all(thread.startswith("ledger-pbkdf2") for _, thread in runs), runs


def test_http_basic_auth_is_accepted_nowhere_and_never_skips_csrf(ledger, reviewers):
    import base64

    path, ids = ledger
    datasette = build_datasette(path, reviewers)
    basic = "Basic " + base64.b64encode(f"ana:{PASSWORD}".encode()).decode()
    posted = run(
        datasette.client.post(
            "/claims/add_note", data=note_form(ids["big"]), headers={"authorization": basic}
        )
    )
    assert posted.status_code == 403  # anonymous, however good the credentials
    assert get(datasette, "/-/actor.json", headers={"authorization": basic}).json() == {
        "actor": None
    }
    for malformed in ("Basic !!!not-base64", "Basic " + base64.b64encode(b"\xff\xfe").decode()):
        page = get(datasette, f"/claims/claims/{ids['big']}", headers={"authorization": malformed})
        assert page.status_code == 200, malformed  # was HTTP 500
    assert notes_count(path) == 2


def test_sign_in_and_out_refuse_cross_site_forms(ledger, reviewers):
    datasette = build_datasette(ledger[0], reviewers)
    form = {"username": "ana", "password": PASSWORD}
    # what a form on another site sends: no cookies (SameSite=Lax), so Datasette checked nothing
    bare = run(datasette.client.post("/-/login", data=form))
    assert bare.status_code == 403 and "ds_actor" not in bare.cookies
    token, jar = csrf(datasette)
    for headers in ({"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}):
        refused = run(
            datasette.client.post(
                "/-/login", data={**form, "csrftoken": token}, cookies=jar, headers=headers
            )
        )
        assert refused.status_code == 403 and "ds_actor" not in refused.cookies, headers
    cookies = sign_in(datasette, "ana", PASSWORD)
    for attempt in ({}, {"csrftoken": "forged"}):
        out = run(datasette.client.post("/-/logout", data=attempt, cookies=cookies))
        assert out.status_code == 403
    assert actor(datasette, cookies)["id"] == "ana"  # still signed in
    token, _ = csrf(datasette, cookies)
    out = run(datasette.client.post("/-/logout", data={"csrftoken": token}, cookies=cookies))
    assert out.status_code == 302


def test_session_cookie_is_httponly_expiring_secure_over_https_and_unique(ledger, reviewers):
    datasette = build_datasette(ledger[0], reviewers)

    async def sign_in_over(scheme: str) -> httpx.Response:
        async with client(datasette, scheme) as browser:
            page = await browser.get("/-/login")
            token = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
            assert token
            return await browser.post(
                "/-/login",
                data={"username": "ana", "password": PASSWORD, "csrftoken": token.group(1)},
            )

    for scheme in ("http", "https"):
        response = run(sign_in_over(scheme))
        assert response.status_code == 302, response.text
        cookie = next(
            value for key, value in response.headers.multi_items() if value.startswith("ds_actor=")
        )
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"httponly", "max-age", "samesite"} <= attributes
        assert ("secure" in attributes) == (scheme == "https")
    first, second = sign_in(datasette, "ana", PASSWORD), sign_in(datasette, "ana", PASSWORD)
    assert first["ds_actor"] != second["ds_actor"]  # a nonce per sign-in
    decoded = datasette.unsign(first["ds_actor"], "actor")
    assert decoded["e"] and decoded["a"]["session"]  # an expiry the cookie carries


def test_signing_out_ends_the_session_for_a_copied_cookie(ledger, reviewers):
    datasette = build_datasette(ledger[0], reviewers)
    laptop, phone = sign_in(datasette, "ana", PASSWORD), sign_in(datasette, "ana", PASSWORD)
    copied = dict(laptop)
    token, _ = csrf(datasette, laptop)
    run(datasette.client.post("/-/logout", data={"csrftoken": token}, cookies=laptop))
    assert actor(datasette, copied) is None  # was still "ana" after logout
    assert actor(datasette, phone)["id"] == "ana"  # other sessions are the reviewer's own
    path, ids = ledger
    form = {**note_form(ids["big"]), "csrftoken": csrf(datasette, copied)[0]}
    assert (
        run(datasette.client.post("/claims/add_note", data=form, cookies=copied)).status_code == 403
    )
    assert notes_count(path) == 2


def test_expired_sessions_and_forged_or_weakly_signed_cookies_are_refused(
    ledger, reviewers, monkeypatch
):
    import sqlite3

    from ledger.web.auth import sessions_path

    monkeypatch.setenv("DATASETTE_SECRET", "a")
    with pytest.raises(ServeError, match="DATASETTE_SECRET is too weak"):
        build_datasette(ledger[0], reviewers)
    monkeypatch.setenv("DATASETTE_SECRET", STRONG_SECRET)
    datasette = build_datasette(ledger[0], reviewers)
    cookies = sign_in(datasette, "ana", PASSWORD)
    # the same session, signed with the weak secret, as the probe forged it
    from itsdangerous import URLSafeSerializer

    payload = datasette.unsign(cookies["ds_actor"], "actor")
    forged = URLSafeSerializer("a", "actor").dumps(payload)
    assert actor(datasette, {**cookies, "ds_actor": forged}) is None
    assert actor(datasette, cookies)["id"] == "ana"
    with sqlite3.connect(sessions_path(reviewers)) as connection:
        connection.execute("update sessions set expires = 0")
    assert actor(datasette, cookies) is None


def test_reviewer_remove_and_passwd_end_sessions_on_a_running_server(ledger, reviewers):
    datasette = build_datasette(ledger[0], reviewers)
    runner = CliRunner()
    add = runner.invoke(
        cli, ["reviewer", "add", "bo", "--reviewers", str(reviewers)], input=f"{PASSWORD}\n" * 2
    )
    assert add.exit_code == 0, add.output
    listed = runner.invoke(cli, ["reviewer", "list", "--reviewers", str(reviewers)])
    assert listed.stdout == "ana\nbo\n" and listed.stderr == "2 reviewer(s)\n"
    ana, bo = sign_in(datasette, "ana", PASSWORD), sign_in(datasette, "bo", PASSWORD)  # bo: live
    new = "a new password, longer"
    changed = runner.invoke(
        cli, ["reviewer", "passwd", "ana", "--reviewers", str(reviewers)], input=f"{new}\n" * 2
    )
    assert changed.exit_code == 0, changed.output
    assert changed.output.endswith("\nreviewer ana: password changed, 1 session(s) ended\n")
    assert actor(datasette, ana) is None
    assert sign_in_fails(datasette, "ana", PASSWORD)
    assert actor(datasette, sign_in(datasette, "ana", new))["id"] == "ana"
    removed = runner.invoke(cli, ["reviewer", "remove", "bo", "--reviewers", str(reviewers)])
    assert removed.output == "reviewer bo removed, 1 session(s) ended\n"
    assert actor(datasette, bo) is None and sign_in_fails(datasette, "bo", PASSWORD)
    for command in (["remove", "bo"], ["passwd", "zed"]):
        missing = runner.invoke(
            cli, ["reviewer", *command, "--reviewers", str(reviewers)], input=f"{new}\n" * 2
        )
        assert missing.exit_code == 1 and f"no reviewer {command[1]} in" in missing.output


def test_serve_warns_when_no_secret_is_set(ledger, monkeypatch):
    from ledger import serve

    monkeypatch.setattr(serve, "run", lambda *args, **kwargs: None)
    monkeypatch.delenv("DATASETTE_SECRET", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--db", str(ledger[0]), "--port", str(free_port())])
    assert result.exit_code == 0, result.output
    assert "warning: DATASETTE_SECRET is not set, so sign-ins end when the server restarts" in (
        result.stderr
    )
    monkeypatch.setenv("DATASETTE_SECRET", STRONG_SECRET)
    quiet = CliRunner().invoke(cli, ["serve", "--db", str(ledger[0]), "--port", str(free_port())])
    assert "warning" not in quiet.stderr


def test_every_answer_forbids_framing(ledger, reviewers):
    path, ids = ledger
    datasette = build_datasette(path, reviewers)
    answers = [
        get(datasette, url)
        for url in (
            "/",
            "/claims",
            f"/claims/claims/{ids['big']}",
            "/-/login",
            "/nowhere",
            "/claims/claims.csv",
            "/-/metadata.json",
        )  # fmt: skip
    ]
    answers.append(run(datasette.client.post("/claims/notes", data={"x": "1"})))  # 405
    for answer in answers:
        assert answer.headers["x-frame-options"] == "DENY", answer.url
        assert answer.headers["content-security-policy"] == "frame-ancestors 'none'"


@pytest.fixture
def collector_off() -> Iterator[None]:
    """Python's cyclic garbage collector runs only when a test calls gc.collect()."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_sql_that_allocates_is_cut_off_and_does_not_stall_pages(ledger, monkeypatch, collector_off):
    path, ids = ledger
    # the slow query holds its SQL thread for 4 s, not the served 1 s, so that the page beside it
    # finishes first however loaded the machine is (under load a page render alone passed 1 s)
    monkeypatch.setitem(SETTINGS, "sql_time_limit_ms", 4000)
    datasette = build_datasette(path)
    finished: dict[str, float] = {}

    async def stamped(name: str, request: Awaitable[httpx.Response]) -> httpx.Response:
        response = await request
        finished[name] = time.monotonic()
        return response

    # counts a while, then asks for a blob past the length cap: three at once hold the three SQL
    # threads, so every thread's connection has a failed query behind it
    capped = (
        "with recursive r(i) as (select 1 union all select i + 1 from r where i < 300000) "
        "select length(hex(zeroblob(450000000 + count(*)))) from r"
    )
    # and one that computes until the time limit stops it, holding one SQL thread
    slow = "with recursive r(i) as (select 1 union all select i + 1 from r) select count(*) from r"

    async def capped_queries() -> list[httpx.Response]:
        sql = [datasette.client.get("/claims.json", params={"sql": capped}) for _ in range(3)]
        return await asyncio.gather(*sql)

    async def page_while_slow_query_runs() -> list[httpx.Response]:
        async def page() -> httpx.Response:
            await asyncio.sleep(0.2)  # once the slow query holds its thread
            # A collection on the event loop, as happened by chance in the runs that stalled: it
            # freed a failed query's cursor, whose reset waited for its connection's lock, held by
            # the slow query when that ran on the same thread; so no page was served meanwhile.
            gc.collect()
            return await stamped("page", datasette.client.get(f"/claims/claims/{ids['big']}"))

        slow_answer = stamped("slow", datasette.client.get("/claims.json", params={"sql": slow}))
        return await asyncio.gather(slow_answer, page())

    # the first render compiles the templates: seconds on a loaded machine, not what is tested
    get(datasette, f"/claims/claims/{ids['big']}")
    for answer in run(capped_queries()):  # refused at the length cap, not after allocating 2.26 GB
        assert answer.status_code == 400
        assert "string or blob too big" in answer.json()["error"]
    slow_answer, page_answer = run(page_while_slow_query_runs())
    assert "took too long" in slow_answer.json()["error"]
    assert page_answer.status_code == 200
    assert finished["page"] < finished["slow"]  # served beside the slow query, not after it
    # a real source text still reads: the cap is above the longest one
    fine = get(datasette, "/claims.json", params={"sql": "select length(text) from sources"})
    assert fine.status_code == 200


def test_a_failed_query_frees_its_cursor_before_its_error_leaves_the_sql_thread(
    ledger, collector_off
):
    """A cursor left to the garbage collector is reset wherever the collector runs (the event
    loop, mostly), and that waits while its connection runs another visitor's query."""
    path, _ = ledger
    datasette = build_datasette(path)

    def cursors() -> int:
        return sum(isinstance(found, sqlite3.Cursor) for found in gc.get_objects())

    get(datasette, "/claims.json", params={"sql": "select 1"})  # threads and connections made
    before = cursors()
    refused = {
        "select length(hex(zeroblob(450000000)))": "string or blob too big",
        "select * from no_such_table": "no such table",
        "with recursive r(i) as (select 1 union all select i + 1 from r) select count(*) from r": (
            "took too long"
        ),
    }
    for sql, error in refused.items():
        answer = get(datasette, "/claims.json", params={"sql": sql, "_timelimit": "50"})
        assert answer.status_code == 400
        assert error in answer.json()["error"]
    assert cursors() == before  # each freed in its thread, none waiting for a collection


def test_the_plugin_leaves_other_datasettes_alone(tmp_path):
    """Installed by entry point, the plugin is loaded by every Datasette in the environment; its
    guard, permissions and pages act only on the one `ledger serve` builds."""
    from datasette.app import Datasette

    other = tmp_path / "shop.db"
    sqlite_utils.Database(other)["orders"].insert({"id": 1, "item": "=cmd"}, pk="id")
    datasette = Datasette(
        files=[str(other)],
        metadata={
            "databases": {
                "shop": {
                    "queries": {
                        "add": {"sql": "insert into orders (item) values ('x')", "write": True}
                    }
                }  # fmt: skip
            }
        },
    )
    page = get(datasette, "/shop/orders")
    assert "x-frame-options" not in page.headers
    assert get(datasette, "/shop/orders.csv").text.splitlines()[1] == "1,=cmd"
    posted = run(datasette.client.post("/shop/add", data={}))
    assert posted.status_code != 405  # Datasette's own answer, not the ledger's guard
    allowed = datasette.permission_allowed(
        {"id": "x"}, "insert-row", ("shop", "orders"), default=True
    )
    assert run(allowed) is True
    assert "ledger" not in get(datasette, "/-/metadata.json").text


def test_datasette_csv_cells_cannot_run_as_formulas(ledger):
    """Datasette's own .csv links (tables, streamed, SQL) go through the guard's rewriter."""
    import csv

    path, ids = ledger
    with sqlite_utils.Database(path).conn as connection:
        connection.execute("update sources set title = '=HYPERLINK(\"https://evil.example\")'")
        connection.execute("update claims set value = -3.2, subject = '@SUM(A1)'")
    datasette = build_datasette(path)
    answers = {
        "table": get(datasette, "/claims/sources.csv"),
        "streamed": get(datasette, "/claims/claims.csv?_stream=on&_size=max"),
        "sql": get(datasette, "/claims.csv", params={"sql": "select '+cmd' as a, -3.2 as b"}),
        "format": get(datasette, "/claims/claims_review?_format=csv"),
    }
    for name, answer in answers.items():
        assert answer.status_code == 200, name
        rows = list(csv.reader(answer.text.splitlines()))
        cells = [cell for row in rows for cell in row if cell]
        runnable = [cell for cell in cells if cell[0] in "=+-@" and cell != "-3.2"]
        assert runnable == [], (name, runnable)
    assert "'=HYPERLINK" in answers["table"].text
    assert answers["sql"].text == "a,b\r\n'+cmd,-3.2\r\n"
    assert "-3.2" in answers["streamed"].text and "'@SUM(A1)" in answers["streamed"].text


def test_kept_answers_do_not_depend_on_datasettes_sql_text(ledger, monkeypatch):
    """Issue 18: the cache kept facets by spotting "count(*) as count from (" in the SQL; it now
    keeps any small read of an unchanged file, so SQL typed into Datasette is kept too, while a
    canned query (its parameters may hold the actor or the time) always runs."""
    path, ids = ledger
    ran: list[str] = []
    real = Database.execute

    async def counting(self: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        ran.append(sql)
        return await real(self, sql, *args, **kwargs)

    monkeypatch.setattr(Database, "execute", counting)
    datasette = build_datasette(path)
    typed = {"sql": "select unit, count(*) as n from claims group by unit order by unit"}
    first = get(datasette, "/claims.json", params=typed).json()["rows"]
    again = get(datasette, "/claims.json", params=typed).json()["rows"]
    assert again == first and ran.count(typed["sql"]) == 1
    with sqlite_utils.Database(path).conn as connection:
        connection.execute("update claims set unit = 'USD' where id = ?", [ids["big"]])
    changed = get(datasette, "/claims.json", params=typed).json()["rows"]
    assert ran.count(typed["sql"]) == 2 and changed != first
    canned = load_site().queries["unverified_by_checkworthiness"].sql
    for _ in range(2):
        assert get(datasette, "/claims/unverified_by_checkworthiness.json").status_code == 200
    assert ran.count(canned) == 2
