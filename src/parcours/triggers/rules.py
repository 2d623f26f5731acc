"""Trigger rules: the versioned JSON format, validated by the committed JSON Schema, and its typed form."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from parcours.errors import InputError
from parcours.schema import JOURNEY_ID

SCHEMA_FILE = "trigger_rules.schema.json"


class TriggerRulesError(InputError):
    """A rule set that does not follow the schema: the message names the rule and the field."""


@dataclass(frozen=True)
class Step:
    """One step of an entry pattern: an ``activity@channel`` token, at most ``max_gap_s`` after the previous step."""

    token: str
    max_gap_s: float | None = None


@dataclass(frozen=True)
class Condition:
    """A customer attribute that must (``in``) or must not (``not_in``) take one of ``values``."""

    attribute: str
    op: str
    values: tuple

    def holds(self, attributes: dict[str, Any]) -> bool:
        """Whether the customer's ``attributes`` satisfy the condition (a missing attribute never is ``in``)."""
        inside = attributes.get(self.attribute) in self.values
        return inside if self.op == "in" else not inside


@dataclass(frozen=True)
class Rule:
    """When a customer's events contain ``pattern`` in order (other events between allowed), within
    ``window_s`` and each step's gap, and the conditions hold: fire ``action`` ``delay_s`` later, at most
    ``cap_per_customer`` times per customer."""

    rule_id: str
    journey_id: int
    pattern: tuple[Step, ...]
    window_s: float | None
    delay_s: float
    cap_per_customer: int
    action: dict | None
    conditions: tuple[Condition, ...] = ()
    journey_name: str = ""
    evidence: dict = field(default_factory=dict)


def rule_schema() -> dict:
    """The committed JSON Schema of a rule set."""
    return json.loads(resources.files("parcours.triggers").joinpath(SCHEMA_FILE).read_text())


def validate_rule_set(document: dict, source: str = "rule set") -> None:
    """Check a rule-set document against the schema.

    Raises
    ------
    TriggerRulesError
        On the first violation, naming ``source``, the rule (by id when it has one) and the field.
    """
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(rule_schema()).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        where = list(errors[0].absolute_path)
        path = "/".join(map(str, where)) or "(top level)"
        raise TriggerRulesError(f"{source}:{_rule_named(document, where)} {path}: {errors[0].message}")


def _rule_named(document: dict, where: list) -> str:
    """`` rule 'id'`` when the error lies inside a rule (its index when it has no id), else nothing."""
    if len(where) < 2 or where[0] != "rules" or not isinstance(where[1], int):
        return ""
    rule = document["rules"][where[1]]
    return f" rule {(rule.get('rule_id') if isinstance(rule, dict) else None) or where[1]!r}"


def parse_rules(document: dict, source: str = "rule set") -> list[Rule]:
    """Validate a rule-set document and return its rules, typed."""
    validate_rule_set(document, source)
    return [Rule(rule_id=r["rule_id"], journey_id=r[JOURNEY_ID],
                 pattern=tuple(Step(s["token"], s.get("max_gap_s")) for s in r["pattern"]),
                 window_s=r["window_s"], delay_s=r["delay_s"], cap_per_customer=r["cap_per_customer"],
                 action=r["action"], conditions=tuple(Condition(c["attribute"], c["op"], tuple(c["values"]))
                                                      for c in r.get("conditions", [])),
                 journey_name=r.get("journey_name", ""), evidence=r.get("evidence", {}))
            for r in document["rules"]]


@dataclass(frozen=True)
class RuleSet:
    """A parsed rule set: its rules, the global frequency cap ``(n, seconds)`` if any, and its version."""

    rules: list[Rule]
    frequency_cap: tuple[int, float] | None
    version: str


def parse_rule_set(document: dict, source: str = "rule set") -> RuleSet:
    """Validate a rule-set document and return its rules with the set's frequency cap and version."""
    rules = parse_rules(document, source)
    cap = document.get("frequency_cap")
    return RuleSet(rules, (cap["max_triggers"], float(cap["period_s"])) if cap else None,
                   document["rule_set_version"])


def read_rule_document(path: str | Path) -> dict:
    """The JSON document of a ``trigger_rules.json`` file (not yet validated)."""
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError as error:
        raise TriggerRulesError(f"{path}: no such rule set") from error
    except json.JSONDecodeError as error:
        raise TriggerRulesError(f"{path}: not JSON ({error})") from error


def load_rules(path: str | Path) -> list[Rule]:
    """Read, validate and parse a ``trigger_rules.json`` file."""
    return parse_rules(read_rule_document(path), str(path))


def load_rule_set(path: str | Path) -> RuleSet:
    """Read, validate and parse a ``trigger_rules.json`` file with its frequency cap."""
    return parse_rule_set(read_rule_document(path), str(path))
