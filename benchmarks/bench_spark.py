"""The whole pipeline on Spark (``parcours run --engine spark``, ``local[2]``) beside DuckDB, on the demo log.

The demo generator's default log (10,000 customers, seed 1, its identity table) is written once into
``data/spark-demo/`` (git-ignored). Then ``parcours run`` runs on it once per engine, one after the other
(never both at once: they would share the two cores), each on a fresh ``PARCOURS_HOME``. Recorded: wall
seconds, the peak memory of the run's process tree (the Python process and, on Spark, its JVM; sampled
every 0.2 s from ``/proc``), and whether every output equals DuckDB's, as ``tests/spark/test_pipeline.py``
compares them.

Run: ``cd benchmarks && ../.venv/bin/python bench_spark.py``. Results: ``results/spark.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the tests' comparison of two output folders

DATA = HERE / "data" / "spark-demo"
RESULTS = HERE / "results" / "spark.json"
PARCOURS = str(Path(sys.executable).with_name("parcours"))


def make_log(customers: int) -> Path:
    from parcours.synthetic import generate_demo_log

    events = DATA / "demo" / "events.csv"
    if not events.exists():
        generate_demo_log(customers, seed=1).write(DATA / "demo")
    return events


def tree_rss_mib(pid: int) -> float:
    """The resident memory of ``pid`` and its descendants, from ``/proc``."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            children.setdefault(int(fields[1]), []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo.extend(children.get(current, []))
    return total / 2**20


def run(engine: str, events: Path) -> dict:
    home, out = DATA / f"home-{engine}", DATA / f"out-{engine}"
    shutil.rmtree(home, ignore_errors=True), shutil.rmtree(out, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env |= {"PARCOURS_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    start = time.perf_counter()
    process = subprocess.Popen([PARCOURS, "run", "--events", str(events), "--out", str(out), "--engine", engine],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0.0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss_mib(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    if process.returncode:
        raise RuntimeError(f"{engine}: parcours run failed\n{stderr[-3000:]}")
    steps = json.loads((out / "run_stats.json").read_text())["steps"]
    return {"engine": engine, "wall_s": round(wall, 1), "peak_mib": round(peak[0]),
            "steps_s": {s["step"]: round(s["wall_s"], 1) for s in steps if s["wall_s"] >= 1}, "out": str(out)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    args = parser.parse_args()
    from tests.spark.test_pipeline import assert_same_outputs, table

    events = make_log(args.customers)
    rows = [run(engine, events) for engine in ("duckdb", "spark")]
    compared = assert_same_outputs({r["engine"]: Path(r["out"]) for r in rows})
    result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
              "events": len(table(Path(rows[0]["out"]) / "event_log.parquet")), "customers": args.customers,
              "runs": rows, "outputs_equal": compared,
              "trigger_rules": len(table(Path(rows[1]["out"]) / "trigger_rules.csv"))}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k != "outputs_equal"}, indent=2))
    print(f"{len(compared)} outputs equal")


if __name__ == "__main__":
    main()
