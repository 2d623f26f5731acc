"""The journey-impact step: per discovered journey, its doubly robust effect on value, checked before it is claimed.

For each journey ``k`` with enough treated customers, "in ``k``" is compared with "not in ``k``"
(everyone else eligible, whatever their journeys) by cross-fitted AIPW
(:mod:`parcours.impact.causal`), on two outcomes: realised net revenue in the outcome window (when
the log covers it) and the predicted CLV of ``customer_value``. The estimate gates itself:

- ``overlap_ok``: few customers outside the common support of propensities, and every covariate balanced after
  inverse-propensity weighting (beyond what the groups' sizes leave by chance);
- ``refutation_ok``: a permuted treatment, and the placebo outcome (net revenue *before* the
  observation window, with covariates measured before that), both show no effect.

q-values (Benjamini-Hochberg) are taken across the estimated journeys. A journey's effect is a
*finding* only when its q-value is below ``fdr`` and both checks hold. ``status`` says it in one of
three honest states (:mod:`parcours.impact.status`), ``reason`` why a journey is not proven, in plain
words; ``note`` keeps the technical detail.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import ibis.expr.types as ir
import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from parcours.impact.causal import (
    Effect,
    NoOverlapError,
    aipw_effect,
    benjamini_hochberg,
    cross_fit_mean,
    cross_fit_propensity,
    effective_sample_size,
    inverse_propensity_weights,
    journey_workers,
    nuisance_threads,
    permuted_label_effect,
    standardized_mean_differences,
)
from parcours.impact.design import (
    PLACEBO_COVARIATES,
    ImpactDesignError,
    TrialDesign,
    busiest_channels,
    customer_covariates,
    history_matrices,
    journey_history,
    journey_members,
    net_revenue,
    treatment_matrix,
    trial_design,
)
from parcours.impact.status import (
    NO_COMPARISON,
    UNLIKE_EVERYONE,
    checked_reason,
    effect_status,
    state_counts,
    too_few_entered,
)
from parcours.ingest.resolve import settled, value_measured
from parcours.schema import CUSTOMER_ID, JOURNEY_ID
from parcours.settings import Settings
from parcours.settings.sections import ImpactSettings, ValueSettings

IMPACT_COLUMNS = (JOURNEY_ID, "name", "n_treated", "naive_diff", "effect", "ci_low", "ci_high", "p_value",
                  "q_value", "overlap_ok", "refutation_ok", "finding", "status", "value_at_stake", "value_at_stake_low",
                  "value_at_stake_high", "std_error", "n_used", "trimmed_share", "not_at_risk_share",
                  "max_smd_before", "max_smd_after", "smd_limit", "placebo_treatment_effect", "placebo_treatment_p",
                  "placebo_outcome_effect", "placebo_outcome_p", "effect_clv", "ci_low_clv", "ci_high_clv",
                  "p_value_clv", "note", "reason", "outcome", "landmark", "outcome_end")
BALANCE_COLUMNS = (JOURNEY_ID, "covariate", "smd_before", "smd_after", "limit", "imbalanced")


@dataclass(frozen=True)
class JourneyImpact:
    """What the step found.

    Attributes
    ----------
    table
        One row per journey (``IMPACT_COLUMNS``), estimated ones first by effect; ``outcome``
        (``net_revenue`` or ``clv``), ``landmark`` and ``outcome_end`` say what the effect is on.
    balance
        ``journey_id``, ``covariate``, ``smd_before``, ``smd_after``, ``limit``, ``imbalanced``: the
        balance behind ``overlap_ok``.
    design
        The trial's windows.
    customers
        The eligible customers (an event before the observation window): the population every
        effect is averaged over.
    treated
        0/1 per eligible customer (rows) and journey with treated customers (columns).
    propensities
        Each eligible customer's cross-fitted propensity (rows) for each estimated journey
        (columns).
    support
        Whether each eligible customer is in a journey's common support
        (:func:`parcours.impact.causal.common_support`): each effect is averaged over these
        customers (the overlap population), not over all of them.
    params, metrics
        Settings, with the windows' resolved dates, the outcome and the covariates (text); run-level
        counts. For MLflow and the asset's metadata.
    """

    table: pd.DataFrame
    balance: pd.DataFrame
    design: TrialDesign
    customers: pd.Index
    treated: pd.DataFrame
    propensities: pd.DataFrame
    support: pd.DataFrame
    params: dict[str, str]
    metrics: dict[str, float]


@dataclass(frozen=True)
class TrialData:
    """The eligible customers' covariates (rows: customers) and outcomes, shared by every journey's estimate.

    ``outcome`` is net revenue in the outcome window (``outcome_name`` ``net_revenue``), or the CLV
    when the log does not cover that window; ``clv`` the CLV outcome (``None`` without customer
    values); ``placebo_outcome`` net revenue in the placebo window. ``before`` and ``recent`` count
    each customer's instances of each journey (columns) before the placebo window and within it: a
    journey's own two columns join the covariates of its estimate.
    """

    covariates: pd.DataFrame
    outcome: np.ndarray
    outcome_name: str
    clv: np.ndarray | None
    placebo_outcome: np.ndarray
    before: pd.DataFrame
    recent: pd.DataFrame
    expected_outcome: np.ndarray | None = None

    def take(self, rows: np.ndarray) -> TrialData:
        """The same data for the customers at positions ``rows``."""
        return TrialData(self.covariates.iloc[rows], self.outcome[rows], self.outcome_name,
                         None if self.clv is None else self.clv[rows], self.placebo_outcome[rows],
                         self.before.iloc[rows], self.recent.iloc[rows],
                         None if self.expected_outcome is None else self.expected_outcome[rows])

    def journey_covariates(self, journey_id: int) -> tuple[np.ndarray, np.ndarray]:
        """Journey ``journey_id``'s covariates: all of them, and those measured before the placebo window."""
        own = [self._own(self.before, journey_id), self._own(self.recent, journey_id)]
        early = self.covariates.drop(columns=list(PLACEBO_COVARIATES)).to_numpy()
        return np.column_stack([self.covariates.to_numpy(), *own]), np.column_stack([early, own[0]])

    def new_to(self, journey_id: int) -> np.ndarray:
        """Whether each customer is new to the journey: no instance of it under way in the placebo window.

        A customer already in ``k`` when the observation window opens is not entering it (a new-user
        design): with a journey under way, its first steps fall before the window and its last ones in it.
        """
        return self._own(self.recent, journey_id) == 0

    def _own(self, counts: pd.DataFrame, journey_id: int) -> np.ndarray:
        return counts[journey_id].to_numpy() if journey_id in counts else np.zeros(len(counts))


