"""Shared test set-up: paths, a small model trained on the repo's own data, the corpus guard."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Training in tests is small: OpenMP threads only fight each other on a loaded machine.
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = ROOT / "fixtures"
WCXB = ROOT.parent / "shared" / "wcxb-dev"


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory) -> Path:
    """A model trained on seeds + fixtures only: seconds to build, no corpus needed."""
    from cleaner.model import save
    from cleaner.train import fit, load_handmade

    out = tmp_path_factory.mktemp("small-model")
    save(fit(load_handmade(SEEDS, FIXTURES)), out, {"cleaner_version": "test"})
    return out


@pytest.fixture(scope="session")
def wcxb() -> Path:
    if not (WCXB / "ground-truth").is_dir():
        pytest.skip(f"WCXB dev split not found at {WCXB}: these tests need ../shared/wcxb-dev beside the repo")
    return WCXB
