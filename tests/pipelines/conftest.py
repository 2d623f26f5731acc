from pathlib import Path

import pytest

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
