import pytest

from parcours.report import journey_drift, journey_snapshot

BEFORE = [{"journey_id": 0, "name": "a", "n_customers": 1000, "effect": 80.0, "std_error": 5.0},
          {"journey_id": 1, "name": "b", "n_customers": 400, "effect": -120.0, "std_error": 10.0},
          {"journey_id": 2, "name": "c", "n_customers": 50, "effect": None, "std_error": None}]


def _drift(after, **limits):
    return journey_drift(BEFORE, after, **{"max_size_change": 0.25, "effect_z": 3.0, **limits}).set_index("journey_id")


def test_the_same_run_has_no_drift() -> None:
    drift = _drift(BEFORE)
    assert not drift.size_drift.any() and not drift.effect_drift.any() and set(drift.change) == {"kept"}


def test_a_journey_that_grew_by_more_than_the_limit_drifts() -> None:
    after = [{**BEFORE[0], "n_customers": 1300}, *BEFORE[1:]]
    drift = _drift(after)
    assert drift.size_change[0] == pytest.approx(0.3) and drift.size_drift.tolist() == [True, False, False]


def test_an_effect_beyond_z_standard_errors_of_the_difference_drifts() -> None:
    moved = [BEFORE[0], {**BEFORE[1], "effect": -120.0 + 3.1 * (2 * 10.0**2) ** 0.5}, BEFORE[2]]
    still = [BEFORE[0], {**BEFORE[1], "effect": -120.0 + 2.9 * (2 * 10.0**2) ** 0.5}, BEFORE[2]]
    assert _drift(moved).effect_drift.tolist() == [False, True, False]
    assert not _drift(still).effect_drift.any()


def test_new_and_gone_journeys_are_size_drift() -> None:
    drift = _drift([BEFORE[0], BEFORE[1], {**BEFORE[0], "journey_id": 7, "name": "new one"}])
    assert drift.change.to_dict() == {0: "kept", 1: "kept", 2: "gone", 7: "new"}
    assert drift.size_drift.to_dict() == {0: False, 1: False, 2: True, 7: True}


def test_the_snapshot_round_trips_as_plain_json_values(ranking) -> None:
    snapshot = journey_snapshot(ranking)
    assert snapshot[-1] == {"journey_id": 4, "name": "tiny journey", "n_customers": 18, "effect": None,
                            "std_error": None}
    assert not journey_drift(snapshot, snapshot, max_size_change=0.1, effect_z=1.0)[["size_drift", "effect_drift"]] \
        .any().any()
