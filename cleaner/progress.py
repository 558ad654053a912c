"""A one-line progress display on stderr: documents done and docs/s.

Shown only when stderr is a terminal and stdout is not (on a terminal the records are the
progress), so pipes, logs and tests see nothing extra. It redraws at most a few times a
second: a stream of small documents must not pay a terminal write for each one.
"""

from __future__ import annotations

import time
from typing import IO


class Progress:
    """Count documents with `update`; `close` (or leaving a `with`) draws the last count and
    ends the line, so the shell prompt starts on a line of its own."""

    def __init__(self, stream: IO[str], enabled: bool, interval: float = 0.25):
        self.stream = stream
        self.enabled = enabled
        self.interval = interval
        self.done = 0
        self.errors = 0
        self.started = self.drawn_at = time.monotonic()
        self.width = 0  # of the last line drawn, to blank out what a shorter one leaves

    @classmethod
    def for_terminal(cls, stderr: IO[str], stdout: IO[str]) -> Progress:
        return cls(stderr, enabled=_isatty(stderr) and not _isatty(stdout))

    def update(self, error: bool = False) -> None:
        self.done += 1
        self.errors += error
        if self.enabled:
            now = time.monotonic()
            if now - self.drawn_at >= self.interval:
                self._draw(now)

    def close(self) -> None:
        if self.enabled and (self.done or self.width):
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
        self.enabled = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _draw(self, now: float) -> None:
        rate = self.done / max(now - self.started, 1e-9)
        text = f"{self.done:,} docs  {rate:,.0f} docs/s"
        if self.errors:
            text += f"  {self.errors:,} errors"
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)
        self.drawn_at = now


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or already closed
        return False
