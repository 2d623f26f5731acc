import numpy as np

from parcours.journeys.representatives import edit_distances, journey_representatives

A, B, C, D = "view@web", "cart@web", "order@web", "visit@store"


def test_edit_distance_compares_whole_tokens() -> None:
    assert edit_distances([[A, B, C]], [[A, C], [D]]).tolist() == [[1.0, 3.0]]
    assert edit_distances([[A, B]], [[A, D]], normalised=True).tolist() == [[0.5]]


def test_medoid_minimises_the_count_weighted_distance() -> None:
    sequences = [[A, C], [A, B, C], [A, B, B, C], [D, C]]
    reps = journey_representatives(sequences, np.array([10, 50, 5, 1]))
    assert reps.medoid == [A, B, C] and reps.top == [[A, B, C], [A, C], [A, B, B, C]]


def test_representatives_cover_the_requested_share() -> None:
    sequences = [[A, C], [D, C], [B, D, A, C], [C, C, C, C, D]]
    reps = journey_representatives(sequences, np.array([30, 30, 30, 10]), coverage=0.7)
    assert reps.representatives[0] == [A, C]  # the densest: it covers [D, C] too, one token apart
    assert reps.coverage >= 0.7 and len(reps.representatives) == 2
