import pandas as pd

from parcours.settings import TriggerSettings
from parcours.triggers.mine import Candidate, candidate_patterns, defining_steps, select_rules


def _instances(rows: list[tuple[int, list[str]]]) -> pd.DataFrame:
    return pd.DataFrame({"journey_instance_id": [f"i{n}" for n in range(len(rows))],
                         "journey_id": [j for j, _ in rows], "tokens": [t for _, t in rows]})


def test_the_defining_step_is_the_most_telling_frequent_token() -> None:
    instances = _instances([(1, ["view@web", "cart@web", "order@web"])] * 8 + [(1, ["view@web", "order@web"])] * 2
                           + [(0, ["view@web", "order@web"])] * 10)
    assert defining_steps(instances, [1]) == {1: "cart@web"}


def test_a_token_in_too_few_instances_does_not_define_the_journey() -> None:
    instances = _instances([(1, ["view@web", "rare@web"])] + [(1, ["view@web", "order@web"])] * 9
                           + [(0, ["order@web"])] * 10)
    assert defining_steps(instances, [1]) == {1: "view@web"}


def test_candidates_are_subsequences_of_the_first_steps_up_to_the_defining_step() -> None:
    settings = TriggerSettings(max_entry_steps=3, max_pattern_length=2, candidates_per_journey=100)
    patterns = candidate_patterns([["a@w", "b@w", "c@w", "d@w"]], "c@w", settings)
    assert sorted(patterns) == sorted([("a@w",), ("b@w",), ("c@w",), ("a@w", "b@w"), ("a@w", "c@w"),
                                       ("b@w", "c@w")])


def test_candidates_count_each_instance_once() -> None:
    settings = TriggerSettings(max_pattern_length=1, candidates_per_journey=1)
    assert candidate_patterns([["a@w", "b@w", "a@w"], ["b@w"], ["b@w"]], "z@w", settings) == [("b@w",)]


def _candidate(pattern: tuple, precision: float, recall: float, instances: set, journey: int = 1) -> Candidate:
    scores = {"precision": precision, "recall": recall, "support": 100, "lead_time_s": 0.0}
    return Candidate(journey, pattern, scores, frozenset(instances))


def test_a_longer_pattern_not_clearly_more_precise_is_pruned() -> None:
    short = _candidate(("a@w",), 0.8, 0.9, set(range(90)))
    longer = _candidate(("x@w", "a@w"), 0.82, 0.5, set(range(50)))
    assert [c.pattern for c in select_rules([longer, short], TriggerSettings())] == [("a@w",)]


def test_a_rule_matching_the_same_instances_as_a_better_one_is_pruned() -> None:
    best = _candidate(("a@w",), 0.9, 0.9, set(range(90)))
    twin = _candidate(("b@w",), 0.85, 0.85, set(range(85)))
    other = _candidate(("c@w",), 0.7, 0.3, set(range(90, 120)))
    assert [c.pattern for c in select_rules([twin, other, best], TriggerSettings())] == [("a@w",), ("c@w",)]


def test_candidates_below_a_threshold_are_not_selected() -> None:
    imprecise = _candidate(("a@w",), 0.3, 0.9, set(range(90)))
    assert select_rules([imprecise], TriggerSettings()) == []
