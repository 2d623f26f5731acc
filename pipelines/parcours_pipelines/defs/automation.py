"""When the pipeline runs by itself: the nightly schedule, and the sensor on the inbox of new event files."""

import json

import dagster as dg

from parcours import paths
from parcours.settings import load_settings
from parcours_pipelines.inbox import arrivals, listing_key, scan_inbox
from parcours_pipelines.runs import COMMAND_TAG, INPUT_TAG, REPORT_JOB, WHOLE_JOB

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
