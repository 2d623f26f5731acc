"""Doubly robust effect estimation: cross-fitted AIPW, overlap trimming, balance and FDR control.

The building blocks of the journey-impact step, written on plain arrays so they can be tested on
data with a known effect. For a binary treatment ``t``, covariates ``x`` and outcome ``y``, the
augmented inverse-propensity-weighted (AIPW) score of customer ``i`` is

    psi_i = m1(x_i) - m0(x_i) + t_i (y_i - m1(x_i)) / e(x_i) - (1 - t_i) (y_i - m0(x_i)) / (1 - e(x_i))

with the propensity ``e`` and the outcome regressions ``m1``, ``m0`` fitted on the other folds
(cross-fitting). The average of ``psi`` estimates the average treatment effect; it is consistent
when either the propensity or the outcome model is right, and its standard error comes from the
influence function, ``sd(psi) / sqrt(n)``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import false_discovery_control, norm
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.model_selection import KFold, StratifiedKFold


@dataclass(frozen=True)
class Effect:
    """An average treatment effect with its 95% interval and what it rests on.

    Attributes
    ----------
    effect, ci_low, ci_high, std_error, p_value
        The AIPW estimate, its normal 95% interval, standard error and two-sided p-value.
    naive_diff
        Mean outcome of the treated minus that of the others (no adjustment).
    n_treated, n_used
        Treated customers, and customers kept: at risk and in the common support.
    trimmed_share
        Share of the customers at risk dropped because their propensity is above the others' (customers
        unlike anyone untreated: nothing in the data says what they would do without the treatment).
    not_at_risk_share
        Share of all customers whose propensity is below the treated's (:func:`at_risk`): unlike
        anyone treated, they are outside the population the effect is about, not a failure of overlap.
    propensity
        Each customer's cross-fitted propensity (before trimming).
    kept
        Whether each customer is in the common support: the population the effect is averaged over.
    """

    effect: float
    ci_low: float
    ci_high: float
    std_error: float
    p_value: float
    naive_diff: float
    n_treated: int
    n_used: int
    trimmed_share: float
    propensity: np.ndarray
    kept: np.ndarray
    not_at_risk_share: float = 0.0


class NoOverlapError(ValueError):
    """The treated and the others share no range of propensities: their effect cannot be learnt from the data."""


def at_risk(e: np.ndarray, t: np.ndarray, trim: float) -> np.ndarray:
    """Customers at risk of the treatment: a propensity at least the ``trim`` quantile of the treated's.

    Below it, a customer's history is unlike that of anyone who took the treatment: with continuous
    entry, most often one who already lived the journey, or whose journey is under way. A target trial
    would not enrol them (they are not eligible at time zero); they leave the population the effect
    is averaged over rather than count against the overlap check.
    """
    t = np.asarray(t).astype(bool)
    return np.ones(len(t), dtype=bool) if trim == 0 else e >= np.quantile(e[t], trim)


def common_support(e: np.ndarray, t: np.ndarray, trim: float) -> np.ndarray:
    """Customers inside the propensity range treated and others share (asymmetric trimming, Stürmer et al. 2010).

    Left out: propensities below the ``trim`` quantile of the treated's (customers unlike anyone
    treated) or above the ``1 − trim`` quantile of the others' (unlike anyone untreated). Unlike
    fixed bounds such as [0.02, 0.98], this keeps a rare journey, whose propensities are all small.
    """
    t = np.asarray(t).astype(bool)
    if trim == 0:
        return np.ones(len(t), dtype=bool)
    return at_risk(e, t, trim) & (e <= np.quantile(e[~t], 1 - trim))


def default_models(seed: int = 0) -> tuple[HistGradientBoostingClassifier, HistGradientBoostingRegressor]:
    """Flexible nuisance models: shallow, regularised gradient boosting for the propensity and the outcome.

    Deep boosted trees fit the propensity too closely: their weights left a standardised mean
    difference of 0.63 on a confounder where depth 3 and leaves of 50 leave 0.04 (logistic: 0.04).
    """
    options = {"max_iter": 100, "learning_rate": 0.05, "max_depth": 3, "min_samples_leaf": 50, "random_state": seed}
    return HistGradientBoostingClassifier(**options), HistGradientBoostingRegressor(**options)


#: Below this many customers a nuisance model gets one thread (see :func:`nuisance_threads`).
SINGLE_THREAD_BELOW = 20_000


def nuisance_threads(n_jobs: int | str, customers: int) -> int:
    """Threads for the gradient boosting of ``customers`` rows: ``n_jobs``, or with ``"auto"`` one below
    :data:`SINGLE_THREAD_BELOW`, and above it the cores this process may use (at most 4) that no other
    process is running on right now (:func:`cores_busy_elsewhere`), at least one.

    OpenMP threads wait for each other at every split, spinning on their core. On a few thousand rows
    the work between two waits is too short for a second thread to pay; and a thread that shares its
    core with another process makes every other thread wait for it: with a second CPU-bound process on
    a 2-core machine, two threads took 149 s where one took 65 (50,000 customers). Asked again before
    every journey, so a run that starts sharing the machine gives the cores back within one journey.
    """
    if n_jobs != "auto":
        return max(1, int(n_jobs))
    if customers < SINGLE_THREAD_BELOW:
        return 1
    return max(1, min(4, free_cores()))


def journey_workers(n_jobs: int | str, journeys: int) -> int:
    """Journeys estimated side by side, each in its own thread with its models fitted on one OpenMP thread: with
    ``"auto"`` one per :func:`free_cores`, else ``n_jobs``; never more than the journeys, at least one.

    scikit-learn's boosting releases the GIL while it builds histograms and splits, and single-threaded
    boosting has no OpenMP barrier to wait at: two journeys at a time fit 1.7 times as fast as one, where one
    journey on two OpenMP threads fits 1.3 times as fast (10 fits on 40,000 customers: 2.9 s on one thread,
    1.7 s as two journeys side by side, 2.3 s on two OpenMP threads); a thread sharing its core with another
    program slows down by its share, where a spinning OpenMP team makes every thread wait for the slowest.
    """
    cores = free_cores() if n_jobs == "auto" else int(n_jobs)
    return max(1, min(cores, journeys))


def free_cores() -> int:
    """The cores this process may use that no other process is running on right now, at least one."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores - cores_busy_elsewhere())


