"""How much to trust the journeys: silhouette, noise share and bootstrap stability.

Everything is computed over *instances* (variants weighted by their counts) on samples, so the
cost does not grow with the population.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import adjusted_rand_score, silhouette_score

from parcours.config import JourneySettings
from parcours.journeys.clustering import NOISE, cluster_variants


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


def bootstrap_stability(features: np.ndarray, counts: np.ndarray, n_tokens: np.ndarray, labels: np.ndarray,
                        settings: JourneySettings) -> list[float]:
    """Adjusted Rand index between the journeys and those found on bootstrap resamples of the instances.

    Each round redraws every instance with replacement (a multinomial over variants), clusters the
    variants drawn at least once, and compares labels over a sample of instances.
    """
    rng = np.random.default_rng(settings.seed)
    total = int(np.sum(counts))
    scores = []
    for _ in range(settings.bootstrap_rounds):
        resampled = rng.multinomial(total, np.asarray(counts) / total)
        present = np.flatnonzero(resampled)
        again = cluster_variants(features[present], resampled[present], n_tokens[present], settings)
        drawn = sample_instances(resampled[present], min(total, 20_000), rng)
        scores.append(float(adjusted_rand_score(labels[present][drawn], again.labels[drawn])))
    return scores
