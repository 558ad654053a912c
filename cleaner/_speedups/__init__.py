"""The optional C loops, behind one switch.

Each extension speeds up one stage and has a Python/numpy twin that gives the same result
(tests check every pair):

- `_htmlwalk`  segment: HTML blocks from lexbor's serialization
- `_textlines` segment: plain-text line blocks, the longest line
- `_blockscan` features: token hashes and character-class counts in one pass
- `_context`   features and score: second-stage rows, token sums, page sums
- `_treescore` score: the gradient-boosted trees' sums
- `_sequence`  score: the page-order network's element-wise layer work
- `_decodetext` decide: word counts, repeated blocks, line shapes

Where no C compiler was at hand the install still succeeds (setup.py builds them as
optional) and `get` answers None, so the caller takes its Python path. Setting
CLEANER_PURE_PYTHON=1, or `with disabled():`, turns them all off at once.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

NAMES = ("htmlwalk", "textlines", "blockscan", "context", "treescore", "sequence", "decodetext")

_built: dict[str, ModuleType] = {}
for _name in NAMES:
    try:
        _built[_name] = importlib.import_module(f"{__name__}._{_name}")
    except ImportError:  # not built: the Python twin does the work
        pass

_enabled = os.environ.get("CLEANER_PURE_PYTHON", "") in ("", "0")


def get(name: str) -> ModuleType | None:
    """The C module for `name`, or None when it is not built or the switch is off."""
    return _built.get(name) if _enabled else None


def missing() -> list[str]:
    """The extensions that did not build."""
    return [name for name in NAMES if name not in _built]


@contextmanager
def disabled() -> Iterator[None]:
    """Run the Python twins inside the block (for parity tests and measurements)."""
    global _enabled
    before, _enabled = _enabled, False
    try:
        yield
    finally:
        _enabled = before
