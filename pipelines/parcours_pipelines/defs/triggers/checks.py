"""Checks on trigger rules: a valid rule set whose rules keep their promises, and a champion that earned it."""

import dagster as dg
import ibis.expr.types as ir

from parcours_pipelines.resources import SettingsResource


@dg.asset_check(asset="trigger_rules", blocking=True,
                additional_ins={"trigger_rule_scores": dg.AssetIn("trigger_rule_scores")})
def trigger_rules_follow_the_schema_and_their_thresholds(trigger_rules: dict, trigger_rule_scores: ir.Table,
                                                         settings: SettingsResource) -> dg.AssetCheckResult:
    """The rule set validates against the committed schema, every published rule is in the scores table marked
    published, and none is backed by fewer customers than the privacy floor."""
    from parcours.triggers import TriggerRulesError, validate_rule_set

    try:
        validate_rule_set(trigger_rules, "trigger_rules.json")
        schema_error = ""
    except TriggerRulesError as error:
        schema_error = str(error)
    scores = trigger_rule_scores.to_pandas().set_index("rule_id")
    floor = settings.load().triggers.privacy_floor
    rules = trigger_rules.get("rules") or []
    ids = [r.get("rule_id") for r in rules]
    problems = {
        "schema_errors": int(bool(schema_error)),
        "rules_not_marked_published": sum(1 for i in ids if i not in scores.index or not scores.published[i]),
        "rules_below_privacy_floor": sum(1 for r in rules
                                         if (((r.get("evidence") or {}).get("backtest") or {}).get("support") or 0)
                                         < floor),
    }
    return dg.AssetCheckResult(passed=not any(problems.values()),
                               metadata={**problems, "rules": len(ids), "schema_error": schema_error or "none"})


@dg.asset_check(asset="trigger_rules")
def trigger_rules_pass_their_backtest(trigger_rules: dict) -> dg.AssetCheckResult:
    """Warns when the rule set is empty or its capped back-test misses precision or coverage: it stays a
    candidate, not the champion."""
    whole = trigger_rules.get("backtest") or {}
    backtest, rules = whole.get("capped") or {}, len(trigger_rules.get("rules") or [])
    return dg.AssetCheckResult(passed=bool(rules) and bool(whole.get("passed")),
                               severity=dg.AssetCheckSeverity.WARN,
                               metadata={"rules": rules, **{k: v for k, v in backtest.items() if v is not None}})


@dg.asset_check(asset="trigger_rule_scores")
def trigger_rule_scores_say_why_each_rule_is_left_out(trigger_rule_scores: ir.Table) -> dg.AssetCheckResult:
    """One row per rule id, and every rule mining kept is either published or says why it is not; precision and
    coverage are shares."""
    scores = trigger_rule_scores.select("rule_id", "published", "reason", "precision", "coverage").to_pandas()
    published = scores.published.astype("boolean").fillna(False).astype(bool)  # a few hundred rules at most
    silent = ~published & scores.reason.fillna("").astype(str).str.strip().eq("")
    shares = scores[["precision", "coverage"]].astype(float)
    stats = {"rules": len(scores), "ids": int(scores.rule_id.nunique()), "left_out_without_a_reason": int(silent.sum()),
             "shares_out_of_range": int(((shares < 0) | (shares > 1)).any(axis=1).sum())}
    unexplained = stats["left_out_without_a_reason"] + stats["shares_out_of_range"]
    return dg.AssetCheckResult(passed=stats["rules"] == stats["ids"] and not unexplained, metadata=stats)
