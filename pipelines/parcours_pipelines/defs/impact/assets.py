"""What each discovered journey does to customer value: doubly robust effects, checked before they are claimed."""

import dagster as dg
import ibis.expr.types as ir

from parcours.schema import JOURNEY_ID
from parcours.stages import StageSkipped
from parcours_pipelines.metadata import image, numbers, skipped_output, table_metadata, table_value
from parcours_pipelines.resources import MlflowResource, SettingsResource

SHOWN = [JOURNEY_ID, "name", "n_treated", "naive_diff", "effect", "ci_low", "ci_high", "q_value", "overlap_ok",
         "refutation_ok", "finding", "status", "value_at_stake", "reason"]


@dg.asset(group_name="impact", kinds={"scikitlearn", "csv"}, code_version="1",
          metadata={"parcours/file": "journey_impact.csv"})
def journey_impact(context: dg.AssetExecutionContext, event_log: ir.Table, log_profile: dict,
                   journey_instances: ir.Table, journey_assignments: ir.Table, journeys: ir.Table,
                   customer_value: ir.Table, settings: SettingsResource, mlflow: MlflowResource) -> dg.Output:
    """Per journey, the effect of being in it on value after the landmark (net revenue, or conversions in a log
    without money; and on CLV), by cross-fitted AIPW, with its interval, overlap and refutation checks, q-value and
    value at stake."""
    from parcours.impact import estimate_journey_impact, forest_figure, forest_png, not_estimated
    from parcours.tracking.impact import log_journey_impact

    conf, named = settings.load(log_profile), journeys.select(JOURNEY_ID, "name").to_pandas()
    try:
        impact = estimate_journey_impact(
            event_log, journey_instances, journey_assignments, named, conf.impact, conf.value,
            customer_value=customer_value.select("customer_id", "clv").to_pandas(),
            has_revenue=log_profile["has_revenue"])
    except StageSkipped as skip:
        return skipped_output(context, not_estimated(named, str(skip)), str(skip))
    outcome = impact.params["outcome"].replace("_", " ")
    with mlflow.run_for(context):
        log_journey_impact(impact, [forest_figure(impact.table, outcome), *_overlaps(impact)])
    return dg.Output(impact.table, metadata={
        **table_metadata(impact.table, "journey_impact"), **numbers(impact.metrics), **impact.design.params(),
        "outcome": outcome,
        "effects": table_value(impact.table[SHOWN], "journey_impact"),
        "forest_plot": image(forest_png(impact.table), "journey impact: effects with their 95% intervals"),
    })


def _overlaps(impact) -> list:
    from parcours.impact import overlap_figure

    names = impact.table.set_index(JOURNEY_ID).name
    return [overlap_figure(impact.propensities, impact.treated, j, names[j]) for j in impact.propensities.columns]
