"""`clean adapt LABELED_DIR --out MODEL_DIR`: a site's layer on top of a trained model.

Not a retrain: the model's stages stay as they are; a logistic layer (`site_adapter.py`)
learns from the labeled pages how this site's markup and boilerplate move the model's own
scores. A handful of pages is enough, and it takes seconds. The new model folder holds the
base model's files unchanged, `adapter.npz`, and a meta.json and card that say what the
layer was fitted on.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack, vstack

from ..clean import Cleaner
from ..errors import ModelError
from ..model import ADAPTER_FILE, META_FILE, RUNTIME_FILE, file_sha256, shipped_dir
from ..site_adapter import ADAPTER_BUCKETS, SiteAdapter, hashed_rows, log_odds
from .corpus import LabeledDoc, read_corpus, read_labeled_dir

SEED = 13
STRENGTH = 0.05  # logistic regression's C: how far the layer may move the model's scores (measured: 0.05-5)


def design(blocks, base_body: np.ndarray) -> csr_matrix:
    """One row a block: the model's log-odds, then the block's hashed site tokens."""
    rows, buckets = hashed_rows(blocks)
    tokens = csr_matrix((np.ones(len(rows)), (rows, buckets)), shape=(len(blocks), ADAPTER_BUCKETS))
    tokens.sum_duplicates()
    tokens.data = np.minimum(tokens.data, 1.0)
    return hstack([csr_matrix(log_odds(base_body)[:, None]), tokens]).tocsr()


def fit_adapter(docs: Sequence[LabeledDoc], base_scores: Sequence[np.ndarray]) -> SiteAdapter:
    """The layer for one input kind from labeled documents and the base model's P(body)."""
    from sklearn.linear_model import LogisticRegression

    X = [design(doc.blocks, scores) for doc, scores in zip(docs, base_scores)]
    y = np.concatenate([np.asarray(doc.labels) == 1 for doc in docs])
    # Blocks weigh by their words, as the word F1 that the layer should raise does.
    w = np.concatenate([[max(len(b.text.split()), 1) for b in doc.blocks] for doc in docs]).astype(float)
    if len(set(y.tolist())) < 2:
        raise ValueError("the labeled pages need both body and chrome blocks")
    model = LogisticRegression(C=STRENGTH, max_iter=1000, random_state=SEED)
    model.fit(vstack(X).tocsr(), y, sample_weight=w / w.mean())
    coef = model.coef_[0]
    return SiteAdapter(coef[1:].astype(np.float64), float(coef[0]), float(model.intercept_[0]))


def read_labeled(directory: Path) -> list[LabeledDoc]:
    """Labeled pages in any layout `clean train` reads: .lines (from `clean label` or by hand),
    the WCXB layout, or page.html + page.txt pairs."""
    if any(directory.rglob("*.lines")):
        return read_labeled_dir(directory, "labeled")
    return list(read_corpus(directory))


def adapt(labeled_dir: Path, base_dir: Path | None, out_dir: Path) -> dict:
    """Fit the layer for each kind present, write the adapted model folder; return its meta."""
    from .train import staged_output

    docs = [doc for doc in read_labeled(labeled_dir) if doc.blocks]
    if not docs:
        raise ValueError(f"no labeled pages in {labeled_dir}")
    cleaner = Cleaner(base_dir)
    base_folder = cleaner.model_dir or shipped_dir()
    arrays: dict[str, np.ndarray] = {}
    adapted: dict[str, int] = {}
    for kind in ("html", "text"):
        chosen = [doc for doc in docs if doc.kind == kind]
        if not chosen:
            continue
        scorer = cleaner.models[kind]
        scores = [scorer.predict_proba(doc.blocks, doc.extra.get("url"))[:, 1] for doc in chosen]
        layer = fit_adapter(chosen, scores)
        arrays.update(
            {
                f"{kind}.weights": layer.weights.astype(np.float32),
                f"{kind}.scale": np.array(layer.scale),
                f"{kind}.bias": np.array(layer.bias),
            }
        )
        adapted[kind] = len(chosen)
    meta = dict(cleaner.meta)
    with staged_output(out_dir) as staging:
        for name in (RUNTIME_FILE, "model.joblib"):
            if (base_folder / name).exists():
                shutil.copy2(base_folder / name, staging / name)
        np.savez_compressed(staging / ADAPTER_FILE, **arrays)
        meta.update(
            adapter_sha256=file_sha256(staging / ADAPTER_FILE),
            adapted_on={"folder": str(labeled_dir), "pages": adapted, "base_model": cleaner.version},
            version=f"{cleaner.version}+adapted",
        )
        (staging / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        (staging / "MODEL_CARD.md").write_text(adapted_card(base_folder, meta), encoding="utf-8")
    return meta


def adapted_card(base_folder: Path, meta: dict) -> str:
    on = meta["adapted_on"]
    pages = ", ".join(
        f"{count} {kind} page{'s' if count != 1 else ''}" for kind, count in on["pages"].items()
    )
    head = (
        "# cleaner model card: adapted to one site\n\n"
        f"This model is `{on['base_model']}` with a site layer (`{ADAPTER_FILE}`) fitted by `clean adapt` "
        f"on {pages} from `{on['folder']}`. The layer moves the base model's scores by the site's "
        "markup and recurring lines; it is meant for that site's pages only. Below: the base model's card.\n\n"
    )
    base_card = base_folder / "MODEL_CARD.md"
    return head + (base_card.read_text(encoding="utf-8") if base_card.exists() else "")


def run_adapt(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="clean adapt",
        description="Fit a site layer on a few labeled pages, on top of a model; use it with `clean --model OUT`.",
    )
    parser.add_argument(
        "labeled", type=Path, help="labeled pages: .lines files (clean label), WCXB layout or pairs"
    )
    parser.add_argument("--out", type=Path, required=True, help="the adapted model folder to write")
    parser.add_argument("--model", type=Path, default=None, help="the base model (default: the shipped one)")
    args = parser.parse_args(argv)
    if not args.labeled.is_dir():
        print(f"clean adapt: {args.labeled} is not a folder", file=sys.stderr)
        return 2
    from .train import OutputError

    try:
        meta = adapt(args.labeled, args.model, args.out)
    except (OutputError, ModelError, ValueError) as error:
        print(f"clean adapt: {error}", file=sys.stderr)
        return 2
    pages = meta["adapted_on"]["pages"]
    print(f"wrote {args.out}/ (adapted on {pages}); use it with `clean --model {args.out}`", file=sys.stderr)
    return 0
