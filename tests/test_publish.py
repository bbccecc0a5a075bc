"""Exports fit to publish: ClaimReview JSON-LD checked with a JSON-LD processor (pyld, expanding
against a bundled schema.org context, no network) and against Google's required fields; the claim
page's own embedded review; Markdown and CSV with readable values and claim URLs."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pyld import jsonld

from ledger.cli import cli
from ledger.export import author_type, draft_summary
from ledger.serve import build_datasette

CONTEXT = json.loads(
    (Path(__file__).parent / "fixtures" / "schemaorg-context.jsonld").read_text(encoding="utf-8")
)
SCHEMA = "http://schema.org/"
ARTICLE = (
    "China's research and development spending exceeded 3.3 trillion yuan in 2023, up 8.4 "
    "percent on the year before, according to the National Bureau of Statistics, in a bulletin "
    "that also covered basic research.\n\n"
    "Gross mortgage lending fell to £43 billion in March, UK Finance said.\n\n"
    "Exports rose 5% in 2024.\n"
)


def offline_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Only the bundled schema.org context: a test that needs the network fails here."""
    if url.rstrip("/") not in ("https://schema.org", "http://schema.org"):
        raise AssertionError(f"pyld asked for {url}")
    return {"contextUrl": None, "documentUrl": url, "document": CONTEXT}


def expand(review: dict[str, Any]) -> dict[str, Any]:
    (expanded,) = jsonld.expand(review, {"documentLoader": offline_loader})
    return expanded


def value(node: dict[str, Any], name: str) -> Any:
    found = node[SCHEMA + name][0]
    return found.get("@value", found.get("@id", found))


def run(*args: str, cwd: Path | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env={"LEDGER_REVIEWER": ""})


@pytest.fixture
def db(tmp_path: Path) -> str:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "024_article.txt").write_text(ARTICLE, encoding="utf-8")
    path = str(tmp_path / "claims.db")
    assert run("ingest", str(folder), "--db", path).exit_code == 0
    claims = json.loads(run("claims", "--json", "--db", path).output)
    by_quote = {claim["quote"]: claim["id"] for claim in claims}
    for quote, verdict, text in (
        ("exceeded 3.3 trillion yuan", "accurate", "NBS bulletin: 3,327.8 billion yuan"),
        ("8.4 percent", "unverifiable", "</script><script>alert(1)</script> no table yet"),
        ("£43 billion", "mostly-accurate", "UK Finance: £43.1 billion"),
    ):
        result = run("note", by_quote[quote], "--verdict", verdict, "--text", text, "--evidence",
                     "https://stats.example/b", "--reviewer", "ana", "--db", path)  # fmt: skip
        assert result.exit_code == 0, result.output
    return path


def test_claimreview_needs_a_site_url_and_counts_the_reviews(db: str, tmp_path: Path):
    refused = run("export", "--format", "claimreview", "--db", db)
    assert refused.exit_code == 1
    assert "claimreview needs --site-url" in refused.output
    target = tmp_path / "reviews.json"
    result = run("export", "--format", "claimreview", "--site-url", "https://fc.example",
                 "--organisation", "Example Fact Check", "--db", db, "-o", str(target))  # fmt: skip
    assert result.exit_code == 0, result.output
    reviews = json.loads(target.read_text(encoding="utf-8"))
    assert result.stderr == f"wrote {len(reviews)} review(s) as claimreview to {target}\n"
    assert len(reviews) == 3
    assert "localhost" not in target.read_text() and "127.0.0.1" not in target.read_text()


@pytest.mark.parametrize(
    ("site", "message"),
    [
        ("http://localhost:8001", "is a local address"),
        ("http://127.0.0.1:8001/", "is a local address"),
        ("http://192.168.1.20", "is a local address"),
        ("ftp://fc.example", "must be an http(s) address, not 'ftp://fc.example'"),
        ("fc.example", "must be an http(s) address"),
    ],
)
def test_claimreview_refuses_a_site_url_readers_cannot_open(
    db: str, tmp_path: Path, site: str, message: str
):
    target = tmp_path / "reviews.json"
    refused = run("export", "--format", "claimreview", "--site-url", site, "--db", db,
                  "-o", str(target))  # fmt: skip
    assert refused.exit_code == 1 and message in refused.output, refused.output
    assert len(refused.output.splitlines()) == 1 and not target.exists()


