import pm4py
import pytest

from parcours.ingest import ingest_events
from parcours.instances import episode_steps, journey_instances
from parcours.mining import END, START, directly_follows, filter_variants, variants
from parcours.settings import EpisodeSettings, IngestSettings
from parcours.synthetic import generate_demo_log
from tests.lib.mining.conftest import events_table, instances_of, pm4py_input


def _ours(steps):
    graph = directly_follows(instances_of(steps)).to_pandas()
    by_kind = {k: g for k, g in graph.groupby("kind")}
    dfg = {(r.source, r.target): r["count"] for _, r in by_kind["follows"].iterrows()}
    starts = dict(zip(by_kind["start"].target, by_kind["start"]["count"], strict=True))
    ends = dict(zip(by_kind["end"].source, by_kind["end"]["count"], strict=True))
    return dfg, starts, ends


def _pm4py(steps):
    return pm4py.discover_dfg(pm4py_input(steps))


def test_hand_built_log_gives_the_exact_edges(tied) -> None:
    dfg, starts, ends = _ours(tied)
    assert dfg == {("view@web", "cart@web"): 1, ("cart@web", "order@web"): 1, ("order@web", "visit@store"): 1,
                   ("order@store", "visit@store"): 1, ("visit@store", "review@web"): 1}
    assert starts == {"view@web": 2, "order@store": 1, "view@app": 1}
    assert ends == {"visit@store": 1, "review@web": 1, "view@app": 1, "view@web": 1}


def test_hand_built_log_agrees_with_pm4py_including_ties(tied) -> None:
    assert _ours(tied) == tuple(dict(d) for d in _pm4py(tied))


@pytest.fixture
def demo_events(con, tmp_path):
    paths = generate_demo_log(800, seed=4).write(tmp_path)
    return ingest_events(con, IngestSettings(), paths["events.csv"]).events


@pytest.mark.slow
def test_demo_log_agrees_with_pm4py(demo_events) -> None:
    steps = episode_steps(demo_events, EpisodeSettings())
    ours, theirs = _ours(steps), tuple(dict(d) for d in _pm4py(steps))
    assert len(ours[0]) > 50 and ours == theirs


@pytest.mark.slow
def test_demo_log_variants_agree_with_pm4py(demo_events) -> None:
    ours = variants(journey_instances(demo_events, EpisodeSettings())).to_pandas()
    theirs = pm4py.get_variants(pm4py_input(episode_steps(demo_events, EpisodeSettings())))
    assert len(ours) > 100
    assert dict(zip(ours.variant, ours["count"], strict=True)) == {" → ".join(k): v for k, v in theirs.items()}


def test_edge_statistics(con) -> None:
    rows = [("a", 0, "view", "web"), ("a", 2, "order", "web"), ("b", 0, "view", "web"), ("b", 4, "order", "web"),
            ("b", 5, "view", "web"), ("b", 11, "order", "web")]
    graph = directly_follows(journey_instances(events_table(con, rows), EpisodeSettings())).to_pandas()
    edge = graph[(graph.source == "view@web") & (graph.target == "order@web")].iloc[0]
    assert (edge["count"], edge.customers) == (3, 2)
    assert edge.median_s == 4 * 3600 and edge.p90_s == pytest.approx((4 + 0.8 * 2) * 3600)
    outgoing = graph[graph.source == "order@web"].set_index("target").share
    assert outgoing.to_dict() == {"view@web": pytest.approx(1 / 3), END: pytest.approx(2 / 3)}


def test_collapsed_repeats_are_not_edges(con) -> None:
    rows = [("a", 0, "view", "web"), ("a", 1, "view", "web"), ("a", 2, "order", "web")]
    graph = directly_follows(journey_instances(events_table(con, rows), EpisodeSettings(collapse_repeats=True)))
    graph = graph.to_pandas()
    assert set(zip(graph.source, graph.target, strict=True)) == {(START, "view@web"), ("view@web", "order@web"),
                                                                 ("order@web", END)}


def test_variants_agree_with_pm4py(tied) -> None:
    ours = variants(instances_of(tied)).to_pandas()
    theirs = pm4py.get_variants(pm4py_input(tied))
    assert dict(zip(ours.variant, ours["count"], strict=True)) == {" → ".join(k): v for k, v in theirs.items()}


def test_variants_are_ranked_with_a_coverage_curve(con) -> None:
    rows = [(c, 0, "view", "web") for c in "abc"] + [("a", 1, "order", "web"), ("b", 1, "order", "web"),
                                                      ("d", 0, "cart", "app")]
    table = variants(journey_instances(events_table(con, rows), EpisodeSettings())).to_pandas()
    assert table.variant.tolist() == ["view@web → order@web", "cart@app", "view@web"]
    assert table["count"].tolist() == [2, 1, 1] and table.cum_share.tolist() == [0.5, 0.75, 1.0]
    assert table["rank"].tolist() == [1, 2, 3]


def test_variant_filters(con) -> None:
    rows = [(c, 0, "view", "web") for c in "abc"] + [("a", 1, "order", "web"), ("b", 1, "order", "web"),
                                                      ("d", 0, "cart", "app")]
    table = variants(journey_instances(events_table(con, rows), EpisodeSettings()))
    assert filter_variants(table, top_k=1).count().to_pyarrow().as_py() == 1
    assert filter_variants(table, coverage=0.5).variant.to_pandas().tolist() == ["view@web → order@web"]
    assert filter_variants(table, coverage=0.6).count().to_pyarrow().as_py() == 2
