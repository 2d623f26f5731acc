"""``auto`` settings resolved from the log's profile, each with the value chosen and the reason why.

A setting left at ``auto`` is decided by the log (:class:`parcours.ingest.profile.LogProfile`), by a
stated principle, never by a number tuned to one log; an explicit setting always wins. The
resolutions travel with the profile (``log_profile.json``), so every stage applies the same ones, and
the metadata, MLflow and the report show them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from parcours.ingest.profile import LogProfile
from parcours.settings import Settings

PROFILED = ("value.purchase_activities", "value.return_activities", "value.outcome", "value.horizon_months",
            "impact.observation_months", "impact.placebo_months", "mining.temporal_max_distance",
            "mining.replay_max_steps", "episodes.conversion_activities", "episodes.activity_folding")
"""The settings that may be ``auto``, resolved from the log's profile."""


@dataclass(frozen=True)
class Resolution:
    """One ``auto`` setting resolved: the dotted key, the value chosen and why."""

    setting: str
    value: Any
    reason: str


def resolve_settings(settings: Settings, profile: LogProfile) -> list[Resolution]:
    """The values of the settings left at ``auto``, from the profile (explicit settings are not listed).

    Examples
    --------
    >>> from parcours.ingest.profile import LogProfile
    >>> profile = LogProfile(events=9, customers=3, first_ts=None, last_ts=None, span_days=1.0,
    ...     events_per_customer={}, gap_hours={}, activities=2, channels=0, tokens=2, tie_share=0.0,
    ...     id_type="integer", has_revenue=False, has_channel=False, conversion_like=["purchase"])
    >>> [(r.setting, r.value) for r in resolve_settings(Settings(), profile)]  # doctest: +NORMALIZE_WHITESPACE
    [('value.purchase_activities', ['purchase']), ('value.return_activities', []),
     ('value.outcome', 'conversions'), ('value.horizon_months', 1), ('impact.observation_months', 1),
     ('impact.placebo_months', 1), ('mining.temporal_max_distance', 1), ('mining.replay_max_steps', 10),
     ('episodes.conversion_activities', ['purchase']),
     ('episodes.activity_folding', {'fold_urls': False, 'keep': None})]
    """
    value, resolved = settings.value, []
    purchases = value.purchase_activities
    if purchases == "auto":
        purchases, why = _purchases(profile)
        resolved.append(Resolution("value.purchase_activities", purchases, why))
    if value.return_activities == "auto":
        returns = [a for a in profile.return_like if a not in purchases] if profile.has_revenue else []
        resolved.append(Resolution("value.return_activities", returns, (
            "the activities whose rows carry negative revenue" if returns else "no activity carries negative revenue"
            if profile.has_revenue else "the log has no revenue column")))
    if value.outcome == "auto":
        money = profile.has_revenue and any(a in profile.purchase_like for a in purchases)
        resolved.append(Resolution("value.outcome", "revenue" if money else "conversions", (
            "the purchases carry revenue" if money else "the purchases carry no revenue: value is counted in "
            "conversions" if purchases else "no purchase or conversion activity: there is no value to count")))
    resolved.extend(_windows(settings, profile))
    if settings.mining.temporal_max_distance == "auto":
        longest = max(1, math.ceil(profile.events_per_customer.get("p99", 1)))
        resolved.append(Resolution("mining.temporal_max_distance", longest, (
            "the 99th percentile of events per customer: every pair of a typical customer's steps is profiled, "
            "and no customer gives more than that many pairs per event")))
    if settings.mining.replay_max_steps == "auto":
        longest = 10 * max(1, math.ceil(profile.events_per_customer.get("p99", 1)))
        resolved.append(Resolution("mining.replay_max_steps", longest, (
            "10 × the 99th percentile of events per customer: only outliers are left out of the replay, and counted")))
    if settings.episodes.conversion_activities == "auto":
        resolved.append(Resolution("episodes.conversion_activities", list(purchases),
                                   "the purchase activities (value.purchase_activities)"))
    if settings.episodes.activity_folding == "auto":
        resolved.append(_folding(settings, profile, [*purchases, *(r.value for r in resolved
                                                                  if r.setting == "value.return_activities")]))
    return resolved


def _folding(settings: Settings, profile: LogProfile, protected: list) -> Resolution:
    """``episodes.activity_folding`` from the activities' rows (:mod:`parcours.ingest.folding`)."""
    from parcours.ingest.folding import activity_folding

    limit = settings.episodes.max_activities
    if settings.episodes.abstraction:
        folding, why = activity_folding({}, None), "episodes.abstraction is set: the tokens are the user's"
    else:
        flat = [p for item in protected for p in (item if isinstance(item, list) else [item])]
        folding = activity_folding(profile.activity_rows, limit, flat)
        why = (f"{folding['before']:,} distinct activities, at most episodes.max_activities={limit}: none folded"
               if folding["before"] == folding["after"] else
               f"{folding['before']:,} distinct activities, more than episodes.max_activities={limit}: "
               + ("URLs folded (host, query and ids dropped)" if folding["fold_urls"] else "")
               + (" and " if folding["fold_urls"] and folding["keep"] is not None else "")
               + (f"all but the {limit - 1} most frequent (and the purchases) grouped as \"other\""
                  if folding["keep"] is not None else "") + f": {folding['after']:,} left")
    return Resolution("episodes.activity_folding", {"fold_urls": folding["fold_urls"], "keep": folding["keep"]}, why)


#: The windows' lengths when the log is long enough (months): the CLV horizon, the impact observation and placebo.
FULL_WINDOWS = {"value.horizon_months": 6, "impact.observation_months": 4, "impact.placebo_months": 2}
#: The share of the span each window may take at most: the horizon a third of the log (the calibration at least
#: twice the holdout); before the landmark, observation half and placebo a quarter (a quarter left for history).
WINDOW_SHARES = {"value.horizon_months": 1 / 3, "impact.observation_months": 1 / 2, "impact.placebo_months": 1 / 4}


