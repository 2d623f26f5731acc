"""What a run did, printed by ``parcours run``, ``demo`` and ``report`` after the pipeline finished."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import typer


def _report_value(values: Path, holdout: Path) -> None:
    """Customers valued, their total CLV, and how far the holdout prediction was from what happened."""
    if not values.exists() or not holdout.exists():
        return
    from parcours.spreadsheet import read_written_csv

    table, check = read_written_csv(values), read_written_csv(holdout)
    actual, predicted = check.actual_purchases.sum(), check.predicted_purchases.sum()
    error = f"{(predicted - actual) / actual:+.1%}" if actual else "n/a"
    typer.echo(f"  value:   {len(table):,} customers, total CLV {table.clv.sum():,.0f} "
               f"(median {table.clv.median():,.2f}); holdout purchases predicted {predicted:,.0f} "
               f"vs {actual:,} actual ({error})")


def _report_impact(path: Path, shown: int = 3) -> None:
    """Journeys estimated, the findings, and the largest effects either way."""
    if not path.exists():
        return
    import pandas as pd

    from parcours.spreadsheet import read_written_csv

    table = read_written_csv(path)
    estimated, findings = table[table.effect.notna()], table[table.finding]
    typer.echo(f"  impact:  {len(estimated)} of {len(table)} journeys estimated, {len(findings)} findings "
               f"(q < fdr, overlap and refutation checks passed)")
    ranked = findings.sort_values("effect", ascending=False)
    if len(ranked) > 2 * shown:  # the largest effects either way
        ranked = pd.concat([ranked.head(shown), ranked.tail(shown)])
    for row in ranked.itertuples():
        typer.echo(f"    {row.journey_id:>3}  {row.name}: {row.effect:+,.1f} per customer "
                   f"[{row.ci_low:+,.1f}, {row.ci_high:+,.1f}], {row.n_treated:,} customers")


def _report_triggers(path: Path) -> None:
    """The published trigger rules, their back-test, and whether they became the champion."""
    if not path.exists():
        return
    document = json.loads(path.read_text())
    backtest = document.get("backtest", {}).get("capped") or {}
    status = "champion" if document.get("backtest", {}).get("passed") else "candidate only"
    if not document["rules"]:
        typer.echo(f"  triggers: no rule published ({status}); trigger_rules.csv says why")
        return
    typer.echo(f"  triggers: {len(document['rules'])} rules published ({status}); back-test precision "
               f"{backtest.get('precision') or 0:.2f}, "
               f"{backtest.get('triggers_per_customer_week') or 0:.3f} triggers per customer per week")
    for rule in document["rules"]:
        steps = " → ".join(step["token"] for step in rule["pattern"])
        action = (rule["action"] or {}).get("label") or rule.get("action_note", "no action")
        lead, target = rule["evidence"]["backtest"].get("target_lead_time_s"), rule["evidence"].get("target_step")
        ahead = f", {lead / 3_600:.1f} h before {target}" if lead is not None and target else ""
        typer.echo(f"    {rule['rule_id']:>7}  {steps}  ⇒  {action}  ({rule['journey_name']}{ahead})")


def _report_journeys(path: Path, shown: int = 5) -> None:
    """The number of journeys found and the largest few, by name."""
    journeys = _rows(path)
    if journeys is None:
        return
    typer.echo(f"  journeys: {len(journeys)} discovered; the largest:")
    for row in journeys[:shown]:
        typer.echo(f"    {row['journey_id']:>3}  {row['name']}  ({int(row['n_instances']):,} instances)")


def print_summary(summary: dict, out: Path) -> None:
    """What a run did, stage by stage, in a few lines: rows, journeys, value, impact, rules, the ranking, the report."""
    if "rows_in" in summary:
        accounted = summary["rows_in"] == summary["clean"] + summary["quarantined"] + summary["duplicates"]
        typer.echo(f"  ingest:  {summary['rows_in']:,} rows → {summary['clean']:,} clean, "
                   f"{summary['quarantined']:,} quarantined, {summary['duplicates']:,} duplicates"
                   f"{' (dropped)' if summary.get('duplicates_policy', 'drop') == 'drop' else ' (kept as events)'}"
                   f" ({'every row accounted for' if accounted else 'ROWS UNACCOUNTED FOR'})")
        reasons = ", ".join(f"{k} {v:,}" for k, v in summary["by_reason"].items() if v)
        if reasons:
            typer.echo(f"  quarantine reasons: {reasons}")
    profile = out / "log_profile.json"
    if profile.exists():
        print_profile(json.loads(profile.read_text()))
    _report_journeys(out / "journeys.csv")
    skipped = summary.get("skipped") or {}
    if "customer_value" not in skipped:
        _report_value(out / "customer_value.csv", out / "customer_value_holdout.csv")
    _report_impact(out / "journey_impact.csv")
    for reason in dict.fromkeys(skipped.values()):  # a multi-asset's outputs share their reason
        stages = ", ".join(stage for stage, why in skipped.items() if why == reason)
        typer.echo(f"  skipped: {stages}: {reason}")
    _report_triggers(out / "trigger_rules.json")
    _report_ranking(out / "journey_ranking.csv")
    for check, found in (summary.get("warnings") or {}).items():
        typer.echo(f"  warning: {check}{': ' + found if found else ''}")
    typer.echo(f"  outputs: {out}")
    for file in sorted(out.iterdir()):
        if not file.name.startswith("."):
            typer.echo(f"    {file.name}")
    if (out / "report.html").exists():
        typer.echo(f"  the marketer's report: {(out / 'report.html').resolve().as_uri()}")


def print_profile(profile: dict) -> None:
    """The log's profile and the settings resolved from it, a line each."""
    typer.echo("  the log:")
    for what, value in profile.get("facts", []):
        typer.echo(f"    {what}: {value}")
    for item in profile.get("resolved", []):
        value = ", ".join(map(str, item["value"])) if isinstance(item["value"], list) else item["value"]
        typer.echo(f"    auto {item['setting']} = {value or '(none)'}: {item['reason']}")


def _report_ranking(path: Path, shown: int = 5) -> None:
    """The best-ranked journeys: the proven effects, by value at stake (customers × effect)."""
    ranking = _rows(path)
    if ranking is None:
        return
    from parcours.impact import PROVEN

    proven = [r for r in ranking if r["status"] in PROVEN]
    typer.echo(f"  ranking: {len(proven)} of {len(ranking)} journeys with a proven effect; the top by value at stake:")
    for row in proven[:shown]:
        typer.echo(f"    {row['rank']:>3}  {row['name']}: {float(row['value_at_stake']):+,.0f} at stake "
                   f"({int(row['n_customers']):,} customers × {float(row['effect']):+,.2f}, {row['status']})")


def _rows(path: Path) -> list[dict[str, str]] | None:
    """The rows of an output CSV, or None when the run did not write it."""
    if not path.exists():
        return None
    from parcours.spreadsheet import unescape

    with path.open(newline="", encoding="utf-8-sig") as handle:  # parcours's CSV files start with a byte-order mark
        return [{k: unescape(v) for k, v in row.items()} for row in csv.DictReader(handle)]
