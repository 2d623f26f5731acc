"""Who lives which planted journey, and the exact effect of "journey k versus the rest".

Journey choice depends on what a customer *did* in the early history (their number of orders), not
directly on their latent value. Orders are driven by value, so the choice is confounded with the
outcome (a naive comparison is biased), yet adjusting for the observed history removes the
confounding exactly: the design a causal estimate can, and should, recover.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from parcours.synthetic.journeys import PLANTED

CHOICES = ("none", *(j.name for j in PLANTED))


def choose_journeys(rng: np.random.Generator, people: pd.DataFrame, early_orders: np.ndarray) -> pd.DataFrame:
    """Draw each customer's journey from a multinomial logit on their standardised early order count.

    Adds ``journey`` and the choice probabilities ``p_<choice>`` (for ``none`` and each planted
    journey) to ``people``.
    """
    activity = np.log1p(early_orders)
    score = (activity - activity.mean()) / (activity.std() or 1.0)
    logits = np.column_stack([np.full(len(people), 0.3)] + [j.logit + j.value_slope * score for j in PLANTED])
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    choice = (rng.random(len(people))[:, None] > probs.cumsum(axis=1)).sum(axis=1)
    chosen = np.array(CHOICES)[np.minimum(choice, len(CHOICES) - 1)]
    return people.assign(journey=chosen, **{f"p_{name}": probs[:, i] for i, name in enumerate(CHOICES)})


def versus_rest_effects(customers: pd.DataFrame, customer_ids=None) -> dict[str, float]:
    """The true average effect of each planted journey against the rest, over the given customers.

    For journey ``k`` and customer ``i`` the effect is ``Y_i(k) − Σ_{j≠k} π_ij / (1 − π_ik) · Y_i(j)``:
    the outcome under ``k`` against the outcome under the other choices, weighted as customers with
    the same history make them (``π`` are the choice probabilities). Its average is what a
    comparison of "in journey k" with "not in journey k", adjusted for the history, estimates.

    Parameters
    ----------
    customers
        The truth table (``customers_truth.csv``): ``outcome_<choice>`` and ``p_<choice>`` columns.
    customer_ids
        The customers to average over (e.g. those an analysis kept); default all.

    Returns
    -------
    dict
        Planted journey name → average effect.
    """
    if customer_ids is not None:
        customers = customers[customers.customer_id.isin(set(customer_ids))]
    outcomes = customers[[f"outcome_{c}" for c in CHOICES]].to_numpy(dtype=float)
    probs = customers[[f"p_{c}" for c in CHOICES]].to_numpy(dtype=float)
    effects = {}
    for k, name in enumerate(CHOICES[1:], start=1):
        rest = probs.copy()
        rest[:, k] = 0.0
        rest /= rest.sum(axis=1, keepdims=True)
        effects[name] = float((outcomes[:, k] - (rest * outcomes).sum(axis=1)).mean())
    return effects
