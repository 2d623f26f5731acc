import numpy as np

from parcours.journeys.naming import distinguishing_features, journey_name, readable, unique_names

WEB, STORE, ORDER = "order@web", "store_visit@store", "order@store"


def test_readable_tokens() -> None:
    assert readable("view_item@app") == "app view item" and readable("store_visit@store") == "store visit"


def test_distinguishing_features_are_what_only_the_journey_has() -> None:
    sequences = [["view@web", WEB, STORE], ["view@web", WEB], ["view@web", "cart@web"]]
    features = distinguishing_features(sequences, np.array([10, 10, 10]), np.array([0, 1, 1]), journey=0)
    assert features[0][0] in {(STORE,), (WEB, STORE)} and features[0][1:] == (1.0, 0.0)


def test_name_follows_the_medoid_order() -> None:
    assert journey_name(["view@web", WEB, STORE, ORDER], [(STORE,), (WEB,)]) == "web order → store visit"


def test_names_are_stable_for_the_same_counts() -> None:
    sequences = [["a@web", "b@web"], ["c@app", "d@app"], ["a@web", "d@app"]]
    args = (sequences, np.array([5, 5, 1]), np.array([0, 1, 1]), 0)
    assert distinguishing_features(*args) == distinguishing_features(*args)


def test_unique_names_use_fallbacks_then_a_number() -> None:
    assert unique_names(["x", "x", "x"], [[], ["x → y"], []]) == ["x", "x → y", "x (2)"]


def test_a_journey_is_told_how_it_ends() -> None:
    from parcours.journeys.naming import journey_outcome, with_outcome

    outcome = journey_outcome([["cart@web", "order@web"], ["order@web", "cart@web"], ["cart@web"]],
                              np.array([3, 1, 1]), ["order"])
    assert outcome == {"conversion_share": 0.6, "stops_at": "web order (60%)"}  # an opening order is no conversion
    assert with_outcome("web cart", outcome, ["order"]) == "web cart, buys"
    assert with_outcome("web cart", outcome, []) == "web cart"
