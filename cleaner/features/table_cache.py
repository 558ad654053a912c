"""Arrays that take long to build and never change for one installation, kept on disk.

The character tables of `tokens.py` run `str` methods and regex classes over every code
point, and the shipped model's weights are decoded from their 8-bit codes: together about
half of the start-up of `clean` on a small input. They depend only on the code that builds
them, the model file and the Unicode data of Python and of `regex`, so they are built once
and read back by later runs. The file name carries a digest of all
of that: a change of code or version builds afresh, never reads a stale table. Writing is
atomic (a temporary file, then a rename), and a cache that cannot be read or written
(read-only home, full disk) only costs the build.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

import numpy as np
import regex


def cache_dir() -> Path:
    """CLEANER_CACHE_DIR, else $XDG_CACHE_HOME/cleaner, else ~/.cache/cleaner."""
    explicit = os.environ.get("CLEANER_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cleaner"


def source_of(module_file: str) -> bytes:
    """A module's source, for a key: any edit to the code that builds the arrays builds afresh."""
    return Path(module_file).read_bytes()


def _digest(key: tuple) -> str:
    """Names the build: what it depends on, and the versions whose Unicode data it reads."""
    parts = (repr(key), regex.__version__, unicodedata.unidata_version, sys.version, np.__version__)
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()[:20]


def cached_arrays(name: str, build: Callable[[], dict[str, np.ndarray]], key: tuple) -> dict[str, np.ndarray]:
    """`build()`'s arrays, read from the cache when it holds this build, else built and stored.
    `key` holds all the result depends on but the versions `_digest` adds: the source of the
    code that builds it (`source_of`), the input's digest. Only the newest file of a `name`
    is kept."""
    path = cache_dir() / f"{name}-{_digest(key)}.npz"
    try:
        with np.load(path, allow_pickle=False) as stored:
            return {field: stored[field] for field in stored.files}
    except (OSError, ValueError):  # not there yet, or unreadable: build it
        pass
    arrays = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=f".{name}-", suffix=".npz", delete=False
        ) as handle:
            np.savez(handle, **arrays)
        os.replace(handle.name, path)
        for older in path.parent.glob(f"{name}-*.npz"):  # one file a name: the cache stays small
            if older != path:
                older.unlink(missing_ok=True)
    except OSError:
        pass
    return arrays
