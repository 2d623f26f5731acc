"""The three honest states of a journey's effect, and the plain reason behind the last two.

Every output says the same thing about a journey, in the same words: the impact table, the
ranking, the report, Dagster's metadata and MLflow's metrics.

- *proven gain* or *proven loss*: the estimate passed its overlap and refutation checks and its
  false-discovery-corrected test (``finding``);
- *no clear effect*: the estimate passed its checks, but its effect cannot be told from zero;
- *not measured*: no estimate, or one whose checks failed, so it says nothing; ``reason`` says why
  in words a marketer can follow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PROVEN_GAIN, PROVEN_LOSS = "proven gain", "proven loss"
NO_CLEAR_EFFECT, NOT_MEASURED = "no clear effect", "not measured"
#: The states in the order a reader meets them.
STATES = (PROVEN_GAIN, PROVEN_LOSS, NO_CLEAR_EFFECT, NOT_MEASURED)
PROVEN = (PROVEN_GAIN, PROVEN_LOSS)

NO_COMPARISON = "almost every customer is in it, so there is no one to compare with"
UNLIKE_EVERYONE = "the customers in it are too unlike everyone else to find comparable customers"
NOT_ADJUSTED = "its customers differ from the others in ways the estimate could not adjust for"
PLACEBO_FAILED = "a placebo test found an effect where there can be none, so the estimate cannot be trusted"
CANNOT_TELL = "the effect cannot be told from zero"
TOO_FEW = ("only {entered} of its customers entered it during the measured period; at least {needed} are needed to "
           "measure an effect")


def too_few_entered(entered: int, needed: int) -> str:
    """The plain reason of a journey too few customers entered to be compared.

    Examples
    --------
    >>> too_few_entered(12, 50)
    'only 12 of its customers entered it during the measured period; at least 50 are needed to measure an effect'
    """
    return TOO_FEW.format(entered=f"{entered:,}", needed=f"{needed:,}")


def effect_status(table: pd.DataFrame) -> pd.Series:
    """Each journey's state, from an impact table's ``effect``, ``overlap_ok``, ``refutation_ok`` and ``finding``.

    Examples
    --------
    >>> table = pd.DataFrame({"effect": [3.0, -2.0, 0.5, 4.0, None], "overlap_ok": [True, True, True, False, False],
    ...                       "refutation_ok": [True] * 4 + [False], "finding": [True, True, False, True, False]})
    >>> effect_status(table).tolist()
    ['proven gain', 'proven loss', 'no clear effect', 'not measured', 'not measured']
    """
    effect = table.effect.astype(float)
    checked = table.overlap_ok.fillna(False).astype(bool) & table.refutation_ok.fillna(False).astype(bool)
    proven = checked & table.finding.fillna(False).astype(bool) & effect.notna()
    status = np.where(proven, np.where(effect >= 0, PROVEN_GAIN, PROVEN_LOSS),
                      np.where(checked & effect.notna(), NO_CLEAR_EFFECT, NOT_MEASURED))
    return pd.Series(status, index=table.index, dtype="object")


def checked_reason(table: pd.DataFrame) -> pd.Series:
    """The plain reason of each *estimated* journey's state: a failed check, or an effect not told from zero."""
    overlap, refuted = (table[c].fillna(False).astype(bool) for c in ("overlap_ok", "refutation_ok"))
    status = effect_status(table)
    reason = np.where(status.isin(PROVEN), "", np.where(~overlap, NOT_ADJUSTED,
                                                         np.where(~refuted, PLACEBO_FAILED, CANNOT_TELL)))
    return pd.Series(reason, index=table.index, dtype="object")


def state_counts(status: pd.Series) -> dict[str, int]:
    """How many journeys are in each state, keyed ``journeys_proven_gain`` … ``journeys_not_measured``."""
    counts = status.value_counts()
    return {f"journeys_{state.replace(' ', '_')}": int(counts.get(state, 0)) for state in STATES}
