import pandas as pd

from parcours.impact.figures import effect_status, forest_figure, forest_png, overlap_figure

PNG = b"\x89PNG"


def test_forest_plot_shows_every_estimated_journey_by_status(small_impact) -> None:
    figure = forest_figure(small_impact.table)
    shown = {label for trace in figure.data if trace.name != "naive difference" for label in trace.y}
    assert len(shown) == small_impact.table.effect.notna().sum()
    assert {trace.name for trace in figure.data} >= {"finding", "naive difference"}


def test_a_failed_check_is_never_drawn_as_a_finding() -> None:
    table = pd.DataFrame({"finding": [True, False, False], "overlap_ok": [True, False, True],
                          "refutation_ok": [True, True, True]})
    assert effect_status(table).tolist() == ["finding", "checks failed", "not significant"]


def test_forest_png_is_drawn_even_without_estimates(small_impact) -> None:
    assert forest_png(small_impact.table).startswith(PNG)
    assert forest_png(small_impact.table[small_impact.table.effect.isna()]).startswith(PNG)


def test_overlap_figure_compares_treated_and_others(small_impact) -> None:
    figure = overlap_figure(small_impact.propensities, small_impact.treated, 0, "web_to_store")
    assert [trace.name for trace in figure.data] == ["in the journey", "the others"]
    assert len(figure.data[0].x) == small_impact.treated[0].sum()
