"""The `clean` command through a real subprocess: records, order, errors, pipes, formats."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS

SEED_000 = SEEDS / "000_052e06eeb3771c46.txt"


def run_clean(args, stdin: bytes = b"", model_dir=None):
    command = [sys.executable, "-m", "cleaner.cli", *args]
    if model_dir is not None:
        command += ["--model", str(model_dir)]
    return subprocess.run(command, input=stdin, capture_output=True, cwd=ROOT, timeout=120)


def records(stdout: bytes) -> list[dict]:
    return [json.loads(line) for line in stdout.decode("utf-8").split("\n") if line]


def session_processes(session: int) -> dict[int, str]:
    """The live processes of a session (pid -> command line), zombies left out, read from
    /proc. A process whose parent exited is re-parented but stays in its session, so this
    sees orphaned workers, which `pgrep -P <parent>` cannot once the parent is gone."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # ended while we looked
            continue
        state, _ppid, _group, sid = stat[stat.rindex(")") + 2 :].split()[:4]
        if int(sid) == session and state != "Z":
            found[int(entry.name)] = cmdline
    return found


def assert_session_ended(session: int, grace: float = 1.0) -> None:
    """No process of `session` is left once its leader has exited (after `grace` seconds for
    processes already on their way out)."""
    deadline = time.monotonic() + grace
    while (left := session_processes(session)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left == {}, f"processes left running after the command exited: {left}"


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")


ARTICLE = (
    "Home\nNews\nSports\n\nCity council approves the new bridge budget after a long debate.\n\n"
    "The vote was seven to two, with both dissenters citing the cost of steel this year.\n\n"
    "Construction is expected to start in the spring and last about eighteen months.\n\n"
    "© 2025 Example Gazette. All rights reserved.\n"
)
PAGE = (
    "<html><head><title>Bridge</title></head><body><nav><a href='/'>Home</a> <a href='/n'>News</a></nav>"
    "<article><h1>Bridge budget approved</h1><p>City council approves the new bridge budget after a long "
    "debate that ran past midnight.</p><p>The vote was seven to two, with both dissenters citing the cost "
    "of steel this year.</p></article><footer>© 2025 Example Gazette</footer></body></html>"
)


def test_mixed_stream_yields_one_record_per_line_in_order(small_model_dir):
    lines = [
        json.dumps({"id": "a", "url": "https://example.org/a", "html": PAGE, "lang": "en"}),
        "{not json",
        json.dumps({"id": "b", "text": ARTICLE}),
        json.dumps({"id": "c", "text": "   "}),
        json.dumps([1, 2]),
        json.dumps({"id": "d", "html": 42}),
        json.dumps({"id": "e", "body": "no content field"}),
        json.dumps({"id": "f", "text": ARTICLE}),
    ]
    done = run_clean([], ("\n".join(lines) + "\n").encode(), small_model_dir)
    out = records(done.stdout)
    assert [r.get("id") for r in out] == ["a", None, "b", "c", None, "d", "e", "f"]
    errors = {i: r["error"] for i, r in enumerate(out) if "error" in r}
    assert set(errors) == {1, 3, 4, 5, 6}
    assert "invalid JSON" in errors[1] and out[1]["line"] == 2
    assert "empty" in errors[3]
    assert "JSON object" in errors[4]
    assert "'html' must be a string" in errors[5]
    assert "neither" in errors[6]
    assert out[0]["url"] == "https://example.org/a" and out[0]["lang"] == "en"
    assert "City council approves" in out[0]["text"] and "Home" not in out[0]["text"]
    assert set(out[2]["stats"]) == {"lines_kept", "lines_dropped", "model"}
    assert done.returncode == 1, "any error record makes the exit status 1"


def test_clean_stream_exits_zero(small_model_dir):
    done = run_clean([], (json.dumps({"id": 1, "text": ARTICLE}) + "\n").encode(), small_model_dir)
    assert done.returncode == 0 and len(records(done.stdout)) == 1


def test_single_text_html_and_gzip_inputs(small_model_dir, tmp_path):
    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress(PAGE.encode()))
    text = tmp_path / "article.txt"
    text.write_text(ARTICLE)
    done = run_clean([str(page), str(text)], model_dir=small_model_dir)
    out = records(done.stdout)
    assert [r["id"] for r in out] == [str(page), str(text)]
    assert all("City council approves" in r["text"] for r in out)
    assert done.returncode == 0


def test_missing_file_is_an_error_record_not_a_crash(small_model_dir, tmp_path):
    done = run_clean([str(tmp_path / "nope.txt"), "-"], ARTICLE.encode(), small_model_dir)
    out = records(done.stdout)
    assert len(out) == 2 and "cannot read" in out[0]["error"] and "text" in out[1]
    assert done.returncode == 1


