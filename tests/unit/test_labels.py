"""The labeled `.lines` format, the seeds and fixtures written in it, and label alignment."""

from __future__ import annotations

import pytest

from cleaner.segment.html import html_blocks, parse_html
from cleaner.training.labels import LabelFormatError, align, format_lines, parse_lines, read_lines
from tests.conftest import FIXTURES, SEEDS


def test_round_trip_keeps_header_labels_and_blank_lines():
    source = "#lang: en\n= Title\n\n+ Body one.\n- Share this\n"
    parsed = parse_lines(source)
    assert parsed.header == {"lang": "en"}
    assert parsed.lines == (("Title", "title"), None, ("Body one.", "body"), ("Share this", "chrome"))
    assert parsed.raw_text == "Title\n\nBody one.\nShare this"
    assert format_lines(parsed.lines, parsed.header) == source


def test_bad_prefix_names_file_and_line():
    with pytest.raises(LabelFormatError, match=r"doc.lines:2"):
        parse_lines("+ fine\n* not a label\n", "doc.lines")


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_seed_labels_reproduce_the_raw_seed(seed):
    labeled = read_lines(seed.with_suffix(".lines"))
    assert labeled.raw_text == seed.read_text(encoding="utf-8").rstrip("\n")


def test_seed_000_has_17_body_paragraphs_and_one_title():
    labeled = read_lines(SEEDS / "000_052e06eeb3771c46.lines").labeled()
    body = [text for text, label in labeled if label == "body"]
    assert len(body) == 17
    assert body[0].startswith("LONDON — Lancaster House")
    assert body[-1].endswith("which it struck last month.")
    assert [text for text, label in labeled if label == "title"] == [
        "U.S.-China trade talks continue for a 2nd day in London"
    ]


ALL_FIXTURES = sorted(FIXTURES.rglob("*.lines"))


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.name)
def test_fixture_is_well_formed(path):
    labeled = read_lines(path)
    labels = [label for _, label in labeled.labeled()]
    assert "body" in labels, "every fixture has body lines"
    assert labels.count("title") <= 1
    assert "lang" in labeled.header


def test_html_fixtures_come_in_pairs():
    pages = {p.stem for p in FIXTURES.glob("html/*.html")}
    labels = {p.stem for p in FIXTURES.glob("html/*.lines")}
    assert pages and pages == labels


@pytest.mark.parametrize("page", sorted(FIXTURES.glob("html/*.html")), ids=lambda p: p.name)
def test_html_fixture_labels_reach_the_blocks(page):
    """Every labeled body line must land on cleaner's own blocks through the alignment."""
    blocks = html_blocks(parse_html(page.read_text(encoding="utf-8")))
    reference = read_lines(page.with_suffix(".lines")).labeled()
    labels = align([b.text for b in blocks], reference)
    body_words = sum(len(t.split()) for t, label in reference if label == "body")
    aligned_words = sum(len(b.text.split()) for b, label in zip(blocks, labels) if label == "body")
    assert aligned_words >= 0.9 * body_words


def test_align_is_order_aware_for_menu_words():
    blocks = ["Home", "Politics", "Politics is the art of the possible, she said.", "Politics"]
    reference = [("Politics is the art of the possible, she said.", "body")]
    assert align(blocks, reference) == ["chrome", "chrome", "body", "chrome"]


def test_align_survives_split_and_merged_paragraphs():
    blocks = ["First half of a paragraph.", "Second half of it.", "Chrome line here"]
    reference = [("First half of a paragraph. Second half of it.", "body"), ("Chrome line here", "chrome")]
    assert align(blocks, reference) == ["body", "body", "chrome"]
