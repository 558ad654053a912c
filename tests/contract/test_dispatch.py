"""`clean NAME ...`: the first argument names the subcommand; anything else is cleaning.
Cleaning imports only what it needs, and sets no thread variables: those are the training
commands' business."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI_SOURCE = Path(__file__).resolve().parents[2] / "cleaner" / "cli.py"


@pytest.mark.parametrize("name", ["train", "evaluate", "spark"])
def test_first_argument_names_the_subcommand(clean_bare, name):
    run = clean_bare(name, "--help")
    assert run.code == 0
    assert run.text.startswith(f"usage: clean {name}")


def test_a_subcommand_name_later_on_is_a_file(clean, tmp_path, article):
    (tmp_path / "train").write_text(article, encoding="utf-8")
    run = clean("--format", "text", "train", cwd=tmp_path)
    (record,) = run.records
    assert record["id"] == "train" and "City council approves" in record["text"]


def test_a_file_named_like_a_subcommand_is_read_with_a_path(clean, tmp_path, article):
    (tmp_path / "spark").write_text(article, encoding="utf-8")
    for args in (["./spark"], ["--", "spark"]):
        (record,) = clean(*args, cwd=tmp_path).records
        assert "City council approves" in record["text"], args


def test_spark_subcommand_reaches_the_spark_job(clean_bare):
    """`clean spark` used to go back into cleaning, which rejected --output."""
    run = clean_bare("spark", "--format", "nope")
    assert run.code == 2
    assert "usage: clean spark" in run.stderr and "--format" in run.stderr


def test_cleaning_runs_one_thread_per_process_and_skips_the_heavy_imports(small_model_dir, article):
    """`clean` sets one BLAS/OpenMP thread before numpy loads (`--jobs` is how it uses cores);
    a value the user set wins."""
    probe = (
        "import os, runpy, sys\n"
        "sys.argv = ['clean', '--text-only', '--model', sys.argv[1]]\n"
        "try:\n"
        "    runpy.run_module('cleaner.cli', run_name='__main__', alter_sys=True)\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('sklearn', 'scipy', 'trafilatura', 'fastwarc', 'joblib', 'multiprocessing',\n"
        "                           'concurrent.futures.process', 'cleaner.training.commands') if m in sys.modules)\n"
        "print('OMP', os.environ.get('OMP_NUM_THREADS'), file=sys.stderr)\n"
        "print('HEAVY', ' '.join(heavy), file=sys.stderr)\n"
    )
    for user_value, expected in ((None, "1"), ("3", "3")):
        env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
        if user_value is not None:
            env["OMP_NUM_THREADS"] = user_value
        done = subprocess.run(
            [sys.executable, "-c", probe, str(small_model_dir)],
            input=article.encode(),
            capture_output=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.decode().startswith("City council approves")
        lines = dict(
            line.split(" ", 1)
            for line in done.stderr.decode().splitlines()
            if line.startswith(("OMP ", "HEAVY "))
        )
        assert lines["OMP"] == expected
        assert lines["HEAVY"] == ""


def test_cli_module_has_no_import_order_exemptions():
    assert "noqa: E402" not in CLI_SOURCE.read_text(encoding="utf-8")
