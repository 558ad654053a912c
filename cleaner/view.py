"""`clean view`: one self-contained HTML page that shows what cleaner decided, and why.

Every block of each document in order: kept ones in full, dropped ones struck through in
grey, each with its score and the evidence the second stage read (its own words and markup
alone, its neighbours, its section, where it sits relative to the main text, the page
type). Filters by kept/dropped and by score band run in the page's own script; the file
needs no server and loads nothing from the network.
"""

from __future__ import annotations

import argparse
import html
import sys
from collections.abc import Sequence
from pathlib import Path

from .clean import Cleaner
from .errors import ModelError
from .features.context import CONTEXT_COLUMNS
from .features.tokens import PAGE_TYPES
from .read import SNIFF_BYTES, decode_bytes, is_html_page
from .segment import segment
from .types import METADATA_FIELDS, Document

COLUMN = {name: index for index, name in enumerate(CONTEXT_COLUMNS)}

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1d;background:#fafafa}
header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:.6em 1em;z-index:1}
header label{margin-right:1.2em}
section.doc{max-width:60em;margin:1em auto;background:#fff;border:1px solid #ddd;padding:1em 1.4em}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;font-size:.9em}
dt{color:#666}
ol.blocks{list-style:none;padding:0}
li.block[hidden]{display:none}
li.block{display:grid;grid-template-columns:3.2em 1fr;gap:.6em;padding:.25em 0;border-top:1px solid #f0f0f0}
li.block .score{font-variant-numeric:tabular-nums;text-align:right;font-weight:600}
li.kept .score{color:#137333}
li.dropped .text{color:#8a8a8a;text-decoration:line-through}
li.dropped .score{color:#a50e0e}
li.title .text{font-weight:700;font-size:1.1em}
details{grid-column:2;font-size:.82em;color:#555}
summary{cursor:pointer}
"""

SCRIPT = """
function applyFilters(){
  const kept=document.getElementById('show-kept').checked;
  const dropped=document.getElementById('show-dropped').checked;
  const low=parseFloat(document.getElementById('min-score').value);
  const high=parseFloat(document.getElementById('max-score').value);
  let shown=0;
  for(const li of document.querySelectorAll('li.block')){
    const score=parseFloat(li.dataset.score);
    const visible=(li.classList.contains('kept')?kept:dropped)&&score>=low&&score<=high;
    li.hidden=!visible; if(visible) shown++;
  }
  document.getElementById('shown').textContent=shown;
}
for(const id of ['show-kept','show-dropped','min-score','max-score'])
  document.getElementById(id).addEventListener('input',applyFilters);
applyFilters();
"""


def read_document(path: Path, url: str | None) -> Document:
    """A file as cleaning reads it: bytes decoded as the CLI decodes them, HTML or text by content."""
    data = path.read_bytes()
    kind = "html" if is_html_page(data[:SNIFF_BYTES]) else "text"
    return Document(content=decode_bytes(data, kind == "html"), kind=kind, id=str(path), url=url)


def evidence_line(context_row) -> str:
    """The second stage's main evidence for one block, in words."""
    parts = [f"own words and markup: {context_row[COLUMN['first_body']]:.2f}"]
    parts.append(f"neighbours (±3 blocks): {context_row[COLUMN['window3_body']]:.2f}")
    if context_row[COLUMN["section_heading_body"]] >= 0:
        parts.append(
            f"section: heading {context_row[COLUMN['section_heading_body']]:.2f}, "
            f"mean {context_row[COLUMN['section_mean_body']]:.2f}"
        )
    if context_row[COLUMN["before_main_run"]]:
        parts.append("before the main text")
    elif context_row[COLUMN["after_main_run"]]:
        parts.append("after the main text")
    else:
        parts.append("within the main text")
    if context_row[COLUMN["in_main_shape"]]:
        parts.append("same markup shape as the main text")
    if context_row[COLUMN["repeats"]] > 0:
        parts.append("its text repeats on the page")
    return " · ".join(parts)


def markup_line(block) -> str:
    if not block.tag:
        return "plain-text line"
    path = " < ".join(block.path) if block.path else block.tag
    words = " ".join(block.attr_words)
    return f"{path}" + (f" · class/id words: {words}" if words else "")


def document_section(cleaner: Cleaner, doc: Document) -> str:
    """One document's block list, with the page's title, type and metadata on top."""
    result = cleaner.clean(doc)
    blocks = segment(doc)[0]
    rows = []
    page_line = "no blocks"
    if blocks:
        evidence = cleaner.models[doc.kind].explain(blocks, doc.url)
        ranked = sorted(zip(PAGE_TYPES, evidence.page_types.tolist()), key=lambda pair: -pair[1])
        page_line = ", ".join(f"{name} {share:.0%}" for name, share in ranked[:3])
        for index, block in enumerate(blocks):
            kept = result.keep[index]
            classes = "block " + ("kept" if kept else "dropped")
            if index == result.title_index:
                classes += " title"
            score = result.scores[index]
            rows.append(
                f'<li class="{classes}" data-score="{score:.3f}"><span class="score">{score:.2f}</span>'
                f'<span class="text">{html.escape(block.text)}</span>'
                f"<details><summary>why</summary>{html.escape(evidence_line(evidence.context[index]))}"
                f"<br>markup: {html.escape(markup_line(block))}</details></li>"
            )
    words_kept = len(result.text.split())
    facts = [
        ("title", result.title or "(none)"),
        ("url", doc.url or "(not given)"),
        ("input", doc.kind),
        ("page type", page_line),
        ("kept", f"{sum(result.keep)} of {len(blocks)} blocks, {words_kept:,} words"),
    ] + [(name, getattr(result, name) or "(not declared)") for name in METADATA_FIELDS if doc.kind == "html"]
    facts_html = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in facts)
    return (
        f'<section class="doc"><h2>{html.escape(str(doc.id))}</h2><dl>{facts_html}</dl>'
        f'<ol class="blocks">{"".join(rows)}</ol></section>'
    )


def render_view(cleaner: Cleaner, docs: Sequence[Document]) -> str:
    """The whole page for `docs`."""
    sections = "".join(document_section(cleaner, doc) for doc in docs)
    controls = (
        '<label><input type="checkbox" id="show-kept" checked> kept</label>'
        '<label><input type="checkbox" id="show-dropped" checked> dropped</label>'
        '<label>score from <input type="number" id="min-score" value="0" min="0" max="1" step="0.05"></label>'
        '<label>to <input type="number" id="max-score" value="1" min="0" max="1" step="0.05"></label>'
        '<span><span id="shown">0</span> blocks shown</span>'
        f"<span> · model {html.escape(cleaner.version)}</span>"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>cleaner view</title><style>{STYLE}</style></head>"
        f"<body><header>{controls}</header>{sections}<script>{SCRIPT}</script></body></html>"
    )


def run_view(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="clean view",
        description="Write one self-contained HTML page showing each block of the given pages, "
        "kept or dropped, with its score and the evidence behind it.",
    )
    parser.add_argument("pages", nargs="+", type=Path, help="HTML pages or plain-text files")
    parser.add_argument(
        "--out", type=Path, default=Path("view.html"), help="the page to write (default: view.html)"
    )
    parser.add_argument("--model", type=Path, default=None, help="a model folder instead of the shipped one")
    parser.add_argument("--url", default=None, help="the address of the page(s), where known")
    args = parser.parse_args(argv)
    try:
        cleaner = Cleaner(args.model)
        docs = [read_document(path, args.url) for path in args.pages]
    except (OSError, ModelError) as error:
        print(f"clean view: {error}", file=sys.stderr)
        return 2
    args.out.write_text(render_view(cleaner, docs), encoding="utf-8")
    print(
        f"clean view: wrote {args.out} ({len(docs)} document{'s' if len(docs) != 1 else ''})", file=sys.stderr
    )
    return 0
