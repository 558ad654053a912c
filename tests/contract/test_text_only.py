"""`--text-only` prints the clean text of exactly one document. More than one is a usage
error (exit 2), refused as soon as the second document is read: nothing is cleaned first."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from cleaner import cli


def test_one_document_prints_the_same_text_as_its_record(clean, article):
    text_only = clean("--text-only", stdin=article.encode())
    (record,) = clean(stdin=article.encode()).records
    assert text_only.code == 0 and text_only.stderr == ""
    assert text_only.text == record["text"] + "\n"
    assert text_only.text.startswith("City council approves")


def test_a_single_jsonl_record_is_one_document(clean, article):
    run = clean("--text-only", stdin=(json.dumps({"id": "a", "text": article}) + "\n").encode())
    assert run.code == 0 and run.text.startswith("City council approves")


def test_two_files_are_a_usage_error(clean, tmp_path, article):
    path = tmp_path / "article.txt"
    path.write_text(article, encoding="utf-8")
    run = clean("--text-only", path, path)
    assert run.code == 2 and run.stdout == b""
    (message,) = run.stderr.strip().splitlines()
    assert message.startswith("clean: --text-only takes one document")


def test_many_documents_are_refused_at_the_second_without_waiting_for_the_rest(small_model_dir, article):
    """stdin stays open after two records: the command must end on its own, with exit 2."""
    command = [sys.executable, "-m", "cleaner.cli", "--text-only", "--model", str(small_model_dir)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for i in range(2):
            process.stdin.write((json.dumps({"id": i, "text": article}) + "\n").encode())
        process.stdin.flush()
        code = process.wait(timeout=60)
        assert code == 2
        assert process.stdout.read() == b""
        assert b"--text-only takes one document" in process.stderr.read()
    finally:
        process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            stream.close()


def test_nothing_is_cleaned_before_the_refusal(small_model_dir, article, monkeypatch):
    from cleaner import clean as clean_module

    cleaned = []
    original = clean_module.Cleaner.clean
    monkeypatch.setattr(
        clean_module.Cleaner, "clean", lambda self, doc: cleaned.append(doc) or original(self, doc)
    )
    stream = "".join(json.dumps({"id": i, "text": article}) + "\n" for i in range(50))
    code, out, err = _main(["--text-only", "--model", str(small_model_dir)], stream.encode())
    assert code == 2 and out == "" and cleaned == []
    assert err.count("\n") == 1 and "--text-only takes one document" in err


def test_the_text_is_taken_from_the_record_not_reparsed_json(small_model_dir, article, monkeypatch):
    """The text-only path writes the record's text; no JSON line is made and read back."""
    from cleaner import stream as stream_module

    def no_serializing(*_args, **_kwargs):
        raise AssertionError("--text-only serialized a record")

    monkeypatch.setattr(stream_module, "dumps", no_serializing)
    monkeypatch.setattr(cli, "json", None, raising=False)
    code, out, _ = _main(["--text-only", "--model", str(small_model_dir)], article.encode())
    assert code == 0 and out.startswith("City council approves")


def test_an_error_record_is_a_message_and_exit_1(clean):
    run = clean("--text-only", stdin=b"  \n\t\n")
    assert run.code == 1 and run.stdout == b""
    assert run.stderr.strip() == "clean: <stdin>: empty document"


@pytest.mark.parametrize("text", ["Caf\udce9 au lait, the council said, was served at the meeting."])
def test_text_that_is_not_valid_unicode_still_prints(clean, text):
    line = json.dumps({"id": 1, "text": text})  # a lone surrogate, escaped in the JSON
    run = clean("--text-only", "--threshold", "0", stdin=line.encode())
    assert run.code == 0 and "Traceback" not in run.stderr
    assert run.text.startswith("Caf\ufffd au lait")


def _main(argv: list[str], stdin: bytes) -> tuple[int, str, str]:
    """`cli.run_clean` in this process, with its streams captured."""
    args = cli._clean_parser().parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    code = cli.run_clean(args, io.BufferedReader(io.BytesIO(stdin)), out, err)
    return code, out.getvalue(), err.getvalue()
