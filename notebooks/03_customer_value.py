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
# # Customer value: what each customer is worth, how sure we are, and whether the model holds up
#
# Opens the last run's customer values, its holdout check and the fitted parameters (from the MLflow run
# it logged into). With `PARCOURS_NOTEBOOK_RECOMPUTE=1` it fits BG/NBD (or Pareto/NBD) and Gamma-Gamma
# again with the library on the run's input.

# %%

import pandas as pd
import plotly.io as pio

from parcours import paths
from parcours.outputs import RunOutputs, ingest_run_input, recompute_requested
from parcours.value.figures import clv_distribution_figure, holdout_figure
from parcours.value.holdout import frequency_buckets

pio.renderers.default = "plotly_mimetype+notebook"
RECOMPUTE = recompute_requested()

if RECOMPUTE:
    from parcours.value import estimate_customer_value

    settings, ingested = ingest_run_input()
    value = estimate_customer_value(ingested.events, settings.value, has_revenue=ingested.summary.has_revenue)
    values, holdout, metrics = value.values, value.holdout, pd.Series(value.metrics)
    demo = not settings.ingest.path
else:
    run = RunOutputs()
    values, holdout, metrics = run["customer_value"], run["customer_value_holdout"], run.metrics("value.")
    demo = run.folder == paths.default_output_dir()
print(f"{len(values):,} customers valued, {len(holdout):,} in the holdout check")

# %% [markdown]
# ## The fitted parameters (MAP, with the Laplace standard errors of their logs)

# %%
metrics[metrics.index.str.startswith(("purchases_", "spend_"))].round(4)

# %% [markdown]
# ## The holdout check: fitted before the landmark, compared after it

# %%
holdout_metrics = metrics[metrics.index.str.startswith("holdout_")]
holdout_figure(frequency_buckets(holdout), {k.removeprefix("holdout_"): v for k, v in holdout_metrics.items()})

# %%
holdout_metrics.round(3)

# %% [markdown]
# ## Every customer's value, most valuable first

# %%
values.sort_values("clv", ascending=False).head(10)

# %%
clv_distribution_figure(values)

# %% [markdown]
# ## CLV against the demo's latent customer value (demo log only)
#
# The generator drives purchase rate and spend with a hidden trait; the CLV should rank
# customers by it.

# %%
truth_csv = paths.demo_dir() / "customers_truth.csv"
if demo and truth_csv.exists():
    truth = pd.read_csv(truth_csv, usecols=["customer_id", "value"])
    joined = values.merge(truth, on="customer_id")
    print(f"Spearman correlation of CLV with the latent value: {joined.clv.corr(joined.value, 'spearman'):.2f}")
