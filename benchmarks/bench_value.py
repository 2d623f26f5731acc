"""Customer value at 100k and 500k customers, beside pymc-marketing used as its documentation shows.

Both start from the same purchases, simulated from a known BG/NBD + Gamma-Gamma process over 130
weeks (cached in data/value-<n>/events.parquet); the landmark is week 104.

- parcours: ``estimate_customer_value`` with the default settings (MAP): RFM on DuckDB at the
  landmark, BG/NBD + Gamma-Gamma fit, holdout check, refit on all the data, and every customer's
  p_alive, expected purchases, CLV and its Laplace/delta interval.
- peer: pymc-marketing's documented path: ``rfm_summary`` (pandas) at the landmark, ``BetaGeoModel``
  and ``GammaGammaModel`` with their default priors fitted by MAP, and
  ``expected_customer_lifetime_value`` for every customer (a point value, no interval, no holdout
  check, one fit).

Each case runs in its own process; peak memory is its VmHWM. Import time is not measured; the
pytensor compilation inside the fits is (its cache is warm after the first case of a size).
Run: ``python benchmarks/bench_value.py [--sizes 100000 500000]``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from bench_ingest import DATA, measure_cases, timed

CASES = ("parcours", "pymc-marketing-documented")
LANDMARK = date(2025, 12, 29)


def prepare(customers: int) -> Path:
    """Simulate the purchases once and store them as Parquet."""
    from parcours.synthetic.purchases import PurchaseProcess, simulate_purchases

    path = DATA / f"value-{customers}" / "events.parquet"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        simulate_purchases(customers, PurchaseProcess(r=0.3, alpha=12.0), calibration_weeks=104, total_weeks=130,
                           seed=1).to_parquet(path, index=False)
    return path


def run_parcours(path: Path) -> dict:
    from parcours.engine import connect
    from parcours.settings import ValueSettings
    from parcours.value import estimate_customer_value

    value = estimate_customer_value(connect().read_parquet(str(path)), ValueSettings(landmark=LANDMARK))
    return {"customers": len(value.values), "clv_total": round(float(value.values.clv.sum())),
            "holdout_error": round(value.metrics["holdout_purchases_error_share"], 4),
            "interval_width": round(value.metrics["clv_interval_relative_width"], 4)}


def run_peer(path: Path) -> dict:
    import pandas as pd
    from pymc_marketing.clv import BetaGeoModel, GammaGammaModel
    from pymc_marketing.clv.utils import rfm_summary

    events = pd.read_parquet(path)
    events = events[events.ts < pd.Timestamp(LANDMARK, tz="UTC")].assign(ts=lambda e: e.ts.dt.tz_localize(None))
    rfm = rfm_summary(events, "customer_id", "ts", "revenue", observation_period_end=str(LANDMARK), time_unit="W")
    purchases = BetaGeoModel()
    purchases.fit(rfm[["customer_id", "frequency", "recency", "T"]], method="map", progressbar=False)
    repeat = rfm[(rfm.frequency > 0) & (rfm.monetary_value > 0)]
    spend = GammaGammaModel()
    spend.fit(repeat[["customer_id", "frequency", "monetary_value"]], method="map", progressbar=False)
    clv = spend.expected_customer_lifetime_value(purchases, rfm, future_t=6, discount_rate=0.008, time_unit="W")
    return {"customers": len(rfm), "clv_total": round(float(clv.sum()))}


def _one(case: str, customers: int) -> None:
    import pymc_marketing.clv  # noqa: F401  (imports are not part of the measurement)

    import parcours.value as stage  # its names load on first use: all of them, before measuring

    for name in stage.__all__:
        getattr(stage, name)

    path = prepare(customers)
    print(json.dumps(timed(run_parcours if case == "parcours" else run_peer, path)))


def main() -> None:
    measure_cases(__file__, __doc__, CASES, [100_000, 500_000], _one)


if __name__ == "__main__":
    main()
