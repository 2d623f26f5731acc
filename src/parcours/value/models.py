"""Fitting the purchase model (BG/NBD or Pareto/NBD) and Gamma-Gamma with pymc-marketing.

Scale parameters get flat priors, so a MAP fit is the maximum-likelihood fit of the classic papers
and does not depend on the time unit (pymc-marketing's default priors assume one). A MAP fit also
gets a Laplace approximation of the posterior: a normal distribution of the unconstrained parameters
around the MAP, with the inverse Hessian of the log posterior as covariance.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from pymc_extras.prior import Prior
from pymc_marketing.clv import BetaGeoModel, GammaGammaModel, ModifiedBetaGeoModel, ParetoNBDModel
from pymc_marketing.clv.models.basic import CLVModel

from parcours.value.rfm import CustomerValueError

FLAT = Prior("HalfFlat")
#: Boundary-avoiding priors for a posterior mode (Chung, Rabe-Hesketh, Dorie, Gelman & Liu 2013): zero density
#: at the edge, nearly flat inside. BG/NBD's mean dropout probability gets Beta(2, 2) (95% between 0.09 and
#: 0.91), the dropout's concentration Gamma(2, 0.1) (mode 10), instead of pymc-marketing's Uniform and Pareto.
WEAKLY_INFORMATIVE = {"phi_dropout": Prior("Beta", alpha=2, beta=2), "kappa_dropout": Prior("Gamma", alpha=2, beta=0.1)}
#: Step (unconstrained units) of the central differences of the delta method.
AXIS_STEP = 1e-4
PURCHASE_MODELS: dict[str, tuple[type[CLVModel], dict[str, Prior]]] = {
    "bgnbd": (BetaGeoModel, {"alpha": FLAT, "r": FLAT}),
    "pareto_nbd": (ParetoNBDModel, {"r": FLAT, "alpha": FLAT, "s": FLAT, "beta": FLAT}),
    "mbgnbd": (ModifiedBetaGeoModel, {"alpha": FLAT, "r": FLAT}),
    "bgnbd_weakly_informative": (BetaGeoModel, {"alpha": FLAT, "r": FLAT, **WEAKLY_INFORMATIVE}),
}
#: What the literature offers when a purchase model degenerates, in the order it is tried: MBG/NBD (Batislam,
#: Denizel & Filiztekin 2007), then BG/NBD's posterior mode under weakly informative priors. Pareto/NBD (Schmittlein,
#: Morrison & Colombo 1987) is not tried: on 3,000 customers who never stop buying its MAP ran past 200 s without
#: converging (MBG/NBD: 6.8 s; the weakly informative BG/NBD: 6.0 s); it stays a choice of value.purchase_model.
FALLBACKS = ("mbgnbd", "bgnbd_weakly_informative")
#: The parameters each model's predictions read from its posterior.
PARAMETERS = {"bgnbd": ("r", "alpha", "a", "b"), "pareto_nbd": ("r", "alpha", "s", "beta"),
              "mbgnbd": ("r", "alpha", "a", "b"), "bgnbd_weakly_informative": ("r", "alpha", "a", "b"),
              "gamma_gamma": ("p", "q", "v")}
#: How each purchase model is named to a reader.
MODEL_NAMES = {"bgnbd": "BG/NBD", "pareto_nbd": "Pareto/NBD", "mbgnbd": "MBG/NBD",
               "bgnbd_weakly_informative": "BG/NBD with weakly informative priors"}


@dataclass(frozen=True)
class Laplace:
    """A normal approximation of the posterior of a model's unconstrained parameters.

    Attributes
    ----------
    names
        The unconstrained (value) variables, e.g. ``alpha_log__``.
    mean
        Their MAP values.
    covariance
        The inverse of the Hessian of the negative log posterior at the MAP.
    """

    names: tuple[str, ...]
    mean: np.ndarray
    covariance: np.ndarray

    def axis_points(self, step: float = AXIS_STEP) -> tuple[np.ndarray, np.ndarray]:
        """The MAP, then the MAP plus and minus ``step`` along each principal axis of the covariance.

        Returns
        -------
        points : numpy.ndarray
            ``(2k + 1, k)``: row 0 is the MAP, rows ``1 + 2j`` and ``2 + 2j`` the two ends of axis ``j``.
        scales : numpy.ndarray
            ``(k,)``: the standard deviation along each axis divided by ``step``, so that
            ``scales[j] * (f(+) - f(-)) / 2`` is the delta-method standard deviation of ``f`` along axis ``j``.
        """
        values, vectors = np.linalg.eigh(self.covariance)
        points = [self.mean] + [self.mean + sign * step * vectors[:, j] for j in range(len(values))
                                for sign in (1.0, -1.0)]
        return np.vstack(points), np.sqrt(np.clip(values, 0.0, None)) / step

    def standard_errors(self) -> dict[str, float]:
        """Standard deviation of each unconstrained parameter."""
        return dict(zip(self.names, np.sqrt(np.clip(np.diag(self.covariance), 0.0, None)).tolist(), strict=True))


@dataclass
class Fit:
    """A fitted pymc-marketing model, how it was fitted, and what the fit says about itself."""

    model: CLVModel
    kind: str
    method: str
    laplace: Laplace | None = None
    diagnostics: dict[str, float] = field(default_factory=dict)
    tried: tuple[tuple[str, str], ...] = ()  # the models that degenerated before this one, and why

    def point(self) -> dict[str, float]:
        """Posterior mean (or MAP) of each parameter the predictions use."""
        posterior = self.model.fit_result
        return {name: float(posterior[name].mean()) for name in PARAMETERS[self.kind]}


def purchase_model(kind: str) -> CLVModel:
    """An unfitted purchase model (a key of :data:`PURCHASE_MODELS`) with flat scale priors."""
    cls, priors = PURCHASE_MODELS[kind]
    return cls(model_config=dict(priors))


def spend_model() -> GammaGammaModel:
    """An unfitted Gamma-Gamma model (mean transaction value) with flat priors on p, q and v."""
    return GammaGammaModel(model_config={"p": FLAT, "q": FLAT, "v": FLAT})


def fit_model(model: CLVModel, kind: str, data: pd.DataFrame, settings: Any) -> Fit:
    """Fit ``model`` on ``data`` by ``settings.method`` (map, mcmc, advi or fullrank_advi).

    Parameters
    ----------
    model
        From :func:`purchase_model` or :func:`spend_model`.
    kind
        ``"bgnbd"``, ``"pareto_nbd"`` or ``"gamma_gamma"``.
    data
        One row per customer, the columns the model needs.
    settings
        :class:`parcours.settings.ValueSettings` (``method``, ``draws``, ``tune``, ``chains``, ``seed``).

    Returns
    -------
    Fit
        The fitted model; for MAP with its Laplace approximation, for a posterior with its
        convergence diagnostics.
    """
    method = settings.method
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)
        warnings.filterwarnings("ignore", category=RuntimeWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        if method == "map":
            model.fit(data, method="map", progressbar=False, random_seed=settings.seed)
        elif method == "mcmc":
            model.fit(data, method="mcmc", draws=settings.draws, tune=settings.tune, chains=settings.chains,
                      cores=1, progressbar=False, random_seed=settings.seed, compute_convergence_checks=False)
        else:
            model.fit(data, method=method, progressbar=False, random_seed=settings.seed, n=settings.advi_iterations,
                      sample_kwargs={"draws": settings.draws})
    if kind == "gamma_gamma":
        _check_spend_defined(model, method)
    if method == "map":
        laplace = laplace_approximation(model)
        return Fit(model, kind, method, laplace, _map_diagnostics(model, laplace))
    return Fit(model, kind, method, None, _posterior_diagnostics(model))


def _check_spend_defined(model: CLVModel, method: str) -> None:
    """Gamma-Gamma's mean spend p v / (q - 1) exists only for q > 1: refuse a fit that puts q at or below 1."""
    lowest = float(model.fit_result["q"].min())
    if lowest <= 1:
        raise CustomerValueError(
            f"customer_value: the Gamma-Gamma fit (value.method={method}) has q = {lowest:.3f} <= 1, where the "
            "mean spend does not exist: the spend data are too few or too dispersed, or the fit did not converge "
            "(try value.method=map, or more value.advi_iterations / value.draws)")


