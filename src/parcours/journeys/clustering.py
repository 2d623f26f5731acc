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

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import _check_sample_weight, validate_data

from parcours.schema import NOISE
from parcours.settings import JourneySettings

#: The settings of the ``journeys`` section the clusterer takes (its scikit-learn parameters).
PARAMETERS = ("min_tokens", "min_samples", "min_cluster_share", "min_cluster_floor", "merge_distance",
              "min_probability", "standalone_share")


class JourneyClusterer(ClusterMixin, BaseEstimator):
    """Journeys as density clusters of variants: HDBSCAN with the variant counts as capped replication.

    A scikit-learn clusterer: ``fit(X, sample_weight=counts, n_tokens=lengths)`` on one row of features per
    distinct variant, then ``labels_`` (journey index by size, ``-1`` noise) and ``probabilities_``
    (membership). Parameters are those of the ``journeys`` settings section of the same names.

    Parameters
    ----------
    min_tokens
        Variants shorter than this are noise, however frequent.
    min_samples
        HDBSCAN's ``min_samples``; a variant enters ``min(count, min_samples - 1)`` times.
    min_cluster_share, min_cluster_floor
        ``min_cluster_size = max(min_cluster_floor, min_cluster_share x points entered)``.
    merge_distance
        HDBSCAN's ``cluster_selection_epsilon``.
    min_probability
        Members below this membership are noise.
    standalone_share
        A noise variant that this share of the instances follows is a journey by itself.

    Attributes
    ----------
    labels_, probabilities_ : ndarray
        Per variant.
    min_cluster_size_, n_points_, n_standalone_ : int
        The cluster size used, the points HDBSCAN saw, the journeys made of one frequent variant.
    """

    def __init__(self, min_tokens: int = 2, min_samples: int = 10, min_cluster_share: float = 0.005,
                 min_cluster_floor: int = 10, merge_distance: float = 0.3, min_probability: float = 0.05,
                 standalone_share: float = 0.01) -> None:
        self.min_tokens = min_tokens
        self.min_samples = min_samples
        self.min_cluster_share = min_cluster_share
        self.min_cluster_floor = min_cluster_floor
        self.merge_distance = merge_distance
        self.min_probability = min_probability
        self.standalone_share = standalone_share

    @classmethod
    def from_settings(cls, settings: JourneySettings) -> JourneyClusterer:
        """The clusterer the ``journeys`` section describes."""
        return cls(**{name: getattr(settings, name) for name in PARAMETERS})

    def fit(self, X: Any, y: None = None, sample_weight: Any = None,  # noqa: N803 -- scikit-learn's names
            n_tokens: Any = None) -> JourneyClusterer:
        """Cluster the variants, rows of ``X``.

        Parameters
        ----------
        X
            Reduced, normalised features, one row per variant.
        y
            Ignored.
        sample_weight
            Instances following each variant (whole numbers; default 1 each).
        n_tokens
            Length of each variant (default: long enough for every variant).

        Returns
        -------
        JourneyClusterer
            Fitted; labels numbered by journey size (instances), largest first.
        """
        import hdbscan

        X = validate_data(self, X, dtype=np.float64)  # noqa: N806
        counts = np.rint(_check_sample_weight(sample_weight, X)).astype(int)
        eligible = np.ones(len(X), bool) if n_tokens is None else np.asarray(n_tokens) >= self.min_tokens
        reps = replication(counts, eligible, self.min_samples)
        index = np.repeat(np.arange(len(counts)), reps)
        self.min_cluster_size_ = max(self.min_cluster_floor, round(self.min_cluster_share * reps.sum()))
        labels, probabilities = np.full(len(counts), NOISE), np.zeros(len(counts))
        if len(index) > self.min_samples:
            model = hdbscan.HDBSCAN(min_cluster_size=self.min_cluster_size_, min_samples=self.min_samples,
                                    cluster_selection_epsilon=self.merge_distance, core_dist_n_jobs=1)
            model.fit(X[index])
            labels, probabilities = _per_variant(index, model.labels_, model.probabilities_, len(counts))
            labels[probabilities < self.min_probability] = NOISE  # fell out of the cluster far from its core
            probabilities[labels == NOISE] = 0.0
        standalone = eligible & (labels == NOISE) & (counts >= self.standalone_share * counts.sum())
        labels[standalone] = labels.max() + 1 + np.arange(standalone.sum())
        probabilities[standalone] = 1.0
        self.labels_, self.probabilities_ = _by_size(labels, counts), probabilities
        self.n_points_, self.n_standalone_ = int(reps.sum()), int(standalone.sum())
        return self


def replication(counts: np.ndarray, eligible: np.ndarray, min_samples: int) -> np.ndarray:
    """How many times each variant enters HDBSCAN: ``min(count, min_samples - 1)``, 0 if not eligible.

    Examples
    --------
    >>> replication(np.array([5000, 3, 1, 40]), np.array([True, True, True, False]), 10).tolist()
    [9, 3, 1, 0]
    """
    return np.where(eligible, np.minimum(counts, min_samples - 1), 0).astype(int)


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
