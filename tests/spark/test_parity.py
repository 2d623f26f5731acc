"""The relational stages give the same results on Spark (local mode) as on DuckDB, on the demo log.

Each test builds one library expression on both engines over the same Parquet file and compares the
results row for row. Spark returns naive UTC timestamps where DuckDB returns aware ones; that is the
only normalisation made.
"""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from parcours.engine import connect
from parcours.ingest.ingest import drop_duplicates, stage_rows
from parcours.ingest.resolve import settled
from parcours.instances import customer_ranges, journey_instances, journey_instances_in_passes
from parcours.mining.discovery import directly_follows, variants
from parcours.value.rfm import default_landmark, rfm_summary
from tests.spark.conftest import NOW

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def duck_con():
    con = connect()
    yield con
    con.disconnect()


def on_both(duck_con, spark_con, path, build) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``build(table)`` over the Parquet file at ``path``, on DuckDB and on Spark, as pandas frames."""
    return (_normalised(build(duck_con.read_parquet(str(path))).to_pandas()),
            _normalised(build(spark_con.read_parquet(str(path))).to_pandas()))


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            out[column] = values.dt.tz_localize("UTC") if values.dt.tz is None else values.dt.tz_convert("UTC")
            out[column] = out[column].astype("datetime64[us, UTC]")
        elif values.dtype == object and values.map(lambda v: hasattr(v, "__len__") and not isinstance(v, str)).any():
            out[column] = values.map(lambda v: None if v is None else " | ".join(map(str, v)))
    return out


def assert_same(duck: pd.DataFrame, spark: pd.DataFrame, key: list[str]) -> None:
    assert len(duck) > 0
    assert sorted(duck.columns) == sorted(spark.columns)
    order = [*key, *[c for c in duck.columns if c not in key]]
    duck = duck[order].sort_values(key).reset_index(drop=True)
    spark = spark[order].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(duck, spark, check_dtype=False, rtol=1e-9, atol=1e-9)


def test_ingest_classifies_stitches_and_deduplicates_alike(duck_con, spark_con, demo_files, demo_conf):
    identities = demo_files.identities

    def clean(raw: ibis.Table) -> ibis.Table:
        staged = stage_rows(raw, demo_conf.ingest, NOW, identities)
        kept, _ = drop_duplicates(staged.filter(staged.reason.isnull()))
        return kept.drop("raw_line")

    def reasons(raw: ibis.Table) -> ibis.Table:
        staged = stage_rows(raw, demo_conf.ingest, NOW, identities)
        return staged.filter(staged.reason.notnull()).select("event_seq", "reason", "detail", "customer_id_raw",
                                                             "ts_raw", "activity_raw", "revenue_raw")

    duck, spark = on_both(duck_con, spark_con, demo_files.raw, clean)
    assert_same(duck, spark, ["event_seq"])
    duck_bad, spark_bad = on_both(duck_con, spark_con, demo_files.raw, reasons)
    assert duck_bad.reason.nunique() >= 5  # the demo's dirty rows: several reasons to agree on
    assert_same(duck_bad, spark_bad, ["event_seq"])


def test_ingested_events_equal_the_event_log_duckdb_wrote(duck_con, spark_con, demo_files, demo_conf):
    """Spark's clean rows are the very event log the pipeline wrote (the file path aside)."""
    raw = spark_con.read_parquet(str(demo_files.raw))
    staged = stage_rows(raw, demo_conf.ingest, NOW, demo_files.identities)
    kept, _ = drop_duplicates(staged.filter(staged.reason.isnull()))
    columns = ["customer_id", "ts", "activity", "channel", "revenue", "event_seq"]
    written = _normalised(duck_con.read_parquet(str(demo_files.event_log)).select(*columns).to_pandas())
    assert_same(written, _normalised(kept.select(*columns).to_pandas()), ["event_seq"])


def test_journey_instances_are_the_same(duck_con, spark_con, demo_files, demo_conf):
    duck, spark = on_both(duck_con, spark_con, demo_files.event_log,
                          lambda events: journey_instances(events, demo_conf.episodes))
    assert duck.n_tokens.max() > 3
    assert_same(duck, spark, ["journey_instance_id"])


def test_journey_instances_in_passes_are_the_same(duck_con, spark_con, demo_files, demo_conf):
    duck = _normalised(journey_instances(duck_con.read_parquet(str(demo_files.event_log)), demo_conf.episodes)
                       .to_pandas())
    events = spark_con.read_parquet(str(demo_files.event_log))
    third = int(events.count().to_pyarrow().as_py()) // 3
    passes = journey_instances_in_passes(spark_con, events, demo_conf.episodes, events_per_pass=third)
    assert_same(duck, _normalised(passes.to_pandas()), ["journey_instance_id"])


def test_customer_ranges_from_a_sample_cover_every_event_once(spark_con, demo_files):
    events = spark_con.read_parquet(str(demo_files.event_log))
    n_events = int(events.count().to_pyarrow().as_py())
    ranges = customer_ranges(events, 4, n_events, sample_events=n_events // 5)  # Spark's sample, unseeded
    hits = events.select(*[r.cast("int8").name(f"r{k}") for k, r in enumerate(ranges)]).to_pandas()
    assert (hits.sum(axis=1) == 1).all() and (hits.sum() > 0).all()


def test_process_map_is_the_same(duck_con, spark_con, demo_files, demo_conf):
    duck, spark = on_both(duck_con, spark_con, demo_files.event_log,
                          lambda events: directly_follows(journey_instances(events, demo_conf.episodes)))
    assert (duck.kind == "follows").sum() > 20
    assert_same(duck, spark, ["kind", "source", "target"])


def test_variants_are_the_same(duck_con, spark_con, demo_files, demo_conf):
    duck, spark = on_both(duck_con, spark_con, demo_files.event_log,
                          lambda events: variants(journey_instances(events, demo_conf.episodes)))
    assert duck["count"].max() > 10
    assert_same(duck, spark, ["rank"])


def test_rfm_is_the_same(duck_con, spark_con, demo_files, demo_conf):
    events = duck_con.read_parquet(str(demo_files.event_log))
    value = settled(demo_conf, events, has_revenue=True).value
    landmark = default_landmark(events, value.horizon_months)
    duck, spark = on_both(duck_con, spark_con, demo_files.event_log, lambda events: rfm_summary(
        events, landmark, purchase_activities=value.purchase_activities, return_activities=value.return_activities,
        returns=value.returns, time_unit=value.time_unit))
    assert (duck.frequency > 0).sum() > 50
    assert_same(duck, spark, ["customer_id"])
