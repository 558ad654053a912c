"""Property tests (Hypothesis): cleaning never raises, keeps input lines in order, keeps records 1:1.

Bounded on purpose (tens of examples each, no deadline, no example database written to the
repo) so the file runs in well under a minute beside the rest of the suite. A "line" of a
plain-text input is what `str.splitlines` yields, stripped; a blank line is one that strips
to nothing. The C-against-Python properties are in tests/parity/test_speedups.py.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaner.clean import Cleaner
from cleaner.errors import InputError
from cleaner.read import decode_bytes, read_jsonl
from cleaner.segment.text import split_long_lines, strip_link_numbers, strip_markdown_links
from cleaner.types import Document
from tests.conftest import ROOT

BOUNDED = settings(
    max_examples=75,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SCRAPE_LINES = [
    "Home",
    "News",
    "Sports",
    "Menu | Search | Log in",
    "\u00a9 2025 Example Gazette. All rights reserved.",
    "The council met on Tuesday to discuss the new bridge budget, and the debate ran past midnight.",
    "The vote was seven to two, with both dissenters citing the rising cost of steel this year.",
    "Subscribe to our newsletter",
    "Related Content",
    "Share on Facebook",
    "Photo: J. Smith / Gazette",
    "\u5e02\u8bae\u4f1a\u5468\u4e8c\u6279\u51c6\u4e86\u65b0\u6865\u7684\u9884\u7b97\u3002",
    "\u0648\u0627\u0641\u0642 \u0645\u062c\u0644\u0633 \u0627\u0644\u0645\u062f\u064a\u0646\u0629 "
    "\u0639\u0644\u0649 \u0627\u0644\u0645\u064a\u0632\u0627\u0646\u064a\u0629.",
    "   indented line with trailing spaces   ",
    "\t",
    "",
    " ",
    "\u00a0",
    "\x00",
    "\ufeff",
]
LINE_BREAKS = ["\n", "\n\n", "\r\n", "\r", "\n \n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029"]
TAG_SOUP = [
    "<html>",
    "<head>",
    "</head>",
    "<body>",
    "</body>",
    "<div>",
    "</div>",
    "<p>",
    "</p>",
    "<br>",
    "<pre>",
    "</pre>",
    "<a href='/x'>",
    "</a>",
    "<script>",
    "</script>",
    "<style>",
    "</style>",
    "<!--",
    "-->",
    "<table><tr><td>",
    "</td><td>",
    "</td></tr></table>",
    "<li>",
    "<ul>",
    "</ul>",
    "<h1>",
    "</h1>",
    "<title>",
    "</title>",
    "<meta property='og:title' content='",
    "'>",
    "<div hidden>",
    "<div style='display:none'>",
    "<div class='nav menu-item'>",
    "<nav>",
    "</nav>",
    "<article>",
    "&amp;",
    "&#0;",
    "&#xD800;",
    "&nbsp;",
    "<![CDATA[",
    "]]>",
    "<svg>",
    "<math>",
    "<template>",
    "<noscript>",
    "<frameset>",
    "<textarea>",
    "<plaintext>",
    "<xmp>",
    "<select><option>",
    "<img alt='x'>",
    "\x00",
    "<",
    ">",
    "</",
    "<p class=",
    '"',
    "'",
]

scrape_text = st.lists(
    st.tuples(st.one_of(st.sampled_from(SCRAPE_LINES), st.text(max_size=40)), st.sampled_from(LINE_BREAKS)),
    max_size=40,
).map(lambda parts: "".join(line + sep for line, sep in parts))
any_text = st.one_of(st.text(), scrape_text)
html_soup = st.one_of(
    st.text(),
    st.lists(
        st.one_of(st.sampled_from(TAG_SOUP), st.sampled_from(SCRAPE_LINES), st.text(max_size=20)), max_size=80
    ).map("".join),
    st.integers(0, 3000).map(lambda n: "<div>" * n + "deep text" + "</div>" * (n // 2)),
)
lone_surrogate = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
with_surrogates = st.lists(
    st.one_of(lone_surrogate, st.sampled_from(TAG_SOUP + SCRAPE_LINES)), min_size=1, max_size=30
).map("".join)


def nonblank_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def is_subsequence_of_runs(part: list[str], whole: list[str]) -> bool:
    """Each item of `part` is an item of `whole`, or a run of consecutive items joined by
    single spaces (a hard-wrapped paragraph made whole), in order, none used twice."""
    at = 0
    for item in part:
        for start in range(at, len(whole)):
            end, joined = start + 1, whole[start]
            while item.startswith(joined + " ") and end < len(whole):
                joined, end = joined + " " + whole[end], end + 1
            if joined == item:
                at = end
                break
        else:
            return False
    return True


def joins_in_order(text: str, kept: list[str], separators: tuple[str, ...]) -> bool:
    """`text` is exactly `kept` in order, each pair separated by one of `separators`."""
    if not kept:
        return text == ""
    if not text.startswith(kept[0]):
        return False
    at = len(kept[0])
    for line in kept[1:]:
        for separator in separators:
            if text.startswith(separator + line, at):
                at += len(separator) + len(line)
                break
        else:
            return False
    return at == len(text)


@pytest.fixture(scope="module")
def cleaner(small_model_dir) -> Cleaner:
    return Cleaner(small_model_dir)


def check_result_is_consistent(result, kind: str) -> None:
    assert isinstance(result.text, str)
    kept = [line.text for line in result.lines if line.label == "body"]
    # a blank line between kept blocks; in plain text, a space within a hard-wrapped paragraph
    assert joins_in_order(result.text, kept, ("\n\n", " ") if kind == "text" else ("\n\n",))
    assert all(line.label in ("body", "chrome", "title") for line in result.lines)
    assert all(0.0 <= line.score <= 1.0 for line in result.lines)


@BOUNDED
@given(text=any_text)
def test_clean_text_never_raises(cleaner, text):
    """Any string cleans as plain text without raising, into a self-consistent result."""
    check_result_is_consistent(cleaner.clean(Document(content=text, kind="text")), "text")


@BOUNDED
@given(html=html_soup)
def test_clean_html_never_raises(cleaner, html):
    """Any string, tag soup included, cleans as HTML without raising, into a self-consistent result."""
    check_result_is_consistent(cleaner.clean(Document(content=html, kind="html")), "html")


@BOUNDED
@given(content=with_surrogates, kind=st.sampled_from(["text", "html"]))
@example(content="The council \ud800 met on Tuesday.", kind="text")
@example(content="<p>The council \udfff met on Tuesday.</p>", kind="html")
def test_clean_never_raises_on_lone_surrogates(cleaner, content, kind):
    """A string with lone surrogates (JSON "\\ud800" escapes make them) cleans without raising."""
    check_result_is_consistent(cleaner.clean(Document(content=content, kind=kind)), kind)


@BOUNDED
@given(text=any_text)
@example(text="0 0\n0 0\n0 0\n00: 0\n00 0")  # five short lines once taken for a text wrapped at 5
def test_text_keeps_an_ordered_subset_of_the_input_lines(cleaner, text):
    """For plain text, the kept paragraphs are input lines (stripped, non-blank), or runs of
    consecutive ones joined by spaces (a hard-wrapped paragraph), in input order."""
    result = cleaner.clean(Document(content=text, kind="text"))
    kept = result.text.split("\n\n") if result.text else []
    lines = nonblank_lines(split_long_lines(strip_markdown_links(strip_link_numbers(text))))
    assert is_subsequence_of_runs(kept, lines), (kept, lines)


@BOUNDED
@given(text=any_text)
@example(text='[Home](/)\n![logo](/l.png)\n[News](/n) and [Sport](/s "x")\n')  # Markdown links
def test_text_lines_cover_every_nonblank_input_line_in_order(cleaner, text):
    """For plain text, result.lines holds exactly the input's non-blank lines, stripped, in
    order (once a text browser's link numbers and Markdown's link targets and pictures are
    taken out, where it has them, and lines of thousands of characters cut at sentence ends)."""
    result = cleaner.clean(Document(content=text, kind="text"))
    expected = nonblank_lines(split_long_lines(strip_markdown_links(strip_link_numbers(text))))
    assert [line.text for line in result.lines] == expected


# ---------------------------------------------------------------------------------------------
# JSON Lines streams: N records in, N out, same ids, same order

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
nonblank = st.one_of(st.sampled_from(SCRAPE_LINES[:14]), scrape_text, st.text(min_size=1)).filter(str.strip)
CONTENT_KINDS = ("html", "text")


@st.composite
def stream_record(draw, position: int):
    """One input line and what must come out for it: (line bytes, expected id, expect ok?)."""
    shape = draw(
        st.sampled_from(
            ["good", "good", "good", "blank_content", "bad_type", "no_content", "not_object", "garbage"]
        )
    )
    record_id = f"r{position}-" + draw(st.text(max_size=6))
    extra = draw(st.dictionaries(st.sampled_from(["url", "lang", "meta", "n"]), json_values, max_size=2))
    kind = draw(st.sampled_from(CONTENT_KINDS))
    if shape == "garbage":  # starts with "{" and ends with ",": never valid JSON
        junk = draw(st.text(max_size=40)).replace("\n", " ")
        return ("{" + junk + ",").encode(), None, False
    if shape == "not_object":
        value = draw(st.one_of(st.lists(json_values, max_size=3), st.integers(), st.text(), st.none()))
        return json.dumps(value, ensure_ascii=False).encode(), None, False
    record = {"id": record_id, **extra}
    if shape == "good":
        record[kind] = draw(nonblank)
    elif shape == "blank_content":
        record[kind] = draw(st.text(alphabet=" \t\r\n\u00a0\u3000", max_size=5))
    elif shape == "bad_type":
        record[kind] = draw(json_values.filter(lambda v: not isinstance(v, str)))
    return json.dumps(record, ensure_ascii=False).encode(), record_id, shape == "good"


@st.composite
def jsonl_streams(draw):
    size = draw(st.integers(0, 12))
    return [draw(stream_record(i)) for i in range(size)]


def test_jsonl_stream_gives_one_record_per_input_record(small_model_dir):
    """N records in (valid or not) give N out with the same ids, in order: read_jsonl, then the CLI."""
    generated: list[list[tuple[bytes, object, bool]]] = []

    @BOUNDED
    @given(stream=jsonl_streams())
    def reader_keeps_records(stream):
        data = b"".join(line + b"\n" for line, _, _ in stream)
        items = list(read_jsonl(io.BytesIO(data)))
        assert [item.id for item in items] == [expected_id for _, expected_id, _ in stream]
        assert [not isinstance(item, InputError) for item in items] == [ok for _, _, ok in stream]
        for number, item in enumerate(items, 1):
            if isinstance(item, InputError):
                assert item.line == number
        generated.append(stream)

    reader_keeps_records()

    # All the generated streams, one after the other, through one run of the command.
    lines = [entry for stream in generated for entry in stream]
    data = b"".join(line + b"\n" for line, _, _ in lines)
    command = [sys.executable, "-m", "cleaner.cli", "--format", "jsonl", "--model", str(small_model_dir)]
    done = subprocess.run(command, input=data, capture_output=True, cwd=ROOT, timeout=300)
    out = [json.loads(raw) for raw in done.stdout.decode("utf-8").split("\n") if raw]
    assert len(out) == len(lines), done.stderr.decode()[-2000:]
    assert [record.get("id") for record in out] == [expected_id for _, expected_id, _ in lines]
    assert [("text" in record) for record in out] == [ok for _, _, ok in lines]
    for number, (record, (_, _, ok)) in enumerate(zip(out, lines), 1):
        if not ok:
            assert record["line"] == number and record["error"], record
    assert done.returncode == (1 if any(not ok for _, _, ok in lines) else 0)


# ---------------------------------------------------------------------------------------------
# Byte decoding


@BOUNDED
@given(data=st.binary(max_size=4096), is_html=st.booleans())
def test_decode_bytes_never_raises(data, is_html):
    """Any bytes decode to a string, as HTML or as text."""
    assert isinstance(decode_bytes(data, is_html=is_html), str)


@BOUNDED
@given(
    bom=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]),
    body=st.binary(max_size=512),
    is_html=st.booleans(),
)
def test_decode_bytes_never_raises_after_a_bom(bom, body, is_html):
    """Bytes behind any BOM (and a BOM with an odd number of bytes after it) decode without raising."""
    assert isinstance(decode_bytes(bom + body, is_html=is_html), str)


CHARSET_NAMES = [
    "utf-8",
    "UTF8",
    "windows-1252",
    "iso-8859-1",
    "latin1",
    "shift_jis",
    "euc-jp",
    "gb2312",
    "big5",
    "koi8-r",
    "utf-16",
    "utf-32",
    "utf-7",
    "x-user-defined",
    "base64",
    "rot13",
    "hex",
    "zlib",
    "uu",
    "mbcs",
    "unicode_escape",
    "raw_unicode_escape",
    "idna",
    "punycode",
    "undefined",
    "bogus-charset",
]


@BOUNDED
@given(
    charset=st.one_of(
        st.sampled_from(CHARSET_NAMES), st.from_regex(r"[A-Za-z0-9_\-:.]{1,16}", fullmatch=True)
    ),
    body=st.binary(max_size=256),
)
@example(charset="idna", body=b"caf\xe9")
@example(charset="undefined", body=b"caf\xe9")
@example(charset="punycode", body=b"caf\xe9")
def test_decode_bytes_never_raises_whatever_charset_is_declared(charset, body):
    """An HTML page that is not UTF-8 decodes without raising whatever charset its meta tag names."""
    data = f'<html><head><meta charset="{charset}"></head><body><p>'.encode() + body + b"\xff</p>"
    assert isinstance(decode_bytes(data, is_html=True), str)


@pytest.mark.parametrize("charset", ["unicode_escape", "raw-unicode-escape", "utf-7", "UTF7"])
def test_a_declared_escape_codec_does_not_rewrite_the_text(charset):
    """A page that names Python's escape codecs or UTF-7 is not decoded with them: they would
    turn backslash sequences and "+...-" runs into other characters."""
    data = f'<meta charset="{charset}"><p>C:\\new\\table, 1+1-2 = 0 '.encode() + b"caf\xe9</p>"
    text = decode_bytes(data, is_html=True)
    assert "C:\\new\\table, 1+1-2 = 0" in text and "caf" in text
