"""`clean train` writes a new ./trained-model folder (never the shipped models/ by default),
whole or not at all; with nothing to train on it says what to pass, in one line, exit 2."""

from __future__ import annotations

import io
import json
import logging
import os
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from cleaner import cli
from cleaner.training import train

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILES = {"model.joblib", "runtime.npz", "meta.json", "MODEL_CARD.md"}


def test_no_training_data_is_a_one_line_usage_error(clean_bare, tmp_path):
    run = clean_bare("train", cwd=tmp_path)
    assert run.code == 2 and run.stdout == b""
    (message,) = run.stderr.strip().splitlines()
    assert message.startswith("clean train: no training data")
    assert "--seeds" in message and "--fixtures" in message and "--corpus" in message
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize("option", ["--seeds", "--fixtures", "--corpus"])
def test_a_named_folder_that_is_missing_is_a_usage_error(clean_bare, tmp_path, option):
    run = clean_bare("train", option, tmp_path / "nope", cwd=tmp_path)
    assert run.code == 2
    (message,) = run.stderr.strip().splitlines()
    assert str(tmp_path / "nope") in message and option in message


def test_an_out_folder_with_other_files_is_not_replaced(clean_bare, tmp_path):
    out = tmp_path / "notes"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    run = clean_bare("train", "--seeds", ROOT / "seeds", "--out", out, cwd=tmp_path)
    assert run.code == 2 and "keep.txt" in run.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_default_output_is_a_new_trained_model_folder(clean_bare, tmp_path, article):
    """A real training run (seeds and fixtures of the checkout), outside the checkout."""
    run = clean_bare("train", "--seeds", ROOT / "seeds", "--fixtures", ROOT / "fixtures", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trained-model"]  # no temporary folder left
    assert {p.name for p in (tmp_path / "trained-model").iterdir()} == MODEL_FILES
    cleaned = clean_bare("--text-only", "--model", tmp_path / "trained-model", stdin=article.encode())
    assert cleaned.code == 0 and "City council approves" in cleaned.text


def _fake_training(calls: list, fail: BaseException | None = None):
    """Stands in for the minutes of fitting: writes model files (or dies halfway)."""

    def train_and_save(out_dir, *args, **kwargs):
        calls.append(Path(out_dir))
        (out_dir / "model.joblib").write_text("new")
        if fail is not None:
            raise fail
        (out_dir / "runtime.npz").write_text("new")
        (out_dir / "meta.json").write_text(json.dumps({"version": "new"}))
        return out_dir / "model.joblib"

    return train_and_save


def _old_model(folder: Path) -> dict[str, str]:
    folder.mkdir()
    files = {
        "model.joblib": "old",
        "runtime.npz": "old",
        "meta.json": '{"version": "old"}',
        "MODEL_CARD.md": "old card",
        "scores.json": '{"old": 1}',
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    return files


def _train(argv: list[str]) -> tuple[int, str]:
    """`clean train ...` through `cli.main` in this process, stderr captured."""
    logger = logging.getLogger("cleaner")
    level = logger.level
    err = io.StringIO()
    try:
        with redirect_stderr(err):
            code = cli.main(["train", *argv])
    finally:
        logger.setLevel(level)
    return code, err.getvalue()


@pytest.fixture
def fake_card(monkeypatch):
    from cleaner.training import model_card

    monkeypatch.setattr(
        model_card, "write_card", lambda folder: (folder / "MODEL_CARD.md").write_text("new card")
    )


def test_an_old_model_is_replaced_only_at_the_end_and_loses_its_stale_scores(
    tmp_path, monkeypatch, fake_card
):
    out = tmp_path / "models"
    _old_model(out)
    calls: list[Path] = []
    monkeypatch.setattr(train, "train_and_save", _fake_training(calls))
    code, err = _train(["--seeds", str(ROOT / "seeds"), "--out", str(out)])
    assert code == 0, err
    (staging,) = calls
    assert staging.parent == out.parent and staging != out  # trained beside it, not in it
    assert {p.name for p in out.iterdir()} == {"model.joblib", "runtime.npz", "meta.json", "MODEL_CARD.md"}
    assert (out / "model.joblib").read_text() == "new" and (out / "MODEL_CARD.md").read_text() == "new card"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models"]  # no temporary or old folder left
    assert "scores.json measured the old model" in err


def test_ctrl_c_midway_leaves_the_old_model_intact(tmp_path, monkeypatch, fake_card):
    out = tmp_path / "models"
    files = _old_model(out)
    monkeypatch.setattr(train, "train_and_save", _fake_training([], fail=KeyboardInterrupt()))
    code, _ = _train(["--seeds", str(ROOT / "seeds"), "--out", str(out)])
    assert code == 130
    assert {p.name: p.read_text() for p in out.iterdir()} == files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models"]


@pytest.mark.parametrize("failure", [MemoryError(), OSError(28, "No space left on device")])
def test_a_failed_run_leaves_the_old_model_intact(tmp_path, monkeypatch, fake_card, failure):
    out = tmp_path / "models"
    files = _old_model(out)
    monkeypatch.setattr(train, "train_and_save", _fake_training([], fail=failure))
    with pytest.raises(type(failure)):
        _train(["--seeds", str(ROOT / "seeds"), "--out", str(out)])
    assert {p.name: p.read_text() for p in out.iterdir()} == files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models"]


def test_training_commands_set_one_thread_per_process(tmp_path, monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    code, err = _train(["--seeds", str(tmp_path / "nope")])
    assert code == 2 and "no folder" in err
    assert os.environ["OMP_NUM_THREADS"] == "1"
