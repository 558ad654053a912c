"""Byte decoding: UTF-8 with a few stray bytes stays UTF-8; legacy text still goes to the detector."""

from __future__ import annotations

from cleaner.read import decode_bytes

ARTICLE = (
    "The council met on Tuesday to discuss the new bridge budget, and the debate ran past midnight. " * 3
)


def test_mostly_ascii_utf8_with_stray_bytes_keeps_its_well_formed_characters():
    data = (
        ARTICLE.encode() + b"\xff \xc3. " + "© 2025 Example Gazette".encode() + b" \xed\xa0\x80 \xc0\xaf \xfe"
    )
    text = decode_bytes(data, is_html=False)
    assert "© 2025 Example Gazette" in text
    assert text.startswith(ARTICLE)


def test_legacy_text_without_any_utf8_sequence_is_still_detected():
    data = (ARTICLE + "The café owner said the débat was long. ").encode("cp1252") * 2
    assert "café owner said the débat" in decode_bytes(data, is_html=False)


def test_shift_jis_text_is_not_taken_for_utf8():
    text = "市議会は火曜日に新しい橋の予算について話し合い、議論は深夜まで続いた。" * 4
    assert decode_bytes(text.encode("shift_jis"), is_html=False) == text
