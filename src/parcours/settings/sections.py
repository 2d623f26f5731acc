"""The settings sections of the analysis steps: mining, journeys, customer value and journey impact.

Each is a pydantic model that forbids unknown keys (see :mod:`parcours.settings`, which loads them).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MiningSettings(_Section):
    """How the process map and the variants are shown."""

    top_edges: int = Field(20, ge=1, description=(
        "Edges listed in the process map's preview in the Dagster UI (by count; the CSV has them all)."
    ))
    top_variants: int = Field(20, ge=1, description=(
        "Variants listed in the variants' preview (by count; the CSV has them all)."
    ))
    model_coverage: float = Field(
        0.8, gt=0, le=1, description=(
            "The process model: pm4py's Inductive Miner (infrequent) on the variants that cover this share of "
            "the instances, each replicated in proportion to its count (at most model_max_cases cases)."
        )
    )
    noise_threshold: float = Field(0.2, ge=0, lt=1, description="Inductive Miner (infrequent) noise threshold.")
    model_max_cases: int = Field(
        20_000, ge=100, description="Cap on cases handed to pm4py (variants replicated in proportion to counts)."
    )
    journey_models: int = Field(12, ge=0, description=(
        "A process model per discovered journey, for the largest journey_models journeys (same settings)."
    ))
    map_edges: int = Field(20, ge=1, description=(
        "The process map picture: the most frequent edges drawn, every other move routed through \"other\"."
    ))
    temporal_zeta: float = Field(
        3.0, gt=0, description=(
            "The temporal profile (typical time between two steps of an instance, every later step as pm4py): a"
            " pair deviates when it lies more than temporal_zeta standard deviations from its mean."
        )
    )
    temporal_max_distance: int | Literal["auto"] | None = Field(
        "auto", description=(
            "Profile only steps at most this many apart (null = every pair; the pairs grow with length "
            "squared). auto: the 99th percentile of events per customer (every pair of a typical customer's "
            "steps, as pm4py; a bot with 100,000 events gets at most that many pairs per event, not 5 billion "
            "pairs)."
        )
    )


    replay_max_steps: int | Literal["auto"] | None = Field(
        "auto", description=(
            "Replay fitness (process_model, journey_models) leaves out instances longer than this, and counts "
            "them (instances_not_replayed); null = replay all. auto: 10 × the 99th percentile of events per "
            "customer: only outliers such as a bot's 100,000 steps, which exhaust pm4py's replay, are left out."
        )
    )

    @model_validator(mode="after")
    def _distance_positive(self) -> MiningSettings:
        for name in ("temporal_max_distance", "replay_max_steps"):
            value = getattr(self, name)
            if isinstance(value, int) and value < 1:
                raise ValueError(f"{name} must be auto, null or at least 1")
        return self


class JourneySettings(_Section):
    """Journey discovery: journey instances clustered into typical journeys.

    The work is done on de-duplicated variants, weighted by their counts.
    """

    min_tokens: int = Field(2, ge=1, description=(
        "Instances shorter than this are not clustered: they form the journey \"leaves after one step\" "
        "(short_paths: group) or are noise (-1)."
    ))
    ngram_max: int = Field(3, ge=1, le=5, description=(
        "Features: TF-IDF of token 1..ngram_max-grams, transitions, length, duration, channel mix, reduced to "
        "this many SVD components."
    ))
    components: int = Field(20, ge=2, description="TruncatedSVD components the features are reduced to.")
    min_samples: int = Field(10, ge=2, description=(
        "HDBSCAN. A variant enters min(count, min_samples - 1) times, so a variant followed by thousands weighs"
        " more than a single customer's, and no stack of identical points forms a cluster of its own."
    ))
    min_cluster_share: float = Field(
        0.005, gt=0, lt=1, description=(
            "min_cluster_size = max(min_cluster_floor, min_cluster_share x weighted variants): it grows with "
            "the population."
        )
    )
    min_cluster_floor: int = Field(10, ge=2, description="Smallest min_cluster_size, whatever the population.")
    merge_distance: float = Field(
        0.3, ge=0, description=(
            "HDBSCAN cluster_selection_epsilon, in feature distance (features are unit vectors, 0..2): clusters"
            " closer than this merge, so a planted journey with optional steps is not split by each option."
        )
    )
    min_probability: float = Field(
        0.05, ge=0, lt=1, description=(
            "HDBSCAN keeps points that fall out of a cluster far from its core as members with a low "
            "probability; below this they are noise."
        )
    )
    standalone_share: float = Field(
        0.01, gt=0, lt=1, description=(
            "A variant HDBSCAN calls noise but that this share of instances follows is a journey by itself."
        )
    )
    sample_instances: int = Field(
        40_000, ge=1_000, description=(
            "Clustering sees a sample of this many instances, drawn in proportion to the variant counts, so the"
            " journeys do not drift with the population (with 10x the customers, rare sequences would reach the"
            " weight of typical ones and bridge journeys together). Variants not drawn are assigned by the "
            "classifier."
        )
    )
    max_variants: int = Field(
        20_000, ge=10, description=(
            "At most this many (the most frequent drawn) variants are clustered."
        )
    )
    medoid_candidates: int = Field(500, ge=10, description=(
        "Journeys are summarised by medoids chosen among this many most frequent variants; every clustered "
        "variant is compared with each of them (normalised token edit distance)."
    ))
    min_journeys: int = Field(3, ge=1, description=(
        "How many journeys: the knee of the representativeness curve (the mean normalised edit distance from "
        "each path to its journey's medoid, for 1 to max_journeys journeys; Kneedle), but at least this many."
    ))
    max_journeys: int = Field(30, ge=1, description="The curve is drawn up to this many journeys (a few dozen).")
    noise_distance: float | Literal["auto"] = Field(
        "auto", description=(
            "A path farther than this from every journey's medoid (normalised token edit distance, 0..1: the "
            "share of steps to change) fits nowhere and is noise. auto: the distance that noise_quantile of the "
            "pairs of different paths drawn at random from the log are closer than."
        )
    )
    noise_quantile: float = Field(
        0.25, gt=0, lt=1, description=(
            "noise_distance auto: a path is in a journey when it is closer to the journey's medoid than all but "
            "this share of random pairs of different paths are to each other."
        )
    )
    purchase_paths: Literal["group", "cluster"] = Field(
        "group", description=(
            "Paths made only of purchases (every step a purchase or the step right before one, as a purchase "
            "history cut into instances): group = kept out of clustering, as two journeys, buys once and buys "
            "repeatedly; cluster = clustered like any other path."
        )
    )
    short_paths: Literal["group", "noise"] = Field(
        "group", description=(
            "Paths shorter than min_tokens (a bounce: one step, then gone): group = one journey of their own, "
            "\"leaves after one step\"; noise = no journey."
        )
    )
    max_families: int = Field(6, ge=1, description=(
        "Journeys are grouped into 3 to this many families (their medoids summarised the same way, the count "
        "at the knee of their curve), so a report can open on a handful of lines and drill down."
    ))
    silhouette_sample: int = Field(5_000, ge=100, description=(
        "Quality: silhouette on a sample of instances, bootstrap stability (adjusted Rand index)."
    ))
    bootstrap_rounds: int = Field(5, ge=0, description="Resamples for the stability (adjusted Rand index).")
    min_stability: float = Field(0.7, ge=0, le=1, description="The stability check warns below this.")
    representative_coverage: float = Field(
        0.25, gt=0, le=1, description=(
            "Representatives cover at least this share of each journey (TraMineR's seqrep idea)."
        )
    )
    match_max_distance: float = Field(
        0.5, ge=0, le=1, description=(
            "Nightly taxonomy: a journey keeps the previous run's id when their medoids are this close "
            "(normalised edit distance over tokens, Hungarian assignment)."
        )
    )
    seed: int = Field(0, description="Seed of the SVD, the samples and the bootstrap.")


class ValueSettings(_Section):
    """Customer lifetime value: RFM at a landmark day, a purchase model (BG/NBD or Pareto/NBD) and Gamma-Gamma.

    Both models are fitted with pymc-marketing and checked on a holdout.
    """

    purchase_activities: list[str] | Literal["auto"] = Field(
        "auto", description=(
            "Which activities are purchases, and which give money back. Purchases on the same day are one "
            "transaction (its value: their summed revenue; an order without revenue counts, with 0). auto: read"
            " from the log's profile (log_profile.json): purchases are the activities whose rows carry positive"
            " revenue, returns those with negative revenue; in a log without revenue, the activities named like"
            " a conversion (purchase, order, payment_done, ...). A list such as [order] always wins."
        )
    )
    return_activities: list[str] | Literal["auto"] = Field(
        "auto", description="Activities that give money back; auto: those whose rows carry negative revenue."
    )
    outcome: Literal["auto", "revenue", "conversions"] = Field(
        "auto", description=(
            "What value is counted in: revenue, or conversions (purchases counted, for a log without money). "
            "auto: revenue when the purchases carry it, else conversions."
        )
    )
    returns: Literal["net", "ignore"] = Field(
        "net", description=(
            "net: a customer's returns lower the value of each of their purchases (by their return share); "
            "ignore: returns are not counted."
        )
    )
    time_unit: Literal["D", "W", "M"] = Field("W", description=(
        "Unit of recency and T in the models: D (days), W (weeks) or M (months of 30.4375 days)."
    ))
    horizon_months: int | Literal["auto"] = Field(
        "auto", description=(
            "CLV is the discounted value of the next horizon_months. The holdout check is the same length: the "
            "models are fitted on the data before the landmark and predict the horizon after it. auto: 6 "
            "months, or a third of the log's span when that is shorter (whole months, at least 1), so the "
            "calibration period is at least twice the holdout."
        )
    )
    landmark: date | None = Field(
        None, description=(
            "First day of the holdout period (YYYY-MM-DD). null = the day after the last event minus the "
            "horizon."
        )
    )
    annual_discount_rate: float = Field(0.10, ge=0, lt=1, description="Discount rate of future purchases, per year.")
    purchase_model: Literal["bgnbd", "pareto_nbd"] = Field("bgnbd", description=(
        "bgnbd (BG/NBD) or pareto_nbd (Pareto/NBD)."
    ))
    fallbacks: bool = Field(True, description=(
        "When the purchase model's fit degenerates (a parameter at the edge of its range or undetermined, or "
        "no maximum), try MBG/NBD, then BG/NBD under weakly informative priors, and publish the first that "
        "does not (purchase_model_used, in the run's parameters), chosen on the data it is published from; the "
        "holdout tests that same model fitted before the landmark. false: the configured model only."
    ))
    method: Literal["map", "mcmc", "advi", "fullrank_advi"] = Field(
        "map", description=(
            "map: the nightly default; clv_low/clv_high then come from a Laplace approximation of the "
            "parameters' posterior, carried to each customer's CLV by the delta method on the log scale. mcmc "
            "(NUTS), advi or fullrank_advi: intervals from interval_draws thinned posterior draws."
        )
    )
    draws: int = Field(1000, ge=10, description="Posterior draws per chain (mcmc) or drawn from the approximation.")
    tune: int = Field(1000, ge=0, description="MCMC tuning steps per chain.")
    advi_iterations: int = Field(
        50_000, ge=1000, description=(
            "Steps of advi / fullrank_advi; pymc's default (10k) stops before the BG/NBD and Gamma-Gamma fits "
            "converge."
        )
    )
    chains: int = Field(2, ge=1, description="MCMC chains.")
    interval: float = Field(0.9, gt=0, lt=1, description=(
        "Probability mass between clv_low and clv_high."
    ))
    interval_draws: int = Field(
        200, ge=10, description="Posterior draws (thinned) used for intervals, never more per customer."
    )
    refit: bool = Field(
        True, description=(
            "Publish values from a model refitted on all the data (true), or from the calibration fit (false)."
        )
    )
    min_repeat_buyers: int = Field(
        20, ge=2, description=(
            "With fewer customers having repeat purchases with revenue, Gamma-Gamma cannot be fitted: an error "
            "says so."
        )
    )
    max_holdout_error: float = Field(
        0.15, gt=0, description=(
            "A (non-blocking) check warns when the predicted total of holdout purchases is off by more than "
            "this share."
        )
    )
    seed: int = Field(0, description="Seed of the samplers and of the approximation draws.")

    @model_validator(mode="after")
    def _horizon_in_range(self) -> ValueSettings:
        _months_between(self.horizon_months, 1, 120, "horizon_months")
        return self


class ImpactSettings(_Section):
    """Journey impact: what being in each discovered journey does to a customer's value.

    A target trial emulated around a landmark day, cross-fitted AIPW per journey, and its checks::

      early history | placebo window | observation window | landmark | outcome window
      covariates    | covariates, and the placebo outcome | treatment |  | outcome
    """

    landmark: date | None = Field(
        None, description=(
            "First day of the outcome window (YYYY-MM-DD). null = the customer-value landmark (value.landmark, "
            "or the day after the last event minus value.horizon_months), so both steps share one landmark."
        )
    )
    observation_months: int | Literal["auto"] = Field(
        "auto", description=(
            "Treated for journey k: the customer has an instance of k starting in these months before the "
            "landmark. auto: 4, or half of the log before the landmark when that is shorter (whole months, at "
            "least 1)."
        )
    )
    outcome_months: int | None = Field(
        None, ge=1, le=120, description=(
            "Outcome: net revenue in these months from the landmark (null = value.horizon_months). The "
            "predicted CLV (customer_value.csv) is reported as a second outcome."
        )
    )
    placebo_months: int | Literal["auto"] = Field(
        "auto", description=(
            "Placebo outcome: net revenue in these months before the observation window, estimated with the "
            "covariates measured before it. A journey cannot change the past: an \"effect\" there means "
            "confounding. auto: 2, or a quarter of the log before the landmark when that is shorter (whole "
            "months, at least 1)."
        )
    )
    complaint_activities: list[str] = Field(
        default_factory=lambda: ["complaint"], description=(
            "Covariates: tenure, recency, events, active days, orders, revenue, returns and complaints before "
            "the placebo window, the same totals within it, and each channel's share of events (the busiest "
            "max_channels)."
        )
    )
    max_channels: int = Field(8, ge=0, description="Channels (the busiest) whose share of events is a covariate.")
    min_probability: float = Field(
        0.0, ge=0, le=1, description=(
            "Instances assigned with a lower membership probability do not make a customer treated."
        )
    )
    min_treated: int = Field(50, ge=10, description=(
        "Journeys with fewer treated customers are listed with a note, not estimated."
    ))
    folds: int = Field(5, ge=2, le=20, description=(
        "Cross-fitted AIPW (doubly robust): propensity and outcome models fitted on the other folds."
    ))
    trim: float = Field(
        0.01, ge=0, lt=0.5,
        description=(
            "Who an effect is about. Customers with a propensity below the trim quantile of the treated's are "
            "not at risk of the journey: their history is unlike anyone's who entered it (most often they "
            "already live or lived a journey), so, as a target trial would not enrol them, they are left out "
            "of its population (not_at_risk_share). Customers above the 1 - trim quantile of the others' are "
            "unlike anyone who did not enter it: they are trimmed (trimmed_share), as the data cannot say "
            "what they would do without it. Each effect is averaged over the customers kept. (Asymmetric "
            "trimming: fixed bounds such as [0.02, 0.98] would drop nearly everyone for a rare journey.) "
            "overlap_ok needs at most max_trimmed_share of the customers at risk trimmed, and every covariate "
            "balanced after weighting: |standardised mean difference| below max_smd, or below balance_noise_z "
            "times the noise a difference has in groups of the weighted sizes when that is larger (with 100 "
            "customers in a journey, chance alone leaves differences of 0.1 and more)."
        ),
    )
    max_trimmed_share: float = Field(
        0.10, ge=0, le=1, description="overlap_ok needs at most this share of the customers at risk trimmed.")
    max_smd: float = Field(
        0.10, gt=0, description="overlap_ok needs every |standardised mean difference| after weighting below this."
    )
    balance_noise_z: float = Field(
        3.0, ge=0, description="A covariate is imbalanced above max_smd or this many noise SDs, whichever is larger."
    )
    fdr: float = Field(0.05, gt=0, lt=1, description=(
        "Benjamini-Hochberg false discovery rate across journeys: an effect is a finding when its q-value is "
        "below fdr and both overlap_ok and refutation_ok hold."
    ))
    refutation_alpha: float = Field(
        0.01, gt=0, lt=1, description=(
            "refutation_ok: the permuted-label placebo and the placebo outcome both show no effect at this "
            "level."
        )
    )
    max_customers: int | None = Field(
        50_000, ge=1_000,
        description=(
            "Past this many eligible customers, effects are estimated on a seeded random sample of them (null: "
            "all). A simple random sample of the same population estimates the same average effect without "
            "bias; its interval is wider (at 50,000 the nuisance models have all they need and the step stays "
            "under a minute or two; the whole population is still counted in n_treated and value_at_stake)."
        ),
    )
    seed: int = Field(0, description="Seed of the folds, the nuisance models, the permuted placebo and the sample.")
    n_jobs: int | Literal["auto"] = Field(
        "auto", description=(
            "Cores of the nuisance models (gradient boosting). auto: the cores this process may use minus those "
            "other processes are running on, asked when the step starts. With two or more, that many journeys "
            "are estimated side by side, each fitting on one thread; with one, journeys are estimated one after "
            "another, on one thread below 20,000 sampled customers and above on the free cores (at most 4), "
            "asked before every journey. A number fixes the cores; the step never uses more. The estimates do "
            "not depend on it."
        ),
    )

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
    """Trigger rules a marketing platform can fire when a customer's recent events show a journey starting.

    Rules are mined on the earlier part of the journeys' period and back-tested on the later part.
    """

    journeys: Literal["findings", "estimated", "all"] = Field(
        "findings", description=(
            "Journeys that get rules: findings (an effect that passed its checks), estimated (any effect), or "
            "all."
        )
    )
    mining_share: float = Field(
        0.6, gt=0.1, lt=0.95, description=(
            "Out of time: rules are mined on the journey instances that start in this earlier share of the "
            "period the journeys span, and replayed (back-tested) on the events after it. Only rules that pass "
            "the thresholds below on both halves are published."
        )
    )
    min_probability: float = Field(0.0, ge=0, le=1, description="Assignments below this membership count as noise.")
    max_entry_steps: int = Field(4, ge=1, le=8, description=(
        "Candidate entry patterns: ordered steps (others may come between) taken from the first max_entry_steps"
        " steps of the journey's instances, up to its defining step (its most telling step)."
    ))
    max_pattern_length: int = Field(3, ge=1, le=5, description="Longest entry pattern, in steps.")
    candidates_per_journey: int = Field(15, ge=1, description="Most frequent candidate patterns evaluated per journey.")
    privacy_floor: int = Field(10, ge=1, description=(
        "Support: distinct customers a rule catches entering its journey. Never below the privacy floor."
    ))
    min_support: int = Field(25, ge=1, description="Distinct customers a rule must catch entering its journey.")
    min_precision: float = Field(0.5, gt=0, le=1, description=(
        "Precision: share of a rule's matches that are instances of its journey. Recall: share of the journey's"
        " instances it catches. Lead time: median time from firing to the journey's defining step."
    ))
    min_recall: float = Field(0.1, gt=0, le=1, description="Share of the journey's instances a rule catches.")
    min_lead_time_hours: float = Field(
        0.0, description="Median time from firing to the journey's defining step, at least (0: fire at entry)."
    )
    window_quantile: float = Field(
        0.9, gt=0, le=1, description="A rule's window: this quantile of its pattern's span in the journey's instances."
    )
    max_rules_per_journey: int = Field(3, ge=1, description=(
        "Pruning: at most this many rules per journey; a rule matching mostly the same instances as a better "
        "one, or a longer/shorter pattern of one that is not min_precision_gain more precise, is dropped."
    ))
    max_overlap: float = Field(
        0.8, gt=0, le=1, description="A rule whose matched instances overlap a better one's this much is pruned."
    )
    min_precision_gain: float = Field(
        0.05, ge=0, description="A longer or shorter pattern of a kept rule must be this much more precise to stay."
    )
    cap_per_customer: int = Field(1, ge=1, description=(
        "Firing: one rule at most cap_per_customer times per customer; all rules together at most frequency_cap"
        " triggers per customer in any frequency_cap_days."
    ))
    frequency_cap: int = Field(2, ge=1, description="Triggers of all rules one customer gets per cap period, at most.")
    frequency_cap_days: float = Field(7.0, gt=0, description="The global frequency cap's period.")
    max_triggers_per_customer_week: float = Field(
        0.5, gt=0, description=(
            "The rule set becomes the registry's champion only when its back-test keeps triggers per active "
            "customer per week below this (and its published rules meet the thresholds above)."
        )
    )
    actions: list[CatalogueAction] = Field(
        default_factory=lambda: [CatalogueAction(**dict(zip(ACTION_FIELDS, a, strict=True))) for a in DEFAULT_ACTIONS],
        description=(
            "The action catalogue: what to do when a customer enters a journey. For a journey that raises "
            "value, the rule nudges towards the journey's next step (when: raises); for one that destroys "
            "value, it intervenes before the damaging step (when: destroys). step: a token (activity@channel) "
            "or an activity. A rule whose step has no entry is published with action null and a note saying so."
        ),
    )

    @model_validator(mode="after")
    def _support_above_privacy_floor(self) -> TriggerSettings:
        if self.min_support < self.privacy_floor:
            raise ValueError(f"min_support ({self.min_support}) is below privacy_floor ({self.privacy_floor})")
        return self


class PrivacySettings(_Section):
    """What may be shown of a few customers: nothing a handful of them followed alone.

    A path, a variant, a representative, a flow of a step diagram or an edge of a journey's map shown in
    the report, in journeys.csv or in MLflow is followed by at least min_customers distinct customers;
    what fewer followed is left out (the card says what share of the journey its diagrams cover) or
    replaced by a note. Trigger rules have their own, higher floor (triggers.privacy_floor).
    """

    min_customers: int = Field(5, ge=1, description=(
        "The fewest distinct customers a path, variant, flow or map edge shown to people may have."
    ))


class ReportSettings(_Section):
    """The marketer's report: journey_ranking.csv and report.html (its cards and its wording)."""

    title: str | None = Field(None, description=(
        "Report title; empty: \"Customer journeys: what they are worth, and when to act\" in the report's language."
    ))
    language: Literal["en", "fr"] = Field("en", description=(
        "The report's language: its words from the catalogue of messages, its numbers, money and dates "
        "formatted for that locale (en: €163K, Apr 27, 2025; fr: 163 k €, 27 avr. 2025)."
    ))
    currency: str = Field("€", description=(
        "The currency of the log's revenue column: a symbol (€, $, £, ¥) or an ISO 4217 code (EUR, CHF, ...)."
    ))
    cards: int = Field(30, ge=1, description=(
        "Journeys with a card of their own in report.html, best ranked first (journey_ranking.csv has them "
        "all)."
    ))
    flow_steps: int = Field(5, ge=2, le=10, description=(
        "A card's step-flow diagram: the first steps of the journey's paths."
    ))
    map_edges: int = Field(15, ge=3, description=(
        "A card's process map: the journey's most frequent moves, the rest folded into \"other\"."
    ))
    paths_per_journey: int = Field(
        300, ge=10, description=(
            "Both diagrams are drawn from the journey's most frequent paths (the card says what share they "
            "cover)."
        )
    )
    rules_per_journey: int = Field(3, ge=1, description=(
        "Published trigger rules named per journey in the ranking (the card lists every candidate)."
    ))
