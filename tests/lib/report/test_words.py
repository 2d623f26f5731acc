from parcours.report.locale import ReportLocale
from parcours.report.words import ENGLISH, effect_sentence, outcome_phrase, reason_in, steps_phrase

OUTCOME = "net revenue (returns deducted) between Apr 27, 2025 and Oct 27, 2025"
FRENCH = ReportLocale("fr")


def test_the_outcome_names_its_window(impact) -> None:
    assert outcome_phrase(impact) == OUTCOME


def test_the_clv_outcome_is_named_as_such(impact) -> None:
    assert outcome_phrase(impact.assign(outcome="clv")) == "predicted customer lifetime value"


def test_a_proven_effect_is_said_with_its_interval_and_its_value_at_stake(ranking) -> None:
    sentence = effect_sentence(ranking.iloc[1], OUTCOME)
    assert sentence.startswith("Customers who go through this journey bring €120 less net revenue")
    assert "(95% interval: between -€140 and -€100 per customer)" in sentence
    assert "Across its 380 customers, that is -€46K at stake." in sentence  # 380 × −120 = −45,600


def test_an_effect_that_could_be_zero_is_not_claimed(ranking) -> None:
    assert effect_sentence(ranking.iloc[2], OUTCOME).startswith("No clear effect: on net revenue")


def test_a_journey_not_measured_says_why(ranking) -> None:
    sentence = effect_sentence(ranking.iloc[3], OUTCOME)
    assert sentence == "Not measured: its customers differ from the others in ways the estimate could not adjust for."


def test_durations_read_in_hours_below_a_day() -> None:
    assert (ENGLISH.days(0.08), ENGLISH.days(3.04), ENGLISH.days(0.0), ENGLISH.days(float("nan"))) == \
        ("2 h", "3.0 days", "under 1 h", "–")


def test_a_pattern_reads_as_steps_in_human_labels() -> None:
    assert steps_phrase("view_item@web → add_to_cart@web") == "web view item, then web add to cart"


def test_a_sentence_is_said_in_french_with_french_numbers(ranking, impact) -> None:
    sentence = effect_sentence(ranking.iloc[1], outcome_phrase(impact, FRENCH), FRENCH).replace("\u00a0", " ")
    assert sentence.startswith("Les clients qui suivent ce parcours apportent 120 € de moins sur le chiffre d'affaires")
    assert "27 avr. 2025" in sentence and "Sur ses 380 clients, cela fait -46 k € en jeu." in sentence


def test_a_reason_with_numbers_is_said_in_french() -> None:
    reason = "only 1,234 of its customers entered it during the measured period; at least 50 are needed to measure " \
             "an effect"
    assert reason_in(reason, FRENCH).replace("\u202f", " ") == (
        "seuls 1 234 de ses clients y sont entrés pendant la période mesurée ; il en faut au moins 50 pour mesurer un "
        "effet")
