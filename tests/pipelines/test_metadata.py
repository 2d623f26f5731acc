import io
import math

import dagster as dg
import pandas as pd
from PIL import Image

from parcours_pipelines.metadata import PANEL_WIDTH, fit_to_panel, numbers, table_metadata, table_value


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, format="PNG")
    return out.getvalue()


def test_counts_are_integers_flags_booleans_and_nan_is_left_out() -> None:
    shown = numbers({"holdout_customers": 386.0, "purchases_hessian_positive_definite": 0.0, "coverage": 1.0,
                     "silhouette": math.nan, "landmark": "2025-04-27"})
    assert shown == {"holdout_customers": 386, "purchases_hessian_positive_definite": False, "coverage": 1.0,
                     "landmark": "2025-04-27"}
    assert type(shown["holdout_customers"]) is int and type(shown["coverage"]) is float


def test_a_count_that_is_not_whole_stays_a_decimal() -> None:
    assert numbers({"customers": 2.5}) == {"customers": 2.5}


def test_table_value_is_typed_rounded_and_has_no_nan() -> None:
    frame = pd.DataFrame({"journey_id": [1, 2], "effect": [12.345678, math.nan], "finding": [True, False],
                          "tokens": [["a", "b"], ["c"]]})
    value = table_value(frame, "journey_impact")
    kinds = {c.name: c.type for c in value.schema.columns}
    assert kinds == {"journey_id": "int", "effect": "float", "finding": "bool", "tokens": "string"}
    assert [r.data for r in value.records] == [
        {"journey_id": 1, "effect": 12.35, "finding": True, "tokens": "a → b"},
        {"journey_id": 2, "effect": None, "finding": False, "tokens": "c"}]


def test_table_columns_take_their_descriptions_from_the_catalogue() -> None:
    metadata = table_metadata(pd.DataFrame({"kind": ["start"], "unlisted": [1]}), "process_map")
    described = {c.name: c.description for c in metadata["dagster/column_schema"].columns}
    assert described == {"kind": "The kind of edge: start, follows or end.", "unlisted": None}
    assert isinstance(metadata["preview"], dg.TableMetadataValue) and metadata["dagster/row_count"] == 1


def test_a_wide_figure_is_scaled_to_the_panel_and_a_narrow_one_is_kept() -> None:
    with Image.open(io.BytesIO(fit_to_panel(_png(2_283, 544)))) as picture:
        assert picture.size == (PANEL_WIDTH, round(544 * PANEL_WIDTH / 2_283))
    narrow = _png(400, 300)
    assert fit_to_panel(narrow) == narrow
