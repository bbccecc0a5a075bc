"""A real browser on the served ledger: highlight, sign-in, a note added and listed, XSS inert.

Starts `ledger serve` in a subprocess on a free loopback port and drives Debian's Chromium with
Playwright (its own browser download is not reachable here). Skipped only when /usr/bin/chromium
is missing. Screenshots go to test-artifacts/ (gitignored); the README's, in docs/, are rewritten
only when asked: `LEDGER_SCREENSHOTS=docs pytest tests/test_browser.py`, then commit them.
"""

from __future__ import annotations

import os
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


def screenshot(page, name: str, docs: bool = False) -> None:
    """A full-page screenshot in test-artifacts/; a README one in docs/ only when asked
    (LEDGER_SCREENSHOTS=docs), so an ordinary test run leaves the tree clean."""
    folder = DOCS if docs and os.environ.get("LEDGER_SCREENSHOTS") == "docs" else ARTIFACTS
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


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
            screenshot(page, "review-error-kept.png", docs=True)
            # Correct the unit: the extractor's reading is shown beside.
            correct = page.locator(".ledger-correct-form")
            correct.locator("input[name=unit]").fill("USD")
            correct.locator("input[name=reason]").fill("the customs table is in dollars")
            correct.locator("button[type=submit]").click()
            page.wait_for_selector(".ledger-corrections")
            assert "USD" in page.inner_text(".ledger-corrections")
            screenshot(page, "review-correction.png", docs=True)
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
            screenshot(page, "claim-page.png")
        finally:
            browser.close()
    assert dialogs == [], f"a script ran: {dialogs}"


def test_real_claim_page_screenshot(tmp_path):
    """The README's screenshots: the real sources after ingest, check and a little review (a
    verdict, a correction, a rejection): a claim page, a source page by state, the queue."""
    from click.testing import CliRunner
    from playwright.sync_api import sync_playwright

    from ledger.cli import cli

    db = tmp_path / "claims.db"
    sources = Path(__file__).resolve().parent.parent / "sources"
    runner = CliRunner(env={"LEDGER_REVIEWER": "ana"})
    for args in (["ingest", str(sources)], ["check"]):
        result = runner.invoke(cli, [*args, "--db", str(db)])
        assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as connection:
        ids = dict(connection.execute("select quote, id from claims").fetchall())
    for args in (
        ["note", ids["some 540 satellites"], "--verdict", "misleading", "--text",
         "The same article says the number exceeded 900."],
        ["note", ids["exceeded 3.3 trillion yuan"], "--verdict", "accurate", "--text",
         "NBS 2023 bulletin: 3,335.71 billion yuan."],
        ["correct", ids["8.4 percent"], "--summary", "China's R&D spending rose 8.4% in 2023",
         "--reason", "a short summary for ClaimReview"],
        ["reject", ids["two major deals"], "--reason", "a count of deals, not a figure to check"],
    ):  # fmt: skip
        result = runner.invoke(cli, [*args, "--db", str(db)])
        assert result.exit_code == 0, result.output
    with served(db) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(f"{base}/claims/claims/{ids['exceeded 3.3 trillion yuan']}")
            assert page.locator(".ledger-sentence mark.current").inner_text() == (
                "exceeded 3.3 trillion yuan"
            )
            assert page.locator(".ledger-words").inner_text() == "more than 3.3 trillion CNY, 2023"
            assert page.locator(".ledger-checks tr.outcome-consistent").count() >= 1
            screenshot(page, "claim-page.png", docs=True)
            page.goto(f"{base}/claims/sources/000_06537919e2765593")
            states = page.locator(".ledger-source-text mark").evaluate_all(
                "marks => marks.map(m => m.className)"
            )
            assert sorted(states) == sorted(
                ["state-misleading", "state-unverified", "state-accurate", "state-corrected",
                 "state-unverified"]
            )  # fmt: skip
            screenshot(page, "review-source-states.png", docs=True)
            page.goto(f"{base}/-/ledger/queue/claims")
            queued = page.locator(".ledger-claim-link").count()
            assert queued == len(ids) - 3  # two verdicts given, one rejected; corrected stays
            screenshot(page, "review-queue.png", docs=True)
        finally:
            browser.close()


# Saved on Windows: a CR LF, which an HTML parser would fold into LF, moving every offset after it.
TEXT_C = (
    "Exports of chips rose 12% in 2023, the ministry said.\r\n"
    "Officials counted 40 new factories across the province."
)

# Finds the words in the source text and gives the middle of their first and last characters,
# so the mouse can drag across them as a reviewer would.
WORDS_BOX = """(words) => {
  const text = document.querySelector('.ledger-source-text');
  const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const at = node.data.indexOf(words);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at); range.setEnd(node, at + 1);
    const first = range.getBoundingClientRect();
    range.setStart(node, at + words.length - 1); range.setEnd(node, at + words.length);
    const last = range.getBoundingClientRect();
    return {x0: first.left + 1, y0: first.top + first.height / 2,
            x1: last.right - 1, y1: last.top + last.height / 2};
  }
  return null;
}"""


