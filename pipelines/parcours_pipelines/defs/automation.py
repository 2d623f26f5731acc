"""When the pipeline runs by itself: the nightly schedule, and the sensor on the inbox of new event files."""

import json
from pathlib import Path

import dagster as dg

from parcours import paths
from parcours.settings import load_settings
from parcours_pipelines.inbox import arrivals, listing_key, scan_inbox
from parcours_pipelines.runs import COMMAND_TAG, INPUT_TAG, PID_TAG, REPORT_JOB, WHOLE_JOB

_schedule = load_settings(paths.conf_dir()).schedule

parcours_job = dg.define_asset_job(
    WHOLE_JOB, selection=dg.AssetSelection.all(),
    description="The whole parcours pipeline (what `parcours run`, `parcours demo`, the schedule and the sensor run).",
)

parcours_report_job = dg.define_asset_job(
    REPORT_JOB, selection=dg.AssetSelection.groups("report"),  # = REPORT_SELECTION, without the parser's beta warning
    description="The ranking and report.html rebuilt from the last run's outputs (what `parcours report` runs).",
)

parcours_nightly_schedule = dg.ScheduleDefinition(
    name="parcours_nightly_schedule", job=parcours_job,
    cron_schedule=_schedule.cron, execution_timezone=_schedule.timezone, tags={COMMAND_TAG: "schedule"},
    description="Runs the whole pipeline every night (cron and time zone in conf/schedule.yaml).",
)


@dg.sensor(job=parcours_job, minimum_interval_seconds=_schedule.sensor_interval_seconds,
           description="Runs the pipeline on the inbox folder (conf/schedule.yaml) when event files arrive or change.")
def parcours_inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """One run per new listing of settled files; the run reads the whole inbox (``ingest.path`` = the inbox)."""
    conf = load_settings(paths.conf_dir()).schedule
    if not conf.inbox:
        return dg.SkipReason("schedule.inbox is not set in conf/schedule.yaml: no folder to watch")
    current = scan_inbox(conf.inbox, conf.inbox_patterns, conf.settle_seconds)
    arrived = arrivals(current, context.cursor)
    if not arrived:
        return dg.SkipReason(f"no new or changed event file in {conf.inbox} ({len(current)} settled files)")
    run_config = {"resources": {"settings": {"config": {"overrides": [f"ingest.path={conf.inbox}"]}}}}
    request = dg.RunRequest(run_key=listing_key(current), run_config=run_config,
                            tags={COMMAND_TAG: "sensor", INPUT_TAG: conf.inbox, "parcours/trigger": "inbox",
                                  "parcours/arrived": json.dumps(arrived[:20])})
    return dg.SensorResult(run_requests=[request], cursor=json.dumps(current))


def write_run_stats_of(context: dg.RunStatusSensorContext) -> dg.SkipReason | None:
    """``run_stats.json`` for a run the ``parcours`` command did not run: the UI's, the schedule's, the sensor's.

    Each step's wall time comes from Dagster's step statistics; CPU and memory were not sampled (another process
    ran the steps), so they are left empty. A run the command ran carries its process id and has written its
    file already, with CPU and memory.
    """
    from parcours_pipelines.runner import step_spans, write_run_stats

    run = context.dagster_run
    if run.tags.get(PID_TAG):
        return dg.SkipReason(f"run {run.run_id} was run by the parcours command, which wrote its run stats")
    io_config = (run.run_config.get("resources") or {}).get("io_manager", {}).get("config", {})
    out_dir = Path(io_config.get("base_dir") or paths.default_output_dir())
    write_run_stats(out_dir, None, step_spans(context.instance, run.run_id), run.run_id)
    context.log.info(f"run stats of {run.run_id} written to {out_dir / 'run_stats.json'}")
    return None


parcours_run_stats_on_success = dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS, name="parcours_run_stats_on_success",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Writes run_stats.json (each step's wall time) for a run that succeeded outside the parcours command.",
)(write_run_stats_of)

parcours_run_stats_on_failure = dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.FAILURE, name="parcours_run_stats_on_failure",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Writes run_stats.json (each step's wall time) for a run that failed outside the parcours command.",
)(write_run_stats_of)
