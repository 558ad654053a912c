"""Out-of-range options are usage errors (argparse: exit 2, a message, no records), not
silently accepted (`--threshold 2` used to return empty text with exit 0)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--threshold", "2"),
        ("--threshold", "-0.1"),
        ("--threshold", "nan"),
        ("--threshold", "half"),
        ("--jobs", "0"),
        ("--jobs", "-3"),
        ("--jobs", "1.5"),
        ("-j", "0"),
        ("--max-bytes", "-1"),
        ("--max-bytes", "inf"),
        ("--timeout", "-5"),
        ("--timeout", "nan"),
    ],
)
def test_out_of_range_option_is_a_usage_error(clean_bare, article, option, value):
    run = clean_bare(option, value, stdin=article.encode())
    assert run.code == 2
    assert run.stdout == b""
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("clean: error: argument") and value in last


@pytest.mark.parametrize(
    "args",
    [
        ["--threshold", "0"],
        ["--threshold", "1"],
        ["--threshold", "0.5"],
        ["--jobs", "1"],
        ["--max-bytes", "0"],
        ["--max-bytes", "0.5"],
        ["--timeout", "0"],
    ],
)
def test_edge_values_are_accepted(clean, article, args):
    run = clean(*args, stdin=article.encode())
    (record,) = run.records
    assert run.code == 0 and "text" in record, run.stderr
