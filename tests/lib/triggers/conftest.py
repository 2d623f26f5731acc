import pytest

HOUR = 3_600.0


def rule_document(**overrides) -> dict:
    """One valid rule: web view → add to cart → order within a day, each step within 6 hours."""
    rule = {"rule_id": "web-cart", "journey_id": 3, "journey_name": "web add to cart → web order",
            "pattern": [{"token": "view_item@web"}, {"token": "add_to_cart@web", "max_gap_s": 6 * HOUR},
                        {"token": "order@web", "max_gap_s": 6 * HOUR}],
            "window_s": 24 * HOUR, "delay_s": HOUR, "cap_per_customer": 1,
            "action": {"action_id": "store_invite", "label": "Invite to the store", "channel": "email"},
            "evidence": {"precision": 0.8}}
    rule.update(overrides)
    return {"schema_version": 1, "rule_set_version": "test", "rules": [rule]}


@pytest.fixture
def one_rule() -> dict:
    return rule_document()
