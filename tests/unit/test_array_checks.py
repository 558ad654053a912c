"""A crafted model folder passes the SHA-256 check (its meta.json says what its hash is), so
`check_arrays` must refuse arrays that would crash, hang or mislead the scorers: each case
below is one such array, and the message has to say which and why."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cleaner.array_checks import check_arrays
from cleaner.features.context import CONTEXT_WIDTH
from cleaner.features.markup_guess import COLUMNS_PER_GUESS, GUESSES
from tests.conftest import ROOT

SHIPPED = ROOT / "models"


@pytest.fixture(scope="module")
def shipped() -> dict[str, np.ndarray]:
    with np.load(SHIPPED / "runtime.npz", allow_pickle=False) as arrays:
        return {name: arrays[name] for name in arrays.files}


@pytest.fixture
def arrays(shipped) -> dict[str, np.ndarray]:
    """A copy of the shipped arrays to craft."""
    return {name: a.copy() for name, a in shipped.items()}


def _refused(arrays: dict[str, np.ndarray], pattern: str) -> str:
    with pytest.raises(ValueError, match=pattern) as caught:
        check_arrays(arrays)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def _inner_child(arrays: dict[str, np.ndarray], kind: str = "text") -> int:
    """The left child of tree 0's root, itself an inner node."""
    child = int(arrays[f"{kind}.left"][0])
    assert arrays[f"{kind}.left"][child] != child
    return child


def _negative_feature(arrays: dict[str, np.ndarray]) -> None:
    """Tree 0's root reads column -10**9: the C loop reads 8 GB before the row."""
    arrays["text.feature"][0] = -(10**9)


def _cycle(arrays: dict[str, np.ndarray]) -> None:
    """Tree 0's root and its left child point at each other: `tree_depths` never ends."""
    arrays["text.left"][_inner_child(arrays)] = 0


def test_the_shipped_arrays_pass(shipped):
    check_arrays(shipped)


def test_negative_feature(arrays):
    _negative_feature(arrays)
    width = CONTEXT_WIDTH + len(GUESSES) * COLUMNS_PER_GUESS
    _refused(arrays, rf"text\.feature: node 0 reads column -1000000000, outside the {width} columns")


def test_feature_beyond_the_row_width(arrays):
    arrays["html.feature"][0] = CONTEXT_WIDTH  # HTML rows have no markup-guess columns
    _refused(
        arrays, rf"html\.feature: node 0 reads column {CONTEXT_WIDTH}, outside the {CONTEXT_WIDTH} columns"
    )


def test_two_inner_nodes_pointing_at_each_other(arrays):
    child = _inner_child(arrays)
    _cycle(arrays)
    _refused(arrays, rf"text\.left: node {child} points back at node 0 \(a cycle")


def test_child_in_another_tree(arrays):
    arrays["text.right"][0] = arrays["text.roots"][1] + 1
    _refused(arrays, r"text\.right: node 0 points at node \d+, outside its tree")


def test_shared_child(arrays):
    """Two parents of one node: tree_depths' frontier would double a level."""
    child = _inner_child(arrays)
    arrays["text.right"][child] = arrays["text.left"][child]
    _refused(arrays, rf"text\.left/right: node {arrays['text.left'][child]} has 2 parents")


def test_root_out_of_range(arrays):
    arrays["text.roots"][5] = 10**9
    _refused(arrays, r"text\.roots: tree 5 starts at node 1000000000, outside the \d+ nodes")


def test_roots_not_increasing(arrays):
    roots = arrays["text.roots"]
    roots[3], roots[4] = roots[4], roots[3]
    _refused(arrays, r"text\.roots: not strictly increasing at tree 4")


def test_nan_threshold(arrays):
    arrays["text.threshold"][0] = np.nan
    _refused(arrays, r"text\.threshold: entry \(0,\) is nan")


def test_inf_value(arrays):
    arrays["html.value"][-1] = np.inf
    _refused(arrays, r"html\.value: entry \(\d+,\) is inf")


def test_depth_too_small(arrays):
    arrays["text.depth"] = np.array(7)  # the deepest leaf is 8 steps down
    _refused(arrays, r"text\.depth: 7, not in 8\.\.")


def test_missing_array(arrays):
    del arrays["text.right"]
    _refused(arrays, r"text\.right: missing")


def test_float_feature_array(arrays):
    arrays["text.feature"] = arrays["text.feature"].astype(np.float64)
    _refused(arrays, r"text\.feature: dtype float64, expected signed integer")


def test_classes_out_of_range(arrays):
    arrays["text.classes"][2] = 3
    _refused(arrays, r"text\.classes: class 3 outside \[0, 3\)")


def test_code_array_of_the_wrong_width(arrays):
    arrays["text.coef_codes"] = np.ascontiguousarray(arrays["text.coef_codes"][:, :-1])
    _refused(arrays, r"text\.coef_codes: shape \(3, 262143\), expected 262144 columns")


def test_sequence_array_of_the_wrong_shape(arrays):
    arrays["html.seq_conv_w"] = np.ascontiguousarray(arrays["html.seq_conv_w"][:, :2])
    _refused(arrays, r"html\.seq_conv_w: shape \(5, 2, 32, 32\), expected \(5, 3, 32, 32\)")


def test_a_long_chain_is_measured_quickly():
    """A crafted tree of 10**5 nodes in one chain: the depth is found in log2 passes."""
    from cleaner.array_checks import _deepest

    n = 100_000
    assert _deepest(np.maximum(np.arange(n) - 1, 0)) == n - 1


# End to end: a crafted model folder with a valid SHA-256, loaded in a child process so
# that a segfault or a hang fails the test rather than pytest. These pass once the
# loader runs check_arrays.

LOAD_AND_CLEAN = """
import sys
from cleaner import Cleaner, ModelError
cleaner = Cleaner(sys.argv[1])  # should raise ModelError
cleaner.clean("A heading\\n\\nA first paragraph of some words. A second sentence follows it.\\n")
print("loaded and cleaned")
"""


def _write_model(arrays: dict[str, np.ndarray], directory: Path) -> Path:
    """A model folder of `arrays` whose meta.json records their file's SHA-256."""
    directory.mkdir()
    np.savez_compressed(directory / "runtime.npz", **arrays)
    meta = json.loads((SHIPPED / "meta.json").read_text(encoding="utf-8"))
    meta["runtime_sha256"] = hashlib.sha256((directory / "runtime.npz").read_bytes()).hexdigest()
    (directory / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return directory


def _assert_refused_in_a_child(directory: Path) -> None:
    try:
        done = subprocess.run(
            [sys.executable, "-c", LOAD_AND_CLEAN, str(directory)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("loading the crafted model hung for 60 s")
    said = done.stdout + done.stderr
    assert done.returncode == 1 and "ModelError" in said, f"exit code {done.returncode}: {said[-800:]}"


def test_a_crafted_folder_with_a_negative_feature_is_refused(arrays, tmp_path):
    _negative_feature(arrays)
    _assert_refused_in_a_child(_write_model(arrays, tmp_path / "model"))


def test_a_crafted_folder_with_a_cycle_is_refused(arrays, tmp_path):
    _cycle(arrays)
    _assert_refused_in_a_child(_write_model(arrays, tmp_path / "model"))
