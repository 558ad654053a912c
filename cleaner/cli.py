"""The `clean` command: clean scrapes to JSON Lines, retrain, evaluate.

`clean [FILE ...]` cleans; `clean train` rebuilds the model; `clean evaluate` scores it on
a labeled corpus. Exit status: 0 when every record was cleaned, 1 when any record came
out as an error record, 2 for a usage or model error. A closed downstream pipe or Ctrl-C
ends quietly, with every written line a whole record.
"""

from __future__ import annotations

import os

# One document is small: threads only add start-up and contention. Set before sklearn loads.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import codecs  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
from collections.abc import Iterator, Sequence  # noqa: E402
from contextlib import closing  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import IO  # noqa: E402

from .errors import (
    InputError,
    ModelError,  # noqa: E402
)
from .progress import Progress  # noqa: E402
from .read import jsonl_lines, open_input, read_single, sniff_format  # noqa: E402
from .stream import Item, Limits, Options, clean_lines  # noqa: E402
from .warc import read_warc  # noqa: E402

SUBCOMMANDS = ("train", "evaluate", "spark")


def _clean_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clean",
        description="Keep the article body of web scrapes; write one JSON record per document. "
        "Also: `clean train` (rebuild the model), `clean evaluate` (score it on a labeled corpus).",
    )
    parser.add_argument("files", nargs="*", default=["-"], help="inputs ('-' or none: stdin); .gz is read too")
    parser.add_argument("--format", choices=("auto", "jsonl", "html", "text", "warc"), default="auto",
                        help="input format; auto decides from the first bytes of each input "
                        "(WARC and WET files, gzipped or not, are recognised too)")
    parser.add_argument("--explain", action="store_true", help="add every line with its decision and score")
    parser.add_argument("--text-only", action="store_true",
                        help="print just the clean text (one document per input only)")
    parser.add_argument("--model", type=Path, default=None,
                        help="a model directory to use instead of the shipped one. A model file is a "
                        "pickle and runs code when loaded: name only models you trust")
    parser.add_argument("--threshold", type=float, default=None, help="keep lines with at least this body probability, instead of decoding each page as a whole")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="worker processes (output stays in input order)")
    parser.add_argument("--max-bytes", type=float, default=16, metavar="MB",
                        help="documents larger than this many MB become error records (0: no limit)")
    parser.add_argument("--timeout", type=float, default=60, metavar="S",
                        help="seconds one document may take before it becomes an error record (0: no limit)")
    return parser


def iter_items(paths: Sequence[str], forced: str, stdin: IO[bytes]) -> Iterator[Item]:
    """Items from every input, in order: JSON Lines records unparsed (a worker's job with
    --jobs), WARC records and single-document inputs as documents."""
    for path in paths:
        name = None if path == "-" else path
        try:
            stream = open_input(path, stdin)
            with stream:
                head = stream.peek(4096)[:4096] if hasattr(stream, "peek") else b""
                kind = sniff_format(head) if forced == "auto" else forced
                if kind == "jsonl":
                    yield from jsonl_lines(_utf8_lines(stream, head))
                elif kind == "warc":
                    yield from read_warc(stream)
                else:
                    yield read_single(stream.read(), kind, name)  # type: ignore[arg-type]
        except (OSError, EOFError) as exc:  # unreadable file, truncated or broken gzip
            yield InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}", id=name)


def _utf8_lines(stream: IO[bytes], head: bytes):
    """JSON Lines in UTF-16 (as some Windows tools write them) re-read as UTF-8 lines."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return (line.encode("utf-8", "surrogatepass") for line in io.TextIOWrapper(stream, encoding="utf-16"))
    return stream


def run_clean(args: argparse.Namespace, stdin: IO[bytes], stdout: IO[str], stderr: IO[str] | None = None) -> int:
    options = Options(
        model_dir=args.model, threshold=args.threshold, explain=args.explain,
        limits=Limits(max_bytes=int(args.max_bytes * 1024 * 1024), timeout=args.timeout),
    )
    items = iter_items(args.files, args.format, stdin)
    if args.text_only:
        return _print_text_only(items, options, stdout)
    failed = 0
    # closing: the worker pool is shut down here, also when stdout's reader goes away.
    with (closing(clean_lines(items, options, jobs=args.jobs)) as lines,
          Progress.for_terminal(stderr or sys.stderr, stdout) as progress):
        for line, error in lines:
            failed += error
            stdout.write(line + "\n")
            stdout.flush()
            progress.update(error)
    return 1 if failed else 0


def _print_text_only(items: Iterator[Item], options: Options, stdout: IO[str]) -> int:
    """`--text-only`: the clean text of exactly one document, or a message on stderr."""
    lines = list(clean_lines(items, options))
    if len(lines) != 1:
        raise SystemExit(f"clean: --text-only takes one document, got {len(lines)}; use JSON Lines output")
    record = json.loads(lines[0][0])
    if "error" in record:
        print(f"clean: {record['error']}", file=sys.stderr)
        return 1
    stdout.write(record["text"] + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=os.environ.get("CLEANER_LOG", "WARNING"), format="clean: %(message)s")
    try:
        if argv and argv[0] in SUBCOMMANDS:
            from .training.commands import run_subcommand

            return run_subcommand(argv[0], argv[1:])
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
