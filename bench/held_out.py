"""Score a trained model on a labeled corpus it was not trained on, as HTML and as plain text.

The yardstick for pages unlike the training pages (issue 30): `../shared/dragnet` (news and
blog pages, gold without comments, teasers or widgets; AGPL-3.0, so it is measured on and
never trained on). Run from the repository root:

    python bench/held_out.py --corpus ../shared/dragnet [--renderers lynx w3m inscriptis] [--model DIR]

Per input (HTML, then each renderer's plain text): word F1, precision and recall as WCXB
defines them (macro over pages), on all pages and on the pages whose comment thread the gold
left out (`source.comments_cut`). For HTML it also counts the words kept that the gold does
not have, by the family of the block that brought them (its class/id words), so that what
still leaks is named.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cleaner.clean import Cleaner  # noqa: E402
from cleaner.read import decode_bytes  # noqa: E402
from cleaner.types import Document  # noqa: E402

WORD = re.compile(r"\w+")
# A leaked block's family, from the class/id words around it (first match wins).
FAMILIES = (
    ("comments", ("comment", "comments", "reply", "respond", "disqus", "discussion")),
    (
        "related / popular / teasers",
        (
            "related",
            "popular",
            "recommended",
            "teaser",
            "card",
            "trending",
            "latest",
            "more",
            "recent",
            "most",
            "promo",
            "stories",
        ),
    ),
    (
        "archive / tags / categories",
        ("archive", "archives", "tag", "tags", "category", "categories", "widget"),
    ),
    ("hidden", ("hidden",)),
    ("navigation / header / footer", ("nav", "menu", "header", "footer", "breadcrumb", "sidebar")),
    ("share / subscribe / author", ("share", "social", "subscribe", "newsletter", "author", "bio", "byline")),
    ("caption / credit", ("caption", "credit", "figcaption", "photo", "image")),
)


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def prf(pred: str, gold: str) -> tuple[float, float, float]:
    p, g = words(pred), words(gold)
    if not p and not g:
        return 1.0, 1.0, 1.0
    if not p or not g:
        return 0.0, 0.0, 0.0
    overlap = sum((Counter(p) & Counter(g)).values())
    precision, recall = overlap / len(p), overlap / len(g)
    return precision, recall, (2 * precision * recall / (precision + recall) if overlap else 0.0)


def family_of(block) -> str:
    marks = set(block.attr_words) | {block.tag, *block.path}
    for name, keys in FAMILIES:
        if marks.intersection(keys):
            return name
    return "other"


def leaks(blocks, keep, gold: str, counts: Counter) -> None:
    """Add to `counts` the words of kept blocks that the gold does not account for."""
    left = Counter(words(gold))
    for block, kept in zip(blocks, keep):
        if not kept:
            continue
        block_words = words(block.text)
        extra = 0
        for word in block_words:
            if left[word] > 0:
                left[word] -= 1
            else:
                extra += 1
        if extra * 2 > len(block_words):
            counts[family_of(block)] += extra


def pages(corpus: Path):
    for truth_path in sorted((corpus / "ground-truth").glob("*.json")):
        record = json.loads(truth_path.read_text(encoding="utf-8"))
        html = decode_bytes(gzip.decompress((corpus / "html" / f"{truth_path.stem}.html.gz").read_bytes()))
        gold = record["ground_truth"].get("main_content") or ""
        comments = bool((record.get("source") or {}).get("comments_cut"))
        yield truth_path.stem, record.get("url") or None, html, gold, comments


def mean(rows, column: int) -> float:
    return sum(row[column] for row in rows) / max(len(rows), 1)


def line(name: str, scores: list[tuple[float, float, float, bool]]) -> str:
    with_comments = [row for row in scores if row[3]]
    return (
        f"| {name} | {len(scores)} | {mean(scores, 2):.3f} | {mean(scores, 0):.3f} | {mean(scores, 1):.3f} "
        f"| {mean(with_comments, 2):.3f} ({len(with_comments)}) |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "dragnet")
    parser.add_argument("--renderers", nargs="*", default=["lynx", "w3m", "inscriptis"])
    parser.add_argument(
        "--model", type=Path, default=None, help="a model folder (default: the shipped model)"
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (quick checks)")
    args = parser.parse_args()
    if not (args.corpus / "ground-truth").is_dir():
        print(
            f"no corpus at {args.corpus} (expected the WCXB layout: ground-truth/ and html/)", file=sys.stderr
        )
        return 2
    from cleaner.segment import segment
    from cleaner.training.render import RENDERERS

    for renderer in args.renderers:
        try:
            RENDERERS[renderer]("<p>a page</p>")
        except (KeyError, RuntimeError) as error:
            print(f"renderer {renderer!r} is not available: {error}", file=sys.stderr)
            return 2
    cleaner = Cleaner(args.model)
    html_scores, text_scores = [], {name: [] for name in args.renderers}
    leaked: Counter = Counter()
    failed: Counter = Counter()
    for index, (name, url, html, gold, comments) in enumerate(pages(args.corpus)):
        if args.limit is not None and index >= args.limit:
            break
        doc = Document(content=html, kind="html", id=name, url=url)
        result = cleaner.clean(doc)
        html_scores.append((*prf(result.text, gold), comments))
        leaks(segment(doc)[0], result.keep, gold, leaked)
        for renderer in args.renderers:
            try:
                text = RENDERERS[renderer](html)
            except Exception:  # a renderer that cannot take the page: counted, scored as empty
                failed[renderer] += 1
                text = ""
            cleaned = cleaner.clean(Document(content=text, kind="text", id=name)).text if text.strip() else ""
            text_scores[renderer].append((*prf(cleaned, gold), comments))
    print(f"{args.corpus.name}: {len(html_scores)} pages, model {cleaner.version}\n")
    print("| input | pages | F1 | precision | recall | F1 on pages with comments |")
    print("|---|---:|---:|---:|---:|---:|")
    print(line("HTML", html_scores))
    for renderer, scores in text_scores.items():
        print(
            line(f"text ({renderer})", scores)
            + (f" {failed[renderer]} not rendered" if failed[renderer] else "")
        )
    if text_scores:
        means = [mean(scores, 2) for scores in text_scores.values()]
        print(f"\nplain text, mean F1 over {len(means)} renderers: {sum(means) / len(means):.3f}")
    total = sum(leaked.values())
    print(f"\nHTML words kept beyond the gold, by the family of the block (of {total:,}):")
    for family, count in leaked.most_common():
        print(f"- {family}: {count:,} ({count / max(total, 1):.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
