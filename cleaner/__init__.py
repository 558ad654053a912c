"""cleaner: keep the article body of a web scrape, drop the chrome around it.

The public API: `clean_text` and `clean_html` for one document with the shipped model,
`Cleaner` to load a model once and clean many documents (`clean`, `pipe`), and the
data types a `Result` is made of.

The names are loaded on first use, so that `import cleaner.cli` (the `clean` command) can
set up the process (one BLAS thread per process) before numpy is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "1.0.0"

if TYPE_CHECKING:
    from .clean import Cleaner, clean_html, clean_text
    from .errors import ModelError
    from .types import Block, Document, LineDecision, Result

_HOMES = {
    "Cleaner": "clean",
    "clean_text": "clean",
    "clean_html": "clean",
    "ModelError": "errors",
    "Block": "types",
    "Document": "types",
    "LineDecision": "types",
    "Result": "types",
}

__all__ = [
    "Cleaner",
    "clean_text",
    "clean_html",
    "ModelError",
    "Block",
    "Document",
    "LineDecision",
    "Result",
    "__version__",
]


def __getattr__(name: str) -> Any:
    """The public names, imported from their modules when first asked for (PEP 562)."""
    if name not in _HOMES:
        raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
