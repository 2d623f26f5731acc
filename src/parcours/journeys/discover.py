"""Journey discovery: from the variants table to named journeys, a classifier and quality numbers.

The work is done on de-duplicated variants weighted by their counts, so it grows with the number
of distinct sequences, not with customers. The ``max_variants`` most frequent are clustered; the
rarer ones are assigned by the classifier (O(n) predict).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from parcours.config import JourneySettings
from parcours.journeys.classifier import SEPARATOR, JourneyClassifier
from parcours.journeys.clustering import NOISE, cluster_variants
from parcours.journeys.features import SequenceFeatures
from parcours.journeys.naming import distinguishing_features, journey_name, readable, unique_names
from parcours.journeys.quality import bootstrap_stability, noise_share, weighted_silhouette
from parcours.journeys.representatives import journey_representatives
from parcours.journeys.taxonomy import match_journeys

_MEDOID_SAMPLE = 300  # a journey's most frequent variants its medoid and representatives are chosen from


@dataclass
class JourneyDiscovery:
    """What discovery found.

    Attributes
    ----------
    variants
        Every variant with ``journey_id`` (-1 noise), ``probability`` and ``clustered`` (false:
        assigned by the classifier).
    journeys
        One row per journey: ``journey_id``, ``name``, ``n_instances``, ``share``, ``n_variants``,
        ``representative`` (the medoid), ``representatives``, ``representatives_coverage``,
        ``top_variants``, ``distinguishing``, ``mean_probability``.
    quality
        ``journeys``, ``noise_share``, ``silhouette``, ``stability`` (mean ARI), ``stability_min``, ...
    changes
        The taxonomy's births, merges, splits and disappearances against the previous run.
    classifier
        Recognises the journey of a token sequence.
    medoids
        Each journey's medoid (what the next run's ids are matched on; journeys.csv may withhold it).
    """

    variants: pd.DataFrame
    journeys: pd.DataFrame
    quality: dict[str, float]
    changes: list[dict]
    classifier: JourneyClassifier
    params: dict[str, float] = field(default_factory=dict)
    #: Journey id → its medoid's tokens, whatever the privacy floor: the next run matches its journeys to these.
    medoids: dict[int, list[str]] = field(default_factory=dict)


def discover_journeys(variants: pd.DataFrame, settings: JourneySettings,
                      previous: dict[int, list[str]] | None = None, *, min_customers: int = 1) -> JourneyDiscovery:
    """Cluster variants into journeys, describe and name them, and keep the previous run's ids.

    Parameters
    ----------
    variants
        The variants table (``variant``, ``count``, ``n_tokens``, ``median_duration_s``), as
        from :func:`parcours.mining.variants`.
    settings
        The ``journeys`` section of the configuration.
    previous
        The previous run's journey id → medoid tokens (``None`` or empty on a first run).
    min_customers
        The privacy floor (``privacy.min_customers``): a representative or top variant shown in the
        journeys table is followed by at least this many customers (the variants' ``customers``
        column; its ``count`` without one); one followed by fewer is replaced by a note saying so.
    """
    table = variants.sort_values(["count", "variant"], ascending=[False, True], kind="stable").reset_index(drop=True)
    sequences = [v.split(SEPARATOR) for v in table.variant]
    counts, durations = table["count"].to_numpy(dtype=int), table.median_duration_s.to_numpy(dtype=float)
    n_tokens = table.n_tokens.to_numpy()
    weights = sample_weights(counts, settings.sample_instances, settings.seed)
    chosen = np.flatnonzero(weights > 0)[:settings.max_variants]
    picked = [sequences[i] for i in chosen]
    features = SequenceFeatures(settings.ngram_max, settings.components, settings.seed).fit(picked, durations[chosen])
    vectors = features.transform(picked, durations[chosen])
    clustering = cluster_variants(vectors, weights[chosen], n_tokens[chosen], settings)
    found = int(clustering.labels.max()) + 1
    described = [_describe(picked, counts[chosen], clustering.labels, j, settings) for j in range(found)]
    matching = match_journeys([d["medoid"] for d in described], previous or {}, settings.match_max_distance)
    ids = np.array([*matching.ids, NOISE])[clustering.labels]  # label -1 (noise) picks the last: -1
    classifier = JourneyClassifier.fit(features, list(table.variant[chosen]), vectors, ids, clustering.probabilities,
                                       k=settings.neighbours, min_tokens=settings.min_tokens,
                                       min_vote=settings.min_vote)
    table = _label_every_variant(table, sequences, durations, chosen, ids, clustering.probabilities, classifier)
    journeys = _journey_table(described, matching.ids, table, min_customers)
    quality = _quality(vectors, weights[chosen], n_tokens[chosen], clustering.labels, settings, table, found)
    quality.update(min_cluster_size=float(clustering.min_cluster_size), points=float(clustering.points),
                   standalone=float(clustering.standalone), explained_variance=features.explained_variance,
                   instances_sampled=float(weights.sum()))
    return JourneyDiscovery(table, journeys, quality, matching.changes, classifier, params=settings.model_dump(),
                            medoids={int(i): list(d["medoid"]) for i, d in zip(matching.ids, described, strict=True)})


def _label_every_variant(table: pd.DataFrame, sequences: list[list[str]], durations: np.ndarray, chosen: np.ndarray,
                         ids: np.ndarray, probabilities: np.ndarray, classifier: JourneyClassifier) -> pd.DataFrame:
    """The clustered variants keep their cluster; the classifier assigns the others."""
    rest = np.setdiff1d(np.arange(len(table)), chosen)
    assigned = classifier.predict([sequences[i] for i in rest], durations[rest])
    journey_id, probability = np.full(len(table), NOISE), np.zeros(len(table))
    journey_id[chosen], probability[chosen] = ids, probabilities
    journey_id[rest], probability[rest] = assigned.journey_id.to_numpy(), assigned.probability.to_numpy()
    return table.assign(journey_id=journey_id.astype(int), probability=probability,
                        clustered=np.isin(np.arange(len(table)), chosen))


def sample_weights(counts: np.ndarray, size: int, seed: int = 0) -> np.ndarray:
    """Instances per variant in a sample of ``size`` instances drawn in proportion to ``counts``
    (``counts`` itself when there are no more instances than that).

    Clustering a fixed-size sample keeps density, and so the journeys, the same whatever the
    population: with ten times the customers, rare sequences would otherwise reach the weight of
    typical ones and bridge the journeys together.

    Examples
    --------
    >>> sample_weights(np.array([3, 1]), 10).tolist()
    [3, 1]
    >>> int(sample_weights(np.array([600, 300, 100]), 100).sum())
    100
    """
    counts = np.asarray(counts, dtype=int)
    total = int(counts.sum())
    if total <= size:
        return counts
    return np.random.default_rng(seed).multinomial(size, counts / total)


def _describe(sequences: list[list[str]], counts: np.ndarray, labels: np.ndarray, journey: int,
              settings: JourneySettings) -> dict:
    mine = np.flatnonzero(labels == journey)[:_MEDOID_SAMPLE]  # variants are sorted by count
    reps = journey_representatives([sequences[i] for i in mine], counts[mine], settings.representative_coverage)
    best = distinguishing_features(sequences, counts, labels, journey, top=4)
    features = [f for f, _, _ in best]
    return {"medoid": reps.medoid, "reps": reps, "name": journey_name(reps.medoid, features),
            "fallbacks": [journey_name(reps.medoid, features, parts=3), " → ".join(map(readable, reps.medoid[:5]))],
            "distinguishing": "; ".join(f"{' → '.join(readable(t) for t in f)} ({a:.0%} vs {b:.0%})"
                                        for f, a, b in best)}


def _journey_table(described: list[dict], ids: list[int], table: pd.DataFrame, min_customers: int = 1
                   ) -> pd.DataFrame:
    names = unique_names([d["name"] for d in described], [d["fallbacks"] for d in described])
    rows = []
    total = table["count"].sum()
    followers = dict(zip(table.variant, table["customers"] if "customers" in table else table["count"], strict=True))
    withheld = f"(a path of fewer than {min_customers} customers, not shown)"

    def shown(sequence: list[str]) -> str:
        text = SEPARATOR.join(sequence)
        return text if followers.get(text, 0) >= min_customers else withheld

    for journey_id, name, d in zip(ids, names, described, strict=True):
        mine = table[table.journey_id == journey_id]
        weights = mine["count"].to_numpy(dtype=float)
        rows.append({
            "journey_id": journey_id, "name": name, "n_instances": int(weights.sum()),
            "share": float(weights.sum() / total), "n_variants": len(mine),
            "representative": shown(d["medoid"]),
            "representatives": " | ".join(dict.fromkeys(shown(s) for s in d["reps"].representatives)),
            "representatives_coverage": d["reps"].coverage,
            "top_variants": " | ".join(dict.fromkeys(shown(s) for s in d["reps"].top)),
            "distinguishing": d["distinguishing"],
            "mean_probability": float(np.average(mine.probability, weights=weights)) if len(mine) else 0.0,
        })
    columns = ["journey_id", "name", "n_instances", "share", "n_variants", "representative", "representatives",
               "representatives_coverage", "top_variants", "distinguishing", "mean_probability"]
    return pd.DataFrame(rows, columns=columns).sort_values(["n_instances", "journey_id"], ascending=[False, True],
                                                           ignore_index=True)


def _quality(vectors: np.ndarray, counts: np.ndarray, n_tokens: np.ndarray, labels: np.ndarray,
             settings: JourneySettings, table: pd.DataFrame, found: int) -> dict[str, float]:
    stability = bootstrap_stability(vectors, counts, n_tokens, labels, settings)
    return {
        "journeys": float(found),
        "variants": float(len(table)),
        "variants_clustered": float(table.clustered.sum()),
        "noise_share": noise_share(table.journey_id.to_numpy(), table["count"].to_numpy()),
        "silhouette": weighted_silhouette(vectors, labels, counts, settings.silhouette_sample, settings.seed),
        "stability": float(np.mean(stability)) if stability else float("nan"),
        "stability_min": float(np.min(stability)) if stability else float("nan"),
    }
