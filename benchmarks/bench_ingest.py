"""Ingest throughput and peak memory at 1M and 5M events, from CSV and Parquet, beside pm4py's loader.

Each measurement runs in a fresh subprocess, so its peak resident memory is its own. "parcours"
is what the ``event_log`` asset does: read, validate, stitch, de-duplicate, and write
``event_log.parquet`` and ``quarantine.csv``, with DuckDB's memory limit at the engine's default
(2GB) and at 1GB. The peer is how a pm4py user loads the same file:
``pandas.read_csv``/``read_parquet`` then ``pm4py.format_dataframe`` (parse times, sort), which
validates nothing. Run: ``make bench`` (or ``python benchmarks/bench_ingest.py --sizes 1000000``).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

from parcours_pipelines.runstats import process_peak_mib  # one peak-memory reader, shared with the pipeline's run stats

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
EVENTS_PER_CUSTOMER = 13.8  # what the demo generator yields on average


def make_logs(n_events: int) -> dict[str, Path]:
    """The demo log with about ``n_events`` rows, as CSV and as typed Parquet (cached in data/)."""
    from parcours.engine import connect
    from parcours.synthetic import generate_demo_log

    folder = DATA / f"{n_events}"
    csv_path, parquet_path = folder / "events.csv", folder / "events.parquet"
    if not csv_path.exists():
        generate_demo_log(round(n_events / EVENTS_PER_CUSTOMER), seed=1).write(folder)
    if not parquet_path.exists():
        con = connect()
        con.raw_sql(f"""COPY (SELECT customer_id, TRY_CAST(ts AS TIMESTAMPTZ) AS ts, activity, channel,
                         TRY_CAST(revenue AS DOUBLE) AS revenue
                       FROM read_csv('{csv_path}', all_varchar=true, ignore_errors=true))
                       TO '{parquet_path}' (FORMAT parquet)""")
    return {"csv": csv_path, "parquet": parquet_path}


def run_parcours(path: Path, out: Path, memory_limit: str) -> dict:
    from parcours.engine import connect
    from parcours.ingest import ingest_events
    from parcours.settings import IngestSettings

    for stale in out.glob("engine.duckdb*"):
        stale.unlink()
    con = connect(out / "engine.duckdb", memory_limit=memory_limit)
    result = ingest_events(con, IngestSettings(), path)
    result.events.to_parquet(out / "event_log.parquet")
    result.quarantine.to_csv(out / "quarantine.csv")
    return {"rows_in": result.summary.rows_in, "clean": result.summary.clean}


def run_pm4py(path: Path, out: Path) -> dict:
    import pandas as pd
    import pm4py

    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, on_bad_lines="skip")
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True, errors="coerce", format="mixed")
    frame = pm4py.format_dataframe(frame.dropna(subset=["customer_id", "ts", "activity"]),
                                   case_id="customer_id", activity_key="activity", timestamp_key="ts")
    return {"rows_in": None, "clean": len(frame)}


def measure(tool: str, path: Path) -> dict:
    """Run one case in a subprocess and return wall, CPU and peak memory."""
    out = DATA / "out" / f"{tool.replace(':', '-')}-{path.parent.name}-{path.suffix[1:]}"
    out.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, __file__, "--one", tool, str(path), str(out)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _one(tool: str, path: Path, out: Path) -> None:
    if tool.startswith("parcours"):  # imports are not part of the measurement
        import parcours.ingest as stage  # its names load on first use: all of them, before measuring
        for name in stage.__all__:
            getattr(stage, name)
    else:
        import pandas  # noqa: F401
        import pm4py  # noqa: F401
    name, _, memory_limit = tool.partition(":")
    if name == "parcours":
        print(json.dumps(timed(run_parcours, path, out, memory_limit)))
    else:
        print(json.dumps(timed(run_pm4py, path, out)))


def timed(run, *args) -> dict:
    """Run ``run(*args)`` and return its counts with wall and CPU seconds and this process's peak memory."""
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    counts = run(*args)
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_mib": round(process_peak_mib()), **counts}


def parse_args(description: str, one_metavar: tuple[str, str, str]) -> argparse.Namespace:
    """``--sizes`` for the run, and the hidden ``--one`` a measuring subprocess is started with."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--one", nargs=3, metavar=one_metavar, help=argparse.SUPPRESS)
    return parser.parse_args()


def measure_cases(script: str, description: str, cases: tuple[str, ...], default_sizes: list[int], one) -> None:
    """The driver of the per-customer benchmarks: prepare each size's data once, then run each case in a
    fresh process (``script --one CASE SIZE`` calls ``one(case, size)``), and write results/<name>.json.

    ``script`` is the benchmark's file; its module must have ``prepare(size)``.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", type=int, nargs="+", default=default_sizes)
    parser.add_argument("--one", nargs=2, metavar=("CASE", "CUSTOMERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one[0], int(args.one[1]))
        return
    name, here, rows = Path(script).stem, Path(script).resolve().parent, []
    for size in args.sizes:
        subprocess.run([sys.executable, "-c", f"import {name}; {name}.prepare({size})"], cwd=here, check=True)
        for case in cases:
            done = subprocess.run([sys.executable, script, "--one", case, str(size)], cwd=here,
                                  capture_output=True, text=True, check=True)
            rows.append({"size": size, "case": case, **json.loads(done.stdout.strip().splitlines()[-1])})
            print(json.dumps(rows[-1]), flush=True)
    (here / "results" / f"{name.removeprefix('bench_')}.json").write_text(json.dumps({"rows": rows}, indent=2))


def main() -> None:
    args = parse_args(__doc__, ("TOOL", "PATH", "OUT"))
    if args.one:
        _one(args.one[0], Path(args.one[1]), Path(args.one[2]))
        return
    rows = []
    for size in args.sizes:
        for fmt, path in make_logs(size).items():
            for tool in ("parcours:2GB", "parcours:1GB", "pm4py"):
                result = measure(tool, path)
                rows.append({"events": size, "format": fmt, "tool": tool, **result})
                print(json.dumps(rows[-1]), flush=True)
    machine = {"python": platform.python_version(), "cpus": __import__("os").cpu_count(),
               "platform": platform.platform()}
    (HERE / "results" / "ingest.json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=2))
    print(_table(rows))


def _table(rows: list[dict]) -> str:
    lines = ["| events | format | tool | wall s | CPU s | events/s | peak MiB |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['events']:,} | {r['format']} | {r['tool']} | {r['wall_s']} | {r['cpu_s']} | "
                     f"{r['events'] / r['wall_s']:,.0f} | {r['peak_mib']:,} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
