"""Process map and variants at 1M and 5M events, beside pm4py's discover_dfg and get_variants.

Both start from the same prepared input (cached in data/<size>/): the journey steps (one row per
event with its journey instance and activity@channel token) and the journey instances (each with its
ordered tokens and step times), as the pipeline's ``journey_instances`` step leaves them. parcours
computes the ``process_map`` (counts, distinct customers, shares, median and p90 seconds) from the
instances' ordered tokens and the ``variants`` (counts, customers, coverage curve) on DuckDB and writes
both CSVs; pm4py reads the steps into pandas, prepares them with ``format_dataframe`` and runs
``discover_dfg`` (counts only) and ``get_variants``. Neither is charged for cutting the instances.
Each case runs in its own process; peak memory is its VmHWM.
Run: ``python benchmarks/bench_mining.py [--sizes 1000000 5000000]`` (after bench_ingest's data).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench_ingest import DATA, make_logs, parse_args, timed

HERE = Path(__file__).resolve().parent


def prepare(n_events: int) -> dict[str, Path]:
    """Ingest the benchmark log once and store its steps and instances as Parquet."""
    from parcours.engine import connect
    from parcours.ingest import ingest_events
    from parcours.instances import episode_steps, journey_instances
    from parcours.settings import EpisodeSettings, IngestSettings

    folder = DATA / f"{n_events}"
    paths = {"steps": folder / "steps.parquet", "instances": folder / "instances.parquet"}
    if not all(p.exists() for p in paths.values()):
        con = connect(memory_limit="4GB")
        events = ingest_events(con, IngestSettings(), make_logs(n_events)["parquet"]).events
        events = con.create_table("events", events, temp=True)
        steps = episode_steps(events, EpisodeSettings())
        steps.select("customer_id", "journey_instance_id", "token", "ts", "event_seq", "is_step").to_parquet(
            paths["steps"])
        journey_instances(events, EpisodeSettings()).to_parquet(paths["instances"])
    return paths


def run_parcours(paths: dict[str, Path], out: Path) -> dict:
    from parcours.engine import connect
    from parcours.mining import directly_follows, variants

    con = connect(memory_limit="2GB")
    instances = con.read_parquet(str(paths["instances"]))
    directly_follows(instances).to_csv(out / "process_map.csv")
    variants(instances).to_csv(out / "variants.csv")
    return {"edges": int(con.read_csv(str(out / "process_map.csv")).count().to_pyarrow().as_py())}


def run_pm4py(paths: dict[str, Path], out: Path) -> dict:
    import pandas as pd
    import pm4py

    frame = pd.read_parquet(paths["steps"])
    frame = frame[frame.is_step].sort_values("event_seq").reset_index(drop=True)
    frame = pm4py.format_dataframe(frame, case_id="journey_instance_id", activity_key="token", timestamp_key="ts")
    dfg, starts, ends = pm4py.discover_dfg(frame)
    pm4py.get_variants(frame)
    return {"edges": len(dfg) + len(starts) + len(ends)}


def _one(tool: str, size: int, out: Path) -> None:
    if tool == "parcours":  # imports are not part of the measurement
        import parcours.mining as stage  # its names load on first use: all of them, before measuring
        for name in stage.__all__:
            getattr(stage, name)
    else:
        import pandas  # noqa: F401
        import pm4py  # noqa: F401
    paths = prepare(size)
    print(json.dumps(timed(run_parcours if tool == "parcours" else run_pm4py, paths, out)))


def main() -> None:
    args = parse_args(__doc__, ("TOOL", "SIZE", "OUT"))
    if args.one:
        _one(args.one[0], int(args.one[1]), Path(args.one[2]))
        return
    rows = []
    for size in args.sizes:
        subprocess.run([sys.executable, "-c", f"import bench_mining; bench_mining.prepare({size})"], cwd=HERE,
                       check=True)
        for tool in ("parcours", "pm4py"):
            out = DATA / "out" / f"mining-{tool}-{size}"
            out.mkdir(parents=True, exist_ok=True)
            done = subprocess.run([sys.executable, __file__, "--one", tool, str(size), str(out)],
                                  capture_output=True, text=True, check=True)
            rows.append({"events": size, "tool": tool, **json.loads(done.stdout.strip().splitlines()[-1])})
            print(json.dumps(rows[-1]), flush=True)
    (HERE / "results" / "mining.json").write_text(json.dumps({"rows": rows}, indent=2))
    for size in args.sizes:
        ours, theirs = (next(r for r in rows if r["events"] == size and r["tool"] == t) for t in ("parcours", "pm4py"))
        print(f"{size:,} events: parcours {ours['wall_s']} s / {ours['peak_mib']} MiB, pm4py {theirs['wall_s']} s / "
              f"{theirs['peak_mib']} MiB, {theirs['wall_s'] / ours['wall_s']:.1f}x faster")


if __name__ == "__main__":
    main()
