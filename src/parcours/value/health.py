"""Whether a customer-value fit can be trusted: the problems that keep it out of the model registry.

A degenerate fit still produces numbers, and they look precise: on a log where nobody stops buying, BG/NBD's
dropout parameter sits at 0, every ``p_alive`` is 1.0 and the CLV intervals shrink to a few percent. Each test
here turns one such sign into a plain sentence:

- a parameter at the edge of its range (a shape or probability at 0), or one the data do not determine (a
  standard error spanning orders of magnitude on its unconstrained scale);
- a MAP that is not a maximum (a Hessian that is not positive definite), or a sampler that did not converge;
- predictions that are not finite numbers;
- CLV intervals narrower than the purchases the model learnt from allow: a mean purchase rate learnt from
  ``N`` repeat purchases is uncertain by at least ``1 / sqrt(N)`` (Poisson counting), and a customer's CLV
  carries that uncertainty at least;
- a holdout nobody was predicted on, or one missed by more than ``value.max_holdout_error``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

#: A fitted shape, scale or probability this close to 0 sits on the edge of its range.
EDGE = 1e-4
#: A standard error above this on the unconstrained (log or logit) scale spans a factor of e^10: undetermined.
UNDETERMINED_SE = 10.0
#: Worst R-hat of a converged sampler (Vehtari et al. 2021 recommend 1.01; 1.05 tolerates short nightly chains).
MAX_R_HAT = 1.05
PREDICTIONS = ("p_alive", "expected_purchases", "expected_spend", "clv", "clv_low", "clv_high")
ROLES = {"purchases": "purchase model", "spend": "spend model"}


@dataclass(frozen=True)
class ModelHealth:
    """What is wrong with a fit, in plain sentences (none: healthy), and the numbers the sentences rest on."""

    problems: tuple[str, ...]
    measures: dict[str, float] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        """Whether no problem was found."""
        return not self.problems

    def summary(self) -> str:
        """One line: ``healthy``, or the problems joined by ``; ``."""
        return "; ".join(self.problems) if self.problems else "healthy"


def value_model_health(value: Any, *, interval: float, max_holdout_error: float) -> ModelHealth:
    """The health of a customer-value fit.

    Parameters
    ----------
    value
        A :class:`parcours.value.CustomerValue`: its ``metrics`` (the fits' point values and standard errors,
        ``purchases_*`` and ``spend_*``), its published ``values`` and its ``holdout`` table.
    interval
        The probability mass between ``clv_low`` and ``clv_high`` (``value.interval``).
    max_holdout_error
        The largest share by which the predicted holdout purchases may miss the actual ones.

    Returns
    -------
    ModelHealth
    """
    problems = [*fit_problems(value.metrics), *_prediction_problems(value.values)]
    narrow, measures = _interval_problem(value.values, interval)
    holdout, measures["holdout_purchases_error_share"] = _holdout_problem(value.holdout, max_holdout_error)
    return ModelHealth(tuple(problems + narrow + holdout), measures)


def fit_problems(metrics: dict[str, float]) -> list[str]:
    """The problems of the fits themselves (edge, undetermined, no maximum, no convergence), from their
    diagnostics prefixed ``purchases_`` and ``spend_``."""
    problems = []
    for prefix, role in ROLES.items():
        mine = {k.removeprefix(f"{prefix}_"): v for k, v in metrics.items() if k.startswith(f"{prefix}_")}
        for name, value in mine.items():
            if name.startswith("se_") and value > UNDETERMINED_SE:
                problems.append(f"the data do not determine the {role}'s {_parameter(name)} (standard error "
                                f"{value:.3g} on its log or logit scale)")
            elif not name.startswith(("se_", "hessian", "max_r_hat", "min_ess", "divergences")) and abs(value) < EDGE:
                problems.append(f"the {role}'s {name} is {value:.2g}, at the edge of its range: the fit is "
                                "degenerate")
        if mine.get("hessian_positive_definite", 1.0) == 0:
            problems.append(f"the {role}'s fit is not a maximum of its posterior (its Hessian is not positive "
                            "definite), so its intervals mean nothing")
        if mine.get("max_r_hat", 1.0) > MAX_R_HAT or mine.get("divergences", 0.0) > 0:
            problems.append(f"the {role}'s sampler did not converge (R-hat {mine.get('max_r_hat', 1.0):.3f}, "
                            f"{mine.get('divergences', 0.0):.0f} divergences)")
    return problems


def _parameter(se_name: str) -> str:
    """``se_phi_dropout_interval__`` → ``phi_dropout``: the parameter behind an unconstrained standard error."""
    name = se_name.removeprefix("se_").removesuffix("__")
    return name.removesuffix("_log").removesuffix("_interval")


def _prediction_problems(values: pd.DataFrame) -> list[str]:
    bad = ~np.isfinite(values[list(PREDICTIONS)].to_numpy(dtype=float)).all(axis=1)
    return [f"{int(bad.sum()):,} customers have a prediction that is not a finite number"] if bad.any() else []


def _interval_problem(values: pd.DataFrame, interval: float) -> tuple[list[str], dict[str, float]]:
    width = float(((values.clv_high - values.clv_low) / values.clv.where(values.clv > 0)).median())
    repeats = float(values.frequency.sum())
    floor = float(2 * norm.ppf(0.5 + interval / 2) / math.sqrt(repeats)) if repeats > 0 else math.inf
    measures = {"clv_interval_relative_width": width, "clv_interval_floor": floor, "repeat_purchases": repeats}
    if not width >= floor:  # NaN (no customer with a positive CLV) too
        return [f"the CLV intervals are narrower than {repeats:,.0f} repeat purchases allow (median width "
                f"{width:.1%} of the CLV; at least {floor:.1%})"], measures
    return [], measures


def _holdout_problem(holdout: pd.DataFrame, max_error: float) -> tuple[list[str], float]:
    predicted = holdout.predicted_purchases.to_numpy(dtype=float)
    if len(holdout) == 0 or not np.isfinite(predicted).any():
        return [f"no holdout purchases were predicted for any of the {len(holdout):,} customers, so the model was "
                "never tested"], math.nan
    actual = float(holdout.actual_purchases.sum())
    if actual == 0:
        return ["nobody bought in the holdout period, so the model was never tested"], math.nan
    error = (float(np.nansum(predicted)) - actual) / actual
    if abs(error) > max_error:
        return [f"the model predicted {error:+.0%} of the purchases customers made in the holdout period "
                f"(at most ±{max_error:.0%} allowed)"], error
    return [], error
