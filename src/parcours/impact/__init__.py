"""Journey impact: what being in each discovered journey does to customer value, estimated as a target trial."""

from parcours.impact.design import ImpactDesignError, TrialDesign, trial_design
from parcours.impact.estimate import IMPACT_COLUMNS, JourneyImpact, estimate_journey_impact

__all__ = ["IMPACT_COLUMNS", "ImpactDesignError", "JourneyImpact", "TrialDesign", "estimate_journey_impact",
           "trial_design"]
