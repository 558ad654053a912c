"""Plain text that still holds the page's scripts and style sheets.

Some ways of stripping a page's markup keep the text of its `<script>` and `<style>`
elements: lxml's `text_content()`, a regex that drops the tags, older HTML-to-text code.
The page's text then opens with its style sheets, JSON settings and tracking code, and may
close with more. The model never saw such lines (no training rendering has them) and keeps
many: on 150 WCXB pages (every tenth), `text_content()` of the page cleaned to 0.600 word F1,
against 0.874 for inscriptis' text of the same pages.

So a run of code lines above the page's first line of prose, or below its last, is never
kept when one of its lines is unmistakably a browser's: a CSS rule or declaration, a
browser global ("window.", "document."), a tag manager, JSON-LD or a JSON settings object.
The other lines of the run count as code by their share of symbols, or as comments.
Code between prose lines is left to the model: documentation pages show code examples
there, "(function () {" and "document.querySelector" among them, and those are content.
On the same 150 pages: `text_content()` 0.600 -> 0.633, tags dropped by a regex 0.610 ->
0.638; eleven other renderings (inscriptis, lynx, pandoc...) unchanged. Scripts between
prose lines (ads, embeds) and style text cut into lines without a mark stay with the model.
A text without "{" has no style sheet, script or JSON and is not read further.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import regex

_PROPERTY = (
    r"(?:--|-(?:webkit|moz|ms)-)?(?:[a-z]+-[-a-z]+|margin|padding|color|display|width|height|"
    r"border|background|position|top|left|right|bottom|float|clear|overflow|opacity|cursor|"
    r"content|transform|transition|animation|outline|filter|visibility|gap|order|flex|grid|"
    r"inset|fill|stroke|zoom|font|src)"
)
# A line that opens a block of code, not a rule: "function f() {", "if (x) {".
_NOT_JS = (
    r"(?!(?:function|if|for|while|else|switch|try|catch|do|class|const|let|var|return|async|"
    r"export|import|public|private|def|fn|func)\b)"
)
# A CSS rule's opening, a whole one-line rule, or a declaration ended by ";" (property
# names in lower case, as style sheets write them; "Height: 3.2 cm" is a product's).
_CSS = regex.compile(
    rf"{_NOT_JS}[^\s{{}}][^{{}}]*\{{\s*(?:{_PROPERTY}\s*:[^;{{}}]*;?\s*)*\}}?"
    rf"|{_PROPERTY}\s*:\s*[^;{{}}]+;|{_PROPERTY}\s*:[^;{{}}]*!important;?"
    r"|@(?:media|font-face|import|keyframes|supports)\b.*",
)
# What only a browser's scripts say: its globals, tag managers, CDATA guards, JSON-LD;
# and how a self-calling function starts. General code (a documentation page's examples:
# "const x = f(y);") says none of them. Plain substrings: a regex alternation over every
# line of every page cost milliseconds a page.
_GLOBALS = ("window.", "document.", "navigator.")
_GLOBAL = regex.compile(r"\b(?:window|document|navigator)\.[\p{L}_$]")  # not "the window."
_SCRIPT_MARKS = ("dataLayer", "gtag(", "googletag.", "fbq(", "<![CDATA[", "]]>", '"@context"')
_SCRIPT_STARTS = ("!function(", "!function (", "(function(", "(function (")
_CSS_CHARS = frozenset("{};@")
_CODE_CHARS = frozenset('{};@.("[]')
_JSON_STARTS = ('{"', '[{"')
MIN_JSON_KEYS = 3
_BRACES_ONLY = regex.compile(r"[{}()\[\];,\s]*[{}][{}()\[\];,\s]*")  # "}", "});", "} }"
_SYMBOLS = regex.compile(r"[{}()\[\];=<>\\\"|&+*]")
_COMMENT = regex.compile(r"\s*(?://|/\*)")
MIN_SYMBOLS = 2  # a sentence may end in ";", code has more
MIN_SYMBOL_SHARE = 0.06  # of a code line's characters
_SENTENCE_END = regex.compile(r"[.!?…][\"'”’)]?\s*$")
MIN_PROSE_WORDS = 6
_PROSE_ENDS = frozenset(".!?…\"'”’)")


def is_page_code(line: str) -> bool:
    """Whether a line reads as a style sheet's or a browser script's text."""
    text = line.strip()
    if _CODE_CHARS.isdisjoint(text):  # most lines: no character any page code needs
        return False
    if text.startswith(_SCRIPT_STARTS) or any(mark in text for mark in _SCRIPT_MARKS):
        return True
    if any(name in text for name in _GLOBALS) and _GLOBAL.search(text):
        return True
    if text.startswith(_JSON_STARTS) and text.count('":') >= MIN_JSON_KEYS:
        return True
    return not _CSS_CHARS.isdisjoint(text) and _CSS.fullmatch(text) is not None


def _is_prose(line: str) -> bool:
    """A sentence of six words or more that is no code."""
    text = line.rstrip()
    return (
        text[-1:] in _PROSE_ENDS
        and text.count(" ") >= MIN_PROSE_WORDS - 1
        and _SENTENCE_END.search(text) is not None
        and not is_code(text)
    )


def is_code(line: str) -> bool:
    """Whether a line reads as code of any kind: a browser's, or any other code."""
    return is_page_code(line) or _other_code(line)


def _other_code(line: str) -> bool:
    """Code by its share of symbols, a comment, or braces alone."""
    text = line.strip()
    if _COMMENT.match(text) or _BRACES_ONLY.fullmatch(text):
        return True
    symbols = len(_SYMBOLS.findall(text))
    return symbols >= MIN_SYMBOLS and symbols >= MIN_SYMBOL_SHARE * len(text)


def script_lines(lines: Sequence[str]) -> np.ndarray:
    """Which lines are a page's script or style text (see the module's docstring). Only
    the lines above the first prose line and below the last are read."""
    n = len(lines)
    marked = np.zeros(n, dtype=bool)
    if "{" not in "".join(lines):  # style sheets, scripts and JSON all have one (one scan, not n)
        return marked
    first = next((i for i in range(n) if _is_prose(lines[i])), n)
    last = next((i for i in range(n - 1, first, -1) if _is_prose(lines[i])), first)  # n: no prose
    for part in (range(0, first), range(last + 1, n)):
        page_code = {i for i in part if is_page_code(lines[i])}
        if not page_code:
            continue
        code = page_code | {i for i in part if i not in page_code and _other_code(lines[i])}
        run: list[int] = []
        for i in [*part, None]:  # None: the end of the part, which closes the last run
            # a run: code and blank lines in a row; any other line ends it
            if i is not None and (i in code or not lines[i].strip()):
                run.append(i)
                continue
            rows = [j for j in run if j in code]
            if any(j in page_code for j in rows):
                marked[rows] = True
            run = []
    return marked
