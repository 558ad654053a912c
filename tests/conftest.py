"""Shared test set-up: paths, a small model trained on the repo's own data, the corpus guard.

The tests, by kind:

- unit/      small hand-written inputs, one stage at a time
- parity/    every C speed-up against its Python twin (test_speedups.py)
- contract/  what users see: the `clean` command, the --jobs stream, WARC, Spark, nasty inputs,
             the progress line, the seeds' exact output, properties that hold for any input
- quality/   F1 floors on WCXB (test_quality_gate.py, quality_floors.json) and on held-out fixtures
"""

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
    from cleaner.training.export import save
    from cleaner.training.train import fit, load_handmade

    out = tmp_path_factory.mktemp("small-model")
    save(fit(load_handmade(SEEDS, FIXTURES)), out, {"cleaner_version": "test"})
    return out


@pytest.fixture(scope="session")
def wcxb() -> Path:
    if not (WCXB / "ground-truth").is_dir():
        pytest.skip(
            f"WCXB dev split not found at {WCXB}: these tests need ../shared/wcxb-dev beside the repo"
        )
    return WCXB


def pure(function, *args, **kwargs):
    """`function`'s result with the C speed-ups switched off: its Python twin's answer."""
    from cleaner import _speedups

    with _speedups.disabled():
        return function(*args, **kwargs)


def need_c(name: str) -> None:
    """Skip a C/Python parity test where the extension did not build (CI refuses that case
    before the tests run: `.ci/run` checks that every extension built)."""
    from cleaner import _speedups

    if _speedups.get(name) is None:
        pytest.skip(f"cleaner._speedups._{name} is not built (no C compiler at install): Python only")
