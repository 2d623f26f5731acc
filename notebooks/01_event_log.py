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
# Opens the last run's outputs (`$PARCOURS_HOME/demo/output`, or the folder in `PARCOURS_OUTPUT`): where
# every input row went, the events by channel and activity, and the customers' journey instances. With
# `PARCOURS_NOTEBOOK_RECOMPUTE=1` it ingests the run's input again with the library instead (the demo log
# is generated if missing). Open it in JupyterLab with `make notebooks`.

# %%

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from parcours.outputs import RunOutputs, ingest_run_input, recompute_requested

pio.renderers.default = "plotly_mimetype+notebook"  # interactive in JupyterLab, and in static HTML exports
RECOMPUTE = recompute_requested()

if RECOMPUTE:
    from parcours.instances import journey_instances

    settings, result = ingest_run_input()
    summary = result.summary.to_dict()
    quarantine, events = result.quarantine.to_pandas(), result.events.to_pandas()
    instances = journey_instances(result.events, settings.episodes,
                                  has_channel=result.summary.has_channel).to_pandas()
else:
    run = RunOutputs()
    summary, quarantine, events, instances = (run["ingest_summary"], run["event_quarantine"], run["event_log"],
                                              run["journey_instances"])
    print(f"the run in {run.folder}")

# %% [markdown]
# ## Where every input row went

# %%
print(f"{summary['rows_in']:,} rows → {summary['clean']:,} clean, {summary['quarantined']:,} quarantined, "
      f"{summary['duplicates']:,} duplicates")
assert summary["rows_in"] == summary["clean"] + summary["quarantined"] + summary["duplicates"]
pd.Series(summary["by_reason"], name="rows").loc[lambda s: s > 0].sort_values(ascending=False)

# %%
quarantine.head(10)

# %% [markdown]
# ## Events by channel and activity

# %%
events.pivot_table(index="activity", columns="channel", values="event_seq", aggfunc="count", fill_value=0)

# %%
weekly = (events.assign(week=events.ts.dt.tz_localize(None).dt.to_period("W").dt.start_time,
                        channel=events.channel.fillna("(none)"))
          .groupby(["week", "channel"]).size().rename("events").reset_index())
go.Figure([go.Bar(x=part.week, y=part.events, name=channel) for channel, part in weekly.groupby("channel")],
          layout={"barmode": "stack", "title": "Events per week, by channel", "yaxis": {"title": "events"}})

# %% [markdown]
# ## Journey instances
# Each customer's events split at gaps longer than `episodes.inactivity_gap_days`.

# %%
pd.Series({
    "instances": len(instances), "customers": instances.customer_id.nunique(),
    "instances per customer": len(instances) / max(instances.customer_id.nunique(), 1),
    "median steps": instances.n_tokens.median(), "median duration (days)": instances.duration_s.median() / 86_400,
}).round(2)

# %%
sequences = instances.tokens.map(lambda tokens: " → ".join(tokens)).value_counts().head(15)
sequences.rename_axis("tokens").rename("instances").reset_index()
