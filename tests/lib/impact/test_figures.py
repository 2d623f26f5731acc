import pytest

from parcours.impact.figures import forest_figure, forest_png, overlap_figure

pytestmark = pytest.mark.slow  # statistical: drawn from an estimated impact (small_impact)

PNG = b"\x89PNG"


def test_forest_plot_shows_every_estimated_journey_by_status(small_impact) -> None:
    figure = forest_figure(small_impact.table)
    shown = {label for trace in figure.data if trace.name != "naive difference" for label in trace.y}
    assert len(shown) == small_impact.table.effect.notna().sum()
    assert "naive difference" in {trace.name for trace in figure.data}
    assert {trace.name for trace in figure.data} - {"naive difference"} == set(
        small_impact.table.status[small_impact.table.effect.notna()])


def test_forest_png_is_drawn_even_without_estimates(small_impact) -> None:
    assert forest_png(small_impact.table).startswith(PNG)
    assert forest_png(small_impact.table[small_impact.table.effect.isna()]).startswith(PNG)


def test_overlap_figure_compares_treated_and_others(small_impact) -> None:
    figure = overlap_figure(small_impact.propensities, small_impact.treated, 0, "web_to_store")
    assert [trace.name for trace in figure.data] == ["in the journey", "the others"]
    assert len(figure.data[0].x) == small_impact.treated[0].sum()
