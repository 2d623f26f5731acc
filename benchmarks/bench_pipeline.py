"""The whole pipeline at 100k, 1M and 5M events (and the relational stages at 20M), stage by stage, beside pm4py.

For each size the demo generator's log (seed 1, about 13.8 events per customer, 1% dirty rows, with its
identity table) is written once into ``data/pipeline-<events>/`` (git-ignored). Then, each in a fresh process:

- **parcours, step by step**: every step of the asset graph (an asset or multi-asset: one Dagster step),
  in topological order, materialised with its checks by ``run_pipeline(selection=...)``, reading its inputs
  from the files the earlier steps wrote, as the UI's multiprocess executor does. Wall and CPU seconds
  cover the materialisation only (imports and process start excluded); peak memory is the process's
  ``VmHWM`` (imports included: the baseline column says how much of it they are).
- **parcours, whole run**: ``run_pipeline`` of the whole graph in one process, as ``parcours run`` does,
  with the cost of each step from the run's own ``run_stats.json`` (sampled CPU and memory, see
  :mod:`parcours_pipelines.runstats`).
- **pm4py** (the peer, same clean event log, same journey instances): ``read_parquet`` + ``format_dataframe``,
  ``discover_dfg``, ``get_variants`` and the Inductive Miner (``discover_process_tree_inductive``), each timed.
- **relational only** (``--relational-sizes``, default 20M): the engine stages alone (ingest, the log profile
  with the ``auto`` settings resolved from it, journey
  instances, process map, variants, RFM), each written to Parquet/CSV, in one process.

Run: ``make bench-pipeline`` or ``cd benchmarks && ../.venv/bin/python bench_pipeline.py --sizes 100000``.
Results: ``results/pipeline.json`` (merged by size and case), summarised in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from parcours_pipelines.runstats import process_peak_mib, rss_mib

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results" / "pipeline.json"
EVENTS_PER_CUSTOMER = 14.6  # what the demo generator yields on average (13.8 before baseline orders went on)
PART_EVENTS = 20_000_000  # the most events the generator makes at once (about 12 GB of memory)
STEPS = ["ingested_events", "valued_customers", "journey_instances", "process_map", "variants",
         "discovered_journeys", "process_model", "journey_impact", "journey_models", "journey_timing",
         "temporal_profile", "trigger_rules", "journey_ranking", "journey_report"]  # temporal_profile: one step,
# the profile and its deviations (issue 23)
RELATIONAL = ["ingest", "log_profile", "journey_instances", "process_map", "variants", "rfm"]
PM4PY = ["load", "dfg", "variants", "inductive_miner"]


def make_log(n_events: int) -> Path:
    """The demo log with about ``n_events`` rows and its identity table (cached).

    The generator holds a log in memory (about 12 GB at 20M events), so a larger log is made of parts of at
    most ``PART_EVENTS``, each with its own seed and its customers' and devices' ids prefixed by the part, then
    written one after another into one ``events.csv``, ``identities.csv`` and ``customers_truth.csv``.
    """
    from parcours.synthetic import generate_demo_log

    folder = DATA / f"pipeline-{n_events}"
    if (folder / "events.csv").exists():
        return folder
    parts = -(-n_events // PART_EVENTS)
    if parts == 1:
        generate_demo_log(round(n_events / EVENTS_PER_CUSTOMER), seed=1).write(folder)
        return folder
    for k in range(parts):
        log = generate_demo_log(round(n_events / parts / EVENTS_PER_CUSTOMER), seed=1 + k)
        _prefixed(log, f"P{k}").write(folder / f"part-{k}")
    for name in ("events.csv", "identities.csv", "customers_truth.csv"):
        with (folder / name).open("w") as out:
            for k in range(parts):
                with (folder / f"part-{k}" / name).open() as part:
                    header = part.readline()
                    out.write(header if k == 0 else "")
                    shutil.copyfileobj(part, out)
    for k in range(parts):
        shutil.rmtree(folder / f"part-{k}")
    return folder


def _prefixed(log, prefix: str):
    """The log with every customer and device id (not the missing ones) prefixed, so parts never share one."""
    from dataclasses import replace

    def named(ids):
        return ids.where(ids.isna() | ids.eq(""), prefix + ids.astype("string"))

    identities = log.identities.assign(identifier=named(log.identities.identifier),
                                       customer_id=named(log.identities.customer_id))
    return replace(log, events=log.events.assign(customer_id=named(log.events.customer_id)), identities=identities,
                   customers=log.customers.assign(customer_id=named(log.customers.customer_id)))


def overrides(folder: Path) -> list[str]:
    """The log's path and identity table, plus the ``--set`` of the command line."""
    return [f"ingest.path={folder / 'events.csv'}", f"ingest.identity.path={folder / 'identities.csv'}",
            *json.loads(os.environ.get("PARCOURS_BENCH_SET", "[]"))]


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(work) -> dict:
    """Run ``work()`` and return its wall and CPU seconds and the process's peak memory."""
    baseline, wall, cpu = rss_mib(), time.perf_counter(), cpu_seconds()
    extra = work() or {}
    return {"wall_s": round(time.perf_counter() - wall, 2), "cpu_s": round(cpu_seconds() - cpu, 2),
            "peak_mib": round(process_peak_mib()), "baseline_mib": round(baseline), **extra}


