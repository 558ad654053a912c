"""Common Crawl input: WARC responses (HTML) and WET conversions (plain text), streamed.

Read with FastWARC, a maintained streaming WARC parser. Every HTML response and every
WET conversion record is a document with its WARC-Target-URI as `url` and its
WARC-Record-ID as `id`; other responses (images, PDFs, scripts) are skipped and counted,
and the count is reported when the stream ends.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from .errors import InputError
from .read import decode_bytes, without_nul
from .types import Document

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class WarcCounts:
    """What a WARC stream held besides the documents cleaned."""

    skipped_non_html: int = 0


def read_warc(
    stream: IO[bytes],
    counts: WarcCounts | None = None,
    source: str | None = None,
) -> Iterator[Document | InputError]:
    """The documents of a WARC or WET stream; `source` (the input's name) leads error messages."""
    where = f"{source}: " if source else ""
    try:
        from fastwarc.warc import ArchiveIterator, WarcRecordType
    except ImportError as exc:  # a declared dependency; say how to get it if it is missing
        raise RuntimeError("reading WARC files needs FastWARC: pip install fastwarc") from exc

    counts = counts if counts is not None else WarcCounts()
    wanted = WarcRecordType.response | WarcRecordType.conversion
    for record in ArchiveIterator(stream, record_types=wanted, parse_http=True):
        doc_id = record.record_id
        url = record.headers.get("WARC-Target-URI")
        crawled = {"warc_date": record.headers.get("WARC-Date")}  # when the page was fetched
        if record.record_type == WarcRecordType.conversion:
            text = without_nul(decode_bytes(record.reader.read(), is_html=False), "text")
            if not text.strip():
                yield InputError(f"{where}WET record is empty", doc_id)
                continue
            yield Document(content=text, kind="text", id=doc_id, url=url, extra=crawled)
            continue
        content_type = (record.http_content_type or "").lower()
        if not content_type.startswith(HTML_TYPES):
            counts.skipped_non_html += 1
            record.reader.consume()
            continue
        body = record.reader.read()
        if not body.strip():
            yield InputError(f"{where}WARC response has an empty body", doc_id, passthrough={"url": url})
            continue
        charset = record.http_charset
        extra = {**crawled, "content_type": record.http_content_type}
        yield Document(content=_decode(body, charset), kind="html", id=doc_id, url=url, extra=extra)
    if counts.skipped_non_html:
        log.warning("skipped %d non-HTML WARC responses", counts.skipped_non_html)


def _decode(body: bytes, charset: str | None) -> str:
    """The HTTP header's charset first, when it names a codec that decodes the body."""
    if charset:
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(body)
