"""`clean label`: the labeling app's server, driven over HTTP as its page drives it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from cleaner.training.corpus import read_labeled_dir

PAGE = Path(__file__).with_name("pages") / "news_with_teasers_and_comments.html"
TEXT = "Home | News | Sport\n\nThe council voted for the flood wall on Tuesday evening.\nIt will cost 14 million.\n\n© 2024 Courier\n"


@pytest.fixture()
def app(tmp_path):
    from cleaner.clean import Cleaner
    from cleaner.label import LabelingSession, serve

    pages = tmp_path / "site"
    pages.mkdir()
    shutil.copy(PAGE, pages / "a_story.html")
    (pages / "b_scrape.txt").write_text(TEXT, encoding="utf-8")
    session = LabelingSession(pages, tmp_path / "labeled", Cleaner())
    server = serve(session)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", session
    server.shutdown()
    server.server_close()


def get(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read()


def post(url: str, value) -> tuple[int, dict]:
    request = urllib.request.Request(url, json.dumps(value).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_app_lists_the_pages_and_shows_the_models_labels(app):
    base, session = app
    status, body = get(base + "/")
    assert status == 200 and b"clean label" in body
    listing = json.loads(get(base + "/api/pages")[1])
    assert [p["name"] for p in listing] == ["a_story.html", "b_scrape.txt"] and not any(
        p["saved"] for p in listing
    )
    page = json.loads(get(base + "/api/page/0")[1])
    assert page["kind"] == "html" and not page["saved"]
    labels = [b["label"] for b in page["blocks"]]
    assert labels.count("title") == 1 and "body" in labels and "chrome" in labels
    assert all((b["label"] == "body") == (b["score"] >= 0.5) for b in page["blocks"] if b["label"] != "title")


def test_a_flip_is_saved_at_once_in_the_format_training_reads(app, tmp_path):
    base, session = app
    page = json.loads(get(base + "/api/page/0")[1])
    labels = [b["label"] for b in page["blocks"]]
    texts = [b["text"] for b in page["blocks"]]
    comment = next(i for i, t in enumerate(texts) if t.startswith("About time. My cellar"))
    labels[comment] = "chrome" if labels[comment] == "body" else "body"
    assert post(base + "/api/page/0", {"labels": labels}) == (200, {"saved": True})
    (doc,) = read_labeled_dir(tmp_path / "labeled", "fixtures")
    assert doc.kind == "html" and len(doc.blocks) == len(labels)
    assert [("chrome", "body", "title")[i] for i in doc.labels] == labels
    again = json.loads(get(base + "/api/page/0")[1])  # a reload shows what was saved
    assert again["saved"] and [b["label"] for b in again["blocks"]] == labels


def test_plain_text_is_saved_line_for_line(app, tmp_path):
    base, _ = app
    page = json.loads(get(base + "/api/page/1")[1])
    labels = [
        "body" if "council" in b["text"] or "million" in b["text"] else "chrome" for b in page["blocks"]
    ]
    assert post(base + "/api/page/1", {"labels": labels})[0] == 200
    saved = (tmp_path / "labeled" / "b_scrape.lines").read_text(encoding="utf-8").splitlines()
    body = [line for line in saved if line.startswith(("+ ", "- ", "= ")) or line == ""]
    assert "\n".join(line[2:] for line in body) == TEXT.rstrip("\n")  # the document, exactly
    assert "+ The council voted for the flood wall on Tuesday evening." in saved
    assert "- © 2024 Courier" in saved


def test_bad_saves_are_refused_and_write_nothing(app, tmp_path):
    base, _ = app
    assert post(base + "/api/page/0", {"labels": ["body"]})[0] == 400
    assert post(base + "/api/page/9", {"labels": []})[0] == 404
    assert not (tmp_path / "labeled").exists()


def test_the_command_serves_on_a_printed_local_address(tmp_path):
    (tmp_path / "one.html").write_text(PAGE.read_text(encoding="utf-8"), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "cleaner.cli", "label", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        line = process.stdout.readline().decode()
        assert line.startswith("clean label: http://127.0.0.1:"), line
        url = line.split()[2]
        assert get(url + "api/pages")[0] == 200
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_missing_folder_is_a_usage_error(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "cleaner.cli", "label", str(tmp_path / "nope")],
        capture_output=True,
        timeout=60,
    )
    assert run.returncode == 2 and b"not a folder" in run.stderr
