"""``report.html``: the marketer's ranked journeys, one self-contained file that opens offline.

plotly.js is written into the page once (no CDN), the process maps are inline SVG, and nothing is
fetched when the file is opened, so it can be mailed, archived or opened on a plane.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import jinja2
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from babel.dates import format_datetime
from plotly.offline import get_plotlyjs

from parcours.impact.status import NO_CLEAR_EFFECT, NOT_MEASURED, PROVEN, PROVEN_GAIN, PROVEN_LOSS
from parcours.journeys.naming import readable
from parcours.report import words
from parcours.report.diagrams import process_map_svg, step_flow_figure
from parcours.report.figures import landscape_figure, value_at_stake_figure
from parcours.report.locale import ReportLocale, currency_code
from parcours.schema import JOURNEY_ID, VARIANT_SEPARATOR
from parcours.settings import Settings

RULE_COLUMNS = ("rule_id", "pattern", "window_h", "action_label", "channel", "delay_h", "precision", "coverage",
                "triggers", "support", "target_lead_time_s", "expected_value", "published", "reason")
#: The CSS class of each state: green and red for proven effects only, grey otherwise.
KINDS = {PROVEN_GAIN: "gain", PROVEN_LOSS: "loss", NO_CLEAR_EFFECT: "unclear", NOT_MEASURED: "unmeasured"}


@dataclass(frozen=True)
class ReportInputs:
    """Everything the report shows: the ranking, each journey's paths and rules, and facts about the run."""

    ranking: pd.DataFrame
    paths: pd.DataFrame
    rules: pd.DataFrame
    impact: pd.DataFrame
    facts: dict = field(default_factory=dict)


def render_report(inputs: ReportInputs, settings: Settings, generated_at: datetime | None = None) -> str:
    """Write the report as one HTML document (a string), plotly.js included.

    Parameters
    ----------
    inputs
        The ranking (:func:`parcours.report.rank_journeys`), the paths
        (:func:`parcours.report.journey_paths`), ``trigger_rules.csv``, ``journey_impact.csv`` and
        facts about the run (events, customers, period, run id).
    settings
        ``report`` (title, currency, cards, diagrams) and the knobs the method section quotes.
    """
    conf, locale = settings.report, report_locale(settings)
    ranking = inputs.ranking.assign(best_rules=inputs.ranking.best_rules.fillna(""),  # empty text read back as null
                                    reason=inputs.ranking.reason.fillna(""))
    inputs = ReportInputs(ranking, inputs.paths, inputs.rules, inputs.impact, inputs.facts)
    outcome = words.outcome_phrase(inputs.impact, locale)
    cards = [_card(row, inputs, settings, outcome, locale) for row in ranking.head(conf.cards).itertuples()]
    template = _environment(locale).get_template("report.html.j2")
    impact = inputs.impact
    landmark = impact.landmark.dropna().iloc[0] if "landmark" in impact and impact.landmark.notna().any() else None
    outcome_is_clv = bool(len(impact)) and "outcome" in impact and impact.outcome.iloc[0] == "clv"
    return template.render(
        title=conf.title or locale.gettext("Customer journeys: what they are worth, and when to act"),
        language=locale.language,
        generated=format_datetime(generated_at or datetime.now(UTC), "short", tzinfo=UTC, locale=locale.language)
        + " UTC",
        facts=inputs.facts, outcome=outcome, summary=_summary(ranking, inputs.rules),
        outcome_is_clv=outcome_is_clv,
        plotly_js=get_plotlyjs(), ranked=list(ranking[ranking.status != NOT_MEASURED].itertuples()),
        not_measured=list(ranking[ranking.status == NOT_MEASURED].itertuples()), kinds=KINDS,
        value_figure=_figure(value_at_stake_figure(ranking, locale), "value-at-stake"),
        landscape_figure=_figure(landscape_figure(ranking, locale), "landscape"),
        cards=cards, more=max(0, len(ranking) - conf.cards), settings=settings,
        families=journey_families(ranking), discovery=inputs.facts.get("discovery", {}), proven=PROVEN,
        all_rows=list(ranking.itertuples()), landmark=landmark,
    )