def estimate_journey_impact(events: ir.Table, instances: ir.Table, assignments: ir.Table, journeys: pd.DataFrame,
                            impact: ImpactSettings, value: ValueSettings, customer_value: pd.DataFrame | None = None,
                            has_revenue: bool = True) -> JourneyImpact:
    """Estimate every journey's effect on value, with its interval, checks, q-value and value at stake.

    Parameters
    ----------
    events
        The canonical event log.
    instances, assignments
        Journey instances (with ``start_ts``) and their journeys (``journey_assignments``).
    journeys
        ``journey_id`` and ``name`` of the discovered journeys.
    impact, value
        The design and estimator settings; the purchase/return activities and the default landmark.
    customer_value
        ``customer_id`` and ``clv`` (``customer_value.csv``): the second outcome; customers absent
        from it count 0. ``None``: no CLV outcome.
    has_revenue
        Whether the log has revenue; without it (or with ``value.outcome`` ``conversions``) the outcome is the
        conversions counted in the outcome window.

    Returns
    -------
    JourneyImpact
    """
    resolved = settled(Settings(value=value, impact=impact), events, has_revenue=has_revenue)
    value, impact = resolved.value, resolved.impact
    events, countable = value_measured(events, value) if has_revenue or value.outcome == "conversions" \
        else (events, False)
    if customer_value is not None and customer_value.empty:
        customer_value = None  # customer value was skipped: no CLV outcome
    design = trial_design(events, impact, value)
    history = journey_history(instances, assignments, design, impact.min_probability)
    trial = trial_data(events, design, impact, value, customer_value, countable, history)
    members = journey_members(instances, assignments, design, impact.min_probability)
    everyone = treatment_matrix(members, trial.covariates.index)
    eligible = len(everyone)
    trial, treated = sample_trial(trial, everyone, impact.max_customers, impact.seed)
    rows, balance, propensities, support = _journey_rows(trial, treated, everyone, journeys, impact)
    table = _finish(pd.DataFrame(rows), impact).assign(
        outcome=trial.outcome_name, landmark=design.landmark.isoformat(), outcome_end=design.outcome_end.isoformat())
    metrics = {"eligible_customers": eligible, "sampled_customers": len(trial.covariates),
               "journeys_estimated": int(table.effect.notna().sum()),
               "findings": int(table.finding.sum()), **state_counts(table.status),
               "treated_without_history": int((~members[CUSTOMER_ID].isin(trial.covariates.index)).sum())}
    params = {**{k: str(v) for k, v in impact.model_dump().items()}, **design.params(),  # resolved dates win
              "outcome": trial.outcome_name, "covariates": ", ".join(trial.covariates.columns)}
    balance_table = (pd.concat(balance, ignore_index=True) if balance
                     else pd.DataFrame(columns=[*BALANCE_COLUMNS[1:], JOURNEY_ID]))
    return JourneyImpact(table, balance_table[list(BALANCE_COLUMNS)], design,
                         trial.covariates.index, treated, pd.DataFrame(propensities, index=trial.covariates.index),
                         pd.DataFrame(support, index=trial.covariates.index), params, metrics)


