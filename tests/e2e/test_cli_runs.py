"""End to end: the installed ``parcours`` command on a temporary PARCOURS_HOME (DESIGN.md §5, rung 5)."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request

import dagster as dg
import mlflow
import pandas as pd

from parcours.catalogue import OUTPUTS
from parcours_pipelines.cli import ExitCode
from tests.e2e.conftest import PARCOURS
from tests.e2e.conftest import parcours_command as _parcours
from tests.pipelines.conftest import SHOP


def test_demo_writes_the_outputs_and_matches_the_truth(demo_home) -> None:
    out = demo_home / "demo" / "output"
    assert {p.name for p in out.iterdir()} >= {"event_log.parquet", "quarantine.csv", "ingest_summary.json",
                                                "journey_instances.parquet", "process_map.csv", "variants.csv",
                                                "journey_timing.csv", "process_model", "temporal_profile.csv",
                                                "temporal_deviations.parquet", "journey_clusters.parquet",
                                                "journeys.csv", "journey_assignments.csv", "journey_models",
                                                "customer_value.csv", "journey_impact.csv", "trigger_rules.json",
                                                "trigger_rules.csv", "journey_ranking.csv", "report.html"}
    summary = json.loads((out / "ingest_summary.json").read_text())
    truth = json.loads((demo_home / "demo" / "truth.json").read_text())["expected_ingest"]
    assert {k: summary[k] for k in truth} == truth


def test_demo_estimates_an_effect_for_every_journey_it_can(demo_home) -> None:
    out = demo_home / "demo" / "output"
    impact, journeys = pd.read_csv(out / "journey_impact.csv"), pd.read_csv(out / "journeys.csv")
    assert sorted(impact.journey_id) == sorted(journeys.journey_id)
    too_few = impact[impact.n_treated < 50]
    assert too_few.effect.isna().all() and too_few.note.str.contains("impact.min_treated").all()


def test_demo_records_what_each_step_cost(demo_home) -> None:
    stats = json.loads((demo_home / "demo" / "output" / "run_stats.json").read_text())
    steps = {row["step"]: row for row in stats["steps"]}
    assert {"ingested_events", "journey_instances", "process_map", "discovered_journeys", "valued_customers",
            "journey_impact", "trigger_rules", "journey_report"} <= set(steps)
    assert all(row["success"] and row["wall_s"] > 0 and row["peak_rss_mib"] > 100 for row in steps.values())
    assert stats["total"]["wall_s"] >= sum(row["wall_s"] for row in steps.values())  # steps run one by one
    assert steps["valued_customers"]["cpu_s"] > 1 and stats["versions"]["duckdb"]


def test_demo_run_is_in_the_instance_the_ui_reads(demo_home) -> None:
    with dg.DagsterInstance.from_config(str(demo_home / "dagster")) as instance:
        runs = instance.get_runs()
        assert len(runs) == 1 and runs[0].is_success
        assert instance.get_latest_materialization_event(dg.AssetKey("journey_instances")) is not None


def test_demo_run_is_a_named_job_tagged_with_its_command_input_and_settings(demo_home) -> None:
    with dg.DagsterInstance.from_config(str(demo_home / "dagster")) as instance:
        run = instance.get_runs()[-1]
    fingerprint = json.loads((demo_home / "demo" / "output" / "ingest_summary.json").read_text())["fingerprint"]
    assert run.job_name == "parcours_job"
    assert run.tags["parcours/command"] == "demo" and run.tags["parcours/input_fingerprint"] == fingerprint
    assert run.tags["parcours/input"] == str(demo_home / "demo" / "events.csv")
    assert len(run.tags["parcours/settings_hash"]) == 16


def test_demo_run_is_tracked_in_mlflow(demo_home) -> None:
    mlflow.set_tracking_uri(f"sqlite:///{demo_home / 'mlflow' / 'mlflow.db'}")
    try:
        runs = mlflow.search_runs(experiment_names=["parcours"], output_format="list")
        assert len(runs) == 1 and runs[0].data.metrics["rows_in"] > 0
        assert runs[0].data.metrics["impact.eligible_customers"] > 0 and runs[0].data.params["impact.landmark"]
        tags = runs[0].data.tags
        assert tags["parcours/input_fingerprint"] and tags["parcours/command"] == "demo"
        assert runs[0].info.run_name == f"demo · events.csv · {tags['dagster_run_id'][:8]}"
        assert tags["mlflow.note.content"].startswith("**events.csv**: ") and "journeys: " in tags["mlflow.note.content"]
        figures = mlflow.artifacts.load_text(f"{runs[0].info.artifact_uri}/figures.html")
        sections = [f"<section id='{name}'>" for name in ("process_map", "journeys", "customer_value", "journey_impact")]
        assert [figures.index(s) for s in sections] == sorted(figures.index(s) for s in sections)
        assert figures.count("plotly.js v") == 1
    finally:
        mlflow.set_tracking_uri(None)


def test_run_on_a_renamed_dirty_csv_accounts_for_every_row(tmp_path) -> None:
    events = tmp_path / "shop.csv"
    events.write_text(SHOP)
    out = tmp_path / "out"
    done = _parcours(tmp_path / "home", "run", "--events", str(events), "--out", str(out),
                     "--column", "customer_id=user", "--column", "activity=action", "--column", "channel=touchpoint")
    # two months of three customers cannot be valued: the stage is skipped with its reason, the run goes on
    assert done.returncode == 0, done.stderr[-3000:]
    assert "skipped: customer_value, customer_value_holdout: " in done.stdout
    assert "fewer than value.min_repeat_buyers=20" in done.stdout
    assert (out / "journeys.csv").exists() and (out / "report.html").exists()
    summary = json.loads((out / "ingest_summary.json").read_text())
    assert summary["rows_in"] == summary["clean"] + summary["quarantined"] + summary["duplicates"] == 11
    quarantine = pd.read_csv(out / "quarantine.csv")
    assert set(quarantine.reason) == {"missing_customer_id", "unparseable_time", "bad_revenue"}
    assert (quarantine.source == str(events)).all()


def test_run_with_a_missing_column_fails_in_one_line(tmp_path) -> None:
    events = tmp_path / "shop.csv"
    events.write_text(SHOP)
    done = _parcours(tmp_path / "home", "run", "--events", str(events), "--out", str(tmp_path / "out"))
    assert done.returncode == ExitCode.INPUT and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ")
    assert "mapped column 'customer_id'" in done.stderr and not (tmp_path / "home" / "dagster").exists()


def test_report_rebuilds_the_ranking_and_the_report_from_the_last_run(demo_home) -> None:
    out = demo_home / "demo" / "output"
    before = (out / "journey_ranking.csv").read_text()
    done = _parcours(demo_home, "report", "--set", "report.currency=$", "--set", "report.title=Weekly journeys")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "parcours report: done" in done.stdout and "the marketer's report: file://" in done.stdout
    html = (out / "report.html").read_text()
    assert "<title>Weekly journeys</title>" in html and re.search(r'<b class="pos" data-money="[^"]*">\$', html)
    assert (out / "journey_ranking.csv").read_text() == before  # the same outputs rank the same way
    steps = {row["step"]: row["run_id"] for row in json.loads((out / "run_stats.json").read_text())["steps"]}
    assert steps["journey_report"] != steps["ingested_events"]  # the rebuild's steps replaced, the others kept
    with dg.DagsterInstance.from_config(str(demo_home / "dagster")) as instance:
        rebuild = instance.get_run_by_id(steps["journey_report"])
    assert rebuild.job_name == "parcours_report_job" and rebuild.tags["parcours/command"] == "report"
    mlflow.set_tracking_uri(f"sqlite:///{demo_home / 'mlflow' / 'mlflow.db'}")
    try:  # the rebuild amends the demo's MLflow run instead of leaving an empty one of its own
        [run] = mlflow.search_runs(experiment_names=["parcours"], output_format="list")
        assert run.data.tags["parcours/amended_by"] == f"report {rebuild.run_id}"
        assert run.data.tags["parcours/command"] == "demo" and run.data.tags["dagster_run_id"] == steps["ingested_events"]
    finally:
        mlflow.set_tracking_uri(None)


def test_report_without_a_finished_run_says_what_to_run(tmp_path) -> None:
    done = _parcours(tmp_path / "home", "report", "--out", str(tmp_path / "empty"))
    assert done.returncode == ExitCode.INPUT and done.stderr.startswith("error: ") and "no journey_impact.csv here" in done.stderr


def test_demo_writes_the_columns_the_catalogue_describes(demo_home) -> None:
    out = demo_home / "demo" / "output"
    for output in (o for o in OUTPUTS if o.columns):
        path = out / output.file
        frame = pd.read_csv(path, nrows=1) if path.suffix == ".csv" else pd.read_parquet(path)
        assert list(frame.columns) == [c.name for c in output.columns], output.file


def test_demo_tables_in_the_ui_describe_every_column_and_link_the_report(demo_home) -> None:
    report = (demo_home / "demo" / "output" / "report.html").as_uri()
    with dg.DagsterInstance.from_config(str(demo_home / "dagster")) as instance:
        for output in (o for o in OUTPUTS if o.columns):
            metadata = instance.get_latest_materialization_event(dg.AssetKey(output.asset)).asset_materialization.metadata
            columns = metadata["dagster/column_schema"].schema.columns
            assert columns and all(c.description for c in columns), output.asset
            assert metadata["report"].value == report and "nan" not in repr(metadata["preview"].value.records)
        journeys = instance.get_latest_materialization_event(dg.AssetKey("journeys")).asset_materialization.metadata
    assert re.fullmatch(r"http://127\.0\.0\.1:5000/#/experiments/\d+/runs/[0-9a-f]{32}", journeys["mlflow_run"].value)


def test_parcours_mlflow_serves_the_demos_runs(demo_home) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    ui = subprocess.Popen([PARCOURS, "mlflow", "--home", str(demo_home), "--port", str(port)], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/ajax-api/2.0/mlflow/experiments/get-by-name?experiment_name=parcours"
    try:
        deadline, answer = time.monotonic() + 120, None
        while answer is None and time.monotonic() < deadline and ui.poll() is None:
            try:
                answer = json.load(urllib.request.urlopen(url, timeout=5))
            except OSError:
                time.sleep(1)
        assert answer is not None, f"parcours mlflow did not answer on port {port} (exit code {ui.poll()})"
        assert answer["experiment"]["name"] == "parcours"
        assert answer["experiment"]["artifact_location"] == (demo_home / "mlflow" / "artifacts").as_uri()
    finally:
        os.killpg(ui.pid, signal.SIGINT)
        ui.wait(timeout=60)
