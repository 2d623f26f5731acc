"""Journey impact under continuous entry: the gate's error rates over seeds, and the step's use of the cores.

``--gate``: the four scenarios of issue 21, over seeds, each estimate against its exact truth.

- (a) ``measured``: customers enter one journey at any time of six months after a year of orders;
  the choice follows their order history (a value proxy the log shows);
- (b) ``unmeasured``: the same, with ``cart_abandon`` (no effect) chosen by an unmeasured change of
  pace that also raises the orders: its estimate is wrong and the gate must refuse it;
- (c) ``overlapping``: several journeys per customer, at overlapping times;
- (d) ``demo``: the demo generator (journeys all in one window), plus a random "placebo" journey.

Scenarios (a)-(c) are :mod:`parcours.synthetic.entry`, run through
:func:`parcours.synthetic.entry_trial.score_entry_log` (planted labels, default impact settings);
(d) is the tests' ``planted_trial``. An estimate is *correct* when its 95% interval holds the truth
(and it is not (b)'s confounded journey), *wrong* otherwise; the gate is ``overlap_ok`` and
``refutation_ok``; a finding is the gate and q < 0.05. *Strong* journeys have a truth at least 3
standard errors from 0.

``--cores``: wall and CPU seconds of ``estimate_journey_impact`` on (a) at 6,000 and 50,000
customers, with ``impact.n_jobs`` auto and fixed, alone and beside a second CPU-bound process
(``python -c "while True: pass"``), each case in a fresh process, one at a time. Before issue 21
the step let OpenMP take every core (``n_jobs`` 2 here): that is the peer.

Run: ``python benchmarks/bench_impact_entry.py --gate`` (about 25 minutes) and ``--cores``
(about 8); results in results/impact_entry_gate.json and results/impact_entry_cores.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_ingest import timed

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the demo scenario is the tests' planted trial
GATE_RUNS = (("measured", 6_000, 20), ("measured", 50_000, 3), ("unmeasured", 6_000, 20),
             ("overlapping", 6_000, 20), ("demo", 6_000, 10))
RUNS = HERE / "results" / "impact_entry_runs.csv"
CORE_CASES = [(size, jobs, busy) for size, other in ((6_000, 2), (50_000, 1)) for jobs in ("auto", other)
              for busy in (False, True)]


def scenario_table(scenario: str, customers: int, seed: int):
    """One seed's journeys: the step's table with ``truth``, ``covered``, ``strong`` and ``wrong``."""
    from parcours.synthetic.entry import CONFOUNDED, generate_entry_log
    from parcours.synthetic.entry_trial import score_entry_log

    if scenario == "demo":
        return _demo_table(customers, seed)
    table = score_entry_log(generate_entry_log(customers, scenario, seed)).table
    confounded = (scenario == "unmeasured") & table.name.eq(CONFOUNDED)
    return table.assign(confounded=confounded, wrong=table.effect.notna() & (~table.covered | confounded))


def _demo_table(customers: int, seed: int):
    from tests.lib.impact.conftest import PLACEBO_ID, planted_trial

    from parcours.impact import estimate_journey_impact
    from parcours.settings import ImpactSettings, ValueSettings
    from parcours.synthetic import versus_rest_effects
    from parcours.synthetic.entry_trial import against_truth

    with tempfile.TemporaryDirectory() as folder:
        trial = planted_trial(customers, seed, Path(folder))
        impact = estimate_journey_impact(trial.events, trial.instances, trial.assignments, trial.journeys,
                                         ImpactSettings(), ValueSettings())
    truth = {row.journey_id: 0.0 if row.journey_id == PLACEBO_ID else versus_rest_effects(
        trial.log.customers, impact.support.index[impact.support[row.journey_id]])[row.name]
        for row in impact.table.itertuples()}
    table = against_truth(impact.table, impact.table.journey_id.map(truth))
    return table.assign(confounded=False, wrong=~table.covered)


def gate_summary(rows) -> dict:
    """The gate's error rates over one scenario's estimates (see the module docstring).

    ``false_discoveries`` are the findings that claim the wrong thing: (b)'s confounded journey, or a
    sign the truth does not have (a truth of exactly 0 included).
    """
    import numpy as np

    rows = rows[rows.effect.notna()]
    gate = rows.overlap_ok & rows.refutation_ok
    correct, wrong, strong = ~rows.wrong, rows.wrong, rows.strong & ~rows.confounded
    confounded = rows[rows.confounded]
    return {"estimates": len(rows), "coverage": _share(rows.covered[~rows.confounded]),
            "correct_refused": _share(~gate[correct]), "wrong": int(wrong.sum()),
            "wrong_passed": _share(gate[wrong]), "wrong_findings": int((rows.finding & wrong).sum()),
            "strong": int(strong.sum()), "strong_findings": int((rows.finding & strong).sum()),
            "strong_refused": int((~gate & strong).sum()),
            "false_discoveries": int((rows.finding & (rows.confounded | (np.sign(rows.effect) != np.sign(rows.truth))))
                                     .sum()),
            "confounded_findings": f"{int(confounded.finding.sum())}/{len(confounded)}" if len(confounded) else "",
            "trimmed_share_max": round(float(rows.trimmed_share.max()), 3)}


def _share(flags) -> float | None:
    return round(float(flags.mean()), 3) if len(flags) else None


def run_gate() -> None:
    import pandas as pd

    tables = []
    for scenario, customers, seeds in GATE_RUNS:
        for seed in range(seeds):
            table = scenario_table(scenario, customers, seed)
            tables.append(table.assign(scenario=scenario, customers=customers, seed=seed))
            print(scenario, customers, seed, int(table.finding.sum()), "findings", flush=True)
    columns = ["scenario", "customers", "seed", "journey_id", "name", "n_treated", "effect", "ci_low", "ci_high",
               "std_error", "truth", "covered", "strong", "q_value", "overlap_ok", "refutation_ok", "finding",
               "trimmed_share", "not_at_risk_share", "placebo_treatment_p", "placebo_outcome_effect",
               "placebo_outcome_p"]
    runs = pd.concat(tables, ignore_index=True)
    runs[[*columns, "confounded", "wrong"]].to_csv(RUNS, index=False)
    summarise()


def summarise() -> None:
    """results/impact_entry_gate.json from the per-journey rows the last ``--gate`` run kept."""
    import pandas as pd

    runs, summary = pd.read_csv(RUNS), []
    for (scenario, customers), rows in runs.groupby(["scenario", "customers"], sort=False):
        summary.append({"scenario": scenario, "customers": int(customers), "seeds": int(rows.seed.nunique()),
                        **gate_summary(rows)})
        print(json.dumps(summary[-1]), flush=True)
    (HERE / "results" / "impact_entry_gate.json").write_text(json.dumps({"rows": summary}, indent=2))


def one_core_case(customers: int, n_jobs: str, busy: bool) -> dict:
    """Time the step alone on a scenario (a) log of ``customers`` (generated before the clock starts)."""
    from parcours.impact import estimate_journey_impact
    from parcours.settings import ImpactSettings, ValueSettings
    from parcours.synthetic.entry import generate_entry_log
    from parcours.synthetic.entry_trial import entry_inputs

    inputs = entry_inputs(generate_entry_log(customers, "measured", seed=0))
    impact = ImpactSettings(n_jobs=n_jobs if n_jobs == "auto" else int(n_jobs))
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    try:
        scored = timed(lambda: {"findings": int(estimate_journey_impact(*inputs, impact, ValueSettings())
                                                 .table.finding.sum())})
    finally:
        if spinner:
            spinner.kill()
    return {"customers": customers, "n_jobs": n_jobs, "busy": busy, **scored}


def run_cores() -> None:
    rows = []
    for customers, jobs, busy in CORE_CASES:
        done = subprocess.run([sys.executable, __file__, "--one", str(customers), str(jobs), str(busy)],
                              cwd=HERE, capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    (HERE / "results" / "impact_entry_cores.json").write_text(json.dumps({"rows": rows}, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gate", action="store_true")
    parser.add_argument("--cores", action="store_true")
    parser.add_argument("--summarise", action="store_true", help="the summary again, from the last --gate rows")
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_core_case(int(args.one[0]), args.one[1], args.one[2] == "True")))
    if args.gate:
        run_gate()
    elif args.summarise:
        summarise()
    if args.cores:
        run_cores()


if __name__ == "__main__":
    main()
