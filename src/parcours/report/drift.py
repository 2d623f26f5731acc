"""Drift between nightly runs: journeys whose size or effect moved more than chance explains.

Journey ids survive runs (the taxonomy keeps yesterday's id for today's matching journey), so
runs are compared id by id. A journey that appears or disappears is a size change of 100%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from parcours.schema import JOURNEY_ID

SNAPSHOT_COLUMNS = (JOURNEY_ID, "name", "n_customers", "effect", "std_error")
DRIFT_COLUMNS = (JOURNEY_ID, "name", "change", "customers_before", "customers_after", "size_change", "size_drift",
                 "effect_before", "effect_after", "effect_z", "effect_drift")


def journey_snapshot(ranking: pd.DataFrame) -> list[dict]:
    """What the next run compares itself with: each journey's id, name, customers, effect and its standard error."""
    frame = ranking.reindex(columns=list(SNAPSHOT_COLUMNS)).astype({JOURNEY_ID: "int64", "n_customers": "int64"})
    return [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
            for row in frame.astype(object).to_dict("records")]


def journey_drift(previous: list[dict], current: list[dict], *, max_size_change: float,
                  effect_z: float) -> pd.DataFrame:
    """Compare two runs' snapshots, journey by journey.

    Parameters
    ----------
    previous, current
        :func:`journey_snapshot` of the previous and of this run.
    max_size_change
        A relative change of customers above this is drift (0.25: a quarter more or fewer).
    effect_z
        An effect difference above this many standard errors (``sqrt(se_before² + se_after²)``)
        is drift. The runs share most of their data, so the true error of the difference is
        smaller and this test errs towards silence.

    Returns
    -------
    pandas.DataFrame
        ``DRIFT_COLUMNS``, one row per journey of either run; ``change`` is ``kept``, ``new`` or ``gone``.
    """
    before = pd.DataFrame(previous, columns=list(SNAPSHOT_COLUMNS)).set_index(JOURNEY_ID)
    after = pd.DataFrame(current, columns=list(SNAPSHOT_COLUMNS)).set_index(JOURNEY_ID)
    ids = sorted(set(before.index) | set(after.index))
    b, a = before.reindex(ids), after.reindex(ids)
    change = np.where(b.n_customers.isna(), "new", np.where(a.n_customers.isna(), "gone", "kept"))
    n_before, n_after = b.n_customers.fillna(0).astype(float), a.n_customers.fillna(0).astype(float)
    size_change = (n_after - n_before) / n_before.where(n_before > 0)
    size_change = size_change.where(n_before > 0, np.inf)
    se = np.sqrt(b.std_error.astype(float) ** 2 + a.std_error.astype(float) ** 2)
    z = (a.effect.astype(float) - b.effect.astype(float)).abs() / se.where(se > 0)
    table = pd.DataFrame({
        JOURNEY_ID: ids, "name": a.name.fillna(b.name).to_numpy(), "change": change,
        "customers_before": n_before.astype("int64").to_numpy(), "customers_after": n_after.astype("int64").to_numpy(),
        "size_change": size_change.to_numpy(), "size_drift": (size_change.abs() > max_size_change).to_numpy(),
        "effect_before": b.effect.astype(float).to_numpy(), "effect_after": a.effect.astype(float).to_numpy(),
        "effect_z": z.to_numpy(), "effect_drift": (z > effect_z).fillna(False).to_numpy(dtype=bool),
    })
    return table.reindex(columns=list(DRIFT_COLUMNS))
