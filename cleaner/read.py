"""Bytes in: input framing, format sniffing and byte decoding for the JSON Lines stream.

The contract: every input record yields exactly one output record, in input order:
the cleaned result, or an `error` field that says what was wrong. Input is read as a
stream, so an endless JSON Lines input is cleaned in bounded memory.
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any, Literal, NamedTuple

from .errors import STDIN_NAME, InputError
from .types import Document
from .write import OUTPUT_FIELDS

SNIFF_BYTES = 4096
# The standard `re` is enough for these byte patterns, and compiles faster at start-up.
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_ROOT = re.compile(rb"<(!doctype\s+html|html[\s>])", re.I)
_HTML_TAGS = re.compile(rb"</?(p|div|span|a|br|li|table|script|meta|title)\b[^>]*>", re.I)
CONTENT_FIELDS = ("html", "text")

# A file is binary (an image, an executable, an archive) when its first bytes hold a NUL and
# much of them is not text: control characters or bytes that are not UTF-8. Text with a stray
# NUL or escape sequence (a terminal capture) stays text; UTF-16 with a BOM is decoded by it.
BINARY_SNIFF_BYTES = 8192
_BINARY_ODD_SHARE = 0.3
_ODD_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f\ufffd]")


# Labels that browsers read as another encoding (WHATWG Encoding): decoding as the label
# says would turn curly quotes into control characters or drop characters.
_BROWSER_ENCODINGS = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "windows-1252": "cp1252",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",  # a meta tag in 8-bit bytes
}
# Python codecs that a page may name but no browser decodes it with: they read backslash
# escapes or "+...-" runs as characters (a page could smuggle text in), or are not charsets.
_NOT_PAGE_ENCODINGS = frozenset(
    ("unicode-escape", "raw-unicode-escape", "utf-7", "idna", "punycode", "undefined", "charmap")
)
_MOSTLY_UTF8 = 0.005  # share of bad bytes up to which UTF-8 with replacements wins
# Well-formed multi-byte UTF-8 sequences outnumber broken bytes in UTF-8 with stray bytes, and
# not in text of another encoding (where some pairs form valid sequences by chance).
_VALID_NON_ASCII = re.compile(r"[^\x00-\x7f\ufffd]")
# A text of mostly ASCII bytes that holds a well-formed multi-byte UTF-8 sequence is UTF-8
# with stray bytes: a legacy 8-bit text forms one only by chance ("Ã©" in cp1252), and a
# detector has too few high bytes to go on (it took "©" for a DOS code page's "┬®").
# Shift-JIS or GB18030 text, whose byte pairs form UTF-8 sequences by chance, is mostly
# high bytes.
_FEW_HIGH_BYTES = 0.05
_HIGH_BYTES = bytes(range(0x80, 0x100))


def decode_bytes(data: bytes, is_html: bool = True) -> str:
    """Bytes to text: BOM, then UTF-8, then the page's declared charset, then a detector.

    Never raises: undecodable bytes become U+FFFD rather than losing the document.
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if is_html:
        declared = _META_CHARSET.search(data[: SNIFF_BYTES * 4])
        if declared:
            label = declared.group(1).decode("ascii", "replace").lower()
            try:
                encoding = codecs.lookup(_BROWSER_ENCODINGS.get(label, label)).name
                if encoding not in _NOT_PAGE_ENCODINGS:
                    return data.decode(encoding, errors="replace")
            except (LookupError, UnicodeError, ValueError):  # unknown or non-text codecs ("idna")
                pass
    as_utf8 = data.decode("utf-8", errors="replace")
    broken = as_utf8.count("\ufffd")
    valid = len(_VALID_NON_ASCII.findall(as_utf8))
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    if (
        broken <= _MOSTLY_UTF8 * max(len(as_utf8), 1)
        or valid >= broken
        or (valid and high <= _FEW_HIGH_BYTES * len(data))
    ):
        return as_utf8  # UTF-8 with some broken bytes, not another encoding
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[: 1 << 20]).best()
        if best is not None and best.encoding:
            return data.decode(best.encoding, errors="replace")
    except Exception:  # the detector is a best effort; the fallback below never fails
        pass
    return as_utf8


def is_html_page(head: bytes) -> bool:
    """Starts as an HTML document does (a doctype, `<html>`, `<head>` or `<body>`, after
    comments): the strict test, for text that may quote a tag or two."""
    return bool(_HTML_START.match(head))


def looks_like_html(head: bytes) -> bool:
    return (
        bool(_HTML_START.match(head))
        or bool(_HTML_ROOT.search(head[:1024]))
        or len(_HTML_TAGS.findall(head)) >= 3
    )


def without_nul(content: str, kind: str) -> str:
    """Plain text without its NUL characters, which no text means and the output should not
    carry. HTML keeps them for the parser, which treats them as browsers do."""
    return content.replace("\x00", "") if kind == "text" and "\x00" in content else content