def _journey_rows(trial: TrialData, treated: pd.DataFrame, everyone: pd.DataFrame, journeys: pd.DataFrame,
                  impact: ImpactSettings) -> tuple[list[dict], list[pd.DataFrame], dict, dict]:
    """Every journey's row of the table, its balance, and (when estimated) its propensities and support."""
    estimable = [j for j, n in treated.sum().items() if min(n, len(treated) - n) >= impact.min_treated]
    if estimable:
        # E[outcome | covariates], cross-fitted once: both arms' regressions under any permuted label
        with _threads(impact, len(treated)):
            trial = replace(trial, expected_outcome=cross_fit_mean(trial.covariates.to_numpy(), trial.outcome,
                                                                   folds=impact.folds, seed=impact.seed))
    labels = {j: treated[j].to_numpy() if j in treated else np.zeros(len(treated), int) for j in journeys.journey_id}
    estimates = _estimate_each(trial, labels, impact, journey_workers(impact.n_jobs, len(estimable)))
    rows, balance, propensities, support = [], [], {}, {}
    for journey, (row, smd, main) in zip(journeys.itertuples(), estimates, strict=True):
        population = int(everyone[journey.journey_id].sum()) if journey.journey_id in everyone else 0
        rows.append({JOURNEY_ID: journey.journey_id, "name": journey.name, **row, "n_treated": population})
        if main is not None:
            balance.append(smd.assign(journey_id=journey.journey_id))
            propensities[journey.journey_id] = main.propensity.astype("float32")
            support[journey.journey_id] = main.kept
    return rows, balance, propensities, support


def _estimate_each(trial: TrialData, labels: dict[int, np.ndarray], impact: ImpactSettings,
                   workers: int) -> list[tuple[dict, pd.DataFrame | None, Effect | None]]:
    """:func:`_journey_row` for every journey (``labels``: its 0/1 treatment), ``workers`` at a time, each fit
    on one OpenMP thread (:func:`parcours.impact.causal.journey_workers`); one at a time, with the threads of
    :func:`parcours.impact.causal.nuisance_threads`, when one. The estimates are the same either way: the
    models do not depend on their threads, and every journey draws from its own seeded generator."""
    if workers > 1:
        def one(item: tuple[int, np.ndarray]) -> tuple[dict, pd.DataFrame | None, Effect | None]:
            with threadpool_limits(limits=1, user_api="openmp"):  # OpenMP's limit is per calling thread
                return _journey_row(trial, *item, impact)

        with ThreadPoolExecutor(workers, thread_name_prefix="journey-impact") as pool:
            return list(pool.map(one, labels.items()))
    estimates = []
    for journey_id, t in labels.items():
        with _threads(impact, len(t)):  # asked per journey: the machine's load changes during a run
            estimates.append(_journey_row(trial, journey_id, t, impact))
    return estimates


def _threads(impact: ImpactSettings, customers: int) -> threadpool_limits:
    """The OpenMP threads of the nuisance models, for the next estimate (:func:`nuisance_threads`)."""
    return threadpool_limits(limits=nuisance_threads(impact.n_jobs, customers), user_api="openmp")


