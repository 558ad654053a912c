"""A binary file (an executable, an image) is refused as an error record, not cleaned as
"text" full of NULs; text with a stray NUL, UTF-16 with a BOM and JSON Lines records whose
text holds NULs are still cleaned."""

from __future__ import annotations

import json
import sys
from pathlib import Path

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
    b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_an_executable_is_an_error_record_with_exit_1(clean):
    executable = Path(sys.executable).resolve()  # an ELF (or Mach-O) file on every machine
    run = clean(executable)
    (record,) = run.records
    assert run.code == 1
    assert record["id"] == str(executable)
    assert record["error"].startswith(f"binary file: {executable} (not HTML or text")
    assert "text" not in record and "\\u0000" not in run.text


def test_binary_stdin_is_refused(clean):
    run = clean(stdin=PNG)
    (record,) = run.records
    assert run.code == 1
    assert record["error"].startswith("binary file: <stdin>") and record["id"] is None


def test_binary_file_among_good_ones_costs_one_record(clean, tmp_path, article):
    good = tmp_path / "article.txt"
    good.write_text(article, encoding="utf-8")
    image = tmp_path / "pixel.png"
    image.write_bytes(PNG)
    run = clean(good, image, good)
    out = run.records
    assert [r["id"] for r in out] == [str(good), str(image), str(good)]
    assert "binary file" in out[1]["error"] and "error" not in out[0] and "error" not in out[2]
    assert run.code == 1


def test_text_only_refuses_a_binary_file(clean):
    run = clean("--text-only", stdin=PNG)
    assert run.code == 1 and run.stdout == b""
    assert (
        run.stderr.strip() == "clean: binary file: <stdin> (not HTML or text; --format text reads it anyway)"
    )


def test_gzipped_binary_is_refused_too(clean, tmp_path):
    import gzip

    packed = tmp_path / "image.gz"
    packed.write_bytes(gzip.compress(PNG * 4))
    (record,) = clean(packed).records
    assert record["error"].startswith(f"binary file: {packed}")


def test_utf16_with_a_bom_is_text(clean, tmp_path, article):
    for encoding in ("utf-16-le", "utf-16-be"):
        bom = b"\xff\xfe" if encoding == "utf-16-le" else b"\xfe\xff"
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(bom + article.encode(encoding))
        run = clean(path)
        (record,) = run.records
        assert run.code == 0, record
        assert "City council approves" in record["text"] and "\x00" not in record["text"]


def test_text_with_a_stray_nul_and_escape_codes_is_cleaned_without_the_nul(clean, article):
    scrape = article.replace("the new bridge", "the new\x00 bridge").replace("Sports", "\x1b[1mSports\x1b[0m")
    run = clean(stdin=scrape.encode())
    (record,) = run.records
    assert run.code == 0 and "error" not in record
    assert "City council approves the new bridge budget" in record["text"]
    assert "\x00" not in record["text"]


def test_jsonl_record_whose_text_holds_nuls_is_cleaned_and_stripped(clean, article):
    text = article.replace("seven to two", "seven\x00 to\x00\x00 two")
    stream = (
        json.dumps({"id": "nul", "text": text}) + "\n" + json.dumps({"id": "all-nul", "text": "\x00" * 50})
    )
    run = clean(stdin=stream.encode())
    first, second = run.records
    assert first["id"] == "nul" and "The vote was seven to two" in first["text"]
    assert "\x00" not in first["text"]
    assert second["id"] == "all-nul" and "empty" in second["error"]  # nothing but NULs: nothing to clean


def test_format_text_reads_a_binary_looking_file_anyway(clean, tmp_path, article):
    path = tmp_path / "capture.log"
    path.write_bytes(b"\x00" * 400 + article.encode())
    (refused,) = clean(path).records
    assert "binary file" in refused["error"]
    run = clean("--format", "text", path)
    (record,) = run.records
    assert run.code == 0 and "City council approves" in record["text"]
