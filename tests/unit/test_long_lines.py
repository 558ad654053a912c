"""A line of thousands of characters is cut at its sentence ends; ordinary lines stay whole."""

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.clean import Cleaner
from cleaner.segment.text import MAX_LINE_CHARS, split_long_lines

ARTICLE = (
    "The old harbour bridge reopened on Monday after eight months of repairs, the city said. "
    "Engineers replaced the steel cables and resurfaced the deck (at a cost of 14 million euros). "
    "Traffic is expected to return to normal within a week! "
    "Residents had waited for the reopening since the spring floods damaged the supports. "
)


def test_a_page_on_one_line_is_cut_at_sentence_ends_and_glued_blocks():
    page = (
        "Home News Sport Weather in 2024Bridge Reopens After Repairs"
        + ARTICLE * 8
        + "Contact us.Privacy policy"
    )
    assert len(page) > MAX_LINE_CHARS
    lines = split_long_lines(page).split("\n")
    assert lines[0] == "Home News Sport Weather in 2024"
    assert lines[1].startswith("Bridge Reopens After Repairs")
    assert (
        "Engineers replaced the steel cables and resurfaced the deck (at a cost of 14 million euros)."
        in lines
    )
    assert "Traffic is expected to return to normal within a week!" in lines
    assert lines[-2:] == ["Contact us.", "Privacy policy"]
    assert (
        " ".join(lines).split()
        == page.replace("2024Bridge", "2024 Bridge").replace("us.Privacy", "us. Privacy").split()
    )


def test_ordinary_lines_are_left_whole():
    text = (ARTICLE * 5 + "\n") * 3
    assert all(len(line) <= MAX_LINE_CHARS for line in text.split("\n"))
    assert split_long_lines(text) == text
    long_word = "x" * (MAX_LINE_CHARS + 10)
    assert split_long_lines(long_word) == long_word  # nothing to cut at


def test_cleaning_a_page_on_one_line_keeps_its_article():
    page = (
        "Home | News | Sport | Weather | Subscribe | Sign in "
        + ARTICLE * 8
        + "© 2025 Example News. All rights reserved."
    )
    result = Cleaner().clean(page, "text")
    assert "Engineers replaced the steel cables" in result.text
    assert len(result.lines) > 1


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Home", "news", "2024", "end.", "Next", "(1932)", "!", "“Quote”", " ", "  ", "Ünïcode"]
        ),
        max_size=1500,
    ),
    st.text(max_size=50),
)
def test_cutting_only_adds_line_breaks(parts, tail):
    text = "".join(parts) + "\n" + tail
    out = split_long_lines(text)
    assert "".join(out.split()) == "".join(text.split())
    assert out.count("\n") >= text.count("\n")


def test_lines_ended_by_carriage_returns_are_lines_too():
    text = ARTICLE.replace(". ", ".\r") * 8  # old Mac line ends: many short lines, no "\n"
    assert len(text) > MAX_LINE_CHARS
    assert split_long_lines(text) == text
