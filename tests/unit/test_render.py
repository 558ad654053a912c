"""The plain-text renderings that the text model is trained and measured on."""

import shutil

import pytest

from cleaner.segment.text import text_blocks
from cleaner.text_rules.dumps import link_list_start
from cleaner.training.render import (
    RENDERERS,
    render_blocks,
    render_markdown,
    render_text_nodes,
    render_tight,
    render_varied,
    render_wrapped,
)

PAGE = (
    "<html><body><nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></nav>"
    "<h1>Rivers rise</h1><p>The water came up <a href='/x'>overnight</a> in the valley.</p>"
    "<ul><li>Roads closed</li><li>Schools shut<ul><li>until Monday</li></ul></li></ul>"
    "<table><tr><td>Level</td><td>4.2 m</td></tr></table>"
    "<blockquote><p>We were ready.</p></blockquote><script>var x = 1;</script></body></html>"
)


def test_blocks_puts_a_line_per_block_and_blank_lines_between_paragraphs():
    lines = render_blocks(PAGE).split("\n")
    assert "The water came up overnight in the valley." in lines
    assert "" in lines
    assert "var x = 1;" not in render_blocks(PAGE)


def test_tight_has_the_same_lines_without_blank_ones():
    tight = render_tight(PAGE).split("\n")
    assert "" not in tight
    assert tight == [line for line in render_blocks(PAGE).split("\n") if line]


def test_wrapped_cuts_long_blocks_at_the_width():
    html = "<p>" + " ".join(["word"] * 60) + "</p>"
    lines = render_wrapped(html, width=40).split("\n")
    assert len(lines) > 5 and all(len(line) <= 40 for line in lines)


def test_markdown_marks_headings_lists_cells_and_quotes():
    lines = render_markdown(PAGE).split("\n")
    assert "# Rivers rise" in lines
    assert "* Roads closed" in lines
    assert "  * until Monday" in lines  # nested one level deeper
    assert "| Level 4.2 m |" in lines
    assert "> We were ready." in lines
    assert lines[lines.index("# Rivers rise") - 1] == ""  # a blank line before a heading
    items = lines.index("* Roads closed")
    assert lines[items + 1].lstrip().startswith("* ")  # list items stay together


def test_text_nodes_splits_at_inline_tags():
    lines = render_text_nodes(PAGE).split("\n")
    assert "overnight" in lines and "The water came up" in lines
    assert "var x = 1;" not in lines


@pytest.mark.parametrize("browser", ["lynx", "w3m", "elinks", "pandoc"])
def test_text_browsers_dump_the_page_when_installed(browser):
    if shutil.which(browser) is None:
        pytest.skip(
            f"{browser} is not installed (Debian: apt-get install {browser}); only `clean evaluate` uses it"
        )
    text = RENDERERS[browser](PAGE)
    assert "The water came up" in text and "var x = 1;" not in text
    if browser in ("lynx", "elinks"):  # numbered links and their targets, which cleaning undoes
        assert "[1]Home" in text and "References" in text
        kept = [block.text for block in text_blocks(text)]
        assert not any("[1]" in line for line in kept)
        assert link_list_start(kept) < len(kept) and kept[link_list_start(kept)] == "References"


def test_a_missing_text_browser_is_named(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt-get install lynx"):
        RENDERERS["lynx"](PAGE)


def test_markdownify_renders_links_and_headings_when_installed():
    pytest.importorskip(
        "markdownify", reason="markdownify comes with the `eval` extra; only `clean evaluate` uses it"
    )
    text = RENDERERS["markdownify"](PAGE)
    assert "[overnight](/x)" in text and "# Rivers rise" in text
    assert "The water came up overnight in the valley." in "\n".join(
        block.text for block in text_blocks(text)
    )


def test_alt_texts_are_written_where_the_pictures_are():
    page = "<p>A <img src='d.jpg' alt=' dog '> ran.</p><figure><img alt='A big cat on a mat'></figure><img src='x.png'>"
    assert RENDERERS["alts"](page) == "A dog ran.\n\nA big cat on a mat"
    assert render_blocks(page) == "A ran."


def test_resiliparse_renders_the_whole_page_when_installed():
    pytest.importorskip(
        "resiliparse", reason="Resiliparse comes with the `eval` extra; only `clean evaluate` uses it"
    )
    text = RENDERERS["resiliparse"](PAGE)
    assert "The water came up overnight in the valley." in text and "var x = 1;" not in text


def _varied_pages(count: int) -> list[str]:
    """Pages alike in shape, different in words: each draws its own layout."""
    return [PAGE.replace("Rivers rise", f"Rivers rise on day {day}") for day in range(count)]


def test_varied_draws_a_layout_per_page_and_keeps_it():
    renderings = [render_varied(page) for page in _varied_pages(40)]
    assert renderings[0] == render_varied(_varied_pages(1)[0])  # the same page, the same layout
    assert any("\n\n" in text for text in renderings) and any("\n\n" not in text for text in renderings)
    bullets = {
        line.lstrip()[:2] for text in renderings for line in text.split("\n") if "Roads closed" in line
    }
    assert {"* ", "- ", "Ro"} <= bullets  # list items bulleted several ways, or bare
    assert any("## " in text or "# Rivers" in text for text in renderings)
    for text in renderings:  # the words are the page's blocks', whatever the layout
        assert "var x" not in text and "We were ready." in text


def test_varied_wraps_some_pages_at_their_own_width():
    long_page = "<p>" + " ".join(f"word{i}" for i in range(80)) + "</p>"
    widths = set()
    for day in range(40):
        lines = render_varied(long_page.replace("word0", f"day{day}")).split("\n")
        if len(lines) > 1:
            widths.add(max(len(line) for line in lines))
    assert len(widths) > 3 and all(50 <= width <= 100 for width in widths)
