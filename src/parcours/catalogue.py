"""The catalogue of what a run writes: every output file, what one row is, and what every column means.

One source for three readers: the Dagster UI (each table asset's column descriptions), the README's
"output folder" table (generated from here: ``python -m parcours.catalogue --readme README.md``) and
the tests that check every column an asset writes is described. A column's ``note`` is the short
remark the README prints beside its name; its ``description`` is the sentence the Dagster UI shows
(the note, as plain text, when no sentence of its own is given).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Column:
    """One output column: its name, the README's remark beside it, and its description."""

    name: str
    note: str = ""
    text: str = ""

    @property
    def description(self) -> str:
        """The plain-text description the Dagster UI shows: the column's own sentence, or its note."""
        return self.text or _SHARED.get(self.name, "") or _plain(self.note)


@dataclass(frozen=True)
class Output:
    """One file of the output folder: the asset that writes it, what one row is, and its columns.

    ``columns`` describes a table; ``contents`` (README markdown) describes a document or a folder.
    """

    asset: str
    file: str
    row: str
    columns: tuple[Column, ...] = ()
    contents: str = ""

    def descriptions(self) -> dict[str, str]:
        """Column name → description, in the file's order."""
        return {c.name: c.description for c in self.columns}


#: Descriptions of the columns several outputs share, used where a column brings none of its own.
_SHARED = {
    "customer_id": "The customer, after identity stitching (the input's id, as text).",
    "journey_instance_id": "The journey instance: one customer's episode of activity, as cut by the episodes settings.",
    "journey_id": "The discovered journey (-1: noise, in no journey).",
    "name": "The journey's name, from the steps that set it apart.",
    "journey_name": "The journey's name, from the steps that set it apart.",
    "n_treated": "Customers the effect was measured on: those who entered the journey in the observation window.",
    "effect": "Average effect per customer of going through the journey, on the outcome, in the outcome window.",
    "ci_low": "Lower end of the effect's 95% interval.",
    "ci_high": "Upper end of the effect's 95% interval.",
    "std_error": "Standard error of the effect.",
    "q_value": "Benjamini-Hochberg q-value of the effect over the journeys estimated in this run.",
    "finding": "True when the effect is a finding: q-value under impact.fdr and both checks (overlap, refutation) "
               "pass.",
    "status": "The journey's state: proven gain, proven loss, no clear effect or not measured.",
    "reason": "Why it is not proven (or not published), in plain words.",
    "value_at_stake_low": "value_at_stake at the lower end of the effect's interval.",
    "value_at_stake_high": "value_at_stake at the upper end of the effect's interval.",
    "share": "Share of all journey instances.",
    "n_instances": "Journey instances assigned to it.",
    "n_customers": "Distinct customers with at least one instance in it.",
    "customers": "Distinct customers.",
    "count": "Journey instances.",
    "source": "Where the row came from (input file), or the first token of a pair.",
    "target": "The second token of the pair.",
    "median_s": "Median seconds between the two tokens.",
    "family_id": "The family of journeys it belongs to (journeys that share their first steps).",
    "family": "The family's name.",
    "representative": "The journey's representative variant (its medoid), tokens joined by →.",
    "stops_at": "The step most of its instances stop at, when it is not a purchase.",
    "conversion_share": "Share of its instances with a purchase after their first step.",
    "rank": "1-based rank, most frequent (or most valuable) first.",
    "probability": "Membership probability in the journey (0 for noise).",
}

_VARIANT = (
    Column("rank", text="1-based rank, most frequent first (ties by the variant text)."),
    Column("variant", "tokens joined by ` → `"),
    Column("n_tokens", text="Steps in the variant."),
    Column("count", text="Journey instances that follow the variant."),
    Column("customers", text="Distinct customers who follow it."),
    Column("share", text="Share of all journey instances."),
    Column("cum_share", text="Share of instances the variants up to this rank cover (the coverage curve)."),
    Column("median_duration_s", text="Median duration of its instances, in seconds."),
)

