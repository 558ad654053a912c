"""`clean train` and `clean evaluate`: the maintainer's commands, kept apart from cleaning.

`cleaner.cli` imports this module only for them, and they import the training stack only
when run, so `clean` itself starts fast.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from .render import HELD_OUT_RENDERERS, RENDERERS, TRAIN_RENDERERS

log = logging.getLogger(__name__)


DEFAULT_SEEDS = Path("seeds")
DEFAULT_FIXTURES = Path("fixtures")
DEFAULT_OUT = Path("trained-model")


def _train_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clean train",
        description="Build a model from labeled data: seeds/ and fixtures/ (as in the cleaner checkout) "
        "and any --corpus. Use it with `clean --model DIR`.",
    )
    parser.add_argument(
        "--seeds",
        type=Path,
        default=None,
        help=f"folder of labeled seed documents (default: ./{DEFAULT_SEEDS}, if there is one)",
    )
    parser.add_argument(
        "--fixtures",
        type=Path,
        default=None,
        help=f"folder of labeled fixtures (default: ./{DEFAULT_FIXTURES}, if there is one)",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        default=[],
        help="a labeled corpus (WCXB layout, or page.html + page.txt pairs); repeatable",
    )
    parser.add_argument(
        "--renderers",
        nargs="+",
        default=list(TRAIN_RENDERERS),
        choices=sorted(RENDERERS),
        help="plain-text renderings of corpus pages that the text model learns from",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"the folder the model and its card go to (default: ./{DEFAULT_OUT}); it is "
        "replaced only once the new model is complete. `--out models/` rebuilds the shipped model",
    )
    return parser


def _training_data_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the data named (None: something to train on), before any training.
    Folders named on the command line must exist; the default ones may be absent."""
    for option, folder in (("--seeds", args.seeds), ("--fixtures", args.fixtures)):
        if folder is not None and not folder.is_dir():
            return f"no folder at {folder} (from {option})"
    for corpus in args.corpus:
        if not corpus.is_dir():
            return f"no corpus at {corpus} (from --corpus)"
    args.seeds = args.seeds or DEFAULT_SEEDS
    args.fixtures = args.fixtures or DEFAULT_FIXTURES
    if not args.corpus and not args.seeds.is_dir() and not args.fixtures.is_dir():
        return (
            f"no training data: no ./{DEFAULT_SEEDS} or ./{DEFAULT_FIXTURES} folder here; run it in the "
            "cleaner checkout, or pass --seeds DIR, --fixtures DIR or --corpus DIR (labeled documents)"
        )
    return None


