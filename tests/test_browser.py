"""A real browser on the served ledger: highlight, sign-in, a note added and listed, XSS inert.

Starts `ledger serve` in a subprocess on a free loopback port and drives Debian's Chromium with
Playwright (its own browser download is not reachable here). Skipped only when /usr/bin/chromium
is missing. Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from made_up_ledger import HOSTILE, PASSWORD, make_ledger, served

from ledger.web.reviewers import add_reviewer

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
DOCS = Path(__file__).resolve().parent.parent / "docs"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"
)


BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture()
def server(
    ledger: tuple[Path, dict[str, str]], reviewers: Path
) -> Iterator[tuple[str, dict[str, str], Path]]:
    db, ids = ledger
    add_reviewer(reviewers, "bo", PASSWORD, iterations=1000)
    with served(db, reviewers) as base:
        yield base, ids, db


def test_claim_page_sign_in_note_and_xss_in_chromium(server):
    from playwright.sync_api import sync_playwright

    base, ids, db = server
    ARTIFACTS.mkdir(exist_ok=True)
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1600})
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

            # The claim page: the figure is highlighted in its sentence, and said in words.
            page.goto(f"{base}/claims/claims/{ids['big']}")
            mark = page.locator(".ledger-sentence mark.current")
            assert mark.inner_text() == "more than 3.3 trillion yuan"
            assert mark.is_visible()
            background = mark.evaluate("m => getComputedStyle(m).backgroundColor")
            assert background == "rgb(255, 212, 59)"  # the CSS shipped in the package loaded
            assert page.locator(".ledger-words").inner_text() == "more than 3.3 trillion CNY, 2023"
            assert page.locator("svg.ledger-chart g.reference").count() == 1
            assert page.locator(".ledger-note-form").count() == 0  # not signed in: no form

            # A note holding <script> renders as text, runs nothing.
            page.goto(f"{base}/claims/claims/{ids['rise']}")
            assert page.locator(".ledger-note-text").first.inner_text() == HOSTILE
            assert page.locator(".ledger-notes script").count() == 0

            # The source page: every claim highlighted and linked, hostile text inert.
            page.goto(f"{base}/claims/sources/src_a")
            assert page.locator(".ledger-source-text mark a").count() == 2
            assert page.locator(".ledger-source-text img, .ledger-source-text script").count() == 0

            # Sign in from the claim page: back on the claim page after.
            claim_url = f"{base}/claims/claims/{ids['big']}"
            page.goto(claim_url)
            page.click("text=Sign in")
            page.fill("input[name=username]", "ana")
            page.fill("input[name=password]", PASSWORD)
            page.click("input[type=submit], button[type=submit]")
            page.wait_for_url(claim_url)
            # Add a note from the claim page, see it listed.
            form = page.locator(".ledger-note-form")
            assert form.locator("select[name=verdict]").input_value() == ""  # no default verdict
            form.locator("select[name=verdict]").select_option("inaccurate")
            hostile_note = (
                "Off by 6.5%. <script>window.__pwned = 1</script>"
                '<img src=x onerror="window.__pwned = 2">'
            )
            form.locator("textarea[name=text]").fill(hostile_note)
            form.locator("input[name=evidence_url]").fill("https://stats.example/yearbook")
            form.locator("button[type=submit]").click()
            page.wait_for_url(re.compile(r".*/claims/claims/c-[0-9a-f]+\?_review=.*"))
            notes = page.locator(".ledger-note-text")
            assert notes.count() == 2
            assert notes.nth(1).inner_text() == hostile_note  # listed after the earlier note
            assert "Verdict saved: inaccurate." in page.content()
            assert page.evaluate("typeof window.__pwned") == "undefined"
            assert page.locator(".ledger-notes script, .ledger-notes img").count() == 0
            # A comment leaves the verdict as it was.
            form = page.locator(".ledger-note-form")
            form.locator("select[name=verdict]").select_option("comment")
            form.locator("textarea[name=text]").fill("Agreed, table 4.")
            form.locator("button[type=submit]").click()
            page.wait_for_selector(".ledger-review-saved")
            assert page.locator(".ledger-verdict").first.inner_text() == "inaccurate"
            # A bad evidence URL: the error beside the form, the text kept.
            form = page.locator(".ledger-note-form")
            form.locator("select[name=verdict]").select_option("misleading")
            form.locator("textarea[name=text]").fill("Typed with care.")
            form.locator("input[name=evidence_url]").fill("ftp://stats.example/x")
            form.locator("button[type=submit]").click()
            page.wait_for_selector(".ledger-review-error")
            assert "evidence URL must be an http(s) URL" in page.inner_text(".ledger-review-error")
            form = page.locator(".ledger-note-form")
            assert form.locator("textarea[name=text]").input_value() == "Typed with care."
            assert form.locator("select[name=verdict]").input_value() == "misleading"
            page.screenshot(path=str(DOCS / "review-error-kept.png"), full_page=True)
            # Correct the unit: the extractor's reading is shown beside.
            correct = page.locator(".ledger-correct-form")
            correct.locator("input[name=unit]").fill("USD")
            correct.locator("input[name=reason]").fill("the customs table is in dollars")
            correct.locator("button[type=submit]").click()
            page.wait_for_selector(".ledger-corrections")
            assert "USD" in page.inner_text(".ledger-corrections")
            page.screenshot(path=str(DOCS / "review-correction.png"), full_page=True)
            # Reject another claim: not a claim.
            page.goto(f"{base}/claims/claims/{ids['rise']}")
            reject = page.locator(".ledger-reject-form")
            reject.locator("input[name=reason]").fill("a comparison, not a figure to check")
            reject.locator("button[type=submit]").click()
            page.wait_for_selector(".ledger-review-saved")
            assert "Rejected: not a claim." in page.content()
            assert page.locator(".ledger-reject-form button").inner_text() == "Restore"
            page.goto(claim_url)
            page.locator("#notes").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "claim-page.png"), full_page=True)
        finally:
            browser.close()
    assert dialogs == [], f"a script ran: {dialogs}"


def test_real_claim_page_screenshot(tmp_path):
    """The README's screenshot: a claim from the real sources, after ingest and check."""
    from click.testing import CliRunner
    from playwright.sync_api import sync_playwright

    from ledger.cli import cli

    db = tmp_path / "claims.db"
    sources = Path(__file__).resolve().parent.parent / "sources"
    for args in (["ingest", str(sources)], ["check"]):
        result = CliRunner().invoke(cli, [*args, "--db", str(db)])
        assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as connection:
        (claim_id,) = connection.execute(
            "select id from claims where quote = 'exceeded 3.3 trillion yuan'"
        ).fetchone()
    with served(db) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(f"{base}/claims/claims/{claim_id}")
            assert page.locator(".ledger-sentence mark.current").inner_text() == (
                "exceeded 3.3 trillion yuan"
            )
            assert page.locator(".ledger-words").inner_text() == "more than 3.3 trillion CNY, 2023"
            assert page.locator(".ledger-checks tr.outcome-consistent").count() >= 1
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "claim-page-real.png"), full_page=True)
        finally:
            browser.close()


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)


