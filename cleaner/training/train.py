"""Retraining: labeled documents in, a model and its card out.

`clean train` builds a model deterministically (fixed seeds, sorted inputs) from seeds/ and
fixtures/, plus any labeled corpora named with `--corpus`, into `./trained-model` (or
`--out`; `--out models/` rebuilds the shipped one). The folder is written whole or not at
all: `staged_output` trains into a temporary sibling and renames it into place at the end.
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import joblib
import numpy as np
import scipy
import sklearn

from .. import __version__
from ..model import META_FILE, MODEL_FILE, RUNTIME_FILE
from ..sequence import SEQUENCE_KINDS
from ..types import Kind
from .corpus import LabeledDoc, read_corpus, read_labeled_dir
from .export import save
from .fit import KindModel, fit_kind
from .render import TRAIN_RENDERERS

log = logging.getLogger(__name__)

HANDMADE_WEIGHT = 8.0  # seeds and fixtures are few but carefully labeled: they count more


def load_handmade(seeds: Path | None, fixtures: Path | None) -> list[LabeledDoc]:
    docs: list[LabeledDoc] = []
    if seeds is not None and seeds.is_dir():
        docs.extend(read_labeled_dir(seeds, "seeds"))
    if fixtures is not None and fixtures.is_dir():
        docs.extend(read_labeled_dir(fixtures, "fixtures"))
    return docs


def load_corpora(corpora: Iterable[Path], renderers: Sequence[str] = TRAIN_RENDERERS) -> list[LabeledDoc]:
    docs: list[LabeledDoc] = []
    for root in corpora:
        docs.extend(read_corpus(Path(root), renderers))
    return docs


def training_url(doc: LabeledDoc) -> str | None:
    """The page's URL, withheld from a fixed quarter of the pages: many inputs come
    without one, and the model must not lean on it."""
    url = doc.extra.get("url")
    if not url or zlib.crc32(doc.name.split(":")[0].encode()) % 4 == 0:
        return None
    return url


def fit(docs: Sequence[LabeledDoc], kinds: Sequence[Kind] = ("html", "text")) -> dict[Kind, KindModel]:
    """One model per input kind; hand-made documents weigh more when a corpus is present."""
    has_corpus = any(doc.source not in ("seeds", "fixtures") for doc in docs)
    models: dict[Kind, KindModel] = {}
    for kind in kinds:
        chosen = [doc for doc in docs if doc.kind == kind and doc.blocks]
        if not chosen:
            raise ValueError(f"no labeled {kind} documents to train on")
        weights = [
            HANDMADE_WEIGHT if has_corpus and doc.source in ("seeds", "fixtures") else 1.0 for doc in chosen
        ]
        log.info("fitting the %s model on %d documents", kind, len(chosen))
        models[kind] = fit_kind(
            [doc.blocks for doc in chosen],
            [doc.labels for doc in chosen],
            [doc.group for doc in chosen],
            weights,
            [doc.page_type for doc in chosen],
            [training_url(doc) for doc in chosen],
            [doc.markup for doc in chosen] if kind == "text" else None,
            with_sequence=kind in SEQUENCE_KINDS,
        )
    return models


def data_summary(docs: Sequence[LabeledDoc]) -> dict[str, dict[str, int]]:
    summary: dict[str, dict[str, int]] = {}
    for doc in docs:
        entry = summary.setdefault(
            f"{doc.source}/{doc.kind}", {"documents": 0, "blocks": 0, "body_blocks": 0}
        )
        entry["documents"] += 1
        entry["blocks"] += len(doc.blocks)
        entry["body_blocks"] += sum(1 for label in doc.labels if label == 1)
    return summary


def train_and_save(
    out_dir: Path,
    seeds: Path | None,
    fixtures: Path | None,
    corpora: Sequence[Path],
    renderers: Sequence[str] = TRAIN_RENDERERS,
    command: str = "clean train",
) -> Path:
    docs = load_handmade(seeds, fixtures) + load_corpora(corpora, renderers)
    models = fit(docs)
    meta = {
        "cleaner_version": __version__,
        "python": platform.python_version(),
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "joblib_version": joblib.__version__,
        "decoder": "expected-f1",
        "training_data": data_summary(docs),
        "corpora": [Path(c).name for c in corpora],
        "text_renderers": list(renderers),
        "command": command,
    }
    path = save(models, out_dir, meta)
    log.info("saved the model (scikit-learn %s)", sklearn.__version__)
    return path


# What a model folder holds; an existing --out folder with anything else is not replaced.
MODEL_DIR_FILES = frozenset(
    (MODEL_FILE, RUNTIME_FILE, META_FILE, "MODEL_CARD.md", "scores.json", "adapter.npz")
)


class OutputError(ValueError):
    """The output folder cannot take a model; the message says why."""


def output_problem(out_dir: Path) -> str | None:
    """Why `out_dir` cannot be replaced by a new model (None: it can): it must be absent, or a
    folder holding only model files, so that a mistyped --out never deletes other files."""
    if not out_dir.exists():
        return None
    if not out_dir.is_dir():
        return f"{out_dir} exists and is not a folder; pass --out with a new folder"
    others = sorted(p.name for p in out_dir.iterdir() if p.name not in MODEL_DIR_FILES)
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        return f"{out_dir} holds files other than a model ({shown}); pass --out with a new folder"
    return None


@contextlib.contextmanager
def staged_output(out_dir: Path) -> Iterator[Path]:
    """A fresh temporary folder beside `out_dir` to write the model into. When the block ends
    without an error it takes `out_dir`'s place by rename, and only then is an old model there
    removed (its scores.json with it: scores belong to the model they measured). On an error
    or an interruption the temporary folder goes and `out_dir` is left as it was."""
    out_dir = Path(out_dir)
    if out_dir.is_symlink():
        out_dir = out_dir.resolve()  # replace the folder it points to, not the link
    problem = output_problem(out_dir)
    if problem:
        raise OutputError(problem)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # as a folder made with mkdir (mkdtemp's is private)
        yield staging
        _swap_in(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # already gone when it was swapped in


def _swap_in(staging: Path, out_dir: Path) -> None:
    problem = output_problem(out_dir)  # again: training takes a while, the folder may have changed
    if problem:
        raise OutputError(problem)
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    old = staging.with_name(staging.name + "-old")
    os.rename(out_dir, old)
    try:
        os.rename(staging, out_dir)
    except BaseException:
        os.rename(old, out_dir)  # put the old model back
        raise
    shutil.rmtree(old, ignore_errors=True)
