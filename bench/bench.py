"""Speed benchmark: cleaner against trafilatura, jusText and Resiliparse on the same pages.

Run from the repository root:

    python bench/bench.py --pages 300 --repeats 5 [--systems cleaner,trafilatura] [--json out.json]

The parent process samples the WCXB dev corpus, renders the plain-text input once, then
runs each system in its own child process (this script with the hidden `--only SYSTEM`),
one after another, so that every system's peak RSS is its own. A child does one warm-up
pass and `--repeats` timed passes over the sample and prints its numbers as JSON.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

# One process, one core: keep numpy/BLAS/OpenMP from starting thread pools.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "wcxb-dev"
PACKAGES = ("cleaner", "trafilatura", "justext", "resiliparse", "selectolax", "lxml", "scikit-learn", "numpy")
STARTUP_RUNS = 5
STARTUP_DOC = (
    "Home | News | Sport | Weather\n\n"
    "Local library extends opening hours\n\n"
    "The town library will open until nine in the evening from next month, the council said "
    "on Tuesday, after a survey found that most readers wanted to visit after work.\n\n"
    "The change costs little, because volunteers have offered to staff the late shifts.\n\n"
    "Share this article | Privacy policy | Contact us\n"
)

Extractor = Callable[[str], str]


@dataclass(frozen=True)
class System:
    """One row of the table: an extractor run on one kind of input."""

    key: str  # what --systems and --only take
    name: str  # the tool, as shown in the table
    input: str  # "html" or "text"


SYSTEMS = (
    System("cleaner-html", "cleaner", "html"),
    System("cleaner-warm", "cleaner, warm caches", "html"),
    System("trafilatura", "trafilatura", "html"),
    System("justext", "jusText", "html"),
    System("resiliparse", "Resiliparse", "html"),
    System("cleaner-text", "cleaner", "text"),
    System("keep-all-text", "keep everything", "text"),
)
BY_KEY = {s.key: s for s in SYSTEMS}


# ---------------------------------------------------------------- pages


def sample_paths(corpus: Path, pages: int) -> list[Path]:
    """Every k-th file of the sorted corpus (k = total / pages), so the sample spans it all."""
    files = sorted((corpus / "html").glob("*.html.gz"))
    if pages >= len(files):
        return files
    return [files[i * len(files) // pages] for i in range(pages)]


def read_page(path: Path) -> str:
    """A gzipped HTML page decoded as UTF-8, bad bytes replaced."""
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def render_texts(htmls: list[str]) -> list[str]:
    """The plain-text input: cleaner's browser-copy-like rendering of each page."""
    from cleaner.training.render import render_blocks

    return [render_blocks(html) for html in htmls]


def prepare_inputs(corpus: Path, pages: int, need_text: bool, out_dir: Path) -> dict[str, Path]:
    """Write the sampled HTML (and its text rendering) to JSON files the children read."""
    htmls = [read_page(p) for p in sample_paths(corpus, pages)]
    files = {"html": out_dir / "html.json"}
    files["html"].write_text(json.dumps(htmls), encoding="utf-8")
    if need_text:
        files["text"] = out_dir / "text.json"
        files["text"].write_text(json.dumps(render_texts(htmls)), encoding="utf-8")
    return files


# ---------------------------------------------------------------- extractors


def make_extractor(key: str, model: Path | None = None) -> Extractor:
    """Build one system's page -> text function; model and stop-list loading happen here."""
    if key in ("cleaner-html", "cleaner-warm", "cleaner-text"):
        from cleaner.clean import Cleaner, clear_caches
        from cleaner.types import Document

        cleaner = Cleaner(model)  # None: the shipped model
        kind = "text" if key == "cleaner-text" else "html"

        def run_cleaner(page: str) -> str:
            return cleaner.clean(Document(content=page, kind=kind)).text

        if key != "cleaner-warm":  # every pass meets the pages as new
            run_cleaner.before_pass = clear_caches
        return run_cleaner
    if key == "trafilatura":
        import trafilatura

        return lambda page: trafilatura.extract(page) or ""
    if key == "justext":
        import justext

        stoplist = justext.get_stoplist("English")

        def run_justext(page: str) -> str:
            paragraphs = justext.justext(page, stoplist)
            return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)

        return run_justext
    if key == "resiliparse":
        from resiliparse.extract.html2text import extract_plain_text

        return lambda page: extract_plain_text(page, main_content=True)
    if key == "keep-all-text":
        return lambda page: page
    raise ValueError(f"unknown system {key!r}")


