from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from parcours.config import ValueSettings
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
