import numpy as np
from sklearn.utils.estimator_checks import parametrize_with_checks

from parcours.journeys.clustering import NOISE, JourneyClusterer
from parcours.settings import JourneySettings

SETTINGS = JourneySettings(min_samples=10, min_cluster_floor=15, merge_distance=0.3, standalone_share=0.5)


def _fit(features, counts, n_tokens, settings) -> JourneyClusterer:
    return JourneyClusterer.from_settings(settings).fit(features, sample_weight=counts, n_tokens=n_tokens)


def test_a_variant_followed_by_thousands_weighs_more_than_one_followed_by_one(blobs) -> None:
    features, n_tokens = blobs
    counts = np.array([1] * 12 + [1000] * 12 + [900] * 12)  # the first two groups differ only by their counts
    labels = _fit(features, counts, n_tokens, SETTINGS).labels_
    assert (labels[12:24] == 0).all()  # the frequent group is a journey
    assert (labels[:12] == NOISE).all()  # the same shapes followed by single customers are not


def test_weights_are_capped_so_one_variant_is_not_a_cluster(blobs) -> None:
    features, n_tokens = blobs
    counts = np.array([1] * 12 + [100] * 23 + [10_000])
    result = _fit(features, counts, n_tokens, SETTINGS.model_copy(update={"standalone_share": 0.99}))
    assert result.n_points_ == 12 + 9 * 24
    assert result.labels_[-1] == result.labels_[-2] != NOISE  # 9 copies: it weighs as much as its neighbours


def test_a_frequent_isolated_variant_is_a_journey_by_itself(blobs) -> None:
    features = np.vstack([blobs[0], [[-1, 0, 0]]])
    counts = np.array([100] * 36 + [10_000])
    result = _fit(features, counts, np.full(37, 3), SETTINGS)
    assert result.n_standalone_ == 1 and result.labels_[-1] == 0 and result.probabilities_[-1] == 1.0


def test_too_short_instances_are_noise_however_frequent(blobs) -> None:
    features, _ = blobs
    n_tokens = np.array([1] * 12 + [3] * 24)
    labels = _fit(features, np.full(36, 1000), n_tokens, SETTINGS).labels_
    assert (labels[:12] == NOISE).all() and (labels[12:] != NOISE).all()


def test_journeys_are_numbered_by_size(blobs) -> None:
    features, n_tokens = blobs
    counts = np.array([50] * 12 + [500] * 12 + [5] * 12)
    labels = _fit(features, counts, n_tokens, SETTINGS).labels_
    assert (labels[12:24] == 0).all() and (labels[:12] == 1).all() and (labels[24:] == 2).all()


def test_min_cluster_size_grows_with_the_population(blobs) -> None:
    features, n_tokens = blobs
    big = np.tile(features, (50, 1)) + np.random.default_rng(1).normal(0, 0.001, (1800, 3))
    small = _fit(features, np.full(36, 5), n_tokens, SETTINGS)
    large = _fit(big, np.full(1800, 5), np.full(1800, 3), SETTINGS)
    assert small.min_cluster_size_ == 15 and large.min_cluster_size_ == round(0.005 * 1800 * 5) == 45


@parametrize_with_checks([JourneyClusterer(min_cluster_floor=2, min_samples=5)])
def test_the_clusterer_keeps_scikit_learns_contract(estimator, check) -> None:
    """Every check passes, weights included: scikit-learn's weights (0 to 3) stay below the cap of 4 copies."""
    check(estimator)
