"""Nasty inputs through the real `clean` command: one output record per input record, always.

The cases live in tests/contract/nasty/cases.json (its "schema" field documents the format, as
does the comment above `check_outcome` below). Each case runs as a single input (one file
argument) and, where it makes sense, as one record of a JSON Lines stream between two good
records. Every output line must be strict JSON (UTF-8, no NaN or Infinity), the records between
the good neighbours must be exactly the expected outcomes, each with what its text (or its
error) must say, and the process must exit as the README says: 1 when any record came out as an
error, else 0.

Small cases share one CLI process per run kind (start-up and model loading are paid once); a
crash or a hang in the shared run is pinned on the case that caused it and the rest are run
again. Big cases run in their own process under the time limit given in the case. The command
is `python -m cleaner.cli` run through `runpy`, so the process can report its peak memory.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

NASTY = Path(__file__).resolve().parent / "nasty"
CASES = json.loads((NASTY / "cases.json").read_text(encoding="utf-8"))["cases"]
SHARED_RUN_TIMEOUT = 180  # seconds, for the processes that run all the small cases at once
GOOD_TEXT = (
    "The council met on Tuesday to discuss the new bridge budget, and the debate ran past midnight.\n\n"
    "The vote was seven to two, with both dissenters citing the rising cost of steel this year."
)

# Where the current code is wrong: (case, mode) -> why. Remove an entry once the code is fixed
# (the xfail is strict, so a fixed case fails until its entry goes).
KNOWN_BUGS: dict[tuple[str, str], str] = {}


# ---------------------------------------------------------------------------------------------
# Generated inputs (too big, or too random, to keep as files)


def _random_bytes() -> bytes:
    return random.Random(20240611).randbytes(64 * 1024)


def _tiny_lines_50k() -> bytes:
    return "".join(chr(ord("a") + i % 26) + "\n" for i in range(50_000)).encode()


def _html_20mb_single_line() -> bytes:
    words = "lorem ipsum dolor sit amet, consectetur adipiscing elit; "
    line = words * (20_000_000 // len(words) + 1)
    page = f"<!DOCTYPE html><html><head><title>One line</title></head><body><p>{line}</p></body></html>"
    return page.encode()


def _nested_divs_100k() -> bytes:
    depth = 100_000
    return (
        "<html><body>"
        + "<div>" * depth
        + "<p>Deep text survives the nesting.</p>"
        + "</div>" * depth
        + "</body></html>"
    ).encode()


def _html_50mb() -> bytes:
    head = (
        '<!DOCTYPE html><html><head><title>Big</title></head><body><nav><a href="/">Home</a></nav><article>'
    )
    pieces = [head.encode()]
    size = len(head)
    i = 0
    while size < 50_000_000:
        piece = (
            f"<p>Paragraph {i}. The council met on Tuesday to discuss the new bridge budget, and the "
            f"debate about item {i % 97} ran past midnight.</p>\n"
        ).encode()
        pieces.append(piece)
        size += len(piece)
        i += 1
    pieces.append(b"</article><footer>(C) 2025 Example Gazette</footer></body></html>")
    return b"".join(pieces)


def _deeply_nested_json_record() -> bytes:
    depth = 100_000
    return (
        b'{"id": "deep", "text": "The council met on Tuesday.", "nested": '
        + b"[" * depth
        + b"]" * depth
        + b"}"
    )


GENERATORS = {
    "random_bytes": _random_bytes,
    "tiny_lines_50k": _tiny_lines_50k,
    "html_20mb_single_line": _html_20mb_single_line,
    "nested_divs_100k": _nested_divs_100k,
    "html_50mb": _html_50mb,
    "deeply_nested_json_record": _deeply_nested_json_record,
}


# ---------------------------------------------------------------------------------------------
# Building inputs


def expected_outcomes(case: dict, mode: str) -> list[dict]:
    """The outcomes the case must give in `mode` ("single" or "stream"), in record order."""
    expect = case["expect"]
    if isinstance(expect, dict) and "outcome" not in expect:  # one entry per mode
        expect = expect[mode]
    return expect if isinstance(expect, list) else [expect]


def expected_exit(cases: list[dict], mode: str) -> int:
    """The README's exit status for a run of `cases` between good records: 1 if any record
    comes out as an error, else 0."""
    return int(any(e["outcome"] == "error" for case in cases for e in expected_outcomes(case, mode)))


def input_bytes(case: dict) -> bytes:
    source = case["input"]
    if "file" in source:
        return (NASTY / source["file"]).read_bytes()
    if "generator" in source:
        return GENERATORS[source["generator"]]()
    if "line" in source:
        return source["line"].encode("utf-8")
    return json.dumps(source["record"], ensure_ascii=False).encode("utf-8")


def stream_line(case: dict) -> bytes:
    """The case as one line of a JSON Lines stream."""
    data = input_bytes(case)
    if case.get("format") == "jsonl":
        line = data.rstrip(b"\r\n")
        assert b"\n" not in line, f"{case['name']}: a stream case must be one line"
        return line
    text = data.decode(case.get("encoding", "utf-8"))
    return json.dumps({"id": case["name"], case["stream_field"]: text}, ensure_ascii=False).encode("utf-8")


def sentinel_line(i: int) -> bytes:
    return json.dumps({"id": f"sep-{i}", "text": GOOD_TEXT}).encode()


def single_input_path(case: dict, workdir: Path) -> Path:
    source = case["input"]
    if "file" in source:
        return NASTY / source["file"]
    path = workdir / f"{case['name']}.input"
    path.write_bytes(input_bytes(case))
    return path


# ---------------------------------------------------------------------------------------------
# Running the CLI and cutting its output into per-case windows


class NotJSON(dict):
    """Stands in for an output line that is not strict UTF-8 JSON, keeping its position."""


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_output(stdout: bytes) -> list[dict]:
    records: list[dict] = []
    lines = stdout.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for raw in lines:
        try:
            records.append(json.loads(raw.decode("utf-8"), parse_constant=_reject_constant))
        except ValueError as exc:
            records.append(NotJSON(raw=raw[:300], reason=str(exc)))
    return records


@dataclass
class Run:
    records: list
    exit_code: int | None  # None: killed at the time limit
    stderr: str
    seconds: float
    timeout: float
    peak_rss_mb: float | None = None


# `python -m cleaner.cli`, plus a line on stderr with the process's peak resident memory at exit.
MEASURED_CLI = (
    "import atexit, resource, runpy, sys\n"
    "atexit.register(lambda: sys.stderr.write("
    "f'\\npeak_rss_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n'))\n"
    "runpy.run_module('cleaner.cli', run_name='__main__', alter_sys=True)\n"
)


def run_cli(args: list[str], model_dir: Path, stdin: bytes, timeout: float) -> Run:
    command = [sys.executable, "-c", MEASURED_CLI, "--model", str(model_dir), *args]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    started = time.monotonic()
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, cwd=ROOT, timeout=timeout, env=env)
        stdout, stderr, code = done.stdout, done.stderr, done.returncode
    except subprocess.TimeoutExpired as exc:
        stdout, stderr, code = exc.stdout or b"", exc.stderr or b"", None
    text = stderr.decode("utf-8", "replace")
    peak = None
    if "peak_rss_kb=" in text:
        text, _, number = text.rpartition("peak_rss_kb=")
        peak = int(number) / 1024
    return Run(parse_output(stdout), code, text.rstrip("\n"), time.monotonic() - started, timeout, peak)


@dataclass
class CaseRun:
    """What one case produced: the records between its two good neighbours."""

    records: list
    complete: bool  # the good record after the case came out
    run: Run
    last: bool  # the process ended after this case, so its exit status and stderr belong to it
    exit_code: int  # the exit status the process must end with (see expected_exit)


def run_cases(
    cases: list[dict],
    mode: str,
    model_dir: Path,
    workdir: Path,
    timeout: float,
    extra_args: tuple[str, ...] = ("--explain",),
) -> dict[str, CaseRun]:
    """Run cases in one process (good record, case, good record, case, ..., good record).

    If the process dies or hangs, the case it was on gets the partial window and the cases
    after it are run again in a fresh process.
    """
    results: dict[str, CaseRun] = {}
    todo = list(cases)
    while todo:
        if mode == "stream":
            lines = [sentinel_line(0)]
            for i, case in enumerate(todo, 1):
                lines += [stream_line(case), sentinel_line(i)]
            run = run_cli([*extra_args], model_dir, b"\n".join(lines) + b"\n", timeout)
        else:
            args = [*extra_args, "--format", todo[0].get("format", "auto")]
            for i in range(len(todo) + 1):
                sentinel = workdir / f"sep-{i}.jsonl"
                sentinel.write_bytes(sentinel_line(i) + b"\n")
                args.append(str(sentinel))
                if i < len(todo):
                    args.append(str(single_input_path(todo[i], workdir)))
            run = run_cli(args, model_dir, b"", timeout)
        exit_code = expected_exit(todo, mode)
        positions = {
            r.get("id"): k
            for k, r in enumerate(run.records)
            if isinstance(r.get("id"), str) and r["id"].startswith("sep-") and "text" in r
        }
        start = positions.get("sep-0")
        stopped_at = None
        for i, case in enumerate(todo):
            end = positions.get(f"sep-{i + 1}")
            if start is None or end is None or end < start:
                stopped_at = i
                break
            results[case["name"]] = CaseRun(
                run.records[start + 1 : end], True, run, i == len(todo) - 1, exit_code
            )
            start = end
        if stopped_at is None:
            break
        tail = run.records[start + 1 :] if start is not None else []
        results[todo[stopped_at]["name"]] = CaseRun(tail, False, run, True, exit_code)
        if start is None:  # not even the first good record came out: nothing to pin the failure on
            for case in todo[stopped_at + 1 :]:
                results[case["name"]] = CaseRun([], False, run, True, exit_code)
            break
        todo = todo[stopped_at + 1 :]
    return results


# ---------------------------------------------------------------------------------------------
# Checking outcomes


def describe(run: Run) -> str:
    status = f"killed after {run.timeout:.0f} s" if run.exit_code is None else f"exit {run.exit_code}"
    memory = "" if run.peak_rss_mb is None else f", {run.peak_rss_mb:.0f} MB"
    return f"[{status}, {run.seconds:.1f} s{memory}] stderr tail: {run.stderr[-800:]!r}"


def check_case(case: dict, mode: str, result: CaseRun) -> None:
    expects = expected_outcomes(case, mode)
    run = result.run
    assert result.complete, (
        f"the run stopped at this case, the good record after it never came out; got {result.records!r:.600} "
        + describe(run)
    )
    bad = [r for r in result.records if isinstance(r, NotJSON)]
    assert not bad, f"output lines that are not strict JSON: {bad!r:.600}"
    assert len(result.records) == len(expects), (
        f"expected {len(expects)} record(s), got {len(result.records)}: {result.records!r:.600}"
    )
    for record, expect in zip(result.records, expects):
        check_outcome(record, expect)
        if len(expects) == 1 and case.get("format") != "jsonl":  # a document: its id is known
            source = case["input"]
            wanted = case["name"] if mode == "stream" else source.get("file", f"{case['name']}.input")
            assert str(record.get("id")).endswith(wanted), f"id {record.get('id')!r}, expected {wanted!r}"
    if result.last:
        assert run.exit_code == result.exit_code, f"expected exit {result.exit_code}; " + describe(run)
        assert "Traceback" not in run.stderr, describe(run)
    if "max_rss_mb" in case:
        assert run.peak_rss_mb is not None and run.peak_rss_mb <= case["max_rss_mb"], (
            f"peak memory {run.peak_rss_mb:.0f} MB, budget {case['max_rss_mb']} MB ({run.seconds:.1f} s)"
        )


# An outcome (one entry of a case's "expect"; see the "schema" field of cases.json):
#
#   {"outcome": "error", "error_contains": str, "line": int?}
#       an error record: an "error" field holding error_contains, no "text"; `line`, where
#       given, is the input line number the record must carry.
#   {"outcome": "ok", "id": any?, "fields": {name: value}?, <text checks>}
#       a cleaned record: "text" (a string), "stats", no "error"; `id` and `fields` (fields that
#       pass through, as they must come out) where given. At least one text check, so that
#       an "ok" says what the record holds, not only that one came out:
#         text_equals: str        the kept text, exactly ("" when nothing may be kept)
#         text_contains: [str]    substrings of the kept text
#         text_matches: str       a regular expression the whole kept text matches
#         lines_contain: [str]    substrings of some --explain line (kept or not)
#       and optionally lines_exclude: [str] (no --explain line holds them) and
#       lines_count: int (the number of --explain lines).
#
# A case's "expect" is one outcome, a list of outcomes (a file that holds several records), or
# {"single": ..., "stream": ...} when the two runs must give different records.

OK_TEXT_CHECKS = ("text_equals", "text_contains", "text_matches", "lines_contain")
OUTCOME_KEYS = {
    "error": {"outcome", "error_contains", "line"},
    "ok": {"outcome", "id", "fields", "lines_exclude", "lines_count", *OK_TEXT_CHECKS},
}


def check_outcome(record: dict, expect: dict) -> None:
    if expect["outcome"] == "error":
        assert "error" in record and "text" not in record, f"expected an error record, got {record!r:.600}"
        assert expect["error_contains"] in record["error"], (
            f"error {record['error']!r} does not contain {expect['error_contains']!r}"
        )
        if "line" in expect:
            assert record.get("line") == expect["line"], (
                f"line {record.get('line')!r}, expected {expect['line']}"
            )
        return
    assert isinstance(record.get("text"), str) and "error" not in record, (
        f"expected a cleaned record, got {record!r:.600}"
    )
    assert isinstance(record.get("stats"), dict), record
    if "id" in expect:
        assert record.get("id") == expect["id"], f"id {record.get('id')!r}, expected {expect['id']!r}"
    for name, value in expect.get("fields", {}).items():
        assert record.get(name) == value, f"field {name}: {record.get(name)!r}, expected {value!r}"
    text = record["text"]
    if "text_equals" in expect:
        assert text == expect["text_equals"], f"text {text[:300]!r}, expected {expect['text_equals'][:300]!r}"
    for wanted in expect.get("text_contains", []):
        assert wanted in text, f"text lacks {wanted!r}: {text[:300]!r}"
    if "text_matches" in expect:
        assert re.fullmatch(expect["text_matches"], text), (
            f"text {text[:300]!r} does not match {expect['text_matches']!r}"
        )
    lines = [line["text"] for line in record.get("lines", [])]
    if "lines_count" in expect:
        assert len(lines) == expect["lines_count"], (
            f"{len(lines)} --explain lines, expected {expect['lines_count']}"
        )
    for wanted in expect.get("lines_contain", []):
        assert any(wanted in line for line in lines), f"no line contains {wanted!r}; lines: {lines!r:.800}"
    for unwanted in expect.get("lines_exclude", []):
        assert not any(unwanted in line for line in lines), (
            f"a line contains {unwanted!r}; lines: {lines!r:.800}"
        )


# ---------------------------------------------------------------------------------------------
# The tests


def _params(mode: str) -> list:
    params = []
    for case in CASES:
        if mode not in case.get("modes", ["single", "stream"]):
            continue
        reason = KNOWN_BUGS.get((case["name"], mode))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(case, id=case["name"], marks=marks))
    return params


def _is_big(case: dict) -> bool:
    return "timeout" in case


@pytest.fixture(scope="module")
def shared_runs(small_model_dir, tmp_path_factory) -> dict[tuple[str, str], CaseRun]:
    """All small cases, run once per mode (and per --format for single inputs)."""
    out: dict[tuple[str, str], CaseRun] = {}
    for mode in ("single", "stream"):
        cases = [c for c in CASES if mode in c.get("modes", ["single", "stream"]) and not _is_big(c)]
        groups = (
            [cases]
            if mode == "stream"
            else [[c for c in cases if c.get("format", "auto") == fmt] for fmt in ("auto", "jsonl")]
        )
        for group in groups:
            workdir = tmp_path_factory.mktemp(f"nasty-{mode}")
            results = run_cases(group, mode, small_model_dir, workdir, SHARED_RUN_TIMEOUT)
            out.update({(name, mode): result for name, result in results.items()})
    return out


def _run_one(case, mode, shared_runs, small_model_dir, tmp_path) -> CaseRun:
    if _is_big(case):
        wants_lines = any(key.startswith("lines_") for e in expected_outcomes(case, mode) for key in e)
        args = (*case.get("args", ()), *(["--explain"] if wants_lines else []))
        return run_cases([case], mode, small_model_dir, tmp_path, case["timeout"], args)[case["name"]]
    return shared_runs[(case["name"], mode)]


def test_corpus_is_well_formed():
    """Every case names one existing input and a known outcome; names are unique."""
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names))
    for case in CASES:
        source = case["input"]
        assert len(source) == 1 and set(source) <= {"file", "generator", "line", "record"}, case["name"]
        if "file" in source:
            assert (NASTY / source["file"]).is_file(), source["file"]
            size = (NASTY / source["file"]).stat().st_size
            assert size < 200_000, "keep corpus files small; generate big inputs in the test"
        if "generator" in source:
            assert source["generator"] in GENERATORS, source["generator"]
        if "stream" in case.get("modes", ["single", "stream"]) and case.get("format") != "jsonl":
            assert case.get("stream_field") in ("html", "text"), case["name"]
        modes = case.get("modes", ["single", "stream"])
        if isinstance(case["expect"], dict) and "outcome" not in case["expect"]:
            assert set(case["expect"]) == set(modes), f"{case['name']}: one expect per mode of {modes}"
        for mode in modes:
            for expect in expected_outcomes(case, mode):
                where = f"{case['name']} ({mode})"
                assert expect["outcome"] in OUTCOME_KEYS, where
                assert set(expect) <= OUTCOME_KEYS[expect["outcome"]], (
                    f"{where}: unknown keys {set(expect) - OUTCOME_KEYS[expect['outcome']]}"
                )
                if expect["outcome"] == "error":
                    assert expect.get("error_contains"), (
                        f"{where}: an error outcome says what the error mentions"
                    )
                else:
                    assert any(key in expect for key in OK_TEXT_CHECKS), (
                        f"{where}: an ok outcome says what its text holds (one of {OK_TEXT_CHECKS})"
                    )
        if "args" in case or "max_rss_mb" in case:
            assert _is_big(case), f"{case['name']}: args and max_rss_mb need a case of its own (a timeout)"
    assert {name for name, _ in KNOWN_BUGS} <= set(names)


@pytest.mark.parametrize("case", _params("single"))
def test_single_input(case, shared_runs, small_model_dir, tmp_path):
    """The input as one file argument gives exactly its expected record(s), in order, as strict JSON."""
    check_case(case, "single", _run_one(case, "single", shared_runs, small_model_dir, tmp_path))


@pytest.mark.parametrize("case", _params("stream"))
def test_inside_stream(case, shared_runs, small_model_dir, tmp_path):
    """The input as one JSON Lines record between two good ones gives one record and the stream goes on."""
    check_case(case, "stream", _run_one(case, "stream", shared_runs, small_model_dir, tmp_path))


def test_parallel_jobs_give_the_same_records_in_order(small_model_dir):
    """With --jobs 2 the nasty stream gives the same records, in the same order, as one process does."""
    cases = [
        c
        for c in CASES
        if "stream" in c.get("modes", ["single", "stream"])
        and not _is_big(c)
        and (c["name"], "stream") not in KNOWN_BUGS
    ]  # known crashes would end both runs early
    lines = [sentinel_line(0)]
    for i, case in enumerate(cases, 1):
        lines += [stream_line(case), sentinel_line(i)]
    stream = b"\n".join(lines) + b"\n"
    serial = run_cli(["--explain"], small_model_dir, stream, SHARED_RUN_TIMEOUT)
    parallel = run_cli(["--explain", "--jobs", "2"], small_model_dir, stream, SHARED_RUN_TIMEOUT)
    assert len(serial.records) == 2 * len(cases) + 1, describe(serial)
    assert parallel.records == serial.records, describe(parallel)
    assert parallel.exit_code == serial.exit_code == 1


def test_output_is_utf8_whatever_the_locale(small_model_dir):
    """The output is UTF-8 JSON Lines even when the process's stdout encoding is not UTF-8."""
    text = (
        "The council (\u5e02\u8bae\u4f1a, \u0645\u062c\u0644\u0633 "
        "\u0627\u0644\u0645\u062f\u064a\u0646\u0629) met on Tuesday to discuss the new bridge budget."
    )
    record = json.dumps({"id": "mixed", "text": text}).encode()
    stream = b"\n".join([sentinel_line(0), record, sentinel_line(1)])
    done = subprocess.run(
        [sys.executable, "-m", "cleaner.cli", "--model", str(small_model_dir)],
        input=stream + b"\n",
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "cp1252"},
    )
    records = parse_output(done.stdout)
    assert [r.get("id") for r in records] == ["sep-0", "mixed", "sep-1"], done.stderr.decode()[-800:]
    assert "\u5e02\u8bae\u4f1a" in records[1]["text"]
