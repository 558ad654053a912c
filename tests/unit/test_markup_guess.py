"""Markup guesses: the truth each training line takes from its HTML block, the columns the
second stage reads, and a text model that learns them and scores alike in both runtimes."""

from __future__ import annotations

import numpy as np
import pytest

from cleaner.features.markup_guess import (
    COLUMNS_PER_GUESS,
    GUESSES,
    WINDOW_RADIUS,
    block_markup,
    markup_columns,
)
from cleaner.segment.html import html_blocks, parse_html
from cleaner.segment.text import text_blocks
from cleaner.training.render import RENDERERS, rendering_markup
from cleaner.types import Block

PAGE = (
    "<html><body><header><nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li>"
    "</ul></nav></header><main><h1>Rivers rise</h1>"
    "<p>The water came up <a href='/x'>overnight</a> in the valley, and the roads along the river were"
    " closed before dawn while crews moved sandbags to the low streets of the old town.</p>"
    "<ul><li>Roads closed</li><li>Schools shut</li></ul><pre>level 4.2 m\nrising</pre></main>"
    "<div class='share-row social'>Share this story</div><footer><p>© 2025 The Valley Post</p></footer>"
    "</body></html>"
)


def truth_of(text: str) -> dict[str, int]:
    block = next(b for b in html_blocks(parse_html(PAGE)) if b.text.startswith(text))
    return dict(zip(GUESSES, block_markup(block)))


def test_each_guess_reads_its_truth_off_the_html_block():
    assert truth_of("Home") == {"link": 1, "heading": 0, "list_item": 1, "page_region": 1, "chrome_class": 0}
    assert truth_of("Rivers rise") == {
        "link": 0,
        "heading": 1,
        "list_item": 0,
        "page_region": 0,
        "chrome_class": 0,
    }
    assert truth_of("The water") == dict.fromkeys(GUESSES, 0)  # one short link in a long sentence
    assert truth_of("Roads closed")["list_item"] == 1
    assert truth_of("Share this")["chrome_class"] == 1
    assert truth_of("© 2025")["page_region"] == 1


@pytest.mark.parametrize("renderer", ["blocks", "tight", "wrapped", "markdown", "varied"])
def test_every_line_of_a_block_rendering_gets_its_blocks_truth(renderer):
    blocks = html_blocks(parse_html(PAGE))
    lines = text_blocks(RENDERERS[renderer](PAGE))
    truth = rendering_markup(blocks, renderer, len(lines))
    assert truth is not None and truth.shape == (len(lines), len(GUESSES))
    by_text = {b.text.splitlines()[0]: block_markup(b) for b in blocks}
    for line, row in zip(lines, truth):
        start = line.text.lstrip("#*|> ")
        if start in by_text:  # the first line of its block
            assert tuple(row) == by_text[start], line.text
    assert truth[[line.text.startswith("level") for line in lines]].tolist() == [[0, 0, 0, 0, 0]]
    if renderer == "wrapped":  # the long paragraph is cut into several lines, all its own
        paragraph = next(b for b in blocks if b.text.startswith("The water"))
        rows = [i for i, line in enumerate(lines) if line.text in paragraph.text]
        assert len(rows) > 1 and (truth[rows] == block_markup(paragraph)).all()


def test_renderings_that_cut_blocks_up_have_no_truth():
    blocks = html_blocks(parse_html(PAGE))
    assert rendering_markup(blocks, "textnodes", len(text_blocks(RENDERERS["textnodes"](PAGE)))) is None
    assert rendering_markup(blocks, "blocks", 3) is None  # the count does not add up


def test_columns_hold_own_neighbour_window_and_page_values():
    guesses = np.zeros((12, 2), dtype=np.float32)
    guesses[4, 0] = 1.0
    guesses[:, 1] = 0.5
    X = markup_columns(guesses)
    assert X.shape == (12, 2 * COLUMNS_PER_GUESS)
    own, before2, before1, after1, after2, window, page = (X[:, c * 2] for c in range(COLUMNS_PER_GUESS))
    assert own[4] == 1 and own.sum() == 1
    assert after2[2] == after1[3] == before1[5] == before2[6] == 1  # each sees block 4
    assert after2.sum() == after1.sum() == before1.sum() == before2.sum() == 1
    assert window[4] == pytest.approx(1 / 10)  # blocks 0-9: the page starts at 0
    assert window[4 + WINDOW_RADIUS] > 0 and window[4 + WINDOW_RADIUS + 1] == 0
    assert np.allclose(page, 1 / 12)
    assert np.allclose(X[:, 1::2][:, [0, 5, 6]], 0.5)
    assert markup_columns(np.zeros((5, 0))).shape == (5, 0)


@pytest.fixture(scope="module")
def markup_model_dir(tmp_path_factory):
    """A text model trained on the fixtures' HTML pages rendered to text, with their truth."""
    from cleaner.training.corpus import gold_page
    from cleaner.training.export import save
    from cleaner.training.labels import read_lines
    from cleaner.training.train import fit, load_handmade
    from tests.conftest import FIXTURES, SEEDS

    docs = load_handmade(SEEDS, FIXTURES)
    for html_path in sorted(FIXTURES.glob("html/*.html")):
        labeled = read_lines(html_path.with_suffix(".lines"))
        gold = "\n\n".join(text for text, label in labeled.labeled() if label == "body")
        docs.extend(
            doc
            for doc in gold_page(
                html_path.stem,
                html_path.read_text(),
                gold,
                None,
                html_path.stem,
                "article",
                "pairs",
                ("blocks", "wrapped"),
            )
            if doc.kind == "text"
        )
    assert sum(doc.markup is not None for doc in docs) > 20
    out = tmp_path_factory.mktemp("markup-model")
    save(fit(docs, kinds=("text",)), out, {"cleaner_version": "test"})
    return out


def test_a_text_model_learns_the_guesses_and_both_runtimes_agree(markup_model_dir):
    from cleaner.model import load_model
    from cleaner.training.export import load
    from cleaner.training.fit import token_matrix
    from tests.conftest import SEEDS
    from tests.sklearn_reference import estimator_proba

    estimators, _ = load(markup_model_dir)
    runtime, _ = load_model(markup_model_dir)
    stage = estimators["text"].markup
    assert stage.coef.shape[0] == len(GUESSES) and np.abs(stage.coef).max() > 0
    lines = [Block("Home"), Block("Contact us"), Block("Subscribe to our newsletter")] + [
        Block("The hospital delivered 312 babies last year, down from more than 500 a decade ago.")
    ]
    guesses = stage.predict(token_matrix(lines))
    assert guesses[:3, GUESSES.index("link")].mean() > guesses[3, GUESSES.index("link")]
    for path in sorted(SEEDS.glob("*.txt")):
        blocks = text_blocks(path.read_text())
        expected = estimator_proba(estimators["text"], blocks)
        got = runtime["text"].predict_proba(blocks)
        assert abs(got - expected).max() < 1e-4


def test_the_html_model_has_no_markup_guesses(small_model_dir):
    from cleaner.model import load_model

    runtime, _ = load_model(small_model_dir)
    assert runtime["html"].markup.weights.shape[1] == 0
    assert runtime["text"].markup.weights.shape[1] == len(GUESSES)
