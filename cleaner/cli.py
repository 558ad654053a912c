"""The `clean` command: clean scrapes to JSON Lines, retrain, evaluate, run on Spark.

`clean [FILE ...]` cleans; `clean NAME ...`, where NAME is the first argument and one of
SUBCOMMANDS, runs that subcommand instead (`clean train`, `clean evaluate`, `clean spark`).
Exit status: 0 when every record was cleaned, 1 when any record came out as an error
record, 2 for a usage or model error. A closed downstream pipe or Ctrl-C ends quietly,
with every written line a whole record.

Start-up counts (a shell loop may run `clean` once per page): this module imports only
what cleaning needs, and each subcommand's module is imported when it is asked for.
"""

from __future__ import annotations

import argparse
import codecs
import importlib
import io
import logging
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import IO

from . import __version__
from .errors import STDIN_NAME, InputError, ModelError
from .progress import Progress
from .read import (
    BINARY_SNIFF_BYTES,
    binary_file_error,
    jsonl_lines,
    looks_binary,
    open_input,
    read_single,
    sniff_format,
)
from .schemas import SCHEMAS
from .stream import MIB, Item, Limits, Options, clean_lines

# `clean NAME ...`: the subcommand NAME -> (module, function taking the remaining arguments,
# the line `clean --help` shows for it).
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "train": (
        "cleaner.training.commands",
        "run_train",
        "rebuild the model from labeled data (seeds/, fixtures/, --corpus)",
    ),
    "evaluate": ("cleaner.training.commands", "run_evaluate", "cross-validate the model on a labeled corpus"),
    "adapt": ("cleaner.training.adapt", "run_adapt", "fit a site layer on a few labeled pages (seconds)"),
    "label": (
        "cleaner.label",
        "run_label",
        "label a folder of pages in the browser (127.0.0.1), saved as you go",
    ),
    "view": ("cleaner.view", "run_view", "write an HTML page showing each block kept or dropped, and why"),
    "spark": ("cleaner.spark", "main", "clean JSON Lines or WARC files on Apache Spark (needs pyspark)"),
}


def _number_in(kind: Callable[[str], float], low: float, high: float = math.inf, what: str = ""):
    """An argparse type: a number within [low, high]; anything else is a usage error (exit 2)."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {'a whole number' if kind is int else 'a number'}"
            ) from None
        if not (low <= value <= high) or (kind is float and not math.isfinite(value)):
            raise argparse.ArgumentTypeError(f"{text!r} is out of range: {what}")
        return value

    return parse


def _clean_parser() -> argparse.ArgumentParser:
    epilog = (
        "subcommands (the first argument names one; `clean NAME --help` for its options):\n"
        + "\n".join(f"  clean {name:<10} {line}" for name, (_, _, line) in SUBCOMMANDS.items())
        + "\n\nA file named like a subcommand is read as `clean ./train`."
    )
    parser = argparse.ArgumentParser(
        prog="clean",
        description="Keep the article body of web scrapes; write one JSON record per document.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files", nargs="*", default=["-"], help="inputs ('-' or none: stdin); .gz is read too"
    )
    parser.add_argument(
        "--format",
        choices=("auto", "jsonl", "html", "text", "warc"),
        default="auto",
        help="input format; auto decides from the first bytes of each input "
        "(WARC and WET files, gzipped or not, are recognised too; binary files are refused)",
    )
    parser.add_argument("--explain", action="store_true", help="add every line with its decision and score")
    parser.add_argument(
        "--text-only",
        action="store_true",
        help="print just the clean text of the one document given (more than one is a usage error)",
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help="a model directory (from `clean train`) to use instead of the shipped one. Cleaning "
        "reads only its runtime.npz (numpy arrays, no pickle), after checking it against the SHA-256 "
        "in its meta.json and every index its scorers follow",
    )
    parser.add_argument(
        "--threshold",
        type=_number_in(float, 0.0, 1.0, "a probability from 0 to 1"),
        default=None,
        help="keep lines with at least this body probability (0 to 1), instead of "
        "decoding each page as a whole",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=_number_in(int, 1, what="at least 1"),
        default=1,
        help="worker processes (output stays in input order)",
    )
    parser.add_argument(
        "--max-bytes",
        type=_number_in(float, 0.0, what="0 (no limit) or more"),
        default=16,
        metavar="MiB",
        help="documents larger than this many MiB become error records (default 16 MiB; 0: no limit)",
    )
    parser.add_argument(
        "--timeout",
        type=_number_in(float, 0.0, what="0 (no limit) or more"),
        default=60,
        metavar="S",
        help="seconds one document may take before it becomes an error record (0: no limit)",
    )
    parser.add_argument(
        "--schema",
        choices=SCHEMAS,
        default="cleaner",
        help="the output record: cleaner's own (default), or Dolma's {id, text, source, added, created, metadata}",
    )
    parser.add_argument("--version", action="version", version=f"clean {__version__}")
    return parser


def iter_items(paths: Sequence[str], forced: str, stdin: IO[bytes]) -> Iterator[Item]:
    """Items from every input, in order: JSON Lines records unparsed (a worker's job with
    --jobs), WARC records and single-document inputs as documents. With several inputs, the
    records of a JSON Lines or WARC input carry its name, so that their error records can say
    which input they came from (a single document's id is its file's name anyway)."""
    for path in paths:
        name = None if path == "-" else path
        source = (name or STDIN_NAME) if len(paths) > 1 else None
        try:
            stream = open_input(path, stdin)
            with stream:
                head = stream.peek(4096)[:4096] if hasattr(stream, "peek") else b""
                kind = sniff_format(head) if forced == "auto" else forced
                if kind == "jsonl":
                    yield from jsonl_lines(_utf8_lines(stream, head), source=source)
                elif kind == "warc":
                    from .warc import read_warc  # FastWARC only for WARC input

                    yield from read_warc(stream, source=source)
                else:
                    data = stream.read()
                    if forced == "auto" and looks_binary(data[:BINARY_SNIFF_BYTES]):
                        yield binary_file_error(name)
                    else:
                        yield read_single(data, kind, name)  # type: ignore[arg-type]
        except (OSError, EOFError) as exc:  # unreadable file, truncated or broken gzip
            yield InputError(
                f"cannot read {name or STDIN_NAME}: {getattr(exc, 'strerror', None) or exc}", id=name
            )


def _utf8_lines(stream: IO[bytes], head: bytes):
    """JSON Lines in UTF-16 (as some Windows tools write them) re-read as UTF-8 lines."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return (line.encode("utf-8", "surrogatepass") for line in io.TextIOWrapper(stream, encoding="utf-16"))
    return stream