def _evaluate_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clean evaluate",
        description="Cross-validate on a labeled corpus, grouped by site: cleaner, trafilatura and the oracle.",
    )
    parser.add_argument(
        "--corpus", type=Path, required=True, help="WCXB layout or page.html + page.txt pairs"
    )
    parser.add_argument("--seeds", type=Path, default=Path("seeds"))
    parser.add_argument("--fixtures", type=Path, default=Path("fixtures"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--max-folds", type=int, default=None, help="stop after this many folds (quick checks)"
    )
    parser.add_argument("--kinds", nargs="+", default=["html", "text"], choices=("html", "text"))
    parser.add_argument(
        "--train-renderers", nargs="+", default=list(TRAIN_RENDERERS), choices=sorted(RENDERERS)
    )
    parser.add_argument(
        "--test-renderers", nargs="+", default=list(HELD_OUT_RENDERERS), choices=sorted(RENDERERS)
    )
    parser.add_argument("--no-trafilatura", action="store_true", help="skip the trafilatura baseline")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (quick checks)")
    parser.add_argument("--output", type=Path, default=None, help="write the scores as JSON here")
    parser.add_argument("--jobs", type=int, default=1, help="run this many folds at once (processes)")
    return parser


def run_train(argv: Sequence[str]) -> int:
    """`clean train`: 0 when the model was written, 2 for nothing to train on or nowhere to put it."""
    args = _train_parser().parse_args(argv)
    problem = _training_data_problem(args)
    if problem is None:
        from .train import output_problem

        problem = output_problem(args.out)
    if problem:
        print(f"clean train: {problem}", file=sys.stderr)
        return 2
    logging.getLogger("cleaner").setLevel(logging.INFO)
    from .model_card import write_card
    from .train import OutputError, staged_output, train_and_save

    command = "clean train " + shlex.join(argv) if argv else "clean train"
    had_scores = (args.out / "scores.json").is_file()
    try:
        with staged_output(args.out) as staging:
            train_and_save(staging, args.seeds, args.fixtures, args.corpus, args.renderers, command.strip())
            write_card(staging)
    except OutputError as error:
        print(f"clean train: {error}", file=sys.stderr)
        return 2
    except ValueError as error:  # `fit` found no labeled documents of a kind in the data named
        if not str(error).startswith("no labeled "):
            raise
        print(
            f"clean train: {error}; pass --seeds, --fixtures or --corpus with labeled documents "
            "of both kinds (html and text)",
            file=sys.stderr,
        )
        return 2
    print(
        f"wrote {args.out}/ (model, runtime arrays, meta.json, MODEL_CARD.md); "
        f"use it with `clean --model {args.out}`",
        file=sys.stderr,
    )
    if had_scores:
        print(
            f"the old {args.out / 'scores.json'} measured the old model and is gone: "
            f"`clean evaluate --output {args.out / 'scores.json'}` measures this one",
            file=sys.stderr,
        )
    return 0


def trafilatura_scores(corpus_root: Path, docs) -> object:
    """trafilatura 'default' on the same pages, read again from the corpus."""
    import trafilatura

    from ..read import decode_bytes
    from .evaluate import Scores

    scores = Scores()
    for doc in docs:
        file_id = doc.name.split("/")[-1]
        html = decode_bytes(gzip.decompress((corpus_root / "html" / f"{file_id}.html.gz").read_bytes()))
        scores.add(doc, trafilatura.extract(html) or "")
    return scores


def run_evaluate(argv: Sequence[str]) -> int:
    from .corpus import read_corpus
    from .evaluate import FoldWorkerDied, cross_validate
    from .train import load_handmade

    args = _evaluate_parser().parse_args(argv)
    logging.getLogger("cleaner").setLevel(logging.INFO)
    if not args.corpus.is_dir():
        print(f"clean evaluate: no corpus at {args.corpus}", file=sys.stderr)
        return 2
    renderers = (
        list(dict.fromkeys(args.train_renderers + args.test_renderers)) if "text" in args.kinds else []
    )
    corpus = list(read_corpus(args.corpus, renderers, args.limit))
    for doc in corpus:
        renderer = doc.extra.get("renderer")
        doc.extra["for_training"] = renderer is None or renderer in args.train_renderers
    handmade = load_handmade(args.seeds, args.fixtures)
    report: dict[str, object] = {
        "corpus": args.corpus.name,
        "folds": args.folds,
        "folds_run": min(args.max_folds or args.folds, args.folds),
        "command": "clean evaluate " + shlex.join(argv),
    }
    try:
        for kind in args.kinds:
            if kind == "html":
                results = cross_validate(
                    corpus, handmade, "html", args.folds, max_folds=args.max_folds, jobs=args.jobs
                )["html"]
                report["html"] = {name: s.summary() for name, s in results.items()}
                if not args.no_trafilatura and (args.corpus / "html").is_dir():
                    tested = {row["name"] for row in results["cleaner"].rows}
                    html_docs = [d for d in corpus if d.kind == "html" and d.name in tested]
                    report["html"]["trafilatura"] = trafilatura_scores(args.corpus, html_docs).summary()
            else:
                tests = {
                    f"text:{r}": (lambda doc, r=r: doc.extra.get("renderer") == r)
                    for r in args.test_renderers
                }
                by_test = cross_validate(
                    corpus, handmade, "text", args.folds, tests, max_folds=args.max_folds, jobs=args.jobs
                )
                for name, results in by_test.items():
                    report[name] = {system: s.summary() for system, s in results.items()}
    except FoldWorkerDied as error:
        print(f"clean evaluate: {error}", file=sys.stderr)
        return 1
    text = json.dumps(report, indent=2)
    print(text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    return 0
