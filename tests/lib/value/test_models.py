import numpy as np
import pytest

from parcours.value.models import fit_model, laplace_approximation, purchase_model, spend_model
from parcours.value.rfm import rfm_summary
from tests.lib.value.conftest import LANDMARK

pytestmark = pytest.mark.slow  # statistical: purchase models fitted with pymc


@pytest.fixture(scope="module")
def rfm(simulated_log):
    from parcours.engine import connect

    con = connect()
    table = con.create_table("log", simulated_log)
    summary = rfm_summary(table, LANDMARK, purchase_activities=["order"], return_activities=[]).to_pandas()
    con.disconnect()
    return summary


@pytest.fixture(scope="module")
def bgnbd(rfm):
    from parcours.settings import ValueSettings

    return fit_model(purchase_model("bgnbd"), "bgnbd", rfm[["customer_id", "frequency", "recency", "T"]],
                     ValueSettings())


def test_map_fit_has_a_positive_definite_laplace_approximation(bgnbd) -> None:
    assert bgnbd.method == "map" and bgnbd.diagnostics["hessian_positive_definite"] == 1.0
    assert set(bgnbd.point()) == {"r", "alpha", "a", "b"}
    assert all(0 < se < 1 for se in bgnbd.laplace.standard_errors().values())


def test_laplace_covariance_matches_pymc_exact_hessian(bgnbd) -> None:
    model = bgnbd.model.model
    point = dict(zip(bgnbd.laplace.names, bgnbd.laplace.mean, strict=True))
    exact = -model.compile_d2logp(model.free_RVs, jacobian=False, negate_output=False)(point)
    assert np.allclose(np.linalg.inv(exact), bgnbd.laplace.covariance, rtol=1e-3)


def test_laplace_axis_points_straddle_the_map(bgnbd) -> None:
    points, scales = bgnbd.laplace.axis_points()
    assert points.shape == (9, 4) and np.allclose(points[1::2] + points[2::2], 2 * points[0])
    assert np.all(scales > 0)


def test_refitting_from_scratch_gives_the_same_map(rfm, bgnbd) -> None:
    from parcours.settings import ValueSettings

    again = fit_model(purchase_model("bgnbd"), "bgnbd", rfm[["customer_id", "frequency", "recency", "T"]],
                      ValueSettings())
    assert again.point() == pytest.approx(bgnbd.point(), rel=1e-6)


def test_spend_model_fits_repeat_buyers(rfm) -> None:
    from parcours.settings import ValueSettings

    repeat = rfm[rfm.frequency > 0]
    fit = fit_model(spend_model(), "gamma_gamma", repeat[["customer_id", "frequency"]].assign(
        monetary_value=repeat.monetary), ValueSettings())
    assert set(fit.point()) == {"p", "q", "v"} and fit.point()["q"] > 1
    assert laplace_approximation(fit.model).covariance.shape == (3, 3)


def test_a_spend_fit_with_q_at_or_below_one_is_refused() -> None:
    import xarray as xr

    from parcours.value.models import _check_spend_defined
    from parcours.value.rfm import CustomerValueError

    class Fitted:
        fit_result = xr.Dataset({"q": (("chain", "draw"), [[3.0, 0.9]])})

    with pytest.raises(CustomerValueError, match="q = 0.900 <= 1"):
        _check_spend_defined(Fitted(), "advi")
