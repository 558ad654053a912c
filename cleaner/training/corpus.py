"""Read labeled documents for training and evaluation, as blocks with one label each.

Sources:
- `.lines` files (seeds/, fixtures/text/): plain text, one label per line;
- `NAME.html` + `NAME.lines` (fixtures/html/): a page and its labeled visible text;
- a folder of `page.html` + `page.txt` pairs: a user's pages with their gold main text;
- the WCXB layout: `html/NNNN.html.gz` + `ground-truth/NNNN.json`.
Gold texts and HTML labels reach the blocks through `labels.align`. Each HTML page also
yields plain-text renderings, labeled the same way, for the text model.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from ..read import decode_bytes
from ..segment.html import html_blocks, parse_html
from ..segment.text import text_blocks
from ..types import LABELS, Block, Kind, Label
from .labels import align, read_lines
from .render import RENDERERS, rendering_markup

LABEL_INDEX = {label: i for i, label in enumerate(LABELS)}


@dataclass
class LabeledDoc:
    """One labeled document, ready for features: blocks and their label indices."""

    name: str
    kind: Kind
    blocks: list[Block]
    labels: list[int]
    group: str  # documents of one group (a site) never sit on both sides of a split
    gold: str | None = None  # the gold main text, where the source has one
    page_type: str = "unknown"
    source: str = "fixtures"
    extra: dict = field(default_factory=dict)
    markup: np.ndarray | None = None  # text from HTML: each line's markup truth (`markup_guess`)


def _indices(labels: Iterable[Label]) -> list[int]:
    return [LABEL_INDEX[label] for label in labels]


def text_doc_from_lines(path: Path, source: str) -> LabeledDoc:
    labeled = read_lines(path)
    blocks = text_blocks(labeled.raw_text)
    line_labels = [label for text, label in labeled.labeled() if text.strip()]
    if len(line_labels) != len(blocks):
        raise ValueError(f"{path}: {len(line_labels)} labeled lines but {len(blocks)} blocks")
    gold = "\n\n".join(text for text, label in labeled.labeled() if label == "body")
    return LabeledDoc(
        name=path.stem,
        kind="text",
        blocks=blocks,
        labels=_indices(line_labels),
        group=labeled.header.get("group", path.stem),
        gold=gold,
        source=source,
        page_type=labeled.header.get("type", "article"),
        extra={"url": labeled.header.get("url")},
    )


def html_doc_from_lines(html_path: Path, lines_path: Path, source: str) -> LabeledDoc:
    labeled = read_lines(lines_path)
    blocks = html_blocks(parse_html(html_path.read_text(encoding="utf-8")))
    labels = align([b.text for b in blocks], labeled.labeled())
    gold = "\n\n".join(text for text, label in labeled.labeled() if label == "body")
    return LabeledDoc(
        name=html_path.stem,
        kind="html",
        blocks=blocks,
        labels=_indices(labels),
        group=labeled.header.get("group", html_path.stem),
        gold=gold,
        source=source,
        page_type=labeled.header.get("type", "article"),
        extra={"url": labeled.header.get("url")},
    )


def read_labeled_dir(directory: Path, source: str) -> list[LabeledDoc]:
    """All `.lines` documents below a folder: text ones alone, HTML ones beside their page."""
    docs: list[LabeledDoc] = []
    for lines_path in sorted(directory.rglob("*.lines")):
        html_path = lines_path.with_suffix(".html")
        if html_path.exists():
            docs.append(html_doc_from_lines(html_path, lines_path, source))
        else:
            docs.append(text_doc_from_lines(lines_path, source))
    return docs


def gold_page(
    name: str,
    html: str,
    gold: str,
    title: str | None,
    group: str,
    page_type: str,
    source: str,
    renderers: Iterable[str] = (),
) -> Iterator[LabeledDoc]:
    """A page with a gold main text: the HTML document, then one text doc per renderer."""
    reference: list[tuple[str, Label]] = []
    if title and title.strip():
        reference.append((title, "title"))
    reference.append((gold, "body"))
    blocks = html_blocks(parse_html(html))
    yield LabeledDoc(
        name=name,
        kind="html",
        blocks=blocks,
        labels=_indices(align([b.text for b in blocks], reference)),
        group=group,
        gold=gold,
        page_type=page_type,
        source=source,
    )
    for renderer in renderers:
        text_blocks_ = text_blocks(RENDERERS[renderer](html))
        yield LabeledDoc(
            name=f"{name}:{renderer}",
            kind="text",
            blocks=text_blocks_,
            labels=_indices(align([b.text for b in text_blocks_], reference)),
            group=group,
            gold=gold,
            page_type=page_type,
            source=source,
            extra={"renderer": renderer},
            markup=rendering_markup(blocks, renderer, len(text_blocks_)),
        )


def read_wcxb_page(root: Path, file_id: str) -> tuple[dict, str] | None:
    """One page of the WCXB layout: its ground-truth record and its decoded HTML (None when
    the HTML file is missing)."""
    html_path = root / "html" / f"{file_id}.html.gz"
    if not html_path.exists():
        return None
    truth = json.loads((root / "ground-truth" / f"{file_id}.json").read_text(encoding="utf-8"))
    return truth, decode_bytes(gzip.decompress(html_path.read_bytes()))


def read_wcxb(root: Path, renderers: Iterable[str] = (), limit: int | None = None) -> Iterator[LabeledDoc]:
    """Pages of the WCXB layout, grouped by site so splits can keep sites apart."""
    renderers = tuple(renderers)
    meta_path = root / "metadata.json"
    files_meta = json.loads(meta_path.read_text())["files"] if meta_path.exists() else {}
    truth_paths = sorted((root / "ground-truth").glob("*.json"))[:limit]
    for truth_path in truth_paths:
        file_id = truth_path.stem
        page = read_wcxb_page(root, file_id)
        if page is None:
            continue
        truth, html = page
        gold = truth["ground_truth"]
        meta = files_meta.get(file_id, {})
        domain = meta.get("domain") or urlsplit(truth.get("url", "")).hostname or file_id
        page_type = (truth.get("_internal", {}).get("page_type", {}) or {}).get("primary") or meta.get(
            "page_type", "unknown"
        )
        for doc in gold_page(
            f"wcxb/{file_id}",
            html,
            gold.get("main_content") or "",
            gold.get("title"),
            domain.removeprefix("www."),
            page_type,
            "wcxb",
            renderers,
        ):
            doc.extra.update(
                url=truth.get("url"), with_=gold.get("with") or [], without=gold.get("without") or []
            )
            yield doc


def read_pairs(root: Path, renderers: Iterable[str] = ()) -> Iterator[LabeledDoc]:
    """A user's folder of `page.html` + `page.txt` (the page and its gold main text)."""
    for html_path in sorted(root.rglob("*.html")):
        txt_path = html_path.with_suffix(".txt")
        if not txt_path.exists():
            continue
        html = decode_bytes(html_path.read_bytes())
        gold = txt_path.read_text(encoding="utf-8")
        yield from gold_page(
            html_path.stem, html, gold, None, html_path.stem, "unknown", str(root), renderers
        )


def read_corpus(root: Path, renderers: Iterable[str] = (), limit: int | None = None) -> Iterator[LabeledDoc]:
    """Either layout, told apart by the WCXB folders."""
    if (root / "ground-truth").is_dir() and (root / "html").is_dir():
        return read_wcxb(root, renderers, limit)
    return read_pairs(root, renderers)