# --- the cases, each run in its own process ------------------------------------------------------------------


def _pipeline(folder: Path, selection: str | None) -> dict:
    from parcours_pipelines.definitions import defs
    from parcours_pipelines.runner import run_pipeline

    defs()  # loading the definitions is an import cost, not the step's
    home, out = folder / "home", folder / "out"
    result = timed(lambda: {"success": run_pipeline(home=home, out_dir=out, overrides=overrides(folder),
                                                    selection=selection).success})
    if not result["success"]:
        raise SystemExit(f"{selection or 'the pipeline'} failed on {folder}")
    if selection is None:  # the run's own account of each step (parcours_pipelines.runstats), in one process
        result["steps"] = json.loads((out / "run_stats.json").read_text())["steps"]
    return result


def _step(folder: Path, step: str) -> dict:
    from parcours_pipelines.definitions import defs

    assets = [a for a in defs().assets if a.op.name == step]
    if not assets:
        raise SystemExit(f"no step {step}")
    selection = " or ".join(f'key:"{k.to_user_string()}"' for a in assets for k in a.keys)
    return _pipeline(folder, selection)


def _relational(folder: Path, stage: str) -> dict:
    from parcours.engine import connect
    from parcours.ingest import ingest_events
    from parcours.ingest.resolve import apply_resolutions, describe_log
    from parcours.instances import journey_instances_in_passes
    from parcours.mining import directly_follows, variants
    from parcours.settings import load_settings, parse_assignments
    from parcours.value.rfm import default_landmark, rfm_summary

    conf = load_settings(HERE.parent / "conf", parse_assignments(overrides(folder)))
    out = folder / "relational"
    out.mkdir(exist_ok=True)
    con = connect(out / "engine.duckdb", memory_limit="2GB")
    events_file, instances_file = out / "event_log.parquet", out / "journey_instances.parquet"

    def run() -> dict:
        if stage == "ingest":
            result = ingest_events(con, conf.ingest, conf.ingest.path)
            result.events.to_parquet(events_file)
            result.quarantine.to_csv(out / "quarantine.csv")
            (out / "ingest_summary.json").write_text(json.dumps(result.summary.to_dict(), default=str))
            return {"rows": result.summary.clean}
        events = con.read_parquet(str(events_file))
        if stage == "log_profile":  # as the log_profile asset: the profile, and the auto settings resolved from it
            summary = json.loads((out / "ingest_summary.json").read_text())
            (out / "log_profile.json").write_text(json.dumps(describe_log(events, summary, conf), default=str))
            return {}
        settings = apply_resolutions(conf, json.loads((out / "log_profile.json").read_text())["resolved"])
        if stage == "journey_instances":
            table = journey_instances_in_passes(con, events, settings.episodes)  # as the journey_instances asset
            table.to_parquet(instances_file)
        elif stage == "process_map":
            table = directly_follows(con.read_parquet(str(instances_file)))
        elif stage == "variants":
            table = variants(con.read_parquet(str(instances_file)))
        else:
            value = settings.value
            table = rfm_summary(events, default_landmark(events, value.horizon_months),
                                purchase_activities=value.purchase_activities,
                                return_activities=value.return_activities, returns=value.returns,
                                time_unit=value.time_unit)
        if stage != "journey_instances":
            table.to_csv(out / f"{stage}.csv")
        return {}

    return timed(run)


