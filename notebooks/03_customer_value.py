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
# Fits BG/NBD (or Pareto/NBD) and Gamma-Gamma with the library on the event log a run used (by
# default the demo log under `$PARCOURS_HOME/demo`, generated here if missing), checks them on the
# holdout period and values every customer. Open it with
# `jupytext --to notebook notebooks/03_customer_value.py`.

# %%
import os

import pandas as pd

from parcours import paths
from parcours.config import load_settings
from parcours.engine import connect
from parcours.eventlog import ingest_events, resolve_input
from parcours.synthetic import ensure_demo_log
from parcours.value import estimate_customer_value
from parcours.value.figures import clv_distribution_figure, holdout_figure

settings = load_settings(paths.conf_dir())
ensure_demo_log(settings, int(os.environ.get("PARCOURS_NOTEBOOK_CUSTOMERS", 0)) or None)
path, ingest_settings = resolve_input(settings.ingest)
con = connect()
ingested = ingest_events(con, ingest_settings, path)
value = estimate_customer_value(ingested.events, settings.value, has_revenue=ingested.summary.has_revenue)
print(f"{len(value.values):,} customers valued; landmark {value.params['landmark']}, as of {value.params['as_of']}")

# %% [markdown]
# ## The fitted parameters (MAP, with the Laplace standard errors of their logs)

# %%
pd.Series({k: v for k, v in value.metrics.items() if k.startswith(("purchases_", "spend_"))}).round(4)

# %% [markdown]
# ## The holdout check: fitted before the landmark, compared after it

# %%
holdout_figure(value.buckets, {k.removeprefix("holdout_"): v for k, v in value.metrics.items()})

# %%
pd.Series({k: v for k, v in value.metrics.items() if k.startswith("holdout_")}).round(3)

# %% [markdown]
# ## Every customer's value, most valuable first

# %%
value.values.sort_values("clv", ascending=False).head(10)

# %%
clv_distribution_figure(value.values)

# %% [markdown]
# ## CLV against the demo's latent customer value (demo log only)
#
# The generator drives purchase rate and spend with a hidden trait; the CLV should rank
# customers by it.

# %%
truth_csv = paths.demo_dir() / "customers_truth.csv"
if not settings.ingest.path and truth_csv.exists():
    truth = pd.read_csv(truth_csv, usecols=["customer_id", "value"])
    joined = value.values.merge(truth, on="customer_id")
    print(f"Spearman correlation of CLV with the latent value: {joined.clv.corr(joined.value, 'spearman'):.2f}")
