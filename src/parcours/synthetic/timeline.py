"""The demo story's calendar (days from the start) and the event frame every part builds.

- ``[0, PRE_END)`` early history: orders, returns and complaints; journey choice depends on it;
- ``[RECENT_START, RECENT_END)`` recent history: orders only (what a placebo outcome can look at);
- ``[WINDOW_START, WINDOW_END)`` observation window: the planted journeys and random browsing;
- ``[LANDMARK, OUTCOME_END)`` outcome window: baseline orders plus the journeys' planted effects;
- in between, from ``PRE_END`` to ``LANDMARK``, baseline orders go on away from each customer's window events,
  until the customer lapses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PRE_END, RECENT_START, RECENT_END = 290, 300, 333
WINDOW_START, WINDOW_END, LANDMARK, OUTCOME_END = 365, 455, 485, 665
#: Mean days a customer keeps buying after the early history before lapsing (no more baseline orders).
LAPSE_MEAN_DAYS = 1_000.0
#: Baseline orders keep this many days from a customer's own window events: longer than the default
#: inactivity gap (30 days), so that they are instances of their own.
QUIET_DAYS = 31.0


def frame(people: pd.DataFrame, who: np.ndarray, t: np.ndarray, token, revenue, order: int) -> pd.DataFrame:
    """Events of customers ``who`` at days ``t``; ``order`` breaks ties at the same instant."""
    return pd.DataFrame({"customer_id": people.customer_id.to_numpy()[who], "t": t, "token": token,
                         "revenue": revenue, "order": order})
