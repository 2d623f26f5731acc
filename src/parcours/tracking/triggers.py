"""Trigger rules in MLflow: the back-test as metrics, the rules as a table, and the rule set as a pyfunc
registered as ``parcours-trigger-rules``, aliased ``candidate`` and, when its back-test passes, ``champion``.

The pyfunc is the same matcher the CLI runs. It serves with MLflow's own model server::

    mlflow models serve -m models:/parcours-trigger-rules@champion --env-manager local

and a request carrying customers' recent events (``customer_id``, ``ts`` ISO-8601, ``activity``,
``channel``) returns the triggers that fire now (``params: {"latest_only": false}`` for all of them).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.models import ModelSignature
from mlflow.types import ColSpec, ParamSchema, ParamSpec, Schema

from parcours.schema import JOURNEY_ID
from parcours.tokens import split_token
from parcours.tracking.models import CANDIDATE, annotate_version, pinned_requirements

TRIGGER_RULES = "parcours-trigger-rules"
CHAMPION = "champion"
INPUTS = (("customer_id", "string"), ("ts", "string"), ("activity", "string"), ("channel", "string"))
OUTPUTS = (("customer_id", "string"), ("rule_id", "string"), (JOURNEY_ID, "long"), ("matched_at", "string"),
           ("fire_at", "string"), ("action_id", "string"), ("channel", "string"), ("error", "string"))
#: The most events one request may carry; the server's environment sets it (a request over it is a 400).
MAX_EVENTS_VARIABLE, DEFAULT_MAX_EVENTS = "PARCOURS_SERVE_MAX_EVENTS", 10_000


class TriggerRulesModel(mlflow.pyfunc.PythonModel):
    """``predict`` takes events (``customer_id``, ``ts``, ``activity``, ``channel``) and returns the triggers
    they fire: by default only those each customer's latest event fires (``latest_only``)."""

    def load_context(self, context: Any) -> None:
        """Read the rule set, the episode settings whose abstraction made its tokens, and the request limit."""
        from parcours.settings import EpisodeSettings
        from parcours.triggers.rules import load_rule_set

        self.rule_set = load_rule_set(context.artifacts["rules"])
        self.episodes = EpisodeSettings.model_validate_json(Path(context.artifacts["episodes"]).read_text())
        self.max_events = int(os.environ.get(MAX_EVENTS_VARIABLE, DEFAULT_MAX_EVENTS))

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict | None = None) -> pd.DataFrame:
        """The triggers, one row each, times as ISO-8601 strings; a bad event is a row with its ``error``.

        Raises
        ------
        mlflow.exceptions.MlflowException
            A request of more events than ``PARCOURS_SERVE_MAX_EVENTS`` (default 10,000): a 400 with that
            reason, never a stack trace.
        """
        from mlflow.exceptions import MlflowException

        from parcours.triggers.fire import fire_rules, screen_events

        limit = getattr(self, "max_events", DEFAULT_MAX_EVENTS)
        if len(model_input) > limit:
            raise MlflowException.invalid_parameter_value(
                f"{len(model_input):,} events in one request, more than the {limit:,} allowed "
                f"({MAX_EVENTS_VARIABLE} on the server sets it)")
        usable, errors = screen_events(model_input)
        latest_only = bool((params or {}).get("latest_only", True))
        fired = fire_rules(self.rule_set, usable, self.episodes, latest_only=latest_only, source="request")
        for column in ("matched_at", "fire_at"):
            fired[column] = fired[column].map(lambda t: t.isoformat())
        fired = fired.astype({JOURNEY_ID: "int64"}).assign(error=None)
        if len(errors):
            fired = pd.concat([fired, errors.drop(columns="row").assign(error=[
                f"row {r}: {e}" for r, e in zip(errors.row, errors.error, strict=True)])], ignore_index=True)
        return fired.astype({JOURNEY_ID: "Int64"})


