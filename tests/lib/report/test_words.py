from parcours.report.words import days, effect_sentence, outcome_phrase

OUTCOME = "net revenue (returns deducted) between 2025-04-27 and 2025-10-27"


def test_the_outcome_names_its_window(impact) -> None:
    assert outcome_phrase(impact) == OUTCOME


def test_the_clv_outcome_is_named_as_such(impact) -> None:
    assert outcome_phrase(impact.assign(outcome="clv")) == "predicted customer lifetime value"


def test_a_finding_is_said_with_its_interval_and_its_value(ranking) -> None:
    sentence = effect_sentence(ranking.iloc[1], OUTCOME)
    assert sentence.startswith("Customers who go through this journey bring €120 less net revenue")
    assert "(95% interval −€140 to −€100 per customer)" in sentence and "about −€42k at stake" in sentence


def test_an_unclear_effect_is_not_claimed(ranking) -> None:
    assert effect_sentence(ranking.iloc[2], OUTCOME).startswith("We cannot tell this journey's effect from zero")


def test_a_failed_check_says_not_to_act(ranking) -> None:
    sentence = effect_sentence(ranking.iloc[3], OUTCOME)
    assert "failed its overlap or covariate balance check; do not act on it yet" in sentence


def test_durations_read_in_hours_below_a_day() -> None:
    assert (days(0.08), days(3.04), days(float("nan"))) == ("2 h", "3.0 days", "–")
