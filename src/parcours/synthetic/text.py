"""The demo log as text: mixed time formats, and dirty rows added on purpose."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from parcours.schema import SECONDS_PER_DAY

_DAY = SECONDS_PER_DAY
DIRTY_KINDS = ("missing_customer_id", "unparseable_time", "time_out_of_range", "future_time",
               "missing_activity", "bad_revenue", "malformed_row", "duplicate")


def as_text(events: pd.DataFrame, start: datetime, rng: np.random.Generator) -> pd.DataFrame:
    """Write times as ISO 8601 with ``Z`` (80%), with a +01:00/+02:00 offset (10%) or naive UTC (10%)."""
    ts = pd.Timestamp(start) + pd.to_timedelta(np.round(events.t.to_numpy() * _DAY), unit="s")
    style = rng.choice(3, size=len(events), p=[0.8, 0.1, 0.1])
    text = _format_times(pd.DatetimeIndex(ts), style)
    parts = events.token.astype("string").str.split("@", n=1, expand=True)
    activity, channel = parts[0], parts[1]
    return pd.DataFrame({
        "customer_id": events.customer_id.to_numpy(), "ts": text, "activity": activity.to_numpy(),
        "channel": channel.to_numpy(), "revenue": _money(events.revenue.to_numpy()),
        "_malformed": "",
    })


def _money(values: np.ndarray) -> np.ndarray:
    text = np.char.mod("%.2f", np.nan_to_num(values)).astype(object)
    return np.where(np.isnan(values), "", text)


def _format_times(ts: pd.DatetimeIndex, style: np.ndarray) -> np.ndarray:
    out = np.asarray(ts.strftime("%Y-%m-%dT%H:%M:%SZ"), dtype=object)
    offset = style == 1
    if offset.any():
        local = np.asarray(ts[offset].tz_convert("Europe/Paris").strftime("%Y-%m-%dT%H:%M:%S%z"), dtype=str)
        out[offset] = [f"{v[:-2]}:{v[-2:]}" for v in local]
    naive = style == 2
    if naive.any():
        out[naive] = np.asarray(ts[naive].strftime("%Y-%m-%d %H:%M:%S"), dtype=object)
    return out


def add_dirty_rows(rng: np.random.Generator, text: pd.DataFrame, share: float) -> tuple[pd.DataFrame, dict]:
    n_dirty = round(share * len(text))
    kinds = rng.choice(DIRTY_KINDS, size=n_dirty)
    source = text.iloc[rng.integers(0, len(text), n_dirty)].reset_index(drop=True)
    dirty = source.copy()
    dirty.loc[kinds == "missing_customer_id", "customer_id"] = ""
    dirty.loc[kinds == "unparseable_time", "ts"] = rng.choice(["not a date", "2024-02-30T25:61:00", "yesterday"],
                                                              int((kinds == "unparseable_time").sum()))
    dirty.loc[kinds == "time_out_of_range", "ts"] = "1900-01-01T00:00:00Z"
    dirty.loc[kinds == "future_time", "ts"] = "2099-06-01T12:00:00Z"
    dirty.loc[kinds == "missing_activity", "activity"] = ""
    dirty.loc[kinds == "bad_revenue", "revenue"] = rng.choice(["12.50 EUR", "n/a", "1e999"],
                                                              int((kinds == "bad_revenue").sum()))
    dup = kinds == "duplicate"
    dirty.loc[dup, "ts"] = _format_times(pd.DatetimeIndex(pd.to_datetime(source.ts[dup], utc=True, format="ISO8601")),
                                         np.full(int(dup.sum()), 2))
    malformed = kinds == "malformed_row"
    dirty.loc[malformed, "_malformed"] = dirty.customer_id[malformed] + ",broken line"
    positions = np.sort(rng.integers(0, len(text) + 1, n_dirty))
    merged = pd.concat([text.assign(_k=np.arange(len(text)) * 2 + 1), dirty.assign(_k=positions * 2)])
    merged = merged.sort_values("_k", kind="stable").drop(columns="_k").reset_index(drop=True)
    return merged, {kind: int((kinds == kind).sum()) for kind in DIRTY_KINDS}


