from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from parcours.settings import ValueSettings
from parcours.value.health import value_model_health
from tests.lib.value.conftest import LANDMARK, value_of

pytestmark = pytest.mark.slow  # statistical: purchase models fitted with pymc


def _health(value):
    return value_model_health(value, interval=0.9, max_holdout_error=0.15)


@pytest.fixture(scope="module")
def degenerate(never_lapsing_log):
    """BG/NBD alone on a log where nobody stops buying."""
    return value_of(never_lapsing_log, ValueSettings(landmark=LANDMARK, fallbacks=False))


@pytest.fixture(scope="module")
def rescued(never_lapsing_log):
    """The same log with the fallbacks the literature offers."""
    return value_of(never_lapsing_log)


def _made_up(values: pd.DataFrame | None = None, holdout: pd.DataFrame | None = None, **metrics):
    """A value result with healthy fits, changed where a test says so."""
    values = values if values is not None else pd.DataFrame({
        "frequency": [40_000.0], "p_alive": [0.8], "expected_purchases": [2.0], "expected_spend": [50.0],
        "clv": [100.0], "clv_low": [90.0], "clv_high": [110.0]})
    holdout = holdout if holdout is not None else pd.DataFrame({"predicted_purchases": [10.0],
                                                                "actual_purchases": [10.0]})
    fits = {"purchases_r": 0.3, "purchases_se_r_log__": 0.05, "purchases_hessian_positive_definite": 1.0,
            "spend_p": 6.0, "spend_se_p_log__": 0.1, "spend_hessian_positive_definite": 1.0}
    return SimpleNamespace(values=values, holdout=holdout, metrics=fits | metrics)


def test_a_fit_of_the_known_process_is_healthy(valued) -> None:
    assert valued.health.healthy, valued.health.summary()
    assert valued.metrics["model_healthy"] == 1.0


def test_a_degenerate_bgnbd_gives_way_to_the_first_fallback_that_is_not(rescued) -> None:
    assert rescued.params["purchase_model_used"] == "bgnbd_weakly_informative" and rescued.health.healthy
    tried = rescued.params["purchase_models_degenerate"]
    assert tried.startswith("BG/NBD: the purchase model's phi_dropout is") and "; MBG/NBD: " in tried
    assert 0.95 < rescued.values.p_alive.mean() < 1  # off the edge: a few customers may have stopped
    assert abs(rescued.metrics["holdout_purchases_error_share"]) < 0.15


def test_a_healthy_fit_keeps_the_configured_model(valued) -> None:
    assert valued.params["purchase_model_used"] == "bgnbd" and valued.params["purchase_models_degenerate"] == ""


def test_a_dropout_with_nothing_to_fit_is_caught_at_the_edge_and_undetermined(degenerate) -> None:
    health = degenerate.health
    assert not health.healthy and degenerate.metrics["model_healthy"] == 0.0
    assert "the purchase model's phi_dropout is" in health.summary() and "at the edge of its range" in health.summary()
    assert "the data do not determine the purchase model's phi_dropout" in health.summary()
    assert (degenerate.values.p_alive > 0.999).all()  # what the degenerate fit says: nobody ever stops buying


def test_a_maximum_that_is_not_one_is_caught() -> None:
    health = _health(_made_up(purchases_hessian_positive_definite=0.0))
    assert health.problems == ("the purchase model's fit is not a maximum of its posterior (its Hessian is not "
                               "positive definite), so its intervals mean nothing",)


def test_a_sampler_that_did_not_converge_is_caught() -> None:
    assert "R-hat 1.200" in _health(_made_up(spend_max_r_hat=1.2)).summary()
    assert "3 divergences" in _health(_made_up(spend_divergences=3.0)).summary()


def test_predictions_that_are_not_numbers_are_caught() -> None:
    values = _made_up().values.assign(clv_high=[np.inf])
    assert "1 customers have a prediction that is not a finite number" in _health(_made_up(values)).summary()


def test_intervals_narrower_than_the_purchases_allow_are_caught() -> None:
    # 40,000 repeat purchases: a 90% interval of at least 2 x 1.645 / 200 = 1.6% of the CLV
    fine, narrow = _made_up().values, _made_up().values.assign(clv_low=[99.5], clv_high=[100.5])
    assert _health(_made_up(fine)).healthy
    health = _health(_made_up(narrow))
    assert "median width 1.0% of the CLV; at least 1.6%" in health.summary()
    assert health.measures["clv_interval_floor"] == pytest.approx(2 * 1.6448536 / 200)


def test_a_holdout_nobody_was_predicted_on_is_caught() -> None:
    empty = pd.DataFrame({"predicted_purchases": [np.nan] * 3, "actual_purchases": [1.0, 0.0, 2.0]})
    assert _health(_made_up(holdout=empty)).problems == (
        "no holdout purchases were predicted for any of the 3 customers, so the model was never tested",)


def test_a_missed_holdout_is_caught_with_its_error() -> None:
    missed = pd.DataFrame({"predicted_purchases": [6.5], "actual_purchases": [10.0]})
    health = _health(_made_up(holdout=missed))
    assert health.problems == ("the model predicted -35% of the purchases customers made in the holdout period "
                               "(at most ±15% allowed)",)
    assert health.measures["holdout_purchases_error_share"] == pytest.approx(-0.35)

