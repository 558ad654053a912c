"""The plain data that flows between cleaner's stages.

A `Document` comes in, the segmenter turns it into `Block`s, the model scores them,
and a `Result` goes out. Keeping these frozen and free of behaviour lets every stage
be tested on its own with hand-written values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

Kind = Literal["text", "html"]
Label = Literal["body", "chrome", "title"]
LABELS: tuple[Label, ...] = ("chrome", "body", "title")


class PageMetadata(NamedTuple):
    """What an HTML page declares about itself (`metadata.py`), each None where it does not."""

    author: str | None = None
    date: str | None = None  # the publication date, YYYY-MM-DD
    language: str | None = None  # ISO 639-1, two letters
    sitename: str | None = None
    description: str | None = None


METADATA_FIELDS = PageMetadata._fields  # on every output record


@dataclass(frozen=True, slots=True)
class Document:
    """One input document: either plain text or an HTML page, with what came beside it."""

    content: str
    kind: Kind
    id: Any = None
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Block(NamedTuple):
    """A unit the classifier decides on: a line of text, or a text block of an HTML page.

    The markup fields stay empty for plain text; `gap_before`/`gap_after` say whether a
    blank line (text) or a block boundary with vertical space (HTML) surrounds it. A named
    tuple rather than a dataclass: a page makes hundreds of blocks, and a tuple is made
    about four times faster (the C walk makes them directly).
    """

    text: str
    tag: str = ""
    path: tuple[str, ...] = ()
    attr_words: tuple[str, ...] = ()
    link_chars: int = 0
    depth: int = 0
    gap_before: bool = False
    gap_after: bool = False


class LineDecision(NamedTuple):
    """The classifier's verdict on one block, for `--explain` and for line-level users
    (a named tuple, like Block: one is made per block of every document)."""

    text: str
    label: Label
    score: float  # probability that the block is body


@dataclass(frozen=True, slots=True)
class Result:
    """What cleaning one document produced.

    The per-block verdicts are kept as plain columns, and `lines` builds LineDecision
    tuples only when asked: most callers want the text alone, and a tuple per block of
    every document was a tenth of the cost of cleaning plain text.
    """

    id: Any
    url: str | None
    title: str | None
    text: str
    model_version: str
    block_texts: tuple[str, ...] = ()
    keep: tuple[bool, ...] = ()  # whether each block was kept
    scores: tuple[float, ...] = ()  # P(body) of each block
    title_index: int = -1  # the block that became the title, or -1
    # What the page declares about itself (HTML only; `metadata.py`), None where it does not.
    author: str | None = None
    date: str | None = None  # publication date, YYYY-MM-DD
    language: str | None = None  # ISO 639-1
    sitename: str | None = None
    description: str | None = None

    @property
    def lines(self) -> tuple[LineDecision, ...]:
        """Every block with its label ("body", "chrome", "title") and body score."""
        labels: list[Label] = ["body" if kept else "chrome" for kept in self.keep]
        if self.title_index >= 0:
            labels[self.title_index] = "title"
        scores = [round(score, 4) for score in self.scores]
        return tuple(map(LineDecision, self.block_texts, labels, scores))

    def to_record(self, explain: bool = False) -> dict[str, Any]:
        """The record the command line writes for this result (without the input's own
        fields, which the stream passes through); `explain` adds every block's decision."""
        record: dict[str, Any] = {"id": self.id}
        if self.url is not None:
            record["url"] = self.url
        record["title"] = self.title
        record.update({field: getattr(self, field) for field in METADATA_FIELDS})
        record["text"] = self.text
        record["stats"] = {
            "lines_kept": self.kept,
            "lines_dropped": self.dropped,
            "model": self.model_version,
        }
        if explain:
            record["lines"] = [
                {"text": line.text, "label": line.label, "score": line.score} for line in self.lines
            ]
        return record

    @property
    def kept(self) -> int:
        return sum(self.keep)

    @property
    def dropped(self) -> int:
        return len(self.block_texts) - self.kept
