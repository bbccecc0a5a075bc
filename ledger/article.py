"""The article in a saved news page: its text and metadata, without the page's furniture.

trafilatura, made for news pages, finds the article and reads its metadata (title, author,
site name, canonical URL, publication date). Before it reads the page, the elements that
`ledger/data/page_furniture.toml` names as furniture (adverts, share bars, "most read" boxes,
navigation, footers) are dropped, so that what trafilatura keeps of them gives no claims either.

    >>> page = read_article(
    ...     "<html><head><title>Output up | Daily</title></head><body>"
    ...     "<article><h1>Output up</h1><p>Factory output rose 2.3% in May, the office said, "
    ...     "after a fall of 0.4% in April.</p>"
    ...     "<div class='ad'>Advertisement: sofas from 299 pounds</div></article></body></html>"
    ... )
    >>> page.text
    'Output up\\nFactory output rose 2.3% in May, the office said, after a fall of 0.4% in April.'
    >>> page.meta.title
    'Output up'

A date the article mentions is not taken for the page's own:

    >>> read_article(
    ...     "<html><body><article><p>The plant, opened on 12 March 2015, employs 300 people and "
    ...     "makes 2,000 cars a year.</p></article></body></html>"
    ... ).meta.published is None
    True
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import metadata, resources

import lxml.html
import trafilatura
from pydantic import BaseModel, ConfigDict, field_validator

from ledger.models import SourceMeta

# Elements that hold the page or the article itself: never furniture, whatever their class says.
_NEVER_DROPPED = frozenset({"html", "head", "body", "main", "article"})
# An element holding more than this share of the page's text is a wrapper of the article.
_WRAPPER_SHARE = 0.5
_WORD_SPLIT = re.compile(r"[\s_-]+")


class FurnitureRule(BaseModel):
    """One kind of page furniture (see page_furniture.toml)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    comment: str
    words: list[str]
    labels: list[str] = []
    tags: list[str] = []
    examples: list[str]

    @field_validator("words", "labels")
    @classmethod
    def _lowercase(cls, values: list[str]) -> list[str]:
        return [value.lower() for value in values]


@dataclass(frozen=True)
class Furniture:
    """Every furniture rule, as the sets and pattern `drop_furniture` matches against."""

    words: frozenset[str]
    labels: re.Pattern[str]
    tags: frozenset[str]

    def matches_name(self, name: str) -> bool:
        """Whether a class or id value names furniture: the whole value, one of its words, or
        one of its words split at "-" and "_".

        >>> furniture = load_furniture()
        >>> [furniture.matches_name(n) for n in ["inline-ad", "share-bar", "header", "badge"]]
        [True, True, False, False]
        """
        for token in name.lower().split():
            if token in self.words or any(part in self.words for part in _WORD_SPLIT.split(token)):
                return True
        return False


@cache
def load_furniture() -> Furniture:
    """Read and check page_furniture.toml (a typo fails loudly, with the entry's id)."""
    raw = resources.files("ledger").joinpath("data/page_furniture.toml").read_text("utf-8")
    rules = [FurnitureRule.model_validate(entry) for entry in tomllib.loads(raw)["furniture"]]
    words = frozenset(word for rule in rules for word in rule.words)
    labels = sorted({label for rule in rules for label in rule.labels}, key=len, reverse=True)
    furniture = Furniture(
        words=words,
        tags=frozenset(tag for rule in rules for tag in rule.tags),
        labels=re.compile(r"\s*(?:" + "|".join(map(re.escape, labels)) + r")\b", re.IGNORECASE),
    )
    for rule in rules:
        missed = [example for example in rule.examples if not furniture.matches_name(example)]
        if missed:
            raise ValueError(f"page_furniture.toml, {rule.id}: examples not matched: {missed}")
    return furniture


@dataclass(frozen=True)
class Article:
    """The article read from a page: its text (claim offsets refer to it) and its metadata."""

    text: str
    meta: SourceMeta


def text_extractor() -> str:
    """What made a page's stored text, recorded with the source: 'trafilatura 2.3.1'."""
    return f"trafilatura {metadata.version('trafilatura')}"


def drop_furniture(tree: lxml.html.HtmlElement) -> int:
    """Remove the furniture elements from a parsed page in place; return how many went."""
    furniture = load_furniture()
    body = tree.find("body")
    page_chars = len((body if body is not None else tree).text_content())
    doomed = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in _NEVER_DROPPED:
            continue
        if element.tag in furniture.tags:
            doomed.append(element)
            continue
        named = furniture.matches_name(element.get("class", "")) or furniture.matches_name(
            element.get("id", "")
        )
        text = element.text_content()
        labelled = element.tag in ("div", "aside", "section") and furniture.labels.match(text)
        if (named or labelled) and len(text) <= _WRAPPER_SHARE * page_chars:
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:  # not already gone with a doomed ancestor
            element.drop_tree()
    return len(doomed)


def read_article(html: str, *, url: str | None = None) -> Article:
    """The article text of a page and its metadata (fields the page does not give are None)."""
    tree = lxml.html.document_fromstring(html)
    drop_furniture(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        deduplicate=False,
        # a date from the page's markup only: htmldate's extensive search would take a date the
        # article mentions ("founded on 12 March 2015") for its publication date
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if document is None:
        return Article(text="", meta=SourceMeta())
    found = document if isinstance(document, dict) else document.as_dict()
    title = found.get("title") or None
    site = found.get("sitename") or None
    published = found.get("date") or None
    meta = SourceMeta(
        title=title,
        publisher=site if site != title else None,  # a page with no site name repeats its title
        author=found.get("author") or None,
        url=found.get("url") or None,
        published=date.fromisoformat(published) if published else None,
        published_precision="day" if published else None,
        published_confidence="from the page's metadata" if published else None,
    )
    return Article(text=found.get("text") or "", meta=meta)
