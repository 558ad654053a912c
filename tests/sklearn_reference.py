"""The scikit-learn estimators' own probabilities, computed the slow way, as the reference
that the exported arrays (`cleaner.score.Scorer`) must reproduce. Only tests use this:
cleaning and evaluation both score with the arrays."""

from __future__ import annotations

import numpy as np

from cleaner.features.context import context_features
from cleaner.features.markup_guess import markup_columns
from cleaner.score import body_proba
from cleaner.training.fit import _full_proba, page_row, token_matrix


def estimator_proba(model, blocks, url=None) -> np.ndarray:
    """P(chrome), P(body), P(title) per block from a `training.fit.KindModel`'s estimators."""
    tokens = token_matrix(blocks)
    first = _full_proba(model.first, tokens)
    page_types = model.page.predict_proba(page_row(tokens, url)[None, :])[0]
    context = np.hstack(
        (context_features(blocks, first, page_types), markup_columns(model.markup.predict(tokens)))
    )
    body = body_proba(model.second.decision_function(context), model.sequence, context)
    return np.stack([1.0 - body, body, first[:, 2]], axis=1).astype(np.float32)