def test_explain_lists_every_line_with_decision(small_model_dir):
    done = run_clean(["--explain", "--format", "text"], ARTICLE.encode(), small_model_dir)
    (record,) = records(done.stdout)
    assert [line["text"] for line in record["lines"]][:3] == ["Home", "News", "Sports"]
    assert {line["label"] for line in record["lines"]} <= {"body", "chrome", "title"}
    kept = [line["text"] for line in record["lines"] if line["label"] == "body"]
    assert record["text"] == "\n\n".join(kept)


def test_threshold_replaces_page_decoding_with_a_fixed_cut(small_model_dir):
    def kept_scores(args):
        (record,) = records(
            run_clean(["--explain", "--format", "text", *args], ARTICLE.encode(), small_model_dir).stdout
        )
        return [(line["score"], line["label"] == "body") for line in record["lines"]]

    for threshold in (0.2, 0.9):
        fixed = kept_scores(["--threshold", str(threshold)])
        assert all(kept == (score >= threshold) for score, kept in fixed)
    assert sum(kept for _, kept in kept_scores(["--threshold", "0.9"])) < sum(
        kept for _, kept in kept_scores(["--threshold", "0.2"])
    )


def test_text_only_prints_the_clean_text(small_model_dir):
    done = run_clean(["--text-only"], ARTICLE.encode(), small_model_dir)
    assert done.returncode == 0
    assert done.stdout.decode().startswith("City council approves")
    assert "©" not in done.stdout.decode()


