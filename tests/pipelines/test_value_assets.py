import dagster as dg
import mlflow
import pandas as pd
import pytest

from parcours.synthetic.purchases import PurchaseProcess, simulate_purchases
from parcours.tracking.value import CLV_MODEL
from parcours_pipelines.definitions import defs
from tests.pipelines.conftest import table_column

pytestmark = pytest.mark.slow  # the value assets materialised with their model fits

KEEP = {"event_log", "event_quarantine", "ingest_summary", "log_profile", "customer_value", "customer_value_holdout"}


def _purchases_csv(folder, process: PurchaseProcess, customers: int = 1_500):
    path = folder / "purchases.csv"
    log = simulate_purchases(customers, process, calibration_weeks=104, total_weeks=130, seed=4)
    log[["customer_id", "ts", "activity", "channel", "revenue"]].to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def purchases_csv(tmp_path_factory):
    return _purchases_csv(tmp_path_factory.mktemp("purchases"), PurchaseProcess(r=0.3, alpha=12.0))


def _value_run(resources) -> dg.ExecuteInProcessResult:
    definitions = defs()
    assets = [a for a in definitions.assets if {k.to_user_string() for k in a.keys} <= KEEP]
    checks = [c for c in definitions.asset_checks if {k.asset_key.to_user_string() for k in c.check_keys} <= KEEP]
    return dg.materialize([*assets, *checks], resources=resources)


def test_customer_value_writes_its_files_passes_its_checks_and_registers_the_model(purchases_csv, run_resources,
                                                                                   tmp_path) -> None:
    resources = run_resources([f"ingest.path={purchases_csv}", "value.landmark=2025-12-29"])
    result = _value_run(resources)
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations["customer_value_is_one_sane_row_per_buyer"]
    assert evaluations["customer_value_holdout_error_is_small"]
    assert evaluations["customer_value_model_is_healthy"]
    assert _registry(resources).get_model_version_by_alias(CLV_MODEL, "candidate").version == 1
    values = pd.read_csv(tmp_path / "out" / "customer_value.csv")
    assert {"customer_id", "frequency", "recency", "T", "monetary", "p_alive", "expected_purchases", "clv",
            "clv_low", "clv_high"} <= set(values.columns) and len(values) == 1_500
    holdout = pd.read_csv(tmp_path / "out" / "customer_value_holdout.csv")
    assert {"predicted_purchases", "actual_purchases", "purchases_error"} <= set(holdout.columns)
    metadata = {e.asset_key.to_user_string(): e.event_specific_data.materialization.metadata
                for e in result.get_asset_materialization_events()}
    assert metadata["customer_value"]["clv_model_version"].value == "1"
    assert "7+" in table_column(metadata["customer_value_holdout"]["by_frequency"], "label")
    assert metadata["customer_value_holdout"]["chart"].value.startswith("![holdout: actual against predicted")


def test_a_degenerate_value_model_fails_its_health_check_and_is_not_a_candidate(tmp_path, run_resources) -> None:
    never_lapsing = PurchaseProcess(r=0.3, alpha=12.0, a=1e-3, b=1e3)  # the dropout has nothing to fit: it goes to 0
    resources = run_resources([f"ingest.path={_purchases_csv(tmp_path, never_lapsing, 3_000)}",
                               "value.landmark=2025-12-29", "value.fallbacks=false"])
    result = _value_run(resources)
    check = next(e for e in result.get_asset_check_evaluations() if e.check_name == "customer_value_model_is_healthy")
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN  # the run goes on; the gate is the alias
    assert "phi_dropout" in check.metadata["health"].value and "at the edge of its range" in check.metadata["health"].value
    registry = _registry(resources)
    version = registry.get_model_version(CLV_MODEL, "1")  # registered, for inspection
    assert version.tags["healthy"] == "false" and version.aliases == []
    with pytest.raises(mlflow.exceptions.MlflowException):
        registry.get_model_version_by_alias(CLV_MODEL, "candidate")


def _registry(resources) -> mlflow.MlflowClient:
    return mlflow.MlflowClient(tracking_uri=resources["mlflow"].tracking_uri)


@pytest.mark.slow
def test_the_demo_value_model_is_healthy_and_a_candidate(demo_run) -> None:
    """The demo's story is one a purchase model can fit (customers keep buying between the periods, and some
    stop): its model passes its health check and its holdout, and is offered as the candidate."""
    evaluations = {e.check_name: e for e in demo_run.result.get_asset_check_evaluations()}
    assert evaluations["customer_value_model_is_healthy"].passed, evaluations["customer_value_model_is_healthy"]
    assert evaluations["customer_value_holdout_error_is_small"].passed
    metadata = {e.asset_key.to_user_string(): e.event_specific_data.materialization.metadata
                for e in demo_run.result.get_asset_materialization_events()}["customer_value"]
    assert metadata["clv_model_alias"].value == "candidate" and metadata["model_healthy"].value is True
