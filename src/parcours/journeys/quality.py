"""How much to trust the journeys: silhouette and noise share (their bootstrap stability is in
:func:`parcours.journeys.summary.stability`).

Everything is computed over *instances* (variants weighted by their counts) on samples, so the
cost does not grow with the population.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import silhouette_score

from parcours.journeys.clustering import NOISE


def sample_instances(counts: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Variant indices of ``size`` instances drawn with replacement in proportion to ``counts``."""
    p = np.asarray(counts, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def weighted_silhouette(features: np.ndarray, labels: np.ndarray, counts: np.ndarray, size: int,
                        seed: int = 0) -> float:
    """Silhouette of the journeys (noise left out) on a sample of instances; NaN with fewer than 2 journeys."""
    kept = labels != NOISE
    if len(np.unique(labels[kept])) < 2:
        return float("nan")
    rng = np.random.default_rng(seed)
    drawn = sample_instances(np.where(kept, counts, 0), size, rng)
    if len(np.unique(labels[drawn])) < 2:
        return float("nan")
    return float(silhouette_score(features[drawn], labels[drawn], random_state=seed))


def noise_share(labels: np.ndarray, counts: np.ndarray) -> float:
    """Share of instances whose variant is noise."""
    return float(np.asarray(counts)[labels == NOISE].sum() / np.sum(counts))
