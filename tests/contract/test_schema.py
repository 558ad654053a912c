"""`--schema dolma`: the records Dolma and datatrove read, with a stable string id on each."""

from __future__ import annotations

import json
import subprocess
import sys

PAGE = (
    '<html lang="en"><head><title>Flood wall</title>'
    '<meta property="article:published_time" content="2024-03-03T09:00:00Z"></head>'
    "<body><nav><a href='/'>Home</a></nav><p>The council voted on Tuesday to rebuild the flood wall "
    "that has protected the harbour since 1953, after two winter storms in a row.</p></body></html>"
)
LINES = [
    json.dumps({"html": PAGE, "url": "https://example.org/a", "lang": "en"}),
    json.dumps({"id": 7, "text": "The council voted on Tuesday to rebuild the flood wall of the harbour."}),
    "not json",
]


def _run(*args: str) -> tuple[int, list[dict]]:
    done = subprocess.run(
        [sys.executable, "-m", "cleaner.cli", "--schema", "dolma", *args],
        input=("\n".join(LINES) + "\n").encode(),
        capture_output=True,
        timeout=120,
    )
    return done.returncode, [json.loads(line) for line in done.stdout.decode().splitlines()]


def test_dolma_records_have_the_fields_dolma_reads():
    code, (page, text, error) = _run()
    assert code == 1  # one input line was not JSON
    for record in (page, text, error):
        assert list(record) == ["id", "text", "source", "added", "created", "metadata"]
        assert isinstance(record["id"], str) and record["source"] == "cleaner"
        assert record["added"].endswith("Z")
    assert page["text"].startswith("The council voted on Tuesday") and "Home" not in page["text"]
    assert page["created"] == "2024-03-03"
    assert page["metadata"]["url"] == "https://example.org/a" and page["metadata"]["title"] == "Flood wall"
    assert page["metadata"]["language"] == "en" and page["metadata"]["lang"] == "en"  # input fields kept
    assert text["id"] == "7" and text["created"] is None
    assert error["id"] == "line-3" and error["text"] == "" and "invalid JSON" in error["metadata"]["error"]


def test_ids_are_stable_across_runs_and_worker_counts():
    _, first = _run()
    _, again = _run("--jobs", "2")
    assert [r["id"] for r in first] == [r["id"] for r in again]
    assert first[0]["id"].startswith("sha1-")
    strip = [{k: v for k, v in r.items() if k != "added"} for r in first]
    assert strip == [{k: v for k, v in r.items() if k != "added"} for r in again]


def test_the_default_record_is_unchanged():
    done = subprocess.run(
        [sys.executable, "-m", "cleaner.cli"],
        input=(LINES[1] + "\n").encode(),
        capture_output=True,
        timeout=120,
    )
    record = json.loads(done.stdout)
    assert record["id"] == 7 and "metadata" not in record and "source" not in record
