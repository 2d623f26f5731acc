"""The demo story's calendar (days from the start) and the event frame every part builds.

- ``[0, PRE_END)`` early history: orders, returns and complaints; journey choice depends on it;
- ``[RECENT_START, RECENT_END)`` recent history: orders only (what a placebo outcome can look at);
- ``[WINDOW_START, WINDOW_END)`` observation window: the planted journeys and random browsing;
- ``[LANDMARK, OUTCOME_END)`` outcome window: baseline orders plus the journeys' planted effects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PRE_END, RECENT_START, RECENT_END = 290, 300, 333
WINDOW_START, WINDOW_END, LANDMARK, OUTCOME_END = 365, 455, 485, 665


def frame(people: pd.DataFrame, who: np.ndarray, t: np.ndarray, token, revenue, order: int) -> pd.DataFrame:
    """Events of customers ``who`` at days ``t``; ``order`` breaks ties at the same instant."""
    return pd.DataFrame({"customer_id": people.customer_id.to_numpy()[who], "t": t, "token": token,
                         "revenue": revenue, "order": order})
