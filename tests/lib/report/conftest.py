"""The report's five-journey world (:mod:`tests.report_world`) as fixtures, and the report rendered from it."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from parcours.paths import conf_dir
from parcours.report import ReportInputs, rank_journeys, render_report
from parcours.settings import load_settings
from tests import report_world as world


@pytest.fixture
def journeys() -> pd.DataFrame:
    return world.journeys()


@pytest.fixture
def impact() -> pd.DataFrame:
    return world.impact()


@pytest.fixture
def timing() -> pd.DataFrame:
    return world.timing()


@pytest.fixture
def rules() -> pd.DataFrame:
    return world.rules()


@pytest.fixture
def ranking(journeys, impact, timing, rules) -> pd.DataFrame:
    return rank_journeys(journeys, impact, timing, rules)


@pytest.fixture
def paths() -> pd.DataFrame:
    return world.paths()


def render_with(ranking, paths, rules, impact, **overrides) -> str:
    settings = load_settings(conf_dir(), {f"report.{k}": v for k, v in overrides.items()})
    return render_report(ReportInputs(ranking, paths, rules, impact, {"events": 1234, "customers": 99}), settings,
                         generated_at=datetime(2026, 11, 23, tzinfo=UTC))


@pytest.fixture
def html(ranking, paths, rules, impact) -> str:
    return render_with(ranking, paths, rules, impact)
