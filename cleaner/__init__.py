"""cleaner: keep the article body of a web scrape, drop the chrome around it.

The public API: `clean_text` and `clean_html` for one document with the shipped model,
`Cleaner` to load a model once and clean many documents (`clean`, `pipe`), and the
data types a `Result` is made of.
"""

__version__ = "1.0.0"

from .clean import Cleaner, clean_html, clean_text  # noqa: E402  (after __version__, which train reads)
from .errors import ModelError  # noqa: E402
from .types import Block, Document, LineDecision, Result  # noqa: E402

__all__ = [
    "Cleaner",
    "clean_text",
    "clean_html",
    "Document",
    "Block",
    "Result",
    "LineDecision",
    "ModelError",
    "__version__",
]
