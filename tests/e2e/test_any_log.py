"""Any log that ingests runs to a report: the public logs and generated ones shaped like users' logs.

Each runs through the whole asset graph, as ``parcours run`` does, with a column mapping at most. A stage
the log cannot support is skipped, and its reason is in the run's summary and in the report.
"""

import csv
import json
import re

import pandas as pd
import pytest
from markupsafe import escape

from parcours.spreadsheet import unescape
from parcours_pipelines.resources import EngineResource
from parcours_pipelines.runner import PipelineRun, run_pipeline
from tests.conftest import SHARED_LOG_MAPPINGS, shared_log
from tests.e2e.scenarios import SCENARIOS, write_scenario

pytestmark = pytest.mark.slow


def _run(tmp_path, monkeypatch, events, overrides: list[str]) -> PipelineRun:
    home, out = tmp_path / "home", tmp_path / "out"
    monkeypatch.setenv("PARCOURS_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    for key in [k for k in __import__("os").environ if k.startswith("MLFLOW_")]:
        monkeypatch.delenv(key)
    try:
        return run_pipeline(home=home, out_dir=out, overrides=[f"ingest.path={events}", *overrides])
    finally:
        EngineResource.close_all()


def _assert_reported(run: PipelineRun) -> str:
    assert run.success, run.error or run.failed_checks
    report = (run.out_dir / "report.html").read_text()
    assert "The log this report reads" in report
    for reason in run.skipped.values():
        assert str(escape(reason)) in report  # as the report's template escapes it
    _assert_nothing_under_the_privacy_floor(run)
    return report


def _assert_nothing_under_the_privacy_floor(run: PipelineRun, floor: int = 5) -> None:
    """Every path journeys.csv and journey_ranking.csv (the report's cards) show is followed by ``floor`` customers.

    The report's step flows and maps are drawn from paths over the floor (tests/lib/report/test_diagrams.py);
    a journey's name is not a path (a journey of 64 customers may be named like a rarer path).
    """
    journeys = pd.read_csv(run.out_dir / "journeys.csv", dtype=str, keep_default_na=False)
    ranking = pd.read_csv(run.out_dir / "journey_ranking.csv", dtype=str, keep_default_na=False)
    variants = pd.read_csv(run.out_dir / "variants.csv", dtype={"variant": str}, keep_default_na=False)
    followers = dict(zip(variants.variant.map(unescape), variants.customers.astype(int), strict=True))
    cells = [*(c for column in ("representative", "representatives", "top_variants") for c in journeys[column]),
             *ranking.get("representative", [])]
    shown = {unescape(p) for cell in cells for p in cell.split(" | ") if p and not p.startswith("(a path of fewer")}
    assert {p: followers.get(p, 0) for p in shown if followers.get(p, 0) < floor} == {}


@pytest.mark.parametrize("name", sorted(SHARED_LOG_MAPPINGS))
def test_a_public_log_runs_to_a_report(name, tmp_path, monkeypatch) -> None:
    run = _run(tmp_path, monkeypatch, shared_log(name), SHARED_LOG_MAPPINGS[name])
    _assert_reported(run)
    profile = json.loads((run.out_dir / "log_profile.json").read_text())
    assert profile["events"] == json.loads((run.out_dir / "ingest_summary.json").read_text())["clean"]


def test_the_purchase_log_with_integer_ids_runs_every_stage(tmp_path, monkeypatch) -> None:
    run = _run(tmp_path, monkeypatch, shared_log("cdnow_full"), SHARED_LOG_MAPPINGS["cdnow_full"])
    _assert_reported(run)
    assert "customer_value" not in run.skipped
    values = pd.read_csv(run.out_dir / "customer_value.csv", dtype={"customer_id": str})
    assert len(values) > 20_000 and values.customer_id.str.fullmatch(r"\d+").all()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_log_shaped_like_users_logs_runs_to_a_report(name, tmp_path, monkeypatch) -> None:
    path, mapping = write_scenario(name, tmp_path)
    _assert_reported(_run(tmp_path, monkeypatch, path, mapping))


def test_integer_ids_keep_their_leading_zeros(tmp_path, monkeypatch) -> None:
    path, mapping = write_scenario("numeric_ids", tmp_path)
    run = _run(tmp_path, monkeypatch, path, mapping)
    _assert_reported(run)
    logged = set(pd.read_csv(path, dtype={"customer_id": str}).customer_id)
    valued = set(pd.read_csv(run.out_dir / "customer_value.csv", dtype={"customer_id": str}).customer_id)
    assert valued <= logged and any(i.startswith("0") for i in valued)


def test_a_log_without_revenue_is_valued_in_conversions(tmp_path, monkeypatch) -> None:
    path, mapping = write_scenario("no_revenue", tmp_path)
    run = _run(tmp_path, monkeypatch, path, mapping)
    _assert_reported(run)
    resolved = {r["setting"]: r["value"] for r in json.loads((run.out_dir / "log_profile.json").read_text())["resolved"]}
    assert resolved["value.outcome"] == "conversions" and resolved["value.purchase_activities"] == ["order"]
    assert "customer_value" not in run.skipped


def test_names_with_spaces_accents_and_brackets_reach_the_rules(tmp_path, monkeypatch) -> None:
    path, mapping = write_scenario("names_with_spaces", tmp_path)
    run = _run(tmp_path, monkeypatch, path, [*mapping, "triggers.journeys=all"])
    _assert_reported(run)
    rules = json.loads((run.out_dir / "trigger_rules.json").read_text())["rules"]
    scores = pd.read_csv(run.out_dir / "trigger_rules.csv")
    assert rules and scores.pattern.str.contains(" |<|é|🛒", regex=True).any()


def test_no_csv_written_for_people_holds_a_cell_a_spreadsheet_would_run(tmp_path, monkeypatch) -> None:
    path, mapping = write_scenario("names_with_spaces", tmp_path)
    run = _run(tmp_path, monkeypatch, path, mapping)
    _assert_reported(run)
    cells = {}
    for name in ("journey_ranking.csv", "journeys.csv", "variants.csv", "process_map.csv", "trigger_rules.csv"):
        with open(run.out_dir / name, newline="", encoding="utf-8") as handle:
            cells[name] = [cell for row in csv.reader(handle) for cell in row]
    formulas = {name: [c for c in found if re.match(r"[=+\-@\t\r]", c) and not _is_number(c)]
                for name, found in cells.items()}
    assert formulas == {name: [] for name in cells}
    assert any("'=HYPERLINK(1)" in c for c in cells["variants.csv"])  # the names are there, escaped
    report = (run.out_dir / "report.html").read_text()
    assert "=HYPERLINK(1)" in report and "'=HYPERLINK" not in report and "&#39;=HYPERLINK" not in report


def _is_number(cell: str) -> bool:
    return bool(re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?inf|nan", cell))
