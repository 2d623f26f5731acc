"""From the event log to every customer's lifetime value, checked on a holdout period."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from parcours.days import DAYS_PER_UNIT, day_date, day_number
from parcours.ingest.resolve import settled, value_measured
from parcours.settings import Settings
from parcours.value.health import ModelHealth, fit_problems, value_model_health
from parcours.value.holdout import compare_holdout, frequency_buckets, holdout_metrics
from parcours.value.models import FALLBACKS, MODEL_NAMES, Fit, fit_model, purchase_model, spend_model
from parcours.value.predict import expected_purchases, expected_spend, predict_customers, spend_input
from parcours.value.rfm import (
    CustomerValueError,
    default_landmark,
    holdout_actuals,
    observed_days,
    rfm_summary,
)

VALUE_COLUMNS = ["customer_id", "frequency", "recency", "T", "monetary", "p_alive", "expected_purchases",
                 "expected_spend", "clv", "clv_low", "clv_high"]


@dataclass
class CustomerValue:
    """Everything :func:`estimate_customer_value` learnt.

    Attributes
    ----------
    values
        One row per customer with a purchase before ``as_of`` (``customer_value.csv``).
    holdout
        One row per calibration customer: predicted and actual holdout purchases and revenue.
    buckets
        Mean actual and predicted holdout purchases by calibration repeat purchases.
    metrics
        Holdout errors (``holdout_*``), fit diagnostics (``purchases_*``, ``spend_*``) and the CLV distribution.
    params
        The settings and dates used.
    purchases, spend
        The published fits (the refit on all data, or the calibration fits).
    health
        What is wrong with the fits, if anything (:func:`parcours.value.health.value_model_health`): a model with
        a problem is not registered as a candidate.
    """

    values: pd.DataFrame
    holdout: pd.DataFrame
    buckets: pd.DataFrame
    metrics: dict[str, float]
    params: dict[str, Any]
    purchases: Fit
    spend: Fit
    health: ModelHealth = field(default_factory=lambda: ModelHealth(()))


def estimate_customer_value(events: ir.Table, settings: Any, *, has_revenue: bool = True) -> CustomerValue:
    """Fit the purchase and spend models, check them on the holdout, and value every customer.

    Parameters
    ----------
    events
        The canonical event log.
    settings
        :class:`parcours.settings.ValueSettings`.
    has_revenue
        Whether the log has a revenue column. Without one (or with ``value.outcome`` ``conversions``) value is
        counted in conversions: each purchase activity's event is worth 1.

    Returns
    -------
    CustomerValue

    Raises
    ------
    CustomerValueError
        (a :class:`parcours.stages.StageSkipped`) No purchase or conversion activity, a landmark outside the
        log, no purchase before the landmark, or too few repeat buyers to fit Gamma-Gamma.
    """
    settings = settled(Settings(value=settings), events, has_revenue=has_revenue).value
    if settings.outcome == "revenue" and not has_revenue:
        raise CustomerValueError("value.outcome is revenue but the event log has no revenue column "
                                 "(ingest.columns.revenue); set value.outcome to conversions or auto")
    events, countable = value_measured(events, settings)
    if not countable:
        raise CustomerValueError("no purchase or conversion activity to value customers by: the log has none with "
                                 "revenue or named like a conversion (set value.purchase_activities)")
    if settings.outcome == "conversions":  # a conversion has no money to give back
        settings = settings.model_copy(update={"returns": "ignore", "return_activities": []})
    first, last = observed_days(events)
    landmark = settings.landmark or default_landmark(events, settings.horizon_months)
    end = day_date(last + 1)
    if not first < day_number(landmark) <= last:
        if settings.landmark is None:
            raise CustomerValueError(
                f"the log covers {last + 1 - first} days ({day_date(first)} .. {day_date(last)}), "
                f"too few for a calibration period and a holdout of value.horizon_months={settings.horizon_months}; "
                f"set a shorter value.horizon_months or a value.landmark")
        raise CustomerValueError(f"value.landmark {landmark} must fall after the first event day {day_date(first)} "
                                 f"and on or before the last event day {day_date(last)}")
    calibration = _summary(events, landmark, settings)
    kinds = (settings.purchase_model, *(k for k in FALLBACKS if settings.fallbacks and k != settings.purchase_model))
    if settings.refit:  # the model is chosen on the data it is published from; the holdout tests that same model
        current = _summary(events, end, settings)
        purchases, spend = _fit_pair(current, settings, end, kinds)
        cal_purchases, cal_spend = _fit_pair(calibration, settings, landmark, (purchases.kind,))
    else:
        cal_purchases, cal_spend = _fit_pair(calibration, settings, landmark, kinds)
        current, purchases, spend = calibration, cal_purchases, cal_spend
    holdout = _check_holdout(events, calibration, cal_purchases, cal_spend, landmark, end, settings)
    values = predict_customers(purchases, spend, current, settings)[VALUE_COLUMNS]
    metrics = {**{f"holdout_{k}": v for k, v in holdout_metrics(holdout).items()},
               **{f"purchases_{k}": v for k, v in purchases.diagnostics.items()},
               **{f"spend_{k}": v for k, v in spend.diagnostics.items()}, **describe_values(values),
               "customers_without_purchase": float(_customers(events) - len(values))}
    degenerate = [f"{MODEL_NAMES[k]}: {why}" for k, why in purchases.tried]
    if cal_purchases is not purchases:  # the tested fit, when it degenerates before the landmark
        degenerate += [f"{MODEL_NAMES[k]} before the landmark: {why}" for k, why in cal_purchases.tried]
    params = {**settings.model_dump(mode="json"), "purchase_model_used": purchases.kind,
              "purchase_model_tested": cal_purchases.kind, "purchase_models_degenerate": "; ".join(degenerate),
              "landmark": landmark.isoformat(), "as_of": (
        end if settings.refit else landmark).isoformat(), "holdout_end": end.isoformat(),
        "holdout_days": day_number(end) - day_number(landmark)}
    value = CustomerValue(values, holdout, frequency_buckets(holdout), metrics, params, purchases, spend)
    health = value_model_health(value, interval=settings.interval, max_holdout_error=settings.max_holdout_error)
    return replace(value, health=health, metrics={**metrics, "model_healthy": float(health.healthy),
                                                  "clv_interval_floor": health.measures["clv_interval_floor"]})


HOLDOUT_COLUMNS = ["customer_id", "frequency", "predicted_purchases", "actual_purchases", "predicted_revenue",
                   "actual_revenue", "purchases_error", "revenue_error"]


def empty_customer_value() -> tuple[pd.DataFrame, pd.DataFrame]:
    """``customer_value`` and ``customer_value_holdout`` with their columns and types and no customer (a skipped step).

    Examples
    --------
    >>> values, holdout = empty_customer_value()
    >>> len(values), list(values.columns) == VALUE_COLUMNS, str(holdout.predicted_purchases.dtype)
    (0, True, 'float64')
    """
    def frame(columns: list[str]) -> pd.DataFrame:
        return pd.DataFrame({c: pd.Series(dtype="string" if c == "customer_id" else "float64") for c in columns})

    return frame(VALUE_COLUMNS), frame(HOLDOUT_COLUMNS)


def _customers(events: ir.Table) -> int:
    """Distinct customers of the log (those who never bought are not valued)."""
    return int(events.customer_id.nunique().to_pyarrow().as_py())


def _summary(events: ir.Table, landmark: date, settings: Any) -> pd.DataFrame:
    table = rfm_summary(events, landmark, purchase_activities=settings.purchase_activities,
                        return_activities=settings.return_activities, returns=settings.returns,
                        time_unit=settings.time_unit).to_pandas()
    if table.empty:
        raise CustomerValueError(f"no purchase ({settings.purchase_activities}, "
                                 f"value.purchase_activities) before {landmark}")
    return table


def _fit_pair(rfm: pd.DataFrame, settings: Any, landmark: date, kinds: tuple[str, ...]) -> tuple[Fit, Fit]:
    repeat = rfm[(rfm.frequency > 0) & (rfm.monetary > 0)]
    if len(repeat) < settings.min_repeat_buyers:
        raise CustomerValueError(
            f"{len(repeat)} customers with repeat purchases and revenue before {landmark}, "
            f"fewer than value.min_repeat_buyers={settings.min_repeat_buyers}: Gamma-Gamma cannot be fitted")
    purchases = purchase_fit(rfm[["customer_id", "frequency", "recency", "T"]], settings, kinds)
    return purchases, fit_model(spend_model(), "gamma_gamma", spend_input(repeat), settings)


def purchase_fit(data: pd.DataFrame, settings: Any, kinds: tuple[str, ...]) -> Fit:
    """The first purchase model of ``kinds`` whose fit is not degenerate (:func:`parcours.value.health.fit_problems`),
    or the first one's fit when all are. The fit's ``tried`` lists the models that degenerated before it, with why."""
    fits = []
    for kind in kinds:
        fit = fit_model(purchase_model(kind), kind, data, settings)
        problems = fit_problems({f"purchases_{k}": v for k, v in fit.diagnostics.items()})
        if not problems:
            return replace(fit, tried=tuple((f.kind, p) for f, p in fits))
        fits.append((fit, "; ".join(problems)))
    return replace(fits[0][0], tried=tuple((f.kind, p) for f, p in fits))


def _check_holdout(events: ir.Table, calibration: pd.DataFrame, purchases: Fit, spend: Fit, landmark: date,
                   end: date, settings: Any) -> pd.DataFrame:
    days = day_number(end) - day_number(landmark)
    predicted = calibration.assign(
        predicted_purchases=expected_purchases(purchases, calibration, days / DAYS_PER_UNIT[settings.time_unit],
                                               settings.interval_draws),
        expected_spend=expected_spend(spend, calibration))
    actuals = holdout_actuals(events, landmark, end, purchase_activities=settings.purchase_activities,
                              return_activities=settings.return_activities, returns=settings.returns).to_pandas()
    return compare_holdout(predicted, actuals)


def describe_values(values: pd.DataFrame) -> dict[str, float]:
    """The CLV distribution: customers, total, mean and quantiles, and the median relative interval width."""
    clv = values.clv
    width = ((values.clv_high - values.clv_low) / values.clv.where(values.clv > 0)).median()
    return {"customers": float(len(values)), "clv_total": float(clv.sum()), "clv_mean": float(clv.mean()),
            **{f"clv_p{q}": float(clv.quantile(q / 100)) for q in (10, 50, 90, 99)},
            "clv_interval_relative_width": float(width), "p_alive_mean": float(values.p_alive.mean())}