def _windows(settings: Settings, profile: LogProfile) -> list[Resolution]:
    """The window lengths left at ``auto``, fitted to the log's span (whole months, at least one)."""
    month = 30.4375
    horizon = settings.value.horizon_months
    out = []
    if horizon == "auto":
        horizon = _fit_months("value.horizon_months", profile.span_days)
        out.append(Resolution("value.horizon_months", horizon, _window_reason("value.horizon_months", horizon,
                                                                              profile.span_days)))
    before = max(profile.span_days - horizon * month, 0.0)
    for key in ("impact.observation_months", "impact.placebo_months"):
        if getattr(settings.impact, key.split(".")[1]) == "auto":
            months = _fit_months(key, before)
            out.append(Resolution(key, months, _window_reason(key, months, before, "of the log before the landmark")))
    return out


def _fit_months(key: str, days: float) -> int:
    return max(1, min(FULL_WINDOWS[key], int(days * WINDOW_SHARES[key] / 30.4375)))


def _window_reason(key: str, months: int, days: float, of: str = "of the log's span") -> str:
    share = {1 / 3: "a third", 1 / 2: "half", 1 / 4: "a quarter"}[WINDOW_SHARES[key]]
    if months == FULL_WINDOWS[key]:
        return f"{FULL_WINDOWS[key]} months fit: {share} {of} ({days:,.0f} days) is at least that"
    return f"{share} {of} ({days:,.0f} days), in whole months (at least 1); {FULL_WINDOWS[key]} would not fit"


def apply_resolutions(settings: Settings, resolutions: list[dict[str, Any]] | list[Resolution]) -> Settings:
    """``settings`` with the resolved values put in place of ``auto`` (an explicit value is never replaced)."""
    sections: dict[str, dict[str, Any]] = {}
    for item in resolutions:
        entry = asdict(item) if isinstance(item, Resolution) else item
        section, key = entry["setting"].split(".", 1)
        if getattr(getattr(settings, section), key) == "auto":
            sections.setdefault(section, {})[key] = entry["value"]
    updates = {name: getattr(settings, name).model_copy(update=values) for name, values in sections.items()}
    return settings.model_copy(update=updates)


def _purchases(profile: LogProfile) -> tuple[list[str], str]:
    if profile.has_revenue and profile.purchase_like:
        return list(profile.purchase_like), "the activities whose rows carry positive revenue at least half the time"
    if profile.conversion_like:
        why = "no activity carries revenue" if profile.has_revenue else "the log has no revenue column"
        return list(profile.conversion_like), f"{why}; the activities named like a conversion done"
    return [], "no activity carries revenue or is named like a conversion (purchase, order, payment_done, ...)"


def settled(settings: Settings, events: Any, *, has_revenue: bool) -> Settings:
    """``settings`` with every ``auto`` resolved from ``events`` itself (profiled on the spot) when any is left.

    The pipeline resolves once, in ``log_profile``, and hands the stages settled settings; a library call
    from a notebook or a test may pass ``auto`` values, and gets the same resolution. Only the sections the
    caller gave count (``Settings(value=...)`` asks about ``value`` alone): the defaults of the others are
    ``auto`` and would profile the log again for nothing (1.6 s a call at 5M events, four calls a run).

    Examples
    --------
    >>> from parcours.settings import ValueSettings
    >>> given = Settings(value=ValueSettings(purchase_activities=["order"], return_activities=[], outcome="revenue",
    ...                                      horizon_months=6))
    >>> settled(given, events=None, has_revenue=True) is given  # the log is not read: nothing asked is auto
    True
    """
    asked = settings.model_fields_set or set(type(settings).model_fields)
    if not any(_value(settings, key) == "auto" for key in PROFILED if key.split(".")[0] in asked):
        return settings
    from parcours.ingest.profile import profile_log
    from parcours.schema import CHANNEL

    profile = profile_log(events, has_revenue=has_revenue, has_channel=CHANNEL in events.columns)
    return apply_resolutions(settings, resolve_settings(settings, profile))


def _value(settings: Settings, dotted: str) -> Any:
    section, key = dotted.split(".")
    return getattr(getattr(settings, section), key)


def value_measured(events: Any, value: Any) -> tuple[Any, bool]:
    """The events whose ``revenue`` is the value counted, and whether there is any to count.

    With ``value.outcome`` ``conversions``, each purchase (conversion) event is worth 1 and nothing else
    is, so every value stage (RFM, the models, the impact outcome) counts conversions with the same code
    that sums revenue.
    """
    import ibis

    from parcours.schema import ACTIVITY, REVENUE

    if not value.purchase_activities:
        return events, False
    if value.outcome != "conversions":
        return events, True
    counted = ibis.ifelse(events[ACTIVITY].isin(value.purchase_activities), 1.0, ibis.null("float64"))
    return events.mutate(**{REVENUE: counted}), True


def describe_log(events: Any, summary: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """``log_profile.json``: the profile of the clean log, its lines for people, and the ``auto`` settings resolved.

    Parameters
    ----------
    events
        The clean event log.
    summary
        The ingest summary (``has_revenue``, ``has_channel``, ``duplicates_policy``).
    settings
        The settings as configured (``auto`` values left in).
    """
    from parcours.ingest.profile import profile_log

    profile = profile_log(events, has_revenue=bool(summary.get("has_revenue", True)),
                          has_channel=bool(summary.get("has_channel", True)))
    resolved = resolve_settings(settings, profile)
    return {**profile.to_dict(), "facts": profile.facts(), "resolved": [asdict(r) for r in resolved]}
