"""Journey discovery: from the variants table to named journeys, a classifier and quality numbers.

The work is done on de-duplicated variants weighted by their counts, so it grows with the number
of distinct sequences, not with customers. The ``max_variants`` most frequent (of a fixed-size
sample of instances) are summarised by medoids (:mod:`parcours.journeys.summary`); purchase paths
form journeys of their own (:mod:`parcours.journeys.purchase_paths`); the rarer variants are
assigned by the classifier (the nearest medoid, O(variants × journeys)).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from parcours.journeys.classifier import SEPARATOR, JourneyClassifier, membership
from parcours.journeys.clustering import NOISE
from parcours.journeys.features import Sequence, journey_features, variant_frame
from parcours.journeys.medoids import path_distances
from parcours.journeys.naming import (
    distinguishing_features,
    journey_name,
    journey_outcome,
    read_steps,
    readable,
    unique_names,
    with_outcome,
)
from parcours.journeys.quality import noise_share, weighted_silhouette
from parcours.journeys.representatives import journey_representatives
from parcours.journeys.rules import ONE_STEP, PURCHASE_KINDS, rule_kind
from parcours.journeys.summary import (
    PathSummary,
    family_of,
    kmedoids_cost,
    rank_by_size,
    single_path_summary,
    stability,
    summarise_paths,
)
from parcours.journeys.taxonomy import match_journeys
from parcours.schema import JOURNEY_ID
from parcours.settings import JourneySettings

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
        One row per journey: ``journey_id``, ``name``, ``family_id``, ``family`` (its family's name),
        ``n_instances``, ``share``, ``n_variants``, ``conversion_share``, ``stops_at``,
        ``representative`` (the medoid), ``representatives``, ``representatives_coverage``,
        ``top_variants``, ``distinguishing``, ``mean_probability``.
    quality
        ``journeys``, ``coverage``, ``noise_share``, ``noise_distance``, ``representativeness`` and
        ``representativeness_kmedoids`` (weighted k-medoids with as many journeys), ``silhouette``,
        ``stability`` (mean ARI), ``stability_min``, ...
    changes
        The taxonomy's births, merges, splits and disappearances against the previous run.
    classifier
        Recognises the journey of a token sequence.
    medoids
        Each journey's medoid (what the next run's ids are matched on; journeys.csv may withhold it).
    curve
        The representativeness of 1, 2, ... journeys the count was chosen from.
    """

    variants: pd.DataFrame
    journeys: pd.DataFrame
    quality: dict[str, float]
    changes: list[dict]
    classifier: JourneyClassifier
    params: dict[str, float] = field(default_factory=dict)
    #: Journey id → its medoid's tokens, whatever the privacy floor: the next run matches its journeys to these.
    medoids: dict[int, list[str]] = field(default_factory=dict)
    curve: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["journeys", "representativeness"]))


def discover_journeys(variants: pd.DataFrame, settings: JourneySettings,
                      previous: dict[int, list[str]] | None = None, *, min_customers: int = 1,
                      purchases: Collection[str] = ()) -> JourneyDiscovery:
    """Summarise the variants by a few dozen journeys, describe and name them, and keep the previous run's ids.

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
    purchases
        The purchase (conversion) activities: what a journey's conversion share counts, and what a
        purchase path is made of (:mod:`parcours.journeys.purchase_paths`).
    """
    table = variants.sort_values(["count", "variant"], ascending=[False, True], kind="stable").reset_index(drop=True)
    sequences = [v.split(SEPARATOR) for v in table.variant]
    counts, durations = table["count"].to_numpy(dtype=int), table.median_duration_s.to_numpy(dtype=float)
    weights = sample_weights(counts, settings.sample_instances, settings.seed)
    chosen = np.flatnonzero(weights > 0)[:settings.max_variants]
    picked, w = [sequences[i] for i in chosen], weights[chosen].astype(float)
    purchases = sorted(purchases)
    enabled = _rules(settings)
    kinds = [rule_kind(s, purchases, settings.min_tokens, enabled) for s in picked]
    pool = np.flatnonzero([len(s) >= settings.min_tokens and k is None for s, k in zip(picked, kinds, strict=True)])
    paths = [picked[i] for i in pool]
    spans = durations[chosen][pool]
    features, vectors = None, None
    if len(pool) >= 2:
        frame = variant_frame(paths, spans)
        features = journey_features(settings.ngram_max, settings.components, settings.seed).fit(frame)
        vectors = features.transform(frame)
        summary = summarise_paths(paths, w[pool], vectors, settings)
    else:  # a log of purchases, or of single steps, only: the rule journeys, and at most one path to keep
        summary = single_path_summary(w[pool], settings)
    labels, medoids = _with_rule_journeys(summary, pool, picked, w, kinds)
    labels, medoids = _ranked(labels, medoids, w)
    to_medoid = path_distances(picked, medoids) if medoids else np.ones((len(picked), 1), dtype=np.float32)
    own = np.where(labels >= 0, to_medoid[np.arange(len(picked)), np.maximum(labels, 0)], to_medoid.min(axis=1))
    probability = np.where(labels >= 0, membership(own, summary.noise_distance), 0.0)
    probability[[k is not None and labels[i] >= 0 for i, k in enumerate(kinds)]] = 1.0
    rule_of = {j: kinds[int(np.flatnonzero(labels == j)[0])] for j in range(len(medoids))}
    described = [_describe(picked, w, labels, medoids[j], j, settings, purchases, rule_of[j])
                 for j in range(len(medoids))]
    matching = match_journeys(medoids, previous or {}, settings.match_max_distance)
    ids = np.array([*matching.ids, NOISE])[labels]
    classifier = JourneyClassifier(
        known={t: (int(j), float(p)) for t, j, p in zip(table.variant[chosen], ids, probability, strict=True)},
        medoids={int(matching.ids[j]): medoids[j] for j in range(len(medoids)) if described[j]["kind"] is None},
        noise_distance=summary.noise_distance, min_tokens=settings.min_tokens, purchases=purchases,
        rule_journeys={d["kind"]: int(i) for i, d in zip(matching.ids, described, strict=True) if d["kind"]})
    table = _label_every_variant(table, sequences, durations, chosen, ids, probability, classifier)
    families = _families(described, medoids, settings)
    journeys = _journey_table(described, matching.ids, families, table, min_customers)
    discovered = [j for j, d in enumerate(described) if d["kind"] is None]
    quality = _quality(vectors, summary, settings, table)
    quality.update(purchase_path_share=float(w[[k in PURCHASE_KINDS for k in kinds]].sum() / w.sum()),
                   one_step_share=float(w[[k == ONE_STEP for k in kinds]].sum() / w.sum()),
                   journeys_discovered=float(len(discovered)))
    quality.update(instances_sampled=float(weights.sum()),
                   explained_variance=features["svd"].explained_variance if features else float("nan"),
                   families=float(len(set(families))))
    curve = pd.DataFrame({"journeys": np.arange(1, len(summary.curve) + 1), "representativeness": summary.curve})
    return JourneyDiscovery(table, journeys, quality, matching.changes, classifier, params=settings.model_dump(),
                            medoids={int(i): list(m) for i, m in zip(matching.ids, medoids, strict=True)}, curve=curve)


