"""`clean adapt`: a site layer fitted on a few labeled pages, written as a model folder that
`clean --model` uses, on top of the shipped model."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.clean import Cleaner
from cleaner.errors import ModelError
from cleaner.types import Document

NOTE = (
    "This story was produced in partnership with the Valley Reporting Collaborative, a nonprofit "
    "newsroom that is supported by readers like you in every town across the region."
)
STORIES = [
    (
        "Council approves the new flood wall",
        [
            "The council voted on Tuesday to build a higher wall along the harbour.",
            "Work will start in spring and take two years, the mayor said.",
            "Residents had asked for it since the floods of 2019.",
        ],
    ),
    (
        "Library opens on Sundays",
        [
            "From March the town library will open on Sunday afternoons.",
            "Two new staff members were hired with money from the county.",
            "The reading room gets new chairs as well.",
        ],
    ),
    (
        "Ferry cuts winter crossings",
        [
            "The ferry company will sail twice a day instead of four times from November.",
            "Fewer passengers travel in winter, the operator said.",
            "Commuters asked for an early boat to stay.",
        ],
    ),
    (
        "School roof to be replaced",
        [
            "The primary school roof will be replaced over the summer holidays.",
            "Pupils will use the sports hall for two weeks in June.",
            "The work costs 800,000 euros.",
        ],
    ),
]


def site_page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>{title}</h1><div class='story'>{body}<p class='xq-note'>{NOTE}</p></div></article>"
        "<footer><p>Valley Courier, 2024</p></footer></body></html>"
    )


@pytest.fixture(scope="module")
def adapted(tmp_path_factory) -> tuple[Path, Path]:
    """A site whose every story ends with the same partner note, which the site's labels call
    chrome: three pages labeled, the fourth held out."""
    labeled = tmp_path_factory.mktemp("site")
    for index, (title, paragraphs) in enumerate(STORIES[:3]):
        (labeled / f"p{index}.html").write_text(site_page(title, paragraphs), encoding="utf-8")
        lines = [
            "- Home",
            "- News",
            f"= {title}",
            *(f"+ {p}" for p in paragraphs),
            f"- {NOTE}",
            "- Valley Courier, 2024",
        ]
        (labeled / f"p{index}.lines").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("models") / "adapted"
    run = subprocess.run(
        [sys.executable, "-m", "cleaner.cli", "adapt", str(labeled), "--out", str(out)],
        capture_output=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr.decode()
    return labeled, out


def test_the_folder_is_a_model_that_says_what_it_was_adapted_on(adapted):
    labeled, out = adapted
    assert {p.name for p in out.iterdir()} >= {"runtime.npz", "adapter.npz", "meta.json", "MODEL_CARD.md"}
    meta = json.loads((out / "meta.json").read_text())
    assert meta["adapted_on"]["pages"] == {"html": 3} and meta["version"].endswith("+adapted")
    assert (
        "adapted to one site" in (out / "MODEL_CARD.md").read_text()
        and str(labeled) in (out / "MODEL_CARD.md").read_text()
    )


def test_the_layer_moves_the_sites_recurring_chrome_on_a_page_it_did_not_see(adapted):
    _, out = adapted
    title, paragraphs = STORIES[3]
    page = Document(site_page(title, paragraphs), "html")
    base, site = Cleaner().clean(page), Cleaner(out).clean(page)
    note_at = base.block_texts.index(NOTE)
    assert site.scores[note_at] < base.scores[note_at] - 0.2
    assert NOTE not in site.text and all(p in site.text for p in paragraphs)


def test_cleaning_with_the_adapted_model_runs_from_the_command_line(adapted):
    _, out = adapted
    page = site_page(*STORIES[3])
    run = subprocess.run(
        [sys.executable, "-m", "cleaner.cli", "--model", str(out)],
        input=json.dumps({"id": "p", "html": page}).encode() + b"\n",
        capture_output=True,
        timeout=120,
    )
    assert run.returncode == 0 and json.loads(run.stdout)["text"]
    assert Cleaner(out).clean(Document(page, "html")).model_version.endswith("+adapted")


def test_a_tampered_layer_is_refused(adapted, tmp_path):
    _, out = adapted
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    with open(copy / "adapter.npz", "ab") as handle:
        handle.write(b"x")
    with pytest.raises(ModelError, match="SHA-256"):
        Cleaner(copy)


def test_nothing_labeled_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "cleaner.cli", "adapt", str(tmp_path / "empty"), "--out", str(tmp_path / "m")],
        capture_output=True,
        timeout=120,
    )
    assert run.returncode == 2 and b"clean adapt:" in run.stderr and not (tmp_path / "m").exists()
