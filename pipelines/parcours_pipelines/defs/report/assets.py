"""The marketer's deliverables: the ranked journeys (CSV, with drift checks against the last run) and report.html."""

import dagster as dg
import ibis.expr.types as ir
import pandas as pd

from parcours.schema import JOURNEY_ID
from parcours_pipelines.metadata import latest_metadata, skipped_stages, table_metadata, table_value
from parcours_pipelines.resources import MlflowResource, SettingsResource

SHOWN = ["rank", JOURNEY_ID, "name", "status", "n_customers", "effect", "ci_low", "ci_high", "value_at_stake",
         "reason"]
SNAPSHOT = "parcours/snapshot"
DRIFT_CHECKS = {"size": "journey_sizes_are_stable_between_runs", "effect": "journey_effects_are_stable_between_runs"}
CONSISTENT = "journey_ranking_is_one_row_per_journey_in_its_state"
ADDS_UP = "journey_report_figures_add_up"
NO_EARLIER_RUN = "skipped: no earlier run to compare with"


@dg.multi_asset(
    group_name="report", can_subset=True,  # subsettable: a check not yielded is shown skipped, not failed
    outs={"journey_ranking": dg.AssetOut(kinds={"pandas", "csv"}, code_version="1",
                                         metadata={"parcours/file": "journey_ranking.csv"}, description=(
        "Journeys in three honest states: proven effects by value at stake (customers × effect), then no clear "
        "effect, then not measured with the reason."))},
    check_specs=[*(dg.AssetCheckSpec(name, asset="journey_ranking", blocking=False, description=(
                     f"Warns when journey {kind}s moved since the last run; not run (skipped) on a first run."))
                   for kind, name in DRIFT_CHECKS.items()),
                 dg.AssetCheckSpec(CONSISTENT, asset="journey_ranking", description=(
                     "Every discovered journey once, ranked 1 … n, in one of the three states in their order, "
                     "with value at stake = customers × effect."))])
def journey_ranking(context: dg.AssetExecutionContext, journeys: ir.Table, journey_impact: ir.Table,
                    journey_timing: ir.Table, trigger_rule_scores: ir.Table, settings: SettingsResource):
    """The ranking (:func:`parcours.report.rank_journeys`), its consistency, and its drift against the last run."""
    from parcours.impact import state_counts
    from parcours.report import journey_drift, journey_snapshot, rank_journeys, ranking_problems

    conf = settings.load()
    ranking = rank_journeys(journeys.to_pandas(), journey_impact.to_pandas(), journey_timing.to_pandas(),
                            trigger_rule_scores.to_pandas(), conf.report.rules_per_journey)
    snapshot, previous = journey_snapshot(ranking), _previous_snapshot(context)
    yield dg.Output(ranking, "journey_ranking", metadata={
        **table_metadata(ranking, "journey_ranking"), **state_counts(ranking.status),
        "drift": "compared with the last run" if previous else NO_EARLIER_RUN,
        SNAPSHOT: dg.MetadataValue.json(snapshot), "ranking": table_value(ranking[SHOWN].head(20), "journey_ranking")})
    selected = {key.name for key in context.selected_asset_check_keys}
    problems = ranking_problems(ranking, journeys.journey_id.to_pandas())
    if CONSISTENT in selected:
        yield dg.AssetCheckResult(check_name=CONSISTENT, passed=not problems,
                                  metadata={"problems": "; ".join(problems) or "none", "journeys": len(ranking)})
    if not previous:  # the drift checks do not run: Dagster shows them skipped, not passed
        context.log.info(f"drift checks {NO_EARLIER_RUN}")
        return
    drift = journey_drift(previous, snapshot, max_size_change=conf.schedule.drift_max_size_change,
                          effect_z=conf.schedule.drift_effect_z)
    for kind, name in DRIFT_CHECKS.items():
        if name in selected:
            yield _drift_result(name, drift, kind)


@dg.asset(group_name="report", kinds={"plotly", "html"}, code_version="1", metadata={"parcours/file": "report.html"},
          check_specs=[dg.AssetCheckSpec(ADDS_UP, asset="journey_report", description=(
              "Every money figure of the report, recomputed from the numbers shown beside it: each value at stake "
              "is the customers × the effect, each tile the sum of its rows, each card its row's count and amount."))])
