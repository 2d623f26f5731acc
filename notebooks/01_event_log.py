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
# # The event log: what came in, what was kept, and the journey instances it makes
#
# Reads the event log a run used (by default the demo log under `$PARCOURS_HOME/demo`; generated
# here if it is missing), ingests it with the library, and looks at where every row went and at
# the customers' journey instances. Open it with `jupytext --to notebook notebooks/01_event_log.py`
# or run it as a script.

# %%
import os
from collections import Counter

import pandas as pd

from parcours import paths
from parcours.config import load_settings
from parcours.engine import connect
from parcours.eventlog import ingest_events, resolve_input
from parcours.eventlog.episodes import describe_instances, journey_instances
from parcours.synthetic import ensure_demo_log

settings = load_settings(paths.conf_dir())
ensure_demo_log(settings, int(os.environ.get("PARCOURS_NOTEBOOK_CUSTOMERS", 0)) or None)
path, ingest_settings = resolve_input(settings.ingest)
con = connect()
result = ingest_events(con, ingest_settings, path)
summary = result.summary

# %% [markdown]
# ## Where every input row went

# %%
print(f"{path}: {summary.rows_in:,} rows → {summary.clean:,} clean, {summary.quarantined:,} quarantined, "
      f"{summary.duplicates:,} duplicates")
assert summary.accounts_for_every_row
pd.Series(summary.by_reason, name="rows").loc[lambda s: s > 0].sort_values(ascending=False)

# %%
result.quarantine.head(10).to_pandas()

# %% [markdown]
# ## Events by channel and activity

# %%
events = result.events
by_channel = events.group_by(["channel", "activity"]).aggregate(events=events.count()).order_by("channel")
by_channel.to_pandas().pivot_table(index="activity", columns="channel", values="events", fill_value=0)

# %% [markdown]
# ## Journey instances
# Each customer's events split at gaps longer than `episodes.inactivity_gap_days`.

# %%
instances = journey_instances(events, settings.episodes, has_channel=summary.has_channel)
pd.Series(describe_instances(instances)).round(2)

# %%
sequences = Counter(" → ".join(t) for t in instances.tokens.to_pandas())
pd.DataFrame(sequences.most_common(15), columns=["tokens", "instances"])
