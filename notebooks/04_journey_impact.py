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
# # Journey impact: what each discovered journey does to customer value, and the rules that act on it
#
# Opens the last run's effects, trigger rules and ranking (`$PARCOURS_HOME/demo/output`, or
# `PARCOURS_OUTPUT`). With `PARCOURS_NOTEBOOK_RECOMPUTE=1` it discovers the journeys, estimates their
# effects and mines the rules again with the library, and then also shows what only the fitted objects
# hold: each journey's propensity overlap and balance, the estimates against the demo's exact effects,
# and the published rules fired on the whole log.

# %%

import pandas as pd
import plotly.io as pio

from parcours import paths
from parcours.impact.figures import forest_figure, overlap_figure
from parcours.outputs import RunOutputs, ingest_run_input, recompute_requested

pio.renderers.default = "plotly_mimetype+notebook"
RECOMPUTE = recompute_requested()

if RECOMPUTE:
    from parcours.impact import estimate_journey_impact
    from parcours.instances import journey_instances
    from parcours.journeys import discover_journeys
    from parcours.journeys.assign import assign_journeys, journey_sizes
    from parcours.mining import variants
    from parcours.report import rank_journeys
    from parcours.synthetic import versus_rest_effects
    from parcours.triggers import match_events, mine_trigger_rules, parse_rule_set, trigger_data

    settings, ingested = ingest_run_input()
    instances = journey_instances(ingested.events, settings.episodes)
    discovery = discover_journeys(variants(instances).to_pandas(), settings.journeys)
    assignments = assign_journeys(instances, discovery.variants)
    impact = estimate_journey_impact(ingested.events, instances, assignments, discovery.journeys, settings.impact,
                                     settings.value, has_revenue=ingested.summary.has_revenue)
    data = trigger_data(ingested.events, instances, assignments, settings.episodes, settings.triggers,
                        has_channel=ingested.summary.has_channel)
    gap_s = (settings.episodes.inactivity_gap_days or 30) * 86_400
    rule_set = mine_trigger_rules(data, discovery.journeys, impact.table, settings.triggers, max_window_s=gap_s)
    sizes = journey_sizes(assignments).to_pandas().set_index("journey_id")
    journeys = discovery.journeys.assign(n_customers=discovery.journeys.journey_id.map(sizes.n_customers))
    effects, rules, document = impact.table, rule_set.table, rule_set.document
    ranking = rank_journeys(journeys, effects, rules=rules)  # no timing table: conversion columns stay empty
    counts = pd.Series(impact.metrics)
    print(impact.design)
else:
    run = RunOutputs()
    effects, rules, document = run["journey_impact"], run["trigger_rule_scores"], run["trigger_rules"]
    ranking, counts = run["journey_ranking"], run.metrics("impact.")
print(f"{int(effects.effect.notna().sum())} of {len(effects)} journeys estimated; "
      f"{int(effects.finding.fillna(False).astype(bool).sum())} findings")
counts

# %% [markdown]
# ## Effects per journey: findings first
#
# `naive_diff` compares the customers in the journey with the others; `effect` adjusts for who
# chose it (cross-fitted AIPW). A `finding` has a small q-value *and* passed its overlap and
# refutation checks.

# %%
columns = ["journey_id", "name", "n_treated", "naive_diff", "effect", "ci_low", "ci_high", "q_value",
           "overlap_ok", "refutation_ok", "finding", "value_at_stake", "note"]
effects[columns].round(3)

# %%
forest_figure(effects)

# %% [markdown]
# ## Overlap and balance of the largest estimated journey (recomputed only)
#
# Propensities of the customers in the journey against the others', and each covariate's
# standardised mean difference before and after weighting: the fitted objects, which the run's
# files do not keep.

# %%
estimated = effects[effects.effect.notna()]
largest = estimated.sort_values("n_treated").iloc[-1] if len(estimated) else None
if not RECOMPUTE:
    print("set PARCOURS_NOTEBOOK_RECOMPUTE=1 to see the propensities and the balance")
elif largest is None:
    print("no journey had impact.min_treated treated customers")
else:
    overlap_figure(impact.propensities, impact.treated, largest.journey_id, largest["name"]).show()
    print(impact.balance[impact.balance.journey_id == largest.journey_id].round(3).to_string(index=False))

# %% [markdown]
# ## Against the demo's exact effects (demo log, recomputed only)
#
# Each discovered journey is matched to the planted journey most of its customers live; the
# truth is the effect of that planted journey against the rest, over the customers the estimate
# is averaged over (the common support).

# %%
truth_csv = paths.demo_dir() / "customers_truth.csv"
if RECOMPUTE and not settings.ingest.path and truth_csv.exists() and len(estimated):
    truth = pd.read_csv(truth_csv)
    planted = truth.set_index("customer_id").planted_journey
    rows = []
    for row in estimated.itertuples():
        members = impact.treated.index[impact.treated[row.journey_id] == 1]
        match = planted.reindex(members).mode().iloc[0]
        if match != "none":
            exact = versus_rest_effects(truth, impact.support.index[impact.support[row.journey_id]])[match]
            rows.append({"journey_id": row.journey_id, "name": row.name, "planted": match, "truth": round(exact, 1),
                         "naive_diff": round(row.naive_diff, 1), "effect": round(row.effect, 1),
                         "covered": row.ci_low <= exact <= row.ci_high})
    print(pd.DataFrame(rows).to_string(index=False) if rows else "no estimated journey matches a planted one")

# %% [markdown]
# ## Trigger rules: acting on the journeys that matter
#
# Entry rules for the journeys above (`conf/triggers.yaml`: findings by default), mined on the
# earlier part of the journeys' period and replayed on the later part. `published` says whether a
# rule met the thresholds out of time, and `reason` says why not.

# %%
print(f"{len(document['rules'])} rules published")
rules[["rule_id", "journey_name", "pattern", "action_label", "precision", "coverage", "support",
       "expected_value", "published", "reason"]].round(3)

# %%
backtest = document["backtest"]  # the published set replayed, with and without the frequency cap
print("the set passed its back-test" if backtest.get("passed") else "the set did not pass its back-test")
pd.DataFrame({k: v for k, v in backtest.items() if isinstance(v, dict)}).T

# %%
if RECOMPUTE:  # the published rules fired on the whole log, one group of customers at a time
    published = parse_rule_set(document)
    fired = pd.concat([match_events(published.rules, chunk.steps, frequency_cap=published.frequency_cap)
                       for chunk in data.chunks()])
    print(fired.groupby("rule_id").size().rename("triggers").to_string() if len(fired) else "no trigger fired")

# %% [markdown]
# ## The ranking the marketer receives
#
# Every journey in one of three states: a proven gain or loss (ordered by value at stake, customers ×
# effect), no clear effect, or not measured (with the plain reason; estimates that failed a check are
# not measured). The pipeline's `journey_report` asset turns this table into `report.html`.

# %%
ranking[["rank", "name", "status", "n_customers", "effect", "ci_low", "ci_high", "value_at_stake",
         "reason"]].head(12).round(2)
