"""The settings sections of the analysis steps: mining, journeys, customer value and journey impact.

Each is a pydantic model that forbids unknown keys (see :mod:`parcours.config`, which loads them).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MiningSettings(_Section):
    """How the process map and the variants are shown."""

    top_edges: int = Field(20, ge=1, description="Edges listed in the process map's preview (by count).")
    top_variants: int = Field(20, ge=1, description="Variants listed in the variants' preview (by count).")
    model_coverage: float = Field(
        0.8, gt=0, le=1, description="Share of instances whose variants the process model is discovered from."
    )
    noise_threshold: float = Field(0.2, ge=0, lt=1, description="Inductive Miner (infrequent) noise threshold.")
    model_max_cases: int = Field(
        20_000, ge=100, description="Cap on cases handed to pm4py (variants replicated in proportion to counts)."
    )
    journey_models: int = Field(12, ge=0, description="Journeys (the largest) that get their own process model.")
    map_edges: int = Field(20, ge=1, description="Edges drawn in the process map picture; the rest go through other.")
    temporal_zeta: float = Field(
        3.0, gt=0, description="A step pair deviates when this many standard deviations from its typical time."
    )
    temporal_max_distance: int | Literal["auto"] | None = Field(
        "auto", description="Profile only steps at most this far apart (null: every pair, as pm4py); auto: the 99th "
                            "percentile of events per customer, so a typical customer's pairs are all profiled and "
                            "a bot's 100,000 events give at most that many pairs each, not billions."
    )


    replay_max_steps: int | Literal["auto"] | None = Field(
        "auto", description="Replay fitness leaves out instances longer than this (null: replay all); auto: 10 × the "
                            "99th percentile of events per customer: only outliers (a bot) are left out, and counted."
    )

    @model_validator(mode="after")
    def _distance_positive(self) -> MiningSettings:
        for name in ("temporal_max_distance", "replay_max_steps"):
            value = getattr(self, name)
            if isinstance(value, int) and value < 1:
                raise ValueError(f"{name} must be auto, null or at least 1")
        return self


class JourneySettings(_Section):
    """How journey instances are clustered into typical journeys (the journey-discovery issue)."""

    min_tokens: int = Field(2, ge=1, description="Shorter instances are not a journey: noise (-1).")
    ngram_max: int = Field(3, ge=1, le=5, description="Longest token n-gram in the TF-IDF features.")
    components: int = Field(20, ge=2, description="TruncatedSVD components the features are reduced to.")
    min_samples: int = Field(10, ge=2, description="HDBSCAN min_samples; a variant counts at most min_samples-1 times.")
    min_cluster_share: float = Field(
        0.005, gt=0, lt=1, description="HDBSCAN min_cluster_size as a share of the weighted variants (scales)."
    )
    min_cluster_floor: int = Field(10, ge=2, description="Smallest min_cluster_size, whatever the population.")
    merge_distance: float = Field(
        0.3, ge=0, description="HDBSCAN cluster_selection_epsilon: clusters closer than this merge."
    )
    min_probability: float = Field(
        0.05, ge=0, lt=1, description="Variants HDBSCAN attaches with a lower membership probability are noise."
    )
    standalone_share: float = Field(
        0.01, gt=0, lt=1, description="A noise variant followed by this share of instances is a journey by itself."
    )
    sample_instances: int = Field(
        40_000, ge=1_000, description="Instances drawn (by variant count) for clustering; the rest are assigned."
    )
    max_variants: int = Field(
        20_000, ge=10, description="Most frequent variants clustered; rarer ones are assigned by the classifier."
    )
    neighbours: int = Field(15, ge=1, description="Neighbours the classifier votes with for an unseen sequence.")
    min_vote: float = Field(
        0.6, ge=0, le=1, description="An unseen sequence below this share of its neighbours' vote is noise."
    )
    silhouette_sample: int = Field(5_000, ge=100, description="Instances sampled for the silhouette.")
    bootstrap_rounds: int = Field(5, ge=0, description="Resamples for the stability (adjusted Rand index).")
    min_stability: float = Field(0.7, ge=0, le=1, description="The stability check warns below this.")
    representative_coverage: float = Field(
        0.25, gt=0, le=1, description="Representatives cover at least this share of a journey's instances."
    )
    match_max_distance: float = Field(
        0.5, ge=0, le=1, description="A journey keeps the previous run's id when its medoids are this close."
    )
    seed: int = Field(0, description="Seed of the SVD, the samples and the bootstrap.")


class ValueSettings(_Section):
    """Customer lifetime value: RFM at a landmark, BG/NBD (or Pareto/NBD) + Gamma-Gamma, holdout check."""

    purchase_activities: list[str] | Literal["auto"] = Field(
        "auto", description="Activities that are purchases (conversions in a log without revenue); auto: those whose "
                            "rows carry positive revenue, or without revenue the ones named like a conversion."
    )
    return_activities: list[str] | Literal["auto"] = Field(
        "auto", description="Activities that give money back; auto: those whose rows carry negative revenue."
    )
    outcome: Literal["auto", "revenue", "conversions"] = Field(
        "auto", description="What value is counted in: revenue (money on purchases) or conversions (purchases "
                            "counted); auto: revenue when purchases carry it, else conversions."
    )
    returns: Literal["net", "ignore"] = Field(
        "net", description="net: a customer's returns lower the value of each of their purchases; ignore: they don't."
    )
    time_unit: Literal["D", "W", "M"] = Field("W", description="Unit of recency and T in the models: day, week, month.")
    horizon_months: int | Literal["auto"] = Field(
        "auto", description="CLV horizon, and the length of the holdout period (1-120); auto: 6, or a third of the "
                            "log's span when that is shorter, so the calibration is at least twice the holdout."
    )
    landmark: date | None = Field(
        None, description="First day of the holdout period; null: the day after the last event minus the horizon."
    )
    annual_discount_rate: float = Field(0.10, ge=0, lt=1, description="Discount rate of future purchases, per year.")
    purchase_model: Literal["bgnbd", "pareto_nbd"] = Field("bgnbd", description="Model of purchase counts.")
    method: Literal["map", "mcmc", "advi", "fullrank_advi"] = Field(
        "map", description="map (nightly default, Laplace interval), or a posterior: mcmc, advi, fullrank_advi."
    )
    draws: int = Field(1000, ge=10, description="Posterior draws per chain (mcmc) or drawn from the approximation.")
    tune: int = Field(1000, ge=0, description="MCMC tuning steps per chain.")
    advi_iterations: int = Field(
        50_000, ge=1000, description="Optimisation steps of advi / fullrank_advi (10k, pymc's default, stops short)."
    )
    chains: int = Field(2, ge=1, description="MCMC chains.")
    interval: float = Field(0.9, gt=0, lt=1, description="Probability mass of the clv_low .. clv_high interval.")
    interval_draws: int = Field(
        200, ge=10, description="Posterior draws (thinned) used for intervals, never more per customer."
    )
    refit: bool = Field(
        True, description="Refit on all the data for the published values (false: publish the calibration fit)."
    )
    min_repeat_buyers: int = Field(
        20, ge=2, description="Fewer customers with repeat purchases and revenue than this: no Gamma-Gamma fit."
    )
    max_holdout_error: float = Field(
        0.15, gt=0, description="A (non-blocking) check warns when total holdout purchases are off by more."
    )
    seed: int = Field(0, description="Seed of the samplers and of the approximation draws.")

    @model_validator(mode="after")
    def _horizon_in_range(self) -> ValueSettings:
        _months_between(self.horizon_months, 1, 120, "horizon_months")
        return self


class ImpactSettings(_Section):
    """Journey impact: a target-trial design around a landmark, cross-fitted AIPW per journey, and its checks."""

    landmark: date | None = Field(
        None, description="First day of the outcome window; null: the customer-value landmark (value.landmark)."
    )
    observation_months: int | Literal["auto"] = Field(
        "auto", description="Treated: an instance of the journey starts in these months before the landmark (1-60); "
                            "auto: 4, or half the log before the landmark when that is shorter."
    )
    outcome_months: int | None = Field(
        None, ge=1, le=120, description="Outcome: net revenue in these months after the landmark (null: value.horizon)."
    )
    placebo_months: int | Literal["auto"] = Field(
        "auto", description="The placebo outcome: net revenue in these months before the observation window (1-60); "
                            "auto: 2, or a quarter of the log before the landmark when that is shorter."
    )
    complaint_activities: list[str] = Field(
        default_factory=lambda: ["complaint"], description="Activities counted as complaints among the covariates."
    )
    max_channels: int = Field(8, ge=0, description="Channels (the busiest) whose share of events is a covariate.")
    min_probability: float = Field(
        0.0, ge=0, le=1, description="Instances assigned with a lower membership probability do not count as treated."
    )
    min_treated: int = Field(50, ge=10, description="Journeys with fewer treated customers are listed, not estimated.")
    folds: int = Field(5, ge=2, le=20, description="Cross-fitting folds of the nuisance models.")
    trim: float = Field(
        0.01, ge=0, lt=0.5,
        description="Common support: left out below this quantile of the treated's propensities, above 1 − it of the "
                    "others'.",
    )
    max_trimmed_share: float = Field(0.10, ge=0, le=1, description="overlap_ok needs at most this share trimmed.")
    max_smd: float = Field(
        0.10, gt=0, description="overlap_ok needs every |standardised mean difference| after weighting below this."
    )
    balance_noise_z: float = Field(
        3.0, ge=0, description="A covariate is imbalanced above max_smd or this many noise SDs, whichever is larger."
    )
    fdr: float = Field(0.05, gt=0, lt=1, description="False discovery rate of the Benjamini-Hochberg q-values.")
    refutation_alpha: float = Field(
        0.01, gt=0, lt=1, description="A placebo effect with a p-value below this fails refutation_ok."
    )
    max_customers: int | None = Field(
        50_000, ge=1_000,
        description="Estimate on a seeded random sample of at most this many eligible customers (null: all of them). "
                    "The effect is the same population average; its interval widens as the sample shrinks.",
    )
    seed: int = Field(0, description="Seed of the folds, the nuisance models, the permuted placebo and the sample.")

    @model_validator(mode="after")
    def _windows_in_range(self) -> ImpactSettings:
        _months_between(self.observation_months, 1, 60, "observation_months")
        _months_between(self.placebo_months, 1, 60, "placebo_months")
        return self


def _months_between(value: int | str, low: int, high: int, name: str) -> int | str:
    if value != "auto" and not low <= int(value) <= high:
        raise ValueError(f"{name} must be auto or between {low} and {high} months")
    return value


class CatalogueAction(_Section):
    """A marketer-facing action the catalogue offers for a journey step."""

    step: str = Field(min_length=1, description="The step it answers: a token (activity@channel) or an activity.")
    when: Literal["raises", "destroys"] = Field(
        description="raises: nudge towards this step in a journey that raises value; destroys: intervene before it."
    )
    action_id: str = Field(min_length=1, pattern=r"^[a-z0-9_\-]+$")
    label: str = Field(min_length=1, description="What the marketer sees.")
    channel: str = Field(min_length=1, description="The channel the action goes out on.")
    delay_hours: float = Field(0.0, ge=0, description="Act this long after the rule fires.")


ACTION_FIELDS = ("step", "when", "action_id", "label", "channel", "delay_hours")
DEFAULT_ACTIONS = (  # the demo's catalogue, as in conf/triggers.yaml: step, when, id, label, channel, delay h
    ("store_visit@store", "raises", "store_invitation", "Invitation to the nearest store", "email", 24.0),
    ("order@store", "raises", "store_offer", "In-store offer for the next visit", "email", 24.0),
    ("order@web", "raises", "web_order_nudge", "Personal recommendation towards a web order", "email", 2.0),
    ("order@app", "raises", "app_order_nudge", "App push with the items viewed", "app", 2.0),
    ("order", "raises", "order_nudge", "Personal offer for the next order", "email", 24.0),
    ("store_visit", "raises", "store_invitation", "Invitation to the nearest store", "email", 24.0),
    ("complaint", "destroys", "service_recovery", "Proactive service-recovery call", "phone", 0.0),
    ("delivery_issue", "destroys", "delivery_apology", "Delivery apology with a voucher", "email", 0.0),
    ("cancel_subscription", "destroys", "retention_offer", "Retention offer", "email", 0.0),
    ("cart_abandon", "destroys", "cart_rescue", "Cart reminder with free delivery", "app", 1.0),
    ("return", "destroys", "fit_advice", "Fit and size advice before a return", "email", 0.0),
)


class TriggerSettings(_Section):
    """Trigger rules: mined on the earlier part of the journeys' period, back-tested on the later part."""

    journeys: Literal["findings", "estimated", "all"] = Field(
        "findings", description="Journeys that get rules: impact findings, any estimated effect, or every journey."
    )
    mining_share: float = Field(
        0.6, gt=0.1, lt=0.95, description="Rules are mined on the instances starting in this earlier share of time."
    )
    min_probability: float = Field(0.0, ge=0, le=1, description="Assignments below this membership count as noise.")
    max_entry_steps: int = Field(4, ge=1, le=8, description="Candidate patterns come from this many first steps.")
    max_pattern_length: int = Field(3, ge=1, le=5, description="Longest entry pattern, in steps.")
    candidates_per_journey: int = Field(15, ge=1, description="Most frequent candidate patterns evaluated per journey.")
    privacy_floor: int = Field(10, ge=1, description="No rule is ever backed by fewer distinct customers than this.")
    min_support: int = Field(25, ge=1, description="Distinct customers a rule must catch entering its journey.")
    min_precision: float = Field(0.5, gt=0, le=1, description="Share of a rule's matches that follow its journey.")
    min_recall: float = Field(0.1, gt=0, le=1, description="Share of the journey's instances a rule catches.")
    min_lead_time_hours: float = Field(
        0.0, description="Median time from firing to the journey's defining step, at least (0: fire at entry)."
    )
    window_quantile: float = Field(
        0.9, gt=0, le=1, description="A rule's window: this quantile of its pattern's span in the journey's instances."
    )
    max_rules_per_journey: int = Field(3, ge=1)
    max_overlap: float = Field(
        0.8, gt=0, le=1, description="A rule whose matched instances overlap a better one's this much is pruned."
    )
    min_precision_gain: float = Field(
        0.05, ge=0, description="A longer or shorter pattern of a kept rule must be this much more precise to stay."
    )
    cap_per_customer: int = Field(1, ge=1, description="Times one rule fires for one customer, at most.")
    frequency_cap: int = Field(2, ge=1, description="Triggers of all rules one customer gets per cap period, at most.")
    frequency_cap_days: float = Field(7.0, gt=0, description="The global frequency cap's period.")
    max_triggers_per_customer_week: float = Field(
        0.5, gt=0, description="Back-test: triggers per active customer per week must stay below this (champion)."
    )
    actions: list[CatalogueAction] = Field(
        default_factory=lambda: [CatalogueAction(**dict(zip(ACTION_FIELDS, a, strict=True))) for a in DEFAULT_ACTIONS],
        description="The action catalogue.",
    )

    @model_validator(mode="after")
    def _support_above_privacy_floor(self) -> TriggerSettings:
        if self.min_support < self.privacy_floor:
            raise ValueError(f"min_support ({self.min_support}) is below privacy_floor ({self.privacy_floor})")
        return self


class ReportSettings(_Section):
    """The marketer's report: the journey ranking, its cards and its wording."""

    title: str = Field("Customer journeys: what they are worth, and when to act", description="Report title.")
    currency: str = Field("€", description="Written before money amounts (the log's revenue unit).")
    cards: int = Field(30, ge=1, description="Journeys with a card of their own, best ranked first; the CSV has all.")
    flow_steps: int = Field(5, ge=2, le=10, description="First steps drawn in a journey's step-flow diagram.")
    map_edges: int = Field(15, ge=3, description="Most frequent moves drawn in a journey's process map.")
    paths_per_journey: int = Field(
        300, ge=10, description="Most frequent paths of a journey its diagrams are drawn from (the rest is counted)."
    )
    rules_per_journey: int = Field(3, ge=1, description="Best published trigger rules named in the ranking.")
