import pandas as pd
import pm4py
import pytest

from parcours.mining.models import discover_process_model, model_documents, replay_fitness, variant_log


@pytest.fixture
def table() -> pd.DataFrame:
    """Variants as the variants asset ranks them: a dominant path, a detour, and rare noise."""
    rows = [("view → cart → order", 60), ("view → order", 25), ("view → cart → cart → order", 10),
            ("order → view", 3), ("cart", 2)]
    frame = pd.DataFrame(rows, columns=["variant", "count"])
    frame["share"] = frame["count"] / frame["count"].sum()
    frame["cum_share"] = frame.share.cumsum()
    return frame


def test_variant_log_repeats_each_variant_by_its_count(table) -> None:
    log = variant_log(table)
    assert log.case.nunique() == 100
    first = log[log.case == log.case.iloc[0]]
    assert first.activity.tolist() == ["view", "cart", "order"] and first.time.is_monotonic_increasing


def test_variant_log_can_be_scaled_down(table) -> None:
    assert variant_log(table, max_cases=20).case.nunique() == 12 + 5 + 2 + 1 + 1


def test_model_comes_from_the_covering_variants(table) -> None:
    model = discover_process_model(table, coverage=0.8, noise_threshold=0.0)
    assert (model.variants_used, model.coverage) == (2, 0.85)
    labels = {t.label for t in model.net.transitions if t.label}
    assert labels == {"view", "cart", "order"}


def test_weighted_replay_equals_pm4py_on_every_instance(table) -> None:
    model = discover_process_model(table, coverage=0.8, noise_threshold=0.0)
    ours = replay_fitness(model, table)
    theirs = pm4py.fitness_token_based_replay(variant_log(table), model.net, model.initial_marking,
                                              model.final_marking, activity_key="activity", case_id_key="case",
                                              timestamp_key="time")
    assert ours.log_fitness == pytest.approx(theirs["log_fitness"])
    assert ours.fitting_share * 100 == pytest.approx(theirs["percentage_of_fitting_traces"])
    assert ours.average_trace_fitness == pytest.approx(theirs["average_trace_fitness"])
    assert (ours.instances, ours.variants) == (100, 5) and ours.fitting_share == pytest.approx(0.85)


def test_replay_leaves_pm4py_as_it_found_it(table) -> None:
    from pm4py.objects.petri_net.utils import align_utils

    search = align_utils.get_visible_transitions_eventually_enabled_by_marking
    replay_fitness(discover_process_model(table, coverage=0.8, noise_threshold=0.0), table)
    assert align_utils.get_visible_transitions_eventually_enabled_by_marking is search


def test_model_documents_are_pnml_and_bpmn(table) -> None:
    documents = model_documents(discover_process_model(table))
    assert "<pnml" in documents["pnml"] and "definitions" in documents["bpmn"]


def test_each_large_journey_gets_its_own_model_and_noise_none() -> None:
    from parcours.mining.models import journey_models

    clusters = pd.DataFrame({"variant": ["view → order", "view → cart → order", "visit → order", "cart"],
                             "count": [50, 30, 40, 9], "journey_id": [0, 0, 1, -1]})
    models = journey_models(clusters, noise_threshold=0.0, coverage=1.0)
    assert list(models) == [0, 1]  # largest first, noise skipped
    assert all(fitness.log_fitness == 1.0 for _, fitness in models.values())
    assert models[0][1].instances == 80 and {t.label for t in models[1][0].net.transitions} >= {"visit", "order"}
    assert list(journey_models(clusters, journeys=1)) == [0]