def cores_busy_elsewhere() -> int:
    """Runnable threads on the machine that are not this process's (Linux ``/proc``; 0 where it cannot tell).

    ``/proc/loadavg`` counts the threads running or ready to run now, this process's own included;
    those of this process are read from ``/proc/self/task``.
    """
    try:
        running = int(Path("/proc/loadavg").read_text().split()[3].split("/")[0])
        own = sum(_running(task) for task in Path("/proc/self/task").iterdir())
    except (OSError, ValueError, IndexError):
        return 0
    return max(0, running - own)


def _running(task: Path) -> bool:
    try:
        return (task / "stat").read_text().rsplit(")", 1)[1].split()[0] == "R"
    except (OSError, IndexError):  # the thread ended while we looked
        return False


def _folds(x: np.ndarray, t: np.ndarray, folds: int, seed: int):
    return StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, t)


def cross_fit_propensity(x: np.ndarray, t: np.ndarray, *, folds: int = 5, seed: int = 0, model=None) -> np.ndarray:
    """Out-of-fold propensity ``e(x) = P(t = 1 | x)``: each customer's from a model fitted on the other folds."""
    model = model if model is not None else default_models(seed)[0]
    e = np.empty(len(t))
    for train, test in _folds(x, t, folds, seed):
        e[test] = clone(model).fit(x[train], t[train]).predict_proba(x[test])[:, 1]
    return e


def cross_fit_outcomes(x: np.ndarray, t: np.ndarray, y: np.ndarray, *, folds: int = 5, seed: int = 0,
                       model=None) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold outcome predictions ``m1`` (as if treated) and ``m0`` (as if not), one model per arm.

    The folds are those of :func:`cross_fit_propensity` for the same ``t``, ``folds`` and ``seed``,
    so no customer's nuisance values come from models that saw them.
    """
    model = model if model is not None else default_models(seed)[1]
    m1, m0 = np.empty(len(t)), np.empty(len(t))
    for train, test in _folds(x, t, folds, seed):
        for arm, target in ((1, m1), (0, m0)):
            mine = train[t[train] == arm]
            target[test] = clone(model).fit(x[mine], y[mine]).predict(x[test])
    return m1, m0


def cross_fit_mean(x: np.ndarray, y: np.ndarray, *, folds: int = 5, seed: int = 0, model=None) -> np.ndarray:
    """Out-of-fold predictions of ``E[y | x]``, whatever the treatment: each customer's from a model fitted on
    the other folds. For a treatment drawn independently of ``x`` and ``y`` (a permuted label), both arms'
    outcome regressions equal this, so one cross-fit serves every journey's permutation refutation."""
    model = model if model is not None else default_models(seed)[1]
    m = np.empty(len(y))
    for train, test in KFold(folds, shuffle=True, random_state=seed).split(x):
        m[test] = clone(model).fit(x[train], y[train]).predict(x[test])
    return m