OUTPUTS: tuple[Output, ...] = (
    Output("ingest_summary", "ingest_summary.json", "run", contents=(
        "`rows_in`, `clean`, `quarantined`, `duplicates`, `duplicates_policy` (`drop` or `keep`), `by_reason`, "
        "`examples`, `sources` (per file: `rows`, `malformed`, `columns`, and for CSV `lines` and `lines_accounted`), "
        "`identities`, `fingerprint`, `wall_clock`, `revenues_unread`")),
    Output("log_profile", "log_profile.json", "run", contents=(
        "what the log holds (below: `events`, `customers`, `id_type`, `span_days`, `events_per_customer`, "
        "`gap_hours`, `activities`, `channels`, `tokens`, `tie_share`, `has_revenue`, `has_channel`, "
        "`revenue_activities`, `purchase_like`, `return_like`, `conversion_like`, `extra_columns`, "
        "`top_activities`), `facts` (the same as lines to read), `resolved` (each `auto` setting: `setting`, "
        "`value`, `reason`)")),
    Output("event_quarantine", "quarantine.csv", "rejected input row", columns=(
        Column("customer_id", text="The customer id as read, as text."),
        Column("ts", text="The timestamp as read, as text."),
        Column("activity", text="The activity as read, as text."),
        Column("channel", text="The channel as read, as text."),
        Column("revenue", "these five as read, as text", "The revenue as read, as text."),
        Column("source", text="The input file the row came from."),
        Column("line", text="The physical line of the CSV file, header included."),
        Column("reason", text="Why the row cannot be used (one code, listed in the README)."),
        Column("detail", text="The rule the row broke, with the value."),
        Column("raw_line", text="The line as it stands in the file."),
    )),
    Output("event_log", "event_log.parquet", "clean event", columns=(
        Column("customer_id"),
        Column("ts", "UTC", "When the event happened, in UTC."),
        Column("activity", text="What the customer did."),
        Column("channel", text="Where it happened (null when the log has no channel)."),
        Column("revenue", text="Money the event carried (negative for a return; null for none)."),
        Column("event_seq", text="Stable order key: events at the same instant keep their source order."),
        Column("source", text="The input file the event came from."),
    ), contents=(
        "then every input column outside the mapping, as text (a name the ingest uses itself, such as `source`, "
        "gets `_attr`)")),
    Output("journey_instances", "journey_instances.parquet", "journey instance", columns=(
        Column("customer_id"),
        Column("journey_instance_id"),
        Column("episode", text="The customer's episode number, 1 for the first."),
        Column("start_ts", text="Time of the instance's first event (UTC)."),
        Column("end_ts", text="Time of its last event (UTC)."),
        Column("n_events", text="Events in the instance."),
        Column("tokens", text="The instance's steps in order (activity@channel, repeats collapsed)."),
        Column("step_times", "each token's time, seconds since the epoch",
               "Each token's time, in seconds since the epoch."),
        Column("n_tokens", text="Steps in the instance."),
        Column("duration_s", text="Seconds from its first to its last event."),
        Column("revenue", text="Net revenue of its events."),
        Column("first_conversion_s", text="Seconds from its start to its first conversion event (null: none)."),
    )),
    Output("process_map", "process_map.csv", "directly-follows edge", columns=(
        Column("kind", "`start`, `follows`, `end`", "The kind of edge: start, follows or end."),
        Column("source", text="The token the edge leaves ([start] for a start edge)."),
        Column("target", "`[start]`/`[end]` for start and end edges",
               "The token the edge reaches ([end] for an end edge)."),
        Column("count", text="Times the edge is taken, over all journey instances."),
        Column("customers", text="Distinct customers who take it."),
        Column("median_s", text="Median seconds between the two steps (empty for start and end edges)."),
        Column("p90_s", text="90th percentile of the seconds between the two steps."),
        Column("share", "of the source's outgoing count", "Share of the source's outgoing count."),
    )),
    Output("journey_timing", "journey_timing.csv", "`group`: `all`, then each journey id (`-1`: noise)", columns=(
        Column("group", text="all, then each journey id (-1: noise)."),
        Column("instances", text="Journey instances in the group."),
        Column("customers", text="Distinct customers in the group."),
        Column("converted", "share", "Share of instances with a conversion."),
        Column("duration_mean_days", text="Mean duration of an instance, in days."),
        Column("duration_p10_days", text="10th percentile of the duration, in days."),
        Column("duration_p50_days", text="Median duration, in days."),
        Column("duration_p90_days", text="90th percentile of the duration, in days."),
        Column("conversion_p10_days", text="10th percentile of the days from start to the first conversion."),
        Column("conversion_p50_days", text="Median days from start to the first conversion."),
        Column("conversion_p90_days", "time from start to the first `episodes.conversion_activities` event",
               "90th percentile of the days from start to the first conversion event."),
    )),
    Output("process_model", "process_model/", "run (a folder)", contents=(
        "`model.bpmn` (BPMN 2.0), `model.pnml` (Petri net), `bpmn.svg` and `petri_net.svg` (drawn by graphviz), "
        "`summary.json`: `log_fitness`, `fitting_share`, `average_trace_fitness` (token replay of every instance), "
        "`variants_used`, `coverage`, model size")),
    Output("temporal_profile", "temporal_profile.csv",
           "journey and pair of tokens, the second after the first in an instance", columns=(
               Column("journey_id", "`-1`: noise"),
               Column("source", text="The earlier token of the pair."),
               Column("target", text="The later token of the pair."),
               Column("pairs", text="Times the pair occurs, over the journey's instances."),
               Column("instances", text="Instances it occurs in."),
               Column("mean_s", text="Mean seconds from the first token to the second."),
               Column("std_s", "sample", "Sample standard deviation of those seconds."),
               Column("median_s", text="Median of those seconds."),
               Column("directly", "share of adjacent pairs", "Share of the pairs that are adjacent steps."),
           ), contents="per journey, equal to pm4py's `discover_temporal_profile` on that journey's instances"),
    Output("temporal_deviations", "temporal_deviations.parquet", "instance with a deviating pair", columns=(
        Column("journey_instance_id"),
        Column("customer_id"),
        Column("journey_id"),
        Column("deviating_pairs", "more than `mining.temporal_zeta` standard deviations from its journey's mean",
               "Pairs more than mining.temporal_zeta standard deviations from its journey's mean."),
        Column("max_zeta", text="The worst pair's distance from the mean, in standard deviations."),
        Column("source", text="The worst pair's earlier token."),
        Column("target", text="The worst pair's later token."),
        Column("seconds", text="The worst pair's seconds in this instance."),
        Column("mean_s", text="The journey's mean seconds for that pair."),
    )),
    Output("variants", "variants.csv", "distinct token sequence", columns=_VARIANT),
    Output("journeys", "journeys.csv", "discovered journey, largest first", columns=(
        Column("journey_id", text="The journey's id, kept from run to run while its medoid stays."),
        Column("name"),
        Column("family_id", "", "Its family of journeys (journeys that share their first steps)."),
        Column("family", "its family's name", "Its family's name."),
        Column("n_instances"),
        Column("share"),
        Column("n_variants", text="Distinct variants assigned to it."),
        Column("conversion_share"),
        Column("stops_at"),
        Column("representative", "the medoid", "The journey's representative variant (its medoid)."),
        Column("representatives", "covering ≥ `journeys.representative_coverage`, joined by ` \\| `",
               "The fewest variants that cover journeys.representative_coverage of its instances, joined by |."),
        Column("representatives_coverage", text="Share of its instances the representatives cover."),
        Column("top_variants", text="Its most frequent variants, with their counts."),
        Column("distinguishing", "the features behind the name, share in the journey vs elsewhere",
               "The features behind the name: their share in the journey against elsewhere."),
        Column("mean_probability", text="Mean membership probability of its variants."),
        Column("n_customers"),
    )),
    Output("journey_assignments", "journey_assignments.csv", "journey instance", columns=(
        Column("customer_id"),
        Column("journey_instance_id"),
        Column("journey_id", "`-1`: noise"),
        Column("probability"),
    )),
    Output("journey_clusters", "journey_clusters.parquet", "variant", columns=(
        *_VARIANT,
        Column("journey_id"),
        Column("probability"),
        Column("clustered", "false: not drawn in the clustering sample, or beyond `journeys.max_variants`, so "
                            "assigned by the classifier",
               "False when the variant was not drawn in the clustering sample (or is beyond journeys.max_variants) "
               "and the classifier assigned it."),
    )),
    Output("customer_value", "customer_value.csv", "customer with a purchase", columns=(
        Column("customer_id"),
        Column("frequency", "repeat purchase days", "Repeat purchase days (days with a purchase after the first)."),
        Column("recency", text="Time from the first to the last purchase, in value.time_unit."),
        Column("T", "in `value.time_unit`", "Time from the first purchase to the end of the log, in value.time_unit."),
        Column("monetary", "mean repeat purchase, net of the customer's return share",
               "Mean repeat purchase, net of the customer's return share."),
        Column("p_alive", text="Probability the customer is still active."),
        Column("expected_purchases", text="Purchases expected in the next value.horizon_months."),
        Column("expected_spend", "next `value.horizon_months`", "Spend expected in the next value.horizon_months."),
        Column("clv", "discounted at `value.annual_discount_rate`",
               "Customer lifetime value over the horizon, discounted at value.annual_discount_rate."),
        Column("clv_low", text="Lower end of the CLV's interval (value.interval)."),
        Column("clv_high", "`value.interval`, 90%", "Upper end of the CLV's interval (value.interval, 90%)."),
    )),
    Output("customer_value_holdout", "customer_value_holdout.csv", "customer with a purchase before the landmark",
           columns=(
               Column("customer_id"),
               Column("frequency", "before the landmark", "Repeat purchase days before the landmark."),
               Column("predicted_purchases", text="Purchases the model fitted before the landmark predicts after it."),
               Column("actual_purchases", text="Purchases the customer made after the landmark."),
               Column("predicted_revenue", text="Revenue predicted after the landmark."),
               Column("actual_revenue", text="Revenue after the landmark."),
               Column("purchases_error", text="Predicted minus actual purchases."),
               Column("revenue_error", text="Predicted minus actual revenue."),
           )),
    Output("journey_impact", "journey_impact.csv", "discovered journey; findings first, then by effect", columns=(
        Column("journey_id"),
        Column("name"),
        Column("n_treated"),
        Column("naive_diff", text="Difference in mean outcome between entrants and the rest, before any adjustment."),
        Column("effect", "per customer, on net revenue in the outcome window",
               "Average effect per customer of entering the journey, on net revenue in the outcome window."),
        Column("ci_low"),
        Column("ci_high", "95%", "Upper end of the effect's 95% interval."),
        Column("p_value", text="Two-sided p-value of the effect."),
        Column("q_value", "Benjamini-Hochberg", "Benjamini-Hochberg q-value over the journeys estimated in this run."),
        Column("overlap_ok", text="True when at most impact.max_trimmed_share of the customers at risk are trimmed "
                                  "and every covariate is balanced after weighting."),
        Column("refutation_ok", text="True when neither the permuted labels nor the placebo outcome shows an effect."),
        Column("finding"),
        Column("status", "the journey's state, as in the ranking"),
        Column("value_at_stake", "`n_treated` × effect: over the customers measured; the ranking's is over all the "
                                 "journey's customers", "n_treated × effect: the value over the customers measured."),
        Column("value_at_stake_low"),
        Column("value_at_stake_high"),
        Column("std_error"),
        Column("n_used", "customers the effect is averaged over: new to the journey, at risk and in the common "
                         "support"),
        Column("trimmed_share", "of the customers at risk",
               "Share of the customers at risk trimmed for lack of common support."),
        Column("not_at_risk_share", "of the eligible: already in the journey, or unlike anyone who entered it",
               "Share of the eligible customers not at risk: already in the journey, or unlike anyone who entered it."),
        Column("max_smd_before", text="Largest standardised mean difference of a covariate before weighting."),
        Column("max_smd_after", text="Largest standardised mean difference after weighting."),
        Column("smd_limit", text="The balance limit max_smd_after must stay under."),
        Column("placebo_treatment_effect", text="The same estimate with the journey's labels permuted (should be "
                                                "near zero)."),
        Column("placebo_treatment_p", text="p-value of the permuted-label estimate."),
        Column("placebo_outcome_effect", text="The effect on net revenue in the placebo window, before the journey "
                                              "(a journey cannot change the past: should be near zero)."),
        Column("placebo_outcome_p", text="p-value of the placebo outcome's effect."),
        Column("effect_clv", text="The effect on predicted CLV."),
        Column("ci_low_clv", text="Lower end of the CLV effect's 95% interval."),
        Column("ci_high_clv", text="Upper end of the CLV effect's 95% interval."),
        Column("p_value_clv", "the same on predicted CLV", "p-value of the effect on predicted CLV."),
        Column("note", "why a journey was not estimated, with the setting involved"),
        Column("reason", "why it is not proven, in plain words"),
        Column("outcome", "`net_revenue` or `clv`"),
        Column("landmark", text="The date entry is measured up to; the outcome window starts here."),
        Column("outcome_end", text="The end of the outcome window."),
    )),
    Output("trigger_rules", "trigger_rules.json", "run: the published rule set", contents=(
        "`schema_version`, `rule_set_version`, `created_at`, `frequency_cap`, `backtest` (the set's, with and "
        "without the cap, and `passed`), `rules`: `rule_id`, `journey_id`, `journey_name`, `pattern` (`token`, "
        "optional `max_gap_s`), `window_s`, `conditions`, `action` (`action_id`, `label`, `channel`, or null), "
        "`action_note`, `delay_s`, `cap_per_customer`, `evidence` (defining and target steps, effect, expected "
        "value, mining and back-test scores). Validated by `src/parcours/triggers/trigger_rules.schema.json`")),
    Output("trigger_rule_scores", "trigger_rules.csv", "rule mining kept, published ones first", columns=(
        Column("rule_id", text="The rule's id, stable across runs for the same pattern and action."),
        Column("journey_id"),
        Column("journey_name"),
        Column("pattern", text="The steps that fire the rule, with the largest gap allowed between them."),
        Column("window_h", text="Hours within which the pattern must complete."),
        Column("action_id", text="The action the rule fires (empty: none mapped)."),
        Column("action_label", text="The action's label."),
        Column("channel", text="The action's channel."),
        Column("action_note", text="Why this action, or why none."),
        Column("delay_h", text="Hours to wait after the pattern before acting."),
        Column("defining_step", text="The step that sets the journey apart, which the pattern watches for."),
        Column("target_step", text="The step the action aims at."),
        Column("effect", text="The journey's effect per customer, from journey_impact."),
        Column("mining_precision", text="Mining period: share of the instances it matches, of any journey, that "
                                        "are the journey's."),
        Column("mining_recall", text="Mining period: share of the journey's instances it matches."),
        Column("mining_support", text="Mining period: distinct customers it catches."),
        Column("mining_lead_time_s", text="Mining period: median seconds from the match to the defining step."),
        Column("triggers", "back-test, as the four after it", "Times the rule fired in the back-test period."),
        Column("precision", text="Back-test: share of triggers that were true (the customer then in an instance "
                                 "of the rule's journey)."),
        Column("coverage", text="Back-test: share of the journey's later instances caught."),
        Column("support", text="Back-test: distinct customers caught."),
        Column("lead_time_s", text="Back-test: median seconds from a true trigger to the defining step."),
        Column("target_lead_time_s", "median time from a true trigger to the action's target step: how long the "
                                     "action has"),
        Column("expected_value", "back-test support × effect"),
        Column("published", text="True when the rule passed every gate and is in trigger_rules.json."),
        Column("reason", "why not", "Why the rule was not published."),
    )),
    Output("journey_ranking", "journey_ranking.csv", "journey, in rank order", columns=(
        Column("rank", text="1-based rank in the report."),
        Column("journey_id"),
        Column("name"),
        Column("status", "`proven gain`, `proven loss`, `no clear effect`, `not measured`"),
        Column("n_customers", "the customers who went through it: the one count every figure uses"),
        Column("effect"),
        Column("ci_low"),
        Column("ci_high", "per customer, 95%; empty when not measured"),
        Column("value_at_stake", "`n_customers` × `effect`", "n_customers × effect."),
        Column("value_at_stake_low"),
        Column("value_at_stake_high"),
        Column("reason", "why it is not proven, in plain words"),
        Column("n_treated", "customers the effect was measured on"),
        Column("std_error"),
        Column("q_value"),
        Column("finding"),
        Column("n_instances"),
        Column("share"),
        Column("family_id"),
        Column("family"),
        Column("representative"),
        Column("stops_at"),
        Column("conversion_share", "share of instances with a purchase after their first step"),
        Column("conversion", "share of instances with an order"),
        Column("days_to_first_order", "median", "Median days from the start of an instance to its first order."),
        Column("best_rules", "the published rules as sentences"),
        Column("published_rules", text="Published trigger rules for the journey."),
    )),
    Output("journey_report", "report.html", "run",
           contents="the marketer's report (below); self-contained, plotly.js inline, opens offline"),
    Output("run_stats", "run_stats.json", "run (`parcours run`, `demo`, `report`; a run from the UI, the schedule or "
           "the inbox sensor too)", contents=(
        "`total` (`run_id`, `wall_s`, `cpu_s`, `peak_rss_mib` of the process), `steps`: per Dagster step `step`, "
        "`success`, `wall_s`, `cpu_s`, `peak_rss_mib`, `run_id` (a rebuild of some steps keeps the others' rows), "
        "`cpus`, `versions` of Python and the main libraries. A run the `parcours` command did not run is written "
        "by the sensors `parcours_run_stats_on_success`/`_on_failure` from Dagster's step statistics: wall times "
        "only, `cpu_s` and `peak_rss_mib` empty")),
    Output("journey_models", "journey_models/", "journey (a folder)", contents=(
        "`<id>.bpmn` and `<id>.bpmn.svg` for the `mining.journey_models` largest journeys, `summary.json` with "
        "each one's replay fitness")),
)