def _pm4py(folder: Path, stage: str) -> dict:
    """pm4py on the clean event log parcours wrote, with each event's journey instance as the case."""
    import pandas as pd
    import pm4py

    steps_file = folder / "pm4py_steps.parquet"
    if not steps_file.exists():  # preparation, not timed: the instances parcours cut, one token per event
        _prepare_pm4py_steps(folder, steps_file)

    def load() -> pd.DataFrame:
        frame = pd.read_parquet(steps_file)
        return pm4py.format_dataframe(frame, case_id="case", activity_key="token", timestamp_key="ts")

    if stage == "load":
        return timed(lambda: {"rows": len(load())})
    frame = load()
    work = {"dfg": lambda: {"edges": len(pm4py.discover_dfg(frame)[0])},
            "variants": lambda: {"variants": len(pm4py.get_variants(frame))},
            "inductive_miner": lambda: {"tree": len(str(pm4py.discover_process_tree_inductive(frame)))}}[stage]
    return timed(work)


def _prepare_pm4py_steps(folder: Path, target: Path) -> None:
    from parcours.engine import connect
    from parcours.instances import episode_steps
    from parcours.settings import load_settings, parse_assignments

    conf = load_settings(HERE.parent / "conf", parse_assignments(overrides(folder)))
    con = connect()
    steps = episode_steps(con.read_parquet(str(folder / "out" / "event_log.parquet")), conf.episodes)
    steps = steps.filter(steps.is_step)
    steps.select(case=steps.journey_instance_id, token=steps.token, ts=steps.ts,
                 event_seq=steps.event_seq).order_by(["case", "ts", "event_seq"]).to_parquet(target)


# --- the driver ----------------------------------------------------------------------------------------------


def measure(kind: str, folder: Path, name: str, timeout_s: float) -> dict:
    """One case in a fresh process; a case past ``timeout_s`` is recorded as such."""
    try:
        done = subprocess.run([sys.executable, __file__, "--one", kind, str(folder), name], capture_output=True,
                              text=True, timeout=timeout_s, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    except subprocess.TimeoutExpired:
        return {"timeout_s": timeout_s}
    if done.returncode != 0:
        raise SystemExit(f"{kind} {name} on {folder.name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_size(n_events: int, relational_only: bool, timeout_s: float,
               cases: tuple[str, ...] = ("steps", "pm4py", "whole")) -> list[dict]:
    folder = make_log(n_events)
    rows_in = sum(1 for _ in (folder / "events.csv").open()) - 1
    customers = sum(1 for _ in (folder / "customers_truth.csv").open()) - 1
    base = {"events": rows_in, "customers": customers}
    rows = []
    if relational_only:
        for stage in RELATIONAL:
            rows.append({**base, "case": "parcours-relational", "stage": stage,
                         **measure("relational", folder, stage, timeout_s)})
            print(rows[-1], flush=True)
        return rows
    for fresh in ("home", "out"):
        shutil.rmtree(folder / fresh, ignore_errors=True)
    for step in STEPS if "steps" in cases else []:
        rows.append({**base, "case": "parcours-steps", "stage": step, **measure("step", folder, step, timeout_s)})
        print(rows[-1], flush=True)
    if "whole" in cases:
        shutil.rmtree(folder / "out", ignore_errors=True)
        whole = measure("whole", folder, "all", timeout_s)
        rows.append({**base, "case": "parcours-whole", "stage": "all",
                     **{k: v for k, v in whole.items() if k != "steps"}})
        for step in whole.get("steps", []):
            rows.append({**base, "case": "parcours-whole-step", "stage": step["step"], "wall_s": step["wall_s"],
                         "cpu_s": step["cpu_s"], "peak_mib": step["peak_rss_mib"]})
        print(rows[-1], flush=True)
    if "pm4py" in cases and not (folder / "out" / "event_log.parquet").exists():
        measure("step", folder, "ingested_events", timeout_s)  # pm4py reads the clean log parcours wrote
    for stage in PM4PY if "pm4py" in cases else []:
        rows.append({**base, "case": "pm4py", "stage": stage, **measure("pm4py", folder, stage, timeout_s)})
        print(rows[-1], flush=True)
    return rows


def save(rows: list[dict]) -> None:
    """Merge into results/pipeline.json, replacing earlier rows of the same size, case and stage."""
    old = json.loads(RESULTS.read_text())["rows"] if RESULTS.exists() else []
    def key(row: dict) -> tuple:
        return row["events"], row["case"], row["stage"], row.get("settings", "")

    keys = {key(r) for r in rows}
    merged = [r for r in old if key(r) not in keys] + rows
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"machine": machine(), "rows": merged}, indent=1))


