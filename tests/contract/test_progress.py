"""The progress line: on a terminal's stderr only, a few redraws a second, ended with a newline."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys

from cleaner.progress import Progress
from tests.conftest import ROOT

ARTICLE = (
    "Home\nNews\n\nCity council approves the new bridge budget after a long debate.\n\n"
    "The vote was seven to two, with both dissenters citing the cost of steel this year.\n"
)
STREAM = "".join(json.dumps({"id": i, "text": ARTICLE}) + "\n" for i in range(40)).encode()


def clean_command(model_dir, *args) -> list[str]:
    return [sys.executable, "-m", "cleaner.cli", "--model", str(model_dir), *args]


def read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the other end of the terminal has closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_progress_shows_on_a_terminal(small_model_dir):
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.Popen(
            clean_command(small_model_dir, "--jobs", "2"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=terminal,
            cwd=ROOT,
        )
        os.close(terminal)
        stdout, _ = proc.communicate(STREAM, timeout=120)
        shown = read_all(controller).decode()
    finally:
        os.close(controller)
    assert proc.returncode == 0
    assert len(stdout.splitlines()) == 40, "the records themselves are untouched"
    assert "\r40 docs  " in shown and " docs/s" in shown
    assert shown.endswith("\n"), "the line is ended, so the prompt starts on its own line"


def test_no_progress_when_stderr_is_a_pipe(small_model_dir):
    for jobs in ("1", "2"):
        done = subprocess.run(
            clean_command(small_model_dir, "--jobs", jobs),
            input=STREAM,
            capture_output=True,
            cwd=ROOT,
            timeout=120,
        )
        assert done.returncode == 0 and len(done.stdout.splitlines()) == 40
        assert done.stderr == b""


def test_redraws_are_rate_limited_and_the_end_is_drawn():
    out = io.StringIO()
    with Progress(out, enabled=True, interval=60) as progress:
        for i in range(10_000):
            progress.update(error=i % 1000 == 0)
    assert out.getvalue().count("\r") == 1
    assert out.getvalue().startswith("\r10,000 docs  ") and out.getvalue().endswith("  10 errors\n")


def test_disabled_progress_writes_nothing():
    out = io.StringIO()
    with Progress(out, enabled=False) as progress:
        progress.update()
    assert out.getvalue() == ""
