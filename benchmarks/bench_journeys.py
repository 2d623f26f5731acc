"""Journey discovery at 100k and 500k customers, beside weighted k-medoids on the same variants and
HDBSCAN on one row per journey instance.

All start from the same journey instances of the demo generator (cached in data/journeys-<n>/).

- parcours: ``discover_journeys`` on the de-duplicated variants (the demo's purchase activity,
  ``order``, as the pipeline resolves it: density seeds, the representativeness curve, refined
  medoids, rule journeys, names, families, classifier); once without and once with the bootstrap
  stability (5 resamples).
- weighted-kmedoids: the textbook baseline on the same paths discovery summarises (the same sample
  and cap), with as many medoids as discovery found journeys: the distances to the candidate
  medoids, greedy build, swaps. Its representativeness is the one discovery must match.
- peer: the same features computed for every instance (no de-duplication) and ``hdbscan.HDBSCAN``
  on one row per instance with min_cluster_size = 0.5% of the rows, as one would do without the
  variant trick. It runs under a time limit; a case past it is recorded as not finished.

Each case runs in its own process; peak memory is its VmHWM.
Run: ``python benchmarks/bench_journeys.py [--sizes 100000 500000] [--peer-timeout 900]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from bench_ingest import DATA, timed

HERE = Path(__file__).resolve().parent
CASES = ("parcours", "parcours+stability", "weighted-kmedoids", "hdbscan-per-instance")
_LAST: dict = {}
_LAST_K: dict[int, int] = {}


def prepare(customers: int) -> dict[str, Path]:
    """Generate and ingest the demo log once; store its instances and variants as Parquet."""
    from parcours.engine import connect
    from parcours.ingest import ingest_events
    from parcours.instances import journey_instances
    from parcours.mining import variants
    from parcours.settings import EpisodeSettings, IngestSettings
    from parcours.synthetic import generate_demo_log

    folder = DATA / f"journeys-{customers}"
    paths = {"instances": folder / "instances.parquet", "variants": folder / "variants.parquet"}
    if not all(p.exists() for p in paths.values()):
        folder.mkdir(parents=True, exist_ok=True)
        written = generate_demo_log(customers, seed=1).write(folder)
        con = connect(memory_limit="4GB")
        events = ingest_events(con, IngestSettings(), written["events.csv"]).events
        instances = con.create_table("instances", journey_instances(events, EpisodeSettings()), temp=True)
        instances.select("customer_id", "journey_instance_id", "start_ts", "tokens", "duration_s").to_parquet(
            paths["instances"])
        variants(instances).to_parquet(paths["variants"])
    return paths


def run_parcours(paths: dict[str, Path], rounds: int) -> dict:
    import pandas as pd

    from parcours.journeys import discover_journeys
    from parcours.settings import JourneySettings

    discovery = discover_journeys(pd.read_parquet(paths["variants"]), JourneySettings(bootstrap_rounds=rounds),
                                  purchases=["order"])
    quality = discovery.quality
    _LAST["clusters"] = discovery.variants
    return {"rows": int(quality["variants"]), "journeys": int(quality["journeys"]),
            "journeys_discovered": int(quality["journeys_discovered"]), "coverage": round(quality["coverage"], 4),
            "noise_share": round(quality["noise_share"], 4),
            "representativeness": round(quality["representativeness"], 4),
            "representativeness_kmedoids": round(quality["representativeness_kmedoids"], 4),
            "stability": round(quality["stability"], 4) if rounds else None}


def run_kmedoids(paths: dict[str, Path], k: int) -> dict:
    """Weighted k-medoids with ``k`` medoids on the paths discovery summarises."""
    import numpy as np
    import pandas as pd

    from parcours.journeys.discover import sample_weights
    from parcours.journeys.medoids import path_distances, weighted_kmedoids
    from parcours.journeys.rules import ONE_STEP, PURCHASE_KINDS, rule_kind
    from parcours.settings import JourneySettings

    settings = JourneySettings()
    table = pd.read_parquet(paths["variants"]).sort_values(["count", "variant"], ascending=[False, True])
    weights = sample_weights(table["count"].to_numpy(), settings.sample_instances, settings.seed)
    chosen = np.flatnonzero(weights > 0)[:settings.max_variants]
    sequences = [table.variant.iloc[i].split(" → ") for i in chosen]
    pool = [i for i, s in enumerate(sequences)
            if rule_kind(s, ["order"], settings.min_tokens, (*PURCHASE_KINDS, ONE_STEP)) is None]
    points = [sequences[i] for i in pool]
    distances = path_distances(points, points[:settings.medoid_candidates])
    fit = weighted_kmedoids(distances, weights[chosen][pool].astype(float), k)
    return {"rows": len(points), "journeys": k, "representativeness": round(fit.cost, 4)}


def _recovery(paths: dict[str, Path], clusters) -> dict[str, float]:
    """Adjusted Rand index between planted and discovered journeys of the observation window's
    planted instances, and the share of random walkers' instances labelled noise (computed after
    the clock and the peak memory reading)."""
    import pandas as pd
    from sklearn.metrics import adjusted_rand_score

    folder = paths["instances"].parent
    window = pd.to_datetime(pd.read_json(folder / "truth.json", typ="series")["windows"]["observation"], utc=True)
    frame = pd.read_parquet(paths["instances"], columns=["customer_id", "start_ts", "tokens"])
    frame = frame[(frame.start_ts >= window[0]) & (frame.start_ts < window[1])]
    frame = frame.assign(variant=frame.tokens.map(" → ".join)).merge(clusters[["variant", "journey_id"]], on="variant")
    frame = frame.merge(pd.read_csv(folder / "customers_truth.csv", usecols=["customer_id", "planted_journey"]),
                        on="customer_id")
    planted, walkers = frame[frame.planted_journey != "none"], frame[frame.planted_journey == "none"]
    return {"ari_planted": round(float(adjusted_rand_score(planted.planted_journey, planted.journey_id)), 3),
            "planted_noise": round(float((planted.journey_id == -1).mean()), 3),
            "walkers_noise": round(float((walkers.journey_id == -1).mean()), 3)}


def run_peer(paths: dict[str, Path]) -> dict:
    import hdbscan
    import numpy as np
    import pandas as pd

    from parcours.journeys.features import journey_features, variant_frame

    frame = pd.read_parquet(paths["instances"])
    sequences = [list(t) for t in frame.tokens]
    durations = frame.duration_s.to_numpy(dtype=float)
    vectors = journey_features().fit_transform(variant_frame(sequences, durations))
    model = hdbscan.HDBSCAN(min_cluster_size=max(10, round(0.005 * len(frame))), min_samples=10).fit(vectors)
    return {"rows": len(frame), "journeys": int(model.labels_.max()) + 1,
            "noise_share": round(float(np.mean(model.labels_ == -1)), 4)}


def _one(case: str, customers: int) -> None:
    import hdbscan  # noqa: F401  (imports are not part of the measurement)
    import sklearn  # noqa: F401

    paths = prepare(customers)
    if case == "hdbscan-per-instance":
        print(json.dumps(timed(run_peer, paths)))
    elif case == "weighted-kmedoids":
        print(json.dumps(timed(run_kmedoids, paths, _LAST_K[customers])))
    else:
        result = timed(run_parcours, paths, 5 if case.endswith("stability") else 0)
        print(json.dumps({**result, **_recovery(paths, _LAST["clusters"])}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 500_000])
    parser.add_argument("--peer-timeout", type=float, default=900)
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES),
                        help="measure only these; the other cases' rows are kept from results/journeys.json")
    parser.add_argument("--one", nargs="+", metavar="CASE CUSTOMERS [K]")
    args = parser.parse_args()
    if args.one:
        if len(args.one) > 2:
            _LAST_K[int(args.one[1])] = int(args.one[2])
        _one(args.one[0], int(args.one[1]))
        return
    results = HERE / "results" / "journeys.json"
    kept = json.loads(results.read_text())["rows"] if results.exists() else []
    rows = [r for r in kept if r["case"] not in args.cases and r["customers"] in args.sizes]
    for customers in args.sizes:
        subprocess.run([sys.executable, "-c", f"import bench_journeys; bench_journeys.prepare({customers})"],
                       cwd=HERE, check=True)
        for case in args.cases:
            timeout = args.peer_timeout if case == "hdbscan-per-instance" else None
            try:
                k = [str(r["journeys_discovered"]) for r in rows
                     if r["customers"] == customers and r["case"] == "parcours" and "journeys_discovered" in r]
                done = subprocess.run([sys.executable, __file__, "--one", case, str(customers), *k[-1:]],
                                      cwd=HERE, capture_output=True, text=True, check=True, timeout=timeout)
                result = json.loads(done.stdout.strip().splitlines()[-1])
            except subprocess.TimeoutExpired:
                result = {"wall_s": None, "not_finished_after_s": timeout}
            rows.append({"customers": customers, "case": case, **result})
            print(json.dumps(rows[-1]), flush=True)
    order = {c: i for i, c in enumerate(CASES)}
    rows.sort(key=lambda r: (r["customers"], order[r["case"]]))
    results.write_text(json.dumps({"rows": rows}, indent=2))


if __name__ == "__main__":
    main()
