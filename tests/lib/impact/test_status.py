import pandas as pd

from parcours.impact.status import (
    CANNOT_TELL,
    NOT_ADJUSTED,
    PLACEBO_FAILED,
    checked_reason,
    effect_status,
    state_counts,
)


def test_a_failed_check_is_never_a_proven_effect() -> None:
    table = pd.DataFrame({"effect": [5.0, 5.0], "finding": [True, True], "overlap_ok": [False, True],
                          "refutation_ok": [True, False]})
    assert effect_status(table).tolist() == ["not measured", "not measured"]


def test_a_proven_effect_is_a_gain_or_a_loss_by_its_sign() -> None:
    table = pd.DataFrame({"effect": [0.0, -0.1], "finding": [True, True], "overlap_ok": [True, True],
                          "refutation_ok": [True, True]})
    assert effect_status(table).tolist() == ["proven gain", "proven loss"]


def test_each_unproven_estimate_says_why_in_plain_words() -> None:
    table = pd.DataFrame({"effect": [1.0, 1.0, 1.0, 1.0], "finding": [True, False, False, False],
                          "overlap_ok": [True, False, True, True], "refutation_ok": [True, True, False, True]})
    assert checked_reason(table).tolist() == ["", NOT_ADJUSTED, PLACEBO_FAILED, CANNOT_TELL]


def test_the_states_are_counted_even_when_empty() -> None:
    counts = state_counts(pd.Series(["proven gain", "not measured", "not measured"]))
    assert counts == {"journeys_proven_gain": 1, "journeys_proven_loss": 0, "journeys_no_clear_effect": 0,
                      "journeys_not_measured": 2}