def test_markdown_and_csv_warn_when_their_links_lead_nowhere(db: str):
    bare = run("export", "--format", "markdown", "--db", db)
    assert bare.exit_code == 0
    assert bare.stderr.startswith("warning: no --site-url: claim links are paths")
    assert "](</claims/claims/c-" in bare.stdout
    local = run("export", "--format", "csv", "--site-url", "http://localhost:8001", "--db", db)
    assert local.stderr.startswith("warning: --site-url http://localhost:8001 is a local")
    published = run("export", "--format", "csv", "--site-url", "https://fc.example", "--db", db)
    assert published.stderr == ""


def test_claimreview_expands_as_schema_org_with_googles_required_fields(db: str, tmp_path: Path):
    config = tmp_path / "ledger.toml"
    config.write_text('[organisation]\nname = "Example Fact Check"\n'
                      'url = "https://fc.example"\n', encoding="utf-8")  # fmt: skip
    out = run("export", "--format", "claimreview", "--site-url", "https://fc.example",
              "--config", str(config), "--db", db)  # fmt: skip
    assert out.exit_code == 0, out.output
    assert out.stderr == ""  # the organisation is named: no warning
    unnamed = run("export", "--format", "claimreview", "--site-url", "https://fc.example",
                  "--config", str(tmp_path / "empty.toml"), "--db", db)  # fmt: skip
    assert unnamed.exit_code == 1  # a config named but missing is an error, not the defaults
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")
    unnamed = run("export", "--format", "claimreview", "--site-url", "https://fc.example",
                  "--config", str(tmp_path / "empty.toml"), "--db", db)  # fmt: skip
    assert unnamed.stderr == (
        "warning: no organisation named (--organisation, or [organisation] name in "
        "ledger.toml): the reviews' author is 'ledger'\n"
    )
    assert {r["author"]["name"] for r in json.loads(unnamed.stdout)} == {"ledger"}
    assert "</script>" not in out.stdout  # safe inside a <script> element
    for review in json.loads(out.stdout):
        node = expand(review)
        assert node["@type"] == [SCHEMA + "ClaimReview"]
        # Google's required fields: claimReviewed, reviewRating (with a textual rating), url
        claimed = value(node, "claimReviewed")
        assert 0 < len(claimed) <= 75
        assert value(node, "url") == f"https://fc.example/claims/claims/{review['url'][-18:]}"
        rating = node[SCHEMA + "reviewRating"][0]
        label = value(rating, "alternateName")
        assert label in {"Accurate", "Mostly accurate", "Unverifiable"}
        # Unverifiable is a textual rating only: no number on the true-false scale
        assert (SCHEMA + "ratingValue" in rating) == (label != "Unverifiable")
        author = node[SCHEMA + "author"][0]
        assert author["@type"] == [SCHEMA + "Organization"]
        assert value(author, "name") == "Example Fact Check"
        assert value(node[SCHEMA + "creator"][0], "name") == "ana"
        claim = node[SCHEMA + "itemReviewed"][0]
        assert claim["@type"] == [SCHEMA + "Claim"]
    by_figure = {
        r["claimReviewed"]: r["itemReviewed"].get("author") for r in json.loads(out.stdout)
    }
    assert {"@type": "Organization", "name": "UK Finance"} in by_figure.values()


def test_a_summary_is_drafted_short_and_can_be_set(db: str):
    claims = json.loads(run("claims", "--json", "--db", db).output)
    long = next(c for c in claims if c["quote"] == "exceeded 3.3 trillion yuan")
    drafted = draft_summary(long)
    assert len(drafted) <= 75 and "3.3 trillion yuan" in drafted and "…" not in drafted
    # 75 characters end in "... yuan in": a summary never ends on a word that says nothing
    assert drafted == "China's research and development spending exceeded 3.3 trillion yuan"
    result = run("correct", long["id"], "--summary", "China spent over 3.3 trillion yuan on R&D "
                 "in 2023", "--reason", "shorter", "--reviewer", "ana", "--db", db)  # fmt: skip
    assert result.exit_code == 0, result.output
    out = run("export", "--format", "claimreview", "--site-url", "https://fc.example",
              "--db", db)  # fmt: skip
    summaries = [review["claimReviewed"] for review in json.loads(out.stdout)]
    assert "China spent over 3.3 trillion yuan on R&D in 2023" in summaries


