"""The impact table of a log on which no journey can be estimated: every journey listed, with the reason."""

from __future__ import annotations

import numpy as np
import pandas as pd

from parcours.impact.estimate import IMPACT_COLUMNS
from parcours.impact.status import NOT_MEASURED
from parcours.schema import JOURNEY_ID


def not_estimated(journeys: pd.DataFrame, reason: str) -> pd.DataFrame:
    """The impact table when no journey can be estimated on this log: one row per journey, ``note`` says why.

    Examples
    --------
    >>> table = not_estimated(pd.DataFrame({"journey_id": [0, 1], "name": ["a", "b"]}), "no outcome")
    >>> table[["journey_id", "note", "finding"]].to_dict("list")
    {'journey_id': [0, 1], 'note': ['no outcome', 'no outcome'], 'finding': [False, False]}
    """
    table = pd.DataFrame({c: pd.Series(np.nan, index=journeys.index, dtype="float64") for c in IMPACT_COLUMNS})
    flags = {"overlap_ok": False, "refutation_ok": False, "finding": False}
    text = dict.fromkeys(("note", "reason", "status", "outcome", "landmark", "outcome_end", "name"), "object")
    return table.assign(journey_id=journeys.journey_id.to_numpy(), name=journeys.name.to_numpy(), n_treated=0,
                        note=reason, reason=reason, status=NOT_MEASURED, outcome=None, landmark=None,
                        outcome_end=None, **flags).astype(
        {JOURNEY_ID: "int64", "n_treated": "int64", **text, **dict.fromkeys(flags, "bool")})[list(IMPACT_COLUMNS)]
