# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Discovered journeys: what they are, how sure we are, and how they were found
#
# Opens the last run's journeys (`$PARCOURS_HOME/demo/output`, or `PARCOURS_OUTPUT`) and its quality
# numbers (from the MLflow run it logged into). With `PARCOURS_NOTEBOOK_RECOMPUTE=1` it runs journey
# discovery again with the library on the run's input. On the demo log it also compares the journeys
# with the planted ones.

# %%

import pandas as pd
import plotly.io as pio
from sklearn.metrics import adjusted_rand_score

from parcours import paths
from parcours.journeys import NOISE
from parcours.journeys.figures import first_steps_sankey, journey_sizes_figure
from parcours.outputs import RunOutputs, ingest_run_input, recompute_requested

pio.renderers.default = "plotly_mimetype+notebook"
RECOMPUTE = recompute_requested()

if RECOMPUTE:
    from parcours.instances import journey_instances
    from parcours.journeys import discover_journeys
    from parcours.mining import variants

    settings, ingested = ingest_run_input()
    instances_table = journey_instances(ingested.events, settings.episodes)
    discovery = discover_journeys(variants(instances_table).to_pandas(), settings.journeys)
    journeys, clusters, quality = discovery.journeys, discovery.variants, pd.Series(discovery.quality)
    instances = instances_table.select("customer_id", "start_ts", "tokens").to_pandas()
    demo = not settings.ingest.path
else:
    run = RunOutputs()
    journeys, clusters, instances = run["journeys"], run["journey_clusters"], run["journey_instances"]
    quality = run.metrics("journeys.")
    demo = run.folder == paths.default_output_dir()
print(f"{len(clusters):,} distinct sequences → {len(journeys)} journeys")

# %% [markdown]
# ## The journeys, largest first

# %%
journeys[["journey_id", "name", "n_instances", "share", "representative", "distinguishing"]]

# %%
journey_sizes_figure(journeys, int(clusters["count"][clusters.journey_id.eq(NOISE)].sum()))

# %% [markdown]
# ## How sure we are: noise, silhouette, bootstrap stability

# %%
quality.round(3)

# %% [markdown]
# ## The first steps of the largest journey

# %%
largest = journeys.iloc[0]
first_steps_sankey(clusters[clusters.journey_id == largest.journey_id],
                   title=f"{largest.journey_id}: {largest['name']}")

# %% [markdown]
# ## Planted versus discovered (demo log only)
#
# The demo generator plants six journeys in the observation window; the adjusted Rand index
# compares them with the discovered ones, and random walkers should mostly be noise.

# %%
truth_json = paths.demo_dir() / "truth.json"
if demo and truth_json.exists():
    window = pd.to_datetime(pd.read_json(truth_json, typ="series")["windows"]["observation"], utc=True)
    truth = pd.read_csv(paths.demo_dir() / "customers_truth.csv")
    frame = instances[["customer_id", "start_ts", "tokens"]].assign(variant=instances.tokens.map(" → ".join))
    frame = frame.merge(clusters[["variant", "journey_id"]], on="variant").merge(truth, on="customer_id")
    frame = frame[(frame.start_ts >= window[0]) & (frame.start_ts < window[1])]
    planted = frame[frame.planted_journey != "none"]
    walkers = frame[frame.planted_journey == "none"]
    print("adjusted Rand index:", round(adjusted_rand_score(planted.planted_journey, planted.journey_id), 3))
    print("random walkers labelled noise:", round((walkers.journey_id == NOISE).mean(), 3))
    print(pd.crosstab(planted.planted_journey, planted.journey_id).to_string())