def machine() -> dict:
    from importlib.metadata import version

    packages = ["duckdb", "ibis-framework", "pandas", "pm4py", "dagster", "pymc-marketing", "scikit-learn", "hdbscan"]
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M"),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            **{p: version(p) for p in packages}}


def tables(rows: list[dict]) -> str:
    """The results as the markdown tables of BENCHMARKS.md: the whole run per size, its steps, pm4py, relational."""
    def fmt(value) -> str:
        return "–" if value is None else f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"

    sizes = sorted({r["events"] for r in rows if r["case"] == "parcours-whole" and not r.get("settings")})
    out = ["| step | " + " | ".join(f"{n:,} events: wall s / CPU s / peak MiB" for n in sizes) + " |",
           "|---|" + "---|" * len(sizes)]
    cell = {(r["events"], r["stage"]): r for r in rows if r["case"] == "parcours-whole-step" and not r.get("settings")}
    for step in STEPS:
        values = [cell.get((n, step)) for n in sizes]
        shown = ["–" if v is None else f"{v['wall_s']:.1f} / {v['cpu_s']:.1f} / {v['peak_mib']:,.0f}" for v in values]
        out.append(f"| {step} | " + " | ".join(shown) + " |")
    whole = {r["events"]: r for r in rows if r["case"] == "parcours-whole" and not r.get("settings")}
    out.append("| **whole run** | " + " | ".join(
        f"**{whole[n]['wall_s']:.1f}** / {whole[n]['cpu_s']:.1f} / {whole[n]['peak_mib']:,}" for n in sizes) + " |")
    out += ["", "| events | case | stage | wall s | CPU s | peak MiB | settings |", "|---:|---|---|---:|---:|---:|---|"]
    for r in sorted((r for r in rows if r["case"] in ("pm4py", "parcours-relational", "parcours-whole")),
                    key=lambda r: (r["events"], r["case"], r.get("settings", ""))):
        if "timeout_s" in r:
            out.append(f"| {r['events']:,} | {r['case']} | {r['stage']} | > {r['timeout_s']:.0f} | – | – | |")
            continue
        out.append(f"| {r['events']:,} | {r['case']} | {r['stage']} | {fmt(r['wall_s'])} | {fmt(r['cpu_s'])} | "
                   f"{fmt(r['peak_mib'])} | {r.get('settings', '')} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000, 5_000_000])
    parser.add_argument("--relational-sizes", type=int, nargs="*", default=[20_000_000])
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds allowed to one case")
    parser.add_argument("--cases", nargs="*", default=["steps", "pm4py", "whole"],
                        choices=["steps", "pm4py", "whole"], help="what to measure at --sizes")
    parser.add_argument("--set", nargs="*", default=[], dest="sets", metavar="SECTION.KEY=VALUE",
                        help="settings for every parcours case (recorded with the results)")
    parser.add_argument("--one", nargs=3, metavar=("KIND", "FOLDER", "NAME"), help=argparse.SUPPRESS)
    parser.add_argument("--table", action="store_true", help="print the recorded results as markdown tables")
    args = parser.parse_args()
    if args.table:
        print(tables(json.loads(RESULTS.read_text())["rows"]))
        return
    if args.one:
        kind, folder, name = args.one
        run = {"step": _step, "whole": lambda f, _: _pipeline(f, None), "relational": _relational,
               "pm4py": _pm4py}[kind]
        print(json.dumps(run(Path(folder), name)))
        return
    os.environ["PARCOURS_BENCH_SET"] = json.dumps(args.sets)
    for n_events in args.sizes:
        rows = bench_size(n_events, relational_only=False, timeout_s=args.timeout, cases=tuple(args.cases))
        save([{**row, "settings": " ".join(args.sets)} for row in rows])
    for n_events in args.relational_sizes:
        save(bench_size(n_events, relational_only=True, timeout_s=args.timeout))


if __name__ == "__main__":
    main()