def test_head_closes_the_pipe_quietly(small_model_dir):
    stream = "".join(json.dumps({"id": i, "text": ARTICLE}) + "\n" for i in range(300))
    shell = f"{sys.executable} -m cleaner.cli --model {small_model_dir} | head -1"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", shell],
        input=stream.encode(),
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert len(done.stdout.splitlines()) == 1
    assert done.stderr == b"", done.stderr.decode()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_output_flows_while_input_is_still_open(small_model_dir, jobs):
    """A downstream reader sees each record before the next input line is even written."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cleaner.cli", "--jobs", jobs, "--model", str(small_model_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    watchdog = threading.Timer(60, proc.kill)  # a record held back fails the test, not hangs it
    watchdog.start()
    try:
        for i in range(3):
            proc.stdin.write((json.dumps({"id": i, "text": ARTICLE}) + "\n").encode())
            proc.stdin.flush()
            line = proc.stdout.readline()
            assert line and json.loads(line)["id"] == i
    finally:
        watchdog.cancel()
        proc.stdin.close()
        proc.wait(timeout=60)


def test_bad_model_path_is_a_clear_usage_error(tmp_path):
    done = run_clean(["--model", str(tmp_path)], ARTICLE.encode())
    assert done.returncode == 2
    assert b"clean train" in done.stderr


@pytest.mark.parametrize("forced", ["text", "html"])
def test_format_flag_overrides_detection(small_model_dir, forced):
    done = run_clean(["--format", forced, "--explain"], PAGE.encode(), small_model_dir)
    (record,) = records(done.stdout)
    has_markup = any("<" in line["text"] for line in record["lines"])
    assert has_markup == (forced == "text")


def test_jobs_give_the_same_records_in_the_same_order(small_model_dir):
    lines = []
    for i in range(24):
        record = {"id": i, "html": PAGE} if i % 3 == 0 else {"id": i, "text": ARTICLE * (1 + i % 4)}
        lines.append(json.dumps(record) if i != 7 else "{broken")
    stream = ("\n".join(lines) + "\n").encode()
    one = run_clean([], stream, small_model_dir)
    two = run_clean(["--jobs", "2"], stream, small_model_dir)
    assert one.stdout == two.stdout
    assert [r.get("id") for r in records(two.stdout)] == [i if i != 7 else None for i in range(24)]
    assert one.returncode == two.returncode == 1


def test_size_limit_turns_a_huge_document_into_an_error_record(small_model_dir):
    big = json.dumps({"id": "big", "text": "word " * 300_000})
    done = run_clean(
        ["--max-bytes", "1"],
        (big + "\n" + json.dumps({"id": "ok", "text": ARTICLE}) + "\n").encode(),
        small_model_dir,
    )
    out = records(done.stdout)
    assert [r["id"] for r in out] == ["big", "ok"]
    assert "over the limit" in out[0]["error"] and "text" in out[1]


@needs_proc
def test_killing_a_jobs_run_midway_leaves_only_whole_records(small_model_dir):
    """SIGINT halfway through a --jobs run: every line written is a whole JSON record, and
    no worker outlives the command."""
    import signal

    # Ctrl-C as a terminal delivers it: the run starts with SIGINT's default action even when
    # the tests were started in the background, where the shell hands down an ignored SIGINT
    # (and a program that inherits it ignored keeps ignoring it, as nohup'd programs do).
    # A session of its own: the workers stay in it even once they are orphaned.
    proc = subprocess.Popen(
        [sys.executable, "-m", "cleaner.cli", "--jobs", "2", "--model", str(small_model_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        start_new_session=True,
    )
    for i in range(40):
        proc.stdin.write((json.dumps({"id": i, "text": ARTICLE}) + "\n").encode())
    proc.stdin.flush()
    first = proc.stdout.readline()
    workers = set(session_processes(proc.pid)) - {proc.pid}
    assert len(workers) >= 2, (
        f"expected the 2 workers in the command's session: {session_processes(proc.pid)}"
    )
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    # Read to the end in a thread, so that a run that does not stop fails here instead of
    # blocking the test run; the same buffered reader as `first`: nothing read ahead is lost.
    box: list[bytes] = []
    reader = threading.Thread(target=lambda: box.append(proc.stdout.read()), daemon=True)
    reader.start()
    reader.join(timeout=60)
    if reader.is_alive():
        proc.kill()
        pytest.fail("clean --jobs 2 was still running 60 s after SIGINT")
    rest = box[0]
    err = proc.stderr.read()
    proc.stdin.close()
    assert proc.wait(timeout=60) == 130
    lines = (first + rest).decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == list(range(len(lines)))
    assert b"Traceback" not in err
    assert_session_ended(proc.pid)


def test_jobs_keep_every_guarantee_of_one_process(small_model_dir, tmp_path):
    """JSON Lines records go to the workers unparsed: line numbers (blank lines counted), errors,
    limits, --explain and passing fields come out as one process gives them, in order, beside
    documents read whole (an HTML file, a missing file)."""
    slow = "Some words here.\n" * 400_000  # 6.8 MB, seconds to clean
    lines = [
        json.dumps({"id": "a", "html": PAGE, "lang": "en", "text": None}),
        "",
        "{not json",
        json.dumps({"id": "big", "text": "word " * 2_000_000}),
        "   ",
        json.dumps({"id": "slow", "text": slow}),
        json.dumps({"id": "no-content", "body": "x", "error": "theirs"}),
        json.dumps([1, 2]),
    ] + [json.dumps({"id": i, "text": ARTICLE}) if i % 5 else "[broken" for i in range(20)]
    stream = tmp_path / "stream.jsonl"
    stream.write_text("\n".join(lines) + "\n")
    page = tmp_path / "page.html"
    page.write_text(PAGE)
    args = ["--explain", "--max-bytes", "8", "--timeout", "1", str(page), str(stream), str(tmp_path / "nope")]
    one = run_clean(args, model_dir=small_model_dir)
    three = run_clean(["--jobs", "3", *args], model_dir=small_model_dir)
    assert three.stdout == one.stdout and three.returncode == one.returncode == 1
    assert three.stderr == b"", three.stderr.decode()
    out = records(three.stdout)
    assert len(out) == 1 + 26 + 1
    assert out[0]["id"] == str(page) and out[0]["lines"] and out[-1]["error"].startswith("cannot read")
    body = out[1:-1]
    assert body[0]["lang"] == "en" and body[0]["lines"] and "City council" in body[0]["text"]
    assert body[1]["line"] == 3 and "invalid JSON" in body[1]["error"]
    assert body[2]["id"] == "big" and "over the limit" in body[2]["error"]
    assert body[3]["id"] == "slow" and "longer than 1 s" in body[3]["error"]
    assert body[4]["line"] == 7 and "neither" in body[4]["error"] and body[4]["input_error"] == "theirs"
    assert body[5]["line"] == 8 and "JSON object" in body[5]["error"]
    for i, record in enumerate(body[6:]):
        if i % 5:
            assert record["id"] == i and "text" in record
        else:
            assert record["line"] == 9 + i and "invalid JSON" in record["error"]


@needs_proc
def test_jobs_close_the_pipe_quietly_and_leave_no_workers(small_model_dir):
    """`clean --jobs 2 | head -1`: a quiet end, and no worker process left running. The
    pipeline runs in a session of its own, which its workers keep even once orphaned."""
    stream = "".join(json.dumps({"id": i, "text": ARTICLE}) + "\n" for i in range(300))
    shell = f"{sys.executable} -m cleaner.cli --jobs 2 --model {small_model_dir} | head -1"
    proc = subprocess.Popen(
        ["bash", "-o", "pipefail", "-c", shell],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        start_new_session=True,
    )
    stdout, stderr = proc.communicate(stream.encode(), timeout=120)
    assert len(stdout.splitlines()) == 1
    assert stderr == b"", stderr.decode()
    assert_session_ended(proc.pid)
