"""The two ways cleaning can refuse: a model that cannot be used, a record that cannot be cleaned."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STDIN_NAME = "<stdin>"  # how messages name standard input


class ModelError(RuntimeError):
    """The model cannot be used; the message says how to fix it."""


@dataclass(frozen=True, slots=True)
class InputError:
    """An input record that cannot be cleaned, and why; it still becomes one output record."""

    message: str
    id: Any = None
    line: int | None = None
    passthrough: dict[str, Any] | None = None
