"""Finding and reading source files: ids, manifest metadata, and named failures for bad files."""

from __future__ import annotations

import codecs
import datetime
import hashlib
import os
import random
from pathlib import Path

import pytest

from ledger.sources import (
    ManifestError,
    ReadOptions,
    SourceError,
    decode_source,
    find_sources,
    iter_sources,
    load_manifest,
    read_source,
    title_from_text,
)

ROOT = Path(__file__).resolve().parent.parent
HEADER = "file,publisher,title,url,published,published_confidence,notes\n"
UNDETECTED = "its encoding could not be detected with confidence; name it with --encoding"
NOT_A_DATE = "is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"
NOISE = random.Random(7).randbytes(400).replace(b"\x00", b"x")  # no encoding makes sense of it


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def test_seed_folder_is_found_with_manifest_metadata():
    found, failures = find_sources([ROOT / "sources"])
    assert failures == []
    assert [s.source_id for s in found] == [
        "000_06537919e2765593",
        "001_f00b55445c1939f9",
        "002_0f5644c9d011c526",
        "003_2f87d40cb264a962",
        "004_dac431702563645e",
    ]
    first, second = found[0].meta, found[1].meta
    assert first.publisher == "Global Times"
    assert first.title is None
    assert first.published == datetime.date(2024, 12, 4)
    assert first.notes is not None and first.notes.startswith("Editorial; opens with a photo")
    assert second.title == "China Prioritizes Technological Self-Reliance Amidst US Tensions"
    assert second.url is not None and second.url.startswith("https://www.nbcnews.com/")


def test_folders_are_walked_in_order_skipping_hidden_and_other_types(tmp_path: Path):
    write(tmp_path / "b.txt", "Bee 2")
    write(tmp_path / "a.md", "# Aye\n1 thing")
    write(tmp_path / "sub" / "c.txt", "Sea 3")
    write(tmp_path / ".hidden.txt", "no")
    write(tmp_path / ".git" / "d.txt", "no")
    write(tmp_path / "notes.csv", "x,y\n")
    found, failures = find_sources([tmp_path])
    assert failures == []
    assert [s.source_id for s in found] == ["a", "b", "c"]
    assert all(s.meta.publisher is None for s in found)


def test_missing_path_and_wrong_type_are_named_failures(tmp_path: Path):
    write(tmp_path / "ok.txt", "fine 1")
    other = write(tmp_path / "data.pdf", b"%PDF")
    found, failures = find_sources([tmp_path / "ok.txt", tmp_path / "gone.txt", other])
    assert [s.source_id for s in found] == ["ok"]
    assert [(Path(f.path).name, f.reason) for f in failures] == [
        ("gone.txt", "no such file or folder"),
        ("data.pdf", "not a source file (expected .txt, .md, .html, .htm)"),
    ]


def test_same_file_twice_is_one_source_but_two_files_with_one_stem_fail(tmp_path: Path):
    one = write(tmp_path / "x" / "story.txt", "one 1")
    write(tmp_path / "y" / "story.md", "two 2")
    found, failures = find_sources([one, tmp_path / "x", tmp_path / "y"])
    assert [s.path for s in found] == [one]
    assert len(failures) == 1
    assert failures[0].path.endswith("story.md")
    assert failures[0].reason == (
        f"source id 'story' is already taken by {os.path.abspath(one)} in this ingest"
    )


def test_manifest_rows_apply_to_their_files_only(tmp_path: Path):
    write(tmp_path / "manifest.csv", HEADER + 'a.txt,Pub,"A title, with comma",,2020-01-02,,\n')
    write(tmp_path / "a.txt", "x 1")
    write(tmp_path / "b.txt", "y 2")
    found, _ = find_sources([tmp_path])
    assert found[0].meta.title == "A title, with comma"
    assert found[0].meta.published == datetime.date(2020, 1, 2)
    assert found[0].meta.url is None
    assert found[1].meta.model_dump() == {
        "publisher": None,
        "title": None,
        "author": None,
        "url": None,
        "published": None,
        "published_precision": None,
        "published_confidence": None,
        "retrieved_at": None,
        "notes": None,
        "encoding": None,
    }


