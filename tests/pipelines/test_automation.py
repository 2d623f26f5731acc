"""The nightly schedule and the inbox sensor, evaluated as the Dagster daemon would."""

import json

import dagster as dg
import pytest

from parcours import paths
from parcours_pipelines.definitions import defs
from parcours_pipelines.defs.automation import parcours_inbox_sensor, parcours_run_stats_on_success
from parcours_pipelines.runs import PID_TAG
from tests.pipelines.conftest import SHOP_COLUMNS


@pytest.fixture
def inbox(tmp_path, monkeypatch):
    """A conf folder whose schedule watches ``tmp_path/inbox`` (files count at once: settle_seconds 0)."""
    conf = tmp_path / "conf"
    conf.mkdir()
    folder = tmp_path / "inbox"
    folder.mkdir()
    (conf / "schedule.yaml").write_text(f"inbox: {folder}\nsettle_seconds: 0\n")
    monkeypatch.setenv("PARCOURS_CONF", str(conf))
    return folder


def _evaluate(cursor=None):
    return parcours_inbox_sensor(dg.build_sensor_context(cursor=cursor))


def test_without_an_inbox_the_sensor_skips_and_says_why(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PARCOURS_CONF", str(tmp_path))
    result = _evaluate()
    assert isinstance(result, dg.SkipReason) and "schedule.inbox is not set" in result.skip_message


def test_an_empty_inbox_skips(inbox) -> None:
    assert isinstance(_evaluate(), dg.SkipReason)


def test_a_new_file_starts_one_run_on_the_whole_inbox(inbox) -> None:
    (inbox / "day1.csv").write_text("customer_id,ts,activity\n")
    result = _evaluate()
    [request] = result.run_requests
    assert request.run_config["resources"]["settings"]["config"]["overrides"] == [f"ingest.path={inbox}"]
    assert json.loads(request.tags["parcours/arrived"]) == ["day1.csv"]
    assert isinstance(_evaluate(result.cursor), dg.SkipReason)  # the same files do not start a second run


def test_a_changed_file_starts_another_run(inbox) -> None:
    path = inbox / "day1.csv"
    path.write_text("customer_id,ts,activity\n")
    first = _evaluate()
    path.write_text("customer_id,ts,activity\nc1,2026-01-01,order\n")
    [request] = _evaluate(first.cursor).run_requests
    assert request.run_key != first.run_requests[0].run_key


def test_the_run_config_is_valid_for_the_job(inbox) -> None:
    from parcours_pipelines.definitions import defs

    (inbox / "day1.csv").write_text("customer_id,ts,activity\n")
    [request] = _evaluate().run_requests
    job = defs().resolve_job_def("parcours_job")
    assert dg.validate_run_config(job, request.run_config)["resources"]["settings"]["config"]["overrides"]


def test_the_sensor_tags_its_runs_with_the_command_and_the_inbox(inbox) -> None:
    (inbox / "day1.csv").write_text("customer_id,ts,activity\n")
    [request] = _evaluate().run_requests
    assert request.tags["parcours/command"] == "sensor" and request.tags["parcours/input"] == str(inbox)


def test_the_schedule_tags_its_runs_with_the_command() -> None:
    from parcours_pipelines.defs.automation import parcours_nightly_schedule

    context = dg.build_schedule_context(scheduled_execution_time=None)
    [request] = parcours_nightly_schedule.evaluate_tick(context).run_requests
    assert request.tags["parcours/command"] == "schedule"


def test_the_report_job_runs_exactly_the_report_group() -> None:
    from parcours_pipelines.definitions import defs

    definitions = defs()
    graph = definitions.resolve_asset_graph()
    report = set(definitions.resolve_job_def("parcours_report_job").asset_layer.executable_asset_keys)
    grouped = {key for key in graph.get_all_asset_keys() if graph.get(key).group_name == "report"}
    assert {"journey_report", "journey_ranking"} <= {key.path[-1] for key in report} and report == grouped


def _ingest_run(instance, shop_csv, run_resources, tags=None) -> dg.DagsterRun:
    """The ingest group materialised in ``instance`` as the UI would, with the shop log."""
    ingest = [a for a in defs().assets if a.group_names_by_key and set(a.group_names_by_key.values()) == {"ingest"}]
    result = dg.materialize(ingest, resources=run_resources([f"ingest.path={shop_csv}", *SHOP_COLUMNS]),
                            instance=instance, tags=tags)
    assert result.success
    return instance.get_run_by_id(result.run_id)


def _on_success(instance, run) -> dg.SkipReason | None:
    event = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_SUCCESS)[0]
    return parcours_run_stats_on_success(dg.build_run_status_sensor_context(
        sensor_name="parcours_run_stats_on_success", dagster_instance=instance, dagster_run=run,
        dagster_event=event.dagster_event))


def test_a_run_from_the_ui_gets_run_stats_with_each_steps_wall_time(shop_csv, run_resources, tmp_path,
                                                                    monkeypatch) -> None:
    monkeypatch.setenv("PARCOURS_HOME", str(tmp_path / "home"))
    with dg.instance_for_test() as instance:
        run = _ingest_run(instance, shop_csv, run_resources)
        _on_success(instance, run)
        steps = {s.step_key for s in instance.get_run_step_stats(run.run_id)}
    stats = json.loads((paths.default_output_dir() / "run_stats.json").read_text())
    assert stats["total"]["run_id"] == run.run_id and {row["step"] for row in stats["steps"]} == steps
    assert all(row["wall_s"] >= 0 and row["cpu_s"] is None for row in stats["steps"])  # not sampled: unknown


def test_a_run_of_the_parcours_command_keeps_the_stats_it_wrote(shop_csv, run_resources, tmp_path,
                                                                monkeypatch) -> None:
    monkeypatch.setenv("PARCOURS_HOME", str(tmp_path / "home"))
    with dg.instance_for_test() as instance:
        run = _ingest_run(instance, shop_csv, run_resources, tags={PID_TAG: "4242"})
        result = _on_success(instance, run)
    assert isinstance(result, dg.SkipReason) and not (paths.default_output_dir() / "run_stats.json").exists()
