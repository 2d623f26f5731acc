"""The demo story's calendar (days from the start) and the event frame every part builds."""

from __future__ import annotations

import numpy as np
import pandas as pd

PRE_END, WINDOW_START, WINDOW_END, LANDMARK, OUTCOME_END = 300, 365, 455, 485, 665


def frame(people: pd.DataFrame, who: np.ndarray, t: np.ndarray, token, revenue, order: int) -> pd.DataFrame:
    """Events of customers ``who`` at days ``t``; ``order`` breaks ties at the same instant."""
    return pd.DataFrame({"customer_id": people.customer_id.to_numpy()[who], "t": t, "token": token,
                         "revenue": revenue, "order": order})
