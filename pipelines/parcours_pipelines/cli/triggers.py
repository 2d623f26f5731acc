"""``parcours triggers``: fire a published rule set on events, from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

triggers_app = typer.Typer(help="Trigger rules: fire a published rule set on events.", no_args_is_help=True)


def _read_table(path: Path, what: str):
    """A CSV or Parquet file as a pandas frame (every CSV column as text)."""
    import pandas as pd

    from parcours.triggers import TriggerRulesError

    if not path.exists():
        raise TriggerRulesError(f"{path}: no such {what} file")
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    raise TriggerRulesError(f"{path}: {what} must be a .csv or .parquet file")


@triggers_app.command()
def fire(
    rules: Annotated[Path, typer.Option(help="A trigger_rules.json (validated against its schema).")],
    events: Annotated[Path, typer.Option(help="Events (CSV or Parquet): customer_id, ts, activity, channel "
                                              "(or token), e.g. an event_log.parquet.")],
    out: Annotated[Path | None, typer.Option(help="Write the triggers here (CSV); default: standard output.")] = None,
    attributes: Annotated[Path | None, typer.Option(
        help="Customer attributes for the rules' conditions (CSV or Parquet): customer_id plus one column each.")
    ] = None,
    latest_only: Annotated[bool, typer.Option(
        help="Only what each customer's latest event fires (what fires now).")] = False,
    conf: Annotated[Path | None, typer.Option(help="Folder of conf/*.yaml files (the token abstraction).")] = None,
) -> None:
    """Fire RULES on EVENTS in one pass (state per customer, events in time order) and list the triggers."""
    from parcours import paths
    from parcours.settings import load_settings
    from parcours.triggers import fire_rules, load_rule_set

    rule_set = load_rule_set(rules)
    frame = _read_table(events, "events")
    people = None
    if attributes is not None:
        table = _read_table(attributes, "attributes").astype({"customer_id": str})
        people = table.set_index("customer_id").to_dict(orient="index")
    episodes = load_settings(conf or paths.conf_dir()).episodes
    fired = fire_rules(rule_set, frame, episodes, people, latest_only=latest_only, source=str(events))
    if out is None:
        fired.to_csv(sys.stdout, index=False)
    else:
        fired.to_csv(out, index=False)
    typer.echo(f"{len(fired):,} triggers from {len(rule_set.rules)} rules on {len(frame):,} events"
               + (f" → {out}" if out else ""), err=True)