def run_clean(
    args: argparse.Namespace, stdin: IO[bytes], stdout: IO[str], stderr: IO[str] | None = None
) -> int:
    options = Options(
        model_dir=args.model,
        threshold=args.threshold,
        explain=args.explain,
        limits=Limits(max_bytes=int(args.max_bytes * MIB), timeout=args.timeout),
        schema=args.schema,
    )
    items = iter_items(args.files, args.format, stdin)
    stderr = stderr or sys.stderr
    if args.text_only:
        return _print_text_only(items, options, stdout, stderr)
    failed = 0
    # closing: the worker pool is shut down here, also when stdout's reader goes away.
    with (
        closing(clean_lines(items, options, jobs=args.jobs)) as lines,
        Progress.for_terminal(stderr, stdout) as progress,
    ):
        for line, error in lines:
            failed += error
            stdout.write(line + "\n")
            stdout.flush()
            progress.update(error)
    return 1 if failed else 0


def _print_text_only(items: Iterator[Item], options: Options, stdout: IO[str], stderr: IO[str]) -> int:
    """`--text-only`: the clean text of exactly one document. A second document is a usage
    error, found before anything is cleaned; an error record is a message on stderr."""
    from .clean import cached_cleaner
    from .stream import clean_record

    with closing(items):
        first = next(items, None)
        if first is None:
            print("clean: --text-only: the input holds no document", file=stderr)
            return 1
        if next(items, None) is not None:
            print(
                "clean: --text-only takes one document, and the input holds more; "
                "leave out --text-only for JSON Lines, one record per document",
                file=stderr,
            )
            return 2
    record = clean_record(cached_cleaner(options.model_dir, options.threshold), first, options)
    if "error" in record:
        print(f"clean: {record['error']}", file=stderr)
        return 1
    text = record["text"]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a JSON escape: U+FFFD, as a UTF-8 reader shows them
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    stdout.write(text + "\n")
    return 0


def _run_subcommand(name: str, argv: list[str]) -> int:
    module, function, _ = SUBCOMMANDS[name]
    try:
        return getattr(importlib.import_module(module), function)(argv)
    except ModuleNotFoundError as exc:
        if exc.name != "pyspark":
            raise
        print("clean: `clean spark` needs PySpark: pip install 'cleaner[spark]'", file=sys.stderr)
        return 2


def _one_thread_per_process() -> None:
    """Cleaning's matrix work is small, a page at a time: a BLAS or OpenMP thread pool only
    costs start-up (a fifth of numpy's import) and fights `--jobs`' worker processes. Set
    before numpy is first imported (the package imports it lazily); the user's own
    settings win."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _one_thread_per_process()
    logging.basicConfig(level=os.environ.get("CLEANER_LOG", "WARNING"), format="clean: %(message)s")
    try:
        if argv and argv[0] in SUBCOMMANDS:
            return _run_subcommand(argv[0], argv[1:])
        args = _clean_parser().parse_args(argv)
        if hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(encoding="utf-8")  # JSON Lines is UTF-8 whatever the locale
        # A stdin object of our own: with --jobs a thread reads it, and may be in a read when
        # the interpreter closes sys.stdin at exit (a fatal error for a buffered stream).
        stdin = open(sys.stdin.fileno(), "rb", closefd=False)
        return run_clean(args, stdin, sys.stdout)
    except ModelError as exc:
        print(f"clean: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (e.g. `| head -1`): stop quietly, and keep Python from
        # complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
