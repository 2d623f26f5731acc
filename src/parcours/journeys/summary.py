"""The journeys that best summarise the paths: density seeds, refined towards representativeness.

1. **Seeds.** HDBSCAN's density clusters of the variants' features (:mod:`parcours.journeys.clustering`)
   give one medoid each: where customers crowd.
2. **How many.** The greedy curve of :mod:`parcours.journeys.medoids` gives the representativeness
   of 1, 2, ... ``max_journeys`` journeys; the count is its knee (Kneedle), at least ``min_journeys``.
3. **Refinement.** The largest seeds (topped up greedily) are swapped towards a lower mean distance;
   the textbook weighted k-medoids (greedy build, then swaps) is refined too, and the better of the two
   is kept, so the journeys never summarise the paths worse than k-medoids with as many.
4. **One behaviour, one journey.** Journeys whose medoids are made of the same steps (in another
   order, or repeated) are one: their paths are pooled under one medoid, and step 3 runs again for
   that many journeys until no two medoids share their steps.
5. **Noise.** A path farther than ``noise_distance`` from its medoid fits nowhere.
6. **Families.** The journeys' medoids, weighted by their paths, are summarised the same way into at
   most ``max_families`` families: the report's first lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import adjusted_rand_score

from parcours.journeys.clustering import NOISE, JourneyClusterer
from parcours.journeys.features import Sequence
from parcours.journeys.medoids import (
    Medoids,
    choose_count,
    greedy_curve,
    path_distances,
    refine,
    summarise,
    weighted_kmedoids,
)
from parcours.journeys.quality import sample_instances
from parcours.settings import JourneySettings


@dataclass(frozen=True)
class PathSummary:
    """Journeys over the points (clustered variants).

    Attributes
    ----------
    labels
        Per point: journey index (0 = most instances), ``-1`` noise.
    distance
        Per point: normalised edit distance to its journey's medoid (noise: to the nearest).
    medoids
        Per journey: the point index of its medoid.
    curve
        Representativeness of 1, 2, ... journeys (greedy build).
    noise_distance
        The distance beyond which a path is noise.
    cost
        Representativeness of the journeys (all points; noise to the nearest medoid).
    seeded
        ``"density"`` (refined from HDBSCAN's seeds) or ``"greedy"`` (the k-medoids solution was better).
    merged
        Medoids dropped because another medoid has the same steps.
    seeds
        HDBSCAN's clusters.
    distances
        Points × candidate medoids (the most frequent points).
    """

    labels: np.ndarray
    distance: np.ndarray
    medoids: np.ndarray
    curve: np.ndarray
    noise_distance: float
    cost: float
    seeded: str
    merged: int
    seeds: int
    weights: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    distances: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))


def summarise_paths(paths: list[Sequence], weights: np.ndarray, vectors: np.ndarray,
                    settings: JourneySettings) -> PathSummary:
    """Journeys, noise and the representativeness curve of ``paths`` (sorted by weight, heaviest first).

    Parameters
    ----------
    paths
        The variants to summarise, each at least ``min_tokens`` long.
    weights
        Instances per path.
    vectors
        The paths' features, for the density seeds.
    settings
        The ``journeys`` section.
    """
    weights = np.asarray(weights, dtype=float)
    candidates = min(settings.medoid_candidates, len(paths))
    distances = path_distances(paths, paths[:candidates])
    density = JourneyClusterer.from_settings(settings).fit(vectors, sample_weight=weights.astype(int))
    seeds = _seed_medoids(distances, weights, density.labels_)
    chosen, curve = greedy_curve(distances, weights, settings.max_journeys)
    k = choose_count(curve, settings.min_journeys, settings.max_journeys)
    merged = 0
    while True:
        from_density = refine(distances, weights, _top_up(distances, weights, seeds[:k], k))
        from_greedy = refine(distances, weights, chosen[:k])
        best, seeded = (from_density, "density") if from_density.cost <= from_greedy.cost else (from_greedy, "greedy")
        kept = _one_per_behaviour(best, paths, weights, distances)
        if len(kept) == len(best.chosen):
            break
        merged, k = merged + len(best.chosen) - len(kept), len(kept)  # solve again for as many journeys
    final = summarise(distances, weights, kept)
    threshold = noise_threshold(paths, weights, settings)
    labels = np.where(final.distance <= threshold, final.nearest, NOISE)
    order = rank_by_size(labels, weights, len(kept))
    return PathSummary(labels=np.where(labels == NOISE, NOISE, order[labels]), distance=final.distance,
                       medoids=kept[np.argsort(order)], curve=curve, noise_distance=threshold, cost=final.cost,
                       seeded=seeded, merged=merged, seeds=int(density.labels_.max()) + 1,
                       weights=weights, distances=distances)


def single_path_summary(weights: np.ndarray, settings: JourneySettings) -> PathSummary:
    """The summary of fewer than two paths: the path (if any) is its own journey; nothing to choose."""
    n = len(weights)
    threshold = 1.0 if settings.noise_distance == "auto" else float(settings.noise_distance)
    return PathSummary(labels=np.zeros(n, dtype=int), distance=np.zeros(n), medoids=np.arange(n),
                       curve=np.zeros(n), noise_distance=threshold, cost=0.0, seeded="none", merged=0, seeds=0,
                       weights=np.asarray(weights, dtype=float), distances=np.zeros((n, n), dtype=np.float32))


def noise_threshold(paths: list[Sequence], weights: np.ndarray, settings: JourneySettings,
                    pairs: int = 4_000) -> float:
    """``noise_distance``, or with ``auto`` the ``noise_quantile`` of the distance between random pairs
    of different paths (drawn in proportion to their instances)."""
    if settings.noise_distance != "auto":
        return float(settings.noise_distance)
    if len(paths) < 2:
        return 1.0
    rng = np.random.default_rng(settings.seed)
    a, b = sample_instances(weights, pairs, rng), sample_instances(weights, pairs, rng)
    different = a != b
    if not different.any():
        return 1.0
    from rapidfuzz.distance import Levenshtein
    distances = [Levenshtein.normalized_distance(paths[i], paths[j]) for i, j in zip(a[different], b[different],
                                                                                      strict=True)]
    return float(np.quantile(distances, settings.noise_quantile))


def kmedoids_cost(summary: PathSummary) -> float:
    """Representativeness of plain weighted k-medoids with as many medoids, on the same paths: the baseline."""
    if len(summary.medoids) < 1:
        return float("nan")
    return weighted_kmedoids(summary.distances, summary.weights, len(summary.medoids)).cost


def family_of(medoids: list[Sequence], sizes: np.ndarray, settings: JourneySettings) -> np.ndarray:
    """Each journey's family (0 = most instances): the journeys' medoids, weighted by their instances,
    summarised by the knee of their own curve, between 3 and ``max_families`` families."""
    if len(medoids) <= 1:
        return np.zeros(len(medoids), dtype=int)
    distances = path_distances(medoids, medoids)
    sizes = np.asarray(sizes, dtype=float)
    chosen, curve = greedy_curve(distances, sizes, len(medoids))
    k = choose_count(curve, min(3, len(medoids)), settings.max_families)
    fit = refine(distances, sizes, chosen[:k])
    return rank_by_size(fit.nearest, sizes, k)[fit.nearest]


def stability(summary: PathSummary, settings: JourneySettings) -> list[float]:
    """Adjusted Rand index between the journeys and those found again on bootstrap resamples of the instances.

    Each round redraws every instance (a multinomial over the paths), builds and refines as many
    medoids on the resample, and compares the journeys (noise included) over a sample of instances.
    """
    if settings.bootstrap_rounds == 0 or len(summary.medoids) < 2:
        return []
    weights = summary.weights
    rng = np.random.default_rng(settings.seed)
    total = int(weights.sum())
    scores = []
    for _ in range(settings.bootstrap_rounds):
        resampled = rng.multinomial(total, weights / weights.sum()).astype(float)
        again = weighted_kmedoids(summary.distances, resampled, len(summary.medoids))
        labels = np.where(again.distance <= summary.noise_distance, again.nearest, NOISE)
        drawn = sample_instances(resampled, min(total, 20_000), rng)
        scores.append(float(adjusted_rand_score(summary.labels[drawn], labels[drawn])))
    return scores


def _seed_medoids(distances: np.ndarray, weights: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per density cluster (largest first), the candidate nearest its paths on average."""
    seeds = []
    for j in range(int(labels.max()) + 1):
        mine = labels == j
        if mine.any():
            seeds.append(int(np.argmin(weights[mine] @ distances[mine])))
    return np.array(list(dict.fromkeys(seeds)), dtype=int)


def _top_up(distances: np.ndarray, weights: np.ndarray, seeds: np.ndarray, k: int) -> np.ndarray:
    """``seeds`` and, when there are fewer than ``k``, greedy additions."""
    if len(seeds) >= k:
        return seeds[:k]
    chosen, _ = greedy_curve(distances, weights, k, start=seeds)
    return chosen


def _one_per_behaviour(fit: Medoids, paths: list[Sequence], weights: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """The medoids left when journeys whose medoids are made of the same set of steps are one.

    The paths of such journeys are pooled, and their medoid is chosen again: the candidate nearest
    them on average.
    """
    behaviour = [frozenset(paths[c]) for c in fit.chosen]
    groups = {b: [p for p, other in enumerate(behaviour) if other == b] for b in dict.fromkeys(behaviour)}
    kept = []
    for members in groups.values():
        if len(members) == 1:
            kept.append(int(fit.chosen[members[0]]))
            continue
        mine = np.isin(fit.nearest, members)
        kept.append(int(np.argmin(weights[mine] @ distances[mine])))
    return np.array(list(dict.fromkeys(kept)), dtype=int)


def rank_by_size(labels: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """``order[j]``: the rank of journey ``j`` by instances (0 = largest; ties by index)."""
    mass = np.bincount(labels[labels != NOISE], weights=weights[labels != NOISE], minlength=n)
    order = np.empty(n, dtype=int)
    order[np.lexsort((np.arange(n), -mass))] = np.arange(n)
    return order
