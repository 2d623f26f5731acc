"""Stage 4, journeys: journey instances clustered into a few dozen typical, named journeys.

Names load on first use (:func:`parcours.facade.lazy_facade`): HDBSCAN and scikit-learn are imported
where a journey is discovered, not where the code location loads.
"""

from typing import TYPE_CHECKING

from parcours.facade import lazy_facade

if TYPE_CHECKING:
    from parcours.journeys.assign import assign_journeys, journey_sizes
    from parcours.journeys.classifier import JourneyClassifier
    from parcours.journeys.clustering import NOISE
    from parcours.journeys.discover import JourneyDiscovery, discover_journeys
    from parcours.journeys.figures import first_steps_sankey, journey_sizes_figure, representativeness_curve

__all__, __getattr__, __dir__ = lazy_facade(__name__)
