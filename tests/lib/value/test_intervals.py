import numpy as np
import pytest

from parcours.settings import ValueSettings
from parcours.value import estimate_customer_value
from tests.lib.value.conftest import LANDMARK


@pytest.mark.slow
def test_map_delta_interval_agrees_with_the_mcmc_posterior_interval(con, simulated_log) -> None:
    """The stated approximation (Laplace + delta method) against NUTS on the same 3,000 customers."""
    events = con.create_table("log", simulated_log)
    common = {"landmark": LANDMARK, "refit": False}
    fast = estimate_customer_value(events, ValueSettings(**common)).values.set_index("customer_id")
    full = estimate_customer_value(events, ValueSettings(method="mcmc", draws=400, tune=400, chains=2,
                                                         **common)).values.set_index("customer_id")
    assert np.corrcoef(fast.clv, full.clv)[0, 1] > 0.999
    assert np.median(np.abs(fast.clv / full.clv - 1)) < 0.03
    width = {name: np.median((t.clv_high - t.clv_low) / t.clv) for name, t in (("map", fast), ("mcmc", full))}
    assert width["map"] == pytest.approx(width["mcmc"], rel=0.35), width


@pytest.mark.slow
@pytest.mark.parametrize("options", [{"purchase_model": "pareto_nbd"}, {"method": "advi", "draws": 300}],
                         ids=["pareto_nbd-map", "bgnbd-advi"])
def test_the_other_models_and_methods_value_every_customer_sanely(con, simulated_log, options) -> None:
    value = estimate_customer_value(con.create_table("log", simulated_log),
                                    ValueSettings(landmark=LANDMARK, refit=False, **options))
    values = value.values
    assert len(values) == simulated_log.customer_id.nunique()
    assert (values.clv_low > 0).all() and (values.clv_low <= values.clv).all() and (values.clv <= values.clv_high).all()
    assert abs(value.metrics["holdout_purchases_error_share"]) < 0.1
