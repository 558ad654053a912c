"""Hard-wrapped plain text comes out in whole paragraphs; other text keeps a block per paragraph."""

import textwrap

import numpy as np

from cleaner.clean import Cleaner
from cleaner.decide import keep_mask
from cleaner.join import join_kept
from cleaner.segment.text import text_blocks
from cleaner.text_rules.wrapping import paragraph_spans, wrap_width

PARAGRAPHS = [
    "The old harbour bridge reopened on Monday after eight months of repairs, the city said. "
    "Engineers replaced the steel cables and resurfaced the deck, and traffic is expected to "
    "return to normal within a week, according to the transport office.",
    "Residents had waited for the reopening since the spring floods damaged the bridge's "
    "supports, and many of them came to watch the first cars cross it early in the morning, "
    "some with flasks of coffee and folding chairs.",
    "The repairs cost 14 million euros, two million more than planned, because the divers "
    "found more damage below the waterline than the first survey had shown.",
]


def _wrapped(width: int, indent: str = "") -> str:
    return "\n\n".join(
        textwrap.fill(p, width, initial_indent=indent, subsequent_indent=indent) for p in PARAGRAPHS
    )


def test_hard_wrapped_paragraphs_are_joined_again():
    for width, indent in ((72, ""), (79, "   "), (60, "")):
        blocks = text_blocks(_wrapped(width, indent))
        assert 0 < wrap_width(blocks) <= width
        assert join_kept(blocks, [True] * len(blocks), plain_text=True) == "\n\n".join(PARAGRAPHS)


def test_a_paragraph_whose_lines_are_not_all_kept_is_not_joined_across_the_gap():
    blocks = text_blocks(_wrapped(72))
    keep = [True] * len(blocks)
    keep[1] = False
    text = join_kept(blocks, keep, plain_text=True)
    assert blocks[0].text + "\n\n" + blocks[2].text in text


def test_list_items_and_short_lines_start_afresh():
    lines = [textwrap.fill(PARAGRAPHS[0], 70)] + [
        "* Roads around the bridge stay closed to lorries until the end of the month, the office said",
        "* Buses return to their old routes on Tuesday",
        "Timetables",
        "1. The first bus leaves the harbour at six in the morning and the last one at midnight",
    ]
    blocks = text_blocks("\n".join(lines))
    text = join_kept(blocks, [True] * len(blocks), plain_text=True)
    assert "\n\n* Roads around" in text and "\n\n* Buses return" in text
    assert "\n\nTimetables\n\n1. The first bus" in text


def test_unwrapped_text_and_html_keep_a_block_per_paragraph():
    blocks = text_blocks("\n".join(PARAGRAPHS))  # one long line per paragraph
    assert wrap_width(blocks) == 0
    assert wrap_width(text_blocks("0 0\n0 0\n0 0\n00: 0\n00 0")) == 0  # short lines are no wrap
    assert join_kept(blocks, [True] * len(blocks), plain_text=True) == "\n\n".join(PARAGRAPHS)
    wrapped = text_blocks(_wrapped(72))
    assert join_kept(wrapped, [True] * len(wrapped), plain_text=False) == "\n\n".join(b.text for b in wrapped)
    assert join_kept(wrapped, [False] * len(wrapped), plain_text=True) == ""


def test_cleaning_a_wrapped_article_gives_its_paragraphs():
    text = "Home | News | Sport | Weather\n\nBridge reopens after repairs\n\n" + _wrapped(72)
    result = Cleaner().clean(text, "text")
    for paragraph in PARAGRAPHS:
        assert paragraph in result.text.split("\n\n")


def test_paragraph_spans_follow_the_wrap():
    blocks = text_blocks(_wrapped(72))
    spans = paragraph_spans(blocks, wrap_width(blocks))
    assert [" ".join(b.text for b in blocks[start:end]) for start, end in spans] == PARAGRAPHS
    unwrapped = text_blocks("\n".join(PARAGRAPHS))
    assert paragraph_spans(unwrapped, wrap_width(unwrapped)) == [(0, 1), (1, 2), (2, 3)]
    assert paragraph_spans([], 0) == []
    # only the wrapped paragraphs, for callers that look at nothing else
    multi = [(start, end) for start, end in spans if end - start >= 2]
    assert multi and paragraph_spans(blocks, wrap_width(blocks), min_lines=2) == multi
    assert paragraph_spans(unwrapped, wrap_width(unwrapped), min_lines=2) == []


def test_the_lines_of_a_wrapped_paragraph_are_decided_together():
    """A wrapped paragraph's short last line is kept or dropped with the lines above it: each
    line is scored at the paragraph's word-weighted mean. Unwrapped lines are decided alone."""
    blocks = text_blocks(_wrapped(72))
    spans = paragraph_spans(blocks, wrap_width(blocks))
    last_start, last_end = spans[-1]
    scores = np.full(len(blocks), 0.95)
    scores[last_end - 1] = 0.2  # "survey had shown."
    assert keep_mask(blocks, scores, plain_text=True).all()
    scores[last_start:last_end] = 0.1  # the whole paragraph unlikely: all of it goes
    keep = keep_mask(blocks, scores, plain_text=True)
    assert not keep[last_start:last_end].any() and keep[:last_start].all()
    unwrapped = text_blocks("\n".join(PARAGRAPHS) + "\nThe first survey had shown less.")
    alone = keep_mask(unwrapped, np.array([0.95, 0.95, 0.95, 0.2]), plain_text=True)
    assert alone.tolist() == [True, True, True, False]