def journey_report(context: dg.AssetExecutionContext, journey_ranking: ir.Table, journey_instances: ir.Table,
                   journey_assignments: ir.Table, trigger_rule_scores: ir.Table, journey_impact: ir.Table,
                   ingest_summary: dict, log_profile: dict, settings: SettingsResource,
                   mlflow: MlflowResource):
    """The marketer's report: one self-contained HTML file (plotly.js inline, no CDN) that opens offline."""
    from parcours.report import (
        ReportInputs,
        journey_paths,
        money_problems,
        render_report,
        report_locale,
        run_description,
    )
    from parcours.tracking import describe_run, log_figures_page, log_text

    conf = settings.load(log_profile)
    paths = journey_paths(journey_instances, journey_assignments, conf.report.paths_per_journey,
                          conf.privacy.min_customers)
    facts = {"events": ingest_summary["clean"], "customers": ingest_summary["customers"],
             "first_day": str(ingest_summary.get("first_ts", ""))[:10],
             "last_day": str(ingest_summary.get("last_ts", ""))[:10], "run_id": context.run.run_id,
             "profile": log_profile.get("facts", []), "resolved": log_profile.get("resolved", []),
             "skipped": skipped_stages(context.instance), "discovery": _discovery_quality(context),
             "value_model": _value_model_health(context)}
    ranking, rules = journey_ranking.to_pandas(), trigger_rule_scores.to_pandas()
    html = render_report(ReportInputs(ranking, paths, rules, journey_impact.to_pandas(), facts), conf)
    with mlflow.run_for(context):
        log_text(html, "report/report.html")
        log_figures_page()  # the steps before it may have written the page at once: it ends with all their figures
        describe_run(run_description(ingest_summary, ranking, int(rules.published.sum()) if len(rules) else 0))
    yield dg.Output(html, metadata={"size_kb": round(len(html.encode()) / 1024), "journeys_with_a_card":
                                    min(conf.report.cards, int(journey_ranking.count().to_pyarrow().as_py()))})
    problems = money_problems(html, report_locale(conf))
    yield dg.AssetCheckResult(check_name=ADDS_UP, passed=not problems,
                              metadata={"problems": "; ".join(problems[:20]) or "none", "figures_off": len(problems)})


def _discovery_quality(context: dg.AssetExecutionContext) -> dict[str, float]:
    """Coverage, noise distance and representativeness of the journeys, from their latest materialisation."""
    metadata = latest_metadata(context.instance, "journeys")
    keys = ("coverage", "noise_distance", "representativeness", "representativeness_kmedoids")
    return {k: metadata[k].value for k in keys if k in metadata} if all(k in metadata for k in keys) else {}


def _value_model_health(context: dg.AssetExecutionContext) -> dict:
    """Whether this run's customer-value model passed its health check, and its problems; empty without a model."""
    metadata = latest_metadata(context.instance, "customer_value")
    if "model_healthy" not in metadata:
        return {}
    return {"healthy": bool(metadata["model_healthy"].value), "problems": str(metadata["model_health"].value)}


def _previous_snapshot(context: dg.AssetExecutionContext) -> list[dict]:
    """The snapshot of the last *earlier* materialisation of ``journey_ranking`` in this instance."""
    records = context.instance.fetch_materializations(dg.AssetKey("journey_ranking"), limit=5).records
    for record in records:
        if record.run_id == context.run.run_id or record.asset_materialization is None:
            continue
        snapshot = record.asset_materialization.metadata.get(SNAPSHOT)
        return list(snapshot.value) if snapshot else []
    return []


def _drift_result(name: str, drift: pd.DataFrame, kind: str) -> dg.AssetCheckResult:
    flag = drift[f"{kind}_drift"]
    moved = drift[flag]
    shown = [JOURNEY_ID, "name", "change", "customers_before", "customers_after", "size_change"] if kind == "size" \
        else [JOURNEY_ID, "name", "effect_before", "effect_after", "effect_z"]
    return dg.AssetCheckResult(
        check_name=name, passed=not bool(flag.any()), severity=dg.AssetCheckSeverity.WARN,
        metadata={"journeys_drifted": int(flag.sum()),
                  "drifted": table_value(moved[shown], "journey_ranking")})