@pytest.mark.parametrize(
    ("name", "kind"),
    [("UK Finance", "Organization"), ("Beat", "Organization"), ("Wang Zhigang", "Person"),
     ("Dr Li", "Person"), ("National Bureau of Statistics", "Organization"),
     ("Reuters", "Organization"), ("Gina Raimondo", "Person"),
     ("Foreign Policy", "Organization"), ("Global Times", "Organization"),
     ("The Daily Telegraph", "Organization"), ("Jiang Jinquan", "Person")],
)  # fmt: skip
def test_a_claims_author_is_typed_from_the_author_rules(name: str, kind: str):
    """A ledger that stored no type (written before it was stored) reads it from the name."""
    assert author_type({"attribution": name}) == kind
    assert author_type({"attribution": name, "attribution_type": None}) == kind


def test_only_signed_off_verdicts_are_published_when_the_config_says_so(db: str, tmp_path: Path):
    config = tmp_path / "ledger.toml"
    config.write_text("[review]\nsign_off = true\n", encoding="utf-8")
    args = ["export", "--format", "claimreview", "--site-url", "https://fc.example",
            "--config", str(config), "--db", db]  # fmt: skip
    assert json.loads(run(*args).stdout) == []
    assert run("sign-off", "1", "--reviewer", "ben", "--db", db).exit_code == 0
    assert len(json.loads(run(*args).stdout)) == 1
    everything = run("export", "--format", "claimreview", "--site-url", "https://fc.example",
                     "--db", db)  # fmt: skip
    assert len(json.loads(everything.stdout)) == 3
    only_signed = run(*everything_args(db), "--signed-off")
    assert len(json.loads(only_signed.stdout)) == 1


def everything_args(db: str) -> list[str]:
    return ["export", "--format", "claimreview", "--site-url", "https://fc.example", "--db", db]


def test_markdown_and_csv_read_as_published(db: str):
    markdown = run("export", "--format", "markdown", "--site-url", "https://fc.example/",
                   "--db", db).stdout  # fmt: skip
    line = next(line for line in markdown.splitlines() if "3.3 trillion" in line)
    assert "more than 3.3 trillion CNY, 2023" in line and "3.3e+12" not in line
    link = r"\[c-[0-9a-f]{16}\]\(<https://fc\.example/claims/claims/c-[0-9a-f]{16}>\)"
    assert re.search(link, line)
    assert "| accurate | NBS bulletin: 3,327.8 billion yuan |" in line
    assert "[evidence](<https://stats.example/b>)" in line
    exported = run("export", "--format", "csv", "--site-url", "https://fc.example", "--db", db)
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    big = next(row for row in rows if row["quote"] == "exceeded 3.3 trillion yuan")
    assert big["claim_url"] == f"https://fc.example/claims/claims/{big['id']}"
    assert big["figure"] == "more than 3.3 trillion CNY, 2023"


def test_each_claim_page_embeds_its_own_claimreview_safely(db: str):
    claims = json.loads(run("claims", "--json", "--db", db).output)
    noted = next(c for c in claims if c["quote"] == "8.4 percent")
    datasette = build_datasette(Path(db))
    html = asyncio.run(datasette.client.get(f"/claims/claims/{noted['id']}")).text
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) == 1
    review = json.loads(found[0])
    assert review["url"].endswith(f"/claims/claims/{noted['id']}")
    assert review["reviewBody"].startswith("</script><script>alert(1)")  # ...escaped in HTML
    assert "<script>alert(1)" not in html.split("</h1>", 1)[1].split("<div", 1)[0]
    assert expand(review)["@type"] == [SCHEMA + "ClaimReview"]
    unnoted = next(c for c in claims if not c["verdict"] or c["verdict"] == "unverified")
    page = asyncio.run(datasette.client.get(f"/claims/claims/{unnoted['id']}")).text
    assert "application/ld+json" not in page
