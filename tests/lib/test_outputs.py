import json

import pandas as pd
import pytest

from parcours.outputs import RunOutputs, RunOutputsNotFoundError


@pytest.fixture
def run_folder(tmp_path):
    (tmp_path / "ingest_summary.json").write_text(json.dumps({"rows_in": 3}))
    (tmp_path / "journeys.csv").write_text("\ufeffjourney_id,name\n0,'=HYPERLINK(x)\n", encoding="utf-8")
    pd.DataFrame({"customer_id": ["a"]}).to_parquet(tmp_path / "event_log.parquet")
    return tmp_path


def test_a_folder_without_a_finished_run_says_what_to_run(tmp_path) -> None:
    with pytest.raises(RunOutputsNotFoundError, match="run `make demo`"):
        RunOutputs(tmp_path)


def test_outputs_read_by_asset_or_file_as_the_pipeline_wrote_them(run_folder) -> None:
    outputs = RunOutputs(run_folder)
    assert outputs["journeys"].name.tolist() == ["=HYPERLINK(x)"]  # the spreadsheet escape undone
    assert outputs["journeys.csv"].equals(outputs["journeys"])
    assert outputs["event_log"].customer_id.tolist() == ["a"] and outputs["ingest_summary"] == {"rows_in": 3}


def test_an_output_the_run_did_not_write_is_named(run_folder) -> None:
    with pytest.raises(RunOutputsNotFoundError, match="customer_value.csv"):
        RunOutputs(run_folder)["customer_value"]
    assert not RunOutputs(run_folder).files().set_index("file").written["customer_value.csv"]


def test_metrics_are_empty_without_run_statistics(run_folder) -> None:
    assert RunOutputs(run_folder).metrics("value.").empty