def one_pass(extract: Extractor, pages: list[str]) -> tuple[float, int]:
    """Run the extractor over every page; the wall time and how many pages raised."""
    errors = 0
    before_pass = getattr(extract, "before_pass", None)
    if before_pass is not None:
        before_pass()
    start = time.perf_counter()
    for page in pages:
        try:
            extract(page)
        except Exception:  # a failing page counts, it does not stop the run
            errors += 1
    return time.perf_counter() - start, errors


def maxrss_mb() -> float:
    """ru_maxrss in MB (KB on Linux, bytes on macOS).

    On Linux it also counts the parent's RSS at the time of the spawn (the kernel keeps the
    pre-exec high-water mark), so a child's own peak is read from VmHWM where there is one.
    """
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1e6 if sys.platform == "darwin" else rss / 1024


def peak_rss_mb() -> float:
    """This process's own peak resident set size in MB: VmHWM on Linux, else ru_maxrss."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return maxrss_mb()


def run_only(key: str, inputs: Path, repeats: int, model: Path | None = None) -> dict[str, Any]:
    """The child's job: load its input, build the system, warm up, time `repeats` passes."""
    system = BY_KEY[key]
    pages: list[str] = json.loads(inputs.read_text(encoding="utf-8"))
    total_bytes = sum(len(p.encode("utf-8")) for p in pages)
    rss_inputs = peak_rss_mb()
    extract = make_extractor(key, model)
    one_pass(extract, pages)  # warm-up, not counted
    runs = [one_pass(extract, pages) for _ in range(repeats)]
    times = [t for t, _ in runs]
    median = statistics.median(times)
    return {
        "system": key,
        "name": system.name,
        "input": system.input,
        "pages": len(pages),
        "bytes": total_bytes,
        "repeats": repeats,
        "times_s": times,
        "median_s": median,
        "docs_per_s": len(pages) / median,
        "mb_per_s": total_bytes / 1e6 / median,
        "errors_per_pass": runs[-1][1],
        "rss_inputs_mb": rss_inputs,
        "ru_maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "ru_maxrss_mb": maxrss_mb(),
        "peak_rss_mb": peak_rss_mb(),
    }


# ---------------------------------------------------------------- parent


def child_env() -> dict[str, str]:
    """The environment of every child: single-threaded numeric libraries, repo importable."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def run_child(key: str, inputs: Path, repeats: int, model: Path | None) -> dict[str, Any] | str:
    """Run one system in a fresh interpreter: its JSON result, or why it failed."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--only",
        key,
        "--inputs",
        str(inputs),
        "--repeats",
        str(repeats),
    ]
    if model is not None:
        cmd += ["--model", str(model)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env(), cwd=REPO)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return f"exit status {proc.returncode}: {last}"
    return json.loads(lines[-1])


def measure_startup(model: Path | None, runs: int = STARTUP_RUNS) -> dict[str, Any]:
    """Wall time of `clean --format text` on one small document, median of `runs`."""
    cmd = [sys.executable, "-m", "cleaner.cli", "--format", "text"]
    if model is not None:
        cmd += ["--model", str(model)]
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(
            cmd, input=STARTUP_DOC, capture_output=True, text=True, env=child_env(), cwd=REPO
        )
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
            return {"command": " ".join(cmd[1:]), "error": f"exit status {proc.returncode}: {last}"}
    return {"command": " ".join(cmd[1:]), "times_s": times, "median_s": statistics.median(times)}


def environment() -> dict[str, Any]:
    """Python, platform and package versions."""
    versions: dict[str, str] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "packages": versions,
    }


