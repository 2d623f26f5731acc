"""Stage 7, triggers: rules mined from the journeys, back-tested out of time, published as a versioned JSON rule
set, and fired by an incremental matcher on new events.

Names load on first use (:func:`parcours.facade.lazy_facade`).
"""

from typing import TYPE_CHECKING

from parcours.facade import lazy_facade

if TYPE_CHECKING:
    from parcours.triggers.data import NoTriggerDataError, TriggerData, release_trigger_data, trigger_data
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

__all__, __getattr__, __dir__ = lazy_facade(__name__)
