"""Common Crawl input: a WARC file with HTML and non-HTML responses, and a WET file."""

from __future__ import annotations

import gzip
import io

from cleaner.read import sniff_format
from cleaner.warc import WarcCounts, read_warc
from tests.contract.test_cli import ARTICLE, PAGE, records, run_clean

# The second page, sent as ISO-8859-1: "é" is one byte (0xE9) that only the declared charset reads right.
LATIN1_PAGE = PAGE.replace("bridge", "tunnel").replace("a long debate", "a long débat")
ARTICLE_PARAGRAPHS = [
    "City council approves the new bridge budget after a long debate.",
    "The vote was seven to two, with both dissenters citing the cost of steel this year.",
    "Construction is expected to start in the spring and last about eighteen months.",
]


def warc_record(record_type: str, record_id: str, uri: str, block: bytes, content_type: str) -> bytes:
    headers = (
        f"WARC/1.0\r\nWARC-Type: {record_type}\r\nWARC-Record-ID: <urn:uuid:{record_id}>\r\n"
        f"WARC-Target-URI: {uri}\r\nWARC-Date: 2025-06-10T12:00:00Z\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(block)}\r\n\r\n"
    ).encode()
    return headers + block + b"\r\n\r\n"


def http_response(body: bytes, mime: str) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: {mime}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    return head + body


def make_warc() -> bytes:
    members = [
        warc_record("warcinfo", "0", "", b"software: test\r\n", "application/warc-fields"),
        warc_record(
            "request",
            "1",
            "https://example.org/a",
            b"GET /a HTTP/1.1\r\n\r\n",
            "application/http; msgtype=request",
        ),
        warc_record(
            "response",
            "2",
            "https://example.org/a",
            http_response(PAGE.encode(), "text/html; charset=utf-8"),
            "application/http; msgtype=response",
        ),
        warc_record(
            "response",
            "3",
            "https://example.org/logo.png",
            http_response(b"\x89PNG\r\n\x1a\nxxxx", "image/png"),
            "application/http; msgtype=response",
        ),
        warc_record(
            "response",
            "4",
            "https://example.org/b",
            http_response(LATIN1_PAGE.encode("latin-1"), "text/html; charset=iso-8859-1"),
            "application/http; msgtype=response",
        ),
    ]
    return b"".join(gzip.compress(member) for member in members)  # one gzip member per record


def test_read_warc_yields_html_responses_and_counts_the_rest():
    counts = WarcCounts()
    docs = list(read_warc(io.BytesIO(gzip.decompress(make_warc())), counts))
    assert [(d.id, d.url, d.kind) for d in docs] == [
        ("<urn:uuid:2>", "https://example.org/a", "html"),
        ("<urn:uuid:4>", "https://example.org/b", "html"),
    ]
    assert "tunnel budget after a long débat" in docs[1].content
    assert counts.skipped_non_html == 1


def test_clean_reads_a_gzipped_warc_file(small_model_dir, tmp_path):
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(make_warc())
    assert sniff_format(gzip.decompress(path.read_bytes())[:100]) == "warc"
    done = run_clean([str(path)], model_dir=small_model_dir)
    out = records(done.stdout)
    assert [(r["id"], r["url"]) for r in out] == [
        ("<urn:uuid:2>", "https://example.org/a"),
        ("<urn:uuid:4>", "https://example.org/b"),
    ]
    assert [r["title"] for r in out] == ["Bridge budget approved", "Bridge budget approved"]
    assert [r["warc_date"] for r in out] == ["2025-06-10T12:00:00Z"] * 2  # when the page was fetched
    assert all(r["content_type"].startswith("text/html") for r in out)
    for record, opening in zip(
        out, ("the new bridge budget after a long debate", "the new tunnel budget after a long débat")
    ):
        paragraphs = record["text"].split("\n\n")
        assert paragraphs[0] == f"City council approves {opening} that ran past midnight.", record
        assert (
            "The vote was seven to two, with both dissenters citing the cost of steel this year."
            in paragraphs
        )
        assert not {"Home", "News", "© 2025 Example Gazette"} & set(paragraphs), record
    assert b"skipped 1 non-HTML" in done.stderr
    assert done.returncode == 0


def test_clean_reads_a_wet_file(small_model_dir, tmp_path):
    wet = warc_record("conversion", "9", "https://example.org/c", ARTICLE.encode(), "text/plain")
    path = tmp_path / "crawl.warc.wet.gz"
    path.write_bytes(gzip.compress(wet))
    done = run_clean([str(path)], model_dir=small_model_dir)
    (record,) = records(done.stdout)
    assert done.returncode == 0, done.stderr.decode()
    assert record["id"] == "<urn:uuid:9>" and record["url"] == "https://example.org/c"
    assert record["warc_date"] == "2025-06-10T12:00:00Z"
    assert record["text"].split("\n\n") == ARTICLE_PARAGRAPHS  # menu and copyright lines dropped
    assert record["stats"]["lines_kept"] == 3 and record["stats"]["lines_dropped"] == 4
