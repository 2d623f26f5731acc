"""What the numbers mean, in plain words for the marketer: each journey's effect, its rules, its reason.

Every sentence is a message of the report's catalogue (:mod:`parcours.report.locale`), written in the
report's language with its numbers, money and dates formatted for that locale.
"""

from __future__ import annotations

import re

import pandas as pd

from parcours.impact.status import NOT_MEASURED, PROVEN, TOO_FEW
from parcours.journeys.naming import readable
from parcours.report.locale import ReportLocale
from parcours.schema import VARIANT_SEPARATOR

ENGLISH = ReportLocale("en")
#: :data:`parcours.impact.status.TOO_FEW` with its numbers read back, to say it in another language.
_TOO_FEW = re.compile(re.escape(TOO_FEW).replace(r"\{entered\}", r"(?P<entered>[\d,]+)")
                      .replace(r"\{needed\}", r"(?P<needed>[\d,]+)"))


def outcome_phrase(impact: pd.DataFrame, locale: ReportLocale = ENGLISH) -> str:
    """What the effects are measured on, from ``journey_impact``'s ``outcome`` and window columns."""
    if impact.empty or "outcome" not in impact.columns or pd.isna(impact.outcome.iloc[0]):
        return locale.gettext("customer value")
    row = impact.iloc[0]
    if row.outcome == "clv":
        return locale.gettext("predicted customer lifetime value")
    window = {"start": locale.day(row.landmark), "end": locale.day(row.outcome_end)}
    if row.outcome == "conversions":
        return locale.gettext("conversions between {start} and {end}", **window)
    return locale.gettext("net revenue (returns deducted) between {start} and {end}", **window)


def effect_sentence(row, outcome: str, locale: ReportLocale = ENGLISH) -> str:
    """One journey's effect in plain words, in its state (proven, no clear effect, not measured).

    Every amount can be recomputed from the numbers the card shows beside it: the value at stake is
    the journey's customers (``n_customers``) × its effect per customer.

    Parameters
    ----------
    row
        A ``journey_ranking`` row (attribute access).
    outcome
        What the effect is on (:func:`outcome_phrase`).
    locale
        The report's language and currency.
    """
    if row.status == NOT_MEASURED:
        return locale.gettext("Not measured: {reason}.", reason=reason_in(row.reason, locale))
    interval = locale.gettext("between {low} and {high} per customer", low=locale.money(row.ci_low),
                              high=locale.money(row.ci_high))
    if row.status not in PROVEN:
        return locale.gettext("No clear effect: on {outcome}, this journey's effect lies {interval}, which includes "
                              "zero. Do not count on it either way.", outcome=outcome, interval=interval)
    values = {"amount": locale.money(abs(row.effect)), "outcome": outcome, "interval": interval,
              "customers": locale.number(row.n_customers), "stake": locale.money(row.value_at_stake, True)}
    if row.effect >= 0:
        return locale.gettext("Customers who go through this journey bring {amount} more {outcome} than comparable "
                              "customers who do not (95% interval: {interval}). Across its {customers} customers, "
                              "that is {stake} at stake.", **values)
    return locale.gettext("Customers who go through this journey bring {amount} less {outcome} than comparable "
                          "customers who do not (95% interval: {interval}). Across its {customers} customers, that "
                          "is {stake} at stake.", **values)


def reason_in(reason: str, locale: ReportLocale = ENGLISH) -> str:
    """A plain reason (:mod:`parcours.impact.status`) in the report's language; others as they are."""
    found = _TOO_FEW.fullmatch(str(reason))
    if found:
        return locale.gettext(TOO_FEW, **{k: locale.number(int(v.replace(",", ""))) for k, v in
                                          found.groupdict().items()})
    return locale.gettext(str(reason))


def steps_phrase(pattern: str, locale: ReportLocale = ENGLISH) -> str:
    """A rule's pattern in words: ``view_item@web → add_to_cart@web`` → ``web view item, then web add to cart``."""
    return locale.gettext(", then ").join(readable(step) for step in str(pattern).split(VARIANT_SEPARATOR))


def readable_paths(paths: pd.DataFrame) -> pd.DataFrame:
    """``paths`` with each step of ``variant`` in its human label (:func:`readable`), the label every picture uses."""
    return paths.assign(variant=[VARIANT_SEPARATOR.join(readable(t) for t in str(v).split(VARIANT_SEPARATOR))
                                 for v in paths.variant])


def rule_sentence(rule, locale: ReportLocale = ENGLISH) -> str:
    """A trigger rule as a sentence: when it fires, what to send and when, and how its back-test went.

    ``rule`` is a ``trigger_rules.csv`` row (attribute access). "Right *h* times in *n*" counts the
    back-test's triggers (``triggers``) followed by the journey (``precision`` × ``triggers``);
    "reaches" is its coverage of the journey's customers in the back-test period.

    Examples
    --------
    >>> from types import SimpleNamespace as Row
    >>> print(rule_sentence(Row(pattern="add_to_cart@web", window_h=1.0, action_label="Recommendation",
    ...                         channel="email", delay_h=2.0, precision=1.0, triggers=100, coverage=0.98)))
    ... # doctest: +NORMALIZE_WHITESPACE
    When a customer does web add to cart, send “Recommendation” by email 2 h later:
    right 100 times in 100, reaches 98% of this journey.
    """
    steps = str(rule.pattern).split(VARIANT_SEPARATOR)
    within = (locale.gettext(" within {duration}", duration=locale.days(float(rule.window_h) / 24))
              if len(steps) > 1 else "")
    label = rule.action_label if isinstance(rule.action_label, str) and rule.action_label else ""
    channel = locale.gettext(" by {channel}", channel=rule.channel) if isinstance(rule.channel, str) and rule.channel \
        else ""
    delay = float(rule.delay_h) if rule.delay_h == rule.delay_h and rule.delay_h is not None else 0.0
    when = (locale.gettext(" {duration} later", duration=locale.days(delay / 24)) if delay > 0
            else locale.gettext(" at once"))
    act = (locale.gettext("send “{action}”{channel}{when}", action=label, channel=channel, when=when) if label
           else locale.gettext("no action in the catalogue fits it yet"))
    triggers = int(rule.triggers) if rule.triggers == rule.triggers else 0
    return locale.gettext("When a customer does {steps}{within}, {act}: right {right} times in {triggers}, reaches "
                          "{coverage} of this journey.", steps=steps_phrase(rule.pattern, locale), within=within,
                          act=act, right=locale.number(round(float(rule.precision) * triggers)),
                          triggers=locale.number(triggers), coverage=locale.share(float(rule.coverage)))
