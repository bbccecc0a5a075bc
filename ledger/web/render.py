"""Small pure helpers the pages use: text with spans highlighted, and safe links (a figure in
words is `ledger.describe`).

Everything that reaches HTML here is built from escaped pieces (markupsafe), so source text,
quotes and titles from the database can never inject markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    """A stretch of text to mark: [start, end) in code points, with where it links to."""

    start: int
    end: int
    href: str | None = None
    title: str | None = None
    anchor: str | None = None
    css_class: str | None = None  # "current" for the claim of the page; a state on a source


def highlight(text: str, spans: list[Span]) -> Markup:
    """The text, escaped, with each span wrapped in <mark> (and a link when it has an href).

    Overlapping spans are clipped so marks never nest: a later span starts where the one before
    it ended. Spans outside the text are ignored. A carriage return is written as `&#13;`: an HTML
    parser turns a raw CR LF into LF, and the page's text must keep the source's offsets (a
    selection on the source page is sent back as one).

    >>> str(highlight("Sales <b>rose</b> 5% to $3 bn.", [Span(18, 20, "/c/1", "5%")]))
    'Sales &lt;b&gt;rose&lt;/b&gt; <mark><a href="/c/1" title="5%">5%</a></mark> to $3 bn.'
    >>> str(highlight("a 1 2 b", [Span(2, 5), Span(4, 5, anchor="x")]))
    'a <mark>1 2</mark> b'
    >>> str(highlight("up 5%", [Span(3, 5, anchor="c-1", css_class="state-rejected")]))
    'up <mark id="c-1" class="state-rejected">5%</mark>'
    >>> str(highlight("a" + chr(13) + chr(10) + "b", [])).split(chr(10))
    ['a&#13;', 'b']
    """
    pieces: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        start, end = max(span.start, cursor), min(span.end, len(text))
        if start >= end:
            continue
        pieces.append(escape(text[cursor:start]))
        inner = escape(text[start:end])
        if span.href:
            inner = Markup('<a href="{}"{}>{}</a>').format(
                span.href,
                Markup(' title="{}"').format(span.title) if span.title else "",
                inner,
            )
        attributes = Markup("")
        if span.anchor:
            attributes += Markup(' id="{}"').format(span.anchor)
        if span.css_class:
            attributes += Markup(' class="{}"').format(span.css_class)
        pieces.append(Markup("<mark{}>{}</mark>").format(attributes, inner))
        cursor = end
    pieces.append(escape(text[cursor:]))
    return Markup("").join(pieces).replace("\r", Markup("&#13;"))


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None: a `javascript:` link is never rendered.

    >>> safe_url("https://stats.example/gdp")
    'https://stats.example/gdp'
    >>> safe_url("javascript:alert(1)") is None
    True
    """
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None
