from parcours.journeys.rules import ONCE, REPEATEDLY, is_purchase_path, purchase_path_kind

BUYS = ["order"]


def test_a_purchase_with_the_step_before_it_is_a_purchase_path() -> None:
    assert purchase_path_kind(["view_item@web", "order@web"], BUYS) == ONCE
    assert purchase_path_kind(["visit@store", "order@store", "view_item@app", "order@app"], BUYS) == REPEATEDLY


def test_a_step_not_leading_to_a_purchase_makes_a_journey() -> None:
    assert not is_purchase_path(["view_item@web", "add_to_cart@web", "order@web"], BUYS)
    assert not is_purchase_path(["order@web", "complaint@phone"], BUYS)


def test_without_purchase_activities_nothing_is_a_purchase_path() -> None:
    assert not is_purchase_path(["view_item@web", "order@web"], [])


def test_a_single_step_leaves_after_one_step_unless_it_is_a_purchase() -> None:
    from parcours.journeys.rules import ONE_STEP, rule_kind

    kinds = (ONCE, REPEATEDLY, ONE_STEP)
    assert rule_kind(["home@web"], BUYS, 2, kinds) == ONE_STEP and rule_kind(["order@web"], BUYS, 2, kinds) == ONCE
    assert rule_kind(["home@web"], BUYS, 2, (ONCE, REPEATEDLY)) is None
