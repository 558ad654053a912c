"""What error records and help say: the input's name (never "None"), which of several files a
record came from, sizes in MiB, `--version`, and the subcommands in `clean --help`."""

from __future__ import annotations

import gzip
import json

import cleaner


def test_empty_stdin_names_stdin(clean):
    run = clean(stdin=b"")
    (record,) = run.records
    assert run.code == 1
    assert record == {"id": None, "error": "<stdin>: empty document"}


def test_empty_file_names_the_file(clean, tmp_path):
    path = tmp_path / "blank.txt"
    path.write_bytes(b" \n\n")
    (record,) = clean(path).records
    assert record == {"id": str(path), "error": f"{path}: empty document"}


def test_error_records_from_several_files_say_which_file(clean, tmp_path, article):
    first = tmp_path / "first.jsonl"
    first.write_text(
        "{broken\n" + json.dumps({"id": "own-id", "text": ""}) + "\n" + json.dumps({"text": article}) + "\n",
        encoding="utf-8",
    )
    second = tmp_path / "second.jsonl.gz"
    second.write_bytes(
        gzip.compress(("[1, 2]\n" + json.dumps({"id": "ok", "text": article}) + "\n").encode())
    )
    run = clean(first, second)
    out = run.records
    assert run.code == 1
    assert len(out) == 5
    broken, own, good, array, ok = out
    # no id of its own: the file's name is the id, and leads the message; `line` stays
    assert broken["id"] == str(first) and broken["line"] == 1
    assert broken["error"].startswith(f"{first}: invalid JSON")
    # an id of its own is kept; the message still names the file
    assert own["id"] == "own-id" and own["error"] == f"{first}: field 'text' is empty" and own["line"] == 2
    assert array["id"] == str(second) and array["error"].startswith(f"{second}: expected a JSON object")
    # records that were cleaned are as before: their own id (or none)
    assert good["id"] is None and "error" not in good
    assert ok["id"] == "ok" and "error" not in ok
    assert set(broken) == {"id", "line", "error"}  # the record schema is unchanged


def test_stdin_records_keep_their_ids(clean, article):
    stream = "{broken\n" + json.dumps({"text": article}) + "\n"
    broken, good = clean(stdin=stream.encode()).records
    assert broken["id"] is None and broken["error"].startswith("invalid JSON") and broken["line"] == 1
    assert good["id"] is None


def test_one_file_alone_needs_no_naming(clean, tmp_path):
    """One input: no doubt where a record came from (and the records match `clean < file`)."""
    path = tmp_path / "docs.jsonl"
    path.write_text("{broken\n", encoding="utf-8")
    (from_file,) = clean(path).records
    (from_stdin,) = clean(stdin=path.read_bytes()).records
    assert from_file == from_stdin and from_file["id"] is None


def test_stdin_among_files_is_named_in_the_message(clean, tmp_path, article):
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps({"text": article}) + "\n", encoding="utf-8")
    good, broken = clean(path, "-", stdin=b"{broken\n").records
    assert "error" not in good
    assert broken["id"] is None and broken["error"].startswith("<stdin>: invalid JSON")


def test_records_from_several_files_name_the_file_with_jobs_too(clean, tmp_path, article):
    path = tmp_path / "docs.jsonl"
    path.write_text(
        "".join(json.dumps({"text": article}) + "\n" for _ in range(5)) + "[]\n", encoding="utf-8"
    )
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"id": "x", "text": article}) + "\n", encoding="utf-8")
    one = clean(path, other).records
    two = clean("--jobs", "2", path, other).records
    assert one == two and len(one) == 7
    assert one[5]["id"] == str(path) and one[5]["error"].startswith(f"{path}: expected a JSON object")


def test_size_limit_speaks_mib(clean, article):
    big = json.dumps({"id": "big", "text": "word " * 300_000})  # 1.43 MiB
    run = clean(
        "--max-bytes", "1", stdin=(big + "\n" + json.dumps({"id": "ok", "text": article}) + "\n").encode()
    )
    big_record, ok = run.records
    assert big_record["error"] == "document is 1.4 MiB, over the limit of 1 MiB (raise it with --max-bytes)"
    assert "text" in ok


def test_default_size_limit_is_16_mib(clean):
    text = "word " * (16 * 1024 * 1024 // 5 + 2)  # just over 16 MiB
    (record,) = clean(stdin=json.dumps({"id": "huge", "text": text}).encode()).records
    assert "over the limit of 16 MiB" in record["error"]


def test_help_speaks_mib_and_lists_the_subcommands(clean_bare):
    run = clean_bare("--help")
    assert run.code == 0
    assert "MiB" in run.text and " MB" not in run.text
    assert "16 MiB" in run.text
    for name in ("train", "evaluate", "spark"):
        (line,) = [line for line in run.text.splitlines() if line.strip().startswith(f"clean {name} ")]
        assert len(line.split()) > 3, line  # the subcommand and what it does


def test_version(clean_bare):
    run = clean_bare("--version")
    assert run.code == 0
    assert run.text.strip() == f"clean {cleaner.__version__}"
