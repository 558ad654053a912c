"""Turn a document into the blocks the classifier decides on.

Plain text: every non-blank line is a block, and blank lines become `gap_*` flags.
HTML: the page is walked once (iteratively, so a 100,000-level page cannot overflow the
stack); block-level elements end a block, inline elements add to it, and each block keeps
the markup around it (its tag, enclosing tags, class/id words, how much of it is link text)
as evidence for the classifier.
"""

from __future__ import annotations

from functools import lru_cache

import regex
from selectolax.lexbor import LexborHTMLParser

from .. import _speedups
from ..types import Block

BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html "
    "legend li main menu nav ol p pre section summary table tbody tfoot thead tr ul "
    "option button label".split()
)
SKIP_TAGS = frozenset(
    "script style template svg iframe head object embed canvas math select "
    "textarea input map audio video picture source track".split()
)
CELL_TAGS = frozenset(("td", "th"))
# Elements that the HTML serialization writes without an end tag, and those whose text it
# writes unescaped: what the C walk needs to read lexbor's serialization back.
VOID_TAGS = frozenset(
    "area base basefont bgsound br col embed frame hr img input keygen link meta param source track wbr".split()
)
RAW_TEXT_TAGS = frozenset("script style xmp iframe noembed noframes plaintext".split())
NO_GAP_TAGS = frozenset(("li", "option", "tr"))  # closing one of these leaves no vertical gap
MAX_PATH = 8  # enclosing tags kept per block; deeper ancestors add little evidence
MAX_ATTR_LEVELS = 6  # how many enclosing elements contribute class/id words

_SPACE = regex.compile(r"\s+")
_ATTR_WORD = regex.compile(r"[a-z]{2,20}")
_HIDDEN_STYLE = regex.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", regex.I)


@lru_cache(maxsize=1 << 16)
def _words_of(*values: str | None) -> tuple[str, ...]:
    """Class and id values repeat across a page and across pages: split each set once."""
    joined = " ".join(value for value in values if value)
    return tuple(dict.fromkeys(_ATTR_WORD.findall(joined.lower()))) if joined else ()


HIDDEN_WORD = "hidden"  # added to the class words of text under a hidden element


_HIDING_ATTRS = frozenset(("hidden", "aria-hidden", "style"))


def _is_hidden(attrs: dict) -> bool:
    """Hidden at load time. Hidden blocks are kept, marked, for the model to judge: tabs,
    accordions and whole pages revealed by script hide their main content this way."""
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    return bool(style) and _hidden_style(style)


def _preformatted(raw: str) -> str:
    """Text of a <pre> block: its lines kept, trailing white space dropped."""
    return "\n".join(line.rstrip() for line in raw.strip("\n").splitlines()).strip()


def _hidden_style(style: str) -> bool:
    return bool(_HIDDEN_STYLE.search(style))


class _BlockBuilder:
    """Collects text pieces until a block boundary, then records one block.

    Blocks are kept as field lists and become `Block`s in `finish`, once each block's
    `gap_after` is known: creating each frozen Block once is cheaper than creating it and
    then replacing it.
    """

    def __init__(self) -> None:
        self.fields: list[list] = []
        self.pieces: list[str] = []
        self.link_chars = 0
        self.pending_gap = True
        self.hidden_open = 0  # hidden elements around the current text

    def flush(self, stack: list[tuple[str, tuple[str, ...], bool]], preformatted: bool) -> None:
        if not self.pieces:
            return
        raw = "".join(self.pieces)
        self.pieces.clear()
        if preformatted:
            text = _preformatted(raw)
        else:
            text = " ".join(raw.split())  # white space runs to one space, as `str.split` sees them
        link_chars, self.link_chars = self.link_chars, 0
        if not text:
            return
        tags = [entry[0] for entry in stack[: -MAX_PATH - 1 : -1]]
        words: list[str] = []
        for entry in stack[-MAX_ATTR_LEVELS:]:
            words.extend(entry[1])
        if self.hidden_open:
            words.append(HIDDEN_WORD)
        if self.fields and self.pending_gap:
            self.fields[-1][7] = True  # the previous block's gap_after
        self.fields.append(
            [
                text,
                tags[0] if tags else "",
                tuple(tags),
                tuple(dict.fromkeys(words)),
                min(link_chars, len(text)),
                len(stack),
                self.pending_gap,
                False,
            ]
        )
        self.pending_gap = False

    def finish(self) -> list[Block]:
        return list(map(Block._make, self.fields))


# A run of this many opening tags with no closing tag between them (void and self-closing
# elements aside) is pathological nesting. The HTML parser's time grows with the square of
# the depth, so such runs are cut down to their first MAX_RUN_TAGS tags, keeping every text.
MAX_RUN_TAGS = 500
_OPEN_TAG = r"<(?!(?:br|img|input|meta|link|hr|wbr|source|area|col|embed|param|track|p|li|option|td|tr|th|dt|dd)\b)[a-zA-Z][^<>]*>"
_DEEP_RUN = regex.compile(rf"(?:{_OPEN_TAG}[^<]*){{{MAX_RUN_TAGS * 2},}}+", regex.I)
_TAG = regex.compile(r"<[^<>]*>")


