import numpy as np

from parcours.journeys.clustering import NOISE, cluster_variants
from parcours.settings import JourneySettings

SETTINGS = JourneySettings(min_samples=10, min_cluster_floor=15, merge_distance=0.3, standalone_share=0.5)


def test_a_variant_followed_by_thousands_weighs_more_than_one_followed_by_one(blobs) -> None:
    features, n_tokens = blobs
    counts = np.array([1] * 12 + [1000] * 12 + [900] * 12)  # the first two groups differ only by their counts
    labels = cluster_variants(features, counts, n_tokens, SETTINGS).labels
    assert (labels[12:24] == 0).all()  # the frequent group is a journey
    assert (labels[:12] == NOISE).all()  # the same shapes followed by single customers are not


def test_weights_are_capped_so_one_variant_is_not_a_cluster(blobs) -> None:
    features, n_tokens = blobs
    counts = np.array([1] * 12 + [100] * 23 + [10_000])
    result = cluster_variants(features, counts, n_tokens, SETTINGS.model_copy(update={"standalone_share": 0.99}))
    assert result.points == 12 + 9 * 24
    assert result.labels[-1] == result.labels[-2] != NOISE  # 9 copies: it weighs as much as its neighbours


def test_a_frequent_isolated_variant_is_a_journey_by_itself(blobs) -> None:
    features = np.vstack([blobs[0], [[-1, 0, 0]]])
    counts = np.array([100] * 36 + [10_000])
    result = cluster_variants(features, counts, np.full(37, 3), SETTINGS)
    assert result.standalone == 1 and result.labels[-1] == 0 and result.probabilities[-1] == 1.0


def test_too_short_instances_are_noise_however_frequent(blobs) -> None:
    features, _ = blobs
    n_tokens = np.array([1] * 12 + [3] * 24)
    labels = cluster_variants(features, np.full(36, 1000), n_tokens, SETTINGS).labels
    assert (labels[:12] == NOISE).all() and (labels[12:] != NOISE).all()


def test_journeys_are_numbered_by_size(blobs) -> None:
    features, n_tokens = blobs
    counts = np.array([50] * 12 + [500] * 12 + [5] * 12)
    labels = cluster_variants(features, counts, n_tokens, SETTINGS).labels
    assert (labels[12:24] == 0).all() and (labels[:12] == 1).all() and (labels[24:] == 2).all()


def test_min_cluster_size_grows_with_the_population(blobs) -> None:
    features, n_tokens = blobs
    big = np.tile(features, (50, 1)) + np.random.default_rng(1).normal(0, 0.001, (1800, 3))
    small = cluster_variants(features, np.full(36, 5), n_tokens, SETTINGS)
    large = cluster_variants(big, np.full(1800, 5), np.full(1800, 3), SETTINGS)
    assert small.min_cluster_size == 15 and large.min_cluster_size == round(0.005 * 1800 * 5) == 45
