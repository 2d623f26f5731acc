"""When the pipeline runs by itself: the nightly schedule over the whole asset graph."""

import dagster as dg

from parcours import paths
from parcours.config import load_settings

_schedule = load_settings(paths.conf_dir()).schedule

parcours_job = dg.define_asset_job(
    "parcours_job", selection=dg.AssetSelection.all(), description="The whole parcours pipeline."
)

parcours_nightly_schedule = dg.ScheduleDefinition(
    name="parcours_nightly_schedule", job=parcours_job,
    cron_schedule=_schedule.cron, execution_timezone=_schedule.timezone,
    description="Runs the whole pipeline every night (cron and time zone in conf/schedule.yaml).",
)