def select_words(page, words: str) -> None:
    """Drag the mouse across `words` in the source text, as a reviewer selects them."""
    page.locator(".ledger-source-text").scroll_into_view_if_needed()
    box = page.evaluate(WORDS_BOX, words)
    assert box, f"{words!r} is not in the page's text"
    page.mouse.move(box["x0"], box["y0"])
    page.mouse.down()
    page.mouse.move(box["x1"], box["y1"], steps=8)
    page.mouse.up()


def test_queue_colours_and_a_missed_claim_added_by_selecting_words_in_chromium(server):
    """Issue 16: start from the queue, see a source's claims coloured by state, sign in from the
    source page and add a claim the extractor missed by selecting its words."""
    from playwright.sync_api import sync_playwright

    base, ids, db = server
    with sqlite3.connect(db) as connection:  # a source whose figures the extractor never read
        connection.execute(
            "insert into sources (id, path, sha256, title, publisher, published, chars, text)"
            " values ('src_c', 'sources/src_c.txt', 'x', 'Province report', 'Made-up Daily',"
            " '2024-03-01', ?, ?)",
            [len(TEXT_C), TEXT_C],
        )
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1400})
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            # The database page says where to start: the one unverified claim, linked.
            page.goto(f"{base}/claims")
            start = page.locator(".ledger-start")
            assert start.locator("h2").inner_text() == "Where to start: the review queue"
            start.locator(".ledger-claim-link").first.click()
            page.wait_for_url(f"{base}/claims/claims/{ids['other']}")
            # The queue's filters are one click each.
            page.goto(f"{base}/-/ledger/queue/claims")
            page.locator(".ledger-facet-metric a.ledger-chip", has_text="chip_imports").click()
            page.wait_for_url(re.compile(r".*\?metric=chip_imports$"))
            assert page.locator(".ledger-chip.active").first.inner_text().startswith("metric")
            assert page.locator(".ledger-claim-link").all_inner_texts() == [
                "2.9 trillion CNY, 2023"
            ]
            # The source page colours each claim by its state, with a legend.
            page.goto(f"{base}/claims/sources/src_a")
            colour = "m => getComputedStyle(m).backgroundColor"
            big = page.locator(f"mark#{ids['big']}")
            assert big.get_attribute("class") == "state-needs-context"
            assert big.evaluate(colour) == "rgb(208, 235, 255)"
            assert page.locator(f"mark#{ids['rise']}").evaluate(colour) == "rgb(255, 201, 201)"
            legend = page.locator(".ledger-legend li").all_inner_texts()
            assert legend == ["misleading 1", "needs-context 1"]
            # Sign in from a source page: back on it, with the form to add a claim.
            source = f"{base}/claims/sources/src_c"
            page.goto(source)
            assert page.locator(".ledger-add-claim-form").count() == 0
            page.click(".ledger-sign-in >> text=Sign in")
            page.fill("input[name=username]", "ana")
            page.fill("input[name=password]", PASSWORD)
            page.click("input[type=submit], button[type=submit]")
            page.wait_for_url(source)
            form = page.locator(".ledger-add-claim-form")
            assert form.is_hidden()
            # Select the words of the missed figure: the form fills in, the extractor reads them.
            select_words(page, "40 new factories")
            assert form.is_visible()
            assert form.locator("input[name=quote]").input_value() == "40 new factories"
            assert form.locator("input[name=start]").input_value() == str(TEXT_C.index("40 new"))
            page.wait_for_selector(".ledger-reading:has-text('The extractor reads')")
            assert "The extractor reads: 40 factor" in form.locator(".ledger-reading").inner_text()
            assert form.locator("input[name=value]").get_attribute("placeholder") == "40"
            form.locator("input[name=attribution]").fill("Officials")
            form.scroll_into_view_if_needed()
            screenshot(page, "review-add-claim.png", docs=True)
            form.locator("button[type=submit]").click()
            page.wait_for_selector(".ledger-review-saved")
            saved = page.locator(".ledger-review-saved")
            assert saved.inner_text().startswith("Claim added: c-")
            added = saved.locator("a").inner_text()
            mark = page.locator(f"mark#{added}")
            assert mark.inner_text() == "40 new factories"
            assert mark.get_attribute("class") == "state-unverified"
            with sqlite3.connect(db) as connection:
                row = connection.execute(
                    "select quote, value, attribution, added_by from claims where id = ?", [added]
                ).fetchone()
            assert row == ("40 new factories", 40.0, "Officials", "ana")
            # Words no longer at their place are refused beside the form, the words kept.
            select_words(page, "12%")
            page.wait_for_selector(".ledger-reading:has-text('The extractor reads')")
            form.locator("input[name=start]").evaluate("input => { input.value = '3'; }")
            form.locator("button[type=submit]").click()
            page.wait_for_selector(".ledger-review-error")
            assert "is not in source src_c at 3" in page.inner_text(".ledger-review-error")
            assert form.locator("input[name=quote]").input_value() == "12%"
            assert form.is_visible()
        finally:
            browser.close()
    assert dialogs == []


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
