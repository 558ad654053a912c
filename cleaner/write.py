"""Records out: one JSON line per input record, the cleaned result or an error.

The contract: every input record yields exactly one output record, in input order: the
cleaned result, or an `error` field that says what was wrong.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import STDIN_NAME, InputError
from .types import METADATA_FIELDS, Document, Result

# Fields cleaner writes itself; an input field of the same name passes through as `input_<name>`.
OUTPUT_FIELDS = frozenset(("id", "url", "title", *METADATA_FIELDS, "text", "stats", "lines", "error", "line"))


def result_record(result: Result, doc: Document, explain: bool = False) -> dict[str, Any]:
    """The result's record (`Result.to_record`), then the input's own fields."""
    record = result.to_record(explain)
    for key, value in doc.extra.items():
        record.setdefault(key, value)
    return record


def error_record(error: InputError) -> dict[str, Any]:
    record: dict[str, Any] = {"id": error.id}
    if error.line is not None:
        record["line"] = error.line
    record["error"] = error.message
    for key, value in (error.passthrough or {}).items():
        record.setdefault(key, value)
    return record


def name_source(record: dict[str, Any], source: str) -> dict[str, Any]:
    """An error record from one of several inputs says which: the input's name leads the
    message, and a file's name is the record's id when it has none of its own."""
    if "error" in record:
        record["error"] = f"{source}: {record['error']}"
        if record.get("id") is None and source != STDIN_NAME:
            record["id"] = source
    return record


def dumps(record: dict[str, Any]) -> str:
    """One JSON line; text that is not valid Unicode (lone surrogates) is written escaped."""
    line = json.dumps(record, ensure_ascii=False, default=str, allow_nan=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record, ensure_ascii=True, default=str)
    return line
