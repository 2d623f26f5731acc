import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline

from parcours.journeys.features import channel_of, journey_features, variant_frame

SEQUENCES = [["view@web", "order@web"], ["view@web", "cart@web", "order@web"], ["visit@store", "order@store"],
             ["open@email", "click@email", "view@web"]]


@pytest.fixture
def fitted() -> Pipeline:
    return journey_features(components=3).fit(variant_frame(SEQUENCES, [3600.0, 7200, 60, 86400]))


def test_features_are_unit_vectors_one_per_sequence(fitted) -> None:
    vectors = fitted.transform(variant_frame(SEQUENCES, [3600.0, 7200, 60, 86400]))
    assert vectors.shape == (4, 3) and np.allclose(np.linalg.norm(vectors, axis=1), 1)


def test_similar_sequences_are_closer_than_different_ones(fitted) -> None:
    web, web_cart, store = fitted.transform(variant_frame(SEQUENCES[:3], [3600.0, 7200, 60]))
    assert np.linalg.norm(web - web_cart) < np.linalg.norm(web - store)


def test_unknown_durations_and_tokens_are_accepted(fitted) -> None:
    vectors = fitted.transform(variant_frame([["view@web", "never_seen@fax"]]))
    assert vectors.shape == (1, 3) and np.isfinite(vectors).all()


def test_transform_before_fit_is_an_error() -> None:
    with pytest.raises(NotFittedError):
        journey_features().transform(variant_frame(SEQUENCES))


def test_channel_of() -> None:
    assert (channel_of("order@web"), channel_of("order")) == ("web", "")
