"""What a page declares about itself, read from JSON-LD, <meta>, <time> and <html lang>."""

from __future__ import annotations

import json

from cleaner.metadata import iso_date, iso_language, page_metadata
from cleaner.segment.html import parse_html
from cleaner.types import PageMetadata

JSON_LD = {
    "@context": "https://schema.org",
    "@graph": [
        {"@type": "WebSite", "name": "The Coastal Courier"},
        {
            "@type": ["NewsArticle"],
            "headline": "Harbour town votes to rebuild its flood wall",
            "author": [{"@type": "Person", "name": "Mara Jensen"}, {"@type": "Person", "name": "Ole Berg"}],
            "datePublished": "2024-03-03T21:14:00+01:00",
            "inLanguage": "nb-NO",
        },
    ],
}


def _page(head: str, html_attrs: str = "") -> str:
    return f"<html {html_attrs}><head>{head}</head><body><p>Text of the story.</p></body></html>"


def test_json_ld_comes_first_and_its_graph_is_read():
    head = (
        f'<script type="application/ld+json">{json.dumps(JSON_LD)}</script>'
        '<meta name="author" content="Someone Else">'
        '<meta property="article:published_time" content="2023-01-01">'
        '<meta property="og:description" content="The council voted on Tuesday.">'
    )
    meta = page_metadata(parse_html(_page(head, 'lang="en"')))
    assert meta == PageMetadata(
        author="Mara Jensen, Ole Berg",
        date="2024-03-03",
        language="nb",
        sitename="The Coastal Courier",
        description="The council voted on Tuesday.",
    )


def test_meta_tags_time_and_html_lang_fill_what_json_ld_lacks():
    head = (
        '<script type="application/ld+json">{not json</script>'
        '<meta property="article:author" content="https://example.org/staff/mj">'
        '<meta name="author" content="  Mara\n Jensen ">'
        '<meta property="og:site_name" content="Courier">'
        '<meta name="description" content="A vote on the wall.">'
    )
    html = _page(head, 'lang="de-AT"').replace("<p>", '<time datetime="2024/3/5">5 March</time><p>')
    meta = page_metadata(parse_html(html))
    assert meta == PageMetadata("Mara Jensen", "2024-03-05", "de", "Courier", "A vote on the wall.")


def test_a_page_that_declares_nothing_gives_nothing():
    assert page_metadata(parse_html("<p>Just a paragraph.</p>")) == PageMetadata()


def test_dates_and_language_tags_are_normalised_or_refused():
    assert iso_date("Published 2024-11-05T08:00:00Z") == "2024-11-05"
    assert iso_date("2024.1.9") == "2024-01-09"
    assert iso_date("2024-13-40") is None and iso_date("yesterday") is None
    assert iso_language("en_GB") == "en" and iso_language("PT-br") == "pt"
    assert iso_language("english") is None
