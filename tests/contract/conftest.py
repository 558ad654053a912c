"""The contract tests run the real `clean` command in a subprocess and check its records,
messages and exit codes: what a user or a script sees, not the functions behind it.

`small_model_dir` (a model trained on seeds/ and fixtures/) comes from tests/conftest.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ARTICLE = (
    "Home\nNews\nSports\n\nCity council approves the new bridge budget after a long debate.\n\n"
    "The vote was seven to two, with both dissenters citing the cost of steel this year.\n\n"
    "Construction is expected to start in the spring and last about eighteen months.\n\n"
    "© 2025 Example Gazette. All rights reserved.\n"
)


@dataclass
class Run:
    code: int
    stdout: bytes
    stderr: str

    @property
    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.stdout.decode("utf-8").splitlines() if line]

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8")


def run_cli(
    args,
    stdin: bytes = b"",
    cwd: Path = ROOT,
    model_dir: Path | None = None,
    env: dict | None = None,
    timeout: float = 180,
) -> Run:
    model = ["--model", str(model_dir)] if model_dir is not None else []  # first: `--` may end the options
    command = [sys.executable, "-m", "cleaner.cli", *model, *map(str, args)]
    done = subprocess.run(
        command, input=stdin, capture_output=True, cwd=cwd, timeout=timeout, env={**os.environ, **(env or {})}
    )
    return Run(done.returncode, done.stdout, done.stderr.decode("utf-8", "replace"))


@pytest.fixture
def clean(small_model_dir):
    """`clean(*args, stdin=b"")`: the cleaning command with the small test model."""

    def run(*args, stdin: bytes = b"", cwd: Path = ROOT, env: dict | None = None) -> Run:
        return run_cli(args, stdin, cwd, small_model_dir, env)

    return run


@pytest.fixture
def clean_bare():
    """The command with no --model added: subcommands, --help, --version, usage errors."""

    def run(*args, stdin: bytes = b"", cwd: Path = ROOT, env: dict | None = None) -> Run:
        return run_cli(args, stdin, cwd, None, env)

    return run


@pytest.fixture
def article() -> str:
    """A plain-text scrape: three body paragraphs between menu lines and a copyright line."""
    return ARTICLE