@pytest.mark.parametrize(
    "manifest,message",
    [
        ("name,publisher\na.txt,P\n", "manifest has no 'file' column"),
        ("file,publisher,colour\na.txt,P,red\n", "unknown manifest column(s) colour"),
        ("file,date,published\na.txt,2020,2021\n", "columns 'date' and 'published' both mean"),
        ("file,title,Title\na.txt,A,B\n", "columns 'title' and 'Title' both mean 'title'"),
    ],
)
def test_manifest_whose_columns_are_not_understood_is_a_clear_error(
    tmp_path: Path, manifest: str, message: str
):
    write(tmp_path / "manifest.csv", manifest)
    write(tmp_path / "a.txt", "x 1")
    with pytest.raises(ManifestError) as error:
        find_sources([tmp_path])
    assert message in str(error.value)
    assert "manifest.csv" in str(error.value)


@pytest.mark.parametrize(
    "rows,message",
    [
        (
            "a.txt,P,T,,yesterday,,\n",
            "line 2: published: 'yesterday' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)",
        ),
        (
            "a.txt,P,T,,2019-02-30,,\n",
            "line 2: published: '2019-02-30' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)",
        ),
        ("a.txt,P,T,,2019-13,,\n", "line 2: published: month 13 of '2019-13' is not 1-12"),
        ("a.txt,P,T,,,,,extra\n", "line 2: more fields than columns"),
        ("a.txt,P\n", "line 2: fewer fields than columns"),
    ],
)
def test_a_bad_manifest_row_is_named_by_line_and_only_its_file_is_skipped(
    tmp_path: Path, rows: str, message: str
):
    write(tmp_path / "manifest.csv", HEADER + rows + "b.txt,Q,Bee,,2020-05-06,,\n")
    write(tmp_path / "a.txt", "x 1")
    write(tmp_path / "b.txt", "y 2")
    found, failures = find_sources([tmp_path])
    assert [(s.source_id, s.meta.title) for s in found] == [("b", "Bee")]
    assert [(Path(f.path).name, f.reason) for f in failures] == [
        ("manifest.csv", f"{message}; a.txt skipped")
    ]


def test_manifest_rows_naming_no_file_or_twice_one_are_named_and_the_rest_kept(tmp_path: Path):
    rows = "a.txt,P,,,,,\n,Q,,,,,\ngone.txt,R,,,,,\na.txt,S,,,,,\nsub/b.txt,T,,,,,\n"
    write(tmp_path / "manifest.csv", HEADER + rows)
    write(tmp_path / "a.txt", "x 1")
    write(tmp_path / "sub" / "b.txt", "y 2")
    found, failures = find_sources([tmp_path])
    assert [(s.source_id, s.meta.publisher) for s in found] == [("a", "P"), ("b", None)]
    assert [f.reason for f in failures] == [
        "line 3: empty 'file'",
        "line 5: a.txt is listed twice (first on line 2)",
        "line 6: sub/b.txt is a path: a manifest describes the files beside it",
        "line 4: names gone.txt, which is not here",
    ]
    # a file named on its own is no claim that the folder is whole: no "not here" for the rest
    _, failures = find_sources([tmp_path / "a.txt"])
    assert failures == []


def test_a_manifest_field_over_the_csv_limit_is_a_one_line_error(tmp_path: Path):
    write(tmp_path / "manifest.csv", HEADER + "a.txt,P,,,,," + "n" * 140_000 + "\n")
    write(tmp_path / "a.txt", "x 1")
    with pytest.raises(ManifestError) as error:
        find_sources([tmp_path])
    assert str(error.value) == (
        f"{tmp_path / 'manifest.csv'}, line 2: field larger than field limit (131072)"
    )


def test_a_manifest_that_is_not_a_file_is_a_one_line_error(tmp_path: Path):
    """A folder named manifest.csv was passed over (the folder's files read with no metadata,
    the ingest a success)."""
    write(tmp_path / "a.txt", "x 1")
    (tmp_path / "manifest.csv").mkdir()
    with pytest.raises(ManifestError) as error:
        find_sources([tmp_path])
    assert str(error.value) == f"{tmp_path / 'manifest.csv'}: not a file; a manifest is a CSV file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_manifest_that_is_a_named_pipe_is_refused_not_waited_on(tmp_path: Path):
    """Opening a named pipe waits for a writer: it would have hung the ingest for ever."""
    os.mkfifo(tmp_path / "manifest.csv")
    with pytest.raises(ManifestError) as error:
        load_manifest(tmp_path / "manifest.csv")
    assert str(error.value) == f"{tmp_path / 'manifest.csv'}: not a file; a manifest is a CSV file"


