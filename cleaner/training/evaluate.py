"""Scoring: WCXB word F1, snippet shares, and cross-validation grouped by site.

The word metric follows the WCXB README: tokens are `\\w+` of the lower-cased text,
overlap is the multiset intersection, an empty prediction for an empty gold scores 1.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import GroupKFold

from ..decide import keep_mask
from ..types import Kind
from .corpus import LabeledDoc
from .export import scorer
from .labels import words
from .train import fit

log = logging.getLogger(__name__)


def word_prf(predicted: str, gold: str) -> tuple[float, float, float]:
    """Precision, recall and F1 over word tokens, as WCXB defines them."""
    pred, ref = Counter(words(predicted)), Counter(words(gold))
    n_pred, n_ref = sum(pred.values()), sum(ref.values())
    if n_ref == 0:
        return (1.0, 1.0, 1.0) if n_pred == 0 else (0.0, 0.0, 0.0)
    if n_pred == 0:
        return 0.0, 0.0, 0.0
    overlap = sum((pred & ref).values())
    p, r = overlap / n_pred, overlap / n_ref
    return p, r, (2 * p * r / (p + r) if overlap else 0.0)


def snippet_share(text: str, snippets: Sequence[str]) -> float | None:
    if not snippets:
        return None
    lowered = text.lower()
    return sum(1 for s in snippets if s.lower() in lowered) / len(snippets)


def page_row(doc: LabeledDoc, predicted: str) -> dict:
    """One page's scores: word P/R/F1 and the shares of its snippets found."""
    p, r, f = word_prf(predicted, doc.gold or "")
    return {
        "name": doc.name,
        "page_type": doc.page_type,
        "p": p,
        "r": r,
        "f1": f,
        "with": snippet_share(predicted, doc.extra.get("with_", [])),
        "without": snippet_share(predicted, doc.extra.get("without", [])),
    }


@dataclass
class Scores:
    """Per-page scores collected for one system, summarised overall and per page type."""

    rows: list[dict] = field(default_factory=list)

    def add(self, doc: LabeledDoc, predicted: str) -> None:
        self.rows.append(page_row(doc, predicted))

    def summary(self) -> dict[str, dict[str, float]]:
        by_type: dict[str, list[dict]] = defaultdict(list)
        for row in self.rows:
            by_type[row["page_type"]].append(row)
        out = {"all": _mean(self.rows)}
        for page_type in sorted(by_type):
            out[page_type] = _mean(by_type[page_type])
        return out


def _mean(rows: list[dict]) -> dict[str, float]:
    def avg(key: str) -> float:
        values = [row[key] for row in rows if row[key] is not None]
        return round(float(np.mean(values)), 4) if values else float("nan")

    return {
        "pages": len(rows),
        "f1": avg("f1"),
        "precision": avg("p"),
        "recall": avg("r"),
        "with": avg("with"),
        "without": avg("without"),
    }


def oracle_text(doc: LabeledDoc) -> str:
    """The best any block-level decision can do: keep exactly the blocks labeled body."""
    return "\n\n".join(b.text for b, label in zip(doc.blocks, doc.labels) if label == 1)


_shared: dict = {}  # what forked fold workers read instead of receiving it pickled


def cross_validate(
    corpus: Sequence[LabeledDoc],
    handmade: Sequence[LabeledDoc],
    kind: Kind,
    folds: int,
    tests: dict[str, Callable[[LabeledDoc], bool]] | None = None,
    threshold: float | None = None,
    max_folds: int | None = None,
    jobs: int = 1,
) -> dict[str, dict[str, Scores]]:
    """Train on the other sites' pages (plus hand-made docs), score on each held-out site.

    `tests` names subsets of the held-out documents to score (e.g. one per text renderer).
    Returns, per subset, scores for cleaner and for the oracle ceiling of the same blocks.
    With `jobs` > 1 the folds run in forked processes; the rows come back in fold order,
    so the result is the same as with one job.
    """
    tests = tests or {kind: lambda doc: True}
    docs = [doc for doc in corpus if doc.kind == kind]
    page_groups = sorted({doc.group for doc in docs})
    group_index = {g: i for i, g in enumerate(page_groups)}
    groups = np.array([group_index[doc.group] for doc in docs])
    splits = list(GroupKFold(n_splits=folds).split(np.zeros(len(docs)), groups=groups))
    splits = splits[:max_folds] if max_folds is not None else splits
    _shared.update(docs=docs, handmade=handmade, kind=kind, tests=tests, threshold=threshold, splits=splits)
    try:
        if jobs > 1 and len(splits) > 1:
            per_fold = _run_folds_in_processes(len(splits), jobs)
        else:
            per_fold = [_run_fold(fold) for fold in range(len(splits))]
    finally:
        _shared.clear()
    results = {name: {"cleaner": Scores(), "oracle": Scores()} for name in tests}
    for fold_rows in per_fold:
        for name, system, row in fold_rows:
            results[name][system].rows.append(row)
    return results


class FoldWorkerDied(RuntimeError):
    """A forked fold worker ended without its result (killed: most often out of memory)."""


def _run_folds_in_processes(n_folds: int, jobs: int) -> list[list[tuple[str, str, dict]]]:
    """The folds in forked processes, results in fold order. A worker that dies (the kernel's
    out-of-memory killer ends the largest one) stops the run with an error: a
    `multiprocessing.Pool` would start a new worker and wait forever for the lost fold."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(min(jobs, n_folds), mp_context=context) as pool:
        futures = [pool.submit(_run_fold, fold) for fold in range(n_folds)]
        try:
            return [future.result() for future in futures]
        except BrokenProcessPool as error:
            raise FoldWorkerDied(
                f"a fold's worker process died before it finished ({jobs} jobs): it was killed, "
                "most likely for want of memory (each job holds its own fold's training data); "
                "run with fewer --jobs or fewer --train-renderers"
            ) from error


def _run_fold(fold: int) -> list[tuple[str, str, dict]]:
    """One fold: train without the held-out sites, then score each held-out document."""
    docs, kind, tests = _shared["docs"], _shared["kind"], _shared["tests"]
    train_idx, test_idx = _shared["splits"][fold]
    train_docs = [docs[i] for i in train_idx if docs[i].extra.get("for_training", True)]
    log.info("fold %d: training %s on %d pages", fold + 1, kind, len(train_docs))
    model = scorer(kind, fit(list(_shared["handmade"]) + train_docs, kinds=(kind,))[kind])
    rows: list[tuple[str, str, dict]] = []
    for i in test_idx:
        doc = docs[i]
        names = [name for name, wanted in tests.items() if wanted(doc)]
        if not names:
            continue
        proba = model.predict_proba(doc.blocks, doc.extra.get("url"))
        keep = keep_mask(doc.blocks, proba[:, 1], _shared["threshold"], plain_text=kind == "text")
        kept = "\n\n".join(b.text for b, k in zip(doc.blocks, keep) if k)
        for system, text in (("cleaner", kept), ("oracle", oracle_text(doc))):
            row = page_row(doc, text)
            rows.extend((name, system, row) for name in names)
    return rows