def trial_data(events: ir.Table, design: TrialDesign, impact: ImpactSettings, value: ValueSettings,
               customer_value: pd.DataFrame | None = None, has_revenue: bool = True,
               history: pd.DataFrame | None = None) -> TrialData:
    """Covariates, outcome, CLV outcome and placebo outcome of every eligible customer, on the engine.

    ``history`` (:func:`parcours.impact.design.journey_history`) adds the journey history: the
    covariates ``journeys`` and ``recent_journeys`` (instances of any discovered journey before the
    placebo window and within it) and the per-journey counts. ``None``: no journey history.

    Raises
    ------
    ImpactDesignError
        When there is no outcome: no revenue, or a log ending before the outcome window, and no CLV.
    """
    channels = busiest_channels(events, impact.max_channels)
    x = customer_covariates(events, design, impact, value, channels, has_revenue)
    empty = pd.DataFrame(columns=["customer_id", JOURNEY_ID, "before", "recent"])
    before, recent = history_matrices(empty if history is None else history, x.index)
    x = x.assign(journeys=before.sum(axis=1), recent_journeys=recent.sum(axis=1))
    revenue = net_revenue(events, design.landmark, design.outcome_end, value, has_revenue)
    placebo = net_revenue(events, design.placebo_start, design.observation_start, value, has_revenue)
    clv = None
    if customer_value is not None:
        clv = customer_value.set_index(CUSTOMER_ID).clv.reindex(x.index).fillna(0.0).to_numpy(dtype=float)
    if design.outcome_complete and has_revenue:
        name = "conversions" if value.outcome == "conversions" else "net_revenue"
        outcome = revenue.reindex(x.index).fillna(0.0).to_numpy()
    elif clv is not None:
        outcome, name = clv, "clv"
    elif not has_revenue:
        raise ImpactDesignError("no outcome to measure a journey's effect on: the log has no revenue and no purchase "
                                "or conversion activity (value.purchase_activities)")
    else:
        raise ImpactDesignError(
            f"no outcome: the log ends on {design.log_end}, before the outcome window does ({design.outcome_end}, "
            f"impact.outcome_months after the landmark), and there is no customer value to fall back on")
    return TrialData(x, outcome, name, clv, placebo.reindex(x.index).fillna(0.0).to_numpy(), before, recent)


def sample_trial(trial: TrialData, treated: pd.DataFrame, max_customers: int | None,
                 seed: int) -> tuple[TrialData, pd.DataFrame]:
    """A seeded simple random sample of at most ``max_customers`` eligible customers (all of them below it).

    A simple random sample of the eligible population has the same average effect, so the
    estimates stay unbiased for the population; their intervals come from the sample and widen
    accordingly. The sample keeps the customers' order.

    Returns
    -------
    tuple
        The trial data and the treatment matrix, restricted to the sample.
    """
    n = len(trial.covariates)
    if max_customers is None or n <= max_customers:
        return trial, treated
    rows = np.sort(np.random.default_rng(seed).choice(n, size=max_customers, replace=False))
    return trial.take(rows), treated.iloc[rows]


def _journey_row(trial: TrialData, journey_id: int, t: np.ndarray,
                 impact: ImpactSettings) -> tuple[dict, pd.DataFrame | None, Effect | None]:
    """Journey ``journey_id``'s estimate among the customers new to it (no instance of it in the placebo window)."""
    new = trial.new_to(journey_id)
    n_treated, n_control = int(t[new].sum()), int(new.sum() - t[new].sum())
    if min(n_treated, n_control) < impact.min_treated:
        side = "treated" if n_treated < n_control else "untreated"
        new_only = (f" new to the journey (of the {int(t.sum())} who entered it, {int(t.sum()) - n_treated} had "
                    "an instance of it in the placebo window)") if side == "treated" and n_treated < t.sum() else ""
        return {"n_treated": n_treated,
                "note": f"fewer than impact.min_treated={impact.min_treated} {side} customers{new_only}",
                "reason": too_few_entered(n_treated, impact.min_treated) if side == "treated" else NO_COMPARISON
                }, None, None
    rows = np.flatnonzero(new)
    trial, t = trial.take(rows) if len(rows) < len(t) else trial, t[rows]
    x, early = trial.journey_covariates(journey_id)
    options = {"folds": impact.folds, "seed": impact.seed, "trim": impact.trim}
    e = cross_fit_propensity(x, t, folds=impact.folds, seed=impact.seed)
    try:
        main = aipw_effect(x, t, trial.outcome, propensity=e, **options)
    except NoOverlapError as error:
        return {"n_treated": n_treated, "note": f"no common support: {error}", "reason": UNLIKE_EVERYONE}, None, None
    # a permuted label is independent of everything: its propensity is the treated share, exactly
    permuted = permuted_label_effect(_journey_rng(impact.seed, journey_id).permutation(t), trial.outcome,
                                     trial.expected_outcome)
    kept = main.kept  # the placebo is estimated over the population of the effect, with no second trimming
    placebo = aipw_effect(early[kept], t[kept], trial.placebo_outcome[kept], **{**options, "trim": 0.0})
    names = [*trial.covariates.columns, "journey_before", "journey_recent"]
    smd = _balance(pd.DataFrame(x, columns=names, index=trial.covariates.index), t, e, main.kept, impact)
    row = {**_effect_columns(main), "placebo_treatment_effect": permuted.effect,
           "placebo_treatment_p": permuted.p_value, "placebo_outcome_effect": placebo.effect,
           "placebo_outcome_p": placebo.p_value, "max_smd_before": float(smd.smd_before.abs().max()),
           "max_smd_after": float(smd.smd_after.abs().max()), "smd_limit": float(smd.limit.iloc[0]),
           "overlap_ok": bool(main.trimmed_share <= impact.max_trimmed_share and not smd.imbalanced.any()),
           "refutation_ok": bool(min(permuted.p_value, placebo.p_value) >= impact.refutation_alpha),
           "not_at_risk_share": 1 - (1 - main.not_at_risk_share) * len(rows) / len(new)}
    if trial.clv is not None and trial.outcome_name != "clv":
        clv = aipw_effect(x, t, trial.clv, propensity=e, **options)
        row |= {"effect_clv": clv.effect, "ci_low_clv": clv.ci_low, "ci_high_clv": clv.ci_high,
                "p_value_clv": clv.p_value}
    return row, smd, _over_everyone(main, rows, len(new))


