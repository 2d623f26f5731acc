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
# # Paths and process: the transition graph, the step matrix, a funnel, segments, conformance and timing
#
# What product-analytics path tools show (retentioneering's transition graph, step matrix, funnel and
# segment diff) and what process mining adds (how well a model replays the journeys, and which instances
# took unusually long between two steps), all read off the last run's outputs
# (`$PARCOURS_HOME/demo/output`, or `PARCOURS_OUTPUT`). The path analyses weight each distinct sequence by
# how many instances follow it, so they are exact for every instance and take a moment on any log.

# %%
import json

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from IPython.display import SVG, display

from parcours.mining.figures import draw_process_map
from parcours.mining.paths import compare_segments, funnel, step_matrix
from parcours.outputs import RunOutputs

pio.renderers.default = "plotly_mimetype+notebook"
run = RunOutputs()
variants, clusters, journeys = run["variants"], run["journey_clusters"], run["journeys"]
print(f"the run in {run.folder}: {int(variants['count'].sum()):,} journey instances, {len(variants):,} distinct "
      f"sequences, {len(journeys)} journeys")

# %% [markdown]
# ## The transition graph
#
# The directly-follows graph (`process_map.csv`), folded to its 20 most frequent moves; the rest go
# through *other*. Edge labels: instances, and the median time between the two steps.

# %%
picture = draw_process_map(run["process_map"], edges=20)
display(SVG(picture["svg"]))

# %% [markdown]
# ## The step matrix
#
# The share of instances on each token at each step (`[end]`: the instance has ended). Each column
# sums to 1.

# %%
matrix = step_matrix(variants, max_steps=8, top_tokens=12)
go.Figure(go.Heatmap(z=matrix.values, x=[f"step {c}" for c in matrix.columns], y=matrix.index, colorscale="Blues",
                     text=matrix.round(2).values, texttemplate="%{text}", hovertemplate="%{y}, %{x}: %{z:.1%}"),
          layout={"title": "Step matrix: share of instances", "yaxis": {"autorange": "reversed"}, "height": 520})

# %%
matrix.round(3)

# %% [markdown]
# ## A funnel with its drop-offs
#
# The stages are the first steps (three or four) of the representative path of the largest journey
# that has at least three distinct steps: a funnel this log actually follows. Other steps may come
# between two stages.

# %%
paths_with_stages = [r.split(" → ") for r in journeys.representative if len(set(r.split(" → "))) >= 3]
stages = list(dict.fromkeys(paths_with_stages[0]))[:4] if paths_with_stages else list(variants.variant.iloc[0]
                                                                                       .split(" → "))[:3]
steps = funnel(variants, stages)
display(steps.round(3))
go.Figure(go.Funnel(y=steps.stage, x=steps.instances, textinfo="value+percent initial"),
          layout={"title": "Funnel: instances reaching each stage, in order"})

# %% [markdown]
# ## What sets a journey apart: its steps against everyone else's
#
# The share of the largest journey's instances that take each step at least once, against the share
# of all other instances.

# %%
largest = journeys.iloc[0]
segments = compare_segments(clusters, clusters.journey_id == largest.journey_id, top=12)
print(f"journey {largest.journey_id}: {largest['name']}")
display(segments.round(3))
go.Figure([go.Bar(name=f"{largest['name']}", y=segments.token, x=segments.segment, orientation="h"),
           go.Bar(name="the rest", y=segments.token, x=segments.rest, orientation="h")],
          layout={"barmode": "group", "title": "Share of instances taking each step",
                  "yaxis": {"autorange": "reversed"}, "height": 480})

# %% [markdown]
# ## Conformance: how well the process models replay the journeys
#
# Token replay of every instance on the whole log's model and on each large journey's own model.
# `fitting_share` is the share of instances the model replays without a missing or left-over token.

# %%
overall = pd.Series(json.loads((run.path("process_model") / "summary.json").read_text()), name="whole log")
per_journey = pd.DataFrame(json.loads((run.path("journey_models") / "summary.json").read_text())["journeys"])
display(overall.to_frame().T)
per_journey[["journey_id", "name", "log_fitness", "fitting_share", "variants_used", "transitions"]]

# %% [markdown]
# ## Timing: instances that took unusually long (or short) between two steps
#
# Each journey's temporal profile (mean and standard deviation of the time between every ordered pair
# of its steps), and the instances with a pair more than `mining.temporal_zeta` standard deviations
# from their journey's mean, worst first.

# %%
profile = run["temporal_profile"]
profile[profile.journey_id == largest.journey_id].sort_values("pairs", ascending=False).head(10).round(1)

# %%
deviations = run["temporal_deviations"].sort_values("max_zeta", ascending=False)
print(f"{len(deviations):,} instances deviate; by journey:")
display(deviations.groupby("journey_id").size().rename("instances").to_frame().T)
deviations.head(10).round(2)
