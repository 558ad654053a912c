"""Segmentation: text lines and HTML blocks, with the markup evidence each block keeps."""

from __future__ import annotations

from cleaner.segment.html import HIDDEN_WORD, html_blocks, html_title, parse_html
from cleaner.segment.text import text_blocks


def test_text_lines_become_blocks_and_blank_lines_gaps():
    blocks = text_blocks("Menu\nHome\n\n  First paragraph.  \n\nSecond.\n")
    assert [b.text for b in blocks] == ["Menu", "Home", "First paragraph.", "Second."]
    assert [b.gap_before for b in blocks] == [True, False, True, True]
    assert [b.gap_after for b in blocks] == [False, True, True, True]


PAGE = """<!doctype html><html><head><title>T</title><style>p{}</style></head><body>
<nav class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/n">News</a></li></ul></nav>
<article class="story-body"><h1>Headline here</h1>
<p>First <b>bold</b> paragraph with <a href="#">a link</a>.</p>
<script>var x = "never shown";</script>
<div>Loose text<br>after a break</div>
<pre>line one
  line two</pre>
<p hidden>hidden text</p><p style="display: none">also hidden</p>
<p>A <span hidden>tooltip</span>visible line.</p>
</article><footer id="footer">© 2025 Someone</footer></body></html>"""


def test_html_blocks_cut_at_block_elements_and_keep_markup():
    blocks = html_blocks(parse_html(PAGE))
    texts = [b.text for b in blocks]
    assert texts == [
        "Home",
        "News",
        "Headline here",
        "First bold paragraph with a link.",
        "Loose text",
        "after a break",
        "line one\n  line two",
        "hidden text",
        "also hidden",
        "A visible line.",
        "© 2025 Someone",
    ]
    home, para, footer = blocks[0], blocks[3], blocks[-1]
    assert home.tag == "li" and "nav" in home.path and "site" in home.attr_words
    assert home.link_chars == len("Home")
    assert para.tag == "p" and "article" in para.path and "story" in para.attr_words
    assert para.link_chars == len("a link")
    assert footer.tag == "footer" and "footer" in footer.attr_words
    hidden = [b for b in blocks if HIDDEN_WORD in b.attr_words]
    assert [b.text for b in hidden] == ["hidden text", "also hidden"]


def test_hidden_and_noscript_content_is_kept_and_marked():
    page = (
        '<body><div style="display:none"><div><div><div><div><div><div><div>'
        "<p>Revealed by script.</p></div></div></div></div></div></div></div></div>"
        '<noscript><div class="post"><p>Crawler view of the thread.</p></div></noscript>'
        "<p>Shown.</p></body>"
    )
    blocks = html_blocks(parse_html(page))
    assert [b.text for b in blocks] == ["Revealed by script.", "Crawler view of the thread.", "Shown."]
    revealed, crawler, shown = blocks
    assert HIDDEN_WORD in revealed.attr_words  # even seven levels below the hidden element
    assert "noscript" in crawler.path and HIDDEN_WORD not in crawler.attr_words
    assert HIDDEN_WORD not in shown.attr_words


def test_html_title_prefers_og_title():
    assert html_title(parse_html(PAGE)) == "T"
    page = '<html><head><meta property="og:title" content=" OG  title "><title>T</title></head></html>'
    assert html_title(parse_html(page)) == "OG title"


def test_deeply_nested_html_does_not_overflow():
    depth = 100_000
    page = "<div>" * depth + "deep text" + "</div>" * depth
    blocks = html_blocks(parse_html(page))
    assert [b.text for b in blocks] == ["deep text"]


def test_url_tokens_describe_the_path_and_its_shape():
    from cleaner.features.tokens import url_tokens

    assert url_tokens(None) == [] and url_tokens("") == []
    tokens = url_tokens("https://Forum.Example.org/t/kettle-descaling-tips/55120?page=2")
    assert [t for t in tokens if t.startswith("url=")] == ["url=kettle", "url=descaling", "url=tips"]
    assert "url_depth=3" in tokens and "url_query" in tokens and "url_last_digits" in tokens
    assert not any("forum" in token or "example" in token for token in tokens)  # the host is not the path


def test_page_vector_is_unit_length_and_ignores_token_order():
    import numpy as np

    from cleaner.features.tokens import PAGE_BUCKETS, page_vector

    vector = page_vector(np.array([5, 7, 7, PAGE_BUCKETS + 5]))
    assert vector.shape == (PAGE_BUCKETS,)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-6
    assert vector[5] == vector[7]  # bucket 5 twice (folded), bucket 7 twice
    assert np.array_equal(vector, page_vector(np.array([7, PAGE_BUCKETS + 5, 7, 5])))
    assert not page_vector(np.array([], dtype=np.int64)).any()
