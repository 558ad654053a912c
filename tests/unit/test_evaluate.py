"""The WCXB word metric and the corpus reader (the latter only where the corpus is present)."""

from __future__ import annotations

import pytest

from cleaner.training.corpus import read_corpus
from cleaner.training.evaluate import oracle_text, snippet_share, word_prf


def test_word_prf_counts_a_multiset_of_lowercase_words():
    p, r, f = word_prf("The cat the CAT sat", "the cat sat on the mat")
    assert (round(p, 3), round(r, 3)) == (0.8, round(4 / 6, 3))
    assert f == pytest.approx(2 * p * r / (p + r))


def test_empty_cases_follow_the_wcxb_rules():
    assert word_prf("", "") == (1.0, 1.0, 1.0)
    assert word_prf("something", "")[2] == 0.0
    assert word_prf("", "gold text")[2] == 0.0


def test_snippet_share_is_case_insensitive():
    assert snippet_share("Hello World", ["hello", "WORLD", "absent"]) == pytest.approx(2 / 3)
    assert snippet_share("x", []) is None


def test_wcxb_pages_align_to_a_high_oracle(wcxb):
    docs = list(read_corpus(wcxb, renderers=("blocks",), limit=25))
    html = [d for d in docs if d.kind == "html"]
    text = [d for d in docs if d.kind == "text"]
    assert len(html) == len(text) >= 20
    for kind_docs in (html, text):
        oracle = [word_prf(oracle_text(d), d.gold)[2] for d in kind_docs]
        assert sum(oracle) / len(oracle) >= 0.85
    assert {d.group for d in html} and all(d.page_type != "unknown" for d in html)


def test_pairs_folder_layout(tmp_path):
    (tmp_path / "a.html").write_text(
        "<html><body><nav>Home About</nav><p>The real body paragraph is here today.</p></body></html>"
    )
    (tmp_path / "a.txt").write_text("The real body paragraph is here today.")
    (tmp_path / "lonely.html").write_text("<p>no gold</p>")
    docs = list(read_corpus(tmp_path, renderers=("tight",)))
    assert [d.kind for d in docs] == ["html", "text"]
    assert [b.text for b, label in zip(docs[0].blocks, docs[0].labels) if label == 1] == [
        "The real body paragraph is here today."
    ]


def test_cross_validation_gives_the_same_rows_with_folds_in_parallel():
    from cleaner.training.evaluate import cross_validate
    from cleaner.training.train import load_handmade
    from tests.conftest import FIXTURES, SEEDS

    docs = [d for d in load_handmade(SEEDS, FIXTURES) if d.kind == "text"]
    assert len({d.group for d in docs}) >= 3
    serial = cross_validate(docs, [], "text", folds=3)["text"]
    parallel = cross_validate(docs, [], "text", folds=3, jobs=2)["text"]
    for system in ("cleaner", "oracle"):
        assert serial[system].rows == parallel[system].rows
        assert len(serial[system].rows) == len(docs)
    assert serial["oracle"].summary()["all"]["f1"] > serial["cleaner"].summary()["all"]["f1"] > 0.5


def _fold_worker_killed(fold: int):
    """Stands in for a fold whose worker the kernel kills (out of memory) before it returns."""
    import os

    os._exit(137)


def test_a_fold_worker_that_dies_stops_the_run_with_an_error_instead_of_hanging(monkeypatch):
    import signal

    import cleaner.training.evaluate as evaluate
    from cleaner.training.train import load_handmade
    from tests.conftest import FIXTURES, SEEDS

    def hung(signum, frame):
        raise AssertionError("cross_validate still waiting 120 s after its worker died")

    docs = [d for d in load_handmade(SEEDS, FIXTURES) if d.kind == "text"]
    monkeypatch.setattr(evaluate, "_run_fold", _fold_worker_killed)
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)
    try:
        with pytest.raises(evaluate.FoldWorkerDied, match="fewer --jobs"):
            evaluate.cross_validate(docs, [], "text", folds=3, jobs=2)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert evaluate._shared == {}
