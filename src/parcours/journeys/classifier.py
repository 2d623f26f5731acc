"""Recognise the journey of a token sequence: the one its variant was clustered into, or the
vote of its nearest clustered variants for a sequence never seen.

Pure Python and scikit-learn: ``parcours.tracking`` wraps it as an MLflow pyfunc, so it loads
without Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.neighbors import KNeighborsClassifier

from parcours.journeys.clustering import NOISE
from parcours.journeys.features import Sequence, SequenceFeatures
from parcours.mining.discovery import VARIANT_SEPARATOR as SEPARATOR


@dataclass
class JourneyClassifier:
    """Journey id (``-1``: no journey) and probability for token sequences.

    Attributes
    ----------
    features
        The fitted feature builder of the clustering.
    known
        Variant text (tokens joined by `` → ``) → (journey id, membership probability).
    neighbours
        A k-nearest-neighbours vote over the clustered variants' features, for unseen sequences.
    min_tokens
        Sequences shorter than this are no journey.
    min_vote
        An unseen sequence joins a journey only when at least this share of the (distance-weighted)
        neighbour vote agrees; otherwise it is noise, as HDBSCAN would leave a point between clusters.
    """

    features: SequenceFeatures
    known: dict[str, tuple[int, float]]
    neighbours: KNeighborsClassifier
    min_tokens: int
    min_vote: float = 0.0

    @classmethod
    def fit(cls, features: SequenceFeatures, variants: list[str], vectors: np.ndarray, journey_ids: np.ndarray,
            probabilities: np.ndarray, k: int = 15, min_tokens: int = 2, min_vote: float = 0.0) -> JourneyClassifier:
        """Remember every clustered variant and fit the neighbour vote on their feature vectors."""
        known = {v: (int(j), float(p)) for v, j, p in zip(variants, journey_ids, probabilities, strict=True)}
        knn = KNeighborsClassifier(n_neighbors=min(k, len(variants)), weights="distance").fit(vectors, journey_ids)
        return cls(features, known, knn, min_tokens, min_vote)

    def predict(self, sequences: list[Sequence], durations_s: np.ndarray | None = None) -> pd.DataFrame:
        """One row per sequence: ``journey_id``, ``probability`` and ``seen`` (variant was clustered).

        Examples
        --------
        The demo's classifier is built by :func:`parcours.journeys.discover_journeys`; see its tests.
        """
        texts = [SEPARATOR.join(s) for s in sequences]
        ids = np.full(len(texts), NOISE)
        probs = np.zeros(len(texts))
        seen = np.array([t in self.known for t in texts], dtype=bool)
        for i in np.flatnonzero(seen):
            ids[i], probs[i] = self.known[texts[i]]
        unseen = np.flatnonzero(~seen & (np.array([len(s) for s in sequences]) >= self.min_tokens))
        if len(unseen):
            durations = None if durations_s is None else np.asarray(durations_s)[unseen]
            vectors = self.features.transform([sequences[i] for i in unseen], durations)
            votes = self.neighbours.predict_proba(vectors)
            best = votes.argmax(axis=1)
            share = votes[np.arange(len(unseen)), best]
            ids[unseen] = np.where(share >= self.min_vote, self.neighbours.classes_[best], NOISE)
            probs[unseen] = np.where(ids[unseen] == NOISE, 0.0, share)
        return pd.DataFrame({"journey_id": ids, "probability": probs, "seen": seen})
