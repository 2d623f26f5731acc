"""Typical journeys discovered in the journey instances, and every instance's journey."""

from collections.abc import Iterator

import dagster as dg
import ibis.expr.types as ir
import pandas as pd

from parcours.engine import materialise
from parcours.schema import JOURNEY_ID, NOISE
from parcours_pipelines.metadata import latest_metadata, markdown_table, numbers, table_metadata, table_value
from parcours_pipelines.resources import EngineResource, MlflowResource, SettingsResource

JOURNEY_MODELS_FIT = "journey_models_fit_their_journeys"


@dg.multi_asset(
    outs={
        "journey_clusters": dg.AssetOut(
            description="Every variant with its journey (-1: noise), membership probability and whether it was "
                        "clustered or assigned by the classifier.",
            metadata={"parcours/file": "journey_clusters.parquet"}, kinds={"hdbscan", "parquet"}, code_version="2"),
        "journeys": dg.AssetOut(
            description="The discovered journeys: id, name, size, representative (medoid) and what sets them apart.",
            metadata={"parcours/file": "journeys.csv"}, kinds={"hdbscan", "csv"}, code_version="2"),
        "journey_assignments": dg.AssetOut(
            description="Every journey instance with its journey id (-1: noise) and membership probability.",
            metadata={"parcours/file": "journey_assignments.csv"}, kinds={"duckdb", "csv"}, code_version="2"),
    },
    group_name="journeys",
)
def discovered_journeys(
    context: dg.AssetExecutionContext, variants: ir.Table, journey_instances: ir.Table, log_profile: dict,
    settings: SettingsResource, mlflow: MlflowResource, engine: EngineResource,
) -> Iterator[dg.Output]:
    """Summarise the variants by journeys, keep the previous run's ids, and register the journey classifier."""
    from parcours.journeys import (
        assign_journeys,
        discover_journeys,
        journey_sizes,
        journey_sizes_figure,
        representativeness_curve,
    )
    from parcours.tracking import log_figures, log_text
    from parcours.tracking.models import register_journey_classifier

    loaded = settings.load(log_profile)
    conf, floor = loaded.journeys, loaded.privacy.min_customers
    purchases = loaded.episodes.conversion_activities
    table = variants.to_pandas()  # one row per distinct sequence, not per customer
    discovery = discover_journeys(table, conf, previous=_previous_taxonomy(context), min_customers=floor,
                                  purchases=purchases if isinstance(purchases, list) else [])
    assignments = materialise(engine.connection(), assign_journeys(journey_instances, discovery.variants), "assigned")
    sizes = journey_sizes(assignments).to_pandas().set_index(JOURNEY_ID)
    journeys = discovery.journeys.assign(n_customers=discovery.journeys.journey_id.map(sizes.n_customers))
    noise = int(sizes.n_instances.get(NOISE, 0))
    with mlflow.run_for(context):
        version = register_journey_classifier(discovery.classifier, journeys, discovery.params, discovery.quality)
        log_text(_changes_markdown(discovery.changes), "journeys/taxonomy_changes.md")
        curve = representativeness_curve(discovery.curve, int(discovery.quality["journeys_discovered"]),
                                         discovery.quality["representativeness_kmedoids"])
        log_figures([journey_sizes_figure(journeys, noise), curve, *_sankeys(discovery, journeys, floor)],
                    "journeys", "Discovered journeys")
    quality = numbers(discovery.quality)
    yield dg.Output(discovery.variants, "journey_clusters",
                    metadata={**table_metadata(discovery.variants, "journey_clusters"), **quality})
    yield dg.Output(journeys, "journeys", metadata={
        **table_metadata(journeys, "journeys"), "journeys": len(journeys), "classifier_version": version,
        **{k: quality[k] for k in _SUMMARY if k in quality},
        "sizes": table_value(journeys[[JOURNEY_ID, "name", "family", "n_instances", "n_customers",
                                       "conversion_share", "stops_at"]], "journeys"),
        "changes": table_value(pd.DataFrame(discovery.changes)),
        "taxonomy": dg.MetadataValue.json({str(k): v for k, v in discovery.medoids.items()}),
    })
    yield dg.Output(assignments, "journey_assignments", metadata={**table_metadata(assignments, "journey_assignments"),
                                                                  "noise_instances": noise})


