"""One definition of conflict (ledger/conflicts.py) and claim matching (ledger/matching.py), end
to end: real extractor, `ledger check`, the canned queries and the claim page."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from ledger.cli import cli
from ledger.conflicts import ConflictRulesError, load_scope_cues
from ledger.serve import build_datasette

SOURCES = {
    # a before and after in one sentence: not a conflict
    "a": "Chinese R&D spending rose to 3.3 trillion yuan in 2023 from 3.1 trillion yuan in 2022.",
    # a conversion in brackets: not a conflict; the same 3.3 trillion as in a
    "b": "China spent 3.3 trillion yuan ($460 billion) on R&D in 2023.",
    # contradicts a and b
    "c": "China spent 2.9 trillion yuan on R&D in 2023, the ministry said.",
    # a whole and its part: never a conflict; the $52bn said in three places
    "d": "Congress passed the CHIPS and Science Act in 2022, a $280 billion package that "
    "includes $52 billion in funding for US chipmakers.",
    "e": "The US investment fund for chipmakers has $52 billion in 2022, a fraction of the "
    "$280 billion CHIPS and Science Act.",
    "f": "Congress passed the CHIPS and Science Act in 2022, a $280 billion package that "
    "includes $52 billion in funding for US chip makers.",
}


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), env={"LEDGER_REVIEWER": ""})


def ingested(tmp_path: Path, texts: dict[str, str]) -> str:
    """A ledger in tmp_path built by `ledger ingest` from one source file per name -> text."""
    folder = tmp_path / "sources"
    folder.mkdir()
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    path = str(tmp_path / "claims.db")
    assert run("ingest", str(folder), "--db", path).exit_code == 0
    return path


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = ingested(tmp_path, SOURCES)
    checked = run("check", "--db", path)
    assert checked.exit_code == 0, checked.output
    assert checked.output.splitlines()[1] == (
        "8 claims said more than once, in 3 group(s) of the same claim"
    )
    return path


def said(db: str) -> dict[str, str]:
    """'source:quote' -> claim id."""
    rows = sqlite_utils.Database(db).execute("select id, source_id, quote from claims")
    return {f"{source}:{quote}": claim for claim, source, quote in rows}


def test_ledger_check_flags_only_figures_stated_as_facts_that_disagree(db: str):
    ids = {claim: name for name, claim in said(db).items()}
    pairs = sqlite_utils.Database(db).execute(
        "select claim_id, against_id from checks"
        " where against_type = 'claim' and outcome = 'inconsistent'"
    )
    found = {tuple(sorted((ids[a], ids[b]))) for a, b in pairs}
    assert found == {
        ("a:3.3 trillion yuan", "c:2.9 trillion yuan"),
        ("b:3.3 trillion yuan", "c:2.9 trillion yuan"),
        ("b:$460 billion", "c:2.9 trillion yuan"),
    }


def get(datasette: object, path: str) -> object:
    return asyncio.run(datasette.client.get(path))  # type: ignore[attr-defined]


def test_the_canned_query_and_the_claim_page_use_the_same_conflicts(db: str):
    ids = said(db)
    datasette = build_datasette(Path(db))
    rows = get(datasette, "/claims/conflicting_figures.json?_shape=objects").json()["rows"]
    assert sorted(
        (r["quote_a"], r["quote_b"])
        if r["source_a"] < r["source_b"]
        else (r["quote_b"], r["quote_a"])
        for r in rows
    ) == [  # fmt: skip
        ("$460 billion", "2.9 trillion yuan"),
        ("3.3 trillion yuan", "2.9 trillion yuan"),
        ("3.3 trillion yuan", "2.9 trillion yuan"),
    ]
    part = get(datasette, f"/claims/claims/{ids['d:$52 billion']}").text
    assert "conflicting" not in part  # $280bn is listed beside, not as a conflict
    assert "$280 billion" in part
    contradicted = get(datasette, f"/claims/claims/{ids['c:2.9 trillion yuan']}").text
    assert "contradicts 3 other claim(s)" in contradicted  # the checks, whatever the unit
    assert "<strong>2 conflicting</strong>" in contradicted  # those in its own unit, listed beside


def test_the_same_claim_is_grouped_across_sources_and_listed(db: str):
    ids = said(db)
    groups = sqlite_utils.Database(db).execute(
        "select group_concat(claim_id) from claim_groups group by group_id"
    )
    names = {claim: name for name, claim in ids.items()}
    assert sorted(sorted(names[c] for c in row[0].split(",")) for row in groups) == [
        ["a:3.3 trillion yuan", "b:3.3 trillion yuan"],
        ["d:$280 billion", "e:$280 billion", "f:$280 billion"],
        ["d:$52 billion", "e:$52 billion", "f:$52 billion"],
    ]
    datasette = build_datasette(Path(db))
    page = get(datasette, f"/claims/claims/{ids['d:$52 billion']}").text
    elsewhere = page.split('id="elsewhere"', 1)[1].split("</ul>", 1)[0]
    assert f"/claims/claims/{ids['e:$52 billion']}" in elsewhere
    assert f"/claims/claims/{ids['f:$52 billion']}" in elsewhere
    assert "$280 billion" not in elsewhere
    top = get(datasette, "/claims/most_repeated_claims.json?_shape=objects").json()["rows"]
    assert sorted((row["quote"], row["sources"], row["unverified"]) for row in top[:2]) == [
        ("$280 billion", 3, 3),
        ("$52 billion", 3, 3),
    ]


def test_a_verdict_for_the_whole_group_gives_each_member_its_own_note(db: str):
    ids = said(db)
    result = run(
        "note", ids["e:$52 billion"], "--group", "--verdict", "accurate", "--text",
        "CHIPS Act section 102: $52.7bn", "--reviewer", "ana", "--db", db,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 3
    notes = (
        sqlite_utils.Database(db)
        .execute("select claim_id, verdict, reviewer from notes order by claim_id")
        .fetchall()
    )
    members = sorted(ids[f"{s}:$52 billion"] for s in "def")
    assert notes == [(claim, "accurate", "ana") for claim in members]
    audit = json.loads(run("audit", "--json", "--db", db).output)
    assert [row["action"] for row in audit] == ["note", "note", "note"]


def test_scope_cues_are_validated_when_loaded():
    assert load_scope_cues().scope_of(" package that includes ") == "part"
    bad = '[[cue]]\nid = "x"\nscope = "part"\npattern = "zzz"\ncomment = "c"\nexamples = ["a"]\n'
    with pytest.raises(ConflictRulesError, match="does not match its example"):
        load_scope_cues(bad)
    with pytest.raises(ConflictRulesError, match="scope"):
        load_scope_cues(bad.replace('"part"', '"most"'))


ROUNDED = {
    # the CHIPS subsidy, exact in one article and rounded or cut in the others
    "g": "The CHIPS and Science Act provides $52.7 billion for American semiconductor research, "
    "manufacturing and workforce development.",
    "h": "The CHIPS and Science Act provides $52 billion for American semiconductor research "
    "and manufacturing.",
    # $52.7bn rounded: but $52bn and $53bn are not one figure, so it joins no group with both
    "i": "The CHIPS and Science Act provides $53 billion for American semiconductor research "
    "and manufacturing.",
    # R&D: a floor, and the figure it allows
    "j": "China's spending on research and development exceeded 3.3 trillion yuan in 2023.",
    "k": "China's spending on research and development was 3.3357 trillion yuan in 2023.",
    # a floor the figure does not meet, and two figures as finely written that differ
    "l": "China's spending on research and development exceeded 3.4 trillion yuan in 2023.",
    "m": "The central bank set the rate at 5.92 percent for notes of 70 to 88 days.",
    "n": "The central bank set the rate at 5.93 percent for notes of 70 to 88 days.",
}


def test_figures_written_more_roughly_are_grouped_with_the_exact_one(tmp_path: Path):
    db = ingested(tmp_path, ROUNDED)
    checked = run("check", "--db", db)
    assert checked.exit_code == 0, checked.output
    assert "6 claims said more than once, in 3 group(s)" in checked.output
    ids = said(db)
    rows = sqlite_utils.Database(db).execute(
        "select group_concat(claim_id) from claim_groups group by group_id"
    )
    names = {claim: name for name, claim in ids.items()}
    assert sorted(sorted(names[c] for c in row[0].split(",")) for row in rows) == [
        ["g:$52.7 billion", "h:$52 billion"],
        ["j:exceeded 3.3 trillion yuan", "k:3.3357 trillion yuan"],
        ["m:70 to 88 days", "n:70 to 88 days"],
    ]
    datasette = build_datasette(Path(db))
    page = get(datasette, f"/claims/claims/{ids['h:$52 billion']}").text
    elsewhere = page.split('id="elsewhere"', 1)[1].split("</ul>", 1)[0]
    assert f"/claims/claims/{ids['g:$52.7 billion']}" in elsewhere
    assert f"/claims/claims/{ids['i:$53 billion']}" not in elsewhere
    top = get(datasette, "/claims/most_repeated_claims.json?_shape=objects").json()["rows"]
    chips = next(row for row in top if row["quote"] == "$52 billion")
    assert (chips["sources"], chips["value"], chips["value_most"]) == (2, 52e9, 52.7e9)
    assert sorted(chips["said_as"].split(",")) == ["$52 billion", "$52.7 billion"]


def _conflicts_everywhere(db: str, claim: str) -> tuple[int, int, bool]:
    """The conflicts `ledger check` stored, the canned query's rows, and whether `claim`'s page
    lists any: the three readers of the one definition."""
    stored = (
        sqlite_utils.Database(db)
        .execute(
            "select count(*) from checks where against_type = 'claim' and outcome = 'inconsistent'"
            " and claim_id < against_id"  # each pair is stored both ways
        )
        .fetchone()[0]
    )
    datasette = build_datasette(Path(db))
    rows = get(datasette, "/claims/conflicting_figures.json?_shape=objects").json()["rows"]
    page = get(datasette, f"/claims/claims/{claim}").text
    return stored, len(rows), "conflicting</strong>" in page


def test_a_rejection_or_a_correction_changes_the_conflicts_check_query_and_page_alike(db: str):
    ids = said(db)
    two_nine, three_three = ids["c:2.9 trillion yuan"], ids["a:3.3 trillion yuan"]
    assert _conflicts_everywhere(db, three_three) == (3, 3, True)
    rejected = run("reject", two_nine, "--reason", "a misprint", "--reviewer", "ana", "--db", db)
    assert rejected.exit_code == 0, rejected.output
    assert run("check", "--db", db).exit_code == 0
    assert _conflicts_everywhere(db, three_three) == (0, 0, False)
    run("restore", two_nine, "--reason", "it was printed", "--reviewer", "ana", "--db", db)
    assert run("check", "--db", db).exit_code == 0
    assert _conflicts_everywhere(db, three_three) == (3, 3, True)
    corrected = run("correct", two_nine, "--value", "3.3e12", "--reason", "the bulletin says 3.3",
                    "--reviewer", "ana", "--db", db)  # fmt: skip
    assert corrected.exit_code == 0, corrected.output
    assert run("check", "--db", db).exit_code == 0
    assert _conflicts_everywhere(db, three_three) == (0, 0, False)


def test_fiscal_year_figures_are_compared_without_crashing_ledger_check(tmp_path: Path):
    db = ingested(tmp_path, {
        name: f"Acme Corp said its revenue in fiscal 1986/87 rose to {amount} mln dlrs."
        for name, amount in (("a", 500), ("b", 700))
    })  # fmt: skip
    periods = sqlite_utils.Database(db).execute("select distinct period from claims").fetchall()
    assert periods == [("FY1987",)]
    checked = run("check", "--db", db)
    assert checked.exit_code == 0, checked.output  # "FY1987"[:4] was read as a year
    assert "2 claims contradicted by another claim" in checked.output
