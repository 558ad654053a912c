"""The plain-text renderings that the text model is trained and measured on."""

from cleaner.render import (
    render_blocks,
    render_markdown,
    render_text_nodes,
    render_tight,
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
