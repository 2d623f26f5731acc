from parcours.journeys.taxonomy import match_journeys

WEB = ["view@web", "order@web"]
STORE = ["visit@store", "order@store"]
EMAIL = ["open@email", "click@email", "view@web", "order@web"]
APP = ["view@app", "cart@app", "abandon@app"]


def test_first_run_numbers_journeys_in_order() -> None:
    matching = match_journeys([WEB, STORE], {})
    assert matching.ids == [0, 1] and [c["change"] for c in matching.changes] == ["born", "born"]


def test_journeys_keep_their_ids_when_found_in_another_order() -> None:
    assert match_journeys([STORE, WEB], {0: WEB, 1: STORE}).ids == [1, 0]


def test_a_new_journey_is_born_with_a_new_id_and_an_old_one_disappears() -> None:
    matching = match_journeys([WEB, APP], {0: WEB, 3: STORE})
    assert matching.ids == [0, 4]
    assert {(c["change"], c["journey_id"]) for c in matching.changes} == {("kept", 0), ("born", 4),
                                                                          ("disappeared", 3)}


def test_a_merge_is_recorded() -> None:
    changes = match_journeys([WEB], {0: WEB, 1: [*WEB, "view@web"]}).changes
    assert {"change": "merged", "journey_id": 1, "into_id": 0} in changes


def test_a_split_is_recorded() -> None:
    changes = match_journeys([EMAIL, EMAIL[1:]], {5: EMAIL}).changes
    assert {"change": "split", "journey_id": 6, "from_id": 5} in changes
