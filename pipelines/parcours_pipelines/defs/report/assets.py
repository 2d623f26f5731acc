"""The marketer's deliverables: the ranked journeys (CSV, with drift checks against the last run) and report.html."""

import dagster as dg
import ibis.expr.types as ir
import pandas as pd

from parcours.report import ReportInputs, journey_drift, journey_paths, journey_snapshot, rank_journeys, render_report
from parcours.tracking import log_text
from parcours_pipelines.metadata import markdown_table, skipped_stages, table_metadata
from parcours_pipelines.resources import MlflowResource, SettingsResource

SHOWN = ["rank", "journey_id", "name", "status", "n_customers", "effect", "ci_low", "ci_high", "weighted_value",
         "best_rules"]
SNAPSHOT = "parcours/snapshot"
DRIFT_CHECKS = {"size": "journey_sizes_are_stable_between_runs", "effect": "journey_effects_are_stable_between_runs"}


@dg.asset(group_name="report", kinds={"pandas", "csv"}, code_version="1",
          metadata={"parcours/file": "journey_ranking.csv"},
          check_specs=[dg.AssetCheckSpec(name, asset="journey_ranking", blocking=False,
                                         description=f"Warns when journey {kind}s moved since the last run.")
                       for kind, name in DRIFT_CHECKS.items()])
def journey_ranking(context: dg.AssetExecutionContext, journeys: ir.Table, journey_impact: ir.Table,
                    journey_timing: ir.Table, trigger_rule_scores: ir.Table, settings: SettingsResource):
    """Journeys by confidence-weighted value at stake; estimates that failed a check apart; drift checked."""
    conf = settings.load()
    ranking = rank_journeys(journeys.to_pandas(), journey_impact.to_pandas(), journey_timing.to_pandas(),
                            trigger_rule_scores.to_pandas(), conf.report.rules_per_journey)
    snapshot, previous = journey_snapshot(ranking), _previous_snapshot(context)
    drift = journey_drift(previous or snapshot, snapshot, max_size_change=conf.schedule.drift_max_size_change,
                          effect_z=conf.schedule.drift_effect_z)  # a first run is compared with itself: no drift
    top = markdown_table(ranking[SHOWN].round(2).head(20))
    yield dg.Output(ranking, metadata={**table_metadata(ranking), SNAPSHOT: dg.MetadataValue.json(snapshot),
                                       "ranking": dg.MetadataValue.md(top)})
    for kind, name in DRIFT_CHECKS.items():
        yield _drift_result(name, drift, kind, compared=bool(previous))


@dg.asset(group_name="report", kinds={"plotly", "html"}, code_version="1", metadata={"parcours/file": "report.html"})
def journey_report(context: dg.AssetExecutionContext, journey_ranking: ir.Table, journey_instances: ir.Table,
                   journey_assignments: ir.Table, trigger_rule_scores: ir.Table, journey_impact: ir.Table,
                   ingest_summary: dict, log_profile: dict, settings: SettingsResource,
                   mlflow: MlflowResource) -> dg.Output:
    """The marketer's report: one self-contained HTML file (plotly.js inline, no CDN) that opens offline."""
    conf = settings.load(log_profile)
    paths = journey_paths(journey_instances, journey_assignments, conf.report.paths_per_journey,
                          conf.privacy.min_customers)
    facts = {"events": ingest_summary["clean"], "customers": ingest_summary["customers"],
             "first_day": str(ingest_summary.get("first_ts", ""))[:10],
             "last_day": str(ingest_summary.get("last_ts", ""))[:10], "run_id": context.run.run_id,
             "profile": log_profile.get("facts", []), "resolved": log_profile.get("resolved", []),
             "skipped": skipped_stages(context.instance), "discovery": _discovery_quality(context)}
    html = render_report(ReportInputs(journey_ranking.to_pandas(), paths, trigger_rule_scores.to_pandas(),
                                      journey_impact.to_pandas(), facts), conf)
    with mlflow.run_for(context):
        log_text(html, "report/report.html")
    return dg.Output(html, metadata={"size_kb": round(len(html.encode()) / 1024), "journeys_with_a_card":
                                     min(conf.report.cards, int(journey_ranking.count().to_pyarrow().as_py()))})


def _discovery_quality(context: dg.AssetExecutionContext) -> dict[str, float]:
    """Coverage, noise distance and representativeness of the journeys, from their latest materialisation."""
    event = context.instance.get_latest_materialization_event(dg.AssetKey("journeys"))
    metadata = event.asset_materialization.metadata if event and event.asset_materialization else {}
    keys = ("coverage", "noise_distance", "representativeness", "representativeness_kmedoids")
    return {k: metadata[k].value for k in keys if k in metadata} if all(k in metadata for k in keys) else {}


def _previous_snapshot(context: dg.AssetExecutionContext) -> list[dict]:
    """The snapshot of the last *earlier* materialisation of ``journey_ranking`` in this instance."""
    records = context.instance.fetch_materializations(dg.AssetKey("journey_ranking"), limit=5).records
    for record in records:
        if record.run_id == context.run.run_id or record.asset_materialization is None:
            continue
        snapshot = record.asset_materialization.metadata.get(SNAPSHOT)
        return list(snapshot.value) if snapshot else []
    return []


def _drift_result(name: str, drift: pd.DataFrame, kind: str, compared: bool) -> dg.AssetCheckResult:
    flag = drift[f"{kind}_drift"]
    moved = drift[flag]
    shown = ["journey_id", "name", "change", "customers_before", "customers_after", "size_change"] if kind == "size" \
        else ["journey_id", "name", "effect_before", "effect_after", "effect_z"]
    return dg.AssetCheckResult(
        check_name=name, passed=not bool(flag.any()), severity=dg.AssetCheckSeverity.WARN,
        metadata={"compared_with_a_previous_run": compared, "journeys_drifted": int(flag.sum()),
                  "drifted": dg.MetadataValue.md(markdown_table(moved[shown].round(3)))})
