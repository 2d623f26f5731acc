"""The log profile's cost beside the ingest it follows, at 1M and 5M events (the demo log, as CSV).

``log_profile`` runs right after ingest on every run, so it must stay a small share of it. Both are
timed in one process, one after the other, on the same engine file: the ingest writes
``event_log.parquet`` as the ``event_log`` asset does, then the profile (and the ``auto`` settings
resolved from it) reads that file, as the ``log_profile`` asset does. The peer, in the same process
and on the same file, is the same profile computed with pandas, as a data scientist would in a
notebook (read the Parquet file, count per customer, sort by customer and time, diff, quantiles,
count activities, channels and tokens, and the revenue rows per activity). Run:
``python benchmarks/bench_profile.py`` (``--sizes 1000000`` for one size).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

from bench_ingest import make_logs

HERE = Path(__file__).resolve().parent


def measure(n_events: int) -> dict:
    from parcours.engine import connect
    from parcours.ingest import ingest_events
    from parcours.ingest.resolve import describe_log
    from parcours.settings import Settings

    path = make_logs(n_events)["csv"]
    out = HERE / "data" / f"{n_events}" / "profile_run"
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("engine.duckdb*"):
        stale.unlink()
    con = connect(out / "engine.duckdb")
    settings = Settings()
    start = time.perf_counter()
    result = ingest_events(con, settings.ingest, path)
    result.events.to_parquet(out / "event_log.parquet")
    ingest_s = time.perf_counter() - start
    start = time.perf_counter()
    profile = describe_log(con.read_parquet(str(out / "event_log.parquet")), result.summary.to_dict(), settings)
    profile_s = time.perf_counter() - start
    start = time.perf_counter()
    peer = pandas_profile(out / "event_log.parquet")
    pandas_s = time.perf_counter() - start
    assert peer["customers"] == profile["customers"] and peer["tie_share"] == profile["tie_share"], (peer, profile)
    return {"events": profile["events"], "customers": profile["customers"], "ingest_s": round(ingest_s, 2),
            "profile_s": round(profile_s, 2), "share_of_ingest": round(profile_s / ingest_s, 3),
            "pandas_profile_s": round(pandas_s, 2)}


def pandas_profile(path: Path) -> dict:
    """The log profile's figures with pandas: what a notebook would compute on ``event_log.parquet``."""
    import pandas as pd

    quantiles = [0.1, 0.5, 0.9, 0.99]
    events = pd.read_parquet(path, columns=["customer_id", "ts", "activity", "channel", "revenue", "event_seq"])
    per_customer = events.groupby("customer_id").size()
    ordered = events.sort_values(["customer_id", "ts", "event_seq"])
    gaps = ordered.ts.diff().dt.total_seconds()[ordered.customer_id.eq(ordered.customer_id.shift())]
    money = events.revenue
    per_activity = events.assign(with_revenue=money.notna(), positive=money > 0, negative=money < 0).groupby(
        "activity")[["with_revenue", "positive", "negative"]].sum()
    return {"customers": len(per_customer), "events_per_customer": per_customer.quantile(quantiles).tolist(),
            "gap_hours": (gaps / 3600).quantile(quantiles).tolist(), "tie_share": round(float((gaps == 0).mean()), 6),
            "activities": events.activity.nunique(), "channels": events.channel.nunique(),
            "tokens": (events.activity + "@" + events.channel.fillna("")).nunique(), "revenue": len(per_activity)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    args = parser.parse_args()
    rows = [measure(n) for n in args.sizes]
    results = {"machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform()}, "rows": rows}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "profile.json").write_text(json.dumps(results, indent=2))
    for row in rows:
        print(f"{row['events']:>10,} events  ingest {row['ingest_s']:>7.2f} s  profile {row['profile_s']:>6.2f} s "
              f"({row['share_of_ingest']:.1%} of ingest)  pandas {row['pandas_profile_s']:>6.2f} s")


if __name__ == "__main__":
    main()
