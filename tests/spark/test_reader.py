"""Spark reads event files itself (``parcours.ingest.spark``): the same rows, lines and files as DuckDB's readers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import pytest

from parcours.engine import connect
from parcours.ingest.read import read_events
from parcours.ingest.spark import MALFORMED
from parcours.settings import IngestSettings

pytestmark = pytest.mark.spark

HEADER = "customer_id,ts,activity,channel,revenue"


@contextmanager
def small_splits(spark_con, size: str = "4096") -> Iterator[None]:
    """Spark cuts each file into splits of ``size`` bytes (and packs them into as many tasks)."""
    session = spark_con._session
    keys = ("spark.sql.files.maxPartitionBytes", "spark.sql.files.openCostInBytes")
    before = {k: session.conf.get(k) for k in keys}
    for key in keys:
        session.conf.set(key, size)
    try:
        yield
    finally:
        for key, value in before.items():
            session.conf.set(key, value)


def rows(raw, *columns: str) -> pd.DataFrame:
    frame = raw.table.select(*columns).to_pandas()
    return frame.sort_values(list(columns)).reset_index(drop=True)


def both(spark_con, path, settings=None):
    duck = connect()
    settings = settings or IngestSettings()
    return read_events(duck, settings, path), read_events(spark_con, settings, path)


def test_a_file_read_in_many_splits_keeps_each_rows_line(spark_con, tmp_path):
    path = tmp_path / "events.csv"
    lines = [f"c{i % 97},2024-01-{1 + i % 28:02d}T10:00:00,view page number {i},web," for i in range(3000)]
    path.write_text("\n".join([HEADER, *lines]) + "\n")
    with small_splits(spark_con):
        duck, spark = both(spark_con, path)
        read = rows(spark, "line", "file_idx", "activity")
        splits = spark_con._session.read.csv(str(path)).rdd.getNumPartitions()
    assert splits > 5
    assert read.line.tolist() == list(range(2, 3002))
    pd.testing.assert_frame_equal(read, rows(duck, "line", "file_idx", "activity"))
    assert spark.rows_in == duck.rows_in == 3000


def test_a_record_spark_cannot_split_is_one_malformed_row_with_its_text(spark_con, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("\n".join([HEADER, "a,2024-01-01T10:00:00,view,web,", "b,2024-01-01T10:00:00",
                               "c,2024-01-01T10:00:00,view,web,,extra,fields", "d,2024-01-02T10:00:00,buy,web,3"]) + "\n")
    _, spark = both(spark_con, path)
    read = rows(spark, "line", "customer_id", "raw_line", "malformed")
    bad = read[read.malformed.notna()]
    assert bad.line.tolist() == [3, 4]
    assert bad.customer_id.isna().all()  # a malformed record's fields are not used
    assert bad.raw_line.tolist() == ["b,2024-01-01T10:00:00", "c,2024-01-01T10:00:00,view,web,,extra,fields"]
    assert (bad.malformed == MALFORMED).all()
    assert spark.sources[0].malformed == 2 and spark.sources[0].rows == 4


def test_a_folder_of_csv_and_parquet_files_keeps_each_files_index_and_rows(spark_con, tmp_path):
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "a.csv").write_text(f"{HEADER}\nx,2024-01-01T10:00:00,view,web,\ny,2024-01-01T11:00:00,buy,web,5\n")
    (folder / "c.csv").write_text(f"{HEADER}\nz,2024-01-02T10:00:00,view,app,\n")
    pd.DataFrame({"customer_id": ["p", "q", "r"], "ts": ["2024-01-03T10:00:00"] * 3, "activity": ["view"] * 3,
                  "channel": ["web"] * 3, "revenue": [None, 1.0, None]}).to_parquet(folder / "b.parquet")
    duck, spark = both(spark_con, folder)
    assert [s.path for s in spark.sources] == [s.path for s in duck.sources]
    assert [s.rows for s in spark.sources] == [2, 3, 1]
    pd.testing.assert_frame_equal(rows(spark, "file_idx", "line", "customer_id"),
                                  rows(duck, "file_idx", "line", "customer_id"))


def test_a_missing_mapped_column_is_named_before_spark_reads_a_row(spark_con, tmp_path):
    from parcours.ingest.errors import EventLogSchemaError

    path = tmp_path / "events.csv"
    path.write_text("user,ts,activity\nx,2024-01-01T10:00:00,view\n")
    with pytest.raises(EventLogSchemaError, match="customer_id"):
        read_events(spark_con, IngestSettings(), path)


def test_wall_clock_times_in_a_local_zone_read_as_duckdb_reads_them(spark_con, tmp_path):
    from datetime import UTC, datetime

    from parcours.ingest.ingest import stage_rows

    path = tmp_path / "events.csv"
    times = ["2024-03-31T01:30:00", "2024-03-31T02:30:00", "2024-03-31T03:30:00",  # the spring night: 02:30 skipped
             "2024-10-27T02:30:00", "2024-10-27T03:30:00", "2024-07-01T12:00:00"]  # autumn: 02:30 repeated
    path.write_text("\n".join([HEADER, *(f"c{i},{t},view,web," for i, t in enumerate(times))]) + "\n")
    settings = IngestSettings(timezone="Europe/Paris")
    duck, spark = both(spark_con, path, settings)
    now = datetime(2030, 1, 1, tzinfo=UTC)

    def staged(raw) -> pd.DataFrame:
        frame = stage_rows(raw.table, settings, now).select("line", "ts", "_wall_clock").to_pandas()
        frame["ts"] = pd.to_datetime(frame.ts, utc=True)
        return frame.sort_values("line").reset_index(drop=True)

    on_spark = staged(spark)
    assert on_spark._wall_clock.fillna("").tolist()[:5] == ["", "skipped", "", "repeated", ""]
    assert on_spark.ts.iloc[1] == pd.Timestamp("2024-03-31T01:30:00Z")  # moved on by the change: 03:30 local
    pd.testing.assert_frame_equal(on_spark, staged(duck), check_dtype=False)


def test_a_database_table_with_spark_is_refused_with_what_to_do(spark_con):
    from parcours.ingest.errors import EventLogSchemaError

    with pytest.raises(EventLogSchemaError, match="read on the DuckDB engine.*CSV or Parquet"):
        read_events(spark_con, IngestSettings(), "postgresql://me:secret@db:5432/shop?table=events")


def test_a_long_malformed_record_is_kept_as_the_excerpt_duckdb_keeps(spark_con, tmp_path):
    from parcours.ingest.records import EXCERPT_CHARS

    path = tmp_path / "events.csv"
    long_line = "b,2024-01-01T10:00:00," + "x" * 500  # three fields of five
    path.write_text("\n".join([HEADER, "a,2024-01-01T10:00:00,view,web,", long_line]) + "\n")
    _, spark = both(spark_con, path)
    bad = rows(spark, "line", "raw_line").dropna()
    assert bad.raw_line.tolist() == [long_line[:EXCERPT_CHARS]]
