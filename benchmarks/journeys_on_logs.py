"""Discovery on logs we did not write and on generated ones shaped like them: the table of issue 22.

Every log goes the pipeline's way with the default settings: ingest, profile (the ``auto``
settings resolved from it, the activity folding among them), journey instances, variants,
discovery. Per log:

- journeys (and families), coverage (instances in a journey);
- representativeness (mean normalised token edit distance to the journey's medoid) beside weighted
  k-medoids with as many journeys on the same paths, and the ratio;
- purchase-only journeys (the rule's "buys once" / "buys repeatedly", plus any discovered journey whose
  medoid is a purchase path);
- the conversion split: the share of converting instances that sit in journeys where most convert,
  and of the others in journeys where most do not;
- for the demo, the adjusted Rand index against the planted journeys.

Run: ``python benchmarks/journeys_on_logs.py`` (about two minutes; one log at a time).
Writes ``benchmarks/results/journeys_on_logs.json`` and prints the Markdown table.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
LOGS = HERE.parent.parent / "shared" / "logs"
ECOM = {"customer_id": "user_id", "activity": "event", "ts": "timestamp", "channel": "platform"}


def _variants(path: Path, columns: dict, episodes: dict) -> tuple[pd.DataFrame, list[str], object]:
    import ibis

    from parcours.ingest import ingest_events
    from parcours.ingest.resolve import settled
    from parcours.instances import journey_instances
    from parcours.mining import variants
    from parcours.settings import EpisodeSettings, IngestSettings, Settings

    ingested = ingest_events(ibis.duckdb.connect(), IngestSettings(columns=columns), str(path))
    settings = settled(Settings(episodes=EpisodeSettings(**episodes)), ingested.events, has_revenue=True)
    instances = journey_instances(ingested.events, settings.episodes)
    return variants(instances).to_pandas(), list(settings.episodes.conversion_activities), instances


def _clickstream(folder: Path, url_pages: bool) -> Path:
    from parcours.synthetic.clickstream import generate_clickstream

    path = folder / f"clickstream{'_urls' if url_pages else ''}.csv"
    generate_clickstream(4_000, seed=3, url_pages=url_pages).drop(columns="intent").to_csv(path, index=False)
    return path


def _entry(folder: Path, scenario: str) -> Path:
    from parcours.synthetic.entry import generate_entry_log

    path = folder / f"entry_{scenario}.csv"
    generate_entry_log(6_000, scenario=scenario, seed=0).events.to_csv(path, index=False)
    return path


def cases(folder: Path) -> list[tuple[str, callable]]:
    """(log name, () → (variants, purchases, instances, demo log or None))."""
    def ecom(episodes):
        return lambda: (*_variants(LOGS / "ecom_clickstream" / "events.csv.gz", ECOM, episodes), None)

    def generated(url_pages, episodes):
        return lambda: (*_variants(_clickstream(folder, url_pages), {}, episodes), None)

    def entry(scenario):
        return lambda: (*_variants(_entry(folder, scenario), {}, {}), None)

    def demo():
        from parcours.synthetic import generate_demo_log

        log = generate_demo_log(5_000, seed=1)
        return (*_variants(log.write(folder / "demo")["events.csv"], {}, {}), log)

    return [
        ("ecom_clickstream, per user", ecom({"inactivity_gap_days": None})),
        ("ecom_clickstream, per session", ecom({"session_column": "session_id"})),
        ("generated shop, per session", generated(False, {"session_column": "session_id"})),
        ("generated shop, per user", generated(False, {"inactivity_gap_days": None})),
        ("generated shop with URL pages, per session", generated(True, {"session_column": "session_id"})),
        ("entry scenario (purchase history), measured", entry("measured")),
        ("entry scenario (purchase history), overlapping", entry("overlapping")),
        ("demo, 5,000 customers", demo),
    ]


def measure(name: str, load) -> dict:
    from parcours.journeys import discover_journeys
    from parcours.journeys.rules import purchase_path_kind
    from parcours.settings import JourneySettings
    from parcours.tokens import token_activity

    table, purchases, instances, log = load()
    start = time.perf_counter()
    discovery = discover_journeys(table, JourneySettings(), purchases=purchases)
    seconds = time.perf_counter() - start
    q, journeys = discovery.quality, discovery.journeys
    labelled = discovery.variants
    paths = labelled.variant.str.split(" → ")
    converts = np.array([any(token_activity(t) in purchases for t in p[1:]) for p in paths])
    buying = set(journeys.journey_id[journeys.conversion_share >= 0.5])
    in_buying = labelled.journey_id.isin(buying).to_numpy()
    weights = labelled["count"].to_numpy(float)
    purchase_only = sum(purchase_path_kind(m, purchases) is not None for m in discovery.medoids.values())
    row = {
        "log": name, "instances": int(weights.sum()), "variants": len(labelled), "journeys": len(journeys),
        "families": int(q["families"]), "coverage": q["coverage"], "noise_distance": q["noise_distance"],
        "representativeness": q["representativeness"], "kmedoids": q["representativeness_kmedoids"],
        "ratio": q["representativeness_ratio"], "purchase_only_journeys": int(purchase_only),
        "won": "density seeds" if q["seeded_by_density"] else "greedy build",
        "purchase_path_share": q["purchase_path_share"], "stability": q["stability"], "seconds": round(seconds, 2),
        "converting_in_buying_journeys": _share(weights, converts, in_buying),
        "others_in_leaving_journeys": _share(weights, ~converts, ~in_buying & (labelled.journey_id >= 0).to_numpy()),
        "largest": journeys.head(5)[["name", "n_instances", "conversion_share"]].to_dict("records"),
    }
    if log is not None:
        row["ari_planted"] = _planted_ari(discovery, log, instances)
    return row


def _share(weights: np.ndarray, who: np.ndarray, where: np.ndarray) -> float:
    return float(weights[who & where].sum() / weights[who].sum()) if weights[who].sum() else float("nan")


def _planted_ari(discovery, log, instances) -> float:
    from sklearn.metrics import adjusted_rand_score

    from parcours.synthetic.journeys import is_window_journey

    frame = instances.select("customer_id", "start_ts", "tokens").to_pandas()
    frame = frame.assign(variant=frame.tokens.map(" → ".join)).merge(
        discovery.variants[["variant", "journey_id"]], on="variant").merge(
        log.customers[["customer_id", "planted_journey"]], on="customer_id")
    frame = frame[is_window_journey(frame, log.customers)]
    planted = frame[frame.planted_journey != "none"]
    return float(adjusted_rand_score(planted.planted_journey, planted.journey_id))


def markdown(rows: list[dict]) -> str:
    head = ("| log | instances | journeys (families) | coverage | representativeness | k-medoids, same k | ratio "
            "| refined from | purchase-only journeys | converting in buying journeys | others in leaving journeys |\n"
            "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    lines = [head]
    for r in rows:
        extra = f" (ARI {r['ari_planted']:.2f})" if "ari_planted" in r else ""
        lines.append(f"| {r['log']}{extra} | {r['instances']:,} | {r['journeys']} ({r['families']}) "
                     f"| {r['coverage']:.1%} | {r['representativeness']:.3f} | {r['kmedoids']:.3f} | {r['ratio']:.3f} "
                     f"| {r['won']} "
                     f"| {r['purchase_only_journeys']} | {_pct(r['converting_in_buying_journeys'])} "
                     f"| {_pct(r['others_in_leaving_journeys'])} |")
    return "\n".join(lines)


def _pct(x: float) -> str:
    return "–" if x != x else f"{x:.0%}"


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, load in cases(Path(folder)):
            rows.append(measure(name, load))
            print(f"{name}: {rows[-1]['journeys']} journeys, coverage {rows[-1]['coverage']:.1%}, "
                  f"ratio {rows[-1]['ratio']:.3f}", flush=True)
    (HERE / "results" / "journeys_on_logs.json").write_text(json.dumps(rows, indent=2, default=str))
    print(markdown(rows))


if __name__ == "__main__":
    main()