def laplace_approximation(model: CLVModel) -> Laplace:
    """The normal approximation of a MAP-fitted model's posterior in its unconstrained parameters."""
    pm_model = model.model
    point = {}
    for rv in pm_model.free_RVs:
        value = np.asarray(model.fit_result[rv.name].values.squeeze(), dtype=float)
        transform = pm_model.rvs_to_transforms.get(rv)
        unconstrained = transform.forward(value, *rv.owner.inputs).eval() if transform else value
        point[pm_model.rvs_to_values[rv].name] = np.asarray(unconstrained, dtype=float)
    names = tuple(v.name for v in pm_model.value_vars)
    gradient = pm_model.compile_dlogp(jacobian=False)
    return Laplace(names, np.array([float(point[n]) for n in names]), _inverse(_hessian(gradient, point, names)))


def _hessian(gradient: Any, point: dict[str, np.ndarray], names: tuple[str, ...], step: float = 1e-4) -> np.ndarray:
    """Hessian of the negative log posterior by central differences of its compiled gradient.

    Compiling the exact second derivative took 10 s against 2.6 s for the whole MAP fit (BG/NBD,
    20k customers); the differences take 0.03 s after a 1 s gradient compilation and agree with it
    to about six digits on these smooth, low-dimensional models.
    """
    columns = []
    for name in names:
        up, down = dict(point), dict(point)
        up[name], down[name] = point[name] + step, point[name] - step
        columns.append(-(np.asarray(gradient(up)) - np.asarray(gradient(down))) / (2 * step))
    hessian = np.column_stack(columns)
    return (hessian + hessian.T) / 2