def looks_binary(head: bytes) -> bool:
    """True for the first bytes of a file that is neither HTML nor text (NUL bytes among
    mostly non-text bytes). A UTF-16 or UTF-32 byte order mark makes it text."""
    sample = head[:BINARY_SNIFF_BYTES]
    if b"\x00" not in sample or sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    text = sample.decode("utf-8", errors="replace")
    return len(_ODD_CHARS.findall(text)) >= _BINARY_ODD_SHARE * len(text)


def sniff_format(head: bytes) -> Literal["jsonl", "html", "text", "warc"]:
    """Decide from the first bytes: WARC/WET, a JSON object per line, an HTML page, or plain text."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = decode_bytes(head[: len(head) // 2 * 2], is_html=False).encode("utf-8")
    stripped = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if stripped.startswith(b"WARC/"):
        return "warc"
    if _mostly_json_objects(stripped):
        return "jsonl"
    if looks_like_html(stripped[:SNIFF_BYTES]):
        return "html"
    return "text"


def _mostly_json_objects(head: bytes) -> bool:
    """JSON Lines when most whole lines of the head are JSON objects.

    Looking past the first line keeps a stream whose first record is broken (truncated,
    an array) a stream, so that record becomes an error record instead of the whole
    stream being cleaned as one text.
    """
    if b"\n" not in head.rstrip():  # one line, perhaps longer than the sniffing window
        return head.startswith(b"{")
    lines = [line for line in head.split(b"\n") if line.strip()]
    if not head.endswith(b"\n"):
        lines = lines[:-1]  # the last line may be cut off by the sniffing window
    lines = lines[:20]
    objects = 0
    for line in lines:
        try:
            objects += isinstance(json.loads(line), dict)
        except ValueError:
            pass
    return objects >= 1 and objects * 2 >= len(lines)


def open_input(path: str, stdin: IO[bytes]) -> IO[bytes]:
    """A binary stream for a path ('-' is stdin); gzip is recognised by its magic bytes."""
    raw = stdin if path == "-" else open(path, "rb")
    peek = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    if peek == b"\x1f\x8b":
        return gzip.open(raw)  # type: ignore[return-value]
    return raw


def document_from_record(record: Any, line: int) -> Document | InputError:
    """A parsed JSON value to a Document, or an InputError naming what is wrong."""
    if not isinstance(record, dict):
        return InputError(f"expected a JSON object, got {type(record).__name__}", line=line)
    doc_id = record.get("id")
    extra = {
        (f"input_{k}" if k in OUTPUT_FIELDS else k): v
        for k, v in record.items()
        if k not in CONTENT_FIELDS and k not in ("id", "url")
    }
    url = record.get("url")
    if url is not None and not isinstance(url, str):
        url = str(url)
    for kind in CONTENT_FIELDS:
        if record.get(kind) is not None:
            content = record[kind]
            if not isinstance(content, str):
                return InputError(
                    f"field '{kind}' must be a string, got {type(content).__name__}", doc_id, line, extra
                )
            content = without_nul(content, kind)
            if not content.strip():
                return InputError(f"field '{kind}' is empty", doc_id, line, extra)
            return Document(content=content, kind=kind, id=doc_id, url=url, extra=extra)  # type: ignore[arg-type]
    return InputError("record has neither an 'html' nor a 'text' field", doc_id, line, extra)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float | str:
    """A number too large for a float stays as its text, so the output is still JSON."""
    value = float(text)
    return text if value in (float("inf"), float("-inf")) else value


class RawLine(NamedTuple):
    """One JSON Lines record as read, not yet parsed: with `--jobs` the parsing is a worker's.
    `source` names the input it came from, when error records should say (several inputs)."""

    number: int
    data: bytes
    source: str | None = None


def jsonl_lines(stream: Iterable[bytes], start_line: int = 1, source: str | None = None) -> Iterator[RawLine]:
    """The non-blank lines of a JSON Lines stream with their line numbers, lazily."""
    for number, data in enumerate(stream, start_line):
        if data and not data.isspace():
            yield RawLine(number, data, source)


def parse_jsonl_line(raw: RawLine) -> Document | InputError:
    """One JSON Lines record to a Document, or an InputError naming what is wrong."""
    try:
        record = json.loads(
            decode_bytes(raw.data, is_html=False), parse_constant=_reject_constant, parse_float=_finite_float
        )
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        return InputError(f"invalid JSON: {reason}", line=raw.number)
    return document_from_record(record, raw.number)


def read_jsonl(stream: Iterable[bytes], start_line: int = 1) -> Iterator[Document | InputError]:
    """One Document or InputError per non-blank input line, lazily."""
    return map(parse_jsonl_line, jsonl_lines(stream, start_line))


def read_single(data: bytes, kind: Literal["html", "text"], name: str | None) -> Document | InputError:
    """A whole file (or stdin, `name` None) that is one document; the file's name is its id."""
    content = without_nul(decode_bytes(data, is_html=kind == "html"), kind)
    if not content.strip():
        return InputError(f"{name or STDIN_NAME}: empty document", id=name)
    return Document(content=content, kind=kind, id=name)


def binary_file_error(name: str | None) -> InputError:
    """The error record for a file that `looks_binary`."""
    return InputError(
        f"binary file: {name or STDIN_NAME} (not HTML or text; --format text reads it anyway)", id=name
    )
