"""The report group in the Dagster graph: the ranking and the report on the shared demo run, drift between runs."""

import shutil

import dagster as dg
import pandas as pd
import pytest

from parcours_pipelines.definitions import defs
from parcours_pipelines.resources import EngineResource, build_resources
from tests.money_figures import assert_money_adds_up, card_sentences, ranked_rows

pytestmark = pytest.mark.slow

DRIFT = ("journey_sizes_are_stable_between_runs", "journey_effects_are_stable_between_runs")


def test_the_ranking_lists_every_journey_once_proven_first(demo_run) -> None:
    ranking = pd.read_csv(demo_run.out / "journey_ranking.csv")
    journeys = pd.read_csv(demo_run.out / "journeys.csv")
    assert sorted(ranking.journey_id) == sorted(journeys.journey_id) and ranking["rank"].tolist() == \
        list(range(1, len(ranking) + 1))
    order = ranking.status.map({"proven gain": 0, "proven loss": 0, "no clear effect": 1, "not measured": 2})
    assert order.notna().all() and order.is_monotonic_increasing and order.eq(0).any()


def test_every_money_figure_of_the_demo_report_adds_up(demo_run) -> None:
    html = (demo_run.out / "report.html").read_text()
    assert_money_adds_up(html)
    assert ranked_rows(html) and card_sentences(html)  # the demo has proven effects, and cards that state them


def test_the_ranking_and_the_impact_table_agree_on_every_state(demo_run) -> None:
    ranking = pd.read_csv(demo_run.out / "journey_ranking.csv").set_index("journey_id")
    impact = pd.read_csv(demo_run.out / "journey_impact.csv").set_index("journey_id")
    assert (ranking.status == impact.status.reindex(ranking.index)).all()


def test_the_report_is_written_and_the_first_run_skips_its_drift_checks(demo_run) -> None:
    assert (demo_run.out / "report.html").read_text().startswith("<!DOCTYPE html>")
    checks = {e.check_name: e for e in demo_run.result.get_asset_check_evaluations()}
    assert not set(DRIFT) & set(checks)  # not run: Dagster shows them skipped, never passed
    materialization = demo_run.result.asset_materializations_for_node("journey_ranking")[0]
    assert materialization.metadata["drift"].value == "skipped: no earlier run to compare with"
    assert checks["journey_ranking_is_one_row_per_journey_in_its_state"].passed
    assert checks["journey_report_figures_add_up"].passed


@pytest.fixture
def rerun(demo_run, tmp_path):
    """Materialise ``journey_ranking`` on a copy of the demo's outputs, on one instance, after an edit of them."""
    out = tmp_path / "out"
    shutil.copytree(demo_run.out, out)
    instance = dg.DagsterInstance.ephemeral()
    definitions = defs()

    def materialise(edit=None) -> dict[str, dg.AssetCheckEvaluation]:
        if edit:
            edit(out)
        result = dg.materialize([*definitions.assets, *definitions.asset_checks], selection="journey_ranking",
                                instance=instance, resources=build_resources(home=tmp_path / "home", out_dir=out))
        EngineResource.close_all()
        return {e.check_name: e for e in result.get_asset_check_evaluations()}
    materialise.instance = instance
    return materialise


def _grow_the_top_journey(out) -> None:
    journeys = pd.read_csv(out / "journeys.csv")
    top = pd.read_csv(out / "journey_ranking.csv").journey_id.iloc[0]
    journeys.loc[journeys.journey_id == top, "n_customers"] *= 2
    journeys.to_csv(out / "journeys.csv", index=False)


def _move_the_top_effect(out) -> None:
    impact = pd.read_csv(out / "journey_impact.csv")
    top = pd.read_csv(out / "journey_ranking.csv").journey_id.iloc[0]
    impact.loc[impact.journey_id == top, "effect"] += 10 * impact.loc[impact.journey_id == top, "std_error"]
    impact.to_csv(out / "journey_impact.csv", index=False)


def test_a_first_run_records_its_drift_checks_as_skipped(rerun) -> None:
    rerun()
    key = dg.AssetCheckKey(dg.AssetKey("journey_ranking"), DRIFT[0])
    record = rerun.instance.event_log_storage.get_asset_check_execution_history(key, limit=1)[0]
    assert record.status.value == "PLANNED"  # planned, never run, in a run that succeeded: the UI says skipped


def test_a_rerun_on_the_same_outputs_does_not_warn(rerun) -> None:
    rerun()
    second = rerun()
    assert all(second[name].passed for name in DRIFT)


def test_a_journey_that_doubled_warns_about_its_size_only(rerun) -> None:
    rerun()
    checks = rerun(_grow_the_top_journey)
    assert not checks[DRIFT[0]].passed and checks[DRIFT[0]].severity == dg.AssetCheckSeverity.WARN
    assert checks[DRIFT[0]].metadata["journeys_drifted"].value == 1 and checks[DRIFT[1]].passed


def test_an_effect_that_moved_ten_standard_errors_warns(rerun) -> None:
    rerun()
    checks = rerun(_move_the_top_effect)
    assert not checks[DRIFT[1]].passed and checks[DRIFT[1]].metadata["journeys_drifted"].value == 1