def test_a_manifest_not_in_utf8_names_its_line_and_byte(tmp_path: Path):
    path = tmp_path / "manifest.csv"
    path.write_bytes((HEADER + "a.txt,Caf\u00e9 Wire,,,,,\n").encode("cp1252"))
    with pytest.raises(ManifestError) as error:
        load_manifest(path)
    assert str(error.value) == (
        f"{path}, line 2: not UTF-8 text (byte 0xe9); save the manifest as UTF-8"
    )


def test_manifest_may_have_a_bom_and_quoted_newlines(tmp_path: Path):
    path = write(tmp_path / "manifest.csv", "\ufeff" + HEADER + 'a.txt,P,,,,,"two\nlines"\n')
    assert load_manifest(path).rows["a.txt"].notes == "two\nlines"


def test_bom_is_dropped_and_offsets_refer_to_decoded_text(tmp_path: Path):
    path = write(tmp_path / "bom.txt", "\ufeffGDP grew 2.3% in 2020.\r\n".encode())
    read = read_source(path)
    assert read.text == "GDP grew 2.3% in 2020.\r\n"  # CRLF kept: offsets are into this text
    assert read.text.index("2.3%") == 9
    assert read.size == 27
    assert read.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "data, encoding",
    [
        ("GDP grew 2.3% in 2020.\n".encode("utf-16"), "utf-16"),  # Notepad's "Unicode"
        (codecs.BOM_UTF16_BE + "GDP grew 2.3% in 2020.\n".encode("utf-16-be"), "utf-16"),
        ("GDP grew 2.3% in 2020.\n".encode("utf-32"), "utf-32"),  # its mark begins as UTF-16's
    ],
)
def test_a_byte_order_mark_names_utf16_or_utf32(tmp_path: Path, data: bytes, encoding: str):
    read = read_source(write(tmp_path / "marked.txt", data))
    assert (read.text, read.encoding) == ("GDP grew 2.3% in 2020.\n", encoding)
    assert read.sha256 == hashlib.sha256(data).hexdigest()  # of the bytes, as ever


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "empty (no text)"),
        # UTF-16 with no mark: named with --encoding, never guessed from NULs
        ("GDP grew".encode("utf-16-le"), "binary file (NUL byte at offset 1)"),
        ("GDP grew".encode("utf-16") + b"\x00", "not valid utf-16 (byte 0x00 at offset 18)"),
        (b" \n\t\n", "empty (no text)"),
        (b"PK\x03\x04\x00\x00binary", "binary file (NUL byte at offset 4)"),
        (NOISE, f"not valid UTF-8 (byte 0xb4 at offset 1) and {UNDETECTED}"),
    ],
)
def test_bad_files_fail_with_their_reason(tmp_path: Path, data: bytes, reason: str):
    path = write(tmp_path / "bad.txt", data)
    with pytest.raises(SourceError) as error:
        read_source(path)
    assert error.value.reason == reason
    assert error.value.path == str(path)


