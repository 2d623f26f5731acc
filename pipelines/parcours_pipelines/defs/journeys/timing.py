"""How long each discovered journey takes and what its typical times between steps are, with the instances that
stray from them (after discovery: every number here is per journey)."""

import dagster as dg
import ibis.expr.types as ir

from parcours.mining import journey_temporal_profile, label_instances, timing_by_journey
from parcours.schema import JOURNEY_ID
from parcours_pipelines.metadata import numbers, table_metadata
from parcours_pipelines.resources import EngineResource, MlflowResource, SettingsResource


@dg.asset(group_name="journeys", kinds={"duckdb", "csv"}, code_version="1",
          metadata={"parcours/file": "journey_timing.csv"})
def journey_timing(journey_instances: ir.Table, journey_assignments: ir.Table) -> dg.MaterializeResult:
    """How long journeys take and how soon they convert, overall and per discovered journey (days)."""
    table = timing_by_journey(journey_instances, journey_assignments)
    return dg.MaterializeResult(value=table, metadata=table_metadata(table, "journey_timing"))


@dg.multi_asset(
    group_name="journeys",
    outs={
        "temporal_profile": dg.AssetOut(
            description=("The typical time between two steps, per discovered journey (every later step, as pm4py's "
                         "temporal profile)."),
            metadata={"parcours/file": "temporal_profile.csv"}, kinds={"duckdb", "csv"}, code_version="2"),
        "temporal_deviations": dg.AssetOut(
            description=("Journey instances with steps further from their journey's typical time than its temporal "
                         "profile allows."), kinds={"duckdb", "parquet"}, code_version="2"),
    },
)
def temporal_profile(context: dg.AssetExecutionContext, journey_instances: ir.Table, log_profile: dict,
                     journey_assignments: ir.Table, settings: SettingsResource, mlflow: MlflowResource,
                     engine: EngineResource):
    """The step pairs of every assigned instance, unnested once from its ordered tokens, read by the profile and
    by its deviations."""
    from parcours.tracking import log_metrics

    conf = settings.load(log_profile).mining
    profile, worst, stats = journey_temporal_profile(
        engine.connection(), label_instances(journey_instances, journey_assignments), by=JOURNEY_ID,
        max_distance=conf.temporal_max_distance, zeta=conf.temporal_zeta)
    with mlflow.run_for(context):
        log_metrics(stats, prefix="temporal.")
    yield dg.Output(profile, output_name="temporal_profile", metadata=table_metadata(profile, "temporal_profile"))
    yield dg.Output(worst, output_name="temporal_deviations",
                    metadata={**table_metadata(worst, "temporal_deviations"), **numbers(stats)})
