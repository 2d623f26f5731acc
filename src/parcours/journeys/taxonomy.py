"""A taxonomy that survives nightly runs: today's journeys keep yesterday's ids.

Today's journeys are matched to the previous run's by a Hungarian assignment on the normalised
edit distance between their medoids; a pair further apart than ``max_distance`` is no match.
What did not match is recorded: a *birth* (new journey, new id), a *disappearance*, a *merge* (a
previous journey whose nearest journey today took another id) or a *split* (a new journey whose
nearest previous journey kept its id elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from parcours.journeys.features import Sequence
from parcours.journeys.representatives import edit_distances


@dataclass(frozen=True)
class Matching:
    """``ids[i]`` is the id of today's journey ``i``; ``changes`` says what happened to the taxonomy."""

    ids: list[int]
    changes: list[dict]


def match_journeys(current: list[Sequence], previous: dict[int, Sequence], max_distance: float = 0.5) -> Matching:
    """Give today's journeys (by medoid) ids, keeping the previous run's where medoids match.

    Parameters
    ----------
    current
        Medoid of each journey found today, in journey order.
    previous
        The previous run's journey id → medoid (empty on a first run: ids are 0, 1, ...).
    max_distance
        Largest normalised edit distance (0 = same sequence, 1 = nothing in common) of a match.
    """
    old_ids = sorted(previous)
    if not current:
        return Matching([], [_change("disappeared", journey_id=i) for i in old_ids])
    if not old_ids:
        return Matching(list(range(len(current))), [_change("born", journey_id=i) for i in range(len(current))])
    cost = edit_distances(current, [previous[i] for i in old_ids], normalised=True)
    rows, cols = linear_sum_assignment(cost)
    ids: list[int | None] = [None] * len(current)
    changes = []
    for r, c in zip(rows, cols, strict=True):
        if cost[r, c] <= max_distance:
            ids[r] = old_ids[c]
            changes.append(_change("kept", journey_id=old_ids[c], distance=cost[r, c]))
    next_id = max(old_ids) + 1
    for r in range(len(current)):
        if ids[r] is None:
            ids[r], next_id = next_id, next_id + 1
            nearest = int(np.argmin(cost[r]))
            split = cost[r, nearest] <= max_distance and old_ids[nearest] in ids
            changes.append(_change("split" if split else "born", journey_id=ids[r],
                                   **({"from_id": old_ids[nearest]} if split else {})))
    for c, old in enumerate(old_ids):
        if old not in ids:
            nearest = int(np.argmin(cost[:, c]))
            merged = cost[nearest, c] <= max_distance
            changes.append(_change("merged" if merged else "disappeared", journey_id=old,
                                   **({"into_id": ids[nearest]} if merged else {})))
    return Matching([int(i) for i in ids], changes)


def _change(kind: str, **fields: float | int) -> dict:
    return {"change": kind, **{k: (round(float(v), 4) if isinstance(v, float) else int(v)) for k, v in fields.items()}}
