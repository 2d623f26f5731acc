import json

import pytest

from parcours.triggers import TriggerRulesError, load_rules, parse_rules
from tests.lib.triggers.conftest import rule_document


def test_a_valid_rule_set_parses_into_typed_rules(one_rule) -> None:
    (rule,) = parse_rules(one_rule)
    assert [s.token for s in rule.pattern] == ["view_item@web", "add_to_cart@web", "order@web"]
    assert rule.window_s == 86_400 and rule.action["channel"] == "email" and rule.conditions == ()


def test_a_rule_without_a_pattern_names_the_rule_and_the_field() -> None:
    document = rule_document(pattern=[])
    with pytest.raises(TriggerRulesError, match=r"rules.json: rule 'web-cart' rules/0/pattern: \[\] should be non-empty"):
        parse_rules(document, "rules.json")


def test_a_token_must_not_be_empty() -> None:
    with pytest.raises(TriggerRulesError, match="rules/0/pattern/0/token"):
        parse_rules(rule_document(pattern=[{"token": ""}]))


@pytest.mark.parametrize("token", ["view_item", "delivery issue@web", "réclamation client 😀@store", "<home>@a@b"])
def test_a_token_is_any_step_the_log_holds(token: str) -> None:
    (rule,) = parse_rules(rule_document(pattern=[{"token": token}]))
    assert rule.pattern[0].token == token


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(TriggerRulesError, match="'colour' was unexpected"):
        parse_rules(rule_document(colour="red"))


def test_a_rule_may_have_no_catalogued_action() -> None:
    (rule,) = parse_rules(rule_document(action=None, action_note="no catalogue entry for store_visit@store"))
    assert rule.action is None


def test_load_rules_reads_a_file_and_refuses_broken_json(tmp_path, one_rule) -> None:
    path = tmp_path / "trigger_rules.json"
    path.write_text(json.dumps(one_rule))
    assert load_rules(path)[0].rule_id == "web-cart"
    path.write_text("{")
    with pytest.raises(TriggerRulesError, match="trigger_rules.json: not JSON"):
        load_rules(path)
