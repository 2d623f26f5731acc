from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from parcours.settings import ValueSettings
from parcours.synthetic.purchases import PurchaseProcess, simulate_purchases

T0 = datetime(2024, 1, 1, tzinfo=UTC)
#: The process of the statistical tests: rare enough that two purchases seldom fall on one day
#: (a day of purchases is one transaction), so the simulated and the summarised process agree.
PROCESS = PurchaseProcess(r=0.3, alpha=12.0, a=0.8, b=2.5, p=6.0, q=4.0, v=15.0)
#: 104 weeks after T0: the end of the simulated calibration period.
LANDMARK = date(2025, 12, 29)


def value_events(con, rows: list[tuple], name: str = "events"):
    """(customer, days after T0, activity, revenue) → an event-log table."""
    frame = pd.DataFrame(rows, columns=["customer_id", "days", "activity", "revenue"])
    frame["ts"] = [T0 + timedelta(days=d) for d in frame.days]
    frame["channel"] = "web"
    frame["event_seq"] = range(len(frame))
    frame["source"] = "hand.csv"
    return con.create_table(name, frame.drop(columns="days").astype({"revenue": "float64"}), overwrite=True)


@pytest.fixture
def value_settings() -> ValueSettings:
    return ValueSettings()


@pytest.fixture(scope="module")
def simulated_log():
    """3,000 customers from the known process, 104 weeks of calibration and 26 of holdout."""
    return simulate_purchases(3_000, PROCESS, calibration_weeks=104, total_weeks=130, seed=3)


def value_of(log: pd.DataFrame, settings: ValueSettings | None = None):
    """``estimate_customer_value`` on a simulated log, with the tests' landmark."""
    from parcours.engine import connect
    from parcours.value import estimate_customer_value

    con = connect()
    try:
        return estimate_customer_value(con.create_table("log", log), settings or ValueSettings(landmark=LANDMARK))
    finally:
        con.disconnect()


@pytest.fixture(scope="module")
def valued(simulated_log):
    """The value step on the simulated log."""
    return value_of(simulated_log)


@pytest.fixture(scope="module")
def never_lapsing_log():
    """3,000 customers who (almost) never stop buying: BG/NBD's dropout has nothing to fit and goes to 0."""
    process = PurchaseProcess(r=0.3, alpha=12.0, a=1e-3, b=1e3, p=6.0, q=4.0, v=15.0)
    return simulate_purchases(3_000, process, calibration_weeks=104, total_weeks=130, seed=3)
