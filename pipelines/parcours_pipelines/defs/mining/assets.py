"""How customers move between activities and channels: process map, variants, process model."""

import dagster as dg
import ibis.expr.types as ir

from parcours.engine import materialise
from parcours.mining import describe_process_map, describe_variants, directly_follows
from parcours.mining import variants as rank_variants
from parcours_pipelines.metadata import image, numbers, table_metadata, table_value
from parcours_pipelines.resources import EngineResource, MlflowResource, SettingsResource

FITS = "process_model_fits_the_variants_it_was_built_from"


@dg.asset(group_name="mining", kinds={"duckdb", "csv"}, code_version="1",
          metadata={"parcours/file": "process_map.csv"})
def process_map(
    context: dg.AssetExecutionContext, journey_instances: ir.Table, settings: SettingsResource,
    mlflow: MlflowResource, engine: EngineResource,
) -> dg.MaterializeResult:
    """Directly-follows graph of activity@channel tokens within journey instances, with start and end tokens."""
    from parcours.mining import draw_process_map
    from parcours.tracking import log_figures, log_metrics, log_text

    conf = settings.load()
    graph = materialise(engine.connection(), directly_follows(journey_instances), "process_map")  # read five times
    stats, picture = describe_process_map(graph), draw_process_map(graph.to_pandas(), conf.mining.map_edges,
                                                                       conf.privacy.min_customers)
    with mlflow.run_for(context):
        log_metrics(stats, prefix="process_map.")
        log_text(picture["svg"].decode(), "figures/process_map.svg")
        log_figures([picture["figure"]], "process_map", "Process map")
    top = graph.filter(graph.kind == "follows").head(conf.mining.top_edges).to_pandas()
    return dg.MaterializeResult(value=graph, metadata={
        **table_metadata(graph, "process_map"), **numbers(stats), "top_edges": table_value(top, "process_map"),
        "map": image(picture["png"], "process map"),
    })


@dg.asset(group_name="mining", kinds={"duckdb", "csv"}, code_version="1", metadata={"parcours/file": "variants.csv"})
def variants(
    context: dg.AssetExecutionContext, journey_instances: ir.Table, settings: SettingsResource, mlflow: MlflowResource,
    engine: EngineResource,
) -> dg.MaterializeResult:
    """Distinct token sequences of journey instances, most frequent first, with the coverage curve."""
    from parcours.tracking import log_metrics

    table = materialise(engine.connection(), rank_variants(journey_instances), "variants")  # read five times below
    stats = describe_variants(table)
    with mlflow.run_for(context):
        log_metrics(stats, prefix="variants.")
    top = table.head(settings.load().mining.top_variants).to_pandas()
    return dg.MaterializeResult(value=table, metadata={
        **table_metadata(table, "variants"), **numbers(stats), "top_variants": table_value(top, "variants"),
    })


@dg.asset(group_name="mining", kinds={"pm4py", "bpmn", "svg"}, code_version="2",
          metadata={"parcours/file": "process_model/"},
          check_specs=[dg.AssetCheckSpec(FITS, asset="process_model", description=(
              "Warns when the model replays fewer instances than it was discovered from, less what its noise "
              "filter may drop: fitting_share < coverage × (1 − mining.noise_threshold)."))])
def process_model(context: dg.AssetExecutionContext, variants: ir.Table, log_profile: dict, settings: SettingsResource,
                  mlflow: MlflowResource):
    """A Petri net and BPMN model of the frequent journeys, drawn, with the replay fitness of every instance."""
    from parcours.mining import (
        describe_model,
        discover_process_model,
        draw_model,
        fits_its_variants,
        model_documents,
        replay_fitness,
    )
    from parcours.tracking import log_metrics, log_text

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
    fits, floor = fits_its_variants(stats, conf.noise_threshold)
    yield dg.Output(files, metadata={**numbers(stats), "bpmn": image(pictures["bpmn.png"], "BPMN model")})
    yield dg.AssetCheckResult(check_name=FITS, passed=fits, severity=dg.AssetCheckSeverity.WARN, metadata={
        "fitting_share": stats["fitting_share"], "floor": floor, "coverage": stats["coverage"],
        "log_fitness": stats["log_fitness"]})
