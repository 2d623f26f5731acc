import numpy as np

from parcours.journeys import discover_journeys
from parcours.settings import JourneySettings
from tests.lib.journeys.conftest import variants_table


def test_journeys_made_of_the_same_steps_are_one() -> None:
    """Orders and repeats of the same steps are one behaviour: one journey, whatever the count asked for."""
    rows = [("view@web → cart@web → pay@web", 50), ("cart@web → view@web → pay@web", 40),
            ("view@web → view@web → cart@web → pay@web", 30), ("view@web → cart@web → cart@web → pay@web", 20),
            ("visit@store → ask@store → buy@store", 50), ("ask@store → visit@store → buy@store", 40)]
    discovery = discover_journeys(variants_table(rows), JourneySettings(bootstrap_rounds=0, min_journeys=4))
    assert len(discovery.journeys) == 2 and discovery.quality["merged_same_steps"] >= 2
    assert (discovery.variants.journey_id != -1).all()


def test_purchase_paths_make_at_most_two_journeys() -> None:
    rows = [("view@web → order@web", 500), ("visit@store → order@store", 300),
            ("view@web → order@web → visit@store → order@store", 200), ("view@app → order@app → view@app → order@app", 90),
            ("view@web → cart@web → remind@email", 120), ("view@web → cart@web → remind@email → order@web", 80),
            ("complaint@phone → call@phone", 60), ("complaint@phone → call@phone → cancel@web", 50)]
    discovery = discover_journeys(variants_table(rows), JourneySettings(bootstrap_rounds=0), purchases=["order"])
    names = discovery.journeys.set_index("journey_id").name
    bought = discovery.variants.set_index("variant").journey_id
    assert names[bought["view@web → order@web"]] == "buys once" == names[bought["visit@store → order@store"]]
    assert names[bought["view@app → order@app → view@app → order@app"]] == "buys repeatedly"
    assert discovery.journeys.family.eq("purchases only").sum() == 2
    assert np.isclose(discovery.quality["purchase_path_share"], 1090 / 1400)


def test_the_journeys_summarise_at_least_as_well_as_kmedoids_with_as_many(demo_journeys) -> None:
    quality = demo_journeys[0].quality
    assert quality["representativeness"] <= quality["representativeness_kmedoids"] + 1e-9
    assert 3 <= quality["families"] <= JourneySettings().max_families + 1  # + the purchases


def test_a_log_of_purchases_and_single_steps_only_has_its_rule_journeys() -> None:
    rows = [("order@web", 40), ("view@web → order@web", 30), ("order@web → order@store", 10), ("home@web", 20)]
    discovery = discover_journeys(variants_table(rows), JourneySettings(), purchases=["order"])
    assert set(discovery.journeys.name) == {"buys once", "buys repeatedly", "leaves after one step"}
    assert discovery.quality["journeys_discovered"] == 0 and discovery.quality["coverage"] == 1.0


def test_nothing_to_discover_gives_no_journey_and_no_error() -> None:
    discovery = discover_journeys(variants_table([("home@web", 5)]), JourneySettings(short_paths="noise"))
    assert discovery.journeys.empty and (discovery.variants.journey_id == -1).all()
