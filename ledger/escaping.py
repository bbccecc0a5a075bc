r"""Text from sources, notes and file names made safe for where it is written.

Everything in the ledger came from outside: news text, file names, reviewers' notes. Each sink
has its own danger, and one function here for each:

- a terminal or a log: control characters (escape sequences, a newline that forges a second
  "failed:" line, bidi overrides that reorder what is shown) -> `printable`;
- JSON read by people or embedded in a page: the same characters, and `<`, `>`, `&` that end a
  `<script>` element -> `json_text` (same data once parsed);
- a spreadsheet opening a CSV: a cell starting `=`, `+`, `-`, `@`, tab or a line break runs as a
  formula -> `csv_cell` (OWASP's rule: a leading `'`, except for plain numbers such as -3.2).

>>> print(printable("report\nfailed: x.txt\x1b[31m"))
report\nfailed: x.txt\x1b[31m
>>> csv_cell("=HYPERLINK(1)"), csv_cell("-3.2"), csv_cell("-fell"), csv_cell(-3.2)
("'=HYPERLINK(1)", '-3.2', "'-fell", -3.2)
>>> json_text('["</script>\u202e"]', html=True)
'["\\u003c/script\\u003e\\u202e"]'
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

# Control characters (C0, DEL, C1), line and paragraph separators (str.splitlines breaks lines
# at them), and the invisible bidi and direction marks that reorder what a terminal shows.
_UNSAFE = [*range(0x00, 0x20), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F, 0x2028, 0x2029]
_UNSAFE += [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(code: int) -> str:
    char = chr(code)
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_PRINTABLE = str.maketrans({code: _escape(code) for code in _UNSAFE})
# In JSON, C0 characters are escaped by json.dumps already; the rest as \uXXXX escapes.
_JSON_SAFE = str.maketrans({code: f"\\u{code:04x}" for code in _UNSAFE if code >= 0x20})
_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})
# In a CSV cell, line breaks and tabs are data (quoted); the characters that drive a terminal
# (C0, DEL, C1) are shown escaped. Separators and bidi marks are text a spreadsheet shows as is.
_CSV_SAFE = str.maketrans(
    {code: _escape(code) for code in _UNSAFE if code < 0xA0 and chr(code) not in "\n\r\t"}
)

FORMULA_START = frozenset("=+-@\t\r\n")
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def printable(text: Any) -> str:
    """`text` with every control, separator and bidi character shown as a Python-style escape,
    so it stays on its one line and cannot drive the terminal."""
    return str(text).translate(_PRINTABLE)


def json_text(dumped: str, *, html: bool = False) -> str:
    """JSON text from json.dumps with the characters above as \\u escapes (and `<`, `>`, `&` too
    when `html`, for JSON-LD inside a `<script>` element). Such characters only occur inside
    JSON strings, so the result parses to the same data."""
    dumped = dumped.translate(_JSON_SAFE)
    return dumped.translate(_HTML_SAFE) if html else dumped


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell a spreadsheet will not run: text that starts like a formula gets a
    leading `'`; plain numbers, and anything not text, are left as they are."""
    if not isinstance(value, str):
        return value
    value = value.translate(_CSV_SAFE)
    if value and value[0] in FORMULA_START and not NUMBER.fullmatch(value):
        return "'" + value
    return value


class CsvRewriter:
    """Neutralise the cells of a CSV stream (Datasette's .csv answers) as it passes, chunk by
    chunk: complete records are rewritten, a record cut by a chunk boundary waits for the rest.

    >>> rewriter = CsvRewriter()
    >>> out = rewriter.feed(b'a,b\\r\\n=1+1,"x\\r\\n') + rewriter.feed(b'-y"\\r\\n-3.2,@me\\r\\n')
    >>> print((out + rewriter.close()).decode().replace("\\r\\n", "|"))
    a,b|'=1+1,"x|-y"|-3.2,'@me|
    """

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, chunk: bytes) -> bytes:
        data = self._pending + chunk
        end = self._complete(data)
        self._pending = data[end:]
        return self._rewrite(data[:end])

    def close(self) -> bytes:
        rest, self._pending = self._pending, b""
        return self._rewrite(rest)

    @staticmethod
    def _complete(data: bytes) -> int:
        """Length of the leading part of `data` made of whole records: up to the last newline
        outside quotes (inside a quoted cell, quotes come doubled, so the count before a
        record's end is even)."""
        end, quotes, start = 0, 0, 0
        while (newline := data.find(b"\n", start)) >= 0:
            quotes += data.count(b'"', start, newline)
            if quotes % 2 == 0:
                end = newline + 1
            start = newline + 1
        return end

    @staticmethod
    def _rewrite(records: bytes) -> bytes:
        if not records:
            return b""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for row in csv.reader(io.StringIO(records.decode("utf-8"), newline="")):
            writer.writerow([csv_cell(cell) for cell in row])
        return out.getvalue().encode("utf-8")