def _flatten_deep_nesting(html: str) -> str:
    def cut(match: regex.Match) -> str:
        pieces = _TAG.split(match.group())
        tags = _TAG.findall(match.group())
        kept = [
            piece + (tags[i] if i < MAX_RUN_TAGS and i < len(tags) else "") for i, piece in enumerate(pieces)
        ]
        return "".join(kept)

    return _DEEP_RUN.sub(cut, html)


def _may_nest_deeply(html: str) -> bool:
    """A cheap pre-check for `_DEEP_RUN`: some stretch without a closing tag holds many
    tags (and so at least three characters per tag)."""
    tags = MAX_RUN_TAGS * 2
    if html.count("<") < tags:
        return False
    return any(stretch.count("<") >= tags for stretch in html.split("</") if len(stretch) >= 3 * tags)


def parse_html(html: str) -> LexborHTMLParser:
    """Parse with lexbor, after cutting down pathologically deep nesting."""
    if _may_nest_deeply(html) and _DEEP_RUN.search(html):
        html = _flatten_deep_nesting(html)
    return LexborHTMLParser(html)


_FLAG_OF_SET = (
    (BLOCK_TAGS, 1),
    (SKIP_TAGS, 2),
    (CELL_TAGS, 4),
    (VOID_TAGS, 8),
    (RAW_TEXT_TAGS, 16),
    (frozenset(("br",)), 32),
    (frozenset(("a",)), 64),
    (frozenset(("pre",)), 128),
    (NO_GAP_TAGS, 256),
)  # the tag flags of c_htmlwalk.c


@lru_cache(maxsize=1)
def _tag_info() -> dict[str, tuple[str, int]]:
    """Each tag the walk treats specially: its name and its flags, for the C walk."""
    names = frozenset().union(*(tags for tags, _ in _FLAG_OF_SET))
    return {name: (name, sum(flag for tags, flag in _FLAG_OF_SET if name in tags)) for name in names}


def html_blocks(tree: LexborHTMLParser) -> list[Block]:
    """Walk the DOM once and cut it into text blocks at block-level elements.

    With the C walk built, it reads lexbor's serialization of the page instead of visiting
    each node from Python: the same blocks (a test checks), several times faster.
    """
    root = tree.body or tree.root
    if root is None:
        return []
    if (c_htmlwalk := _speedups.get("htmlwalk")) is not None:
        return c_htmlwalk.walk(root.html or "", Block, _tag_info(), _preformatted, _hidden_style, HIDDEN_WORD)
    return _walk_dom(root)


def _walk_dom(root) -> list[Block]:
    builder = _BlockBuilder()
    # The work stack holds nodes to enter and, as plain strings, the tags of elements to
    # leave; `open_elements` mirrors the element ancestry with each element's class words.
    # Each open element: its tag, its class/id words, and whether it is hidden.
    open_elements: list[tuple[str, tuple[str, ...], bool]] = []
    links_open = 0
    pre_open = 0
    todo: list = [root]
    pop, push, extend = todo.pop, todo.append, todo.extend
    pieces, flush = builder.pieces, builder.flush
    while todo:
        node = pop()
        if node.__class__ is str:  # leaving an element
            tag = node
            if tag in BLOCK_TAGS:
                if pieces:
                    flush(open_elements, pre_open > 0)
                builder.pending_gap = builder.pending_gap or tag not in NO_GAP_TAGS
            elif pieces and tag in CELL_TAGS:
                pieces.append(" ")
            if tag == "a":
                links_open -= 1
            elif tag == "pre":
                pre_open -= 1
            if open_elements.pop()[2]:
                builder.hidden_open -= 1
            continue
        tag = node.tag
        if tag == "-text":
            text = node.text_content
            # White space that would open a block is stripped anyway: skip it here.
            if text and (pieces or not text.isspace()):
                pieces.append(text)
                if links_open:
                    builder.link_chars += len(text.strip())
            continue
        if tag is None or tag[0] == "-" or tag in SKIP_TAGS:
            continue
        if tag == "br":
            if pre_open:
                pieces.append("\n")
            elif pieces:
                flush(open_elements, False)
            continue
        attrs = node.attributes
        hidden = bool(attrs) and not _HIDING_ATTRS.isdisjoint(attrs) and _is_hidden(attrs)
        if hidden and tag not in BLOCK_TAGS:
            continue  # hidden inline text: icons' labels, tooltips, screen-reader hints
        if pieces and tag in BLOCK_TAGS:
            flush(open_elements, pre_open > 0)
        if hidden:
            builder.hidden_open += 1
        words = (
            _words_of(attrs.get("class"), attrs.get("id"), attrs.get("role"), attrs.get("itemprop"))
            if attrs
            else ()
        )
        open_elements.append((tag, words, hidden))
        if tag == "a":
            links_open += 1
        elif tag == "pre":
            pre_open += 1
        push(tag)
        extend(reversed(list(node.iter(include_text=True))))
    builder.flush(open_elements, False)
    return builder.finish()


def html_title(tree: LexborHTMLParser) -> str | None:
    """The page's declared title (og:title, else <title>), used when no block is a title."""
    meta = tree.css_first('meta[property="og:title"]')
    if meta is not None and meta.attributes.get("content"):
        return _SPACE.sub(" ", meta.attributes["content"]).strip() or None
    title = tree.css_first("title")
    if title is not None:
        return _SPACE.sub(" ", title.text() or "").strip() or None
    return None
