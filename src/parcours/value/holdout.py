"""The holdout check: a model fitted before the landmark predicts the period after it.

Compared per customer (purchases and revenue) and in aggregate, and by calibration frequency: the
classic chart of Fader, Hardie & Lee, mean actual against mean predicted holdout purchases for the
customers with 0, 1, 2, ... repeat purchases before the landmark.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Customers with at least this many calibration repeat purchases share the last bucket.
TOP_BUCKET = 7


def compare_holdout(calibration: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """Per calibration customer: predicted and actual holdout purchases and revenue, and the errors.

    Parameters
    ----------
    calibration
        ``customer_id``, ``frequency`` and the predictions ``predicted_purchases`` and ``expected_spend``.
    actuals
        ``customer_id``, ``holdout_purchases``, ``holdout_revenue`` (customers who bought in the holdout).

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``frequency``, ``predicted_purchases``, ``actual_purchases``,
        ``predicted_revenue`` (purchases x expected spend, undiscounted), ``actual_revenue``,
        ``purchases_error`` and ``revenue_error`` (predicted minus actual).
    """
    table = calibration[["customer_id", "frequency", "predicted_purchases", "expected_spend"]].merge(
        actuals, on="customer_id", how="left")
    table["actual_purchases"] = table.pop("holdout_purchases").fillna(0).astype("int64")
    table["actual_revenue"] = table.pop("holdout_revenue").fillna(0.0).astype(float)
    table["predicted_revenue"] = table.predicted_purchases * table.pop("expected_spend")
    table["purchases_error"] = table.predicted_purchases - table.actual_purchases
    table["revenue_error"] = table.predicted_revenue - table.actual_revenue
    return table[["customer_id", "frequency", "predicted_purchases", "actual_purchases", "predicted_revenue",
                  "actual_revenue", "purchases_error", "revenue_error"]]


def holdout_metrics(table: pd.DataFrame) -> dict[str, float]:
    """Aggregate and per-customer errors of the holdout prediction.

    Returns
    -------
    dict
        ``customers``; ``actual_purchases`` and ``predicted_purchases`` (totals),
        ``purchases_error_share`` ((predicted - actual) / actual), ``purchases_mae``,
        ``purchases_rmse``; the same for revenue; ``purchases_correlation`` (Pearson, per customer).
    """
    out: dict[str, float] = {"customers": float(len(table))}
    for what in ("purchases", "revenue"):
        actual, predicted = table[f"actual_{what}"].sum(), table[f"predicted_{what}"].sum()
        error = table[f"{what}_error"]
        out |= {f"actual_{what}": float(actual), f"predicted_{what}": float(predicted),
                f"{what}_error_share": float((predicted - actual) / actual) if actual else float("nan"),
                f"{what}_mae": float(error.abs().mean()), f"{what}_rmse": float(np.sqrt((error**2).mean()))}
    varied = table.actual_purchases.std() > 0 and table.predicted_purchases.std() > 0
    out["purchases_correlation"] = float(table.actual_purchases.corr(table.predicted_purchases)) if varied \
        else float("nan")
    return out


def frequency_buckets(table: pd.DataFrame) -> pd.DataFrame:
    """Mean actual and predicted holdout purchases by calibration repeat purchases (0 .. 7+)."""
    bucket = table.frequency.clip(upper=TOP_BUCKET)
    grouped = table.assign(bucket=bucket).groupby("bucket")
    out = grouped.agg(customers=("customer_id", "size"), actual=("actual_purchases", "mean"),
                      predicted=("predicted_purchases", "mean")).reset_index()
    out["label"] = out.bucket.map(lambda b: f"{b}+" if b == TOP_BUCKET else str(b))
    return out[["bucket", "label", "customers", "actual", "predicted"]]