def test_claimreview_json_ld_embedded_in_a_page_runs_nothing(tmp_path):
    """Issue 19 item 3: a note closing the <script> element ran alert() when written raw."""
    import json

    from click.testing import CliRunner
    from playwright.sync_api import sync_playwright

    from ledger.cli import cli

    db = tmp_path / "claims.db"
    ids = make_ledger(db)
    note = "</script><script>alert(1)</script><!--"
    runner = CliRunner()
    noted = runner.invoke(
        cli,
        ["note", ids["big"], "--verdict", "inaccurate", "--text", note, "--reviewer", "ana"]
        + ["--db", str(db)],
    )
    assert noted.exit_code == 0, noted.output
    exported = runner.invoke(
        cli,
        ["export", "--format", "claimreview", "--site-url", "https://fc.example", "--db", str(db)],
    )
    assert exported.exit_code == 0
    html = f'<html><head><script type="application/ld+json">{exported.stdout}</script></head>'
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.set_content(html + "<body><p>page</p></body></html>")
            embedded = page.evaluate(
                "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').text)"
            )
        finally:
            browser.close()
    assert dialogs == []
    assert note in [review.get("reviewBody") for review in embedded]
    assert embedded == json.loads(exported.stdout)


def test_pages_cannot_be_framed_and_cross_site_forms_cannot_sign_in_or_out(server):
    """Issue 19 items 16 and 10: the note form in another site's frame (clickjacking), and a
    cross-site form signing the victim in as someone else, or out."""
    from playwright.sync_api import sync_playwright

    base, ids, _ = server
    claim = f"{base}/claims/claims/{ids['big']}"
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{base}/-/login")
            page.fill("input[name=username]", "ana")
            page.fill("input[name=password]", PASSWORD)
            page.click("input[type=submit]")
            page.goto(f"{base}/-/actor.json")
            assert '"id": "ana"' in page.inner_text("body")

            attacker = context.new_page()
            attacker.set_content(f'<iframe id="victim" src="{claim}" width="800" height="600">')
            attacker.wait_for_timeout(1500)
            framed = attacker.frames[1]
            assert framed.locator(".ledger-sentence").count() == 0  # blocked, not rendered
            for action, fields in (
                ("/-/login", {"username": "bo", "password": PASSWORD}),
                ("/-/logout", {}),
            ):
                inputs = "".join(
                    f'<input name="{name}" value="{value}">' for name, value in fields.items()
                )
                attacker.set_content(
                    f'<form id="f" method="post" action="{base}{action}">{inputs}</form>'
                    "<script>document.getElementById('f').submit()</script>"
                )
                attacker.wait_for_load_state()
                attacker.wait_for_timeout(500)
                page.goto(f"{base}/-/actor.json")
                assert '"id": "ana"' in page.inner_text("body"), action  # still ana, signed in
        finally:
            browser.close()
