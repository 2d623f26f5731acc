"""The log profile's cost beside the ingest it follows, at 1M and 5M events (the demo log, as CSV).

``log_profile`` runs right after ingest on every run, so it must stay a small share of it. Both are
timed in one process, one after the other, on the same engine file: the ingest writes
``event_log.parquet`` as the ``event_log`` asset does, then the profile (and the ``auto`` settings
resolved from it) reads that file, as the ``log_profile`` asset does. Run:
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
    from parcours.config import Settings
    from parcours.engine import connect
    from parcours.eventlog import ingest_events
    from parcours.resolve import describe_log

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
    return {"events": profile["events"], "customers": profile["customers"], "ingest_s": round(ingest_s, 2),
            "profile_s": round(profile_s, 2), "share_of_ingest": round(profile_s / ingest_s, 3)}


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
              f"({row['share_of_ingest']:.1%} of ingest)")


if __name__ == "__main__":
    main()