def aipw_effect(x: np.ndarray, t: np.ndarray, y: np.ndarray, *, folds: int = 5, seed: int = 0,
                trim: float = 0.01, propensity_model=None, outcome_model=None,
                propensity: np.ndarray | None = None,
                outcomes: tuple[np.ndarray, np.ndarray] | None = None) -> Effect:
    """The average effect of ``t`` on ``y`` by cross-fitted AIPW, on the customers with overlap.

    Parameters
    ----------
    x
        Covariates measured before treatment, one row per customer.
    t
        1 for treated, 0 for the others.
    y
        The outcome.
    folds, seed
        Cross-fitting folds and the seed of the split and of the default models.
    trim
        Customers outside the common support (:func:`common_support` at this quantile) are left
        out: their effect cannot be learnt from comparable others. The shares left out, as not at
        risk and as trimmed, are reported; 0 keeps everyone.
    propensity_model, outcome_model
        scikit-learn estimators (a classifier with ``predict_proba``, a regressor); default
        :func:`default_models`.
    propensity
        Cross-fitted propensities already computed for this ``x`` and ``t`` (e.g. for a second
        outcome); default: fitted here.
    outcomes
        Cross-fitted ``(m1, m0)`` already computed for this ``x``, ``t`` and ``y`` (e.g.
        :func:`cross_fit_mean` twice, for a permuted treatment); default: fitted here.

    Returns
    -------
    Effect

    Raises
    ------
    NoOverlapError
        When fewer than two treated or two untreated customers are left in the common support.
    """
    t = np.asarray(t).astype(int)
    y = np.asarray(y, dtype=float)
    if t.min() == t.max():
        raise ValueError("aipw_effect needs treated and untreated customers")
    e = propensity if propensity is not None else cross_fit_propensity(x, t, folds=folds, seed=seed,
                                                                       model=propensity_model)
    m1, m0 = outcomes if outcomes is not None else cross_fit_outcomes(x, t, y, folds=folds, seed=seed,
                                                                      model=outcome_model)
    keep, risk = common_support(e, t, trim), at_risk(e, t, trim)
    if min(t[keep].sum(), (1 - t[keep]).sum()) < 2:
        raise NoOverlapError(f"{int(t[keep].sum())} treated and {int((1 - t[keep]).sum())} untreated customers "
                             "share a range of propensities")
    ek, tk, yk = e[keep], t[keep], y[keep]
    psi = m1[keep] - m0[keep] + tk * (yk - m1[keep]) / ek - (1 - tk) * (yk - m0[keep]) / (1 - ek)
    effect, se = float(psi.mean()), float(psi.std(ddof=1) / np.sqrt(len(psi)))
    z = norm.ppf(0.975)
    p_value = float(2 * norm.sf(abs(effect) / se)) if se > 0 else 0.0
    return Effect(effect, effect - z * se, effect + z * se, se, p_value,
                  float(y[t == 1].mean() - y[t == 0].mean()), int(t.sum()), int(keep.sum()),
                  float(1 - keep.sum() / risk.sum()), e, keep, float(1 - risk.mean()))


@dataclass(frozen=True)
class PermutedEffect:
    """The "effect" of a randomly permuted label: ``effect``, its randomization ``std_error`` and ``p_value``."""

    effect: float
    std_error: float
    p_value: float


def permuted_label_effect(t: np.ndarray, y: np.ndarray, expected: np.ndarray | None = None) -> PermutedEffect:
    """The doubly robust estimate for a label drawn at random, with its variance under that randomisation.

    With the propensity the treated share and both arms' regressions ``expected`` (E[y | covariates];
    default the mean), the AIPW estimate is the difference of the arms' mean residuals. Under a
    random label its exact variance is the residuals' variance over *everyone* times 1/n1 + 1/n0
    (Imbens & Rubin 2015, ch. 6): every customer could have been drawn into either arm. The
    influence-function variance uses each arm's own residuals instead; when a few customers have
    outcomes far above the rest (real logs have them) and the draw left them all in the large arm, it
    is too small and a random label looks like an effect.

    Parameters
    ----------
    t
        The permuted 0/1 label.
    y
        The outcome.
    expected
        Cross-fitted E[y | covariates], or ``None`` for the mean.

    Returns
    -------
    PermutedEffect
    """
    t = np.asarray(t).astype(bool)
    residual = np.asarray(y, float) - (np.mean(y) if expected is None else np.asarray(expected, float))
    n1, n0 = int(t.sum()), int((~t).sum())
    effect = float(residual[t].mean() - residual[~t].mean())
    se = float(np.sqrt(residual.var(ddof=1) * (1 / n1 + 1 / n0)))
    return PermutedEffect(effect, se, float(2 * norm.sf(abs(effect) / se)) if se > 0 else 1.0)


def standardized_mean_differences(x: np.ndarray, t: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Per covariate, the difference of (weighted) means between treated and others over the pooled
    unweighted standard deviation; |SMD| below 0.1 is the usual mark of balance."""
    t = np.asarray(t).astype(bool)
    w = np.ones(len(t)) if weights is None else np.asarray(weights, dtype=float)
    treated = np.average(x[t], axis=0, weights=w[t])
    others = np.average(x[~t], axis=0, weights=w[~t])
    pooled = np.sqrt((x[t].var(axis=0, ddof=1) + x[~t].var(axis=0, ddof=1)) / 2)
    return np.where(pooled > 0, (treated - others) / np.where(pooled > 0, pooled, 1.0), 0.0)


def inverse_propensity_weights(t: np.ndarray, e: np.ndarray) -> np.ndarray:
    """ATE weights: ``1 / e`` for the treated, ``1 / (1 - e)`` for the others."""
    t = np.asarray(t).astype(bool)
    return np.where(t, 1.0 / e, 1.0 / (1.0 - e))


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of weighted observations, ``(Σw)² / Σw²``."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w**2).sum())


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values (the false discovery rate at which each test would be rejected): scipy's
    ``false_discovery_control``; an empty array stays empty."""
    p = np.asarray(p_values, dtype=float)
    return false_discovery_control(p, method="bh") if len(p) else p
