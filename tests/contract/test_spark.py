"""The Spark job on a local two-core Spark: JSON Lines and WARC round trips."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import sys

import pytest

from cleaner.clean import Cleaner
from cleaner.spark import clean_partition
from cleaner.stream import Options
from tests.contract.test_cli import ARTICLE, PAGE, records, run_clean
from tests.contract.test_warc import make_warc


def test_clean_partition_is_one_record_per_line_in_order(small_model_dir):
    lines = [json.dumps({"id": 1, "text": ARTICLE}), "{bad", json.dumps({"id": 3, "html": PAGE})]
    out = [json.loads(line) for line in clean_partition(lines, Options(model_dir=small_model_dir))]
    assert [r.get("id") for r in out] == [1, None, 3]
    assert "error" in out[1] and "City council approves" in out[2]["text"]


def test_cleaner_pickles_as_a_reference_and_loads_once_per_process(small_model_dir):
    cleaner = Cleaner(small_model_dir)
    payload = pickle.dumps(cleaner)
    assert len(payload) < 1000
    assert pickle.loads(payload) is pickle.loads(payload)


@pytest.fixture(scope="module")
def spark():
    pyspark = pytest.importorskip("pyspark", reason="PySpark is not installed: pip install -e '.[spark]'")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime on this machine: Spark needs one")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers run this interpreter
    session = (
        pyspark.sql.SparkSession.builder.master("local[2]")
        .appName("cleaner-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    yield session
    session.stop()


def _read_parts(folder) -> list[dict]:
    out = []
    for part in sorted(folder.glob("part-*")):
        out.extend(json.loads(line) for line in part.read_text().splitlines())
    return out


def test_spark_job_matches_the_command_on_json_lines(spark, small_model_dir, tmp_path):
    from cleaner.spark import run_job

    lines = [json.dumps({"id": i, "text": ARTICLE} if i % 2 else {"id": i, "html": PAGE}) for i in range(12)]
    lines[5] = "{not json"
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n")
    run_job(spark, [str(source)], str(tmp_path / "out"), "jsonl", Options(model_dir=small_model_dir))
    got = _read_parts(tmp_path / "out")
    expected = records(run_clean([str(source)], model_dir=small_model_dir).stdout)
    assert got == expected


def test_spark_job_reads_warc(spark, small_model_dir, tmp_path):
    from cleaner.spark import run_job

    (tmp_path / "warc").mkdir()
    (tmp_path / "warc" / "a.warc.gz").write_bytes(make_warc())
    run_job(
        spark, [str(tmp_path / "warc")], str(tmp_path / "out"), "warc", Options(model_dir=small_model_dir)
    )
    got = _read_parts(tmp_path / "out")
    assert [r["url"] for r in got] == ["https://example.org/a", "https://example.org/b"]
