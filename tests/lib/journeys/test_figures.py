import pandas as pd

from parcours.journeys.figures import END, first_steps_sankey, journey_sizes_figure


def test_sizes_are_bars_largest_on_top_with_noise_apart() -> None:
    journeys = pd.DataFrame({"journey_id": [0, 1], "name": ["web order", "store visit"], "n_instances": [90, 10]})
    fig = journey_sizes_figure(journeys, noise_instances=5)
    assert list(fig.data[0].x) == [5] and list(fig.data[1].y) == ["1: store visit", "0: web order"]


def test_sankey_flows_add_up_per_step() -> None:
    variants = pd.DataFrame({"variant": ["a@web → b@web → c@web", "a@web → b@web", "a@web → c@web"],
                             "count": [5, 3, 2]})
    sankey = first_steps_sankey(variants, steps=3).data[0]
    labels = list(sankey.node.label)
    flows = {(labels[s], labels[t]): v for s, t, v in zip(sankey.link.source, sankey.link.target, sankey.link.value,
                                                         strict=True)}
    assert flows == {("1. web a", "2. web b"): 8, ("2. web b", "3. web c"): 5, ("2. web b", f"3. {END}"): 3,
                     ("1. web a", "2. web c"): 2, ("2. web c", f"3. {END}"): 2}
