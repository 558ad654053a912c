"""Speed of this checkout against another commit of cleaner, side by side in one run.

    python bench/versus.py REF [--pages 300] [--repeats 5] [--rounds 3]

REF (a commit, tag or branch) is checked out into a temporary worktree and its C loops are
built in place there. Both sides then clean the same sampled WCXB pages (HTML, and their
plain-text rendering made once by this checkout), each pass in a fresh child process running
that side's own `bench/bench.py --only ...`, so each side imports its own code. The sides
take turns within every round, so a slow spell of a shared machine falls on both alike; the
ratio new/old is taken within each round and the median over rounds is reported; which side
goes first alternates from round to round. Start-up
(`echo x | clean --text-only`, as `python -m cleaner.cli`) is timed the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from bench import CORPUS, prepare_inputs  # noqa: E402  (bench/ is put on the path just above)

STARTUP_RUNS = 7


def side_env(root: Path) -> dict[str, str]:
    """One thread for numeric libraries, and `root`'s cleaner first on the import path."""
    return dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", PYTHONPATH=str(root))


def docs_per_s(root: Path, key: str, inputs: Path, repeats: int) -> float:
    """One timed child of `root`'s own benchmark script."""
    cmd = [
        sys.executable,
        str(root / "bench" / "bench.py"),
        "--only",
        key,
        "--inputs",
        str(inputs),
        "--repeats",
        str(repeats),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=side_env(root), cwd=root, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])["docs_per_s"]


def startup_s(root: Path) -> float:
    """Wall time of `echo x | clean --text-only` on `root`'s code."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "cleaner.cli", "--text-only"],
        input=b"x\n",
        capture_output=True,
        env=side_env(root),
        cwd=root,
        check=True,
    )
    return time.perf_counter() - start


def checkout(ref: str, into: Path) -> Path:
    """A worktree of `ref` with its C loops built in place."""
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "-f", str(into), ref],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [sys.executable, "setup.py", "build_ext", "--inplace", "-q"],
        cwd=into,
        check=True,
        capture_output=True,
    )
    return into


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ref", help="the commit to compare with (e.g. main~3, a tag)")
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cleaner-versus-") as tmp:
        old = checkout(args.ref, Path(tmp) / "old")
        try:
            inputs = prepare_inputs(CORPUS, args.pages, True, Path(tmp))
            sides = {"old": old, "new": REPO}
            rates: dict[tuple[str, str], list[float]] = {}
            for round_number in range(1, args.rounds + 1):
                for key, kind in (("cleaner-html", "html"), ("cleaner-text", "text")):
                    order = list(sides.items())[:: 1 if round_number % 2 else -1]  # who goes first alternates
                    for name, root in order:
                        print(f"round {round_number}: {name} {key}", file=sys.stderr, flush=True)
                        rates.setdefault((name, key), []).append(
                            docs_per_s(root, key, inputs[kind], args.repeats)
                        )
            starts: dict[str, list[float]] = {name: [] for name in sides}
            for _ in range(STARTUP_RUNS):
                for name, root in sides.items():
                    starts[name].append(startup_s(root))
        finally:
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "remove", "--force", str(old)], capture_output=True
            )
    print(
        f"old = {args.ref}, new = this checkout; {args.pages} WCXB pages, {args.rounds} rounds x "
        f"{args.repeats} passes\n"
    )
    print("| input | old docs/s | new docs/s | new/old (median of per-round ratios) |")
    print("|---|---:|---:|---:|")
    for key in ("cleaner-html", "cleaner-text"):
        old_rates, new_rates = rates[("old", key)], rates[("new", key)]
        ratio = statistics.median(n / o for n, o in zip(new_rates, old_rates))
        print(
            f"| {key.split('-')[1]} | {statistics.median(old_rates):,.0f} | {statistics.median(new_rates):,.0f} "
            f"| {ratio:.3f} |"
        )
    old_start, new_start = statistics.median(starts["old"]), statistics.median(starts["new"])
    print(
        f"| start-up (s, median of {STARTUP_RUNS}) | {old_start:.3f} | {new_start:.3f} "
        f"| {new_start / old_start:.3f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