def journey_families(ranking: pd.DataFrame) -> list[dict]:
    """The report's first lines: each family, its share of the paths, how often they convert, its journeys.

    Shares are of all journey instances (``share``); ``conversion`` is the instance-weighted mean of
    the journeys' ``conversion_share`` (instances with a purchase after their first step), what the
    names' "buys" and "leaves" say.
    """
    if "family" not in ranking or ranking.family.isna().all():
        return []
    out = []
    for _, group in ranking.dropna(subset=["family"]).groupby("family_id", sort=False):
        group = group.sort_values("n_instances", ascending=False)
        known = group.conversion_share.notna()
        conversion = (float((group.conversion_share[known] * group.n_instances[known]).sum()
                            / group.n_instances[known].sum()) if known.any() else float("nan"))
        out.append({"name": group.family.iloc[0], "share": float(group.share.sum()), "conversion": conversion,
                    "journeys": group[[JOURNEY_ID, "name", "share"]].to_dict("records")})
    return sorted(out, key=lambda f: -f["share"])


def _environment(locale: ReportLocale) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("parcours.report"), autoescape=True,
                             undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals["_"] = locale.gettext
    env.filters.update(money=lambda v, signed=False: locale.money(v, signed), days=locale.days, share=locale.share,
                       readable=readable, number=locale.number, decimal=locale.decimal, significant=locale.significant,
                       day=locale.day, reason=lambda r: words.reason_in(r, locale))
    return env


def _figure(fig: go.Figure, div_id: str) -> str:
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})


def _summary(ranking: pd.DataFrame, rules: pd.DataFrame) -> dict:
    """The first screen's figures: each is a count or a sum of the ranked table's rows."""
    status = ranking.status
    return {"journeys": len(ranking), "proven": int(status.isin(PROVEN).sum()),
            "unclear": int((status == NO_CLEAR_EFFECT).sum()), "not_measured": int((status == NOT_MEASURED).sum()),
            "raised": float(ranking.value_at_stake[status == PROVEN_GAIN].sum()),
            "at_risk": float(ranking.value_at_stake[status == PROVEN_LOSS].sum()),
            "published_rules": int(rules.published.astype(bool).sum()) if len(rules) else 0}


def report_currency(settings: Settings) -> str:
    """The unit written before amounts: the currency, or nothing when value is counted in conversions."""
    return "" if settings.value.outcome == "conversions" else settings.report.currency


def report_locale(settings: Settings) -> ReportLocale:
    """The report's language (``report.language``) and currency (its ISO code; none for conversions)."""
    return ReportLocale(settings.report.language, currency_code(report_currency(settings)))


def _card(row, inputs: ReportInputs, settings: Settings, outcome: str, locale: ReportLocale) -> dict:
    """One journey's card: its path, step flow, process map, effect in words and candidate rules."""
    conf = settings.report
    paths = words.readable_paths(inputs.paths[inputs.paths.journey_id == row.journey_id])
    covered = float(paths["count"].sum() / paths.instances.iloc[0]) if len(paths) else 0.0
    rules = inputs.rules[inputs.rules.journey_id == row.journey_id] if len(inputs.rules) else inputs.rules
    return {
        "row": row, "steps": str(row.representative).split(VARIANT_SEPARATOR),
        "sentence": words.effect_sentence(row, outcome, locale), "kind": KINDS[row.status],
        "interval": _interval_marks(row, inputs.ranking),
        "flow": _figure(step_flow_figure(paths, conf.flow_steps), f"flow-{row.journey_id}") if len(paths) else "",
        "map": process_map_svg(paths, conf.map_edges) if len(paths) else "",
        "paths": len(paths), "covered": covered,
        "rules": _rules(rules, locale),
    }


def _rules(rules: pd.DataFrame, locale: ReportLocale) -> dict[str, list]:
    """A card's rules: the published ones as sentences, the candidates left out with why."""
    if rules.empty:
        return {"published": [], "left_out": []}
    rows = rules.reindex(columns=list(RULE_COLUMNS))
    published = rows.published.astype(bool)
    return {"published": [words.rule_sentence(r, locale) for r in rows[published].itertuples()],
            "left_out": [(words.rule_sentence(r, locale), r.reason) for r in rows[~published].itertuples()]}


def _interval_marks(row, ranking: pd.DataFrame) -> dict | None:
    """Positions (in % of a common scale) of the effect, its interval and zero, for a small CSS bar."""
    if pd.isna(row.effect):
        return None
    low, high = float(ranking.ci_low.min()), float(ranking.ci_high.max())  # the estimates that are shown
    low, high = min(low, 0.0), max(high, 0.0)
    span = (high - low) or 1.0

    def at(value: float) -> float:
        return round(100 * (value - low) / span, 2)
    return {"zero": at(0.0), "low": at(row.ci_low), "high": at(row.ci_high), "effect": at(row.effect),
            "kind": KINDS[row.status]}
