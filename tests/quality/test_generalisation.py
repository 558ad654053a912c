"""Beyond memorising: train on part of the hand-made data, check the held-out part."""

from __future__ import annotations

import numpy as np
import pytest

from cleaner.decide import keep_mask
from cleaner.training.evaluate import word_prf
from cleaner.training.export import scorer
from cleaner.training.train import fit, load_handmade
from tests.conftest import FIXTURES, SEEDS


@pytest.fixture(scope="module")
def split():
    docs = load_handmade(SEEDS, FIXTURES)
    fixtures = [d for d in docs if d.source == "fixtures"]
    held_out = fixtures[::3]
    names = {d.name + d.kind for d in held_out}
    train = [d for d in docs if d.name + d.kind not in names]
    return {kind: scorer(kind, model) for kind, model in fit(train).items()}, held_out


def _held_out_f1(models, docs, kind):
    scores = []
    for doc in (d for d in docs if d.kind == kind):
        proba = models[kind].predict_proba(doc.blocks, doc.extra.get("url"))
        keep = keep_mask(doc.blocks, proba[:, 1])
        kept = "\n\n".join(b.text for b, k in zip(doc.blocks, keep) if k)
        scores.append(word_prf(kept, doc.gold)[2])
    assert scores, f"no held-out {kind} fixtures"
    return float(np.mean(scores))


def test_text_model_generalises_to_held_out_fixtures(split):
    models, held_out = split
    assert _held_out_f1(models, held_out, "text") >= 0.85


def test_html_model_generalises_to_held_out_fixtures(split):
    models, held_out = split
    assert _held_out_f1(models, held_out, "html") >= 0.85