def _journey_rng(seed: int, journey_id: int) -> np.random.Generator:
    """The generator of journey ``journey_id``'s permuted label: the same draw whichever other journeys are
    estimated, in whichever process."""
    return np.random.default_rng(np.random.SeedSequence(seed & (2**64 - 1), spawn_key=(journey_id & (2**64 - 1),)))


def _over_everyone(effect: Effect, rows: np.ndarray, n: int) -> Effect:
    """``effect`` estimated on the customers at ``rows``, with its propensities (NaN elsewhere) and support
    (False elsewhere) over all ``n``."""
    propensity, kept = np.full(n, np.nan), np.zeros(n, dtype=bool)
    propensity[rows], kept[rows] = effect.propensity, effect.kept
    return replace(effect, propensity=propensity, kept=kept)


def _effect_columns(effect: Effect) -> dict:
    return {"n_treated": effect.n_treated, "naive_diff": effect.naive_diff, "effect": effect.effect,
            "ci_low": effect.ci_low, "ci_high": effect.ci_high, "p_value": effect.p_value,
            "std_error": effect.std_error, "n_used": effect.n_used, "trimmed_share": effect.trimmed_share,
            "not_at_risk_share": effect.not_at_risk_share}


def _balance(covariates: pd.DataFrame, t: np.ndarray, e: np.ndarray, keep: np.ndarray,
             impact: ImpactSettings) -> pd.DataFrame:
    """Standardised mean differences of every covariate, raw and inverse-propensity weighted (in the support).

    A covariate is ``imbalanced`` when its weighted difference exceeds ``limit``: ``impact.max_smd``,
    or ``impact.balance_noise_z`` times the difference noise alone leaves in samples of the weighted
    groups' effective sizes, whichever is larger (a small journey is never perfectly balanced).
    """
    x, tk = covariates.to_numpy(), t[keep].astype(bool)
    weights = inverse_propensity_weights(tk, e[keep])
    after = standardized_mean_differences(x[keep], tk, weights)
    noise = np.sqrt(1 / effective_sample_size(weights[tk]) + 1 / effective_sample_size(weights[~tk]))
    limit = max(impact.max_smd, impact.balance_noise_z * noise)
    return pd.DataFrame({"covariate": covariates.columns, "smd_before": standardized_mean_differences(x, t),
                         "smd_after": after, "limit": limit, "imbalanced": np.abs(after) > limit})


def _finish(table: pd.DataFrame, impact: ImpactSettings) -> pd.DataFrame:
    """q-values across the estimated journeys, value at stake, findings; estimated journeys first, by effect."""
    table = table.reindex(columns=list(IMPACT_COLUMNS))
    estimated = table.effect.notna()
    table.loc[estimated, "q_value"] = benjamini_hochberg(table.loc[estimated, "p_value"].to_numpy())
    for column, source in (("value_at_stake", "effect"), ("value_at_stake_low", "ci_low"),
                           ("value_at_stake_high", "ci_high")):
        table[column] = table.n_treated * table[source]
    for flag in ("overlap_ok", "refutation_ok"):
        table[flag] = table[flag].eq(True)  # not estimated: not ok
    table["finding"] = estimated & (table.q_value < impact.fdr) & table.overlap_ok & table.refutation_ok
    table["note"] = table.note.astype("string").fillna("")
    table["status"] = effect_status(table)
    table["reason"] = table.reason.where(table.reason.notna(), checked_reason(table)).astype("string")
    table["n_treated"] = table.n_treated.astype("int64")
    return table.sort_values(["finding", "effect"], ascending=[False, False], na_position="last",
                             kind="stable").reset_index(drop=True)
