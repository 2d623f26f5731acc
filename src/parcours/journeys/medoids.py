"""Journeys as the paths that best summarise the others: representativeness, weighted k-medoids and how many.

A journey is summarised by its medoid, a path many customers follow. How well a set of medoids
summarises the log is its **representativeness** (Bernard & Andritsos, CAiSE Forum 2019): the
count-weighted mean normalised token edit distance from each path to its journey's medoid (a path
that belongs to no journey: to the nearest medoid). 0 means every path is its journey's medoid; 1
means a path shares nothing with it. Lower is better.

The work is on a matrix of distances from every clustered variant (the points, weighted by their
instances) to the most frequent variants (the candidate medoids), so it grows with the variants
kept, never with customers:

- :func:`greedy_curve` adds medoids one at a time, each the candidate that lowers the mean distance
  most (PAM's BUILD, Kaufman & Rousseeuw 1990): the representativeness of 1, 2, ... journeys;
- :func:`refine` then swaps a medoid for a candidate while that lowers the mean distance (PAM's SWAP,
  with FastPAM1's shared computation of every swap, Schubert & Rousseeuw 2021);
- :func:`weighted_kmedoids` is the two together: the textbook baseline the journeys are compared with;
- :func:`choose_count` reads the count of journeys off the curve: its knee.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist

from parcours.journeys.features import Sequence

_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Medoids:
    """A set of medoids and what it does to every point.

    Attributes
    ----------
    chosen
        Candidate indices of the medoids, in the order they were chosen.
    nearest
        Per point, the position in ``chosen`` of its nearest medoid.
    distance
        Per point, the normalised edit distance to that medoid.
    cost
        The representativeness: the weighted mean of ``distance``.
    """

    chosen: np.ndarray
    nearest: np.ndarray
    distance: np.ndarray
    cost: float


def path_distances(paths: list[Sequence], candidates: list[Sequence]) -> np.ndarray:
    """Normalised token edit distance (0..1) from each path to each candidate, as float32.

    The distance is Levenshtein's over whole tokens divided by the longer length: the share of the
    longer path's steps that must be inserted, deleted or replaced.

    Examples
    --------
    >>> path_distances([["a", "b"]], [["a", "b"], ["a", "c", "b", "d"]]).round(2).tolist()
    [[0.0, 0.5]]
    """
    return cdist(paths, candidates, scorer=Levenshtein.normalized_distance, dtype=np.float32, workers=1)


def summarise(distances: np.ndarray, weights: np.ndarray, chosen: np.ndarray) -> Medoids:
    """Every point's nearest medoid among ``chosen`` (candidate indices), and the representativeness."""
    chosen = np.asarray(chosen, dtype=int)
    to_chosen = distances[:, chosen]
    nearest = np.argmin(to_chosen, axis=1)
    distance = to_chosen[np.arange(len(distances)), nearest]
    return Medoids(chosen, nearest, distance, _mean(distance, weights))


