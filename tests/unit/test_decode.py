"""The decision rule shared by cleaning and evaluation."""

from __future__ import annotations

import numpy as np

from cleaner.decide import keep_mask
from cleaner.types import Block


def test_threshold_decides_single_blocks():
    blocks = [
        Block("short"),
        Block("a long enough body paragraph here"),
        Block("another body line that is long"),
    ]
    assert keep_mask(blocks, np.array([0.9, 0.31, 0.29]), 0.3).tolist() == [True, True, False]


def test_repeated_blocks_share_the_lowest_score():
    caption = "Delegates meet before the talks in London on Monday."
    blocks = [
        Block(caption),
        Block("The body paragraph that follows it."),
        Block(caption.upper().replace(" ", "  ")),
    ]
    keep = keep_mask(blocks, np.array([0.2, 0.9, 0.8]), 0.3)
    assert keep.tolist() == [False, True, False]


def test_an_html_page_says_a_kept_block_once_and_plain_text_keeps_its_lines():
    paragraph = "The council approved the new flood wall on Tuesday evening."
    blocks = [
        Block(paragraph, tag="p"),
        Block("A second paragraph of the story.", tag="p"),
        Block(paragraph, tag="p"),
    ]
    scores = np.array([0.9, 0.9, 0.95])
    assert keep_mask(blocks, scores).tolist() == [True, True, False]
    assert keep_mask(blocks, scores, 0.5).tolist() == [True, True, False]
    assert keep_mask(blocks, scores, plain_text=True).tolist() == [True, True, True]


def test_short_repeats_are_decided_one_by_one():
    blocks = [Block("Share"), Block("Share")]
    assert keep_mask(blocks, np.array([0.1, 0.9]), 0.3).tolist() == [False, True]


def _page(scores, words_each=10):
    return [Block(" ".join([f"w{i}"] * words_each)) for i in range(len(scores))], np.array(scores)


def test_page_decoding_keeps_the_confident_blocks_and_drops_the_unlikely():
    blocks, scores = _page([0.95, 0.9, 0.2, 0.85, 0.04, 0.1])
    assert keep_mask(blocks, scores).tolist() == [True, True, False, True, False, False]


def test_page_decoding_keeps_content_on_an_uncertain_page():
    # Every block below the old fixed 0.3: a fixed threshold keeps nothing, so F1 is 0;
    # the page decoder keeps the likeliest blocks.
    blocks, scores = _page([0.25, 0.28, 0.06, 0.27, 0.07])
    assert not keep_mask(blocks, scores, 0.3).any()
    assert keep_mask(blocks, scores).tolist() == [True, True, False, True, False]


def test_page_decoding_keeps_blocks_above_half_the_pages_expected_f1():
    # Keeping a block pays when its score beats half the F1 reached so far, which the
    # long blocks decide: here about 0.71, so 0.45 is kept and 0.3 is not.
    blocks = [Block("body " * 50), Block("long " * 200), Block("menu")]
    assert keep_mask(blocks, np.array([0.95, 0.45, 0.3])).tolist() == [True, True, False]
    # On a page where one confident block is nearly all the words, the bar is higher.
    blocks = [Block("body " * 500), Block("aside " * 20)]
    assert keep_mask(blocks, np.array([0.99, 0.45])).tolist() == [True, False]


def test_page_decoding_of_an_empty_page():
    assert keep_mask([], np.zeros(0)).tolist() == []


def test_page_wide_repeat_keys_equal_the_key_of_each_block():
    from cleaner.decide import _repeat_key, _repeat_keys

    texts = [
        "  Leading and trailing white space  ",
        "STRASSE und Straße",
        "tab\tand\nnew line\u2028here",
        "\u00a0no-break\u00a0spaces\u00a0",
        "ΣΊΣΥΦΟΣ final sigma",
        " ",
        "ǅemal İstanbul ﬁne",
        "x" * 30,
    ]
    assert _repeat_keys(texts) == [_repeat_key(text) for text in texts]
    with_nul = texts + ["a NUL \0 inside a text"]
    assert _repeat_keys(with_nul) == [_repeat_key(text) for text in with_nul]
    assert _repeat_key("STRASSE und Straße") == _repeat_key("strasse UND strasse")