def test_file_over_the_size_limit_is_refused_without_reading_it(tmp_path: Path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(SourceError) as error:
        read_source(path)
    assert error.value.reason == "too large (52,428,800 bytes; the limit is 20,971,520)"
    small = write(tmp_path / "small.txt", "12345 67890")
    with pytest.raises(SourceError, match=r"too large \(11 bytes; the limit is 10\)"):
        read_source(small, ReadOptions(max_bytes=10))
    assert read_source(small, ReadOptions(max_bytes=11)).text == "12345 67890"


def test_unreadable_path_is_a_source_error(tmp_path: Path):
    with pytest.raises(SourceError, match="cannot read"):
        read_source(tmp_path / "nope.txt")


def test_title_is_first_non_empty_line():
    assert title_from_text("\n\nPhoto: VCG\nBody") == "Body"
    assert title_from_text("Image credit: AP\nFile photo: X\nPhotography 101") == "Photography 101"
    assert title_from_text("## Heading ##\n") == "Heading ##"
    assert title_from_text("x" * 500) == "x" * 119 + "\u2026"
    long = "word " * 40 + "end."
    assert title_from_text(long) == ("word " * 23).strip() + "\u2026"


def test_decode_source_hash_is_of_the_bytes_not_the_text():
    with_bom = decode_source("a.txt", b"\xef\xbb\xbfabc 1")
    without = decode_source("a.txt", b"abc 1")
    assert with_bom.text == without.text
    assert with_bom.sha256 != without.sha256


def test_iter_sources_is_lazy_and_reads_a_manifest_only_when_its_folder_comes_up(tmp_path: Path):
    write(tmp_path / "a" / "one.txt", "1")
    write(tmp_path / "a" / "two.txt", "2")
    write(tmp_path / "b" / "manifest.csv", "name\nx\n")  # malformed, met only in folder b
    write(tmp_path / "b" / "three.txt", "3")
    failures: list[SourceError] = []
    walked = iter_sources([tmp_path], failures)
    assert [next(walked).source_id, next(walked).source_id] == ["one", "two"]
    with pytest.raises(ManifestError, match="manifest has no 'file' column"):
        next(walked)


def test_a_folders_own_files_come_before_its_subfolders(tmp_path: Path):
    write(tmp_path / "z.txt", "1")
    write(tmp_path / "a" / "y.txt", "2")
    write(tmp_path / "a" / "b" / "x.md", "3")
    write(tmp_path / "c" / "w.txt", "4")
    assert [s.source_id for s in iter_sources([tmp_path], [])] == ["z", "y", "x", "w"]


def test_two_files_with_one_stem_in_one_folder_fail_the_second(tmp_path: Path):
    first = write(tmp_path / "story.md", "one 1")
    write(tmp_path / "story.txt", "two 2")
    found, failures = find_sources([tmp_path])
    assert [s.path for s in found] == [first]
    assert [(Path(f.path).name, f.reason) for f in failures] == [
        (
            "story.txt",
            f"source id 'story' is already taken by {os.path.abspath(first)} in this ingest",
        )
    ]


def test_a_quote_never_closed_in_a_manifest_is_a_one_line_error(tmp_path: Path):
    """csv reads the rest of the file into a quoted field that is never closed: the rows after
    it (c.txt's date) would be lost without a word, so the manifest is refused, naming the line
    the quote opens on."""
    rows = 'a.txt,P,,,2024-01-01,,\nb.txt,"P,,,2024-01-02,,\nc.txt,P,,,2024-01-03,,\n'
    path = write(tmp_path / "manifest.csv", HEADER + rows)
    with pytest.raises(ManifestError) as error:
        load_manifest(path)
    assert str(error.value) == f"{path}, line 3: a quote opened here is never closed"
    # on the last row, where no row after it is swallowed, the same error, not a short row
    path = write(tmp_path / "manifest.csv", HEADER + 'a.txt,P,,,2024-01-01,,\nb.txt,"P,,,\n')
    with pytest.raises(ManifestError) as error:
        load_manifest(path)
    assert str(error.value) == f"{path}, line 3: a quote opened here is never closed"
    # closed over two lines, and a stray quote inside a field, are read as before
    rows = 'b.txt,P,,,2024-01-02,,"two\nlines"\nc.txt,P",,,2024-01-03,,\n'
    manifest = load_manifest(write(tmp_path / "manifest.csv", HEADER + rows))
    assert manifest.rows["b.txt"].notes == "two\nlines"
    assert manifest.rows["c.txt"].publisher == 'P"'
    assert str(manifest.rows["c.txt"].published) == "2024-01-03"


def test_a_file_name_not_in_utf8_is_a_failure_and_the_others_are_found(tmp_path: Path):
    """A name written in another encoding ("café" in Windows-1252) reaches Python with a
    surrogate for its 0xe9, which SQLite cannot store as text: that file is named and skipped
    (it was a traceback in the middle of an ingest), the others are read."""
    write(tmp_path / "a.txt", "x 1")
    odd = tmp_path / os.fsdecode(b"caf\xe9.txt")
    write(odd, "x 2")
    found, failures = find_sources([tmp_path])
    assert [source.source_id for source in found] == ["a"]
    assert [(f.path, f.reason) for f in failures] == [
        (str(odd), "the file's path is not UTF-8: rename it")
    ]