def merge_rounds(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One system's row from its rounds: the median over all timed passes of all rounds."""
    row = dict(rounds[0])
    times = [t for r in rounds for t in r["times_s"]]
    median = statistics.median(times)
    row.update(
        times_s=times,
        median_s=median,
        docs_per_s=row["pages"] / median,
        mb_per_s=row["bytes"] / 1e6 / median,
        round_docs_per_s=[r["docs_per_s"] for r in rounds],
        peak_rss_mb=max(r["peak_rss_mb"] for r in rounds),
        errors_per_pass=max(r["errors_per_pass"] for r in rounds),
    )
    return row


def add_ratios(results: list[dict[str, Any]]) -> None:
    """Each row's docs/s over trafilatura's (HTML): the median of the ratios taken within
    each round. Text rows are compared with trafilatura on HTML, and labelled as such."""
    base = next((r["round_docs_per_s"] for r in results if r["system"] == "trafilatura"), None)
    for r in results:
        r["ratio_to_trafilatura_html"] = (
            statistics.median(own / other for own, other in zip(r["round_docs_per_s"], base))
            if base
            else None
        )


def num(x: float) -> str:
    """A rate with a sensible number of decimals, thousands separated."""
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def ratio_cell(r: dict[str, Any]) -> str:
    """The ratio column's text for one row."""
    ratio = r["ratio_to_trafilatura_html"]
    if ratio is None:
        return "n/a"
    return f"{num(ratio)}×" + (" (vs traf. HTML)" if r["input"] == "text" else "")


def table(results: list[dict[str, Any]]) -> str:
    """The Markdown table of all rows."""
    lines = [
        "| system | input | docs/s (median) | MB/s | ratio to trafilatura | peak RSS MB |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['input']} | {num(r['docs_per_s'])} | {num(r['mb_per_s'])} "
            f"| {ratio_cell(r)} | {r['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def targets(results: list[dict[str, Any]], startup: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The speed and memory targets, each PASS, FAIL or SKIP (when its rows were not run)."""
    by = {r["system"]: r for r in results}
    html, text, traf = by.get("cleaner-html"), by.get("cleaner-text"), by.get("trafilatura")
    cleaner_rows = [r for r in (html, text) if r]
    checks: list[tuple[str, float | None, bool | None]] = [
        (
            "cleaner HTML >= 5x trafilatura docs/s",
            html["ratio_to_trafilatura_html"] if html and traf else None,
            html["ratio_to_trafilatura_html"] >= 5 if html and traf else None,
        ),
        (
            "cleaner text >= 500 docs/s",
            text["docs_per_s"] if text else None,
            text["docs_per_s"] >= 500 if text else None,
        ),
        (
            "cleaner peak RSS < 300 MB",
            max(r["peak_rss_mb"] for r in cleaner_rows) if cleaner_rows else None,
            max(r["peak_rss_mb"] for r in cleaner_rows) < 300 if cleaner_rows else None,
        ),
        (
            "start-up < 1 s",
            startup.get("median_s") if startup else None,
            startup.get("median_s", float("inf")) < 1 if startup else None,
        ),
    ]
    return [
        {"target": name, "value": value, "status": "SKIP" if ok is None else ("PASS" if ok else "FAIL")}
        for name, value, ok in checks
    ]


def parse_systems(spec: str) -> list[str]:
    """`all`, or a comma list of keys or tool names (`cleaner` selects both cleaner rows)."""
    if spec == "all":
        return [s.key for s in SYSTEMS]
    wanted = {w.strip().lower() for w in spec.split(",") if w.strip()}
    keys = [
        s.key for s in SYSTEMS if s.key in wanted or s.name.lower() in wanted or s.key.split("-")[0] in wanted
    ]
    unknown = {
        w for w in wanted if not any(w in (s.key, s.name.lower(), s.key.split("-")[0]) for s in SYSTEMS)
    }
    if unknown or not keys:
        choices = ", ".join(s.key for s in SYSTEMS)
        print(f"bench: unknown system(s) {sorted(unknown)}; choose from: {choices}", file=sys.stderr)
        raise SystemExit(2)
    return keys


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options (`--only` and `--inputs` are for the child processes)."""
    p = argparse.ArgumentParser(description="Speed benchmark: cleaner vs trafilatura, jusText, Resiliparse.")
    p.add_argument("--pages", type=int, default=300, help="pages sampled from the corpus (default 300)")
    p.add_argument("--repeats", type=int, default=5, help="timed passes per system and round (default 5)")
    p.add_argument(
        "--rounds", type=int, default=3, help="rounds, each running every system in turn (default 3)"
    )
    p.add_argument(
        "--systems",
        default="all",
        help="comma list of: " + ", ".join(s.key for s in SYSTEMS) + " (default all)",
    )
    p.add_argument("--json", type=Path, default=None, help="write all numbers to this JSON file")
    p.add_argument(
        "--model", type=Path, default=None, help="cleaner model directory (default: the shipped model)"
    )
    p.add_argument(
        "--jobs",
        type=lambda v: [int(x) for x in v.split(",") if x],
        default=[1, 2],
        help="worker counts for the `clean --jobs` speed-up (default 1,2; empty to skip)",
    )
    p.add_argument(
        "--jobs-copies",
        type=int,
        default=1,
        metavar="K",
        help="the `clean --jobs` stream holds the sampled pages K times over (default 1): "
        "a longer stream shows the speed-up past the command's start-up",
    )
    p.add_argument(
        "--corpus",
        type=Path,
        default=CORPUS,
        help="a corpus in the WCXB layout (default ../shared/wcxb-dev; ../shared/dragnet for news and blog pages)",
    )
    p.add_argument("--only", choices=sorted(BY_KEY), help=argparse.SUPPRESS)
    p.add_argument("--inputs", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if min(args.pages, args.repeats, args.rounds, args.jobs_copies) < 1:
        p.error("--pages, --repeats, --rounds and --jobs-copies must be at least 1")
    return args


def child_main(args: argparse.Namespace) -> int:
    """`--only SYSTEM`: time one system and print its result as one JSON line."""
    kind = BY_KEY[args.only].input
    if args.inputs is not None:
        inputs = args.inputs / f"{kind}.json" if args.inputs.is_dir() else args.inputs
        print(json.dumps(run_only(args.only, inputs, args.repeats, args.model)))
        return 0
    with tempfile.TemporaryDirectory(prefix="cleaner-bench-") as tmp:  # run by hand
        inputs = prepare_inputs(args.corpus, args.pages, kind == "text", Path(tmp))[kind]
        print(json.dumps(run_only(args.only, inputs, args.repeats, args.model)))
    return 0


def measure_jobs(
    html_inputs: Path, jobs: list[int], repeats: int, model: Path | None, copies: int = 1
) -> list[dict[str, Any]]:
    """Wall time of `clean --jobs N` over the sampled pages (`copies` times over) as one JSON
    Lines stream.

    The whole command is timed (start-up, reading, writing). Each repeat runs every N in
    turn, so a busy spell of a shared machine falls on all of them alike; docs/s is the
    median over repeats, and the speed-up of N over N=1 is the median of the ratios taken
    within each repeat.
    """
    pages = json.loads(html_inputs.read_text(encoding="utf-8")) * copies
    stream = "".join(json.dumps({"id": i, "html": page}) + "\n" for i, page in enumerate(pages)).encode()
    times: dict[int, list[float]] = {n: [] for n in jobs}
    for _ in range(repeats):
        for n in jobs:
            cmd = [sys.executable, "-m", "cleaner.cli", "--jobs", str(n)]
            if model is not None:
                cmd += ["--model", str(model)]
            start = time.perf_counter()
            proc = subprocess.run(
                cmd,
                input=stream,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=child_env(),
                cwd=REPO,
            )
            times[n].append(time.perf_counter() - start)
            if proc.returncode not in (0, 1):
                return [{"jobs": n, "error": proc.stderr.decode()[-300:]}]
    rows: list[dict[str, Any]] = []
    for n in jobs:
        median = statistics.median(times[n])
        rows.append(
            {
                "jobs": n,
                "times_s": times[n],
                "median_s": median,
                "docs_per_s": len(pages) / median,
                "speedup": statistics.median(t1 / tn for t1, tn in zip(times[jobs[0]], times[n])),
            }
        )
    return rows


def run_all(args: argparse.Namespace, keys: list[str]) -> tuple[int, list[dict[str, Any]], dict[str, str]]:
    """Sample and render the pages once, then run each system's child in turn."""
    results: list[dict[str, Any]] = []
    failures: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="cleaner-bench-") as tmp:
        need_text = any(BY_KEY[k].input == "text" for k in keys)
        inputs = prepare_inputs(args.corpus, args.pages, need_text, Path(tmp))
        pages = len(json.loads(inputs["html"].read_text(encoding="utf-8")))
        print(
            f"corpus: {args.corpus} ({pages} pages sampled), repeats: {args.repeats} "
            f"(+1 warm-up) in each of {args.rounds} rounds, one system per child process; "
            "each round runs every system in turn\n",
            flush=True,
        )
        # Rounds take turns, so a slow spell of a shared machine falls on every system
        # alike, and each ratio is taken within a round.
        outcomes: dict[str, list[dict[str, Any]]] = {key: [] for key in keys}
        for round_number in range(1, args.rounds + 1):
            for key in keys:
                if key in failures:
                    continue
                print(f"  round {round_number}: running {key} ...", file=sys.stderr, flush=True)
                outcome = run_child(key, inputs[BY_KEY[key].input], args.repeats, args.model)
                if isinstance(outcome, str):
                    failures[key] = outcome
                else:
                    outcomes[key].append(outcome)
        results = [merge_rounds(rounds) for key, rounds in outcomes.items() if rounds and key not in failures]
        if args.jobs and "cleaner-html" in keys:
            print("  running clean --jobs ...", file=sys.stderr, flush=True)
            args.jobs_results = measure_jobs(
                inputs["html"], args.jobs, args.repeats, args.model, args.jobs_copies
            )
    add_ratios(results)
    return pages, results, failures


def print_report(
    results: list[dict[str, Any]],
    failures: dict[str, str],
    startup: dict[str, Any] | None,
    checks: list[dict[str, Any]],
) -> None:
    """The table, notes, start-up time and target lines, on stdout."""
    print(table(results))
    print(
        "\nratio = median over rounds of (system's docs/s / trafilatura's docs/s on HTML) in the "
        "same round (text rows are compared with trafilatura on HTML: it takes no text input)."
    )
    for r in results:
        if r["errors_per_pass"]:
            print(f"note: {r['name']} ({r['input']}) raised on {r['errors_per_pass']} of {r['pages']} pages")
    for key, why in failures.items():
        print(f"FAILED to run {key}: {why}")
    if startup and "error" in startup:
        print(f"\nstart-up: `{startup['command']}` FAILED: {startup['error']}")
    elif startup:
        print(
            f"\nstart-up: `{startup['command']}` on one small document: "
            f"{startup['median_s'] * 1000:.0f} ms (median of {len(startup['times_s'])})"
        )
    print()
    for c in checks:
        value = (
            f" ({c['value']:.2f})"
            if c["value"] is not None
            else (" (did not run)" if c["status"] == "FAIL" else "")
        )
        print(f"{c['status']}: {c['target']}{value}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))  # the repository's cleaner, not an installed copy
    if args.only:
        return child_main(args)
    if not (args.corpus / "html").is_dir() or not any((args.corpus / "html").glob("*.html.gz")):
        print(
            f"bench: WCXB dev corpus not found at {args.corpus} (expected html/NNNN.html.gz); "
            "put it at ../shared/wcxb-dev relative to the repository root.",
            file=sys.stderr,
        )
        return 2
    keys = parse_systems(args.systems)

    env = environment()
    print(
        f"python {env['python']} ({env['implementation']}) on {env['platform']}, "
        f"{env['cpu_count']} CPUs; OMP_NUM_THREADS=1 in children"
    )
    print("packages: " + ", ".join(f"{k} {v}" for k, v in env["packages"].items()))
    print(f"cleaner model: {args.model or 'shipped'}")

    pages, results, failures = run_all(args, keys)
    startup = measure_startup(args.model) if any(k.startswith("cleaner") for k in keys) else None
    checks = targets(results, startup)
    print_report(results, failures, startup, checks)
    jobs_results = getattr(args, "jobs_results", [])
    if jobs_results:
        docs = pages * args.jobs_copies
        print(
            f"\n| `clean --jobs N` (whole command, HTML stream of {docs} docs) | docs/s (median) "
            f"| speed-up vs N={jobs_results[0]['jobs']} |"
        )
        print("|---|---:|---:|")
        for row in jobs_results:
            if "error" in row:
                print(f"| {row['jobs']} | FAILED: {row['error']} | |")
            else:
                print(f"| {row['jobs']} | {num(row['docs_per_s'])} | {row['speedup']:.2f}× |")

    if args.json:
        report = {
            "environment": env,
            "corpus": str(args.corpus),
            "pages": pages,
            "repeats": args.repeats,
            "model": str(args.model) if args.model else None,
            "results": results,
            "failures": failures,
            "startup": startup,
            "targets": checks,
            "jobs": jobs_results,
            "jobs_copies": args.jobs_copies,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 1 if failures or (startup and "error" in startup) else 0


if __name__ == "__main__":
    sys.exit(main())
