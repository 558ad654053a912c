"""Output records in the form a corpus pipeline reads: cleaner's own, or Dolma's.

Dolma (AI2's corpus toolkit, also read by datatrove) wants `{id, text, source, added,
created, metadata}` with a string id on every document. cleaner's record keeps its fields at
the top; for Dolma they move under `metadata`, `created` is the page's declared date (else
when the crawler fetched it, `warc_date`), and a record without an id of its own gets a
stable one: its input line, else a hash of its content. An error record keeps `text` empty
and says what was wrong in `metadata.error`, so a pipeline can drop it by one field.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

SCHEMAS = ("cleaner", "dolma")
SOURCE = "cleaner"


def in_schema(record: dict[str, Any], schema: str, content: str | None = None) -> dict[str, Any]:
    """`record` (cleaner's form) in `schema`; `content` is the input document, for its hash."""
    if schema == "cleaner":
        return record
    if schema != "dolma":
        raise ValueError(f"unknown schema {schema!r}: choose one of {', '.join(SCHEMAS)}")
    metadata = {key: value for key, value in record.items() if key not in ("id", "text")}
    return {
        "id": stable_id(record, content),
        "text": record.get("text") or "",
        "source": SOURCE,
        "added": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "created": record.get("date") or record.get("warc_date"),
        "metadata": metadata,
    }


def stable_id(record: dict[str, Any], content: str | None) -> str:
    """The record's own id as a string; else its input line ("line-12"); else a hash of the
    document's content, the same on every run."""
    if record.get("id") is not None:
        return str(record["id"])
    if record.get("line") is not None:
        return f"line-{record['line']}"
    digest = hashlib.sha1((content or record.get("text") or "").encode("utf-8", "surrogatepass"))
    return f"sha1-{digest.hexdigest()[:20]}"
