import pandas as pd

from parcours.report.diagrams import inline_svg, journey_paths, path_graph, process_map_svg, step_flow_figure

PATHS = pd.DataFrame({"journey_id": [0, 0], "variant": ["a@web → b@web → c@web", "a@web → c@web"],
                      "count": [3, 2], "instances": [6, 6]})


def test_paths_are_counted_per_journey_noise_left_out(con) -> None:
    instances = con.create_table("instances", pd.DataFrame({
        "customer_id": ["c1", "c1", "c2", "c3"], "journey_instance_id": ["c1-0", "c1-1", "c2-0", "c3-0"],
        "tokens": [["a", "b"], ["a", "b"], ["a"], ["x"]]}))
    assignments = con.create_table("assignments", pd.DataFrame({
        "customer_id": ["c1", "c1", "c2", "c3"], "journey_instance_id": ["c1-0", "c1-1", "c2-0", "c3-0"],
        "journey_id": [0, 0, 0, -1]}))
    paths = journey_paths(instances, assignments, top=1)
    assert paths.to_dict("records") == [{"journey_id": 0, "variant": "a → b", "count": 2, "customers": 1,
                                         "instances": 3}]


def test_paths_below_the_privacy_floor_are_left_out_but_still_counted_in_the_total(con) -> None:
    ids = [f"c{i}" for i in range(6)]
    instances = con.create_table("floor_instances", pd.DataFrame({
        "customer_id": [*ids, "lone"], "journey_instance_id": [f"{c}-0" for c in [*ids, "lone"]],
        "tokens": [["a", "b"]] * 6 + [["a", "z"]]}))
    assignments = con.create_table("floor_assignments", instances.select(
        "customer_id", "journey_instance_id").to_pandas().assign(journey_id=0))
    paths = journey_paths(instances, assignments, top=10, min_customers=5)
    assert paths.variant.tolist() == ["a → b"] and paths.instances.tolist() == [7]
    assert path_graph(paths)["count"].min() >= 5


def test_the_path_graph_weights_each_move_by_its_path_count() -> None:
    graph = path_graph(PATHS).set_index(["kind", "source", "target"])["count"].to_dict()
    assert graph == {("start", "[start]", "a@web"): 5, ("follows", "a@web", "b@web"): 3,
                     ("follows", "b@web", "c@web"): 3, ("follows", "a@web", "c@web"): 2, ("end", "c@web", "[end]"): 5}


def test_the_process_map_is_inline_svg() -> None:
    svg = process_map_svg(PATHS, edges=10)
    assert svg.startswith("<svg ") and "<?xml" not in svg and "DOCTYPE" not in svg


def test_the_step_flow_follows_every_instance() -> None:
    sankey = step_flow_figure(PATHS, steps=3).data[0]
    assert sum(v for s, v in zip(sankey.link.source, sankey.link.value, strict=True) if s == 0) == 5


def test_a_document_without_svg_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="not an SVG document"):
        inline_svg("<html></html>")
