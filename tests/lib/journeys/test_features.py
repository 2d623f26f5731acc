import numpy as np
import pytest

from parcours.journeys.features import SequenceFeatures, channel_of

SEQUENCES = [["view@web", "order@web"], ["view@web", "cart@web", "order@web"], ["visit@store", "order@store"],
             ["open@email", "click@email", "view@web"]]


@pytest.fixture
def fitted() -> SequenceFeatures:
    return SequenceFeatures(components=3).fit(SEQUENCES, np.array([3600.0, 7200, 60, 86400]))


def test_features_are_unit_vectors_one_per_sequence(fitted) -> None:
    vectors = fitted.transform(SEQUENCES, np.array([3600.0, 7200, 60, 86400]))
    assert vectors.shape == (4, 3) and np.allclose(np.linalg.norm(vectors, axis=1), 1)


def test_similar_sequences_are_closer_than_different_ones(fitted) -> None:
    web, web_cart, store = fitted.transform(SEQUENCES[:3], np.array([3600.0, 7200, 60]))
    assert np.linalg.norm(web - web_cart) < np.linalg.norm(web - store)


def test_unknown_durations_and_tokens_are_accepted(fitted) -> None:
    vectors = fitted.transform([["view@web", "never_seen@fax"]])
    assert vectors.shape == (1, 3) and np.isfinite(vectors).all()


def test_transform_before_fit_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="before fit"):
        SequenceFeatures().transform(SEQUENCES)


def test_channel_of() -> None:
    assert (channel_of("order@web"), channel_of("order")) == ("web", "")
