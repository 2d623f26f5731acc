"""How customers move between activities and channels: process map, variants, process model, timing."""

import dagster as dg
import ibis.expr.types as ir

from parcours.config import Settings
from parcours.engine import materialise
from parcours.eventlog.episodes import episode_steps
from parcours.mining import describe_process_map, describe_variants, directly_follows, temporal, timing_by_journey
from parcours.mining import variants as rank_variants
from parcours.mining.figures import draw_model, draw_process_map
from parcours.mining.models import describe_model, discover_process_model, model_documents, replay_fitness
from parcours.tracking import log_figures, log_metrics, log_text
from parcours_pipelines.metadata import image, markdown_table, table_metadata
from parcours_pipelines.resources import EngineResource, MlflowResource, SettingsResource

JOURNEY_ID = "journey_id"


@dg.asset(group_name="mining", kinds={"duckdb", "csv"}, code_version="1",
          metadata={"parcours/file": "process_map.csv"})
def process_map(
    context: dg.AssetExecutionContext, event_log: ir.Table, ingest_summary: dict, settings: SettingsResource,
    mlflow: MlflowResource, engine: EngineResource,
) -> dg.MaterializeResult:
    """Directly-follows graph of activity@channel tokens within journey instances, with start and end tokens."""
    conf = settings.load()
    steps = episode_steps(event_log, conf.episodes, has_channel=ingest_summary["has_channel"])
    graph = materialise(engine.connection(), directly_follows(steps), "process_map")  # read five times below
    stats, picture = describe_process_map(graph), draw_process_map(graph.to_pandas(), conf.mining.map_edges,
                                                                       conf.privacy.min_customers)
    with mlflow.run_for(context):
        log_metrics(stats, prefix="process_map.")
        log_text(picture["svg"].decode(), "figures/process_map.svg")
        log_figures([picture["figure"]], "figures/process_map.html", "Process map")
    top = graph.filter(graph.kind == "follows").head(conf.mining.top_edges).to_pandas()
    return dg.MaterializeResult(value=graph, metadata={
        **table_metadata(graph), **stats, "top_edges": dg.MetadataValue.md(markdown_table(top)),
        "map": image(picture["png"], "process map"),
    })


@dg.asset(group_name="mining", kinds={"duckdb", "csv"}, code_version="1", metadata={"parcours/file": "variants.csv"})
def variants(
    context: dg.AssetExecutionContext, journey_instances: ir.Table, settings: SettingsResource, mlflow: MlflowResource,
    engine: EngineResource,
) -> dg.MaterializeResult:
    """Distinct token sequences of journey instances, most frequent first, with the coverage curve."""
    table = materialise(engine.connection(), rank_variants(journey_instances), "variants")  # read five times below
    stats = describe_variants(table)
    with mlflow.run_for(context):
        log_metrics(stats, prefix="variants.")
    top = table.head(settings.load().mining.top_variants).to_pandas()
    return dg.MaterializeResult(value=table, metadata={
        **table_metadata(table), **stats, "top_variants": dg.MetadataValue.md(markdown_table(top)),
    })


@dg.asset(group_name="mining", kinds={"duckdb", "csv"}, code_version="1",
          metadata={"parcours/file": "journey_timing.csv"})
def journey_timing(journey_instances: ir.Table, journey_assignments: ir.Table) -> dg.MaterializeResult:
    """How long journeys take and how soon they convert, overall and per discovered journey (days)."""
    table = timing_by_journey(journey_instances, journey_assignments)
    return dg.MaterializeResult(value=table, metadata=table_metadata(table))


@dg.asset(group_name="mining", kinds={"pm4py", "bpmn", "svg"}, code_version="2",
          metadata={"parcours/file": "process_model/"})
def process_model(context: dg.AssetExecutionContext, variants: ir.Table, log_profile: dict, settings: SettingsResource,
                  mlflow: MlflowResource) -> dg.MaterializeResult:
    """A Petri net and BPMN model of the frequent journeys, drawn, with the replay fitness of every instance."""
    conf = settings.load(log_profile).mining
    table = variants.to_pandas()  # one row per distinct sequence, not per customer
    model = discover_process_model(table, coverage=conf.model_coverage, noise_threshold=conf.noise_threshold,
                                   max_cases=conf.model_max_cases)
    stats = describe_model(model, replay_fitness(model, table, conf.replay_max_steps))
    documents = model_documents(model)
    pictures = draw_model(model)
    with mlflow.run_for(context):
        log_metrics(stats, prefix="process_model.")
        for kind, text in documents.items():
            log_text(text, f"process_model/model.{kind}")
        for name in ("bpmn.svg", "petri_net.svg"):
            log_text(pictures[name].decode(), f"process_model/{name}")
    files = {"summary.json": stats, "model.bpmn": documents["bpmn"], "model.pnml": documents["pnml"],
             "bpmn.svg": pictures["bpmn.svg"], "petri_net.svg": pictures["petri_net.svg"]}
    return dg.MaterializeResult(value=files, metadata={**stats, "bpmn": image(pictures["bpmn.png"], "BPMN model")})


@dg.asset(group_name="mining", kinds={"duckdb", "csv"}, code_version="1",
          metadata={"parcours/file": "temporal_profile.csv"})
def temporal_profile(event_log: ir.Table, ingest_summary: dict, log_profile: dict, journey_assignments: ir.Table,
                     settings: SettingsResource, engine: EngineResource) -> dg.MaterializeResult:
    """The typical time between two steps, per discovered journey (every later step, as pm4py's temporal profile)."""
    pairs = _journey_pairs(event_log, ingest_summary, journey_assignments, settings.load(log_profile))
    profile = materialise(engine.connection(), temporal.temporal_profile(pairs, by=JOURNEY_ID), "profile")
    return dg.MaterializeResult(value=profile, metadata=table_metadata(profile))


@dg.asset(group_name="mining", kinds={"duckdb", "parquet"}, code_version="1")
def temporal_deviations(
    context: dg.AssetExecutionContext, event_log: ir.Table, ingest_summary: dict, log_profile: dict,
    journey_instances: ir.Table, journey_assignments: ir.Table, temporal_profile: ir.Table, settings: SettingsResource,
    mlflow: MlflowResource, engine: EngineResource,
) -> dg.MaterializeResult:
    """Journey instances with steps further from their journey's typical time than its temporal profile allows."""
    conf, con = settings.load(log_profile), engine.connection()
    pairs = _journey_pairs(event_log, ingest_summary, journey_assignments, conf)
    deviations = materialise(con, temporal.temporal_deviations(pairs, temporal_profile, zeta=conf.mining.temporal_zeta,
                                                               by=JOURNEY_ID), "deviations")  # the self-join, once
    stats = temporal.describe_temporal(temporal_profile, deviations, int(journey_instances.count().execute()))
    with mlflow.run_for(context):
        log_metrics(stats, prefix="temporal.")
    worst = materialise(con, temporal.deviating_instances(deviations, by=JOURNEY_ID), "worst")
    return dg.MaterializeResult(value=worst, metadata={**table_metadata(worst), **stats})


def _journey_pairs(event_log: ir.Table, ingest_summary: dict, assignments: ir.Table, conf: Settings) -> ir.Table:
    steps = episode_steps(event_log, conf.episodes, has_channel=ingest_summary["has_channel"])
    return temporal.step_pairs(temporal.label_steps(steps, assignments), max_distance=conf.mining.temporal_max_distance,
                               by=JOURNEY_ID)
