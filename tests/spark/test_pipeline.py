"""``parcours run --engine spark``: the whole pipeline on a local Spark session writes what DuckDB writes.

Each log is run twice by the installed command, once per engine, and every output is compared. What may
differ, and why:

- a malformed CSV row's ``detail`` (each parser words its complaint), and the instant a future time is
  measured against (each run's own "now");
- a CSV source's ``lines``/``lines_accounted`` (counted on the file's bytes by the DuckDB reader only);
- ids pm4py draws at random in the BPMN and PNML files (the models' activities are compared), the run's
  own times and ids (``run_stats.json``, a rule set's version and creation time, the report);
- a decimal a CSV file rounds for spreadsheets (:func:`parcours.spreadsheet.round_for_spreadsheet`), by one unit
  of its last decimal where the engines' values, equal to their last bits, straddle a rounding boundary.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from parcours.spreadsheet import spreadsheet_decimals
from parcours.synthetic import generate_demo_log
from tests.conftest import SHARED_LOG_MAPPINGS, shared_log
from tests.e2e.conftest import parcours_command

pytestmark = pytest.mark.spark

#: Outputs that hold the run's own times and ids, not results.
RUN_OWN = {"run_stats.json", "report.html"}
TIMES = re.compile(r"after \S+$")


def run_on_both(tmp: Path, events: Path, overrides: list[str]) -> dict[str, Path]:
    outs = {}
    for engine in ("duckdb", "spark"):
        out = tmp / engine
        sets = [arg for o in overrides for arg in ("--set", o)]
        done = parcours_command(tmp / f"home-{engine}", "run", "--events", str(events), "--out", str(out),
                                "--engine", engine, *sets)
        assert done.returncode == 0, done.stderr[-3000:]
        outs[engine] = out
    return outs


@pytest.fixture(scope="module")
def demo_outputs(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("spark-run-demo")
    written = generate_demo_log(2500, seed=3).write(tmp / "demo")  # enough customers for published rules
    return run_on_both(tmp, written["events.csv"], [])


@pytest.fixture(scope="module")
def clickstream_outputs(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("spark-run-clickstream")
    return run_on_both(tmp, shared_log("ecom_clickstream"), SHARED_LOG_MAPPINGS["ecom_clickstream"])


def table(path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype={"customer_id": str})
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            frame[column] = values.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
        elif values.dtype == object and values.map(lambda v: hasattr(v, "__len__") and not isinstance(v, str)).any():
            frame[column] = values.map(lambda v: None if v is None else " | ".join(map(str, v)))
    if "reason" in frame.columns and "detail" in frame.columns:  # the parser's words, the run's "now"
        worded = frame.reason.isin(["malformed_row", "future_time"])
        frame["detail"] = frame.detail.where(~worded, None)
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def activities(path: Path) -> list[str]:
    return sorted(re.findall(r'name="([^"]+)"|<text>([^<]+@[^<]+)</text>', path.read_text()))


def summary(path: Path) -> dict:
    found = json.loads(path.read_text())
    for source in found.get("sources", []):
        source.pop("lines", None), source.pop("lines_accounted", None)
    for examples in found.get("examples", {}).values():
        for example in examples:
            example.pop("detail", None)
    found.pop("created_at", None), found.pop("rule_set_version", None)
    return found


def assert_same_outputs(outs: dict[str, Path]) -> list[str]:
    duck, spark = outs["duckdb"], outs["spark"]
    compared = []
    for path in sorted(p for p in duck.rglob("*") if p.is_file() and not p.name.startswith(".")):
        name = path.relative_to(duck)
        other = spark / name
        assert other.exists(), f"{name}: written on DuckDB, not on Spark"
        if path.name in RUN_OWN:
            continue
        if path.suffix in (".parquet", ".csv"):
            assert_same_table(table(path), table(other), rounded=path.suffix == ".csv", name=str(name))
        elif path.suffix == ".json":
            assert summary(path) == summary(other), name
        elif path.suffix in (".bpmn", ".pnml"):
            assert activities(path) == activities(other), name
        else:
            continue  # pictures drawn from the models compared above
        compared.append(str(name))
    return compared


def assert_same_table(duck: pd.DataFrame, spark: pd.DataFrame, *, rounded: bool, name: str) -> None:
    """Equal tables, a decimal column of a CSV file within one unit of the last decimal it was rounded to."""
    pd.testing.assert_index_equal(duck.columns, spark.columns, obj=name)
    for column in duck.columns:
        decimals = spreadsheet_decimals(duck[column]) if rounded else None
        atol = 1.01 * 10.0**-decimals if decimals is not None else 1e-9
        pd.testing.assert_series_equal(duck[column], spark[column], check_dtype=False, rtol=1e-6, atol=atol,
                                       obj=f"{name}, column {column}")


def test_the_demo_on_spark_writes_every_output_duckdb_writes(demo_outputs):
    compared = assert_same_outputs(demo_outputs)
    assert {"event_log.parquet", "journey_instances.parquet", "journeys.csv", "journey_impact.csv",
            "trigger_rules.csv", "customer_value.csv", "quarantine.csv"} <= set(compared)
    assert len(table(demo_outputs["spark"] / "quarantine.csv")) > 20  # the demo's dirty rows, every reason
    assert len(table(demo_outputs["spark"] / "trigger_rules.csv")) > 0


def test_a_clickstream_we_did_not_write_on_spark_writes_what_duckdb_writes(clickstream_outputs):
    compared = assert_same_outputs(clickstream_outputs)
    assert len(table(clickstream_outputs["spark"] / "journeys.csv")) > 2
    assert "process_map.csv" in compared and "temporal_profile.csv" in compared
