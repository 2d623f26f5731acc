"""Per-customer predictions: probability alive, expected purchases, CLV and its interval.

Work is done on chunks of customers, so at most ``draws x chunk`` values live in memory at once,
never a chain x draw x customer cube of the whole population.

- A MAP fit's interval: the model parameters' Laplace approximation carried to each customer by
  the delta method on the log scale. The CLV is evaluated at the MAP and a small step either side
  along each principal axis of the approximation; the derivative of log CLV along an axis times
  that axis's standard deviation is its share of the standard deviation of log CLV, and the shares
  add in quadrature (the purchase and spend models are independent).
  ``clv_low, clv_high = clv x exp(-+z sd)``. A direction the data do not pin down (a MAP on a
  boundary, such as no dropout at all) has a large variance but, as the CLV hardly moves along it,
  little weight.
- A posterior fit's interval: quantiles of the CLV over thinned posterior draws (at most
  ``interval_draws``), purchase and spend draws paired.

Either way it is the uncertainty of each customer's *expected* CLV given the data, not the spread
of what one customer will actually spend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from pymc_marketing.clv.utils import customer_lifetime_value
from scipy.stats import norm

from parcours.days import DAYS_PER_MONTH, DAYS_PER_UNIT
from parcours.value.models import Fit, constrained_draws, thinned_posterior, with_posterior

#: Largest draws x customers block computed at once.
BLOCK = 2_000_000
RFM = ["customer_id", "frequency", "recency", "T"]


def monthly_rate(annual_rate: float) -> float:
    """The monthly discount rate equivalent to ``annual_rate``."""
    return (1.0 + annual_rate) ** (1.0 / 12.0) - 1.0


def parameter_points(fit: Fit, draws: int) -> tuple[xr.Dataset, np.ndarray | None]:
    """The parameter values a prediction is evaluated at: Laplace axis points and their scales (MAP),
    or thinned posterior draws (and no scales)."""
    if fit.laplace is not None:
        points, scales = fit.laplace.axis_points()
        return constrained_draws(fit.model, fit.laplace, points), scales
    return thinned_posterior(fit.model, draws), None


def predict_customers(purchases: Fit, spend: Fit, rfm: pd.DataFrame, settings) -> pd.DataFrame:
    """``p_alive``, ``expected_purchases``, ``expected_spend``, ``clv``, ``clv_low`` and ``clv_high``.

    Parameters
    ----------
    purchases, spend
        The fitted purchase (BG/NBD or Pareto/NBD) and Gamma-Gamma models.
    rfm
        ``customer_id``, ``frequency``, ``recency``, ``T`` (in ``settings.time_unit``) and ``monetary``.
    settings
        :class:`parcours.settings.ValueSettings`: the horizon, discount rate, interval and time unit.

    Returns
    -------
    pandas.DataFrame
        ``rfm`` with the predictions added, in its order. ``expected_purchases`` and the CLV cover
        the next ``horizon_months``; the CLV is discounted at ``annual_discount_rate``.
    """
    bg_points, gg_points = parameter_points(purchases, settings.interval_draws), parameter_points(
        spend, settings.interval_draws)
    parts = [_predict_block(purchases, spend, bg_points, gg_points, block, settings)
             for block in _blocks(rfm, bg_points[0].sizes["draw"])]
    out = pd.concat(parts, ignore_index=True) if parts else _empty()
    return pd.concat([rfm.reset_index(drop=True), out], axis=1)


def _predict_block(purchases: Fit, spend: Fit, bg_points: tuple, gg_points: tuple, block: pd.DataFrame,
                   settings) -> pd.DataFrame:
    data = block[RFM].assign(monetary_value=block["monetary"].to_numpy(), future_spend=1.0)
    bg, gg = with_posterior(purchases.model, bg_points[0]), with_posterior(spend.model, gg_points[0])
    horizon_units = settings.horizon_months * DAYS_PER_MONTH / DAYS_PER_UNIT[settings.time_unit]
    discounted = _values(customer_lifetime_value(bg, data, future_t=settings.horizon_months,
                                                 discount_rate=monthly_rate(settings.annual_discount_rate),
                                                 time_unit=settings.time_unit))
    mean_spend = _values(gg.expected_customer_spend(data))
    alive = _values(bg.expected_probability_alive(data))
    expected = _values(bg.expected_purchases(data, future_t=horizon_units))
    if purchases.laplace is not None:
        clv, low, high = _delta_interval(discounted, mean_spend, bg_points[1], gg_points[1], settings.interval)
        alive, expected, mean_spend = alive[0], expected[0], mean_spend[0]
    else:
        clv, low, high = _draw_interval(discounted, _paired(mean_spend, len(discounted)), settings.interval)
        alive, expected, mean_spend = alive.mean(0), expected.mean(0), mean_spend.mean(0)
    return pd.DataFrame({"p_alive": alive, "expected_purchases": expected, "expected_spend": mean_spend,
                         "clv": clv, "clv_low": low, "clv_high": high})


def _values(array: xr.DataArray) -> np.ndarray:
    """``(draws, customers)`` from a pymc-marketing prediction (chain, draw, customer_id)."""
    array = array.transpose("chain", "draw", "customer_id", missing_dims="ignore")
    values = np.asarray(array.values, dtype=float)
    return values.reshape(-1, values.shape[-1])


def _delta_interval(discounted: np.ndarray, spend: np.ndarray, bg_scales: np.ndarray, gg_scales: np.ndarray,
                    mass: float) -> tuple[np.ndarray, ...]:
    """CLV at the MAP and its interval from the axis points (row 0: MAP, then +/- pairs per axis)."""
    clv = discounted[0] * spend[0]
    variance = _axis_variance(discounted, bg_scales) + _axis_variance(spend, gg_scales)
    spread = norm.ppf(0.5 + mass / 2) * np.sqrt(variance)
    return clv, clv * np.exp(-spread), clv * np.exp(spread)


def _axis_variance(values: np.ndarray, scales: np.ndarray) -> np.ndarray:
    logs = np.log(np.clip(values, 1e-300, None))
    deviations = scales[:, None] * (logs[1::2] - logs[2::2]) / 2
    return (deviations**2).sum(axis=0)


def _paired(spend: np.ndarray, draws: int) -> np.ndarray:
    """Spend draws matched one to one with the purchase draws (cycled when there are fewer)."""
    return spend[np.arange(draws) % len(spend)]


def _draw_interval(discounted: np.ndarray, spend: np.ndarray, mass: float) -> tuple[np.ndarray, ...]:
    draws = discounted * spend
    low, high = np.quantile(draws, [0.5 - mass / 2, 0.5 + mass / 2], axis=0)
    return draws.mean(axis=0), low, high


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float) for c in
                         ("p_alive", "expected_purchases", "expected_spend", "clv", "clv_low", "clv_high")})


def expected_purchases(purchases: Fit, rfm: pd.DataFrame, future_t: float, draws: int) -> np.ndarray:
    """Each customer's expected purchases in the next ``future_t`` time units (MAP, or posterior mean)."""
    model = purchases.model if purchases.laplace is not None else with_posterior(
        purchases.model, thinned_posterior(purchases.model, draws))
    parts = [_values(model.expected_purchases(block[RFM], future_t=future_t)).mean(axis=0)
             for block in _blocks(rfm, 1 if purchases.laplace is not None else draws)]
    return np.concatenate(parts) if parts else np.zeros(0)


def expected_spend(spend: Fit, rfm: pd.DataFrame) -> np.ndarray:
    """Each customer's expected spend per purchase (MAP, or posterior mean)."""
    return spend.model.expected_customer_spend(spend_input(rfm)).mean(("chain", "draw")).to_numpy()


def spend_input(rfm: pd.DataFrame) -> pd.DataFrame:
    """The columns Gamma-Gamma reads: ``customer_id``, ``frequency`` and ``monetary_value``."""
    return rfm[["customer_id", "frequency"]].assign(monetary_value=rfm["monetary"].to_numpy())


def _blocks(rfm: pd.DataFrame, draws: int):
    """Consecutive slices of customers, each small enough that ``draws x customers <= BLOCK``."""
    size = max(1, BLOCK // max(draws, 1))
    return (rfm.iloc[i:i + size] for i in range(0, len(rfm), size))
