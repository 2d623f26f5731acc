import math

from parcours.settings import CatalogueAction
from parcours.triggers.actions import suggest_action

PATH = ["view_item@web", "order@web", "store_visit@store", "complaint@phone"]


def _entry(step: str, when: str, action_id: str) -> CatalogueAction:
    return CatalogueAction(step=step, when=when, action_id=action_id, label=action_id, channel="email")


def test_a_journey_that_raises_value_is_nudged_towards_its_next_catalogued_step() -> None:
    catalogue = [_entry("store_visit", "raises", "invite"), _entry("complaint", "destroys", "recover")]
    suggestion = suggest_action(("view_item@web",), PATH, 10.0, catalogue)
    assert (suggestion.action["action_id"], suggestion.target_step) == ("invite", "store_visit@store")


def test_a_journey_that_destroys_value_gets_an_intervention_before_the_damaging_step() -> None:
    catalogue = [_entry("store_visit", "raises", "invite"), _entry("complaint", "destroys", "recover")]
    suggestion = suggest_action(("order@web",), PATH, -10.0, catalogue)
    assert (suggestion.action["action_id"], suggestion.note) == ("recover", "intervene before complaint@phone")


def test_a_token_entry_wins_over_an_activity_entry() -> None:
    catalogue = [_entry("store_visit", "raises", "generic"), _entry("store_visit@store", "raises", "specific")]
    assert suggest_action(("order@web",), PATH, 1.0, catalogue).action["action_id"] == "specific"


def test_without_a_catalogue_entry_the_rule_says_so() -> None:
    suggestion = suggest_action(("order@web",), PATH, 1.0, [])
    assert suggestion.action is None
    assert suggestion.note == "no catalogue entry (raises) for the journey's later steps: store_visit@store, " \
                              "complaint@phone"


def test_without_an_effect_no_action_is_suggested() -> None:
    suggestion = suggest_action(("order@web",), PATH, math.nan, [_entry("store_visit", "raises", "invite")])
    assert suggestion.action is None and "no estimated effect" in suggestion.note


def test_a_pattern_not_in_the_representative_looks_at_the_whole_path() -> None:
    catalogue = [_entry("view_item", "raises", "browse")]
    assert suggest_action(("search@web",), PATH, 1.0, catalogue).target_step == "view_item@web"