def log_trigger_rules(rule_set: Any, episodes: Any) -> dict[str, str]:
    """Log a :class:`parcours.triggers.TriggerRuleSet` to the active run and register it.

    Parameters (``triggers.*``), the set's back-test as metrics (``triggers.backtest.<capped|uncapped>.*``),
    the rules with their scores as ``triggers/trigger_rules.json`` (a table) and the rule set itself; then
    the pyfunc is registered as ``parcours-trigger-rules``, aliased ``candidate``, and ``champion`` too when
    ``rule_set.champion``.

    Returns
    -------
    dict
        ``version`` and the ``aliases`` set on it (comma-separated).
    """
    mlflow.log_params({f"triggers.{k}": v for k, v in rule_set.params.items()})
    mlflow.log_metrics({f"triggers.backtest.{name}.{k}": float(v) for name, scores in rule_set.backtest.items()
                        for k, v in scores.items() if v is not None and np.isfinite(v)})
    mlflow.log_table(rule_set.table.astype({"reason": "object"}), "triggers/trigger_rules.json")
    with tempfile.TemporaryDirectory() as tmp:
        rules_path, episodes_path = Path(tmp) / "trigger_rules.json", Path(tmp) / "episodes.json"
        rules_path.write_text(json.dumps(rule_set.document, indent=2))
        episodes_path.write_text(episodes.model_dump_json())
        mlflow.log_artifact(str(rules_path), "triggers")
        info = mlflow.pyfunc.log_model(
            name="trigger_rules", python_model=TriggerRulesModel(),
            artifacts={"rules": str(rules_path), "episodes": str(episodes_path)},
            signature=ModelSignature(inputs=Schema([ColSpec(t, n) for n, t in INPUTS]),
                                     outputs=Schema([ColSpec(t, n) for n, t in OUTPUTS]),
                                     params=ParamSchema([ParamSpec("latest_only", "boolean", True)])),
            input_example=_example(rule_set.document), registered_model_name=TRIGGER_RULES,
            pip_requirements=pinned_requirements(["ibis-framework", "duckdb"]))
    version = str(info.registered_model_version)
    capped = rule_set.backtest.get("capped", {})
    quality = {"rules": len(rule_set.document["rules"]), "backtest_passed": bool(rule_set.champion),
               **{f"backtest_{k}": capped.get(k) for k in ("precision", "coverage", "triggers_per_customer_week")}}
    annotate_version(TRIGGER_RULES, version, _description(quality), quality)
    client = MlflowClient()
    aliases = [CANDIDATE, CHAMPION] if rule_set.champion else [CANDIDATE]
    for alias in aliases:
        client.set_registered_model_alias(TRIGGER_RULES, alias, version)
    return {"version": version, "aliases": ",".join(aliases)}


def _description(quality: dict[str, Any]) -> str:
    """How many rules, and how the set did in its out-of-time back-test (frequency cap applied)."""
    shown = [f"{what} {quality[key]:{fmt}}" for what, key, fmt in (
        ("precision", "backtest_precision", ".1%"), ("coverage", "backtest_coverage", ".1%"),
        ("triggers per customer and week", "backtest_triggers_per_customer_week", ".2f"))
        if quality[key] is not None and np.isfinite(quality[key])]
    verdict = "passed: aliased champion" if quality["backtest_passed"] else "not passed: candidate only"
    return (f"{quality['rules']} trigger rules, back-tested on the later part of the journeys' period with the "
            f"frequency cap: {', '.join(shown) or 'nothing fired'}; {verdict}.")


def _example(document: dict) -> pd.DataFrame:
    """One customer's event: the first step of the first rule (or a page view), as the model's input example."""
    first = document["rules"][0]["pattern"][0]["token"] if document["rules"] else "view_item@web"
    activity, channel = split_token(first)
    return pd.DataFrame({"customer_id": ["C0000001"], "ts": ["2025-01-01T12:00:00+00:00"], "activity": [activity],
                         "channel": [channel]})


def load_trigger_rules_model(alias: str = CANDIDATE) -> Any:
    """The registered trigger rules (a pyfunc) under ``alias``."""
    return mlflow.pyfunc.load_model(f"models:/{TRIGGER_RULES}@{alias}")