def _rules(settings: JourneySettings) -> tuple[str, ...]:
    """The rule journeys the settings ask for (:mod:`parcours.journeys.rules`)."""
    return (*(PURCHASE_KINDS if settings.purchase_paths == "group" else ()),
            *((ONE_STEP,) if settings.short_paths == "group" else ()))


def _with_rule_journeys(summary: PathSummary, pool: np.ndarray, picked: list[Sequence], weights: np.ndarray,
                        kinds: list[str | None]) -> tuple[np.ndarray, list[Sequence]]:
    """Labels of every clustered variant and the medoids: the summary's journeys, then one journey per
    rule (its heaviest path as medoid)."""
    labels = np.full(len(picked), NOISE)
    labels[pool] = summary.labels
    medoids = [picked[pool[m]] for m in summary.medoids]
    for kind in (*PURCHASE_KINDS, ONE_STEP):
        members = np.flatnonzero([k == kind for k in kinds])
        if len(members):
            labels[members] = len(medoids)
            medoids.append(picked[members[np.argmax(weights[members])]])
    return labels, medoids


def _families(described: list[dict], medoids: list[Sequence], settings: JourneySettings) -> np.ndarray:
    """Each journey's family: the discovered journeys by :func:`family_of`; then the purchase paths, and
    the single steps, one family each."""
    discovered = np.array([d["kind"] is None for d in described])
    families = np.zeros(len(described), dtype=int)
    if discovered.any():
        families[discovered] = family_of([m for m, keep in zip(medoids, discovered, strict=True) if keep],
                                         np.array([d["instances"] for d in described])[discovered], settings)
    following = families[discovered].max() + 1 if discovered.any() else 0
    for group in (PURCHASE_KINDS, (ONE_STEP,)):
        mine = np.array([d["kind"] in group for d in described])
        if mine.any():
            families[mine], following = following, following + 1
    return families


def _ranked(labels: np.ndarray, medoids: list[Sequence], weights: np.ndarray) -> tuple[np.ndarray, list[Sequence]]:
    """Journeys renumbered 0, 1, ... by instances, largest first."""
    if not medoids:
        return labels, []
    rank = rank_by_size(labels, weights, len(medoids))
    return np.where(labels >= 0, rank[np.maximum(labels, 0)], NOISE), [medoids[j] for j in np.argsort(rank)]


def _label_every_variant(table: pd.DataFrame, sequences: list[list[str]], durations: np.ndarray, chosen: np.ndarray,
                         ids: np.ndarray, probabilities: np.ndarray, classifier: JourneyClassifier) -> pd.DataFrame:
    """The clustered variants keep their journey; the classifier assigns the others."""
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