def _inverse(hessian: np.ndarray) -> np.ndarray:
    """Inverse of a Hessian; a direction without curvature (a flat or degenerate fit) gets no variance."""
    values, vectors = np.linalg.eigh((hessian + hessian.T) / 2)
    inverse = np.where(values > 1e-12, 1.0 / np.where(values > 1e-12, values, 1.0), 0.0)
    return (vectors * inverse) @ vectors.T


def constrained_draws(model: CLVModel, laplace: Laplace, points: np.ndarray) -> xr.Dataset:
    """The model's parameters (as pymc-marketing's posterior names them) at unconstrained ``points``.

    Returns
    -------
    xarray.Dataset
        One scalar variable per parameter and deterministic, over ``chain`` (1) and ``draw`` (points).
    """
    pm_model = model.model
    outputs = pm_model.unobserved_value_vars
    function = pm_model.compile_fn(outputs, inputs=pm_model.value_vars, on_unused_input="ignore", point_fn=False)
    order = [laplace.names.index(v.name) for v in pm_model.value_vars]
    values = np.array([[float(x) for x in function(*row[order])] for row in points])
    return xr.Dataset({o.name: (("chain", "draw"), values[None, :, i]) for i, o in enumerate(outputs)},
                      coords={"chain": [0], "draw": np.arange(len(points))})


def thinned_posterior(model: CLVModel, draws: int) -> xr.Dataset:
    """At most ``draws`` posterior draws, evenly spaced over all chains, as one chain."""
    posterior = model.fit_result.stack(sample=("chain", "draw"))
    keep = np.unique(np.linspace(0, posterior.sizes["sample"] - 1, min(draws, posterior.sizes["sample"])).round())
    thinned = posterior.isel(sample=keep.astype(int)).drop_vars(["sample", "chain", "draw"])
    return thinned.rename({"sample": "draw"}).expand_dims(chain=[0]).assign_coords(draw=np.arange(len(keep)))


def with_posterior(model: CLVModel, posterior: xr.Dataset) -> CLVModel:
    """A shallow copy of a fitted model whose predictions use ``posterior`` instead of its own."""
    other = copy.copy(model)
    other.idata = xr.DataTree.from_dict({"posterior": posterior})
    return other


def _map_diagnostics(model: CLVModel, laplace: Laplace) -> dict[str, float]:
    errors = {f"se_{name}": value for name, value in laplace.standard_errors().items()}
    curvature = bool(np.all(np.linalg.eigvalsh(laplace.covariance) > 0))
    return {**_point_values(model), **errors, "hessian_positive_definite": float(curvature)}


def _posterior_diagnostics(model: CLVModel) -> dict[str, float]:
    """Point values, and the sampler's health: worst R-hat (several chains), smallest bulk ESS, divergences."""
    import arviz as az

    posterior = model.fit_result
    scalars = posterior[[name for name in posterior.data_vars if posterior[name].ndim == 2]]
    out = _point_values(model)
    if posterior.sizes.get("chain", 1) > 1:
        out["max_r_hat"] = float(az.rhat(scalars).to_array().max())
    out["min_ess_bulk"] = float(az.ess(scalars).to_array().min())
    if "sample_stats" in model.idata.children and "diverging" in model.idata["sample_stats"]:
        out["divergences"] = float(model.idata["sample_stats"]["diverging"].sum())
    return out


def _point_values(model: CLVModel) -> dict[str, float]:
    posterior = model.fit_result
    return {name: float(posterior[name].mean()) for name in posterior.data_vars if posterior[name].ndim <= 2}
