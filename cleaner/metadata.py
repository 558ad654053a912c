"""What a page declares about itself: author, publication date, language, site name, description.

Read from the page's own declarations, most specific first: JSON-LD (schema.org's Article and
its kinds), Open Graph and other `<meta>` tags, the first `<time datetime>`, `<html lang>`.
Nothing is guessed from the text: a field the page does not declare is None. The parsed tree
is the segmenter's, so this costs no second parse.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .types import PageMetadata

if TYPE_CHECKING:  # the tree comes from the HTML segmenter; plain text never loads the parser
    from selectolax.lexbor import LexborHTMLParser

_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_LANGUAGE = re.compile(r"\s*([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*\s*$")
_SPACE = re.compile(r"\s+")
_ARTICLE_TYPES = frozenset(
    (
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "report",
        "scholarlyarticle",
        "techarticle",
        "opinionnewsarticle",
        "review",
        "webpage",
        "posting",
    )
)
# <meta name|property> keys, most trusted first, for each field.
_META_KEYS = {
    "author": ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author"),
    "date": (
        "article:published_time",
        "og:published_time",
        "datepublished",
        "publish-date",
        "publishdate",
        "pubdate",
        "date",
        "dc.date.issued",
        "dc.date",
        "citation_publication_date",
        "parsely-pub-date",
        "sailthru.date",
    ),
    "sitename": ("og:site_name", "application-name", "twitter:site"),
    "description": ("og:description", "description", "twitter:description"),
    "language": ("og:locale", "content-language", "dc.language", "language"),
}


def page_metadata(tree: LexborHTMLParser) -> PageMetadata:
    """The page's declared author, date, language, site name and description."""
    found: dict[str, str] = {}
    for item in _json_ld_items(tree):
        types = item.get("@type")
        types = {str(kind).lower() for kind in (types if isinstance(types, list) else [types])}
        if "website" in types:
            _offer(found, "sitename", item.get("name"))
        if types.isdisjoint(_ARTICLE_TYPES):
            continue
        _offer(found, "author", _name_of(item.get("author")))
        _offer(found, "date", item.get("datePublished") or item.get("dateCreated"))
        _offer(found, "sitename", _name_of(item.get("publisher")))
        _offer(found, "language", item.get("inLanguage"))
        _offer(found, "description", item.get("description"))
    meta = _meta_tags(tree)
    for field, keys in _META_KEYS.items():
        for key in keys:
            value = meta.get(key)
            if field == "author" and value and value.startswith(("http://", "https://")):
                continue  # article:author is often a profile URL, not a name
            _offer(found, field, value)
    time = tree.css_first("time[datetime]")
    if time is not None:
        _offer(found, "date", time.attributes.get("datetime"))
    root = tree.css_first("html")
    if root is not None:
        _offer(found, "language", root.attributes.get("lang") or root.attributes.get("xml:lang"))
    return PageMetadata(**found)


def iso_date(value: str) -> str | None:
    """YYYY-MM-DD from a date as pages write it ("2024-03-03T21:14:00Z", "2024/3/3"), or None."""
    match = _DATE.search(value)
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    if not (1990 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def iso_language(value: str) -> str | None:
    """The ISO 639-1 code of a language tag ("en-US", "de_DE", "fr"), or None."""
    match = _LANGUAGE.match(value)
    return match.group(1).lower() if match else None


_NORMALISE = {"date": iso_date, "language": iso_language}


def _offer(found: dict[str, str], field: str, value: Any) -> None:
    """Keep the first usable value of each field."""
    if field in found or not isinstance(value, str):
        return
    text = _SPACE.sub(" ", value).strip()
    normalised = _NORMALISE[field](text) if field in _NORMALISE else (text or None)
    if normalised:
        found[field] = normalised


def _name_of(value: Any) -> str | None:
    """A person's or organisation's name from JSON-LD: a string, {"name": ...}, or a list of them."""
    if isinstance(value, list):
        names = [name for name in map(_name_of, value) if name]
        return ", ".join(names) if names else None
    if isinstance(value, dict):
        value = value.get("name")
    return value if isinstance(value, str) else None


def _json_ld_items(tree: LexborHTMLParser) -> Iterator[dict[str, Any]]:
    """Every object of the page's JSON-LD blocks, `@graph` members included; a block that is not
    valid JSON is skipped."""
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text(deep=True) or "")
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
                yield item


def _meta_tags(tree: LexborHTMLParser) -> dict[str, str]:
    """`<meta>` contents by lower-cased name, property or http-equiv; the first of each wins."""
    tags: dict[str, str] = {}
    for node in tree.css("meta[content]"):
        attributes = node.attributes
        key = (
            attributes.get("property")
            or attributes.get("name")
            or attributes.get("itemprop")
            or attributes.get("http-equiv")
        )
        if key and attributes.get("content"):
            tags.setdefault(key.lower(), attributes["content"])
    return tags
