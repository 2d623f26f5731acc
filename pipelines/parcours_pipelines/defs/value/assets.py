"""What each customer is worth: lifetime value from BG/NBD (or Pareto/NBD) and Gamma-Gamma, with its holdout check."""

from collections.abc import Iterator

import dagster as dg
import ibis.expr.types as ir

from parcours.stages import StageSkipped
from parcours_pipelines.metadata import image, numbers, skipped_output, table_metadata, table_value
from parcours_pipelines.resources import MlflowResource, SettingsResource


@dg.multi_asset(
    outs={
        "customer_value": dg.AssetOut(
            description="Every customer with a purchase: RFM, probability alive, expected purchases and spend, "
                        "and CLV over the horizon with its interval.",
            metadata={"parcours/file": "customer_value.csv"}, kinds={"pymc", "csv"}, code_version="1"),
        "customer_value_holdout": dg.AssetOut(
            description="The holdout check per customer: purchases and revenue after the landmark, predicted by "
                        "the models fitted before it, and actual.",
            metadata={"parcours/file": "customer_value_holdout.csv"}, kinds={"pymc", "csv"}, code_version="1"),
    },
    group_name="value",
)
def valued_customers(context: dg.AssetExecutionContext, event_log: ir.Table, log_profile: dict,
                     settings: SettingsResource, mlflow: MlflowResource) -> Iterator[dg.Output]:
    """Fit the purchase and spend models before the landmark, check them on the holdout, value every customer,
    and register the models as parcours-clv (in revenue, or in conversions for a log without money)."""
    from parcours.tracking.value import log_customer_value
    from parcours.value import (
        MODEL_NAMES,
        clv_distribution_figure,
        empty_customer_value,
        estimate_customer_value,
        holdout_figure,
        holdout_png,
    )

    try:
        value = estimate_customer_value(event_log, settings.load(log_profile).value,
                                        has_revenue=log_profile["has_revenue"])
    except StageSkipped as skip:
        values, holdout = empty_customer_value()
        yield skipped_output(context, values, str(skip), "customer_value")
        yield skipped_output(context, holdout, str(skip), "customer_value_holdout")
        return
    with mlflow.run_for(context):
        version = log_customer_value(value, [holdout_figure(value.buckets, _holdout(value.metrics)),
                                             clv_distribution_figure(value.values)])
    metrics = numbers({k: v for k, v in value.metrics.items() if k != "model_healthy"})
    yield dg.Output(value.values, "customer_value", metadata={
        **table_metadata(value.values, "customer_value"),
        **{k: v for k, v in metrics.items() if not k.startswith("holdout_")},
        "landmark": value.params["landmark"], "as_of": value.params["as_of"], "clv_model_version": version,
        "purchase_model": MODEL_NAMES[value.params["purchase_model_used"]],
        "purchase_models_degenerate": value.params["purchase_models_degenerate"] or "none",
        "model_healthy": value.health.healthy, "model_health": value.health.summary(),
        "clv_model_alias": "candidate" if value.health.healthy else "none: the model failed its health check",
    })
    yield dg.Output(value.holdout, "customer_value_holdout", metadata={
        **table_metadata(value.holdout, "customer_value_holdout"),
        **{k: v for k, v in metrics.items() if k.startswith("holdout_")},
        "by_frequency": table_value(value.buckets),
        "chart": image(holdout_png(value.buckets), "holdout: actual against predicted purchases"),
        "landmark": value.params["landmark"], "holdout_end": value.params["holdout_end"],
    })


def _holdout(metrics: dict[str, float]) -> dict[str, float]:
    return {k.removeprefix("holdout_"): v for k, v in metrics.items() if k.startswith("holdout_")}
