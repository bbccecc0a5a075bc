"""The reviewer's desk from the command line: corrections, rejections, added claims, comments and
sign-offs, against a ledger in tmp_path, with the real extractor; and review surviving re-ingest,
including one after the extractor changed its reading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli import cli
from ledger.extraction import extract
from ledger.models import Claim
from ledger.store import Ledger

ARTICLE = (
    "China's R&D spending exceeded 3.3 trillion yuan in 2023, up 8.4 percent, the "
    "statistics bureau said.\n\n"
    "The fund will raise over $40 billion for chips, according to Reuters.\n\n"
    "Page 12 of the report lists the lion's share of the plants.\n"
)


def run(*args: str, env: dict[str, str] | None = None) -> object:
    return CliRunner().invoke(cli, list(args), env=env or {"LEDGER_REVIEWER": ""})


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "024_article.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "025_other.txt").write_text("Exports rose 5 percent in 2023.\n", encoding="utf-8")
    return folder


@pytest.fixture
def db(corpus: Path, tmp_path: Path) -> str:
    path = str(tmp_path / "claims.db")
    result = run("ingest", str(corpus), "--db", path)
    assert result.exit_code == 0, result.output
    return path


def claim_by_quote(db: str, quote: str, **filters: object) -> dict:
    with Ledger(db) as ledger:
        rows = ledger.claims(include_retired=True, **filters)  # type: ignore[arg-type]
    return next(row for row in rows if row["quote"] == quote)


def test_a_correction_changes_the_reading_everything_uses_and_keeps_the_extractors(db: str):
    claim = claim_by_quote(db, "over $40 billion")
    assert (claim["unit"], claim["metric"]) == ("USD", "investment_fund")
    result = run(
        "correct", claim["id"], "--unit", "CNY", "--period", "2024", "--reason",
        "the fund is in yuan", "--reviewer", "ana", "--db", db,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"correction 1 on {claim['id']}: unit CNY, period 2024"
    after = claim_by_quote(db, "over $40 billion")
    assert (after["unit"], after["kind"], after["period"], after["value"]) == (
        "CNY", "money", "2024", 4e10)  # fmt: skip
    exported = json.loads(run("export", "--format", "json", "--db", db).output)
    assert next(row for row in exported if row["id"] == claim["id"])["unit"] == "CNY"
    listed = json.loads(run("corrections", claim["id"], "--json", "--db", db).output)
    assert [(c["fields"], c["original"], c["reason"], c["reviewer"]) for c in listed] == [
        ({"unit": "CNY", "period": "2024", "kind": "money"},
         {"unit": "USD", "period": None, "kind": "money"}, "the fund is in yuan", "ana"),
    ]  # fmt: skip
    # a second correction adds to the first; the extractor's reading stays as it read it
    run("correct", claim["id"], "--value", "41e9", "--reason", "rounded", "--reviewer", "bo",
        "--db", db)  # fmt: skip
    after = claim_by_quote(db, "over $40 billion")
    assert (after["unit"], after["value"], after["period"]) == ("CNY", 41e9, "2024")
    with Ledger(db) as ledger:
        from ledger.review import extractor_reading

        reading = extractor_reading(ledger.db, claim["id"])
    assert reading is not None and (reading["unit"], reading["value"]) == ("USD", 4e10)
    actions = [row["action"] for row in json.loads(run("audit", "--json", "--db", db).output)]
    assert actions == ["correction", "correction"]
    # the table reads as a person would say it; a field given as it already is changes nothing
    table = run("corrections", claim["id"], "--db", db).output
    assert "value: 40 billion -> 41 billion" in table and "unit: USD -> CNY" in table
    assert "2026-" not in table or "…" not in table.split("\n")[2][:30]
    same = run("correct", claim["id"], "--value", "41e9", "--period", "2024", "--reason", "x",
               "--reviewer", "bo", "--db", db)  # fmt: skip
    assert same.exit_code == 1
    assert (
        same.output
        == "Error: nothing to correct: the claim already reads value 41e9, period 2024\n"
    )
    partly = run("correct", claim["id"], "--value", "41e9", "--subject", "China", "--reason",
                 "x", "--reviewer", "bo", "--db", db)  # fmt: skip
    assert partly.output.strip() == f"correction 3 on {claim['id']}: subject China"
    cleared = run("correct", claim["id"], "--subject", "", "--reason", "x", "--reviewer", "bo",
                  "--db", db)  # fmt: skip
    assert cleared.output.strip() == f"correction 4 on {claim['id']}: subject (none)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["correct", "c-0000000000000000", "--unit", "USD", "--reason", "x"],
            "no claim with id 'c-0000000000000000'",
        ),
        (["correct", "{claim}", "--unit", "USD", "--reason", "   "], "a reason is required"),
        (["correct", "{claim}", "--unit", "USD"], "a reason is required"),
        (
            ["correct", "{claim}", "--unit", "usd", "--reason", "x"],
            "unknown unit 'usd' (did you mean USD?)",
        ),
        (["correct", "{claim}", "--metric", "gdpp", "--reason", "x"], "unknown metric 'gdpp'"),
        (["correct", "{claim}", "--period", "last year", "--reason", "x"], "period must be"),
        (["correct", "{claim}", "--value", "lots", "--reason", "x"], "value must be a number"),
        (["correct", "{claim}", "--reason", "x"], "nothing to correct"),
        (["correct", "{claim}", "--summary", "x" * 76, "--reason", "x"], "at most 75"),
        # a range runs up from its value: given, or the claim's own (over $40 billion)
        (
            ["correct", "{claim}", "--value", "5", "--value-high", "2", "--reason", "x"],
            "value_high 2 is below the value 5: a range runs from the value up to value_high",
        ),
        (
            ["correct", "{claim}", "--value-high", "30e9", "--reason", "x"],
            "value_high 3e+10 is below the value 4e+10",
        ),
        (
            ["add-claim", "024_article", "--quote", "Page 12", "--value", "9", "--value-high", "1"],
            "value_high 1 is below the value 9",
        ),
        (["reject", "{claim}", "--reason", ""], "a reason is required"),
        (["reject", "c-0000000000000000", "--reason", "x"], "no claim with id"),
        (["restore", "{claim}", "--reason", "x"], "is not rejected"),
        (["add-claim", "024_article", "--quote", "two thirds"], "is not in source 024_article"),
        (["add-claim", "024_article", "--quote", "Page"], "no figure found in 'Page'"),
        (
            ["add-claim", "024_article", "--quote", "the", "--value", "1"],
            "appears 4 times in 024_article; say which with --occurrence N",
        ),
        (["add-claim", "999_none", "--quote", "x", "--value", "1"], "no source with id"),
        (["add-claim", "02", "--quote", "x", "--value", "1"], "'02' is ambiguous: 024_article,"),
        (
            ["add-claim", "024_article", "--quote", "over $40 billion"],
            "the extractor already has a claim at those words",
        ),
        (
            ["add-claim", "024_article", "--quote", "Page 12", "--unit", "pages"],
            "unknown unit 'pages'",
        ),
        (["note", "{claim}", "--verdict", "accurate", "--text", " "], "a note needs some text"),
        (["sign-off", "99"], "no note with id 99"),
        # typed in a Windows-1252 terminal: the byte 0xe9 reaches Python as a surrogate
        (
            ["note", "{claim}", "--verdict", "accurate", "--text", "caf\udce9 prices"],
            "caf\\xe9 prices is not UTF-8 text",
        ),
        (
            ["correct", "{claim}", "--value", "41e9", "--reason", "caf\udce9"],
            "caf\\xe9 is not UTF-8 text",
        ),
    ],
)
def test_bad_review_input_is_one_line_and_writes_nothing(db: str, args: list[str], message: str):
    claim = claim_by_quote(db, "over $40 billion")["id"]
    argv = [arg.replace("{claim}", claim) for arg in args] + ["--reviewer", "ana", "--db", db]
    result = run(*argv)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and message in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
    with Ledger(db) as ledger:
        for table in ("corrections", "rejections", "notes", "audit", "signoffs"):
            assert ledger.db[table].count == 0, table
        assert ledger.db["claims"].count_where("added_by is not null") == 0


def test_every_write_needs_a_reviewer_or_LEDGER_REVIEWER(db: str):
    claim = claim_by_quote(db, "over $40 billion")["id"]
    for args in (
        ["note", claim, "--text", "x"],
        ["correct", claim, "--unit", "CNY", "--reason", "x"],
        ["reject", claim, "--reason", "x"],
        ["add-claim", "024_article", "--quote", "Page 12", "--value", "12"],
    ):
        result = run(*args, "--db", db)
        assert result.exit_code == 1
        assert "say who you are: --reviewer NAME (or set LEDGER_REVIEWER)" in result.output
    by_env = run("reject", claim, "--reason", "x", "--db", db, env={"LEDGER_REVIEWER": "cy"})
    assert by_env.exit_code == 0, by_env.output
    assert json.loads(run("audit", "--json", "--db", db).output)[0]["reviewer"] == "cy"


def test_a_rejected_claim_leaves_lists_checks_and_exports_and_can_be_restored(db: str):
    target = claim_by_quote(db, "over $40 billion")
    result = run("reject", target["id"], "--reason", "a page number", "--reviewer", "ana",
                 "--db", db)  # fmt: skip
    assert result.exit_code == 0, result.output
    listed = json.loads(run("claims", "--json", "--db", db).output)
    assert target["id"] not in [row["id"] for row in listed]
    exported = json.loads(run("export", "--format", "json", "--db", db).output)
    assert target["id"] not in [row["id"] for row in exported]
    assert run("check", "--db", db).exit_code == 0
    with Ledger(db) as ledger:
        assert ledger.db["checks"].count_where("claim_id = ?", [target["id"]]) == 0
        assert ledger.db["claims_review"].count_where("id = ?", [target["id"]]) == 0
    with Ledger(db) as ledger:
        assert [row["id"] for row in ledger.claims(rejected=True)] == [target["id"]]
    rules = json.loads(run("rejections", "--json", "--db", db).output)
    assert [(r["rule"], r["rejected"], r["reasons"]) for r in rules] == [
        (target["rule"], 1, "a page number")
    ]
    again = run("reject", target["id"], "--reason", "x", "--reviewer", "ana", "--db", db)
    assert "already rejected" in again.output
    back = run("restore", target["id"], "--reason", "it is a figure", "--reviewer", "bo",
               "--db", db)  # fmt: skip
    assert back.exit_code == 0, back.output
    assert target["id"] in [r["id"] for r in json.loads(run("claims", "--json", "--db", db).output)]
    assert json.loads(run("rejections", "--json", "--db", db).output) == []


def test_an_added_claim_is_read_by_the_extractor_where_not_given(db: str):
    # "$40 billion" inside the extractor's "over $40 billion": the extractor's reading fills in
    result = run("add-claim", "024_article", "--quote", "$40 billion", "--bound", "exact",
                 "--reviewer", "ana", "--db", db)  # fmt: skip
    assert result.exit_code == 0, result.output
    added = claim_by_quote(db, "$40 billion")
    assert (added["value"], added["unit"], added["kind"], added["bound"]) == (
        4e10, "USD", "money", "exact")  # fmt: skip
    assert (added["metric"], added["attribution"], added["rule"]) == (
        "investment_fund", "Reuters", "reviewer")  # fmt: skip
    with Ledger(db) as ledger:
        text = ledger.db["sources"].get("024_article")["text"]
        row = ledger.db["claims"].get(added["id"])
    assert text[added["start"] : added["end"]] == "$40 billion"
    assert row["added_by"] == "ana" and row["occurrence"] == 1
    assert added["sentence"].startswith("The fund will raise")
    # a figure the extractor does not read at all: typed in
    typed = run("add-claim", "024_article", "--quote", "lion's share", "--value", "50",
                "--unit", "percent", "--bound", "more_than", "--reviewer", "ana",
                "--db", db)  # fmt: skip
    assert typed.exit_code == 0, typed.output
    half = claim_by_quote(db, "lion's share")
    assert (half["value"], half["unit"], half["kind"], half["metric"]) == (
        50.0, "percent", "percent", "other")  # fmt: skip
    twice = run("add-claim", "024_article", "--quote", "lion's share", "--value", "50",
                "--reviewer", "ana", "--db", db)  # fmt: skip
    assert "already in the ledger" in twice.output


def test_a_comment_never_changes_the_verdict_and_sign_off_needs_another_reviewer(db: str):
    claim = claim_by_quote(db, "over $40 billion")["id"]
    first = run("note", claim, "--verdict", "mostly-accurate", "--text", "close",
                "--reviewer", "ana", "--db", db)  # fmt: skip
    assert first.output.strip() == f"note 1 on {claim}: mostly-accurate"
    comment = run("note", claim, "--text", "I would say accurate", "--reviewer", "bo", "--db", db)
    assert comment.output.strip() == f"note 2 on {claim}: comment (verdict unchanged)"
    assert claim_by_quote(db, "over $40 billion")["verdict"] == "mostly-accurate"
    with Ledger(db) as ledger:
        (verdict,) = ledger.db.execute("select verdict from claims_review where id = ?", [claim])
        assert verdict == ("mostly-accurate",)
    own = run("sign-off", "1", "--reviewer", "ana", "--db", db)
    assert "note 1 is ana's own" in own.output
    a_comment = run("sign-off", "2", "--reviewer", "ana", "--db", db)
    assert "note 2 is a comment" in a_comment.output
    signed = run("sign-off", "1", "--reviewer", "bo", "--db", db)
    assert signed.output.strip() == f"note 1 on {claim} signed off by bo"
    again = run("sign-off", "1", "--reviewer", "bo", "--db", db)
    assert again.exit_code == 1 and "note 1 is already signed off by bo" in again.output
    actions = [row["action"] for row in json.loads(run("audit", "--json", "--db", db).output)]
    assert actions == ["note", "comment", "sign-off"]


def test_source_takes_a_unique_prefix_and_the_table_keeps_ids_whole(db: str, corpus: Path):
    table = run("claims", "--source", "024", "--db", db)
    assert table.exit_code == 0, table.output
    ids = [row["id"] for row in json.loads(run("claims", "--json", "--db", db).output)
           if row["source_id"] == "024_article"]  # fmt: skip
    assert ids and all(f"{cid}  " in table.output for cid in ids)
    assert "024_article" in table.output and "…" not in table.output.split("\n")[2][:40]
    ambiguous = run("claims", "--source", "02", "--db", db)
    assert ambiguous.exit_code == 1
    assert "source '02' is ambiguous: 024_article, 025_other" in ambiguous.output
    for command in ("claims", "export"):
        unknown = run(command, "--source", "zzz", "--db", db)
        assert unknown.exit_code == 1, unknown.output
        assert unknown.output == (
            "Error: no source with id 'zzz' or starting with it, and no publisher is called that\n"
        )
    added = run("add-claim", "025", "--quote", "5 percent", "--reviewer", "ana", "--db", db)
    assert added.exit_code == 1 and "already has a claim at those words" in added.output


@pytest.mark.parametrize(
    ("option", "error"),
    [
        ("--source", "--source needs a source id, a unique prefix of one, or a publisher"),
        ("--metric", "--metric needs a metric name (e.g. rd_spending)"),
        ("--search", "--search needs at least one word"),
    ],
)
def test_an_empty_filter_is_an_error_not_every_claim(db: str, option: str, error: str):
    # an empty value once read as no filter: `--source ""` listed every claim
    for command in ("claims", "export"):
        empty = run(command, option, " ", "--db", db)
        assert (empty.exit_code, empty.output) == (1, f"Error: {error}\n")


def test_the_audit_of_an_unknown_claim_is_an_error(db: str):
    unknown = run("audit", "c-0000000000000000", "--db", db)
    assert (unknown.exit_code, unknown.output) == (
        1,
        "Error: no claim with id 'c-0000000000000000'\n",
    )


def _changed_reading(text: str, *, published: object = None) -> list[Claim]:
    """The extractor after a change: it reads every dollar figure 1% higher (new ids)."""
    claims = extract(text)
    for claim in claims:
        if claim.unit == "USD":
            claim.value *= 1.01
            claim.fingerprint = claim.compute_fingerprint()
    return claims


def test_review_survives_reingest_and_an_extractor_change(
    db: str, corpus: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("LEDGER_REVIEWER", "ana")
    dollars = claim_by_quote(db, "over $40 billion")
    percent = claim_by_quote(db, "8.4 percent")
    runner = CliRunner()
    for args in (
        ["correct", dollars["id"], "--unit", "CNY", "--reason", "yuan"],
        ["reject", dollars["id"], "--reason", "testing rejection moves"],
        ["correct", percent["id"], "--period", "2022", "--reason", "the base year"],
        ["add-claim", "024_article", "--quote", "lion's share", "--value", "50", "--unit",
         "percent"],
    ):  # fmt: skip
        assert runner.invoke(cli, [*args, "--db", db]).exit_code == 0
    added = claim_by_quote(db, "lion's share")

    # 1. text added before every claim: ids stay, offsets move, review stays applied
    path = corpus / "024_article.txt"
    path.write_text("A new opening paragraph.\n\n" + ARTICLE, encoding="utf-8")
    with Ledger(db) as ledger:
        ledger.ingest([corpus])
    moved = claim_by_quote(db, "lion's share")
    assert moved["id"] == added["id"] and moved["start"] == added["start"] + 26
    assert claim_by_quote(db, "8.4 percent")["period"] == "2022"

    # 2. the extractor changes its reading of dollars: new id, the correction follows the words
    with Ledger(db) as ledger:
        ledger.ingest([corpus], force=True, extractor=_changed_reading)
        new = next(r for r in ledger.claims(rejected=True) if r["quote"] == "over $40 billion")
        assert new["id"] != dollars["id"]
        assert (new["unit"], new["value"]) == ("CNY", pytest.approx(4.04e10))
        listed = ledger.db.execute(
            "select claim_id, orphaned_at from corrections where fields like '%CNY%'"
        ).fetchall()
        assert listed == [(new["id"], None)]
        assert ledger.db["claims"].get(new["id"])["rejected_at"] is not None
    # 3. the words are gone: the correction is kept, orphaned, and listed
    path.write_text(ARTICLE.replace("8.4 percent", "8.1 percent"), encoding="utf-8")
    with Ledger(db) as ledger:
        ledger.ingest([corpus])
    orphaned = json.loads(runner.invoke(cli, ["corrections", "--orphaned", "--json", "--db", db])
                          .output)  # fmt: skip
    assert [(row["claim_id"], row["fields"]["period"]) for row in orphaned] == [
        (percent["id"], "2022")
    ]
    assert claim_by_quote(db, "8.1 percent")["period"] == "2023"
    assert claim_by_quote(db, "lion's share")["retired_at"] is None
    actions = [r["action"] for r in json.loads(runner.invoke(cli, ["audit", "--json", "--db", db])
                                               .output)]  # fmt: skip
    assert actions.count("moved") >= 3 and actions.count("orphaned") == 1


def test_passwd_names_an_unknown_reviewer_before_asking_for_a_password(tmp_path: Path):
    reviewers = str(tmp_path / "reviewers.json")
    added = run("reviewer", "add", "ana", "--password", "a long password", "--reviewers", reviewers)
    assert added.exit_code == 0, added.output
    unknown = CliRunner().invoke(cli, ["reviewer", "passwd", "zed", "--reviewers", reviewers])
    assert (unknown.exit_code, unknown.output) == (
        1,
        f"Error: no reviewer zed in {reviewers}\n",
    )  # no "Password:" prompt first
    changed = CliRunner().invoke(
        cli, ["reviewer", "passwd", "ana", "--reviewers", reviewers], input="another one!\n" * 2
    )
    assert changed.exit_code == 0 and "reviewer ana: password changed" in changed.output
    listed = run("reviewer", "list", "--reviewers", reviewers)
    assert listed.stdout == "ana\n"