def greedy_curve(distances: np.ndarray, weights: np.ndarray, k_max: int,
                 start: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Medoids added one at a time, each lowering the mean distance most, and the mean distance after each.

    Parameters
    ----------
    distances
        Points × candidates.
    weights
        Instances per point.
    k_max
        Stop at this many medoids (or when the candidates run out).
    start
        Medoids already chosen (candidate indices); the curve goes on from them.

    Returns
    -------
    tuple
        The chosen candidates in order, and ``costs[i]``: the representativeness of the first ``i + 1``.
    """
    weights = np.asarray(weights, dtype=np.float64)
    chosen = [int(c) for c in (start if start is not None else [])]
    best = distances[:, chosen].min(axis=1) if chosen else np.full(len(distances), np.inf, dtype=np.float32)
    costs = [_mean(distances[:, chosen[:i + 1]].min(axis=1), weights) for i in range(len(chosen))]
    while len(chosen) < min(k_max, distances.shape[1]):
        gain = weights @ np.maximum(np.minimum(best, 2.0)[:, None] - distances, 0)  # inf → 2: any medoid helps
        gain[chosen] = -1
        pick = int(np.argmax(gain))
        chosen.append(pick)
        best = np.minimum(best, distances[:, pick])
        costs.append(_mean(best, weights))
    return np.array(chosen, dtype=int), np.array(costs)


def refine(distances: np.ndarray, weights: np.ndarray, chosen: np.ndarray, max_swaps: int = 200) -> Medoids:
    """Swap medoids for candidates while a swap lowers the mean distance (best swap first).

    Every swap (medoid ``m`` out, candidate ``c`` in) is priced at once from each point's nearest
    and second-nearest medoid: points whose nearest is ``m`` move to ``c`` or to their second; the
    others move to ``c`` only when it is nearer (FastPAM1).
    """
    weights = np.asarray(weights, dtype=np.float64)
    chosen = np.array(chosen, dtype=int)
    if len(chosen) < 1 or len(chosen) >= distances.shape[1]:
        return summarise(distances, weights, chosen)
    for _ in range(max_swaps):
        to_chosen = distances[:, chosen]
        order = np.argsort(to_chosen, axis=1)
        rows = np.arange(len(distances))
        near, d1 = order[:, 0], to_chosen[rows, order[:, 0]]
        d2 = to_chosen[rows, order[:, 1]] if len(chosen) > 1 else np.full(len(distances), 1.0, dtype=np.float32)
        closer = np.minimum(distances - d1[:, None], 0)
        shared = weights @ closer
        lost = weights[:, None] * (np.minimum(distances, d2[:, None]) - d1[:, None] - closer)
        delta = shared[None, :] + _group_sum(lost, near, len(chosen))
        delta[:, chosen] = np.inf
        m, c = np.unravel_index(np.argmin(delta), delta.shape)
        if delta[m, c] >= -_TOLERANCE * weights.sum():
            break
        chosen[m] = c
    return summarise(distances, weights, chosen)


def weighted_kmedoids(distances: np.ndarray, weights: np.ndarray, k: int) -> Medoids:
    """The textbook baseline: greedy build of ``k`` medoids, then swaps (PAM on weighted points)."""
    chosen, _ = greedy_curve(distances, weights, k)
    return refine(distances, weights, chosen)


def choose_count(costs: np.ndarray, k_min: int, k_max: int) -> int:
    """The number of journeys: the knee of the representativeness curve (Kneedle, Satopää et al. 2011).

    With the curve's ends scaled to 0..1 (1 journey and ``len(costs)`` journeys, the most it was
    drawn for), the knee is the count farthest below the straight line between them: past it, each
    further journey buys less than its share of the whole gain. Kept within ``[k_min, k_max]``.

    Examples
    --------
    >>> choose_count(np.array([0.8, 0.5, 0.3, 0.29, 0.285, 0.28]), 2, 6)
    3
    >>> choose_count(np.array([0.8, 0.5]), 3, 6)
    2
    """
    costs = np.asarray(costs, dtype=float)
    top = min(k_max, len(costs))
    if len(costs) < 3 or costs[0] <= costs[-1]:
        return min(max(k_min, 1), top)
    x = np.arange(len(costs)) / (len(costs) - 1)
    y = (costs - costs[-1]) / (costs[0] - costs[-1])
    knee = int(np.argmax((1 - x) - y)) + 1
    return int(min(max(knee, k_min), top))


def _group_sum(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Rows of ``values`` summed per group: ``n_groups × columns``."""
    one_hot = sp.csr_matrix((np.ones(len(groups)), (groups, np.arange(len(groups)))), shape=(n_groups, len(groups)))
    return np.asarray(one_hot @ values)


def _mean(distance: np.ndarray, weights: np.ndarray) -> float:
    return float(np.average(np.minimum(distance, 1.0), weights=weights))
