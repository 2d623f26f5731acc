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
# Runs journey discovery with the library on the event log a run used (by default the demo log
# under `$PARCOURS_HOME/demo`, generated here if missing). On the demo log it also compares the
# journeys with the planted ones. Open it with `jupytext --to notebook notebooks/02_journeys.py`.

# %%
import os

import pandas as pd
from sklearn.metrics import adjusted_rand_score

from parcours import paths
from parcours.config import load_settings
from parcours.engine import connect
from parcours.eventlog import ingest_events, resolve_input
from parcours.eventlog.episodes import journey_instances
from parcours.journeys import NOISE, discover_journeys
from parcours.journeys.figures import first_steps_sankey, journey_sizes_figure
from parcours.mining import variants
from parcours.synthetic import ensure_demo_log

settings = load_settings(paths.conf_dir())
ensure_demo_log(settings, int(os.environ.get("PARCOURS_NOTEBOOK_CUSTOMERS", 0)) or None)
path, ingest_settings = resolve_input(settings.ingest)
con = connect()
events = ingest_events(con, ingest_settings, path).events
instances = journey_instances(events, settings.episodes)
table = variants(instances).to_pandas()
discovery = discover_journeys(table, settings.journeys)
print(f"{len(table):,} distinct sequences → {len(discovery.journeys)} journeys")

# %% [markdown]
# ## The journeys, largest first

# %%
discovery.journeys[["journey_id", "name", "n_instances", "share", "representative", "distinguishing"]]

# %%
journey_sizes_figure(discovery.journeys, int(table["count"][discovery.variants.journey_id.eq(NOISE)].sum()))

# %% [markdown]
# ## How sure we are: noise, silhouette, bootstrap stability

# %%
pd.Series(discovery.quality).round(3)

# %% [markdown]
# ## The first steps of the largest journey

# %%
largest = discovery.journeys.iloc[0]
first_steps_sankey(discovery.variants[discovery.variants.journey_id == largest.journey_id],
                   title=f"{largest.journey_id}: {largest.name}")

# %% [markdown]
# ## Planted versus discovered (demo log only)
#
# The demo generator plants six journeys in the observation window; the adjusted Rand index
# compares them with the discovered ones, and random walkers should mostly be noise.

# %%
truth_json = paths.demo_dir() / "truth.json"
if not settings.ingest.path and truth_json.exists():
    window = pd.to_datetime(pd.read_json(truth_json, typ="series")["windows"]["observation"], utc=True)
    truth = pd.read_csv(paths.demo_dir() / "customers_truth.csv")
    frame = instances.select("customer_id", "start_ts", "tokens").to_pandas()
    frame["variant"] = frame.tokens.map(" → ".join)
    frame = frame.merge(discovery.variants[["variant", "journey_id"]], on="variant").merge(truth, on="customer_id")
    frame = frame[(frame.start_ts >= window[0]) & (frame.start_ts < window[1])]
    planted = frame[frame.planted_journey != "none"]
    walkers = frame[frame.planted_journey == "none"]
    print("adjusted Rand index:", round(adjusted_rand_score(planted.planted_journey, planted.journey_id), 3))
    print("random walkers labelled noise:", round((walkers.journey_id == NOISE).mean(), 3))
    print(pd.crosstab(planted.planted_journey, planted.journey_id).to_string())