_BY_ASSET = {output.asset: output for output in OUTPUTS}

README_START = "<!-- output-files: generated by `python -m parcours.catalogue --readme README.md` -->"
README_END = "<!-- /output-files -->"


def column_descriptions(asset: str) -> dict[str, str]:
    """Column name → description of the table ``asset`` writes; empty for an asset outside the catalogue.

    Examples
    --------
    >>> column_descriptions("process_map")["share"]
    "Share of the source's outgoing count."
    """
    output = _BY_ASSET.get(asset)
    return output.descriptions() if output else {}


def readme_table() -> str:
    """The README's table of the output folder: file, one row per, and the columns with their remarks."""
    lines = ["| file | one row per | columns |", "|---|---|---|"]
    for output in OUTPUTS:
        names = ", ".join(f"`{c.name}`" + (f" ({c.note})" if c.note else "") for c in output.columns)
        cell = "; ".join(part for part in (names, output.contents) if part)
        lines.append(f"| `{output.file}` | {output.row} | {cell} |")
    return "\n".join(lines)


def rewrite_readme(readme: Path) -> bool:
    """Replace the generated block of ``readme`` with :func:`readme_table`; True when the file changed."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(README_START), text.index(README_END)
    new = text[: start + len(README_START)] + "\n" + readme_table() + "\n" + text[end:]
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


def _plain(markdown: str) -> str:
    """A README remark as a sentence of plain text: no backticks, a capital and a full stop."""
    text = re.sub(r"`([^`]*)`", r"\1", markdown).replace("\\|", "|").strip()
    return f"{text[0].upper()}{text[1:]}." if text else ""


def main(argv: list[str] | None = None) -> int:
    """Print the README table, or rewrite the generated block of the README given with ``--readme``."""
    parser = argparse.ArgumentParser(prog="python -m parcours.catalogue", description=main.__doc__)
    parser.add_argument("--readme", type=Path, help="the README whose generated block to rewrite")
    args = parser.parse_args(argv)
    if args.readme is None:
        print(readme_table())
    else:
        print(f"{args.readme}: {'rewritten' if rewrite_readme(args.readme) else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
