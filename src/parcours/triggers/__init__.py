"""Trigger rules: mined from the journeys, back-tested out of time, published as a versioned JSON rule set, and
fired by an incremental matcher on new events."""

from parcours.triggers.data import NoTriggerDataError, TriggerData, trigger_data
from parcours.triggers.fire import fire_rules, tokenize
from parcours.triggers.matcher import TRIGGER_COLUMNS, Matcher, Trigger, match_events
from parcours.triggers.publish import TriggerRuleSet, mine_trigger_rules
from parcours.triggers.rules import (
    Rule,
    RuleSet,
    Step,
    TriggerRulesError,
    load_rule_set,
    load_rules,
    parse_rule_set,
    parse_rules,
    validate_rule_set,
)

__all__ = ["TRIGGER_COLUMNS", "Matcher", "NoTriggerDataError", "Rule", "RuleSet", "Step", "Trigger", "TriggerData",
           "TriggerRuleSet", "TriggerRulesError", "fire_rules", "load_rule_set", "load_rules", "match_events",
           "mine_trigger_rules", "parse_rule_set", "parse_rules", "tokenize", "trigger_data", "validate_rule_set"]
