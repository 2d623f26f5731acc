import numpy as np

from parcours.journeys.medoids import choose_count, greedy_curve, path_distances, refine, summarise, weighted_kmedoids


def _points() -> tuple[np.ndarray, np.ndarray]:
    """Points on a line at 0, 1, 2 (heavy) and 10, 11, 12 (light): distance is |a - b| / 12, every point a candidate."""
    x = np.array([0, 1, 2, 10, 11, 12], dtype=float)
    return (np.abs(x[:, None] - x[None, :]) / 12).astype(np.float32), np.array([5, 10, 5, 1, 2, 1], dtype=float)


def test_path_distance_is_the_share_of_the_longer_path_to_change() -> None:
    assert path_distances([["a", "b", "c", "d"]], [["a", "b", "c", "d"], ["a", "x", "c", "d"], ["e"]]).tolist() \
        == [[0.0, 0.25, 1.0]]


def test_greedy_curve_takes_the_heaviest_centre_first_and_falls() -> None:
    distances, weights = _points()
    chosen, costs = greedy_curve(distances, weights, 3)
    assert chosen[:2].tolist() == [1, 4] and np.all(np.diff(costs) < 0)
    assert costs[1] == summarise(distances, weights, chosen[:2]).cost


def test_greedy_curve_goes_on_from_given_medoids() -> None:
    distances, weights = _points()
    chosen, costs = greedy_curve(distances, weights, 2, start=np.array([5]))
    assert chosen.tolist() == [5, 1] and np.isclose(costs[0], summarise(distances, weights, [5]).cost)


def test_refine_swaps_a_poor_medoid_for_the_centre() -> None:
    distances, weights = _points()
    fit = refine(distances, weights, np.array([0, 5]))
    assert sorted(fit.chosen.tolist()) == [1, 4] and fit.cost < summarise(distances, weights, [0, 5]).cost


def test_weighted_kmedoids_is_never_worse_than_its_greedy_start() -> None:
    rng = np.random.default_rng(0)
    distances, weights = rng.random((200, 50)).astype(np.float32), rng.integers(1, 20, 200).astype(float)
    _, costs = greedy_curve(distances, weights, 5)
    assert weighted_kmedoids(distances, weights, 5).cost <= costs[4] + 1e-9


def test_the_count_is_the_knee_of_the_curve() -> None:
    costs = np.array([0.9, 0.5, 0.2, 0.18, 0.17, 0.16, 0.15])
    assert choose_count(costs, 1, 10) == 3 and choose_count(costs, 4, 10) == 4 and choose_count(costs, 1, 2) == 2
