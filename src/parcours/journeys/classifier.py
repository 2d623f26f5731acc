"""Recognise the journey of a token sequence: the one its variant got at discovery, or, for a sequence
never seen, the journey whose medoid is nearest (within the noise distance), as discovery assigns.

Pure Python: ``parcours.tracking`` wraps it as an MLflow pyfunc, so it loads without Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from parcours.journeys.clustering import NOISE
from parcours.journeys.features import Sequence
from parcours.journeys.medoids import path_distances
from parcours.journeys.rules import rule_kind
from parcours.schema import JOURNEY_ID
from parcours.schema import VARIANT_SEPARATOR as SEPARATOR


@dataclass
class JourneyClassifier:
    """Journey id (``-1``: no journey) and probability for token sequences.

    Attributes
    ----------
    known
        Variant text (tokens joined by `` → ``) → (journey id, membership probability).
    medoids
        Journey id → its medoid, for sequences never seen (purchase-path journeys left out).
    noise_distance
        A sequence farther than this from every medoid is no journey.
    min_tokens
        Sequences shorter than this are no clustered journey (a single step, or noise).
    purchases
        The purchase activities, for the purchase-path rule.
    rule_journeys
        The journeys by rule (:mod:`parcours.journeys.rules`) → journey id; a kind left out is not
        grouped (a purchase path is then matched to the medoids; a short sequence is noise).
    """

    known: dict[str, tuple[int, float]]
    medoids: dict[int, Sequence]
    noise_distance: float
    min_tokens: int
    purchases: list[str] = field(default_factory=list)
    rule_journeys: dict[str, int] = field(default_factory=dict)

    def predict(self, sequences: list[Sequence], durations_s: np.ndarray | None = None) -> pd.DataFrame:
        """One row per sequence: ``journey_id``, ``probability`` and ``seen`` (the variant was known).

        ``probability`` is :func:`membership` of an unseen sequence's distance to its medoid.
        ``durations_s`` is accepted for callers that have it, and unused.
        """
        texts = [SEPARATOR.join(s) for s in sequences]
        ids, probs = np.full(len(texts), NOISE), np.zeros(len(texts))
        seen = np.array([t in self.known for t in texts], dtype=bool)
        for i in np.flatnonzero(seen):
            ids[i], probs[i] = self.known[texts[i]]
        to_match = []
        for i in np.flatnonzero(~seen):
            kind = rule_kind(sequences[i], self.purchases, self.min_tokens, self.rule_journeys)
            if kind is not None:
                ids[i], probs[i] = self.rule_journeys[kind], 1.0
            elif len(sequences[i]) >= self.min_tokens:
                to_match.append(i)
        if to_match and self.medoids:
            journey_ids = np.array(list(self.medoids))
            distances = path_distances([sequences[i] for i in to_match], list(self.medoids.values()))
            best = distances.argmin(axis=1)
            nearest = distances[np.arange(len(to_match)), best]
            inside = nearest <= self.noise_distance
            ids[to_match] = np.where(inside, journey_ids[best], NOISE)
            probs[to_match] = np.where(inside, membership(nearest, self.noise_distance), 0.0)
        return pd.DataFrame({JOURNEY_ID: ids, "probability": probs, "seen": seen})


def membership(distance: np.ndarray, noise_distance: float) -> np.ndarray:
    """How firmly a path belongs to its journey: 1 on the medoid, falling to 0.1 at the noise distance.

    Examples
    --------
    >>> membership(np.array([0.0, 0.3, 0.6]), 0.6).round(2).tolist()
    [1.0, 0.55, 0.1]
    """
    return np.clip(1 - 0.9 * np.asarray(distance, dtype=float) / max(noise_distance, 1e-9), 0.1, 1.0)
