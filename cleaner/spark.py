"""Cleaning on Apache Spark, for corpora larger than one machine.

`clean_partition` turns a partition of JSON Lines strings into cleaned JSON Lines strings,
with the same contract as the command (one output record per input line, errors as
records). The model is loaded once per worker process and reused by every task there.
`run_job` reads JSON Lines or WARC/WET paths and writes cleaned JSON Lines; `clean spark`
runs it from the command line.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path

from .clean import cached_cleaner
from .read import jsonl_lines
from .stream import Item, Options, render


def _clean_items(items: Iterable[Item], options: Options) -> Iterator[str]:
    cleaner = cached_cleaner(options.model_dir, options.threshold)
    for item in items:
        line, _ = render(cleaner, item, options)
        yield line


def clean_partition(lines: Iterable[str], options: Options = Options()) -> Iterator[str]:
    """JSON Lines in (as strings), cleaned JSON Lines out, one for one, in order."""
    encoded = (line.encode("utf-8", "surrogatepass") + b"\n" for line in lines)
    return _clean_items(jsonl_lines(encoded), options)


def clean_warc_files(files: Iterable[tuple[str, bytes]], options: Options = Options()) -> Iterator[str]:
    """(path, bytes) pairs of WARC/WET files, as `binaryFiles` gives them, to cleaned records."""
    from .read import open_input
    from .warc import read_warc

    for _, data in files:
        stream = open_input("-", io.BufferedReader(io.BytesIO(data)))
        yield from _clean_items(read_warc(stream), options)


def run_job(
    spark, inputs: list[str], output: str, input_format: str = "jsonl", options: Options = Options()
) -> None:
    """Clean JSON Lines or WARC inputs with Spark and write JSON Lines part files to `output`."""
    context = spark.sparkContext
    if input_format == "warc":
        records = context.binaryFiles(",".join(inputs)).mapPartitions(
            lambda files: clean_warc_files(files, options)
        )
    else:
        records = context.textFile(",".join(inputs)).mapPartitions(
            lambda lines: clean_partition(lines, options)
        )
    records.saveAsTextFile(output)


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="clean spark", description="Clean JSON Lines or WARC files with Spark."
    )
    parser.add_argument("inputs", nargs="+", help="input paths or globs (any Hadoop file system)")
    parser.add_argument("--output", required=True, help="output folder for the JSON Lines part files")
    parser.add_argument("--format", choices=("jsonl", "warc"), default="jsonl")
    parser.add_argument("--master", default=None, help="Spark master, e.g. local[4]; default: spark-submit's")
    parser.add_argument("--model", type=Path, default=None, help="a model directory every worker can read")
    args = parser.parse_args(argv)
    import os
    import sys

    from pyspark.sql import SparkSession

    # Local workers run this interpreter, which has cleaner installed; on a cluster, set
    # PYSPARK_PYTHON to an environment with cleaner before calling the job.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("cleaner")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    try:
        run_job(spark, args.inputs, args.output, args.format, Options(model_dir=args.model))
    finally:
        spark.stop()
    return 0
