"""Trigger rules: their versioned JSON format and the incremental matcher that fires them on new events."""

from parcours.triggers.matcher import TRIGGER_COLUMNS, Matcher, Trigger, match_events
from parcours.triggers.rules import Rule, Step, TriggerRulesError, load_rules, parse_rules, validate_rule_set

__all__ = ["TRIGGER_COLUMNS", "Matcher", "Rule", "Step", "Trigger", "TriggerRulesError", "load_rules",
           "match_events", "parse_rules", "validate_rule_set"]
