"""Journey discovery: journey instances clustered into a few dozen typical, named journeys."""

from parcours.journeys.classifier import JourneyClassifier
from parcours.journeys.clustering import NOISE
from parcours.journeys.discover import JourneyDiscovery, discover_journeys

__all__ = ["NOISE", "JourneyClassifier", "JourneyDiscovery", "discover_journeys"]
