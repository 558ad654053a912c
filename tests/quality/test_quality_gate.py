"""A quality gate on WCXB pages: F1 floors pinned in `quality_floors.json`, beside the digest
of the pages they were measured on.

Unit tests show that each part works; they do not show that the parts together still clean as
well as they did. Two checks do:

- the shipped model on every tenth WCXB page, through the public `clean_html` and
  `clean_text`. It trained on these pages, so this guards the shipped files and the cleaning
  code against a silent loss (a feature computed differently, a decoding slip), not how well
  cleaner generalises;
- the training procedure: small models trained on half the sites of every fifth page and
  scored on the other half's pages, as `clean evaluate` does (one fold of two).

A floor sits a little under what was measured, for float rounding across machines. Lowering
one is an edit to the JSON file, seen in review; raising one after a gain is welcome. On a
corpus other than the one the floors were pinned on, the gate skips and says so:
`python -m tests.quality.test_quality_gate` prints the figures to pin.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, SEEDS, WCXB

FLOORS_PATH = Path(__file__).with_name("quality_floors.json")
SHIPPED_EVERY = 10  # the shipped model's pages: every tenth
TRAINING_EVERY = 5  # the training check's pages: every fifth, split by site
SHIPPED_MARGIN = 0.005
TRAINING_MARGIN = 0.01


def _page_ids(root: Path) -> list[str]:
    return sorted(path.stem for path in (root / "ground-truth").glob("*.json"))


def corpus_digest(root: Path, ids: list[str]) -> str:
    """The pages' bytes, hashed: floors hold only for the pages they were measured on."""
    digest = hashlib.sha256()
    for page_id in ids:
        digest.update((root / "ground-truth" / f"{page_id}.json").read_bytes())
        digest.update((root / "html" / f"{page_id}.html.gz").read_bytes())
    return digest.hexdigest()


def sample_corpus(root: Path, ids: list[str], into: Path) -> Path:
    """A WCXB-layout folder holding only `ids` (links to the pages, no copies)."""
    (into / "ground-truth").mkdir(parents=True)
    (into / "html").mkdir()
    if (root / "metadata.json").exists():
        (into / "metadata.json").symlink_to(root / "metadata.json")
    for page_id in ids:
        (into / "ground-truth" / f"{page_id}.json").symlink_to(root / "ground-truth" / f"{page_id}.json")
        (into / "html" / f"{page_id}.html.gz").symlink_to(root / "html" / f"{page_id}.html.gz")
    return into


def shipped_scores(root: Path) -> dict[str, float]:
    """Mean word F1 of the shipped model on every SHIPPED_EVERY-th page: HTML, and two plain
    texts of the page (cleaner's own blocks, and one line per DOM text node)."""
    from cleaner.clean import clean_html, clean_text
    from cleaner.training.corpus import read_wcxb_page
    from cleaner.training.evaluate import word_prf
    from cleaner.training.render import RENDERERS

    f1: dict[str, list[float]] = {"html": [], "text:blocks": [], "text:textnodes": []}
    for page_id in _page_ids(root)[::SHIPPED_EVERY]:
        truth, html = read_wcxb_page(root, page_id)
        gold = truth["ground_truth"].get("main_content") or ""
        url = truth.get("url")
        f1["html"].append(word_prf(clean_html(html, url), gold)[2])
        for renderer in ("blocks", "textnodes"):
            f1[f"text:{renderer}"].append(word_prf(clean_text(RENDERERS[renderer](html), url), gold)[2])
    return {name: round(sum(values) / len(values), 4) for name, values in f1.items()}


def training_scores(root: Path, workdir: Path) -> dict[str, float]:
    """Held-out mean word F1 of models trained on half the sites of every TRAINING_EVERY-th
    page (plus seeds and fixtures): HTML, and plain text trained on cleaner's blocks rendering
    and scored on the one-line-per-text-node rendering, which it never saw."""
    from cleaner.training.corpus import read_corpus
    from cleaner.training.evaluate import cross_validate
    from cleaner.training.train import load_handmade

    sample = sample_corpus(root, _page_ids(root)[::TRAINING_EVERY], workdir / "sample")
    corpus = list(read_corpus(sample, renderers=("blocks", "textnodes")))
    for doc in corpus:
        doc.extra["for_training"] = doc.extra.get("renderer") in (None, "blocks")
    handmade = load_handmade(SEEDS, FIXTURES)
    html = cross_validate(corpus, handmade, "html", folds=2, max_folds=1)
    text = cross_validate(
        corpus,
        handmade,
        "text",
        folds=2,
        max_folds=1,
        tests={"textnodes": lambda doc: doc.extra.get("renderer") == "textnodes"},
    )
    return {
        "html": html["html"]["cleaner"].summary()["all"]["f1"],
        "text:textnodes": text["textnodes"]["cleaner"].summary()["all"]["f1"],
    }


def _digests(root: Path) -> dict[str, str]:
    ids = _page_ids(root)
    return {
        "shipped": corpus_digest(root, ids[::SHIPPED_EVERY]),
        "training": corpus_digest(root, ids[::TRAINING_EVERY]),
    }


@pytest.fixture(scope="module")
def floors(wcxb) -> dict:
    pinned = json.loads(FLOORS_PATH.read_text())
    if _digests(wcxb) != pinned["digests"]:
        pytest.skip(
            f"the WCXB pages at {wcxb} differ from those the floors in {FLOORS_PATH.name} were "
            "pinned on: run `python -m tests.quality.test_quality_gate` to measure them"
        )
    return pinned


def test_the_shipped_model_keeps_its_floors(wcxb, floors):
    measured = shipped_scores(wcxb)
    for name, floor in floors["shipped"].items():
        assert measured[name] >= floor, f"shipped model, {name}: F1 {measured[name]} under its floor {floor}"


def test_training_keeps_its_floors_on_held_out_sites(wcxb, floors, tmp_path):
    measured = training_scores(wcxb, tmp_path)
    for name, floor in floors["training"].items():
        assert measured[name] >= floor, (
            f"training procedure, {name}: held-out F1 {measured[name]} under its floor {floor}"
        )


def _floor(value: float) -> float:
    """Three decimals, rounded down."""
    return math.floor(value * 1000) / 1000


def main() -> None:
    """Measure both checks and print floors to pin (what was measured, less the margins)."""
    import os
    import tempfile

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else WCXB
    with tempfile.TemporaryDirectory() as workdir:
        shipped, training = shipped_scores(root), training_scores(root, Path(workdir))
    print(
        json.dumps(
            {
                "measured": {"shipped": shipped, "training": training},
                "floors": {
                    "digests": _digests(root),
                    "shipped": {name: _floor(value - SHIPPED_MARGIN) for name, value in shipped.items()},
                    "training": {name: _floor(value - TRAINING_MARGIN) for name, value in training.items()},
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
