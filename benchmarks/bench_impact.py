"""Journey impact at 10k and 100k customers, beside econml's LinearDRLearner on the same covariates.

The data is the demo generator's (confounded journey choice, known potential outcomes), with the
planted journeys as the treatments plus a "placebo" journey of random customers (10%). Cached in
data/impact-<n>/ (the ingested event log, its journey instances, the planted labels and the truth).

- parcours: ``estimate_journey_impact`` with the default settings: the target-trial design on
  DuckDB (covariates, outcome, placebo outcome, treatments), then per journey cross-fitted AIPW
  (5 folds), the permuted-label and placebo-outcome refutations, balance, BH q-values.
- peer: econml's ``LinearDRLearner`` (the doubly robust learner, a constant final model: the ATE)
  with the same gradient-boosting nuisance models and 5 folds, per journey, on the covariates,
  treatments and outcome parcours built (their construction is timed apart as ``design_s``). No
  refutations, balance or FDR control.

The planted labels are those of each customer's window journey (``parcours.synthetic.journeys.planted_labels``);
the customers' orders around it are no journey.
Coverage is against the exact effect of "journey k versus the rest" (``versus_rest_effects``) over
the customers each estimate is averaged over (parcours: the common support; econml: everyone).
Run: ``python benchmarks/bench_impact.py [--sizes 10000 100000]`` (econml: ``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from bench_ingest import DATA, measure_cases, timed

CASES = ("parcours", "econml-LinearDRLearner")
PLACEBO = 99


def prepare(customers: int) -> Path:
    """Generate, ingest and label the demo log once (Parquet and CSV files under data/impact-<n>/)."""
    import ibis
    import numpy as np
    import pandas as pd

    from parcours.ingest import ingest_events
    from parcours.instances import journey_instances
    from parcours.settings import EpisodeSettings, IdentitySettings, IngestSettings
    from parcours.synthetic import generate_demo_log
    from parcours.synthetic.journeys import is_window_journey, planted_labels

    folder = DATA / f"impact-{customers}"
    if (folder / "assignments.parquet").exists():
        return folder
    paths = generate_demo_log(customers, seed=1).write(folder)
    settings = IngestSettings(identity=IdentitySettings(path=str(paths["identities.csv"])))
    events = ingest_events(ibis.duckdb.connect(), settings, paths["events.csv"]).events
    events.to_parquet(folder / "events.parquet")
    instances = journey_instances(events, EpisodeSettings())
    instances.to_parquet(folder / "instances.parquet")
    frame = instances.select("customer_id", "journey_instance_id", "start_ts").to_pandas()
    truth = pd.read_csv(paths["customers_truth.csv"])
    labelled = planted_labels(frame, truth)
    chosen = set(truth.customer_id[np.random.default_rng(2).random(len(truth)) < 0.1])
    window = frame[is_window_journey(frame, truth) & frame.customer_id.isin(chosen)]
    assignments = pd.concat([labelled, window[["customer_id", "journey_instance_id"]].assign(
        journey_id=PLACEBO, probability=1.0)])
    assignments.to_parquet(folder / "assignments.parquet", index=False)
    return folder


def _inputs(folder: Path):
    import ibis
    import pandas as pd

    from parcours.synthetic import PLANTED

    con = ibis.duckdb.connect()
    journeys = pd.DataFrame({"journey_id": [*range(len(PLANTED)), PLACEBO],
                             "name": [*(j.name for j in PLANTED), "placebo"]})
    return (con.read_parquet(str(folder / "events.parquet")), con.read_parquet(str(folder / "instances.parquet")),
            con.read_parquet(str(folder / "assignments.parquet")), journeys)


def run_parcours(folder: Path) -> dict:
    from parcours.impact import estimate_journey_impact
    from parcours.settings import ImpactSettings, ValueSettings

    events, instances, assignments, journeys = _inputs(folder)
    impact = estimate_journey_impact(events, instances, assignments, journeys, ImpactSettings(), ValueSettings())
    rows = impact.table.set_index("journey_id")
    support = {j: impact.support.index[impact.support[j]] for j in impact.support.columns}
    return _score(folder, rows, support) | {"customers": len(impact.customers),
                                            "findings": int(impact.table.finding.sum())}


def run_peer(folder: Path) -> dict:
    import numpy as np
    import pandas as pd
    from econml.dr import LinearDRLearner

    from parcours.impact.causal import default_models
    from parcours.impact.design import journey_members, treatment_matrix, trial_design
    from parcours.impact.estimate import trial_data
    from parcours.settings import ImpactSettings, ValueSettings

    events, instances, assignments, journeys = _inputs(folder)
    start = time.perf_counter()
    impact, value = ImpactSettings(), ValueSettings()
    design = trial_design(events, impact, value)
    trial = trial_data(events, design, impact, value)
    treated = treatment_matrix(journey_members(instances, assignments, design), trial.covariates.index)
    design_s = time.perf_counter() - start
    w, rows = trial.covariates.to_numpy(), {}
    for journey in journeys.journey_id:
        propensity, regression = default_models(0)
        learner = LinearDRLearner(model_propensity=propensity, model_regression=regression, cv=5, random_state=0)
        learner.fit(trial.outcome, treated[journey].to_numpy(), X=None, W=w)
        low, high = learner.ate_interval(alpha=0.05)
        rows[journey] = {"effect": float(learner.ate()), "ci_low": float(np.ravel(low)[0]),
                         "ci_high": float(np.ravel(high)[0])}
    table = pd.DataFrame.from_dict(rows, orient="index")
    everyone = {j: trial.covariates.index for j in journeys.journey_id}
    return _score(folder, table, everyone) | {"customers": len(trial.covariates), "design_s": round(design_s, 2)}


def _score(folder: Path, table, populations: dict) -> dict:
    """Coverage and mean absolute error of the planted journeys' estimates; the placebo's estimate."""
    import pandas as pd

    from parcours.synthetic import PLANTED, versus_rest_effects

    truth_table = pd.read_csv(folder / "customers_truth.csv")
    covered, errors = 0, []
    for k, journey in enumerate(PLANTED):
        truth = versus_rest_effects(truth_table, populations[k])[journey.name]
        row = table.loc[k]
        covered += int(row.ci_low <= truth <= row.ci_high)
        errors.append(abs(row.effect - truth))
    placebo = table.loc[PLACEBO]
    return {"covered": f"{covered}/{len(PLANTED)}", "mean_abs_error": round(sum(errors) / len(errors), 2),
            "placebo_ci": [round(placebo.ci_low, 1), round(placebo.ci_high, 1)]}


def _one(case: str, customers: int) -> None:
    import parcours.impact as stage  # its names load on first use: all of them, before measuring
    for name in stage.__all__:
        getattr(stage, name)

    if case != "parcours":
        import econml.dr  # noqa: F401
    folder = prepare(customers)
    print(json.dumps(timed(run_parcours if case == "parcours" else run_peer, folder)))


def main() -> None:
    measure_cases(__file__, __doc__, CASES, [10_000, 100_000], _one)


if __name__ == "__main__":
    main()
