"""Journey instances: each customer's episodes as ordered token sequences."""

import dagster as dg
import ibis.expr.types as ir

from parcours.instances import describe_instances, journey_instances_in_passes
from parcours_pipelines.metadata import numbers, table_metadata
from parcours_pipelines.resources import EngineResource, SettingsResource


@dg.asset(
    group_name="instances", kinds={"duckdb", "parquet"}, code_version="1",
    metadata={"parcours/file": "journey_instances.parquet"},
)
def journey_instances(event_log: ir.Table, log_profile: dict, settings: SettingsResource,
                      engine: EngineResource) -> dg.MaterializeResult:
    """One row per customer episode (split by inactivity), with its sequence of activity@channel tokens."""
    # computed once on the engine (spilling past its memory limit): the stats, the preview and the file read it
    instances = journey_instances_in_passes(engine.connection(), event_log, settings.load(log_profile).episodes,
                                            has_channel=log_profile["has_channel"])
    stats = numbers(describe_instances(instances))
    return dg.MaterializeResult(value=instances, metadata=table_metadata(instances, "journey_instances") | stats)
