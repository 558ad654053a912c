"""The library calls as a user meets them: HTML given to clean_text, bytes, records."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import Cleaner, Document, clean_html, clean_text

PAGE = (Path(__file__).parents[1] / "contract" / "pages" / "news_with_teasers_and_comments.html").read_text()
STYLE = "<style>.card { color: red }</style><script>var tracker = 1;</script>"


def test_clean_text_given_a_whole_html_page_cleans_it_as_html():
    page = PAGE.replace("</head>", STYLE + "</head>")
    text = clean_text(page)
    assert text == clean_html(page)
    assert "The town council of Eastport voted" in text
    assert "color: red" not in text and "tracker" not in text and "<p>" not in text


def test_text_that_quotes_a_tag_stays_text():
    text = (
        "A guide to HTML.\n\nWrap each paragraph in <p> and each section in <div> tags, then check the page."
    )
    result = Cleaner().clean(text)
    assert result.block_texts[1].startswith("Wrap each paragraph in <p>")


def test_bytes_are_decoded_as_the_command_line_decodes_files():
    assert clean_html(PAGE.encode("utf-8")) == clean_html(PAGE)
    assert clean_text(PAGE.encode("utf-16")) == clean_html(PAGE)


def test_other_types_are_refused_with_what_to_pass():
    with pytest.raises(TypeError, match="takes str or bytes"):
        clean_text(["not", "a", "string"])
    with pytest.raises(TypeError, match="takes str or bytes"):
        clean_html(None)


def test_a_result_turns_into_the_command_lines_record():
    result = Cleaner().clean(Document(content=PAGE, kind="html", id="a1", url="https://example.org/a"))
    record = result.to_record()
    assert list(record) == [
        "id",
        "url",
        "title",
        "author",
        "date",
        "language",
        "sitename",
        "description",
        "text",
        "stats",
    ]
    assert record["id"] == "a1" and record["language"] == "en" and record["text"] == result.text
    assert record["stats"]["lines_kept"] == result.kept
    assert len(result.to_record(explain=True)["lines"]) == len(result.block_texts)
