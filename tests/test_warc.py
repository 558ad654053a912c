"""Common Crawl input: a WARC file with HTML and non-HTML responses, and a WET file."""

from __future__ import annotations

import gzip
import io
import json

from cleaner.read import sniff_format
from cleaner.warc import WarcCounts, read_warc

from .test_cli import ARTICLE, PAGE, records, run_clean


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
        warc_record("request", "1", "https://example.org/a", b"GET /a HTTP/1.1\r\n\r\n", "application/http; msgtype=request"),
        warc_record("response", "2", "https://example.org/a",
                    http_response(PAGE.encode(), "text/html; charset=utf-8"), "application/http; msgtype=response"),
        warc_record("response", "3", "https://example.org/logo.png",
                    http_response(b"\x89PNG\r\n\x1a\nxxxx", "image/png"), "application/http; msgtype=response"),
        warc_record("response", "4", "https://example.org/b",
                    http_response(PAGE.replace("bridge", "tunnel").encode("latin-1"), "text/html; charset=iso-8859-1"),
                    "application/http; msgtype=response"),
    ]
    return b"".join(gzip.compress(member) for member in members)  # one gzip member per record


def test_read_warc_yields_html_responses_and_counts_the_rest():
    counts = WarcCounts()
    docs = list(read_warc(io.BytesIO(gzip.decompress(make_warc())), counts))
    assert [(d.id, d.url, d.kind) for d in docs] == [
        ("<urn:uuid:2>", "https://example.org/a", "html"),
        ("<urn:uuid:4>", "https://example.org/b", "html"),
    ]
    assert "tunnel budget" in docs[1].content
    assert counts.skipped_non_html == 1


def test_clean_reads_a_gzipped_warc_file(small_model_dir, tmp_path):
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(make_warc())
    assert sniff_format(gzip.decompress(path.read_bytes())[:100]) == "warc"
    done = run_clean([str(path)], model_dir=small_model_dir)
    out = records(done.stdout)
    assert [r["url"] for r in out] == ["https://example.org/a", "https://example.org/b"]
    assert "City council approves" in out[0]["text"] and "Home" not in out[0]["text"]
    assert b"skipped 1 non-HTML" in done.stderr
    assert done.returncode == 0


def test_clean_reads_a_wet_file(small_model_dir, tmp_path):
    wet = warc_record("conversion", "9", "https://example.org/c", ARTICLE.encode(), "text/plain")
    path = tmp_path / "crawl.warc.wet.gz"
    path.write_bytes(gzip.compress(wet))
    (record,) = records(run_clean([str(path)], model_dir=small_model_dir).stdout)
    assert record["id"] == "<urn:uuid:9>" and record["url"] == "https://example.org/c"
    assert record["text"].startswith("City council approves")
    assert json.dumps(record)
