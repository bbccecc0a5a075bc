"""Coverage-guided fuzzing of `ledger.extract` with atheris (libFuzzer for Python). Not run in CI.

    .venv/bin/pip install atheris          # in the `bench` extra
    .venv/bin/python bench/fuzz_extract.py -max_total_time=600 -timeout=20
    .venv/bin/python bench/fuzz_extract.py crash-1a2b3c...   # replay one input

An input fails when `extract` raises, when a claim's offsets do not point at its quote (or its
sentence, or the quote is not inside its sentence), or when the same text gives different claims
on a second run. libFuzzer writes the failing input to `crash-<sha1>` in the temporary folder it
names; replay it, then turn it into a case in tests/test_regressions.py.
The seed corpus (made-up phrases of the shapes the extractor handles) and a dictionary of its
tokens are written to a temporary folder, so the fuzzer starts from inputs that reach deep into
the rules instead of random bytes.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris
import pydantic  # noqa: F401  (imported first so that only ledger's own code is instrumented)
import regex  # noqa: F401

with atheris.instrument_imports(include=["ledger"]):
    from ledger import extract
    from ledger.sentences import MAX_SENTENCE

SEEDS = [
    "GDP grew 2.3% in 2023, the statistics office said.",
    "The deal is worth $3.3 trillion, up from £1.2bn last year.",
    "About 40,000 people, more than half of them children, were displaced.",
    "Sales fell by between 3 and 4 million units (about 12 per cent).",
    "Prices rose 0.5 percentage points to 7.1% in March 2024.",
    "It costs €12.50 a month; some 1.5m households pay it.",
    "Output was 3-4 times higher, at nearly 900 tonnes a day.",
    "Only 1 in 5 firms (20%) invested over ¥1,000,000 in Q4 2023.",
]

TOKENS = [
    "million", "billion", "trillion", "bn", "m", "k", "%", "percent", "per cent",
    "percentage points", "$", "£", "€", "¥", "US$", "about", "around", "nearly", "more than",
    "at least", "up to", "less than", "between", " and ", " to ", "-", "–", ",", ".", "(", ")",
    "rose", "fell", "up", "down", "times", "half", "a third", "2023", "Q4", "said", "\n\n",
]  # fmt: skip


def check(text: str) -> None:
    """Raise AssertionError when `extract` breaks one of its promises on `text`."""
    claims = extract(text)
    for claim in claims:
        assert 0 <= claim.start <= claim.end <= len(text), (claim.start, claim.end, len(text))
        assert text[claim.start : claim.end] == claim.quote, (claim.quote, claim.start)
        sentence_end = claim.sentence_start + len(claim.sentence)
        sentence_at = text[claim.sentence_start : sentence_end]
        assert sentence_at == claim.sentence, (claim.sentence, claim.sentence_start)
        assert claim.sentence_start <= claim.start and claim.end <= sentence_end, "outside sentence"
        # capped, so a line with no sentence end cannot make each figure carry all of it; a
        # figure across a cut joins two pieces
        assert len(claim.sentence) <= 2 * MAX_SENTENCE, ("sentence too long", len(claim.sentence))
    # each sentence stored once, and sentences do not overlap: what is stored is linear
    spans = sorted({(c.sentence_start, c.sentence_start + len(c.sentence)) for c in claims})
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), "sentences overlap"
    again = extract(text)
    assert [c.model_dump() for c in again] == [c.model_dump() for c in claims], "not deterministic"


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    check(provider.ConsumeUnicodeNoSurrogates(len(data)))


def _dict_escape(token: str) -> str:
    r"""A token as libFuzzer's dictionary format wants it: printable ASCII, else \xNN.

    >>> _dict_escape('say "1"\n')
    'say \\x221\\x22\\x0A'
    """
    return "".join(
        chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else f"\\x{b:02X}" for b in token.encode()
    )


def _seed_folder() -> tuple[str, str]:
    folder = Path(tempfile.mkdtemp(prefix="fuzz_extract_"))
    corpus = folder / "corpus"
    corpus.mkdir()
    for n, seed in enumerate(SEEDS):
        # FuzzedDataProvider reads a leading byte to choose the string width: 0 means 1 byte per
        # char (ASCII-ish), so the seed's own text comes through as written.
        (corpus / f"seed{n}").write_bytes(b"\x00" + seed.encode("latin-1", "replace"))
    dictionary = folder / "tokens.dict"
    dictionary.write_text("".join(f'"{_dict_escape(t)}"\n' for t in TOKENS if t.isascii()))
    return str(corpus), str(dictionary)


def main() -> None:
    args = list(sys.argv)
    replay = len(args) > 1 and Path(args[-1]).is_file()
    if not replay:
        corpus, dictionary = _seed_folder()
        args += [f"-dict={dictionary}", corpus]
        if not any(arg.startswith("-artifact_prefix=") for arg in args):
            args.insert(1, f"-artifact_prefix={Path(corpus).parent}/")
    atheris.Setup(args, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
