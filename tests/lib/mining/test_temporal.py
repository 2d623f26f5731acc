import math

import pandas as pd
import pm4py
import pytest

from parcours.ingest import ingest_events
from parcours.instances import episode_steps
from parcours.mining.temporal import (
    describe_temporal,
    deviating_instances,
    step_pairs,
    temporal_deviations,
    temporal_profile,
)
from parcours.settings import EpisodeSettings, IngestSettings
from parcours.synthetic import generate_demo_log
from tests.lib.mining.conftest import events_table, instances_of, pm4py_input

HOUR = 3600.0


def _profile(steps, **kwargs) -> dict:
    table = temporal_profile(step_pairs(instances_of(steps), **kwargs)).to_pandas()
    return {(r.source, r.target): (r.mean_s, r.std_s) for r in table.itertuples()}


def _close(ours: dict, theirs: dict) -> bool:
    return ours.keys() == theirs.keys() and all(
        math.isclose(ours[k][0], theirs[k][0], abs_tol=1e-6) and math.isclose(ours[k][1], theirs[k][1], abs_tol=1e-6)
        for k in ours)


@pytest.fixture
def three_views(con):
    """view → cart → order taking 1 h + 2 h, 3 h + 2 h and 2 h + 20 h."""
    rows = [("a", 0, "view", "web"), ("a", 1, "cart", "web"), ("a", 3, "order", "web"),
            ("b", 0, "view", "web"), ("b", 3, "cart", "web"), ("b", 5, "order", "web"),
            ("c", 0, "view", "web"), ("c", 2, "cart", "web"), ("c", 22, "order", "web")]
    return episode_steps(events_table(con, rows), EpisodeSettings())


def test_profile_pairs_every_later_step_with_mean_and_sample_std(three_views) -> None:
    profile = _profile(three_views)
    assert profile.keys() == {("view@web", "cart@web"), ("cart@web", "order@web"), ("view@web", "order@web")}
    assert profile[("view@web", "cart@web")] == pytest.approx((2 * HOUR, 1 * HOUR))
    assert profile[("view@web", "order@web")] == pytest.approx((10 * HOUR, math.sqrt(109) * HOUR))


def test_max_distance_keeps_only_near_pairs(three_views) -> None:
    assert ("view@web", "order@web") not in _profile(three_views, max_distance=1)


def test_a_single_pair_has_zero_spread(con) -> None:
    steps = episode_steps(events_table(con, [("a", 0, "view", "web"), ("a", 5, "order", "web")]), EpisodeSettings())
    assert _profile(steps) == {("view@web", "order@web"): (5 * HOUR, 0.0)}


def test_deviations_flag_the_slow_instance(three_views) -> None:
    pairs = step_pairs(instances_of(three_views))
    deviations = temporal_deviations(pairs, temporal_profile(pairs), zeta=1.0)
    worst = deviating_instances(deviations).to_pandas()
    assert list(worst.journey_instance_id) == ["c:1"]
    assert worst.deviating_pairs[0] == 2 and (worst.source[0], worst.target[0]) == ("cart@web", "order@web")


def test_describe_counts_deviating_instances(three_views) -> None:
    pairs = step_pairs(instances_of(three_views))
    profile = temporal_profile(pairs)
    stats = describe_temporal(profile, temporal_deviations(pairs, profile, zeta=1.0), instances=3)
    assert stats["profiled_pairs"] == 3 and stats["pair_occurrences"] == 9
    assert stats["deviating_instances"] == 1 and stats["deviating_share"] == pytest.approx(1 / 3)


def _theirs(steps, zeta: float) -> tuple[dict, set]:
    log = pm4py_input(steps)
    profile = pm4py.discover_temporal_profile(log)
    cases = list(dict.fromkeys(log["case:concept:name"]))
    found = pm4py.conformance_temporal_profile(log, profile, zeta=zeta)
    return profile, {(case, a, b, round(d)) for case, devs in zip(cases, found, strict=True) for a, b, d, _ in devs}


def _ours(steps, zeta: float) -> tuple[dict, set]:
    pairs = step_pairs(instances_of(steps))
    profile = temporal_profile(pairs)
    found = temporal_deviations(pairs, profile, zeta=zeta).to_pandas()
    return _profile(steps), {(r.journey_instance_id, r.source, r.target, round(r.seconds)) for r in found.itertuples()}


def test_agrees_with_pm4py_on_ties(tied) -> None:
    (ours, ours_dev), (theirs, theirs_dev) = _ours(tied, 0.5), _theirs(tied, 0.5)
    assert _close(ours, theirs) and ours_dev == theirs_dev


@pytest.mark.slow
def test_agrees_with_pm4py_on_the_demo_log(con, tmp_path) -> None:
    paths = generate_demo_log(300, seed=5).write(tmp_path)
    steps = episode_steps(ingest_events(con, IngestSettings(), paths["events.csv"]).events, EpisodeSettings())
    (ours, ours_dev), (theirs, theirs_dev) = _ours(steps, 1.0), _theirs(steps, 1.0)
    assert len(ours) > 100 and _close(ours, theirs)
    assert len(ours_dev) > 50 and ours_dev == theirs_dev


def test_a_profile_per_journey_judges_each_instance_by_its_own_journey(con, three_views) -> None:
    from parcours.mining.temporal import label_instances

    assignments = con.create_table("assignments", pd.DataFrame(
        {"journey_instance_id": ["a:1", "b:1", "c:1"], "journey_id": [0, 0, 1]}), overwrite=True)
    pairs = step_pairs(label_instances(instances_of(three_views), assignments), by="journey_id")
    profile = temporal_profile(pairs, by="journey_id").to_pandas().set_index(["journey_id", "source", "target"])
    assert profile.loc[(0, "view@web", "order@web"), "mean_s"] == pytest.approx(4 * HOUR)
    assert profile.loc[(1, "view@web", "order@web"), ["mean_s", "std_s"]].tolist() == [22 * HOUR, 0]
    deviations = temporal_deviations(pairs, temporal_profile(pairs, by="journey_id"), zeta=1.0, by="journey_id")
    assert deviating_instances(deviations, by="journey_id").count().execute() == 0  # c is typical of its journey
