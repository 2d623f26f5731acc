"""Density clusters of variants with HDBSCAN, variant counts entering as capped replication.

``hdbscan`` takes no sample weights. Each variant enters ``min(count, min_samples - 1)`` times:

- a variant followed by thousands of instances weighs up to ``min_samples - 1`` times more than
  one followed by a single instance (it is denser, more likely a core, more likely in a cluster);
- no variant alone reaches ``min_samples`` copies, so no stack of identical points has a zero
  core distance (an infinitely stable "cluster" of one sequence that would shatter every journey
  into its variants).

A variant HDBSCAN leaves as noise but that a large share of instances follows
(``standalone_share``) becomes a journey by itself: a sequence thousands of customers repeat is a
typical journey even when nothing else looks like it. Journeys are numbered by size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parcours.settings import JourneySettings

NOISE = -1


@dataclass(frozen=True)
class Clustering:
    """Per variant: ``labels`` (journey index by size, ``-1`` noise) and membership ``probabilities``."""

    labels: np.ndarray
    probabilities: np.ndarray
    min_cluster_size: int
    points: int
    standalone: int


def replication(counts: np.ndarray, eligible: np.ndarray, min_samples: int) -> np.ndarray:
    """How many times each variant enters HDBSCAN: ``min(count, min_samples - 1)``, 0 if not eligible.

    Examples
    --------
    >>> replication(np.array([5000, 3, 1, 40]), np.array([True, True, True, False]), 10).tolist()
    [9, 3, 1, 0]
    """
    return np.where(eligible, np.minimum(counts, min_samples - 1), 0).astype(int)


def cluster_variants(features: np.ndarray, counts: np.ndarray, n_tokens: np.ndarray,
                     settings: JourneySettings) -> Clustering:
    """Cluster variants (rows of ``features``) into journeys.

    Parameters
    ----------
    features
        Reduced, normalised features, one row per variant.
    counts
        Instances following each variant.
    n_tokens
        Length of each variant; shorter than ``settings.min_tokens`` is noise.
    settings
        ``min_samples``, ``min_cluster_share``, ``min_cluster_floor``, ``standalone_share``, ...

    Returns
    -------
    Clustering
        Labels numbered by journey size (instances), largest first.
    """
    import hdbscan

    counts = np.asarray(counts, dtype=int)
    eligible = np.asarray(n_tokens) >= settings.min_tokens
    reps = replication(counts, eligible, settings.min_samples)
    index = np.repeat(np.arange(len(counts)), reps)
    min_cluster_size = max(settings.min_cluster_floor, round(settings.min_cluster_share * reps.sum()))
    labels = np.full(len(counts), NOISE)
    probabilities = np.zeros(len(counts))
    if len(index) > settings.min_samples:
        model = hdbscan.HDBSCAN(min_cluster_size=min_cluster_size, min_samples=settings.min_samples,
                                cluster_selection_epsilon=settings.merge_distance, core_dist_n_jobs=1)
        model.fit(features[index])
        labels, probabilities = _per_variant(index, model.labels_, model.probabilities_, len(counts))
        labels[probabilities < settings.min_probability] = NOISE  # fell out of the cluster far from its core
        probabilities[labels == NOISE] = 0.0
    standalone = eligible & (labels == NOISE) & (counts >= settings.standalone_share * counts.sum())
    labels[standalone] = labels.max() + 1 + np.arange(standalone.sum())
    probabilities[standalone] = 1.0
    return Clustering(_by_size(labels, counts), probabilities, min_cluster_size, int(reps.sum()),
                      int(standalone.sum()))


def _per_variant(index: np.ndarray, point_labels: np.ndarray, point_probs: np.ndarray,
                 n: int) -> tuple[np.ndarray, np.ndarray]:
    """A variant's label is the one most of its copies got; its probability their mean."""
    labels = np.full(n, NOISE)
    probabilities = np.zeros(n)
    order = np.lexsort((point_labels, index))
    index, point_labels, point_probs = index[order], point_labels[order], point_probs[order]
    for variant in np.unique(index):
        mine = slice(*np.searchsorted(index, [variant, variant + 1]))
        values, votes = np.unique(point_labels[mine], return_counts=True)
        labels[variant] = values[np.argmax(votes)]
        probabilities[variant] = point_probs[mine][point_labels[mine] == labels[variant]].mean()
    probabilities[labels == NOISE] = 0.0
    return labels, probabilities


def _by_size(labels: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Renumber journeys 0, 1, ... by instances (largest first, ties by first variant); noise stays -1."""
    found = [j for j in np.unique(labels) if j != NOISE]
    sizes = {j: (-counts[labels == j].sum(), np.flatnonzero(labels == j)[0]) for j in found}
    rank = {j: r for r, j in enumerate(sorted(found, key=sizes.__getitem__))}
    return np.array([rank.get(j, NOISE) for j in labels])
