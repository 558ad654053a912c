"""The labeled-document format of seeds/ and fixtures/, and aligning labels to blocks.

A `.lines` file is the document with a two-character label before every line:
`+ ` body, `- ` chrome, `= ` title, an empty line for a blank line, and optional
`#key: value` header lines at the top. Stripping the prefixes gives the raw text back,
so a person can edit labels in any editor and review them in a diff.

Labels reach blocks through `align`: it lines up the words of the labeled text with the
words of cleaner's own blocks, in order, so the labels survive a change of segmentation
and the same code turns a gold main text (WCXB, a user's page.txt) into block labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

import regex

from ..types import Label

PREFIXES: dict[str, Label] = {"+ ": "body", "- ": "chrome", "= ": "title"}
PREFIX_OF: dict[Label, str] = {label: prefix for prefix, label in PREFIXES.items()}
_WORD = regex.compile(r"\w+")
BODY_SHARE = 0.5  # a block is body when at least this share of its words align to body


class LabelFormatError(ValueError):
    """A `.lines` file that does not follow the format; the message names file and line."""


@dataclass(frozen=True, slots=True)
class LabeledLines:
    """A parsed `.lines` file: header fields and (text, label) pairs; blank lines as None."""

    header: dict[str, str] = field(default_factory=dict)
    lines: tuple[tuple[str, Label] | None, ...] = ()

    @property
    def raw_text(self) -> str:
        """The document as it was before labeling."""
        return "\n".join("" if item is None else item[0] for item in self.lines)

    def labeled(self) -> list[tuple[str, Label]]:
        return [item for item in self.lines if item is not None]


def parse_lines(source: str, name: str = "<lines>") -> LabeledLines:
    header: dict[str, str] = {}
    lines: list[tuple[str, Label] | None] = []
    in_header = True
    for number, line in enumerate(source.splitlines(), 1):
        if in_header and line.startswith("#"):
            key, sep, value = line[1:].partition(":")
            if not sep:
                raise LabelFormatError(f"{name}:{number}: header lines read '#key: value'")
            header[key.strip()] = value.strip()
            continue
        in_header = False
        if not line:
            lines.append(None)
            continue
        label = PREFIXES.get(line[:2])
        if label is None:
            raise LabelFormatError(
                f"{name}:{number}: a line must start with '+ ' (body), '- ' (chrome) or "
                f"'= ' (title), or be empty; got {line[:20]!r}"
            )
        lines.append((line[2:], label))
    return LabeledLines(header, tuple(lines))


def read_lines(path: Path) -> LabeledLines:
    return parse_lines(path.read_text(encoding="utf-8"), str(path))


def format_lines(pairs: Sequence[tuple[str, Label] | None], header: dict[str, str] | None = None) -> str:
    """Write the `.lines` form; multi-line block texts become one labeled line each."""
    out = [f"#{key}: {value}" for key, value in (header or {}).items()]
    for item in pairs:
        if item is None:
            out.append("")
            continue
        text, label = item
        out.extend(PREFIX_OF[label] + part for part in text.splitlines() or [""])
    return "\n".join(out) + "\n"


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def align(
    block_texts: Sequence[str],
    reference: Sequence[tuple[str, Label]],
    unmatched: Label = "chrome",
) -> list[Label]:
    """Label each block by the labels of the reference words its own words align with.

    The alignment is order-aware (longest common runs first), so a menu item whose word
    also occurs somewhere in the body does not borrow the body's label. A block takes the
    majority label among its aligned words when at least `BODY_SHARE` of its words align;
    otherwise it gets `unmatched`.
    """
    block_of: list[int] = []
    page_words: list[str] = []
    for index, text in enumerate(block_texts):
        tokens = words(text)
        page_words.extend(tokens)
        block_of.extend([index] * len(tokens))
    ref_words: list[str] = []
    ref_labels: list[Label] = []
    for text, label in reference:
        tokens = words(text)
        ref_words.extend(tokens)
        ref_labels.extend([label] * len(tokens))
    votes: list[dict[Label, int]] = [{} for _ in block_texts]
    matcher = SequenceMatcher(None, page_words, ref_words, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for offset in range(size):
            tally = votes[block_of[a + offset]]
            label = ref_labels[b + offset]
            tally[label] = tally.get(label, 0) + 1
    result: list[Label] = []
    for index, text in enumerate(block_texts):
        total = len(words(text))
        tally = votes[index]
        if total and tally and sum(tally.values()) >= BODY_SHARE * total:
            result.append(max(tally, key=lambda key: (tally[key], key == "body")))
        else:
            result.append(unmatched)
    return result
