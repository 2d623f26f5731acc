"""How customers move between activities and channels: process map, variants, process model, timing."""

import dagster as dg
import ibis.expr.types as ir

from parcours.eventlog.episodes import episode_steps
from parcours.mining import describe_process_map, describe_variants, directly_follows, timing_summary
from parcours.mining import variants as rank_variants
from parcours.mining.models import describe_model, discover_process_model, model_documents, replay_fitness
from parcours.tracking import log_metrics, log_text
from parcours_pipelines.metadata import markdown_table, table_metadata
from parcours_pipelines.resources import MlflowResource, SettingsResource


@dg.asset(group_name="mining", kinds={"duckdb", "csv"}, code_version="1",
          metadata={"parcours/file": "process_map.csv"})
def process_map(
    context: dg.AssetExecutionContext, event_log: ir.Table, ingest_summary: dict, settings: SettingsResource,
    mlflow: MlflowResource,
) -> dg.MaterializeResult:
    """Directly-follows graph of activity@channel tokens within journey instances, with start and end tokens."""
    conf = settings.load()
    graph = directly_follows(episode_steps(event_log, conf.episodes, has_channel=ingest_summary["has_channel"]))
    stats = describe_process_map(graph)
    with mlflow.run_for(context):
        log_metrics(stats, prefix="process_map.")
    top = graph.filter(graph.kind == "follows").head(conf.mining.top_edges).to_pandas()
    return dg.MaterializeResult(value=graph, metadata={
        **table_metadata(graph), **stats, "top_edges": dg.MetadataValue.md(markdown_table(top)),
    })


@dg.asset(group_name="mining", kinds={"duckdb", "csv"}, code_version="1", metadata={"parcours/file": "variants.csv"})
def variants(
    context: dg.AssetExecutionContext, journey_instances: ir.Table, settings: SettingsResource, mlflow: MlflowResource,
) -> dg.MaterializeResult:
    """Distinct token sequences of journey instances, most frequent first, with the coverage curve."""
    table = rank_variants(journey_instances)
    stats = describe_variants(table)
    with mlflow.run_for(context):
        log_metrics(stats, prefix="variants.")
    top = table.head(settings.load().mining.top_variants).to_pandas()
    return dg.MaterializeResult(value=table, metadata={
        **table_metadata(table), **stats, "top_variants": dg.MetadataValue.md(markdown_table(top)),
    })


@dg.asset(group_name="mining", kinds={"duckdb", "csv"}, code_version="1",
          metadata={"parcours/file": "journey_timing.csv"})
def journey_timing(journey_instances: ir.Table) -> dg.MaterializeResult:
    """How long journeys take and how soon they convert: durations and time to first conversion, in days."""
    table = timing_summary(journey_instances)
    return dg.MaterializeResult(value=table, metadata=table_metadata(table))


@dg.asset(group_name="mining", kinds={"pm4py", "json"}, code_version="1",
          metadata={"parcours/file": "process_model.json"})
def process_model(context: dg.AssetExecutionContext, variants: ir.Table, settings: SettingsResource,
                  mlflow: MlflowResource) -> dg.MaterializeResult:
    """A Petri net and BPMN model of the frequent journeys, with the replay fitness of every instance."""
    conf = settings.load().mining
    table = variants.to_pandas()  # one row per distinct sequence, not per customer
    model = discover_process_model(table, coverage=conf.model_coverage, noise_threshold=conf.noise_threshold,
                                   max_cases=conf.model_max_cases)
    stats, documents = describe_model(model, replay_fitness(model, table)), model_documents(model)
    with mlflow.run_for(context):
        log_metrics(stats, prefix="process_model.")
        for kind, text in documents.items():
            log_text(text, f"process_model/model.{kind}")
    return dg.MaterializeResult(value={**stats, **documents}, metadata=stats)
