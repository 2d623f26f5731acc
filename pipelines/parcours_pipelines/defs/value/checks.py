"""Checks on customer value: a healthy model, one sane row per buyer, and a holdout prediction close to what
happened."""

import dagster as dg
import ibis.expr.types as ir

from parcours.stages import SKIPPED
from parcours_pipelines.metadata import latest_metadata
from parcours_pipelines.resources import SettingsResource


@dg.asset_check(asset="customer_value", blocking=True)
def customer_value_is_one_sane_row_per_buyer(customer_value: ir.Table) -> dg.AssetCheckResult:
    """One row per customer; probabilities in [0, 1]; clv_low <= clv <= clv_high, all finite and not negative."""
    t = customer_value
    stats = t.aggregate(
        rows=t.count(), customers=t.customer_id.nunique(),
        bad_p_alive=t.count(where=(t.p_alive < 0) | (t.p_alive > 1) | t.p_alive.isnull()),
        bad_interval=t.count(where=(t.clv_low > t.clv * (1 + 1e-9)) | (t.clv_high < t.clv * (1 - 1e-9))
                             | t.clv.isnull() | t.clv_low.isnull() | t.clv_high.isnull() | (t.clv_low < 0)),
    ).to_pyarrow().to_pylist()[0]
    passed = stats["rows"] == stats["customers"] and stats["bad_p_alive"] == 0 and stats["bad_interval"] == 0
    return dg.AssetCheckResult(passed=bool(passed), metadata={k: int(v) for k, v in stats.items()})


@dg.asset_check(asset="customer_value")
def customer_value_model_is_healthy(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    """Fails when the value model is degenerate (parameters at the edge of their range or undetermined, no
    maximum, no convergence), predicts non-finite values, gives intervals narrower than its data allow, or misses
    the holdout (:func:`parcours.value.health.value_model_health`). Such a model is registered without the
    ``candidate`` alias. A skipped step has no model: nothing to check."""
    metadata = latest_metadata(context.instance, "customer_value")
    if "model_healthy" not in metadata:  # the step was skipped (no purchases): no model was fitted or registered
        reason = metadata[SKIPPED].value if SKIPPED in metadata else "no value model in this run"
        return dg.AssetCheckResult(passed=True, metadata={"model": f"none ({reason})"})
    healthy = bool(metadata["model_healthy"].value)
    return dg.AssetCheckResult(passed=healthy, severity=dg.AssetCheckSeverity.WARN, metadata={
        "health": metadata["model_health"].value, "clv_model_version": metadata["clv_model_version"].value,
        "clv_model_alias": metadata["clv_model_alias"].value})


@dg.asset_check(asset="customer_value_holdout")
def customer_value_holdout_error_is_small(customer_value_holdout: ir.Table,
                                          settings: SettingsResource) -> dg.AssetCheckResult:
    """Warns when predicted holdout purchases are off the actual total by more than value.max_holdout_error."""
    t = customer_value_holdout
    totals = t.aggregate(rows=t.count(), n=t.count(where=t.predicted_purchases.notnull()),
                         actual=t.actual_purchases.sum(),
                         predicted=t.predicted_purchases.sum()).to_pyarrow().to_pylist()[0]
    actual, predicted = float(totals["actual"] or 0), float(totals["predicted"] or 0)
    limit = settings.load().value.max_holdout_error
    if not totals["n"]:  # no customer (the step was skipped: nothing to compare), or none predicted (warn)
        return dg.AssetCheckResult(passed=not totals["rows"], severity=dg.AssetCheckSeverity.WARN, metadata={
            "customers": int(totals["rows"]), "customers_predicted": 0, "max_holdout_error": limit})
    error = (predicted - actual) / actual if actual else float("inf")
    return dg.AssetCheckResult(passed=bool(abs(error) <= limit), severity=dg.AssetCheckSeverity.WARN,
                               metadata={"customers_predicted": int(totals["n"]), "actual_purchases": actual,
                                         "predicted_purchases": round(predicted, 2),
                                         "error_share": round(error, 4) if actual else "no purchase in the holdout",
                                         "max_holdout_error": limit})
