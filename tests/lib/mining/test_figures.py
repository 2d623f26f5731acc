import pandas as pd
import plotly.graph_objects as go
import pytest

from parcours.instances import journey_instances
from parcours.mining import END, START, directly_follows, variants
from parcours.mining.figures import (
    OTHER,
    draw_model,
    draw_process_map,
    fold_process_map,
    human_duration,
    process_map_graph,
)
from parcours.mining.models import discover_process_model
from parcours.settings import EpisodeSettings
from tests.lib.mining.conftest import events_table


@pytest.fixture
def graph(con) -> pd.DataFrame:
    """Five customers: a main path view → order, and rarer moves through cart, email and store."""
    rows = [("a", 0, "view", "web"), ("a", 1, "order", "web"), ("b", 0, "view", "web"), ("b", 2, "order", "web"),
            ("c", 0, "view", "web"), ("c", 1, "cart", "web"), ("c", 2, "order", "web"),
            ("d", 0, "email", "email"), ("d", 1, "view", "web"), ("d", 3, "order", "web"),
            ("e", 0, "view", "web"), ("e", 1, "visit", "store")]
    return directly_follows(journey_instances(events_table(con, rows), EpisodeSettings())).to_pandas()


def _flow(table: pd.DataFrame, token: str) -> tuple[int, int]:
    return int(table[table.target == token]["count"].sum()), int(table[table.source == token]["count"].sum())


def test_fold_keeps_the_most_frequent_edges_unfolded(graph) -> None:
    folded = fold_process_map(graph, top_edges=3)
    kept = folded[~folded.folded]
    assert set(zip(kept.source, kept.target, strict=True)) == {
        ("view@web", "order@web"), (START, "view@web"), ("order@web", END)}


def test_fold_preserves_the_flow_through_every_kept_token(graph) -> None:
    folded = fold_process_map(graph, top_edges=3)
    for token in ("view@web", "order@web", START, END):
        assert _flow(folded, token) == _flow(graph, token)


def test_no_edge_fewer_customers_take_is_drawn_on_its_own(graph) -> None:
    folded = fold_process_map(graph, top_edges=50, min_customers=4)
    customers = graph.set_index(["source", "target"]).customers
    kept = folded[~folded.folded]
    assert len(kept) and all(customers[(s, t)] >= 4 for s, t in zip(kept.source, kept.target, strict=True))
    assert "cart@web" not in set(folded.source) | set(folded.target)


def test_fold_routes_the_rest_through_other(graph) -> None:
    folded = fold_process_map(graph, top_edges=3).set_index(["source", "target"])["count"]
    assert folded[("view@web", OTHER)] == 2 and folded[(OTHER, "order@web")] == 1
    assert "cart@web" not in set(folded.index.get_level_values(0))


def test_keeping_every_edge_folds_nothing(graph) -> None:
    folded = fold_process_map(graph, top_edges=len(graph))
    assert not folded.folded.any() and len(folded) == len(graph)


def test_map_writes_folded_flow_in_the_token_box(graph) -> None:
    source = process_map_graph(fold_process_map(graph, top_edges=3)).source
    assert "view\nweb\nother: in 1 · out 2" in source and "order\nweb\nother: in 1 · out 0" in source


def test_draw_process_map_renders_svg_png_and_an_interactive_figure(graph) -> None:
    picture = draw_process_map(graph, edges=3)
    assert b"<svg" in picture["svg"] and picture["png"].startswith(b"\x89PNG")
    assert isinstance(picture["figure"], go.Figure)
    token_other = picture["folded"].source.isin(["view@web", "order@web"]) & (picture["folded"].target == OTHER) | (
        picture["folded"].target.isin(["view@web", "order@web"]) & (picture["folded"].source == OTHER))
    assert len(picture["figure"].layout.annotations) == (~token_other).sum() == 5  # those are written, not drawn


def test_draw_model_renders_bpmn_and_petri_net(con) -> None:
    rows = [(c, h, a, "web") for c in "abc" for h, a in enumerate(["view", "cart", "order"])]
    table = variants(_instances(con, rows)).to_pandas()
    pictures = draw_model(discover_process_model(table, noise_threshold=0.0))
    assert b"view@web" in pictures["bpmn.svg"] and b"<svg" in pictures["petri_net.svg"]


def _instances(con, rows):

    return journey_instances(events_table(con, rows), EpisodeSettings())


@pytest.mark.parametrize(("seconds", "text"), [(None, ""), (42, "42 s"), (90, "1.5 min"), (5400, "1.5 h"),
                                               (129_600, "1.5 d")])
def test_human_duration(seconds, text) -> None:
    shown = human_duration(seconds)
    assert shown == text
