import dagster as dg
import pandas as pd
import pytest

from parcours.synthetic.purchases import PurchaseProcess, simulate_purchases
from parcours_pipelines.definitions import defs

KEEP = {"event_log", "event_quarantine", "ingest_summary", "log_profile", "customer_value", "customer_value_holdout"}


@pytest.fixture(scope="module")
def purchases_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("purchases") / "purchases.csv"
    log = simulate_purchases(1_500, PurchaseProcess(r=0.3, alpha=12.0), calibration_weeks=104, total_weeks=130,
                             seed=4)
    log[["customer_id", "ts", "activity", "channel", "revenue"]].to_csv(path, index=False)
    return path


def test_customer_value_writes_its_files_passes_its_checks_and_registers_the_model(purchases_csv, run_resources,
                                                                                   tmp_path) -> None:
    definitions = defs()
    assets = [a for a in definitions.assets if {k.to_user_string() for k in a.keys} <= KEEP]
    checks = [c for c in definitions.asset_checks if {k.asset_key.to_user_string() for k in c.check_keys} <= KEEP]
    resources = run_resources([f"ingest.path={purchases_csv}", "value.landmark=2025-12-29"])
    result = dg.materialize([*assets, *checks], resources=resources)
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations["customer_value_is_one_sane_row_per_buyer"]
    assert evaluations["customer_value_holdout_error_is_small"]
    values = pd.read_csv(tmp_path / "out" / "customer_value.csv")
    assert {"customer_id", "frequency", "recency", "T", "monetary", "p_alive", "expected_purchases", "clv",
            "clv_low", "clv_high"} <= set(values.columns) and len(values) == 1_500
    holdout = pd.read_csv(tmp_path / "out" / "customer_value_holdout.csv")
    assert {"predicted_purchases", "actual_purchases", "purchases_error"} <= set(holdout.columns)
    metadata = {e.asset_key.to_user_string(): e.event_specific_data.materialization.metadata
                for e in result.get_asset_materialization_events()}
    assert metadata["customer_value"]["clv_model_version"].value == "1"
    assert "7+" in metadata["customer_value_holdout"]["by_frequency"].value
    assert metadata["customer_value_holdout"]["chart"].value.startswith("![holdout: actual against predicted")
