"""Every C loop of `cleaner._speedups` against its Python/numpy twin: the same answer, stage by stage.

Each test computes a stage's result twice: as cleaning does (the C extension where it is built)
and inside `pure(...)` (`with _speedups.disabled():`, the Python twin). `need_c(name)` skips a
test where that extension did not build; CI refuses that case before the tests run (`.ci/run`
checks `_speedups.missing()`). The first test checks that each pair really takes two paths, so
that no comparison below can pass by comparing the Python twin with itself.

Stages, in cleaning's order: segment (`htmlwalk`, `textlines`), features (`blockscan`,
`context`), score (`context`, `treescore`, `sequence`), decide (`decodetext`).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import _speedups
from cleaner.segment.html import html_blocks, parse_html
from cleaner.segment.text import text_blocks
from cleaner.types import Block
from tests.conftest import FIXTURES, SEEDS, need_c, pure
from tests.contract.test_properties import BOUNDED, SCRAPE_LINES, TAG_SOUP, any_text, html_soup
from tests.unit.test_segment import PAGE
from tests.unit.test_sequence import _toy_model

# ---------------------------------------------------------------------------------------------
# The switch itself: each pair below takes the C path as cleaning runs, and not under pure()


class _Spy:
    """Stands in for a built C module and counts the functions looked up on it."""

    def __init__(self, module):
        self._module = module
        self.used = 0

    def __getattr__(self, name):
        self.used += 1
        return getattr(self._module, name)


def _text_model():
    from cleaner.model import load_model

    return load_model(None)[0]["text"]


def _call_sequence():
    rng = np.random.default_rng(0)
    model, _ = _toy_model(rng, channels=8, dilations=(1, 2))
    model = _float32(model)
    model._page_logits(model.standardize(rng.standard_normal((5, 5))))


def _call_context():
    from cleaner import score
    from cleaner.features.markup_guess import markup_columns

    markup_columns(np.zeros((3, 2), dtype=np.float32))
    stage = _text_model().first
    score.token_sums(stage.weights, np.array([1, 2]), np.array([0, 1]), 2)


def _call_treescore():
    from cleaner.features.context import context_features
    from cleaner.features.tokens import scan_blocks
    from cleaner.model import load_model

    model = load_model(None)[0]["html"]
    blocks = html_blocks(parse_html(PAGE))
    buckets, owners, _ = scan_blocks(blocks)
    first = model.first.proba(buckets, owners, len(blocks))
    model.second.proba(context_features(blocks, first, model.page.proba(buckets)))


def _call_blockscan():
    from cleaner.features.tokens import scan_blocks

    scan_blocks([Block("two words")])


def _call_decodetext():
    from cleaner import decide
    from cleaner.text_rules import shapes

    decide.word_counts(["a b", "c"])
    shapes.line_shapes(["a b", "c"])


CALLS = {
    "htmlwalk": lambda: html_blocks(parse_html(PAGE)),
    "textlines": lambda: text_blocks("one\ntwo\n"),
    "blockscan": _call_blockscan,
    "context": _call_context,
    "treescore": _call_treescore,
    "sequence": _call_sequence,
    "decodetext": _call_decodetext,
}


def test_every_extension_has_a_parity_call():
    assert set(CALLS) == set(_speedups.NAMES)


@pytest.mark.parametrize("name", _speedups.NAMES)
def test_each_pair_takes_the_c_path_and_pure_takes_the_python_one(name, monkeypatch):
    need_c(name)
    spy = _Spy(_speedups._built[name])
    monkeypatch.setitem(_speedups._built, name, spy)
    pure(CALLS[name])
    assert spy.used == 0, f"pure() still reached the C module _{name}"
    CALLS[name]()
    assert spy.used > 0, (
        f"cleaning never reached the C module _{name}: its parity tests compare Python with Python"
    )


# ---------------------------------------------------------------------------------------------
# segment: htmlwalk, textlines

WALK_SOUP = TAG_SOUP + [
    "<div class='A&amp;b İtem \u212aey averyveryverylongclassnamethatgoesonandon'>",
    "<span aria-hidden='true'>",
    "<i aria-hidden='TRUE'>",
    "<p style='DISPLAY :\u00a0none'>",
    "<b style='visibility: hidden'>",
    "</b>",
    "<span style='color: red'>",
    "</span>",
    "<td>",
    "</td>",
    "<th>",
    "<tr>",
    "<input>",
    "<hr>",
    "<wbr>",
    "<noembed>",
    "</noembed>",
    "<iframe>",
    "</iframe>",
    "<em>",
    "</em>",
    "<b><p>misnested</b></p>",
    "<option>",
    "<dd>",
    "<dt>",
    "<label>",
    "<button>",
    "a &lt;tag&gt; &quot;quoted&quot;",
    "\u00a0\u2003",
    "<div id='main-content' role='main' itemprop='articleBody'>",
    "<p title='a\"b'>",
    "<img alt='<b>'>",
    "<pre>\n\n  indented</pre>",
    "<pre>one<br>two</pre>",
    "</br>",
    "<custom-el class='x'>",
    "</custom-el>",
]
walk_soup = st.lists(
    st.one_of(st.sampled_from(WALK_SOUP), st.sampled_from(SCRAPE_LINES), st.text(max_size=12)), max_size=60
).map("".join)


def test_c_walk_gives_the_python_walks_blocks_on_every_html_fixture():
    """Same blocks, field by field, from the C walk and the Python walk (all 1,497 WCXB dev
    pages agreed too when the C walk was written; see segment.html_blocks)."""
    need_c("htmlwalk")
    pages = [PAGE] + [path.read_text() for path in sorted(FIXTURES.glob("html/*.html"))]
    pages += [path.read_text() for path in sorted(SEEDS.glob("*.html"))]
    assert len(pages) > 10
    for page in pages:
        tree = parse_html(page)
        c_blocks, python_blocks = html_blocks(tree), pure(html_blocks, tree)
        assert c_blocks == python_blocks
        assert c_blocks


@BOUNDED
@given(html=st.one_of(html_soup, walk_soup))
def test_c_walk_gives_the_python_walks_blocks(html):
    """The C walk over lexbor's serialization and the Python walk over the DOM agree on any
    tag soup: same blocks, field by field."""
    need_c("htmlwalk")
    tree = parse_html(html)
    assert html_blocks(tree) == pure(html_blocks, tree)


def test_c_line_splitter_gives_the_python_blocks():
    need_c("textlines")
    texts = [path.read_text() for path in sorted(SEEDS.glob("*.txt"))] + [
        "",
        "\n\n",
        "one line",
        "a\r\nb\rc\n\nd\x0be\x0cf\x1cg\x85h\u2028i\u2029j\n",
        "  \t padded \u00a0\n\u3000\n\nlast without newline",
        "\n\nstarts blank\n\n\nends blank\n\n",
    ]
    for text in texts:
        assert text_blocks(text) == pure(text_blocks, text)


@BOUNDED
@given(text=any_text)
def test_c_line_splitter_gives_the_python_blocks_on_any_text(text):
    need_c("textlines")
    assert text_blocks(text) == pure(text_blocks, text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(max_size=30) | st.sampled_from(["\r\n", "\r", "\n", "\u2028", "\x85", "\x0b", "x" * 40]),
        max_size=20,
    )
)
def test_the_longest_line_is_measured_as_splitlines_splits(parts):
    """The Python twin and (where built) the C loop both measure what str.splitlines cuts."""
    from cleaner.segment import text as long_lines

    text = "".join(parts)
    expected = max(map(len, text.splitlines()), default=0)
    assert pure(long_lines.longest_line, text) == expected
    if _speedups.get("textlines") is not None:
        assert long_lines.longest_line(text) == expected


# ---------------------------------------------------------------------------------------------
# features: blockscan (token hashes, class counts, block fields), context (rows, markup columns)


def _assert_hashed_like_every_token_string(blocks):
    """`scan_blocks` gives the (block, bucket) pairs of hashing each of `block_tokens`' strings
    one by one, the class counts of `char_class_counts` and the numbers of `block_fields`, on
    the C scanner (where built) and on the Python fallback alike."""
    from cleaner.features.context import block_fields
    from cleaner.features.tokens import _bucket, block_tokens, char_class_counts, scan_blocks

    want = sorted((row, _bucket(token)) for row, block in enumerate(blocks) for token in block_tokens(block))

    def check(with_c: bool) -> None:
        buckets, owners, class_counts = scan_blocks(blocks)
        assert sorted(zip(owners.tolist(), buckets.tolist())) == want, f"with_c={with_c}"
        assert np.array_equal(class_counts, char_class_counts([b.text for b in blocks])), f"with_c={with_c}"
        assert np.array_equal(
            block_fields(blocks),
            [(len(b.text), b.link_chars, b.depth, b.gap_before, b.gap_after) for b in blocks],
        ), f"with_c={with_c}"

    pure(check, False)
    if _speedups.get("blockscan") is not None:
        check(True)


def test_runtime_hashing_equals_hashing_every_token_string():
    blocks = html_blocks(parse_html((FIXTURES / "html" / "01_public_radio_semantic.html").read_text()))
    _assert_hashed_like_every_token_string(blocks)


def test_runtime_hashing_of_plain_text_and_odd_blocks():
    """Per-document hashing gives each block its own tokens, also for blocks without
    words, long blocks, and a text that holds the word used to join blocks."""
    from cleaner.features.tokens import _SEPARATOR_WORD

    seed = text_blocks(sorted(SEEDS.glob("*.txt"))[0].read_text())
    odd = [
        Block("— · —"),
        Block(" ".join(f"w{i}" for i in range(90))),
        Block("ΚΑΛΗΜΕΡΑ ΣΑΣ, Straße"),
        Block("menu", tag="a", path=("a", "li", "ul"), attr_words=("nav",)),
        Block(""),
        Block("İSTANBUL Ǆemal ǅ x² snake_case café́ 𝐁𝐨𝐥𝐝 𠀀字 😀 ١٢٣ ߊ"),  # case, marks, astral
        Block("A" * 700 + " Ωmega " + "ß" * 300),  # words longer than the scanner's buffer
        Block("\u0300\u0301 \t\u00a0 \ufeff — «» a\ud800b"),  # marks alone, a lone surrogate
        Block("𝐁old, said “Ⅷ.”", tag="a", path=("a", "p"), link_chars=9, depth=3, gap_before=True),
        Block("Ⓐ last:", gap_after=True),  # upper case but not a letter; a sentence end
    ]
    for blocks in (seed, odd, odd + [Block(f"the {_SEPARATOR_WORD} word")], odd[:1]):
        _assert_hashed_like_every_token_string(blocks)


def test_c_context_rows_equal_block_stats_and_context_matrix():
    """The optional C context rows are `context_matrix(block_stats(...))`, cell for cell, on
    real pages in both kinds, on a page of repeated shapes, and on a one-block page."""
    from cleaner.features import context as features
    from cleaner.features.tokens import scan_blocks
    from cleaner.model import load_model

    need_c("context")
    models, _ = load_model(None)
    pages = [
        ("html", html_blocks(parse_html(path.read_text())))
        for path in sorted(FIXTURES.glob("html/*.html"))[:6]
    ]
    pages += [("text", text_blocks(path.read_text())) for path in sorted(SEEDS.glob("*.txt"))]
    cards = [
        Block(f"Card {i} title", tag="h3", path=("h3", "div", "li"), attr_words=("card",)) for i in range(5)
    ]
    pages += [
        ("html", cards + [Block("Card 0 title", tag="a", link_chars=12)]),
        ("text", [Block("Only line.")]),
    ]
    for kind, blocks in pages:
        model = models[kind]
        buckets, owners, counts = scan_blocks(blocks)
        first = model.first.proba(buckets, owners, len(blocks))
        page_types = model.page.proba(buckets)
        c_rows = features.context_features(blocks, first, page_types, counts)
        python_rows = pure(features.context_features, blocks, first, page_types, counts)
        assert c_rows.shape == python_rows.shape == (len(blocks), features.CONTEXT_WIDTH)
        assert np.array_equal(c_rows, python_rows), kind


def test_c_markup_columns_equal_the_numpy_ones():
    """One C pass or some twenty numpy calls: the same columns, on real guesses and odd sizes."""
    from cleaner.features.markup_guess import GUESSES, markup_columns
    from cleaner.features.tokens import scan_blocks
    from cleaner.model import load_model

    need_c("context")
    stage = load_model(None)[0]["text"].markup
    pages = [
        np.random.default_rng(n).random((n, len(GUESSES))).astype(np.float32) for n in (1, 2, 3, 5, 11, 40)
    ]
    for path in sorted(SEEDS.glob("*.txt")):
        blocks = text_blocks(path.read_text())
        buckets, owners, _ = scan_blocks(blocks)
        pages.append(stage.proba(buckets, owners, len(blocks)))
    for guesses in pages:
        assert np.array_equal(markup_columns(guesses), pure(markup_columns, guesses))


# ---------------------------------------------------------------------------------------------
# score: context (token sums, page-type decision), treescore, sequence


def _fixture_and_seed_pages():
    """(kind, blocks) of four HTML fixtures and of every seed: pages to compare C and numpy on."""
    pages = [
        ("html", html_blocks(parse_html(p.read_text()))) for p in sorted(FIXTURES.glob("html/*.html"))[:4]
    ]
    return pages + [("text", text_blocks(p.read_text())) for p in sorted(SEEDS.glob("*.txt"))]


def test_c_token_sums_equal_the_numpy_bincount():
    """The linear stages' per-block sums: one C pass over the tokens, or a numpy bincount
    per row; the same additions in the same order give the same sums, for every stage."""
    from cleaner import score as runtime
    from cleaner.features.tokens import scan_blocks
    from cleaner.model import load_model

    need_c("context")
    models, _ = load_model(None)
    for kind, blocks in _fixture_and_seed_pages():
        buckets, owners, _ = scan_blocks(blocks)
        for stage in (models[kind].first, models[kind].markup):
            c_sums = runtime.token_sums(stage.weights, buckets, owners, len(blocks))
            numpy_sums = pure(runtime.token_sums, stage.weights, buckets, owners, len(blocks))
            assert c_sums.shape == (len(blocks), stage.weights.shape[1])
            assert np.array_equal(c_sums, numpy_sums)
    with pytest.raises(ValueError, match="out of range"):
        runtime.token_sums(models["text"].first.weights, np.array([2**40]), np.array([0]), 1)


def test_c_page_type_decision_equals_the_dense_page_vector_product():
    """The page-type stage's decision values: from the page's distinct buckets in C, or as
    the product with the dense page vector; the same up to the order of the additions."""
    from cleaner.features.tokens import PAGE_BUCKETS, scan_blocks
    from cleaner.model import load_model

    need_c("context")
    models, _ = load_model(None)
    for kind, blocks in _fixture_and_seed_pages():
        stage = models[kind].page
        buckets = scan_blocks(blocks)[0]
        for tokens in (buckets, np.concatenate((buckets, buckets + PAGE_BUCKETS)), buckets[:0]):
            c_values = stage.decision(tokens)
            numpy_values = pure(stage.decision, tokens)
            assert c_values.shape == (stage.weights.shape[1],)
            np.testing.assert_allclose(c_values, numpy_values, rtol=1e-5, atol=1e-6)
        assert stage.decision(buckets).any()
    with pytest.raises(ValueError, match="negative"):
        models["text"].page.decision(np.array([-1]))


def test_c_tree_scorer_equals_the_numpy_walk():
    """The optional C loop and the numpy fallback score the shipped trees alike."""
    from cleaner.features.context import context_features
    from cleaner.features.tokens import scan_blocks
    from cleaner.model import load_model

    need_c("treescore")
    models, _ = load_model(None)
    model = models["html"]
    for path in sorted(FIXTURES.glob("html/*.html"))[:4]:
        blocks = html_blocks(parse_html(path.read_text()))
        buckets, owners, _ = scan_blocks(blocks)
        first = model.first.proba(buckets, owners, len(blocks))
        X = context_features(blocks, first, model.page.proba(buckets))
        X[::7, 3] = np.nan  # a missing value goes right in both walks
        c_scores = model.second.proba(X)
        numpy_scores = pure(model.second.proba, X)
        assert np.allclose(c_scores, numpy_scores, rtol=0, atol=1e-12)
        assert 0.0 < c_scores.min() <= c_scores.max() < 1.0


def _float32(model):
    from cleaner.sequence import SequenceStage

    return SequenceStage(
        **{
            name: getattr(model, name).astype(np.float32) for name in ("mean", "scale") + SequenceStage.PARAMS
        },
        dilations=model.dilations,
    )


@pytest.mark.parametrize("rows", [1, 3, 23, 300])
def test_the_c_layers_give_the_numpy_states_to_the_bit(rows):
    """Cleaning's convolutions, their element-wise part in C or in numpy: the same logits,
    on pages shorter and longer than the widest dilation."""
    need_c("sequence")
    rng = np.random.default_rng(rows)
    model, _ = _toy_model(rng, channels=8, dilations=(1, 2, 4, 8, 16))
    model = _float32(model)
    xs = model.standardize(rng.standard_normal((rows, 5)))
    c_logits = model._page_logits(xs)
    numpy_logits = pure(model._page_logits, xs)
    assert np.array_equal(c_logits, numpy_logits)


# ---------------------------------------------------------------------------------------------
# decide: decodetext (word counts, repeated blocks, line shapes)


@pytest.mark.parametrize("with_c", [True, False])
def test_repeated_blocks_are_found_whatever_their_case_and_spacing(with_c):
    from cleaner import decide as decode

    if with_c:
        need_c("decodetext")
    texts = [
        "Support our newsroom today",
        "short",
        "Read the whole story here",
        "STRASSE und Straße, 2024",
        "support  our\nnewsroom TODAY",
        "strasse UND strasse, 2024",
        "short",
        "Support our newsroom today!",
        "ＦＵＬＬＷＩＤＴＨ 漢字の見出し and more",
        "ｆｕｌｌｗｉｄｔｈ  漢字の見出し AND MORE",
    ]
    groups = decode.repeat_groups(texts) if with_c else pure(decode.repeat_groups, texts)
    assert groups.tolist() == [0, -1, 2, 3, 0, 3, -1, 7, 8, 8]
    scores = decode.shared_scores(texts, np.array([0.9, 0.9, 0.8, 0.7, 0.2, 0.6, 0.1, 0.95, 0.5, 0.4]))
    assert scores.tolist() == [0.2, 0.9, 0.8, 0.6, 0.2, 0.6, 0.1, 0.95, 0.4, 0.4]


@BOUNDED
@given(texts=st.lists(any_text, max_size=8))
def test_c_decode_helpers_give_the_python_word_counts_and_repeat_groups(texts):
    """Decoding's word counts (`len(text.split())`) and repeated blocks (the same text once
    white space is collapsed and case folded) from C and from Python agree on any texts,
    odd white space included, and on copies that differ only in case and spacing."""
    from cleaner import decide as decode

    need_c("decodetext")
    assert decode.word_counts(texts).tolist() == pure(decode.word_counts, texts).tolist()
    assert decode._repeat_keys(texts) == [decode._repeat_key(text) for text in texts]
    variants = texts + [f" {text.upper()}\t" for text in texts] + [text.replace(" ", "\n ") for text in texts]
    assert decode.repeat_groups(variants).tolist() == pure(decode.repeat_groups, variants).tolist()


LINE_SHAPE_SAMPLES = [
    "a b a b",
    "a b  a b",
    "sky  sky",
    "x x",
    "١٢) item",
    "2024 was",
    "12.",
    "* item",
    "• item",
    "[logo.png]",
    "(BUTTON) Go",
    "Name ________",
    "https://example.org",
    "é ü é ü",
    "\u00a0a\u00a0b",
    "a\u2003b a\u2003b",
    "one two three.one two three.",
    "a b c da b c d",
    "a b c d  a b c d ",
]


@BOUNDED
@given(texts=st.lists(any_text | st.sampled_from(LINE_SHAPE_SAMPLES), max_size=8))
def test_c_line_shapes_give_the_python_ones(texts):
    """The plain-text rules' line shapes (length, first word, word count, marks) from C and
    from Python agree on any texts, and on lines made to carry each mark."""
    from cleaner.text_rules import shapes as line_shapes

    need_c("decodetext")
    from_c, from_python = line_shapes.line_shapes(texts), pure(line_shapes.line_shapes, texts)
    for name, c_values, python_values in zip(from_c._fields, from_c, from_python):
        assert c_values.tolist() == python_values.tolist(), name