_SUMMARY = ("coverage", "noise_distance", "representativeness", "representativeness_kmedoids", "families")


def _previous_taxonomy(context: dg.AssetExecutionContext) -> dict[int, list[str]]:
    """The journey id → medoid of the last materialisation of ``journeys`` in this Dagster instance."""
    taxonomy = latest_metadata(context.instance, "journeys").get("taxonomy")
    return {int(k): list(v) for k, v in (taxonomy.value if taxonomy else {}).items()}


def _sankeys(discovery, journeys, min_customers: int) -> list:
    """Each journey's first steps, drawn from its variants that at least ``min_customers`` customers follow."""
    from parcours.journeys import first_steps_sankey

    variants = discovery.variants
    shown = variants[variants.customers >= min_customers] if "customers" in variants else variants
    return [first_steps_sankey(shown[shown.journey_id == row.journey_id], title=f"{row.journey_id}: {row.name}")
            for row in journeys.itertuples() if (shown.journey_id == row.journey_id).any()]


def _changes_markdown(changes: list[dict]) -> str:
    return markdown_table(pd.DataFrame(changes)) if changes else "_(no journeys)_"


@dg.asset(group_name="journeys", kinds={"pm4py", "bpmn", "svg"}, code_version="1",
          metadata={"parcours/file": "journey_models/"},
          check_specs=[dg.AssetCheckSpec(JOURNEY_MODELS_FIT, asset="journey_models", description=(
              "Warns when a journey's model replays fewer of its instances than it was discovered from, less what "
              "its noise filter may drop: fitting_share < coverage × (1 − mining.noise_threshold)."))])
def journey_models(context: dg.AssetExecutionContext, journey_clusters: ir.Table, journeys: ir.Table,
                   log_profile: dict, settings: SettingsResource, mlflow: MlflowResource):
    """A BPMN model of each large journey, discovered on its own variants, with the replay fitness of its instances."""
    from parcours.mining import describe_model, draw_model, fits_its_variants, model_documents
    from parcours.mining import journey_models as discover_journey_models
    from parcours.tracking import log_text

    conf = settings.load(log_profile).mining
    models = discover_journey_models(journey_clusters.to_pandas(), journeys=conf.journey_models,
                                     coverage=conf.model_coverage, noise_threshold=conf.noise_threshold,
                                     max_cases=conf.model_max_cases, max_steps=conf.replay_max_steps)
    names = journeys.to_pandas().set_index(JOURNEY_ID).name
    summary = [{JOURNEY_ID: j, "name": names.get(j, ""), **describe_model(*fitted)} for j, fitted in models.items()]
    files = {"summary.json": {"journeys": summary}}
    for journey_id, (model, _) in models.items():
        files[f"{journey_id}.bpmn"] = model_documents(model)["bpmn"]
        files[f"{journey_id}.bpmn.svg"] = draw_model(model)["bpmn.svg"]
    fitness = pd.DataFrame(summary, columns=[JOURNEY_ID, "name", "log_fitness", "fitting_share", "variants_used",
                                             "transitions"])
    table = markdown_table(fitness) if summary else "_(no journeys)_"
    with mlflow.run_for(context):
        log_text(table, "journeys/process_models.md")
    fits = {row[JOURNEY_ID]: fits_its_variants(row, conf.noise_threshold) for row in summary}
    below = [j for j, (fit, _) in fits.items() if not fit]
    yield dg.Output(files, metadata={"journeys": len(models), "fitness": table_value(fitness)})
    yield dg.AssetCheckResult(check_name=JOURNEY_MODELS_FIT, passed=not below, severity=dg.AssetCheckSeverity.WARN,
                              metadata={"journeys": len(summary), "below_their_floor": len(below),
                                        "journeys_below": ", ".join(map(str, below)) or "none"})
