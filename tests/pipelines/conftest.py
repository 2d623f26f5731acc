import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from parcours.synthetic import generate_demo_log
from parcours.synthetic.journeys import is_window_journey
from parcours_pipelines.definitions import defs
from parcours_pipelines.resources import EngineResource, build_resources

SHOP = """user,ts,action,touchpoint,revenue
u1,2024-03-01T10:00:00Z,view_item,web,
u1,2024-03-01 12:00:00+02:00,view_item,web,
u1,2024-03-01T11:30:00+01:00,order,web,49.90
,2024-03-01T12:00:00Z,view_item,app,
u2,31/02/2024,view_item,app,
u2,2024-03-02T09:00:00-05:00,store_visit,store,
u2,2024-03-02T14:00:00Z,order,store,120.00
u2,2024-03-02T14:00:00Z,order,store,120.00
u2,2024-05-02T14:00:00Z,view_item,web,
u3,2024-03-05 08:00:00,complaint,phone,
u3,2024-03-05T09:00:00Z,order,web,abc
"""
SHOP_COLUMNS = ["ingest.columns.customer_id=user", "ingest.columns.activity=action",
                "ingest.columns.channel=touchpoint"]


@pytest.fixture
def shop_csv(tmp_path: Path) -> Path:
    path = tmp_path / "shop.csv"
    path.write_text(SHOP)
    return path


@pytest.fixture
def run_resources(tmp_home: Path, tmp_path: Path):
    """Resources on temporary folders; returns a builder taking the overrides."""

    def build(overrides: list[str]) -> dict:
        return build_resources(home=tmp_home, out_dir=tmp_path / "out", overrides=overrides)

    yield build
    EngineResource.close_all()


@dataclass
class DemoRun:
    """The whole graph materialised through Dagster on a demo log: the result, the output folder, the log's files."""

    result: dg.ExecuteInProcessResult
    out: Path
    files: dict[str, Path]


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    """Every asset and check on a 3,000-customer demo log (seed 5), once per session (slow tests share it)."""
    root = tmp_path_factory.mktemp("demo_run")
    files = generate_demo_log(3_000, seed=5).write(root / "demo")
    before = dict(os.environ)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PARCOURS_HOME", str(root / "home"))
        patch.setenv("DAGSTER_HOME", str(root / "home" / "dagster"))
        resources = build_resources(home=root / "home", out_dir=root / "out",
                                    overrides=[f"ingest.path={files['events.csv']}",
                                               f"ingest.identity.path={files['identities.csv']}"])
        result = dg.materialize([*defs().assets, *defs().asset_checks], resources=resources)
    for key in [k for k in os.environ if k.startswith("MLFLOW_") and k not in before]:
        del os.environ[key]  # MLflow records its store in the environment: keep it from the other tests
    EngineResource.close_all()
    return DemoRun(result, root / "out", files)


#: What an instance truly is when it is no customer's window journey: one of the background orders around it.
BACKGROUND = "background"


def labelled_assignments(out, demo_files) -> pd.DataFrame:
    """Every instance's discovered journey and what it truly is (``truly``): for the customer's window journey,
    their planted journey (``none``: browsing); for the orders around it, :data:`BACKGROUND`."""
    truth = pd.read_csv(demo_files["customers_truth.csv"],
                        usecols=["customer_id", "planted_journey", "window_first", "window_last"])
    instances = pd.read_parquet(out / "journey_instances.parquet",
                                columns=["customer_id", "journey_instance_id", "start_ts"])
    window = instances.journey_instance_id[is_window_journey(instances, truth)]
    assignments = pd.read_csv(out / "journey_assignments.csv").merge(truth, on="customer_id")
    return assignments.assign(truly=assignments.planted_journey.where(
        assignments.journey_instance_id.isin(window), BACKGROUND))


def window_assignments(out, demo_files) -> pd.DataFrame:
    """The customers' window journeys (planted or browsing) with their discovered journey and planted one."""
    labelled = labelled_assignments(out, demo_files)
    return labelled[labelled.truly != BACKGROUND]


def table_column(value: dg.TableMetadataValue, column: str) -> list:
    """One column of a Dagster table metadata value, in row order."""
    return [record.data.get(column) for record in value.records]
