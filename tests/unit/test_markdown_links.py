"""Markdown's link targets and pictures are undone; prose with a stray bracket stays."""

from cleaner.clean import Cleaner
from cleaner.segment.text import strip_markdown_links, text_blocks

MARKDOWN_PAGE = """\
[Skip to main content](#main)
[![Example News](/static/logo-2b8faf6a.svg)](/)
* [Home](/)
* [World](/world "World news")
* [Sport](https://example.org/sport?ref=nav&page=1)

# The Harbour Bridge Reopens After Repairs

![Engineers on the bridge deck](https://cdn.example.org/img/fetch/w_792/bridge-2025.jpg)

The old harbour bridge reopened on Monday after eight months of repairs, the city said.
Engineers replaced the [steel cables](https://example.org/wiki/Cable_(structural)) and
resurfaced the deck, and traffic is expected to return to normal within a week.

Residents had waited for the reopening since the spring floods damaged the bridge's
supports, and many of them came to watch the first cars cross it in the morning.

[**Read more about the floods.**](https://example.org/news/floods-2025)
"""


def test_links_become_their_labels_and_pictures_go():
    text = strip_markdown_links(MARKDOWN_PAGE)
    assert "](" not in text and "https://" not in text and "logo" not in text
    assert "* [Home]" not in text and "* Home" in text and "* World" in text
    assert "replaced the steel cables and" in text
    assert "**Read more about the floods.**" in text
    assert "# The Harbour Bridge Reopens After Repairs" in text
    lines = [block.text for block in text_blocks(MARKDOWN_PAGE)]
    assert "Engineers on the bridge deck" not in " ".join(lines)  # a picture's line goes with it
    assert lines[0] == "Skip to main content"


def test_labels_keep_their_brackets_and_a_wrapped_label_its_line_break():
    page = "[a](/a) [b](/b)\nSee [the [2020] report\non bridges](/r.pdf) today.\n"
    assert strip_markdown_links(page) == "a b\nSee the [2020] report\non bridges today.\n"


def test_prose_with_few_links_or_plain_brackets_is_left_alone():
    prose = "The report [1] says so. See [the map](/map) and [the table](/table).\n"
    assert strip_markdown_links(prose) == prose
    brackets = "a[0] = f(x) [note] (aside) [x](y) [z](w)\n"
    assert strip_markdown_links(brackets) == brackets


def test_cleaning_markdown_keeps_the_article_without_its_urls():
    result = Cleaner().clean(MARKDOWN_PAGE, "text")
    assert "replaced the steel cables and" in result.text
    assert "https://" not in result.text and "](" not in result.text
