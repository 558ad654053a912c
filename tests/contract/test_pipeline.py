"""The --jobs pipeline in-process: order, batching, and a worker that dies mid-stream."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from cleaner import stream as pipeline
from cleaner.read import RawLine
from cleaner.stream import Options, clean_lines

TEXT = (
    "Home\nNews\n\nCity council approves the new bridge budget after a long debate.\n\n"
    "The vote was seven to two, with both dissenters citing the cost of steel this year.\n"
)


def raw_lines(count: int, crash_at: int | None = None) -> list[RawLine]:
    lines = []
    for i in range(count):
        record = {"id": i, "text": TEXT, "n": i} if i != crash_at else {"id": "crash", "text": TEXT, "n": i}
        lines.append(RawLine(i + 1, json.dumps(record).encode() + b"\n"))
    return lines


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_one_line_per_item_in_order(small_model_dir, jobs, monkeypatch):
    monkeypatch.setattr(pipeline, "BATCH_ITEMS", 3)  # many batches, the last one short
    items = raw_lines(23) + [RawLine(24, b"{oops\n")]
    out = [(json.loads(line), error) for line, error in clean_lines(items, Options(small_model_dir), jobs)]
    assert [record.get("id") for record, _ in out] == [*range(23), None]
    assert [error for _, error in out] == [False] * 23 + [True]
    assert out[-1][0]["line"] == 24


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the patch reaches workers by fork")
def test_a_dead_worker_costs_only_the_batches_in_flight(small_model_dir, monkeypatch):
    """A worker that dies becomes a "worker failed" record with the item's id, line and fields;
    a fresh pool cleans what follows, and every item still gets its one line, in order."""
    real_clean_one = pipeline.clean_one

    def clean_one_or_die(cleaner, doc, options):
        if doc.id == "crash":
            os._exit(1)
        return real_clean_one(cleaner, doc, options)

    monkeypatch.setattr(pipeline, "clean_one", clean_one_or_die)
    monkeypatch.setattr(pipeline, "BATCH_ITEMS", 4)
    jobs = 2
    items = raw_lines(60, crash_at=5)
    out = [json.loads(line) for line, _ in clean_lines(items, Options(small_model_dir), jobs)]
    assert [record.get("n") for record in out] == list(range(60))
    crashed = out[5]
    assert crashed["id"] == "crash" and crashed["line"] == 6 and crashed["error"].startswith("worker failed")
    failed = [i for i, record in enumerate(out) if "text" not in record]
    assert all(out[i]["error"].startswith("worker failed") for i in failed)
    # The batches in flight when the pool broke: at most the parent's window, around the crash.
    window = (jobs * pipeline.IN_FLIGHT_PER_JOB + 1) * pipeline.BATCH_ITEMS
    assert 5 in failed and failed[-1] - failed[0] < window
    assert all("text" in record for record in out[failed[-1] + 1 :]), "a fresh pool cleans what follows"
