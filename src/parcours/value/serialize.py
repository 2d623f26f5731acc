"""Saving and loading fits: the model's inference data as NetCDF (pymc-marketing's own format) and,
for a MAP fit, its Laplace approximation as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from pymc_marketing.clv import GammaGammaModel

from parcours.value.models import PURCHASE_MODELS, Fit, Laplace


def save_fit(fit: Fit, netcdf: Path, laplace: Path) -> tuple[Path, Path]:
    """Write the fit's inference data to ``netcdf`` and its Laplace approximation (or ``null``) to ``laplace``."""
    fit.model.save(str(netcdf))
    approximation = None if fit.laplace is None else {
        "names": list(fit.laplace.names), "mean": fit.laplace.mean.tolist(),
        "covariance": fit.laplace.covariance.tolist(), "method": fit.method, "kind": fit.kind}
    laplace.write_text(json.dumps(approximation or {"method": fit.method, "kind": fit.kind}))
    return netcdf, laplace


def load_fit(netcdf: Path, laplace: Path) -> Fit:
    """The :class:`Fit` written by :func:`save_fit` (diagnostics are not kept)."""
    meta = json.loads(laplace.read_text())
    kind = meta["kind"]
    cls = GammaGammaModel if kind == "gamma_gamma" else PURCHASE_MODELS[kind][0]
    model = cls.load(str(netcdf))
    approximation = Laplace(tuple(meta["names"]), np.array(meta["mean"]), np.array(meta["covariance"])) \
        if "names" in meta else None
    return Fit(model, kind, meta["method"], approximation)
