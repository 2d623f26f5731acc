import pytest

from parcours.settings import EpisodeSettings, TriggerSettings
from parcours.triggers import mine_trigger_rules, trigger_data, validate_rule_set
from tests.lib.triggers.conftest import CATALOGUE, mini_world

DAY = 86_400.0


def _patterns(rule_set) -> dict[int, list[str]]:
    return {r["journey_id"]: [s["token"] for s in r["pattern"]] for r in rule_set.document["rules"]}


def test_each_finding_gets_its_defining_step_as_entry_rule(mined) -> None:
    assert _patterns(mined) == {1: ["add_to_cart@web"], 2: ["delivery_issue@web"]}


def test_a_journey_that_is_not_a_finding_gets_no_rule(mined) -> None:
    assert 0 not in set(mined.table.journey_id)


def test_published_rules_carry_their_backtest_and_pass_the_thresholds(mined) -> None:
    settings = TriggerSettings()
    for rule in mined.document["rules"]:
        backtest = rule["evidence"]["backtest"]
        assert backtest["precision"] >= settings.min_precision and backtest["coverage"] >= settings.min_recall
        assert backtest["support"] >= settings.privacy_floor and rule["evidence"]["mining"]["support"] >= 25


def test_the_published_document_validates_and_the_set_is_champion(mined) -> None:
    validate_rule_set(mined.document)
    assert mined.champion and mined.document["backtest"]["passed"]
    assert mined.backtest["capped"]["precision"] == pytest.approx(1.0)


def test_actions_nudge_towards_the_catalogued_step_or_intervene_before_the_damage(mined) -> None:
    actions = {r["journey_id"]: (r["action"]["action_id"], r["delay_s"], r["action_note"])
               for r in mined.document["rules"]}
    assert actions[1] == ("store_invitation", DAY, "nudge towards store_visit@store")
    assert actions[2] == ("service_recovery", 0.0, "intervene before complaint@phone")


def test_expected_value_is_reach_times_effect(mined) -> None:
    for row in mined.table.itertuples():
        assert row.expected_value == pytest.approx(row.support * row.effect)


def test_a_rule_whose_entry_step_drifts_after_the_cut_is_not_published() -> None:
    world = mini_world(drift=True)
    settings = TriggerSettings(actions=CATALOGUE)
    data = trigger_data(world.events, world.instances, world.assignments, EpisodeSettings(), settings)
    rule_set = mine_trigger_rules(data, world.journeys, world.impact, settings, max_window_s=30 * DAY)
    complaint = rule_set.table[rule_set.table.journey_id == 2].iloc[0]
    assert complaint.mining_precision == pytest.approx(1.0) and not complaint.published
    assert complaint.reason.startswith("precision") and 2 not in _patterns(rule_set)


def test_the_global_frequency_cap_holds_back_triggers(world) -> None:
    settings = TriggerSettings(actions=CATALOGUE, frequency_cap=1, frequency_cap_days=365, cap_per_customer=5)
    data = trigger_data(world.events, world.instances, world.assignments, EpisodeSettings(), settings)
    backtest = mine_trigger_rules(data, world.journeys, world.impact, settings, max_window_s=30 * DAY).backtest
    assert backtest["capped"]["held_back_by_cap"] > 0
    assert backtest["capped"]["triggers"] == backtest["uncapped"]["triggers"] - backtest["capped"]["held_back_by_cap"]


def test_without_assigned_instances_an_empty_rule_set_is_published(world) -> None:
    nobody = world.assignments.mutate(journey_id=-1)
    data = trigger_data(world.events, world.instances, nobody, EpisodeSettings(), TriggerSettings())
    rules = mine_trigger_rules(data, world.journeys, world.impact, TriggerSettings(), max_window_s=30 * DAY)
    assert rules.document["rules"] == [] and not rules.champion
    validate_rule_set(rules.document, "empty")


def test_support_below_the_privacy_floor_is_refused() -> None:
    with pytest.raises(ValueError, match="privacy_floor"):
        TriggerSettings(min_support=5, privacy_floor=10)


def test_without_findings_the_set_is_empty_valid_and_not_champion(world) -> None:
    settings = TriggerSettings(actions=CATALOGUE)
    data = trigger_data(world.events, world.instances, world.assignments, EpisodeSettings(), settings)
    rule_set = mine_trigger_rules(data, world.journeys, world.impact.assign(finding=False), settings,
                                  max_window_s=30 * DAY)
    validate_rule_set(rule_set.document)
    assert rule_set.document["rules"] == [] and rule_set.table.empty and not rule_set.champion


def test_the_action_has_the_time_until_its_target_step(mined) -> None:
    lead = {r["journey_id"]: r["evidence"]["backtest"]["target_lead_time_s"] / 3_600 for r in mined.document["rules"]}
    assert 2 <= lead[1] <= 12  # add to cart → (order) → store visit: two gaps of 1-6 hours
    assert lead[2] == pytest.approx(3.5, abs=2.5)  # delivery issue → complaint: one gap of 1-6 hours
