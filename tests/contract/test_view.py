"""`clean view`: the page it writes shows every block, kept or dropped, with its evidence."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

PAGE = Path(__file__).with_name("pages") / "news_with_teasers_and_comments.html"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("view") / "view.html"
    text = tmp_path_factory.mktemp("text") / "scrape.txt"
    text.write_text("Home | News\n\nThe council met on Tuesday and voted for the wall.\n\n© 2024 Courier\n")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "cleaner.cli",
            "view",
            str(PAGE),
            str(text),
            "--out",
            str(out),
            "--url",
            "https://coastalcourier.example/news/2024/03/flood-wall",
        ],
        capture_output=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr.decode()
    return out.read_text(encoding="utf-8")


def test_every_block_of_both_documents_is_shown_with_its_score(written):
    from cleaner.segment.html import html_blocks, parse_html

    blocks = html_blocks(parse_html(PAGE.read_text(encoding="utf-8")))
    items = re.findall(r'<li class="block (kept|dropped)[^"]*" data-score="([0-9.]+)">', written)
    assert len(items) == len(blocks) + 3  # the page's blocks, then the three lines of the text
    assert {state for state, _ in items} == {"kept", "dropped"}
    assert all(0.0 <= float(score) <= 1.0 for _, score in items)
    for block in blocks:
        assert html.escape(block.text) in written


def test_the_story_is_kept_and_the_footer_dropped_as_clean_decides(written):
    from cleaner import clean_html

    kept_text = clean_html(
        PAGE.read_text(encoding="utf-8"), url="https://coastalcourier.example/news/2024/03/flood-wall"
    )
    page_section = written.split('<section class="doc">')[1]  # the HTML page's; the text file's follows
    kept_items = re.findall(r'<li class="block kept"[^>]*>.*?<span class="text">(.*?)</span>', page_section)
    assert kept_items and all(html.unescape(item) in kept_text for item in kept_items)
    assert re.search(
        r'class="block dropped"[^>]*>[^<]*<span class="score">[0-9.]+</span><span class="text">© 2024',
        written,
    )


def test_the_page_is_self_contained_and_explains(written):
    assert "<script src" not in written and "http-equiv" not in written
    assert not re.search(r'<link[^>]+href="https?:', written)
    assert "own words and markup:" in written and "page type" in written
    assert "Harbour town votes to rebuild" in written  # the title on top


def test_a_missing_page_is_a_clear_error(tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "cleaner.cli",
            "view",
            str(tmp_path / "nope.html"),
            "--out",
            str(tmp_path / "v.html"),
        ],
        capture_output=True,
        timeout=60,
    )
    assert run.returncode == 2 and b"nope.html" in run.stderr
    assert not (tmp_path / "v.html").exists()
