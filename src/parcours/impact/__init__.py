"""Stage 6, impact: what being in each discovered journey does to customer value, estimated as a target trial.

The estimator (scikit-learn) loads when one of its names is first used (:func:`parcours.facade.lazy_facade`),
so the stages that only read an effect's state (:mod:`parcours.impact.status`: the report, the CLI summary)
do not pay for it.
"""

from typing import TYPE_CHECKING

from parcours.facade import lazy_facade

if TYPE_CHECKING:
    from parcours.impact.design import ImpactDesignError, TrialDesign, trial_design
    from parcours.impact.estimate import IMPACT_COLUMNS, JourneyImpact, estimate_journey_impact
    from parcours.impact.figures import forest_figure, forest_png, overlap_figure
    from parcours.impact.skipped import not_estimated
    from parcours.impact.status import PROVEN, STATES, effect_status, state_counts

__all__, __getattr__, __dir__ = lazy_facade(__name__)
