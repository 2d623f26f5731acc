"""Purchases simulated from the BG/NBD and Gamma-Gamma processes, with known parameters.

The generative story of Fader, Hardie & Lee (2005) and Fader & Hardie (2013): each customer buys
for the first time at a uniformly drawn moment of the calibration period, then at Poisson rate
``lambda ~ Gamma(r, alpha)`` (per week) while alive, and after every repeat purchase drops out with
probability ``p ~ Beta(a, b)``
(not after the first, as the BG/NBD likelihood has it). Each purchase is worth ``z ~ Gamma(p_spend, nu)`` with
``nu ~ Gamma(q, v)``. The result is an event log in the canonical columns, so tests and benchmarks
go through the same RFM and fitting code as real logs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PurchaseProcess:
    """Parameters of the BG/NBD purchase process (rates per week) and of Gamma-Gamma spend."""

    r: float = 0.25
    alpha: float = 4.0
    a: float = 0.8
    b: float = 2.5
    p: float = 6.0
    q: float = 4.0
    v: float = 15.0

    def as_dict(self) -> dict[str, float]:
        """The parameters by name."""
        return asdict(self)


def simulate_purchases(customers: int, process: PurchaseProcess | None = None, *, calibration_weeks: float = 52.0,
                       total_weeks: float = 78.0, start: datetime | None = None, seed: int = 0) -> pd.DataFrame:
    """Simulate every purchase of ``customers`` customers from week 0 to ``total_weeks``.

    Parameters
    ----------
    customers
        Number of customers; each makes a first purchase in ``[0, calibration_weeks)``.
    process
        The true parameters (default :class:`PurchaseProcess`).
    calibration_weeks, total_weeks
        When first purchases stop, and when the simulation ends.
    start
        The instant of week 0 (default 2024-01-01 UTC).
    seed
        Seed of every draw.

    Returns
    -------
    pandas.DataFrame
        One ``order`` event per purchase: ``customer_id``, ``ts``, ``activity``, ``channel``
        (``web``), ``revenue``, ``event_seq`` and ``source``, in time order.
    """
    process = process or PurchaseProcess()
    rng = np.random.default_rng(seed)
    rate = rng.gamma(process.r, 1 / process.alpha, customers)
    dropout = rng.beta(process.a, process.b, customers)
    nu = rng.gamma(process.q, 1 / process.v, customers)
    who, when = _purchase_times(rng, rate, dropout, rng.uniform(0, calibration_weeks, customers), total_weeks)
    revenue = np.round(rng.gamma(process.p, 1 / nu[who]), 2)
    start = start or datetime(2024, 1, 1, tzinfo=UTC)
    order = np.lexsort((who, when))
    ts = pd.Timestamp(start) + pd.to_timedelta(np.round(when[order] * 7 * 86_400), unit="s")
    return pd.DataFrame({
        "customer_id": np.char.add("S", np.char.zfill(who[order].astype(str), 7)), "ts": ts, "activity": "order",
        "channel": "web", "revenue": revenue[order], "event_seq": np.arange(len(order), dtype="int64"),
        "source": "simulated",
    })


def _purchase_times(rng: np.random.Generator, rate: np.ndarray, dropout: np.ndarray, first: np.ndarray,
                    end: float) -> tuple[np.ndarray, np.ndarray]:
    """Customer index and week of every purchase: the first, then repeats while alive and before ``end``."""
    who, when = [np.arange(len(rate))], [first]
    t, alive = first.copy(), np.ones(len(rate), dtype=bool)  # BG/NBD: no dropout at the first purchase
    while alive.any():
        idx = np.flatnonzero(alive)
        t[idx] += rng.exponential(1 / rate[idx])
        bought = idx[t[idx] < end]
        who.append(bought)
        when.append(t[bought])
        alive[:] = False
        alive[bought] = rng.random(len(bought)) >= dropout[bought]
    return np.concatenate(who), np.concatenate(when)