def _describe(sequences: list[Sequence], weights: np.ndarray, labels: np.ndarray, medoid: Sequence, journey: int,
              settings: JourneySettings, purchases: list[str], kind: str | None) -> dict:
    mine = np.flatnonzero(labels == journey)
    top = mine[:_MEDOID_SAMPLE]  # variants are sorted by count
    reps = journey_representatives([sequences[i] for i in top], weights[top], settings.representative_coverage,
                                   medoid=medoid)
    best = distinguishing_features(sequences, weights, labels, journey, top=4)
    features = [f for f, _, _ in best]
    outcome = journey_outcome([sequences[i] for i in mine], weights[mine], purchases)
    base = kind or journey_name(medoid, features)
    fallbacks = [journey_name(medoid, features, parts=3), read_steps(medoid[:5])]
    return {"medoid": medoid, "reps": reps, "kind": kind, "instances": float(weights[mine].sum()), **outcome,
            "name": kind or with_outcome(base, outcome, purchases),
            "fallbacks": [with_outcome(f, outcome, purchases) for f in fallbacks],
            "distinguishing": "; ".join(f"{' → '.join(readable(t) for t in f)} ({a:.0%} vs {b:.0%})"
                                        for f, a, b in best)}


def _journey_table(described: list[dict], ids: list[int], families: np.ndarray, table: pd.DataFrame,
                   min_customers: int = 1) -> pd.DataFrame:
    names = unique_names([d["name"] for d in described], [d["fallbacks"] for d in described])
    family_names = {f: _family_name([n for n, g in zip(names, families, strict=True) if g == f])
                    for f in set(families.tolist())}
    rows = []
    total = table["count"].sum()
    followers = dict(zip(table.variant, table["customers"] if "customers" in table else table["count"], strict=True))
    withheld = f"(a path of fewer than {min_customers} customers, not shown)"

    def shown(sequence: list[str]) -> str:
        text = SEPARATOR.join(sequence)
        return text if followers.get(text, 0) >= min_customers else withheld

    for journey_id, name, d, family in zip(ids, names, described, families, strict=True):
        mine = table[table.journey_id == journey_id]
        weights = mine["count"].to_numpy(dtype=float)
        rows.append({
            JOURNEY_ID: journey_id, "name": name, "family_id": int(family), "family": family_names[family],
            "n_instances": int(weights.sum()), "share": float(weights.sum() / total), "n_variants": len(mine),
            "conversion_share": d["conversion_share"], "stops_at": d["stops_at"],
            "representative": shown(d["medoid"]),
            "representatives": " | ".join(dict.fromkeys(shown(s) for s in d["reps"].representatives)),
            "representatives_coverage": d["reps"].coverage,
            "top_variants": " | ".join(dict.fromkeys(shown(s) for s in d["reps"].top)),
            "distinguishing": d["distinguishing"],
            "mean_probability": float(np.average(mine.probability, weights=weights)) if len(mine) else 0.0,
        })
    return pd.DataFrame(rows, columns=JOURNEY_COLUMNS).sort_values(["n_instances", JOURNEY_ID],
                                                                   ascending=[False, True], ignore_index=True)


def _family_name(names: list[str]) -> str:
    """A family reads as its largest journey, and how many more it holds; the rule journeys as what they are."""
    if set(names) <= set(PURCHASE_KINDS):
        return "purchases only"
    if set(names) == {ONE_STEP}:
        return ONE_STEP
    return names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1} more)"


JOURNEY_COLUMNS = [JOURNEY_ID, "name", "family_id", "family", "n_instances", "share", "n_variants",
                   "conversion_share", "stops_at", "representative", "representatives", "representatives_coverage",
                   "top_variants", "distinguishing", "mean_probability"]


def _quality(vectors: np.ndarray | None, summary: PathSummary, settings: JourneySettings,
             table: pd.DataFrame) -> dict[str, float]:
    """Representativeness beside weighted k-medoids with as many journeys, coverage, silhouette, stability.

    Representativeness is over the paths discovery summarises (paths shorter than ``min_tokens`` and
    purchase paths grouped by rule are left out of it): each path's distance to its journey's
    medoid, a noise path's to the nearest.
    """
    ours = summary.cost if len(summary.weights) else float("nan")  # every path is measured to its nearest medoid
    baseline = kmedoids_cost(summary)
    scores = stability(summary, settings)
    noise = noise_share(table.journey_id.to_numpy(), table["count"].to_numpy())
    return {
        "journeys": float(table.journey_id.max() + 1 if len(table) else 0),
        "variants": float(len(table)),
        "variants_clustered": float(table.clustered.sum()),
        "noise_share": noise,
        "coverage": 1 - noise,
        "noise_distance": summary.noise_distance,
        "representativeness": ours,
        "representativeness_kmedoids": baseline,
        "representativeness_ratio": ours / baseline if baseline > 0 else float("nan"),
        "silhouette": weighted_silhouette(vectors, summary.labels, summary.weights, settings.silhouette_sample,
                                          settings.seed) if vectors is not None else float("nan"),
        "stability": float(np.mean(scores)) if scores else float("nan"),
        "stability_min": float(np.min(scores)) if scores else float("nan"),
        "seed_clusters": float(summary.seeds),
        "seeded_by_density": float(summary.seeded == "density"),
        "merged_same_steps": float(summary.merged),
    }
